"""Logging: one format, and secrets kept out of every line."""

from __future__ import annotations

import logging
import re

# httpx logs each request URL, and Telegram's URLs carry the bot token: those lines go, and
# any token-shaped text that slips into another record is masked.
_TOKEN_IN_TEXT = re.compile(r"\d{3,}:[A-Za-z0-9_-]{30,}")


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN_IN_TEXT.search(message):
            record.msg = _TOKEN_IN_TEXT.sub("<token>", message)
            record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """Masks tokens in the whole formatted record, tracebacks included: a library's
    exception message may quote the token (python-telegram-bot's InvalidToken does)."""

    def format(self, record: logging.LogRecord) -> str:
        return _TOKEN_IN_TEXT.sub("<token>", super().format(record))


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "telegram.ext.Updater"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING if level != "DEBUG" else logging.INFO)
