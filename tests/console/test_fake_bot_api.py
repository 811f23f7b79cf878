"""The fake Bot API, driven by python-telegram-bot's real HTTP client, and the console on it."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import socket
import struct
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.console import FakeBotApi, run_console
from bot.console.fake_bot_api import render_html

App = Application[Any, Any, Any, Any, Any, Any]
USER = 1001


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with two buttons."""
    if update.effective_message is None:
        return
    await update.effective_message.reply_text(
        "<b>Hello</b> &amp; welcome",
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Next", callback_data="next"),
                    InlineKeyboardButton("Skip", callback_data="skip"),
                ]
            ]
        ),
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledge the press and replace the greeting."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await query.edit_message_text(f"You chose {query.data}")


def build_echo_app(
    token: str, base_url: str, base_file_url: str, *, with_updater: bool = False
) -> App:
    builder = ApplicationBuilder().token(token).base_url(base_url).base_file_url(base_file_url)
    if not with_updater:
        builder = builder.updater(None)
    application = builder.build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    return application


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api
    assert api.errors == [], "the fake itself raised"


@pytest.fixture
async def app(fake: FakeBotApi) -> AsyncIterator[App]:
    application = build_echo_app(fake.token, fake.base_url, fake.base_file_url)
    async with application:
        yield application


async def feed(application: App, update: dict[str, Any]) -> None:
    await application.process_update(Update.de_json(update, application.bot))


# ------------------------------------------------------------------ conversation


async def test_a_command_reply_arrives_with_its_buttons(fake: FakeBotApi, app: App) -> None:
    await feed(app, fake.user_sends("/start", user_id=USER))

    reply = fake.last_message(USER)
    assert reply is not None
    assert reply.from_bot
    assert reply.text == "Hello & welcome"
    assert reply.raw["entities"] == [{"type": "bold", "offset": 0, "length": 5}]
    assert [(b.text, b.callback_data) for b in fake.buttons(USER)] == [
        ("Next", "next"),
        ("Skip", "skip"),
    ]
    [call] = fake.calls_to("sendMessage")
    assert call.params["chat_id"] == USER
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "next"
    assert [m.from_bot for m in fake.messages(USER)] == [False, True]


async def test_pressing_a_button_edits_the_message(fake: FakeBotApi, app: App) -> None:
    await feed(app, fake.user_sends("/start", user_id=USER))
    greeting = fake.last_message(USER)
    assert greeting is not None

    press = fake.user_presses(USER, greeting.message_id, "skip")
    await feed(app, press)

    assert greeting.text == "You chose skip"
    assert greeting.edits == 1
    assert greeting.versions == ["Hello & welcome", "You chose skip"]
    # Editing the text without a keyboard removes the keyboard, as on Telegram.
    assert fake.buttons(USER) == []
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["callback_query_id"] == press["callback_query"]["id"]


async def test_text_that_looks_like_json_stays_text(fake: FakeBotApi, app: App) -> None:
    await app.bot.send_message(USER, "123")
    await app.bot.send_message(USER, "true")

    assert [c.params["text"] for c in fake.calls_to("sendMessage")] == ["123", "true"]
    assert [m.text for m in fake.messages(USER)] == ["123", "true"]


async def test_pressing_a_button_the_message_lacks_is_refused(fake: FakeBotApi, app: App) -> None:
    await feed(app, fake.user_sends("/start", user_id=USER))
    greeting = fake.last_message(USER)
    assert greeting is not None

    with pytest.raises(ValueError, match="no button"):
        fake.user_presses(USER, greeting.message_id, "bogus")


# ------------------------------------------------------------------ polling and webhooks


async def test_long_polling_delivers_queued_updates(fake: FakeBotApi) -> None:
    application = build_echo_app(fake.token, fake.base_url, fake.base_file_url, with_updater=True)
    fake.user_sends("/start", user_id=USER)  # queued before polling starts
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(timeout=1)
        await application.start()
        try:
            await fake.wait_for(lambda: len(fake.messages(USER)) == 2, timeout=5)
            fake.user_sends("/start", user_id=2002)  # arrives while a poll is waiting
            await fake.wait_for(lambda: fake.last_message(2002) is not None, timeout=5)
        finally:
            await application.updater.stop()
            await application.stop()

    assert fake.last_message(2002) is not None
    # Both updates were confirmed by a later offset, so Telegram would not send them again.
    assert fake.pending_updates == []


