"""/caution, /pose, /poses, /pause, /resume and /forget as a person uses them."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.storage.models import Activity, Caution, Person, RoutineRun, Schedule
from tests.chat.harness import ALEX, BotHarness


async def _tags(bot: BotHarness) -> list[str]:
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        return sorted((await session.execute(select(Caution.tag))).scalars())


async def _schedule(bot: BotHarness) -> Schedule:
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        return (await session.execute(select(Schedule))).scalar_one()


async def test_cautions_are_understood_as_people_type_them(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/caution bad knees, pregnant and carpal tunnel")
    assert "Noted" in bot.last_text()
    assert await _tags(bot) == ["knee", "pregnancy", "wrists"]


async def test_a_typo_gets_the_closest_cautions_as_buttons(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/caution glaucome")
    assert await _tags(bot) == ["glaucoma"] or "Did you mean" in bot.last_text()
    await bot.send("/caution kneez")
    if "Did you mean" in bot.last_text():
        await bot.press(bot.labels()[0])
    assert "knee" in await _tags(bot)


async def test_a_word_that_is_no_caution_changes_nothing(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/caution xylophone")
    assert "don't know" in bot.last_text()
    assert await _tags(bot) == []


async def test_a_red_flag_gets_the_seek_care_answer_and_is_not_stored(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/caution numbness in my groin")
    assert "exercise" in bot.last_text().lower()
    assert await _tags(bot) == []


async def test_cautions_are_listed_removed_and_cleared(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/caution knee, wrists")
    await bot.send("/caution")
    assert (
        bot.labels()[:2] == ["Remove Knee trouble", "Remove Wrists or carpal tunnel"]
        or len(bot.labels()) == 2
    )
    await bot.press(bot.labels()[0])
    assert len(await _tags(bot)) == 1
    await bot.send("/caution remove wrists")
    assert await _tags(bot) == []
    await bot.send("/caution knee")
    await bot.send("/caution clear")
    assert await _tags(bot) == []


async def test_a_knee_caution_changes_the_next_routine(bot: BotHarness) -> None:
    await bot.onboard()
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    await bot.send("/caution knee")
    for _ in range(4):
        await bot.send("/routine 15 floor")
    async with services.unit() as session:
        runs = (await session.execute(select(RoutineRun))).scalars().all()
    poses = {s["pose_id"] for r in runs for s in r.plan["steps"]}
    assert "child_pose" not in poses
    assert "rabbit" not in poses
    assert "Child" in bot.texts_since(0)[-2] or "knee" in " ".join(bot.texts_since(0)).lower()


async def test_a_pose_is_found_despite_a_typo_and_shows_what_it_means_for_you(
    bot: BotHarness,
) -> None:
    await bot.onboard()
    await bot.send("/caution knee")
    await bot.send("/pose chlid pose")
    text = bot.last_text()
    if "Did you mean" in text:
        await bot.press(bot.labels()[0])
        text = bot.last_text()
    assert text.startswith("Child")
    assert "Not for you" in text


async def test_poses_can_be_browsed_by_place(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/poses")
    await bot.press("At the desk")
    assert "Tap one" in bot.last_text()
    first = bot.labels()[0]
    await bot.press(first)
    assert bot.last_text().startswith(first)


async def test_pause_and_resume_move_the_next_nudge(bot: BotHarness) -> None:
    await bot.onboard()
    before = (await _schedule(bot)).next_nudge_at
    assert before is not None
    await bot.send("/pause until Wednesday")
    assert "Paused until" in bot.last_text()
    paused = await _schedule(bot)
    assert paused.paused_until is not None and paused.next_nudge_at is not None
    assert paused.next_nudge_at >= paused.paused_until
    await bot.send("/pause forever")
    assert "For example" in bot.last_text()
    await bot.send("/resume")
    assert (await _schedule(bot)).next_nudge_at == before


async def test_the_pause_buttons_work(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/pause")
    await bot.press("2 hours")
    assert "Paused until" in bot.last_text()
    assert (await _schedule(bot)).paused_until is not None


async def test_forget_deletes_everything_after_confirmation(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.onboard(user_id=2002)
    await bot.send("/caution knee")
    await bot.send("/routine 2 desk")
    await bot.press("Stop")
    await bot.send("/forget")
    await bot.press("Cancel")
    assert "Nothing was deleted" in bot.last_text()
    await bot.send("/forget")
    await bot.press("Yes, delete everything")
    assert "deleted" in bot.last_text()
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        people = (await session.execute(select(Person.telegram_user_id))).scalars().all()
        assert people == [2002]
        for model in (Caution, RoutineRun, Activity):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
    # And Alex can come back as a new person.
    await bot.send("/start")
    assert "I'm Limber" in bot.texts_since(0)[-2]
    assert ALEX
