"""The dispatcher's SQL: claiming due nudges, settling the ones claimed without a following
slot, and recording what was sent.

A claim is one short transaction: it finds the due rows and holds them (on PostgreSQL ``FOR
UPDATE SKIP LOCKED``, so several workers never take the same row; on SQLite behind the write
lock), the dispatcher works out the slot after each row's following one, and one UPDATE moves
every row on to its following slot (``schedules.following_nudge_at``), with that slot as its
new following one, and marks the slot just due as the one last sent. It is committed before
anything is sent: a nudge is never claimed twice. A claimed row whose following slot was not
known, or has passed already (after downtime), is parked on a short lease instead; the
dispatcher works out its real slots and ``settle``s it. The statements are defined once
(``common``) and run by each database's store (``postgres``, ``sqlite``).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.claims.common import (
    ClaimedRow,
    Claims,
    Entry,
    FollowingAfter,
    NudgeStore,
    Settlement,
    moves_on,
    rules_key,
)
from bot.storage.claims.postgres import PostgresStore
from bot.storage.claims.sqlite import SqliteStore
from bot.storage.db import sqlite_file

__all__ = [
    "ClaimedRow",
    "Claims",
    "Entry",
    "FollowingAfter",
    "NudgeStore",
    "PostgresStore",
    "Settlement",
    "SqliteStore",
    "moves_on",
    "nudge_store",
    "rules_key",
]


def nudge_store(engine: AsyncEngine, *, sqlite_mmap_mb: int = 0) -> NudgeStore:
    """Where the dispatcher of this engine's database claims its nudges."""
    if engine.dialect.name == "postgresql":
        return PostgresStore(engine)
    path = sqlite_file(engine)
    if path is None:
        # The dispatcher works on a connection of its own, which cannot see the engine's
        # in-memory database.
        raise ValueError("nudges need a database file: DATABASE_URL names an in-memory SQLite")
    return SqliteStore(path, mmap_mb=sqlite_mmap_mb)
