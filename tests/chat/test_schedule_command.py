"""/schedule: today's remaining nudges in the person's own time, and changing days and hours."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import select

from bot.storage.models import Schedule
from tests.chat.harness import BotHarness


async def _schedule(bot: BotHarness) -> Schedule:
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        return (await session.execute(select(Schedule))).scalar_one()


async def test_schedule_lists_the_rest_of_todays_nudges_in_local_time(bot: BotHarness) -> None:
    await bot.onboard()  # Berlin, Mon–Fri 09:00–17:30 hourly; it is 08:30 on a Monday there
    bot.clock.now = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)  # 13:30 in Berlin
    await bot.send("/schedule")
    text = bot.last_text()
    assert "Europe/Berlin" in text
    assert "Still today: 14:00, 15:00, 16:00, 17:00" in text


async def test_schedule_changes_days_and_hours_and_the_next_nudge_follows(
    bot: BotHarness,
) -> None:
    await bot.onboard()
    await bot.send("/schedule Tue-Thu 08:00-12:00")
    schedule = await _schedule(bot)
    assert schedule.working_days == 0b0001110
    assert (schedule.day_start, schedule.day_end) == (time(8), time(12))
    # Monday is now a day off: the next nudge is Tuesday 09:00 in Berlin (08:00 UTC).
    assert schedule.next_nudge_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert "Next: Tue 09:00" in bot.last_text()


async def test_a_quiet_lunch_window_has_no_nudges(bot: BotHarness) -> None:
    await bot.onboard()
    bot.clock.now = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)  # 11:30 in Berlin
    await bot.send("/schedule lunch 12:00-13:30")
    assert "quiet 12:00–13:30" in bot.last_text()
    assert "Still today: 14:00, 15:00" in bot.last_text()
    await bot.send("/schedule lunch off")
    assert "Still today: 12:00, 13:00, 14:00" in bot.last_text()


async def test_wrong_hours_are_explained_and_change_nothing(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/schedule 25:00-26:00")
    assert "not a time of day" in bot.last_text()
    await bot.send("/schedule 18:00-02:00")
    assert "past midnight" in bot.last_text()
    schedule = await _schedule(bot)
    assert (schedule.day_start, schedule.day_end) == (time(9), time(17, 30))


async def test_schedule_every_changes_how_often_and_todays_nudges_follow(bot: BotHarness) -> None:
    await bot.onboard()  # hourly, Mon–Fri 09:00–17:30 in Berlin
    bot.clock.now = datetime(2026, 11, 23, 12, 10, tzinfo=UTC)  # 13:10 in Berlin
    await bot.send("/schedule every 90 min")
    text = bot.last_text()
    assert "every 90 min" in text
    # The grid starts an interval after 09:00: 10:30, 12:00, 13:30, 15:00, 16:30.
    assert "Still today: 13:30, 15:00, 16:30" in text
    schedule = await _schedule(bot)
    assert schedule.interval_minutes == 90
    assert schedule.next_nudge_at == datetime(2026, 11, 23, 12, 30, tzinfo=UTC)


async def test_an_interval_out_of_range_is_explained_and_changes_nothing(bot: BotHarness) -> None:
    await bot.onboard()
    before = await _schedule(bot)
    await bot.send("/schedule Tue-Thu 08:00-12:00 every 5 min")
    assert "every 15 to 240 minutes" in bot.last_text()
    after = await _schedule(bot)
    assert (after.interval_minutes, after.working_days, after.day_start) == (
        before.interval_minutes,
        before.working_days,
        before.day_start,
    )
    assert after.next_nudge_at == before.next_nudge_at
