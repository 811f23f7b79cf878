"""Claims on PostgreSQL, on a pooled connection in autocommit.

A claim is a short transaction: the due rows are picked ``FOR UPDATE SKIP LOCKED``, so
several workers never take the same row, the slots after them are worked out while they are
held, and one UPDATE moves them all on before the commit, so a nudge is never claimed twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.batch import batch_statement, document, stored_time
from bot.storage.claims.common import (
    ENTRIES,
    LOG,
    SCHEDULES,
    SETTLE,
    SETTLE_COLUMNS,
    ClaimedRow,
    Entry,
    FollowingAfter,
    Settlement,
    blocking,
    claim_rows,
    due_rows,
    moved_rows,
    settlements,
)

DIALECT = "postgresql"

# Written into the SQL, not sent as a parameter: with an unknown LIMIT, PostgreSQL's generic
# plan (what a prepared statement may switch to) guesses a tenth of the table is wanted and
# hash-joins all of people (bench/README.md).
_LIMIT = bindparam("limit", type_=Integer(), literal_execute=True)
# Only the schedules rows are held: a person's other settings may change meanwhile.
DUE = due_rows(_LIMIT).with_for_update(skip_locked=True, of=SCHEDULES)
_CLAIM = claim_rows(DIALECT)
_SETTLE = batch_statement(DIALECT, SETTLE, moves=SETTLE_COLUMNS)
# Whoever the join finds stays until the INSERT commits: a /forget that deletes them after
# the statement began waits for it instead of failing the foreign key (in READ COMMITTED a
# locking read skips a row deleted meanwhile). The foreign key's own check then finds the
# row locked already.
_LOG = batch_statement(DIALECT, LOG + " FOR KEY SHARE OF people", entries=ENTRIES)
_BLOCK_PEOPLE, _BLOCK_SCHEDULES = blocking(bindparam("ids", expanding=True))
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
    """One tick's claims on one connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def claim_due(
        self,
        *,
        now: datetime,
        stale_before: datetime,
        lease: datetime,
        limit: int,
        after: FollowingAfter,
    ) -> list[ClaimedRow]:
        params: dict[str, Any] = {
            "now": now,
            "stale_before": stale_before,
            "lease": lease,
            "limit": limit,
        }
        async with self._transaction():
            rows = (await self.connection.execute(DUE, params)).all()
            claimed = [ClaimedRow._make(row) for row in rows]
            if claimed:
                params |= document(moves=moved_rows(claimed, now, after, _iso))
                await self.connection.execute(_CLAIM, params)
        return claimed

    async def settle(self, moves: Sequence[Settlement]) -> set[int]:
        settled = await self.connection.execute(_SETTLE, document(moves=settlements(moves, _iso)))
        return {pid for (pid,) in settled}

    async def record(
        self, *, entries: Sequence[Entry], blocked: Sequence[int], now: datetime
    ) -> None:
        log = document(entries=[(pid, kind, _iso(at)) for pid, kind, at in entries])
        if not blocked:
            if entries:
                await self.connection.execute(_LOG, log)
            return
        async with self._transaction():
            if entries:
                await self.connection.execute(_LOG, log)
            params = {"ids": list(blocked), "now": now}
            await self.connection.execute(_BLOCK_PEOPLE, params)
            await self.connection.execute(_BLOCK_SCHEDULES, params)

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
