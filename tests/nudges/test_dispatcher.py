"""Nudges during working hours: sent once, at the right local times, across DST, pauses,
snoozes, blocks, rate limits, downtime and two workers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.app import dispatcher_for
from bot.console.fake_bot_api import FakeBotApi
from bot.nudges.dispatcher import Dispatcher
from bot.storage import create_engine, repo, session_factory, unit_of_work
from bot.storage.claims import SqliteStore, nudge_store
from bot.storage.claims.postgres import PostgresClaims
from bot.storage.models import Activity, Person, Schedule
from tests.chat.harness import ALEX, BotHarness

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(params=["sqlite", "postgres"])
def chat_backend(request: pytest.FixtureRequest) -> str:
    """Claiming is different SQL on each database, so every nudge test runs on both."""
    return str(request.param)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc]


def _dispatcher(bot: BotHarness) -> Dispatcher:
    assert bot.app is not None
    dispatcher = dispatcher_for(bot.app)

    async def no_wait(seconds: float) -> None:
        bot.clock.advance(seconds=seconds)

    dispatcher.sleep = no_wait
    return dispatcher


async def _schedule(bot: BotHarness, user_id: int = ALEX) -> Schedule:
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        person = await repo.person_by_telegram_id(session, user_id)
        assert person is not None
        return await repo.schedule_for(session, person.id)


async def _set(bot: BotHarness, **values: object) -> None:
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        schedule = (await session.execute(select(Schedule))).scalar_one()
        person = await session.get(Person, schedule.person_id)
        assert person is not None
        for name, value in values.items():
            setattr(schedule, name, value)
        from bot.chat.people import reschedule

        reschedule(person, schedule, bot.clock())


def _nudges(api: FakeBotApi, chat_id: int = ALEX) -> list[str]:
    return [m.text or "" for m in api.messages(chat_id) if "Time to get up" in (m.text or "")]


async def _run_day(
    bot: BotHarness, start: datetime, hours: float, step_minutes: int = 1
) -> list[datetime]:
    """Tick every ``step_minutes`` for ``hours``; the local times nudges were sent at."""
    dispatcher = _dispatcher(bot)
    bot.clock.now = start
    sent: list[datetime] = []
    for _ in range(int(hours * 60 / step_minutes)):
        bot.clock.advance(minutes=step_minutes)
        result = await dispatcher.tick()
        sent += [at for _, at in result.sent_at]
    return sent


async def test_a_working_day_in_berlin_nudges_every_hour_from_ten_to_half_past_five(
    bot: BotHarness, api: FakeBotApi
) -> None:
    bot.clock.now = berlin(2026, 11, 22, 20, 0)  # set up on Sunday evening
    await bot.onboard()  # Berlin, Mon–Fri 09:00–17:30, every 60 min
    sent = await _run_day(bot, berlin(2026, 11, 23, 0, 0), 24, step_minutes=5)
    local = [s.astimezone(BERLIN).strftime("%H:%M") for s in sent]
    assert local == ["10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00", "17:00"]
    assert len(_nudges(api)) == 8
    assert "2-minute" in _nudges(api)[0] or "5-minute" in _nudges(api)[0]
    assert [b.text for b in api.buttons(ALEX)] == [
        "Start ▶",
        "Snooze 15 min",
        "Skip",
        "Done on my own",
    ]


async def test_a_nudge_goes_out_without_warnings(
    bot: BotHarness, api: FakeBotApi, recwarn: pytest.WarningsRecorder
) -> None:
    bot.clock.now = berlin(2026, 11, 22, 20, 0)
    await bot.onboard()

    sent = await _run_day(bot, berlin(2026, 11, 23, 9, 55), 0.25)

    assert len(sent) == 1
    nudge = api.message_with_buttons(ALEX)
    assert nudge is not None and "Time to get up" in nudge.text
    assert [str(w.message) for w in recwarn] == []


async def test_no_nudges_on_a_weekend(bot: BotHarness, api: FakeBotApi) -> None:
    await bot.onboard()
    sent = await _run_day(bot, berlin(2026, 11, 28, 0, 0), 48, step_minutes=10)
    assert sent == []


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Clocks go forward at 02:00: 02:00 and 02:30 do not exist that night.
        ((2026, 3, 29), ["00:30", "01:00", "01:30", "03:00", "03:30"]),
        # Clocks go back at 03:00: 02:00 and 02:30 happen twice, but are nudged once.
        ((2026, 10, 25), ["00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "03:30"]),
    ],
)
async def test_nudges_across_daylight_saving_changes_skip_missing_times_and_never_repeat(
    bot: BotHarness, day: tuple[int, int, int], expected: list[str]
) -> None:
    await bot.onboard()
    bot.clock.now = berlin(*day, 0, 0) - timedelta(minutes=1)
    await _set(
        bot, working_days=0b1111111, day_start=time(0, 0), day_end=time(3, 30), interval_minutes=30
    )
    sent = await _run_day(bot, berlin(*day, 0, 0) - timedelta(minutes=1), 6, step_minutes=1)
    assert [s.astimezone(BERLIN).strftime("%H:%M") for s in sent] == expected


async def test_a_snoozed_nudge_comes_back_fifteen_minutes_later(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await bot.onboard()
    dispatcher = _dispatcher(bot)
    bot.clock.now = berlin(2026, 11, 23, 10, 0)
    assert (await dispatcher.tick()).sent == 1
    await bot.press("Snooze 15 min")
    assert "Snoozed" in bot.last_text()
    assert (await _schedule(bot)).next_nudge_at == berlin(2026, 11, 23, 10, 15)
    bot.clock.now = berlin(2026, 11, 23, 10, 15)
    assert (await dispatcher.tick()).sent == 1
    assert (await _schedule(bot)).next_nudge_at == berlin(2026, 11, 23, 11, 0)


async def test_a_snooze_longer_than_the_interval_replaces_the_slot_inside_it(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await bot.onboard()
    await bot.send("/schedule every 15 min")
    dispatcher = _dispatcher(bot)
    bot.clock.now = berlin(2026, 11, 23, 10, 0)
    assert (await dispatcher.tick()).sent == 1
    bot.clock.now = berlin(2026, 11, 23, 10, 5)
    await bot.press("Snooze 15 min")
    await bot.send("/schedule")
    assert "Still today: 10:20, 10:30, 10:45" in bot.last_text()
    sent = await _run_day(bot, berlin(2026, 11, 23, 10, 5), 0.75)
    local = [s.astimezone(BERLIN).strftime("%H:%M") for s in sent]
    assert local == ["10:20", "10:30", "10:45"]


async def test_a_paused_person_gets_no_nudges_until_the_pause_ends(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await bot.onboard()
    bot.clock.now = berlin(2026, 11, 23, 9, 30)
    await bot.send("/pause 3 days")
    sent = await _run_day(bot, berlin(2026, 11, 23, 9, 30), 24 * 3, step_minutes=15)
    assert sent == []
    sent = await _run_day(bot, berlin(2026, 11, 26, 0, 0), 12, step_minutes=15)
    assert sent[0] == berlin(2026, 11, 26, 10, 0)


async def test_answers_are_logged_and_an_unanswered_nudge_counts_as_ignored(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await bot.onboard()
    await _run_day(bot, berlin(2026, 11, 23, 9, 55), 1.1)  # 10:00 sent, not answered
    await _run_day(bot, berlin(2026, 11, 23, 10, 55), 0.2)  # 11:00 sent
    await bot.press("Skip")
    await _run_day(bot, berlin(2026, 11, 23, 11, 55), 0.2)  # 12:00 sent
    await bot.press("Done on my own")
    await bot.press_data(
        "nudge:own:0", message_id=api.messages(ALEX)[-1].message_id
    )  # forged: changes nothing
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        kinds = [
            a.kind
            for a in (
                await session.execute(select(Activity).order_by(Activity.at, Activity.id))
            ).scalars()
        ]
    assert kinds == [
        "nudge_sent",
        "nudge_ignored",
        "nudge_sent",
        "nudge_skipped",
        "nudge_sent",
        "nudge_done_own",
    ]


async def test_start_plays_a_routine_of_the_usual_length(bot: BotHarness, api: FakeBotApi) -> None:
    await bot.onboard()
    await _run_day(bot, berlin(2026, 11, 23, 9, 55), 0.2)
    await bot.press("Start ▶")
    assert bot.last_text().startswith("1/")
    assert any("5-minute desk break" in (m.text or "") for m in api.messages(ALEX))


async def test_a_person_who_blocked_the_bot_is_left_alone_until_they_start_again(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await bot.onboard()
    api.blocked_chats.add(ALEX)
    dispatcher = _dispatcher(bot)
    bot.clock.now = berlin(2026, 11, 23, 10, 0)
    result = await dispatcher.tick()
    assert (result.sent, result.blocked) == (0, 1)
    assert (await _schedule(bot)).next_nudge_at is None
    assert await _run_day(bot, berlin(2026, 11, 23, 10, 0), 8, step_minutes=10) == []

    api.blocked_chats.clear()
    await bot.send("/start")
    assert (await _schedule(bot)).next_nudge_at is not None


async def test_telegrams_retry_after_is_honoured(bot: BotHarness, api: FakeBotApi) -> None:
    await bot.onboard()
    dispatcher = _dispatcher(bot)
    bot.clock.now = berlin(2026, 11, 23, 10, 0)
    api.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 7",
        retry_after=7,
    )
    result = await dispatcher.tick()
    assert result.sent == 1
    assert bot.clock.now == berlin(2026, 11, 23, 10, 0) + timedelta(seconds=7)
    assert len(_nudges(api)) == 1


async def test_a_server_error_is_retried_but_a_stale_slot_is_given_up(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await bot.onboard()
    dispatcher = _dispatcher(bot)
    bot.clock.now = berlin(2026, 11, 23, 10, 0)
    api.fail_next("sendMessage", error_code=500, description="Internal Server Error", times=2)
    assert (await dispatcher.tick()).sent == 1
    bot.clock.now = berlin(2026, 11, 23, 11, 0)
    api.fail_next("sendMessage", error_code=429, description="Too Many Requests", retry_after=900)
    result = await dispatcher.tick()
    assert (result.sent, result.failed) == (0, 1)
    assert (await _schedule(bot)).next_nudge_at == berlin(2026, 11, 23, 12, 0)


async def test_after_two_hours_down_no_backlog_is_sent(bot: BotHarness, api: FakeBotApi) -> None:
    await bot.onboard()
    dispatcher = _dispatcher(bot)
    bot.clock.now = berlin(2026, 11, 23, 10, 0)
    assert (await dispatcher.tick()).sent == 1
    # The bot is down from 10:01 to 12:03: the 11:00 and 12:00 slots pass unseen.
    bot.clock.now = berlin(2026, 11, 23, 12, 3)
    result = await dispatcher.tick()
    assert result.sent == 1  # 12:00, three minutes late, is still fresh; 11:00 is not sent
    assert len(_nudges(api)) == 2
    bot.clock.now = berlin(2026, 11, 23, 14, 30)
    result = await dispatcher.tick()
    assert (result.sent, result.skipped_stale) == (0, 1)
    assert (await _schedule(bot)).next_nudge_at == berlin(2026, 11, 23, 15, 0)


async def test_two_dispatchers_send_every_due_nudge_exactly_once(
    bot: BotHarness, api: FakeBotApi, chat_database: str
) -> None:
    now = berlin(2026, 11, 23, 10, 0)
    bot.clock.now = now
    api.strict_chats = False  # these people never wrote first; the fake need not check
    people = 300
    engine = create_engine(chat_database)
    sessions = session_factory(engine)
    async with unit_of_work(sessions) as session:
        for i in range(people):
            person, _ = await repo.get_or_create_person(session, 50_000 + i, 50_000 + i)
            person.setup_step = None
            person.time_zone = "Europe/Berlin"
            schedule = await repo.schedule_for(session, person.id)
            schedule.next_nudge_at = now
    # Two bot processes: each dispatcher with a store (on SQLite, a connection) of its own.
    first, second = _dispatcher(bot), _dispatcher(bot)
    second.store = nudge_store(engine)
    first.batch_size = second.batch_size = 40
    try:
        results = await asyncio.gather(first.tick(), second.tick())
    finally:
        await second.close()
    assert sum(r.sent for r in results) == people
    await engine.dispose()
    sends = api.calls_to("sendMessage")
    chats = [c.params["chat_id"] for c in sends]
    assert len(chats) == people
    assert len(set(chats)) == people


async def test_people_whose_following_nudge_was_never_worked_out_get_every_nudge_once(
    bot: BotHarness, api: FakeBotApi
) -> None:
    # As the migration that added following_nudge_at leaves everyone: only the next nudge
    # known. The first claim works the rest out.
    bot.clock.now = berlin(2026, 11, 22, 20, 0)
    await bot.onboard()
    await _set_columns(bot, following_nudge_at=None)
    sent = await _run_day(bot, berlin(2026, 11, 23, 0, 0), 24, step_minutes=5)
    local = [s.astimezone(BERLIN).strftime("%H:%M") for s in sent]
    assert local == ["10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00", "17:00"]
    assert len(_nudges(api)) == 8


async def test_a_crash_between_sending_and_recording_repeats_no_nudge_and_loses_none_after(
    bot: BotHarness, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.onboard()
    dispatcher = _dispatcher(bot)

    async def crash(*_args: object, **_kwargs: object) -> None:
        raise ConnectionResetError("the process died here")

    bot.clock.now = berlin(2026, 11, 23, 10, 0)
    with monkeypatch.context() as patched:
        patched.setattr(PostgresClaims, "record", crash)
        patched.setattr(SqliteStore, "record", crash)
        with pytest.raises(ConnectionResetError):
            await dispatcher.tick()
    assert len(_nudges(api)) == 1
    # Restarted (a new dispatcher: it keeps nothing between ticks): the 10:00 nudge is not
    # sent again, and the rest of the day goes on as planned.
    sent = await _run_day(bot, berlin(2026, 11, 23, 10, 0), 8, step_minutes=5)
    local = [s.astimezone(BERLIN).strftime("%H:%M") for s in sent]
    assert local == ["11:00", "12:00", "13:00", "14:00", "15:00", "16:00", "17:00"]
    assert len(_nudges(api)) == 8


async def test_a_pause_that_lands_while_a_nudge_is_being_claimed_wins(
    bot: BotHarness, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.onboard()
    await _set_columns(bot, following_nudge_at=None)  # so the claim parks the row
    dispatcher = _dispatcher(bot)

    def pausing_first(settle: Any) -> Any:
        async def pause_first(*args: Any, **kwargs: Any) -> set[int]:
            await bot.send("/pause 2h")
            return await settle(*args, **kwargs)

        return pause_first

    monkeypatch.setattr(PostgresClaims, "settle", pausing_first(PostgresClaims.settle))
    monkeypatch.setattr(SqliteStore, "settle", pausing_first(SqliteStore.settle))
    bot.clock.now = berlin(2026, 11, 23, 10, 0)
    result = await dispatcher.tick()
    assert (result.sent, result.skipped_stale) == (0, 1)
    assert _nudges(api) == []
    assert (await _schedule(bot)).next_nudge_at == berlin(2026, 11, 23, 12, 0)


async def _set_columns(bot: BotHarness, **values: object) -> None:
    """Write schedule columns directly, as a migration or another process would."""
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        await session.execute(update(Schedule).values(**values))
