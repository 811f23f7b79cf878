"""The dispatcher's SQL: claiming due nudges, settling the ones claimed without a following
slot, and recording what was sent.

Claiming moves every due row on to the following slot its schedule rules worked out ahead
(``schedules.following_nudge_at``) and marks the slot just due as the one last sent, with no
rules and no Python in between. On PostgreSQL that is one statement: the due rows are picked
``FOR UPDATE SKIP LOCKED``, so several workers never take the same row, and a nudge is never
claimed twice. SQLite has no row locks: the same UPDATE runs behind its write lock (``BEGIN
IMMEDIATE``), after a SELECT of the same rows in that transaction, since its RETURNING cannot
see the values a row had before.

A claimed row whose following slot was not known, or has passed already (after downtime), is
parked on a short lease instead; the dispatcher works out its real slots and ``settle``s it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Integer,
    Table,
    and_,
    bindparam,
    case,
    false,
    literal,
    null,
    select,
    true,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.batch import ColumnType, batch_statement, document, stored_time
from bot.storage.models import Person, Schedule
from bot.storage.types import UTCDateTime

SCHEDULES = cast(Table, Schedule.__table__)
PEOPLE = cast(Table, Person.__table__)
S, P = SCHEDULES.c, PEOPLE.c

_NOW = bindparam("now", type_=UTCDateTime())
_STALE_BEFORE = bindparam("stale_before", type_=UTCDateTime())
_LEASE = bindparam("lease", type_=UTCDateTime())
# Written into the SQL, not sent as a parameter: with an unknown LIMIT, PostgreSQL's generic
# plan (what a prepared statement may switch to) guesses a tenth of the table is wanted and
# hash-joins all of people (bench/README.md).
_LIMIT = bindparam("limit", type_=Integer(), literal_execute=True)

# A claimed row, as the dispatcher reads it: whom to send what, the row as it was before the
# claim (``due``, ``last``, ``answered``, ``following``), then the person's schedule rules.
_SENDING_COLUMNS = (S.person_id, P.chat_id, P.blocked_at, S.place, S.routine_minutes)
_BEFORE_COLUMNS = (
    S.next_nudge_at.label("due"),
    S.last_nudge_at.label("last"),
    S.last_nudge_answered.label("answered"),
    S.following_nudge_at.label("following"),
)
RULE_COLUMNS = (
    P.time_zone,
    S.working_days,
    S.day_start,
    S.day_end,
    S.interval_minutes,
    S.lunch_start,
    S.lunch_end,
    S.paused_until,
    S.snoozed_until,
)
_RULES_FROM = len(_SENDING_COLUMNS) + len(_BEFORE_COLUMNS)


def rules_key(row: Row[Any]) -> tuple[Any, ...]:
    """The RULE_COLUMNS of a claimed row: people who share them share their slots."""
    return tuple(row[_RULES_FROM:])


# SET expressions see the row as it was. A row is sent as it stands when its person has not
# blocked the bot, its slot is still fresh and its following slot is known and ahead.
_SENT_AS_IS = and_(
    P.blocked_at.is_(None), S.next_nudge_at >= _STALE_BEFORE, S.following_nudge_at > _NOW
)
_CLAIM_VALUES = {
    S.next_nudge_at: case(
        (P.blocked_at.is_not(None), null()),
        (S.following_nudge_at > _NOW, S.following_nudge_at),
        else_=_LEASE,
    ),
    S.following_nudge_at: null(),
    S.last_nudge_at: case((_SENT_AS_IS, S.next_nudge_at), else_=S.last_nudge_at),
    S.last_nudge_answered: case((_SENT_AS_IS, false()), else_=S.last_nudge_answered),
    S.snoozed_until: case((S.snoozed_until <= _NOW, null()), else_=S.snoozed_until),
}


def _claim_postgres() -> Any:
    due = (
        select(S.person_id, *_BEFORE_COLUMNS)
        .where(S.next_nudge_at <= _NOW)
        .order_by(S.next_nudge_at)
        .limit(_LIMIT)
        .with_for_update(skip_locked=True)
        .subquery("due")
    )
    return (
        update(SCHEDULES)
        .where(S.person_id == due.c.person_id, P.id == S.person_id)
        .values(_CLAIM_VALUES)
        .returning(
            *_SENDING_COLUMNS, *(due.c[column.name] for column in _BEFORE_COLUMNS), *RULE_COLUMNS
        )
    )


_CLAIM_POSTGRES = _claim_postgres()
_ANY_DUE = select(literal(1)).where(S.next_nudge_at <= _NOW).limit(1)
_DUE_SQLITE = (
    select(*_SENDING_COLUMNS, *_BEFORE_COLUMNS, *RULE_COLUMNS)
    .join(PEOPLE, P.id == S.person_id)
    .where(S.next_nudge_at <= _NOW)
    .order_by(S.next_nudge_at)
    .limit(_LIMIT)
)
_CLAIM_SQLITE = (
    update(SCHEDULES)
    .where(S.person_id.in_(bindparam("ids", expanding=True)), P.id == S.person_id)
    .values(_CLAIM_VALUES)
)


async def claim_due(
    connection: AsyncConnection,
    *,
    now: datetime,
    stale_before: datetime,
    lease: datetime,
    limit: int,
) -> Sequence[Row[Any]]:
    """Claim up to ``limit`` due rows, earliest first, on a connection in autocommit mode;
    the claim is committed when this returns."""
    params = {"now": now, "stale_before": stale_before, "lease": lease, "limit": limit}
    if connection.dialect.name == "postgresql":
        rows = (await connection.execute(_CLAIM_POSTGRES, params)).all()
        return sorted(rows, key=lambda row: row.due)
    # Most ticks find nothing due: they should not take SQLite's write lock to learn that.
    if (await connection.execute(_ANY_DUE, {"now": now})).first() is None:
        return []
    async with _transaction(connection):
        rows = (await connection.execute(_DUE_SQLITE, params)).all()
        if rows:
            await connection.execute(_CLAIM_SQLITE, params | {"ids": [r.person_id for r in rows]})
    return rows


@asynccontextmanager
async def _transaction(connection: AsyncConnection) -> AsyncIterator[None]:
    """A transaction on a connection in autocommit mode. On SQLite it holds the write lock
    from its start, so that what it reads is still true when it writes."""
    begin = "BEGIN IMMEDIATE" if connection.dialect.name == "sqlite" else "BEGIN"
    await connection.exec_driver_sql(begin)
    try:
        yield
    except BaseException:
        await connection.exec_driver_sql("ROLLBACK")
        raise
    await connection.exec_driver_sql("COMMIT")


# A row parked on the lease gets its real slots; the WHERE on the lease is the
# compare-and-set that leaves alone a row someone changed meanwhile (a /schedule, a /pause).
_SETTLE = """
    UPDATE schedules
    SET next_nudge_at = moves.next, following_nudge_at = moves.following,
        last_nudge_at = moves.last, last_nudge_answered = moves.answered
    FROM {moves}
    WHERE schedules.person_id = moves.pid AND schedules.next_nudge_at = moves.lease
    RETURNING schedules.person_id
