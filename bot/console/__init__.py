"""Running the bot with no Telegram: a fake Bot API server and a terminal chat on top of it."""

from bot.console.fake_bot_api import (
    DEFAULT_TOKEN,
    ApiCall,
    ApiEvent,
    Button,
    ChatMessage,
    FakeBotApi,
    UploadedFile,
)
from bot.console.repl import ApplicationFactory, run_console

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiEvent",
    "ApplicationFactory",
    "Button",
    "ChatMessage",
    "FakeBotApi",
    "UploadedFile",
    "run_console",
]
