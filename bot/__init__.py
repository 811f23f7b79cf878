"""Limber: a Telegram coach for short, safe stretch breaks at the desk."""

import os

# python-telegram-bot 22 warns that durations (RetryAfter.retry_after, ...) become timedeltas
# in its next major version; Limber handles timedeltas already, so opt in now.
os.environ.setdefault("PTB_TIMEDELTA", "1")
