from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.console.fake_bot_api import FakeBotApi
from bot.storage import migrations
from tests.chat.harness import BotHarness, Clock, monday_morning
from tests.databases import scratch_database


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
    import asyncio

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