"""
_SETTLE_COLUMNS: dict[str, ColumnType] = {
    "pid": "integer",
    "lease": "timestamptz",
    "next": "timestamptz",
    "following": "timestamptz",
    "last": "timestamptz",
    "answered": "boolean",
}


async def settle(connection: AsyncConnection, moves: Sequence[Mapping[str, Any]]) -> set[int]:
    """Give rows parked on a lease their real slots (``pid``, ``lease``, ``next``,
    ``following``, ``last``, ``answered``); the people whose rows were still on it."""
    dialect = connection.dialect.name
    stored = stored_time(dialect)
    rows = [
        {name: stored(value) if name in _TIMES else value for name, value in move.items()}
        for move in moves
    ]
    statement = batch_statement(dialect, _SETTLE, moves=_SETTLE_COLUMNS)
    settled = await connection.execute(statement, document(moves=rows))
    return {pid for (pid,) in settled}


_TIMES = {"lease", "next", "following", "last"}

# After sending: the following slot of every row moved on as it was, and the activity log.
# The compare-and-set is in the SET, not the WHERE: many people share a slot, and a WHERE on
# next_nudge_at = ... tempts PostgreSQL into that index (seen: 60-190 ms for 100 rows with
# 1,000,000 stored) instead of the primary key.
_FOLLOWING = """
    UPDATE schedules SET following_nudge_at = CASE
        WHEN schedules.next_nudge_at = moves.next AND schedules.following_nudge_at IS NULL
        THEN moves.following ELSE schedules.following_nudge_at END
    FROM {moves}
    WHERE schedules.person_id = moves.pid
"""
_LOG = "INSERT INTO activity (person_id, kind, at) SELECT pid, kind, at FROM {entries}"
_MOVES: dict[str, ColumnType] = {
    "pid": "integer",
    "next": "timestamptz",
    "following": "timestamptz",
}
_ENTRIES: dict[str, ColumnType] = {"pid": "integer", "kind": "text", "at": "timestamptz"}


async def record(
    connection: AsyncConnection,
    *,
    moves: Sequence[tuple[int, datetime, datetime | None]],
    entries: Sequence[tuple[int, str, datetime]],
    blocked: Sequence[int],
    now: datetime,
) -> None:
    """Write down a batch once it is sent, on a connection in autocommit mode: each row's
    following slot (person, the next nudge the claim left, the one after it: only where the
    row is still as the claim left it), the activity log (person, kind, time) and the people
    who turned out to have blocked the bot."""
    dialect = connection.dialect.name
    # Slots are shared by many people: each is put as the database stores it once.
    stored = cache(stored_time(dialect))
    params = document(
        moves=[{"pid": p, "next": stored(n), "following": stored(f)} for p, n, f in moves],
        entries=[{"pid": p, "kind": k, "at": stored(a)} for p, k, a in entries],
    )
    if dialect == "postgresql" and not blocked:
        # One statement, so one round trip and its own commit.
        template = f"WITH moved AS ({_FOLLOWING}) {_LOG}"
        await connection.execute(
            batch_statement(dialect, template, moves=_MOVES, entries=_ENTRIES), params
        )
        return
    async with _transaction(connection):
        if moves:
            await connection.execute(batch_statement(dialect, _FOLLOWING, moves=_MOVES), params)
        if entries:
            await connection.execute(batch_statement(dialect, _LOG, entries=_ENTRIES), params)
        if blocked:
            await connection.execute(
                update(PEOPLE).where(P.id.in_(blocked)).values(blocked_at=now)
            )
            await connection.execute(
                update(SCHEDULES)
                .where(S.person_id.in_(blocked))
                .values(next_nudge_at=None, following_nudge_at=None, last_nudge_answered=true())
            )
