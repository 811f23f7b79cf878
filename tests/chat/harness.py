"""The bot end to end: the real Application and HTTP client against a fake Bot API.

Updates are handed to ``process_update`` one at a time so each step of a conversation is
finished before the test looks; everything the bot says goes over HTTP to the fake server.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update

from bot.app import LimberApplication, build_application
from bot.catalogue import get_catalogue
from bot.config import Settings
from bot.console.fake_bot_api import ChatMessage, FakeBotApi

ALEX = 1001


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class BotHarness:
    def __init__(self, api: FakeBotApi, database_url: str, clock: Clock, **options: Any) -> None:
        self.api = api
        self.database_url = database_url
        self.clock = clock
        self.options = {"countdown_interval": 0.05, "hold_scale": 1.0, **options}
        self.app: LimberApplication | None = None

    async def start(self) -> None:
        settings = Settings(database_url=self.database_url, rate_limit=False)
        self.app = build_application(
            settings,
            self.api.token,
            catalogue=get_catalogue(),
            base_url=self.api.base_url,
            base_file_url=self.api.base_file_url,
            services_options={"clock": self.clock, **self.options},
        )
        await self.app.initialize()
        await self.app.start()

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            await self.app.shutdown()
            self.app = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def _process(self, update: dict[str, Any]) -> None:
        assert self.app is not None
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def send(self, text: str, user_id: int = ALEX, **kwargs: Any) -> None:
        await self._process(self.api.user_sends(text, user_id=user_id, enqueue=False, **kwargs))

    async def press(self, label: str, user_id: int = ALEX, chat_id: int = ALEX) -> None:
        await self._process(
            self.api.user_presses_button(chat_id, label, user_id=user_id, enqueue=False)
        )

    async def press_data(
        self, data: str, *, message_id: int, user_id: int = ALEX, chat_id: int = ALEX
    ) -> None:
        update = self.api.user_presses(
            chat_id, message_id, data, user_id=user_id, check=False, enqueue=False
        )
        await self._process(update)

    def bot_messages(self, chat_id: int = ALEX) -> list[ChatMessage]:
        return [m for m in self.api.messages(chat_id) if m.from_bot]

    def last_text(self, chat_id: int = ALEX) -> str:
        message = self.api.last_message(chat_id)
        assert message is not None, "the bot said nothing"
        return message.text or ""

    def texts_since(self, count: int, chat_id: int = ALEX) -> list[str]:
        return [m.text or "" for m in self.bot_messages(chat_id)[count:]]

    def labels(self, chat_id: int = ALEX) -> list[str]:
        return [b.text for b in self.api.buttons(chat_id)]

    def answers(self) -> list[str]:
        """The texts of callback answers (the little notices over the chat)."""
        return [str(c.params.get("text", "")) for c in self.api.calls_to("answerCallbackQuery")]

    async def onboard(self, user_id: int = ALEX) -> None:
        """/start and every setup question answered with its default."""
        await self.send("/start", user_id)
        await self.press("I understand", user_id, chat_id=user_id)
        await self.press("Berlin", user_id, chat_id=user_id)
        await self.press("Mon–Fri 09:00–17:30", user_id, chat_id=user_id)
        await self.press("60 min", user_id, chat_id=user_id)
        await self.press("At a desk", user_id, chat_id=user_id)
        await self.press("5 min", user_id, chat_id=user_id)


def monday_morning() -> datetime:
    # Monday 23 November 2026, 08:30 in Berlin: set up before the working day starts.
    return datetime(2026, 11, 23, 7, 30, tzinfo=UTC)


Predicate = Callable[[], bool]
