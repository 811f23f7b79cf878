"""Engine, sessions and the unit of work.

One update (or one dispatcher batch) is one unit of work: one session, one transaction,
committed by the caller at the boundary. Repositories only flush.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def create_engine(url: str, *, sqlite_mmap_mb: int = 0, **kwargs: Any) -> AsyncEngine:
    """An async engine for SQLite (aiosqlite) or PostgreSQL (asyncpg)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            sqlite_pragmas(dbapi_connection, mmap_mb=sqlite_mmap_mb)

        event.listen(engine.sync_engine, "connect", on_connect)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


# A commit that finds this many pages in the WAL copies them into the database file and
# syncs it, there and then: 5 to 10 ms inside whichever transaction happens to commit. The
# running bot checkpoints in the background instead (checkpoint_wal, every second), so this
# is only the backstop that keeps the WAL bounded (40 MB) when nothing else does.
WAL_BACKSTOP_PAGES = 10_000


def sqlite_pragmas(dbapi_connection: Any, *, mmap_mb: int = 0) -> None:
    """What every connection to the SQLite file is set up with (the engine's, and the
    dispatcher's own, bot/storage/claims/sqlite.py)."""
    # Foreign keys are off by default in SQLite, and /forget relies on ON DELETE CASCADE.
    # WAL lets the dispatcher read while a handler writes. With WAL, synchronous=NORMAL
    # keeps the database consistent and every commit across a crash of the process; only a
    # power cut can lose the last commits, and it saves an fsync per transaction.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
    if mmap_mb:
        # Without it every page SQLite's own small cache misses is a pread(): with 1,000,000
        # people that made finding a tick's 100 due rows 6 ms instead of 1.4
        # (bench/README.md). Mapped pages the bot has read count in its resident memory (as
        # file pages the kernel can drop), which is why it is a setting and off by default.
        cursor.execute(f"PRAGMA mmap_size={mmap_mb * 2**20}")
    cursor.close()


class Checkpoint(NamedTuple):
    busy: bool  # another checkpoint was running, or a reader held it back
    wal_pages: int
    copied_pages: int


def sqlite_file(engine: AsyncEngine) -> str | None:
    """The file of a SQLite engine's database; None for PostgreSQL or an in-memory one."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return str(Path(url.database).expanduser())


async def checkpoint_wal(engine: AsyncEngine) -> Checkpoint | None:
    """Copy what the WAL holds into the database file, on a connection and thread of its own,
    so that no commit of a handler or the dispatcher has to. PASSIVE: it waits for no reader
    or writer and takes what it can; whatever it leaves, the next one takes. None when the
    engine is not a SQLite file."""
    path = sqlite_file(engine)
    if path is None:
        return None
    return await asyncio.to_thread(_checkpoint, path)


def _checkpoint(path: str) -> Checkpoint:
    # mode=rw: a checkpoint must never create a database that is not there.
    uri = Path(path).resolve().as_uri() + "?mode=rw"
    with closing(sqlite3.connect(uri, uri=True, timeout=5)) as connection:
        busy, wal_pages, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return Checkpoint(bool(busy), wal_pages, copied)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose work is committed if the block succeeds and rolled back if it raises."""
    async with sessions() as session, session.begin():
        yield session