async def test_get_updates_waits_for_an_update_instead_of_the_timeout(
    fake: FakeBotApi, app: App
) -> None:
    poll = asyncio.create_task(app.bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()

    fake.user_sends("hello", user_id=USER)
    updates = await asyncio.wait_for(poll, timeout=2)

    assert [u.effective_message.text for u in updates if u.effective_message] == ["hello"]


async def test_get_updates_returns_empty_after_the_timeout(fake: FakeBotApi, app: App) -> None:
    loop = asyncio.get_running_loop()
    began = loop.time()
    updates = await app.bot.get_updates(timeout=1)
    assert updates == ()
    assert loop.time() - began >= 0.9


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_webhook_delivery_checks_the_secret(fake: FakeBotApi) -> None:
    application = build_echo_app(fake.token, fake.base_url, fake.base_file_url, with_updater=True)
    port = _free_port()
    async with application:
        assert application.updater is not None
        await application.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret",
        )
        await application.start()
        try:
            assert fake.webhook_url == f"http://127.0.0.1:{port}/hook"
            update = fake.user_sends("/start", user_id=USER, enqueue=False)
            assert await fake.post_webhook(fake.webhook_url, update, "wrong") == 403
            assert await fake.deliver_webhook(update) == 200
            await fake.wait_for(lambda: fake.last_message(USER) is not None, timeout=5)
            with pytest.raises(Conflict, match="webhook is active"):
                await application.bot.get_updates()
        finally:
            await application.updater.stop()
            await application.stop()


# ------------------------------------------------------------------ errors


async def test_a_wrong_token_is_rejected(fake: FakeBotApi) -> None:
    application = build_echo_app("987654321:" + "B" * 35, fake.base_url, fake.base_file_url)

    try:
        with pytest.raises(InvalidToken):
            await application.initialize()
    finally:
        # Application.shutdown() is a no-op after a failed initialize(); the bot's HTTP
        # client was opened all the same.
        await application.bot.shutdown()

    async with httpx.AsyncClient() as client:
        response = await client.post(f"{fake.base_url}wrong/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_an_unknown_method_is_not_found(fake: FakeBotApi) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{fake.base_url}{fake.token}/sendTelepathy")
    assert response.status_code == 404
    assert response.json()["description"] == "Not Found: method not found"


async def test_flood_control_raises_retry_after(
    fake: FakeBotApi, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB's future behaviour, and no deprecation warning for reading retry_after.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.fail_next("sendMessage", error_code=429, retry_after=7)

    with pytest.raises(RetryAfter) as raised:
        await app.bot.send_message(USER, "nudge")
    assert raised.value.retry_after == dtm.timedelta(seconds=7)

    await app.bot.send_message(USER, "nudge")  # only the next call was to fail
    first, second = fake.calls_to("sendMessage")
    assert (first.failed, first.error_code, second.failed) == (True, 429, False)
    assert [m.text for m in fake.messages(USER)] == ["nudge"]


async def test_a_fault_for_one_chat_leaves_others_alone(fake: FakeBotApi, app: App) -> None:
    fake.fail_next("sendMessage", error_code=500, chat_id=2002)

    await app.bot.send_message(USER, "fine")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await app.bot.send_message(2002, "lost")


async def test_a_blocked_chat_is_forbidden(fake: FakeBotApi, app: App) -> None:
    fake.blocked_chats.add(USER)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(USER, "nudge")
    assert fake.messages(USER) == []
    assert fake.calls_to("sendMessage", failed=True)[0].error_code == 403


async def test_an_identical_edit_is_not_modified(fake: FakeBotApi, app: App) -> None:
    sent = await app.bot.send_message(USER, "Hold 20 s")
    await app.bot.edit_message_text("Hold 15 s", chat_id=USER, message_id=sent.message_id)

    # PTB drops Telegram's "Bad Request: " prefix and str.capitalize()s what is left.
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await app.bot.edit_message_text("Hold 15 s", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"^Message to edit not found"):
        await app.bot.edit_message_text("Hold 10 s", chat_id=USER, message_id=999)
    assert fake.messages(USER)[0].edits == 1


async def test_malformed_html_is_refused_like_telegram(fake: FakeBotApi, app: App) -> None:
    with pytest.raises(BadRequest, match=r'^Can.t parse entities: unsupported start tag "n"'):
        await app.bot.send_message(USER, "take <n> breaks", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await app.bot.send_message(
            USER,
            "too much data",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("x", callback_data="x" * 65)]]
            ),
        )


def test_html_rendering_counts_utf16_and_keeps_literals() -> None:
    assert render_html("🧘 <i>breathe</i> a&b &lt;3") == (
        "🧘 breathe a&b <3",
        [{"type": "italic", "offset": 3, "length": 7}],
    )


