"""What every handler can reach: the services, and the unit of work for one update."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import CallbackContext, ExtBot

from bot.catalogue import Catalogue
from bot.config import Settings
from bot.storage import unit_of_work
from bot.storage.claims import NudgeStore


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    catalogue: Catalogue
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    # Where the nudge dispatcher claims (on SQLite, a connection and thread of its own).
    nudges: NudgeStore
    # Injected so tests and the console can run a clock of their own.
    clock: Callable[[], datetime] = utc_now
    # Seconds between countdown edits; Telegram frowns on editing more often than this.
    countdown_interval: float = 5.0
    # Multiplies every hold; tests and demos shrink holds instead of waiting them out.
    hold_scale: float = 1.0

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with unit_of_work(self.sessions) as session:
            yield session


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def services(self) -> Services:
        return cast(Services, self.bot_data["services"])
