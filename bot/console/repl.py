"""``limber console``: chat with the bot in a terminal, no token and no network.

The real Application runs against :class:`FakeBotApi` on 127.0.0.1. Each typed line becomes an
update that is fully handled before the next prompt; whatever the bot sends, edits or deletes
(including from background jobs) is printed as it happens. A bare number presses that button
of the newest message with buttons; ``\\N`` sends the number N as text instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO

from telegram import Update
from telegram.ext import Application

from bot.console.fake_bot_api import ApiEvent, Button, ChatMessage, FakeBotApi

__all__ = ["BANNER", "ApplicationFactory", "render_message", "run_console"]

BANNER = "Limber console — type /start. Numbers press buttons; /quit or Ctrl-D leaves."
PROMPT = "you> "
_BOT = "bot> "
_INDENT = " " * len(_BOT)

ApplicationFactory = Callable[[str, str, str], Application[Any, Any, Any, Any, Any, Any]]
"""Builds the un-initialised Application from (token, base_url, base_file_url)."""


def render_message(message: ChatMessage) -> str:
    """The message as printed: media line, text, then its buttons numbered 1, 2, … across
    the whole keyboard, one keyboard row per line."""
    lines: list[str] = []
    head = ""
    if message.photo is not None:
        head = f"[photo: {len(message.photo)} bytes]"
    elif message.document is not None:
        name, content = message.document
        head = f"[file: {name}, {len(content)} bytes]"
    text_lines = message.text.splitlines() if message.text else []
    if head:
        lines.append(f"{head} {text_lines.pop(0)}" if text_lines else head)
    lines.extend(text_lines)
    number = 1
    for row in message.keyboard:
        labels = []
        for button in row:
            labels.append(f"[{number}] {_label(button)}")
            number += 1
        lines.append("  ".join(labels))
    return f"\n{_INDENT}".join(lines) if lines else "(empty message)"


def _label(button: Button) -> str:
    return f"{button.text} <{button.url}>" if button.url else button.text


def _numbered(buttons: list[Button]) -> str:
    return "  ".join(f"[{n}] {_label(button)}" for n, button in enumerate(buttons, 1))


class _Transcript:
    """Prints what the person would see, from the fake server's events."""

    def __init__(self, output: TextIO) -> None:
        self.output = output
        self.waiting_for_input = False
        self._shown: dict[tuple[int, int], str] = {}

    def say(self, text: str) -> None:
        if self.waiting_for_input and self.output.isatty():
            # A background message arrived while the prompt is showing: clear the prompt
            # line, print, and show the prompt again so typing carries on where it was.
            self.output.write(f"\r\x1b[K{text}\n{PROMPT}")
        else:
            self.output.write(f"{text}\n")
        self.output.flush()

    def on_event(self, event: ApiEvent) -> None:
        message = event.message
        if event.kind == "answered":
            kind = "alert" if event.show_alert else "notice"
            self.say(f"{_BOT}({kind}) {event.text}")
            return
        if message is None:
            return
        key = (message.chat_id, message.message_id)
        if event.kind == "deleted":
            self._shown.pop(key, None)
            self.say(f"{_BOT}(deleted a message)")
            return
        rendered = render_message(message)
        if event.kind == "edited":
            # A countdown re-sending the same look would flood the terminal.
            if self._shown.get(key) == rendered:
                return
            self._shown[key] = rendered
            self.say(f"{_BOT}(updated) {rendered}")
            return
        self._shown[key] = rendered
        self.say(f"{_BOT}{rendered}")


async def _read_line(input_func: Callable[[str], str], prompt: str) -> str | None:
    """One line from ``input_func`` in a daemon thread (None at end of input).

    Not asyncio.to_thread: its executor thread would keep the process alive after Ctrl-C
    until the person pressed Enter.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str | None] = loop.create_future()

    def deliver(result: str | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def read() -> None:
        result: str | None = None
        error: BaseException | None = None
        try:
            result = input_func(prompt)
        except EOFError:
            result = None
        except BaseException as exc:
            error = exc
        # The loop may have closed while we were waiting for the person.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(deliver, result, error)

    threading.Thread(target=read, name="limber-console-input", daemon=True).start()
    return await future


async def _process(
    application: Application[Any, Any, Any, Any, Any, Any],
    update: dict[str, Any],
    transcript: _Transcript,
) -> None:
    try:
        await application.process_update(Update.de_json(update, application.bot))
    except Exception as exc:
        # The console is for trying the bot out; one failing update should not end it.
        transcript.say(f"(the bot failed on that: {type(exc).__name__}: {exc})")


async def run_console(
    build_application: ApplicationFactory,
    *,
    user_id: int = 1,
    first_name: str = "You",
    input_func: Callable[[str], str] = input,
    output: TextIO = sys.stdout,
) -> int:
    """Chat with the Application ``build_application`` makes until EOF or /quit; returns 0.

    ``input_func`` is called with the prompt, like :func:`input`, and ends the session by
    raising EOFError.
    """
    transcript = _Transcript(output)
    async with FakeBotApi() as api:
        api.on_event = transcript.on_event
        application = build_application(api.token, api.base_url, api.base_file_url)
        async with application:
            await application.start()
            try:
                transcript.say(BANNER)
                await _converse(api, application, transcript, user_id, first_name, input_func)
            finally:
                await application.stop()
        api.on_event = None
    return 0


async def _converse(
    api: FakeBotApi,
    application: Application[Any, Any, Any, Any, Any, Any],
    transcript: _Transcript,
    user_id: int,
    first_name: str,
    input_func: Callable[[str], str],
) -> None:
    while True:
        transcript.waiting_for_input = True
        try:
            line = await _read_line(input_func, PROMPT)
        finally:
            transcript.waiting_for_input = False
        if line is None:
            return
        text = line.strip()
        if not text:
            continue
        if text == "/quit":
            return
        if text.isdigit():
            await _press(api, application, transcript, user_id, first_name, int(text))
            continue
        if text.startswith("\\") and text[1:].isdigit():
            text = text[1:]
        update = api.user_sends(text, user_id=user_id, first_name=first_name, enqueue=False)
        await _process(application, update, transcript)


async def _press(
    api: FakeBotApi,
    application: Application[Any, Any, Any, Any, Any, Any],
    transcript: _Transcript,
    user_id: int,
    first_name: str,
    number: int,
) -> None:
    message = api.message_with_buttons(user_id)
    buttons = message.buttons if message else []
    if message is None or not 1 <= number <= len(buttons):
        offer = f"Buttons: {_numbered(buttons)}" if buttons else "There are no buttons to press."
        transcript.say(f"No button {number}. {offer} (Type \\{number} to send it as text.)")
        return
    button = buttons[number - 1]
    if button.url is not None:
        transcript.say(f"(a link: {button.url})")
        return
    if button.callback_data is None:
        # A reply-keyboard button just sends its text.
        update = api.user_sends(button.text, user_id=user_id, first_name=first_name, enqueue=False)
    else:
        transcript.say(f"(you pressed {button.text})")
        update = api.user_presses(
            user_id, message.message_id, button.callback_data, user_id=user_id, enqueue=False
        )
    await _process(application, update, transcript)