# ------------------------------------------------------------------ files and commands


def _png(width: int, height: int) -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width, height)
    )


async def test_send_photo_stores_the_bytes(fake: FakeBotApi, app: App) -> None:
    picture = _png(640, 480) + b"rest-of-image"

    sent = await app.bot.send_photo(USER, photo=picture, caption="<b>Week</b>", parse_mode="HTML")

    shown = fake.last_message(USER)
    assert shown is not None
    assert shown.photo == picture
    assert shown.text == "Week"
    assert (sent.photo[-1].width, sent.photo[-1].height) == (640, 480)
    assert fake.calls_to("sendPhoto")[0].files["photo"].content == picture
    photo_file = await app.bot.get_file(sent.photo[-1].file_id)
    assert bytes(await photo_file.download_as_bytearray()) == picture


async def test_send_document_keeps_the_file_name(fake: FakeBotApi, app: App) -> None:
    await app.bot.send_document(USER, document=b"a,b\n1,2\n", filename="history.csv")

    shown = fake.last_message(USER)
    assert shown is not None
    assert shown.document == ("history.csv", b"a,b\n1,2\n")


async def test_bot_commands_are_stored(fake: FakeBotApi, app: App) -> None:
    await app.bot.set_my_commands([("start", "Begin"), ("stretch", "A routine now")])

    assert [c.command for c in await app.bot.get_my_commands()] == ["start", "stretch"]
    with pytest.raises(BadRequest, match=r"^Bot_command_invalid$"):
        await app.bot.set_my_commands([("Start", "Capitalised")])


async def test_wait_for_reports_what_it_waited_for(fake: FakeBotApi, app: App) -> None:
    await app.bot.send_message(USER, "only one")

    with pytest.raises(AssertionError, match=r"2 call\(s\) to sendMessage.*sendMessage"):
        await fake.wait_for_call("sendMessage", count=2, timeout=0.05)


# ------------------------------------------------------------------ the console


def scripted(*lines: str, linger: float = 0.0) -> Callable[[str], str]:
    """Type ``lines`` one per prompt, wait ``linger`` seconds, then press Ctrl-D."""
    remaining: Iterator[str] = iter(lines)

    def read(prompt: str) -> str:
        try:
            return next(remaining)
        except StopIteration:
            time.sleep(linger)  # runs in the console's input thread, like a person idling
            raise EOFError from None

    return read


def build_countdown_app(token: str, base_url: str, base_file_url: str) -> App:
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .updater(None)
        .build()
    )

    async def hold(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Count down in the background by editing one message."""
        if update.effective_message is None:
            return
        sent = await update.effective_message.reply_text("Hold 3 s")

        async def tick() -> None:
            # The first edit only adds bold: Telegram accepts it, but it looks the same.
            for text in ("<b>Hold 3 s</b>", "Hold 2 s", "Hold 1 s"):
                await asyncio.sleep(0.02)
                await sent.edit_text(text, parse_mode=ParseMode.HTML)

        context.application.create_task(tick())

    application.add_handler(CommandHandler("hold", hold))
    return application


async def test_console_session_shows_replies_buttons_and_edits() -> None:
    output = io.StringIO()

    status = await asyncio.wait_for(
        run_console(build_echo_app, input_func=scripted("/start", "7", "1"), output=output),
        timeout=20,
    )

    transcript = output.getvalue()
    assert status == 0
    assert transcript.startswith("Limber console — type /start.")
    assert "bot> Hello & welcome\n     [1] Next  [2] Skip\n" in transcript
    assert "No button 7. Buttons: [1] Next  [2] Skip" in transcript
    assert "bot> (updated) You chose next\n" in transcript
    assert transcript.index("Hello") < transcript.index("No button") < transcript.index("chose")


async def test_console_leaves_on_quit_before_reading_more() -> None:
    output = io.StringIO()

    status = await asyncio.wait_for(
        run_console(build_echo_app, input_func=scripted("/quit", "/start"), output=output),
        timeout=20,
    )

    assert status == 0
    assert "Hello" not in output.getvalue()


async def test_console_prints_background_edits_once_per_look() -> None:
    output = io.StringIO()

    status = await asyncio.wait_for(
        run_console(build_countdown_app, input_func=scripted("/hold", linger=0.5), output=output),
        timeout=20,
    )

    lines = output.getvalue().splitlines()
    assert status == 0
    assert lines[1:] == ["bot> Hold 3 s", "bot> (updated) Hold 2 s", "bot> (updated) Hold 1 s"]
