"""A batch sent as one JSON document lands exactly as the ORM would have stored it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage import repo, unit_of_work
from bot.storage.batch import batch_statement, document, stored_time
from bot.storage.models import Activity, Schedule

Sessions = async_sessionmaker[AsyncSession]

# Times with and without microseconds, in and out of UTC, either side of a clock change.
TIMES = [
    datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Berlin")),
    datetime(2026, 10, 25, 2, 30, 0, 1, tzinfo=ZoneInfo("Europe/Berlin")),
    datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
    datetime(2026, 11, 23, 9, 0, 59, 999_999, tzinfo=ZoneInfo("Pacific/Chatham")),
]

_MATCH = """
    UPDATE schedules SET interval_minutes = 45
    FROM {moves}
    WHERE schedules.person_id = moves.pid AND schedules.next_nudge_at = moves.at
"""


@pytest.mark.parametrize("moment", TIMES, ids=lambda t: t.isoformat())
async def test_a_time_in_a_batch_matches_the_same_time_stored_by_the_orm(
    sessions: Sessions, moment: datetime
) -> None:
    # The dispatcher's compare-and-set depends on this: a time it read, sent back in a batch,
    # must equal the stored value, to the microsecond, on both databases.
    async with unit_of_work(sessions) as session:
        person, _ = await repo.get_or_create_person(session, 1, 1)
        (await repo.schedule_for(session, person.id)).next_nudge_at = moment
    async with unit_of_work(sessions) as session:
        dialect = session.get_bind().dialect.name
        stored = stored_time(dialect)
        statement = batch_statement(dialect, _MATCH, moves={"pid": "integer", "at": "timestamptz"})
        near_misses = [moment + timedelta(microseconds=1), moment - timedelta(seconds=1)]
        for other in near_misses:
            await session.execute(statement, document(moves=[(person.id, stored(other))]))
        untouched = await session.get(Schedule, person.id)
        assert untouched is not None and untouched.interval_minutes == 60
        moved = await session.execute(statement, document(moves=[(person.id, stored(moment))]))
        assert cast(CursorResult[Any], moved).rowcount == 1


async def test_rows_inserted_as_a_batch_read_back_like_any_other(sessions: Sessions) -> None:
    async with unit_of_work(sessions) as session:
        first, _ = await repo.get_or_create_person(session, 1, 1)
        second, _ = await repo.get_or_create_person(session, 2, 2)
    rows = [(first.id, "nudge_sent", TIMES[0]), (second.id, "nudge_ignored", TIMES[3])]
    async with unit_of_work(sessions) as session:
        dialect = session.get_bind().dialect.name
        stored = stored_time(dialect)
        await session.execute(
            batch_statement(
                dialect,
                "INSERT INTO activity (person_id, kind, at) SELECT pid, kind, at FROM {rows}",
                rows={"pid": "integer", "kind": "text", "at": "timestamptz"},
            ),
            document(rows=[(pid, kind, stored(at)) for pid, kind, at in rows]),
        )
    async with unit_of_work(sessions) as session:
        found = (await session.scalars(select(Activity).order_by(Activity.person_id))).all()
    assert [(a.person_id, a.kind, a.at) for a in found] == rows
    assert all(a.at.tzinfo is not None for a in found)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_naive_time_is_refused_rather_than_guessed(dialect: str) -> None:
    with pytest.raises(ValueError, match="naive"):
        stored_time(dialect)(datetime(2026, 11, 23, 9, 0))
