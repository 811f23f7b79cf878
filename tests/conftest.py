from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.console.fake_bot_api import FakeBotApi
from bot.storage import create_engine, migrations, session_factory
from tests.chat.harness import BotHarness, Clock, monday_morning
from tests.databases import BACKENDS, scratch_database


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env or environment, or writes their database."""
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "DATABASE_URL",
        "TELEGRAM_API_BASE_URL",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "LOG_LEVEL",
        "NUDGE_TICK_SECONDS",
        "SQLITE_MMAP_MB",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STATE_DIR", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database on each backend."""
    async with scratch_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
async def migrated_url(database_url: str) -> str:
    # Alembic's env.py runs its own event loop, so it goes to a thread.
    await asyncio.to_thread(migrations.upgrade, database_url)
    return database_url


@pytest.fixture
async def sessions(migrated_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(migrated_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(migrated_url)
    try:
        yield engine
    finally:
        await engine.dispose()


# The bot end to end (tests/chat, tests/nudges)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(strict_chats=True) as fake:
        yield fake


@pytest.fixture
def chat_backend() -> str:
    """Chat tests run on SQLite; the ones that matter for several workers add PostgreSQL."""
    return "sqlite"


@pytest.fixture
async def chat_database(chat_backend: str, tmp_path: Path) -> AsyncIterator[str]:
    async with scratch_database(chat_backend, tmp_path) as url:
        await asyncio.to_thread(migrations.upgrade, url)
        yield url


@pytest.fixture
def clock() -> Clock:
    return Clock(monday_morning())


@pytest.fixture
async def bot(api: FakeBotApi, chat_database: str, clock: Clock) -> AsyncIterator[BotHarness]:
    harness = BotHarness(api, chat_database, clock)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
