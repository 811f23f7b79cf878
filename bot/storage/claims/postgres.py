"""Claims on PostgreSQL: one statement each, on a pooled connection in autocommit.

The due rows are picked ``FOR UPDATE SKIP LOCKED``, so several workers never take the same
row, and moved on in the same statement, so a nudge is never claimed twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, bindparam, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.batch import ColumnType, batch_statement, document, stored_time
from bot.storage.claims.common import (
    BEFORE_COLUMNS,
    CLAIM_VALUES,
    ENTRIES,
    LOG,
    NOW,
    PEOPLE,
    RULE_COLUMNS,
    SCHEDULES,
    SENDING_COLUMNS,
    SETTLE,
    SETTLE_COLUMNS,
    ClaimedRow,
    Entry,
    FollowingAfter,
    P,
    S,
    Settlement,
    moves_on,
)

DIALECT = "postgresql"

# Written into the SQL, not sent as a parameter: with an unknown LIMIT, PostgreSQL's generic
# plan (what a prepared statement may switch to) guesses a tenth of the table is wanted and
# hash-joins all of people (bench/README.md).
_LIMIT = bindparam("limit", type_=Integer(), literal_execute=True)


def _claim() -> Any:
    due = (
        select(S.person_id, *BEFORE_COLUMNS)
        .where(S.next_nudge_at <= NOW)
        .order_by(S.next_nudge_at)
        .limit(_LIMIT)
        .with_for_update(skip_locked=True)
        .subquery("due")
    )
    return (
        update(SCHEDULES)
        .where(S.person_id == due.c.person_id, P.id == S.person_id)
        .values(CLAIM_VALUES)
        .returning(
            *SENDING_COLUMNS, *(due.c[column.name] for column in BEFORE_COLUMNS), *RULE_COLUMNS
        )
    )


CLAIM = _claim()

# After sending: the following slot of every row the claim moved on, where the row is still as
# the claim left it (a /schedule or /pause meanwhile wins). The compare-and-set is in the SET,
# not the WHERE: many people share a slot, and a WHERE on next_nudge_at = ... tempts
# PostgreSQL into that index (seen: 60-190 ms for 100 rows with 1,000,000 stored) instead of
# the primary key.
FOLLOWING = """
    UPDATE schedules SET following_nudge_at = CASE
        WHEN schedules.next_nudge_at = moves.next AND schedules.following_nudge_at IS NULL
        THEN moves.following ELSE schedules.following_nudge_at END
    FROM {moves}
    WHERE schedules.person_id = moves.pid
"""
MOVES: dict[str, ColumnType] = {
    "pid": "integer",
    "next": "timestamptz",
    "following": "timestamptz",
}
# (person, their next nudge as the claim left it, the one after it)
Move = tuple[int, datetime, datetime | None]
_SETTLE = batch_statement(DIALECT, SETTLE, moves=SETTLE_COLUMNS)
# Recording is one statement, so one round trip and its own commit.
_RECORD = batch_statement(
    DIALECT, f"WITH moved AS ({FOLLOWING}) {LOG}", moves=MOVES, entries=ENTRIES
)
_FOLLOWING = batch_statement(DIALECT, FOLLOWING, moves=MOVES)
_LOG = batch_statement(DIALECT, LOG, entries=ENTRIES)
_iso = stored_time(DIALECT)


class PostgresStore:
    """A connection from the engine's pool for each tick."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @asynccontextmanager
    async def claims(self) -> AsyncIterator[PostgresClaims]:
        async with self.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            yield PostgresClaims(connection)

    async def close(self) -> None:
        """Nothing of its own to close: the engine's owner disposes of the pool."""


class PostgresClaims:
    """One tick's claims on one connection. The claim is one statement, with no Python in
    it: the following slots it leaves to work out are written with the recording."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self._moves: list[Move] = []

    async def claim_due(
        self,
        *,
        now: datetime,
        stale_before: datetime,
        lease: datetime,
        limit: int,
        after: FollowingAfter,
    ) -> list[ClaimedRow]:
        params = {"now": now, "stale_before": stale_before, "lease": lease, "limit": limit}
        rows = (await self.connection.execute(CLAIM, params)).all()
        claimed = [ClaimedRow._make(row) for row in rows]
        claimed.sort(key=lambda row: row.due)
        self._moves = [
            (row.person_id, row.following, after(row))
            for row in claimed
            if row.following is not None and moves_on(row, now)
        ]
        return claimed

    async def settle(self, moves: Sequence[Settlement]) -> set[int]:
        rows = [
            (pid, _iso(lease), _iso(n), _iso(f), _iso(last), answered)
            for pid, lease, n, f, last, answered in moves
        ]
        settled = await self.connection.execute(_SETTLE, document(moves=rows))
        return {pid for (pid,) in settled}

    async def record(
        self, *, entries: Sequence[Entry], blocked: Sequence[int], now: datetime
    ) -> None:
        moves, self._moves = self._moves, []
        if blocked:
            gone = set(blocked)
            moves = [move for move in moves if move[0] not in gone]
        if not (moves or entries or blocked):
            return
        # Slots are shared by many people: each is put as the database stores it once.
        stored = cache(_iso)
        params = document(
            moves=[(pid, stored(n), stored(f)) for pid, n, f in moves],
            entries=[(pid, kind, stored(at)) for pid, kind, at in entries],
        )
        if not blocked:
            await self.connection.execute(_RECORD, params)
            return
        async with self._transaction():
            if moves:
                await self.connection.execute(_FOLLOWING, params)
            if entries:
                await self.connection.execute(_LOG, params)
            await self.connection.execute(
                update(PEOPLE).where(P.id.in_(blocked)).values(blocked_at=now)
            )
            await self.connection.execute(
                update(SCHEDULES)
                .where(S.person_id.in_(blocked))
                .values(next_nudge_at=None, following_nudge_at=None, last_nudge_answered=true())
            )

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        """A transaction on a connection that is otherwise in autocommit."""
        await self.connection.exec_driver_sql("BEGIN")
        try:
            yield
        except BaseException:
            await self.connection.exec_driver_sql("ROLLBACK")
            raise
        await self.connection.exec_driver_sql("COMMIT")
