"""Where the dispatcher claims: what a claim reads back and writes, on both databases, and the
SQLite store's own connection and thread."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import create_engine, repo, session_factory, unit_of_work
from bot.storage.claims import ClaimedRow, NudgeStore, SqliteStore, nudge_store
from bot.storage.claims import sqlite as sqlite_claims
from bot.storage.models import Activity, Person, Schedule
from tests.chat.harness import BotHarness

NOW = datetime(2026, 11, 23, 9, 0, 0, 250_000, tzinfo=UTC)
# The slot after the following one, as the dispatcher's rules would have worked it out.
THEN = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


@pytest.fixture
async def store(engine: AsyncEngine) -> AsyncIterator[NudgeStore]:
    store = nudge_store(engine)
    try:
        yield store
    finally:
        await store.close()


async def _person_due(engine: AsyncEngine, telegram_id: int = 7) -> int:
    """A person in Kolkata with every rule set, due a moment before NOW."""
    async with unit_of_work(session_factory(engine)) as session:
        person, _ = await repo.get_or_create_person(session, telegram_id, telegram_id)
        person.time_zone = "Asia/Kolkata"
        schedule = await repo.schedule_for(session, person.id)
        schedule.working_days = 0b0011111
        schedule.day_start, schedule.day_end = time(8, 30), time(16, 45, 30)
        schedule.lunch_start, schedule.lunch_end = time(12, 0), time(12, 45)
        schedule.interval_minutes = 45
        schedule.place, schedule.routine_minutes = "floor", 7
        schedule.paused_until = NOW - timedelta(days=1, microseconds=3)
        schedule.snoozed_until = NOW + timedelta(minutes=5)
        schedule.next_nudge_at = NOW - timedelta(seconds=1, microseconds=1)
        schedule.following_nudge_at = NOW + timedelta(minutes=45)
        schedule.last_nudge_at = NOW - timedelta(minutes=45)
        schedule.last_nudge_answered = False
        return person.id


async def _schedule(engine: AsyncEngine, person_id: int) -> Schedule:
    async with unit_of_work(session_factory(engine)) as session:
        schedule = await session.get(Schedule, person_id)
        assert schedule is not None
        return schedule


async def _claim(store: NudgeStore, now: datetime = NOW) -> list[ClaimedRow]:
    async with store.claims() as claims:
        rows = await claims.claim_due(
            now=now,
            stale_before=now - timedelta(minutes=5),
            lease=now + timedelta(minutes=1),
            limit=200,
            after=lambda _row: THEN,
        )
        await claims.record(entries=[], blocked=[], now=now)
    return list(rows)


async def test_a_claimed_row_carries_everything_the_person_set_to_the_microsecond(
    engine: AsyncEngine, store: NudgeStore
) -> None:
    person_id = await _person_due(engine)
    written = await _schedule(engine, person_id)

    [row] = await _claim(store)

    assert row == ClaimedRow(
        person_id=person_id,
        chat_id=7,
        blocked_at=None,
        place="floor",
        routine_minutes=7,
        due=written.next_nudge_at,  # type: ignore[arg-type]
        last=written.last_nudge_at,
        answered=False,
        following=written.following_nudge_at,
        time_zone="Asia/Kolkata",
        working_days=0b0011111,
        day_start=time(8, 30),
        day_end=time(16, 45, 30),
        interval_minutes=45,
        lunch_start=time(12, 0),
        lunch_end=time(12, 45),
        paused_until=written.paused_until,
        snoozed_until=written.snoozed_until,
    )
    assert all(
        moment is None or moment.tzinfo is not None
        for moment in (row.due, row.last, row.following, row.paused_until, row.snoozed_until)
    )


async def test_a_claim_moves_the_row_on_and_writes_the_slot_after_it(
    engine: AsyncEngine, store: NudgeStore
) -> None:
    person_id = await _person_due(engine)
    before = await _schedule(engine, person_id)

    await _claim(store)

    after = await _schedule(engine, person_id)
    assert after.next_nudge_at == before.following_nudge_at
    assert after.following_nudge_at == THEN
    assert after.last_nudge_at == before.next_nudge_at
    assert after.last_nudge_answered is False
    assert await _claim(store) == []  # nothing is claimed twice


async def test_someone_who_forgets_while_their_nudge_is_on_its_way_leaves_nothing_behind(
    engine: AsyncEngine, store: NudgeStore
) -> None:
    """Between a claim and its recording the sends take seconds; whoever /forgets meanwhile
    is gone, and the rest of the batch is still written down."""
    staying, leaving = await _person_due(engine, 7), await _person_due(engine, 8)
    claimed = await _claim(store)
    assert {row.person_id for row in claimed} == {staying, leaving}
    async with unit_of_work(session_factory(engine)) as session:
        await repo.delete_person(session, leaving)
    async with store.claims() as claims:
        await claims.record(
            entries=[(pid, "nudge_sent", NOW) for pid in (staying, leaving)],
            blocked=[leaving],
            now=NOW,
        )
    async with unit_of_work(session_factory(engine)) as session:
        logged = (await session.execute(select(Activity.person_id, Activity.kind))).all()
        people = (await session.scalars(select(Person.id))).all()
    assert logged == [(staying, "nudge_sent")]
    assert people == [staying]


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_forget_that_commits_while_the_recording_runs_loses_nobody_elses_entries(
    engine: AsyncEngine, store: NudgeStore
) -> None:
    """The recording finds the person, then their /forget commits: on PostgreSQL the
    recording waits for it and leaves them out, rather than failing the foreign key."""
    staying, leaving = await _person_due(engine, 7), await _person_due(engine, 8)
    await _claim(store)
    async with engine.connect() as forgetting:
        await forgetting.execute(delete(Person).where(Person.id == leaving))  # not committed
        async with store.claims() as claims:
            recording = asyncio.create_task(
                claims.record(
                    entries=[(pid, "nudge_sent", NOW) for pid in (staying, leaving)],
                    blocked=[],
                    now=NOW,
                )
            )
            await _until_waiting_for_a_lock(engine)
            await forgetting.commit()
            await recording
    async with unit_of_work(session_factory(engine)) as session:
        logged = (await session.execute(select(Activity.person_id, Activity.kind))).all()
    assert logged == [(staying, "nudge_sent")]


async def _until_waiting_for_a_lock(engine: AsyncEngine) -> None:
    query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    for _ in range(500):
        async with engine.connect() as connection:
            if (await connection.execute(query)).scalar_one():
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the recording never waited for the /forget")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_on_sqlite_a_claim_that_fails_before_it_commits_leaves_the_row_due(
    engine: AsyncEngine, store: NudgeStore
) -> None:
    person_id = await _person_due(engine)
    before = await _schedule(engine, person_id)

    def broken_rules(_row: ClaimedRow) -> datetime:
        raise RuntimeError("the rules broke")

    async with store.claims() as claims:
        with pytest.raises(RuntimeError, match="the rules broke"):
            await claims.claim_due(
                now=NOW,
                stale_before=NOW - timedelta(minutes=5),
                lease=NOW + timedelta(minutes=1),
                limit=200,
                after=broken_rules,
            )
    assert (await _schedule(engine, person_id)).next_nudge_at == before.next_nudge_at
    # The store's connection is not left inside the failed transaction.
    [row] = await _claim(store)
    assert row.person_id == person_id


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_closing_the_sqlite_store_ends_its_thread_and_the_next_claim_opens_it_again(
    engine: AsyncEngine, store: NudgeStore
) -> None:
    others = _claim_threads()
    await _person_due(engine, telegram_id=7)
    assert len(await _claim(store)) == 1
    assert len(_claim_threads() - others) == 1

    await store.close()
    assert _claim_threads() == others

    await _person_due(engine, telegram_id=8)
    assert len(await _claim(store)) == 1


async def test_a_bot_that_shuts_down_leaves_no_claim_thread_behind(bot: BotHarness) -> None:
    # The harness's bot is built, started and shut down as `limber run` does it.
    assert bot.app is not None
    others = _claim_threads()
    await _claim(bot.app.bot_data["services"].nudges)
    assert len(_claim_threads() - others) == 1
    await bot.stop()
    assert _claim_threads() == others


def _claim_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("limber-nudge-claims")}


async def test_the_sqlite_store_never_creates_a_database_that_is_not_there(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "nobody-made-me.db"
    store = SqliteStore(str(missing))
    try:
        with pytest.raises(sqlite3.OperationalError):
            await _claim(store)
    finally:
        await store.close()
    assert not missing.exists()


async def test_an_in_memory_sqlite_database_is_refused_with_a_reason() -> None:
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    try:
        with pytest.raises(ValueError, match="database file"):
            nudge_store(engine)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_every_claim_statement_on_sqlite_finds_its_rows_by_key(migrated_url: str) -> None:
    # With a million people a statement that scans schedules or people takes seconds, not
    # milliseconds; the plan, not a timer, is what a test can hold.
    path = migrated_url.removeprefix("sqlite+aiosqlite:///")
    params = {
        "now": "2026-11-23 09:00:00.000000",
        "stale_before": "2026-11-23 08:55:00.000000",
        "lease": "2026-11-23 09:01:00.000000",
        "limit": 200,
        "ids": "[1]",
        "moves": "[[1, null]]",
        "entries": "[]",
    }
    statements = {
        name: getattr(sqlite_claims, name)
        for name in ("_ANY_DUE", "_DUE", "_CLAIM", "_SETTLE", "_LOG", "_BLOCK_PEOPLE")
    }
    connection = sqlite3.connect(path)
    try:
        for name, sql in statements.items():
            plan = [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            scans = [step for step in plan if step.startswith("SCAN") and "json_each" not in step]
            assert scans == [], f"{name} scans a table: {plan}"
    finally:
        connection.close()


async def test_two_stores_never_claim_the_same_row(engine: AsyncEngine) -> None:
    # Two bot processes on one database: each store has connections of its own.
    for telegram_id in range(100, 160):
        await _person_due(engine, telegram_id)
    first, second = nudge_store(engine), nudge_store(engine)
    try:
        claimed = await asyncio.gather(*(_claim(store) for store in (first, second) * 3))
    finally:
        await first.close()
        await second.close()
    people = [row.person_id for rows in claimed for row in rows]
    assert len(people) == 60
    assert len(set(people)) == 60
