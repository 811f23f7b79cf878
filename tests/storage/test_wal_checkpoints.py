"""On SQLite the running bot checkpoints the WAL in the background, so commits need not."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import _wal_checkpoint, schedule_wal_checkpoints
from bot.storage import checkpoint_wal, create_engine, repo, session_factory, unit_of_work
from bot.storage.db import WAL_BACKSTOP_PAGES
from tests.chat.harness import BotHarness


async def _write_people(engine: AsyncEngine, count: int) -> None:
    sessions = session_factory(engine)
    for index in range(count):
        async with unit_of_work(sessions) as session:
            await repo.get_or_create_person(session, 1_000 + index, 1_000 + index)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_checkpoint_copies_everything_committed_into_the_database_file(
    engine: AsyncEngine,
) -> None:
    await _write_people(engine, 20)
    first = await checkpoint_wal(engine)
    assert first is not None
    assert not first.busy
    assert first.wal_pages > 0 and first.copied_pages == first.wal_pages
    async with engine.connect() as connection:
        people = await connection.scalar(text("SELECT count(*) FROM people"))
    assert people == 20


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_commits_leave_checkpoints_to_the_background_up_to_a_backstop(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        pages = await connection.scalar(text("PRAGMA wal_autocheckpoint"))
    assert pages == WAL_BACKSTOP_PAGES


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_postgresql_has_no_wal_to_checkpoint_from_here(engine: AsyncEngine) -> None:
    assert await checkpoint_wal(engine) is None


async def test_a_checkpoint_never_creates_a_database_that_is_not_there(tmp_path: Path) -> None:
    missing = tmp_path / "gone.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{missing}")
    try:
        with pytest.raises(sqlite3.OperationalError):
            await checkpoint_wal(engine)
        assert not missing.exists()
    finally:
        await engine.dispose()


def _digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


async def test_the_running_bot_checkpoints_sqlite_every_second(bot: BotHarness) -> None:
    assert bot.app is not None and bot.app.job_queue is not None
    schedule_wal_checkpoints(bot.app)
    (job,) = bot.app.job_queue.get_jobs_by_name("wal-checkpoints")
    try:
        assert job.job.trigger.interval.total_seconds() == 1.0
        await bot.onboard()  # written to the WAL, not yet to the database file
        database = Path(bot.app.bot_data["services"].engine.url.database)
        before = _digest(database)
        await _wal_checkpoint(cast(Any, SimpleNamespace(bot_data=bot.app.bot_data)))
        assert _digest(database) != before
    finally:
        job.schedule_removal()


@pytest.mark.parametrize(("megabytes", "mapped"), [(0, 0), (64, 64 * 2**20)])
async def test_sqlite_maps_as_much_of_the_file_as_the_setting_says(
    tmp_path: Path, megabytes: int, mapped: int
) -> None:
    engine = create_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'mapped.db'}", sqlite_mmap_mb=megabytes
    )
    try:
        async with engine.connect() as connection:
            size = (await connection.exec_driver_sql("PRAGMA mmap_size")).scalar()
    finally:
        await engine.dispose()
    assert size == mapped
