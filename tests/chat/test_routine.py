"""/routine played pose by pose: Next, Skip, Stop, It hurts, countdowns, old and forged buttons,
and a bot restarted in the middle."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.chat import callbacks as cb
from bot.console.fake_bot_api import FakeBotApi
from bot.storage.models import Activity, PainfulPose, RoutineRun
from tests.chat.harness import ALEX, BotHarness

STEP_BUTTONS = ["Next ▶", "Skip", "Stop", "It hurts"]


async def _runs(bot: BotHarness) -> list[RoutineRun]:
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        return list((await session.execute(select(RoutineRun).order_by(RoutineRun.id))).scalars())


async def _activity(bot: BotHarness) -> list[tuple[str, str | None]]:
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        rows = await session.execute(select(Activity).order_by(Activity.id))
        return [(a.kind, a.pose_id) for a in rows.scalars()]


def _pose_messages(bot: BotHarness) -> list[str]:
    return [
        m.text or ""
        for m in bot.bot_messages()
        if (m.text or "").count("/") and "·" in (m.text or "")
    ]


async def test_a_routine_plays_pose_by_pose_to_a_summary(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/routine 5 desk")
    intro, first = bot.texts_since(len(bot.bot_messages()) - 2)
    assert "5-minute desk break" in intro
    assert first.startswith("1/")
    assert bot.labels() == STEP_BUTTONS
    total = int(first.split("/")[1].split(" ")[0])

    for step in range(1, total + 1):
        assert bot.last_text().startswith(f"{step}/{total}")
        await bot.press("Next ▶")
    assert "Well done" in bot.last_text()
    assert "min" in bot.last_text() or " s " in bot.last_text()

    runs = await _runs(bot)
    assert [r.state for r in runs] == ["done"]
    assert ("routine_done", None) in await _activity(bot)
    # Every pose message was closed: no buttons are left on the finished routine.
    assert all(not m.buttons for m in bot.bot_messages())


async def test_skip_moves_on_and_the_summary_counts_only_what_was_done(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/routine 2 desk")
    first = bot.last_text()
    total = int(first.split("/")[1].split(" ")[0])
    await bot.press("Skip")
    skipped = [m.text or "" for m in bot.bot_messages() if (m.text or "").startswith("↷ skipped")]
    assert len(skipped) == 1
    for _ in range(total - 1):
        await bot.press("Next ▶")
    assert "Well done" in bot.last_text()
    assert (await _runs(bot))[0].plan["skipped"] == [0]


async def test_it_hurts_stops_advises_rest_and_leaves_the_pose_out_from_then_on(
    bot: BotHarness,
) -> None:
    await bot.onboard()
    await bot.send("/routine 5 floor")
    run = (await _runs(bot))[0]
    first_pose = run.plan["steps"][0]["pose_id"]
    first_title = run.plan["steps"][0]["title"]

    await bot.press("It hurts")
    assert "Stop and rest" in bot.last_text()
    assert "doctor or physiotherapist" in bot.last_text()
    assert bot.labels()[0] == first_title
    await bot.press(first_title)
    assert "leave out" in bot.last_text()

    assert (await _runs(bot))[0].state == "hurt"
    activity = await _activity(bot)
    assert ("pain_reported", first_pose) in activity
    assert ("routine_stopped", None) in activity

    # The next routines never contain that pose again.
    for _ in range(3):
        await bot.send("/routine 10 floor")
    later = (await _runs(bot))[1:]
    assert all(s["pose_id"] != first_pose for r in later for s in r.plan["steps"])

    # /caution lists it, and it can be allowed again.
    await bot.send("/caution")
    assert first_title.split(" (")[0] in bot.last_text() or "said hurt" in bot.last_text()
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        assert (await session.execute(select(PainfulPose.pose_id))).scalars().all() == [first_pose]


async def test_stop_ends_the_routine_and_records_it(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/routine 5 desk")
    await bot.press("Next ▶")
    await bot.press("Stop")
    assert bot.last_text().startswith("Stopped.")
    assert (await _runs(bot))[0].state == "stopped"
    assert ("routine_stopped", None) in await _activity(bot)


async def test_an_old_button_changes_nothing(bot: BotHarness, api: FakeBotApi) -> None:
    await bot.onboard()
    await bot.send("/routine 5 desk")
    first = api.message_with_buttons(ALEX)
    assert first is not None
    next_data = first.buttons[0].callback_data
    assert next_data is not None
    await bot.press("Next ▶")
    await bot.press_data(next_data, message_id=first.message_id)
    assert bot.answers()[-1].startswith("That button is from an older message")
    assert (await _runs(bot))[0].current_step == 1


async def test_someone_elses_routine_buttons_do_nothing(bot: BotHarness, api: FakeBotApi) -> None:
    await bot.onboard()
    await bot.onboard(user_id=2002)
    await bot.send("/routine 5 desk")
    message = api.message_with_buttons(ALEX)
    assert message is not None and message.buttons[0].callback_data is not None
    # Sam forges a press of Alex's Next button.
    await bot.press_data(
        message.buttons[0].callback_data, message_id=message.message_id, user_id=2002
    )
    assert "someone else" in bot.answers()[-1]
    assert (await _runs(bot))[0].current_step == 0


@pytest.mark.parametrize(
    "data",
    [
        "run:abc:0:next",
        "run:99999:0:next",
        "run:1:0:explode",
        "run",
        "zzz:1",
        "run:1:0:next:x:y:z:" + "9" * 60,
    ],
)
async def test_forged_callback_data_gets_a_notice_and_changes_nothing(
    bot: BotHarness, api: FakeBotApi, data: str
) -> None:
    await bot.onboard()
    await bot.send("/routine 5 desk")
    message = api.message_with_buttons(ALEX)
    assert message is not None
    before = [(r.state, r.current_step) for r in await _runs(bot)]
    await bot.press_data(data[:64], message_id=message.message_id)
    assert bot.answers()[-1] != ""
    assert [(r.state, r.current_step) for r in await _runs(bot)] == before


async def test_bad_routine_arguments_are_explained_with_an_example(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/routine 90")
    assert "2 to 30 minutes" in bot.last_text()
    await bot.send("/routine 5 flor")
    assert "Did you mean floor" in bot.last_text()
    assert await _runs(bot) == []


async def test_the_hold_counts_down_by_editing_and_then_waits_for_next(
    api: FakeBotApi, chat_database: str, clock: object
) -> None:
    from tests.chat.harness import BotHarness, Clock

    real_clock = Clock.__new__(Clock)
    harness = BotHarness(api, chat_database, clock, hold_scale=0.02)  # type: ignore[arg-type]
    del real_clock
    await harness.start()
    try:
        # A real clock, so the countdown job sees time pass.
        from bot.chat.context import utc_now

        harness.app.bot_data["services"].clock = utc_now  # type: ignore[union-attr]
        await harness.onboard()
        await harness.send("/routine 2 desk")
        message = api.message_with_buttons(ALEX)
        assert message is not None
        await api.wait_for(lambda: "done" in (api.messages(ALEX)[-1].text or ""), timeout=10)
        shown = api.messages(ALEX)[-1]
        assert shown.message_id == message.message_id
        assert len(shown.versions) >= 2, "the countdown edited the message"
        assert [b.text for b in shown.buttons] == STEP_BUTTONS
    finally:
        await harness.stop()


async def test_with_auto_advance_the_next_pose_follows_by_itself(
    api: FakeBotApi, chat_database: str, clock: object
) -> None:
    from bot.chat.context import utc_now
    from tests.chat.harness import BotHarness

    harness = BotHarness(api, chat_database, clock, hold_scale=0.01)  # type: ignore[arg-type]
    await harness.start()
    try:
        harness.app.bot_data["services"].clock = utc_now  # type: ignore[union-attr]
        await harness.onboard()
        await harness.send("/settings")
        await harness.press("Auto-advance: off")
        await harness.send("/routine 2 desk")
        await api.wait_for(lambda: "Well done" in (api.messages(ALEX)[-1].text or ""), timeout=20)
    finally:
        await harness.stop()


@pytest.mark.parametrize("chat_backend", ["sqlite", "postgres"])
async def test_a_restart_mid_routine_carries_on_where_the_person_was(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/routine 5 desk")
    await bot.press("Next ▶")
    second = bot.last_text()
    assert second.startswith("2/")

    await bot.restart()

    await bot.press("Next ▶")
    assert bot.last_text().startswith("3/")
    assert (await _runs(bot))[0].current_step == 2


@pytest.mark.parametrize("chat_backend", ["sqlite", "postgres"])
async def test_a_double_press_moves_the_routine_only_once(
    bot: BotHarness, api: FakeBotApi
) -> None:
    import asyncio

    from telegram import Update

    await bot.onboard()
    await bot.send("/routine 5 desk")
    shown_before = len(bot.bot_messages())
    message = api.message_with_buttons(ALEX)
    assert message is not None and message.buttons[0].callback_data is not None
    data = message.buttons[0].callback_data
    updates = [api.user_presses(ALEX, message.message_id, data, enqueue=False) for _ in range(2)]
    assert bot.app is not None
    await asyncio.gather(
        *(bot.app.process_update(Update.de_json(u, bot.app.bot)) for u in updates)
    )
    assert (await _runs(bot))[0].current_step == 1
    assert sum(1 for t in bot.texts_since(shown_before) if t.startswith("2/")) == 1
    assert cb.RUN == "run"


async def test_a_five_minute_desk_break_goes_through_the_desk_poses_twice(
    bot: BotHarness,
) -> None:
    await bot.onboard()
    await bot.send("/routine 5 desk")
    intro = bot.texts_since(len(bot.bot_messages()) - 2)[0]
    assert "twice through" in intro
    assert "goes through them twice" in intro
    assert "(round 1 of 2)" in bot.last_text()
    run = (await _runs(bot))[0]
    rounds = [s["round"] for s in run.plan["steps"]]
    half = len(rounds) // 2
    assert rounds == [1] * half + [2] * half
    first, second = run.plan["steps"][:half], run.plan["steps"][half:]
    assert [s["pose_id"] for s in first] == [s["pose_id"] for s in second]
