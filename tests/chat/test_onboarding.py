"""A new person meets Limber: welcome, safety note, five questions, and /start again."""

from __future__ import annotations

from sqlalchemy import select

from bot.console.fake_bot_api import FakeBotApi
from bot.storage.models import Person, Schedule
from tests.chat.harness import ALEX, BotHarness


async def _stored(bot: BotHarness) -> tuple[Person, Schedule]:
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    async with services.unit() as session:
        person = (await session.execute(select(Person))).scalar_one()
        schedule = await session.get(Schedule, person.id)
        assert schedule is not None
        return person, schedule


async def test_the_command_menu_is_registered_at_start(bot: BotHarness, api: FakeBotApi) -> None:
    commands = [c["command"] for c in api.calls_to("setMyCommands")[0].params["commands"]]
    assert {"routine", "caution", "pose", "pause", "resume", "settings", "forget"} <= set(commands)


async def test_a_new_person_gets_the_safety_note_before_anything_else(bot: BotHarness) -> None:
    await bot.send("/start")
    assert "I'm Limber" in bot.texts_since(0)[0]
    assert "not medical advice" in bot.last_text()
    assert bot.labels() == ["I understand"]

    await bot.send("/routine")
    assert "safety note" in bot.texts_since(0)[2]
    assert bot.labels() == ["I understand"]


async def test_setup_walks_through_five_questions_and_stores_the_answers(
    bot: BotHarness,
) -> None:
    await bot.send("/start")
    await bot.press("I understand")
    assert "1/5" in bot.last_text()
    await bot.send("new york")  # a city, typed
    assert "2/5" in bot.last_text()
    await bot.send("Mon-Thu 08:00-16:30")
    assert "3/5" in bot.last_text()
    await bot.press("45 min")
    await bot.press("Near a floor")
    await bot.press("10 min")
    assert "All set" in bot.last_text()

    person, schedule = await _stored(bot)
    assert person.time_zone == "America/New_York"
    assert person.safety_accepted_at is not None
    assert person.setup_step is None
    assert schedule.working_days == 0b0001111
    assert (schedule.day_start.hour, schedule.day_end.hour, schedule.day_end.minute) == (8, 16, 30)
    assert (schedule.interval_minutes, schedule.place, schedule.routine_minutes) == (
        45,
        "floor",
        10,
    )
    assert schedule.next_nudge_at is not None


async def test_every_question_can_be_skipped_with_a_sensible_default(bot: BotHarness) -> None:
    await bot.send("/start")
    await bot.press("I understand")
    for label in (
        "Skip (UTC)",
        "Mon–Fri 09:00–17:30",
        "Skip (60 min)",
        "Skip (desk)",
        "Skip (5 min)",
    ):
        await bot.press(label)
    person, schedule = await _stored(bot)
    assert person.time_zone == "UTC"
    assert (schedule.interval_minutes, schedule.place, schedule.routine_minutes) == (60, "desk", 5)


async def test_a_typo_in_the_time_zone_gets_a_suggestion_and_changes_nothing(
    bot: BotHarness,
) -> None:
    await bot.send("/start")
    await bot.press("I understand")
    await bot.send("Berlinn")
    assert "Europe/Berlin" in bot.last_text()
    person, _ = await _stored(bot)
    assert person.time_zone == "UTC"
    assert person.setup_step == "tz"


async def test_hours_that_cross_midnight_are_refused_with_a_clear_message(
    bot: BotHarness,
) -> None:
    await bot.send("/start")
    await bot.press("I understand")
    await bot.press("Berlin")
    await bot.send("22:00-06:00")
    assert "past midnight" in bot.last_text()
    _, schedule = await _stored(bot)
    assert schedule.day_start.hour == 9


async def test_start_again_keeps_what_is_stored(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/caution knee")
    await bot.send("/start")
    assert "Welcome back" in bot.last_text()
    assert "Europe/Berlin" in bot.last_text()
    person, _ = await _stored(bot)
    assert person.setup_step is None


async def test_settings_change_one_value_and_show_the_result(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/settings")
    await bot.press("How often")
    await bot.press("90 min")
    assert "Nudge every: 90 min" in bot.last_text()
    await bot.press("Auto-advance: off")
    assert "Auto-advance between poses: on" in bot.last_text()
    person, schedule = await _stored(bot)
    assert schedule.interval_minutes == 90
    assert person.auto_advance


async def test_group_chats_get_a_note_and_nothing_is_stored(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await bot.send("/start", chat_id=-100, chat_type="group")
    assert "private chats" in (api.last_message(-100).text or "")  # type: ignore[union-attr]
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        assert (await session.execute(select(Person))).first() is None


async def test_unknown_commands_and_stray_text_get_a_pointer_to_help(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/dance")
    assert "/dance" in bot.last_text() and "/help" in bot.last_text()
    await bot.send("hello there")
    assert "/routine" in bot.last_text()


async def test_help_about_and_privacy_answer(bot: BotHarness) -> None:
    await bot.send("/help")
    assert "/routine" in bot.last_text()
    await bot.send("/about")
    assert "Leg Stretch" in bot.last_text() or "articles" in bot.last_text()
    await bot.send("/privacy")
    assert "/forget" in bot.last_text()
    assert ALEX
