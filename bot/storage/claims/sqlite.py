"""Claims on SQLite: a plain ``sqlite3`` connection to the engine's file, used from one
thread of its own, one hand-off to that thread per claim, settlement or recording.

Through SQLAlchemy and aiosqlite every statement crosses between the event loop and the
driver's thread about four times; a claim was five statements and a recording four, and those
crossings cost more than the SQL (bench/README.md). Here the whole step, reading the rows
into Python values included, runs in one function over there. The statements are the ones
PostgreSQL runs, compiled for SQLite once, so both databases keep one definition of a claim.

SQLite has no row locks: the claim holds the write lock (``BEGIN IMMEDIATE``) from the SELECT
that picks the due rows to the UPDATE that moves them on, so no other writer (a handler, a
second bot process) gets between the two, and the slots after them are worked out in between,
as on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, time
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    Integer,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import sqlite as sqlite_dialect

from bot.storage.batch import batch_sql, sqlite_time
from bot.storage.claims.common import (
    ENTRIES,
    LOG,
    NOW,
    RULES_FROM,
    SETTLE,
    SETTLE_COLUMNS,
    ClaimedRow,
    Entry,
    FollowingAfter,
    S,
    Settlement,
    blocking,
    claim_rows,
    due_rows,
    moved_rows,
    settlements,
)
from bot.storage.db import sqlite_pragmas

DIALECT = "sqlite"
_COMPILER = sqlite_dialect.dialect(paramstyle="named")
T = TypeVar("T")


# The only parameters the statements below may take: each step passes these by name.
_PARAMETERS = {"now", "stale_before", "lease", "limit", "ids", "moves"}


def _sql(statement: Any) -> str:
    compiled = statement.compile(dialect=_COMPILER)
    unexpected = set(compiled.params) - _PARAMETERS
    if unexpected:
        # A value SQLAlchemy would have bound for us (a None, a default OFFSET): write it as
        # SQL (null(), literal_column) instead.
        raise ValueError(f"a claim statement takes parameters nobody passes: {unexpected}")
    return str(compiled)


def _json_ids(name: str) -> Any:
    return select(literal_column("value")).select_from(func.json_each(bindparam(name)))


# SQLite's compiler writes a LIMIT and its OFFSET as parameters unless they are SQL already.
_ONE: Any = literal_column("1")
_ZERO: Any = literal_column("0")
# Most ticks find nothing due: they should not take SQLite's write lock to learn that.
_ANY_DUE = _sql(select(_ONE).where(S.next_nudge_at <= NOW).limit(_ONE).offset(_ZERO))
_DUE = _sql(due_rows(bindparam("limit", type_=Integer())).offset(_ZERO))
_CLAIM = _sql(claim_rows(DIALECT))
_SETTLE = batch_sql(DIALECT, SETTLE, moves=SETTLE_COLUMNS)
_LOG = batch_sql(DIALECT, LOG, entries=ENTRIES)
_BLOCK_PEOPLE, _BLOCK_SCHEDULES = (_sql(change) for change in blocking(_json_ids("ids")))


class SqliteStore:
    """The dispatcher's connection to a SQLite file and the thread it lives in, both opened
    at the first claim and kept until ``close``."""

    # What sqlite3.connect makes: a subclass can watch the statements (bench/tick_cost.py).
    connection_class: type[sqlite3.Connection] = sqlite3.Connection

    def __init__(self, path: str, *, mmap_mb: int = 0) -> None:
        self.path = path
        self.mmap_mb = mmap_mb
        self._thread: ThreadPoolExecutor | None = None
        # Opened, used and closed in that thread only.
        self._connection: sqlite3.Connection | None = None

    @asynccontextmanager
    async def claims(self) -> AsyncIterator[SqliteStore]:
        yield self

    async def close(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        await asyncio.get_running_loop().run_in_executor(thread, self._disconnect)
        # The thread has nothing left to do: it ends at once.
        thread.shutdown(wait=True)

    async def claim_due(
        self,
        *,
        now: datetime,
        stale_before: datetime,
        lease: datetime,
        limit: int,
        after: FollowingAfter,
    ) -> list[ClaimedRow]:
        params = {
            "now": sqlite_time(now),
            "stale_before": sqlite_time(stale_before),
            "lease": sqlite_time(lease),
            "limit": limit,
        }
        # ``after`` runs in the store's thread, inside the claim; the event loop's thread
        # waits for the claim meanwhile, so nothing else touches what it keeps.
        return await self._run(self._claim_due, params, now, after)

    async def settle(self, moves: Sequence[Settlement]) -> set[int]:
        return await self._run(self._settle, moves)

    async def record(
        self, *, entries: Sequence[Entry], blocked: Sequence[int], now: datetime
    ) -> None:
        if entries or blocked:
            await self._run(self._record, entries, blocked, now)

    async def _run(self, step: Callable[..., T], *args: Any) -> T:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="limber-nudge-claims")
        return await asyncio.get_running_loop().run_in_executor(self._thread, step, *args)

    # Everything below runs in the store's thread.

    def _database(self) -> sqlite3.Connection:
        if self._connection is None:
            # mode=rw: the dispatcher must never create a database that is not there.
            uri = Path(self.path).resolve().as_uri() + "?mode=rw"
            # isolation_level=None: no transaction but the ones written out below.
            connection = sqlite3.connect(
                uri, uri=True, timeout=30, isolation_level=None, factory=self.connection_class
            )
            sqlite_pragmas(connection, mmap_mb=self.mmap_mb)
            self._connection = connection
        return self._connection

    def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _claim_due(
        self, params: dict[str, Any], now: datetime, after: FollowingAfter
    ) -> list[ClaimedRow]:
        database = self._database()
        if database.execute(_ANY_DUE, params).fetchone() is None:
            return []
        with _write_lock(database):
            claimed = _claimed_rows(database.execute(_DUE, params).fetchall())
            if claimed:
                document = json.dumps(moved_rows(claimed, now, after, sqlite_time))
                database.execute(_CLAIM, params | {"moves": document})
        return claimed

    def _settle(self, moves: Sequence[Settlement]) -> set[int]:
        document = json.dumps(settlements(moves, sqlite_time))
        # One statement: a transaction of its own.
        settled = self._database().execute(_SETTLE, {"moves": document}).fetchall()
        return {pid for (pid,) in settled}

    def _record(self, entries: Sequence[Entry], blocked: Sequence[int], now: datetime) -> None:
        stored = cache(sqlite_time)
        database = self._database()
        with _write_lock(database):
            if entries:
                document = json.dumps([(pid, kind, stored(at)) for pid, kind, at in entries])
                database.execute(_LOG, {"entries": document})
            if blocked:
                params = {"ids": json.dumps(list(blocked)), "now": sqlite_time(now)}
                database.execute(_BLOCK_PEOPLE, params)
                database.execute(_BLOCK_SCHEDULES, params)


@contextmanager
def _write_lock(database: sqlite3.Connection) -> Iterator[None]:
    """A transaction that holds SQLite's write lock from its start, so that what it reads is
    still true when it writes; rolled back if anything in it fails, its COMMIT included."""
    database.execute("BEGIN IMMEDIATE")
    try:
        yield
        database.execute("COMMIT")
    except BaseException:
        if database.in_transaction:
            database.execute("ROLLBACK")
        raise


def _moment(text: str) -> datetime:
    """A time as SQLAlchemy writes it to SQLite (naive UTC text), made aware again."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _time_of_day(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)


def _claimed_rows(rows: Sequence[tuple[Any, ...]]) -> list[ClaimedRow]:
    """The rows of ``_DUE`` as Python values. People due together mostly share their rules
    and their times: each distinct value is read once, and equal rules become one tuple."""
    moment = cache(_moment)

    def maybe(text: str | None) -> datetime | None:
        return None if text is None else moment(text)

    rules: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    claimed = []
    for row in rows:
        stored_rules = row[RULES_FROM:]
        known = rules.get(stored_rules)
        if known is None:
            zone, days, start, end, interval, lunch_start, lunch_end, paused, snoozed = (
                stored_rules
            )
            known = rules[stored_rules] = (
                zone,
                days,
                _time_of_day(start),
                _time_of_day(end),
                interval,
                _time_of_day(lunch_start),
                _time_of_day(lunch_end),
                maybe(paused),
                maybe(snoozed),
            )
        pid, chat, blocked_at, place, minutes, due, last, answered, following = row[:RULES_FROM]
        claimed.append(
            ClaimedRow(
                pid,
                chat,
                maybe(blocked_at),
                place,
                minutes,
                moment(due),
                maybe(last),
                bool(answered),
                maybe(following),
                *known,
            )
        )
    return claimed
