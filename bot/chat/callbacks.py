"""Callback data: what a button carries, packed into Telegram's 64 bytes and read back.

Anyone can send any callback data with a modified client, so nothing here is trusted: a
payload that does not parse is ``None``, and handlers still check that what it names (a
routine run, a step) belongs to the person who pressed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
SEPARATOR = ":"
_PART = re.compile(r"^[A-Za-z0-9_+\-/.]*$")


@dataclass(frozen=True)
class Callback:
    kind: str
    parts: tuple[str, ...]

    def int_part(self, index: int) -> int | None:
        try:
            value = self.parts[index]
        except IndexError:
            return None
        return int(value) if value.isdigit() and len(value) < 16 else None

    def part(self, index: int) -> str | None:
        return self.parts[index] if index < len(self.parts) else None


def pack(kind: str, *parts: str | int) -> str:
    text = SEPARATOR.join([kind, *(str(p) for p in parts)])
    if len(text.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {text!r}")
    return text


def unpack(data: str | None, parts: int | None = None) -> Callback | None:
    """The button's kind and parts; None unless it is well formed (with exactly ``parts``
    parts, when given: trailing extras are a forgery, not something to ignore)."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    kind, *values = data.split(SEPARATOR)
    if not kind.isalpha() or not all(_PART.match(p) for p in values):
        return None
    if parts is not None and len(values) != parts:
        return None
    return Callback(kind, tuple(values))


def pattern(kind: str) -> re.Pattern[str]:
    """The CallbackQueryHandler pattern for one kind of button."""
    return re.compile(rf"^{re.escape(kind)}(?:{SEPARATOR}|$)")


# Kinds of buttons, one place so two features never share a prefix.
SAFETY = "safe"
CONFIG = "cfg"
SETTINGS = "set"
RUN = "run"
HURT = "hurt"
CAUTION_ADD = "cadd"
CAUTION_REMOVE = "cdel"
ALLOW_POSE = "allow"
POSE = "pose"
BROWSE = "browse"
PAUSE = "pause"
FORGET = "forget"
NUDGE = "nudge"
PAIN_BEFORE = "painb"
PAIN_AFTER = "paina"
