"""The bot's HTTP transport to Telegram: what arrives, and what each kind of failure becomes.

The dispatcher retries a nudge on NetworkError but never on TimedOut (Telegram may already
have delivered it), so the line between "never sent" and "sent, no answer" matters here.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.console.fake_bot_api import DEFAULT_TOKEN, FakeBotApi
from bot.telegram_http import AiohttpRequest

PERSON = 4242
TOKEN = DEFAULT_TOKEN

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture
async def telegram() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api
    assert api.errors == []


def _bot(root: str, request: AiohttpRequest) -> Bot:
    return Bot(TOKEN, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot", request=request)


@contextlib.asynccontextmanager
async def _opened(root: str, request: AiohttpRequest) -> AsyncIterator[Bot]:
    """A bot whose transport is open, without the getMe a raw server could not answer."""
    async with request:
        yield _bot(root, request)


@contextlib.asynccontextmanager
async def _server(serve: Serve) -> AsyncIterator[str]:
    """A raw TCP server on 127.0.0.1 behaving as ``serve`` says; yields its http:// root."""
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 1)


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head + await reader.readexactly(length)


async def test_a_nudge_with_buttons_arrives_as_written(telegram: FakeBotApi) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Start ▶", callback_data="n:s:1")]])

    async with _bot(telegram.url, AiohttpRequest()) as bot:
        message = await bot.send_message(
            PERSON, "<b>Time to get up</b> &amp; stretch", parse_mode="HTML", reply_markup=markup
        )

    shown = telegram.last_message(PERSON)
    assert shown is not None
    assert shown.text == "Time to get up & stretch"
    assert [[(b.text, b.callback_data) for b in row] for row in shown.keyboard] == [
        [("Start ▶", "n:s:1")]
    ]
    assert message.message_id == shown.message_id


async def test_a_chart_and_an_export_upload_byte_for_byte(telegram: FakeBotApi) -> None:
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    csv = "day,breaks\n2026-11-23,4\nnaïve,ünïcode\n".encode()

    async with _bot(telegram.url, AiohttpRequest()) as bot:
        sent = await bot.send_photo(
            PERSON, photo=picture, caption="<b>Two weeks</b>", parse_mode="HTML"
        )
        photo = telegram.last_message(PERSON)
        await bot.send_document(PERSON, document=csv, filename="limber-activity.csv")
        document = telegram.last_message(PERSON)
        downloaded = await (await bot.get_file(sent.photo[-1].file_id)).download_as_bytearray()

    assert photo is not None and photo.photo == picture and photo.text == "Two weeks"
    assert document is not None and document.document == ("limber-activity.csv", csv)
    assert bytes(downloaded) == picture


async def test_telegrams_refusals_keep_their_meaning(telegram: FakeBotApi) -> None:
    telegram.fail_next("sendMessage", error_code=403)
    telegram.fail_next("sendMessage", error_code=429, retry_after=7)

    async with _bot(telegram.url, AiohttpRequest()) as bot:
        with pytest.raises(Forbidden):
            await bot.send_message(PERSON, "hello")
        with pytest.raises(RetryAfter) as waited:
            await bot.send_message(PERSON, "hello")

    assert waited.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]


async def test_a_refused_connection_is_a_network_error_saying_nothing_was_sent() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async with _opened(f"http://127.0.0.1:{port}", AiohttpRequest()) as bot:
        with pytest.raises(NetworkError, match="not sent") as raised:
            await bot.send_message(PERSON, "hello")

    assert not isinstance(raised.value, TimedOut)


async def test_a_server_that_never_answers_times_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await asyncio.sleep(5)
        writer.close()

    async with (
        _server(silent) as root,
        _opened(root, AiohttpRequest(read_timeout=0.3)) as bot,
    ):
        with pytest.raises(TimedOut):
            await bot.send_message(PERSON, "hello", read_timeout=0.3)


async def test_with_every_connection_busy_the_next_request_is_reported_unsent() -> None:
    arrived = asyncio.Event()

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        arrived.set()
        await asyncio.sleep(5)
        writer.close()

    async with _server(slow) as root, _opened(root, AiohttpRequest(1, pool_timeout=0.2)) as bot:
        first = asyncio.create_task(bot.send_message(PERSON, "first", read_timeout=5))
        await arrived.wait()
        with pytest.raises(NetworkError, match="not sent") as raised:
            await bot.send_message(PERSON, "second", connect_timeout=0.1, pool_timeout=0.2)
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError, NetworkError):
            await first

    assert not isinstance(raised.value, TimedOut)


async def test_a_connection_dropped_mid_request_is_a_network_error() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.close()

    async with _server(hang_up) as root, _opened(root, AiohttpRequest()) as bot:
        with pytest.raises(NetworkError) as raised:
            await bot.send_message(PERSON, "hello")

    assert not isinstance(raised.value, TimedOut)


async def test_requests_speak_as_python_telegram_bot() -> None:
    seen: list[bytes] = []

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await _read_request(reader))
        body = b'{"ok":true,"result":true}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    async with _server(record) as root, _opened(root, AiohttpRequest()) as bot:
        await bot.delete_message(PERSON, 17)

    head, _, form = seen[0].partition(b"\r\n\r\n")
    assert head.startswith(b"POST /bot" + TOKEN.encode() + b"/deleteMessage HTTP/1.1")
    assert AiohttpRequest.USER_AGENT.encode() in head
    assert b"application/x-www-form-urlencoded" in head
    assert sorted(form.split(b"&")) == [b"chat_id=4242", b"message_id=17"]


async def test_the_transport_opens_and_closes_cleanly_and_refuses_work_when_closed(
    telegram: FakeBotApi,
) -> None:
    request = AiohttpRequest()
    bot = _bot(telegram.url, request)

    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{telegram.base_url}{TOKEN}/getMe", "POST")
    await request.initialize()
    await request.initialize()  # twice is harmless
    await request.shutdown()
    await request.shutdown()
    async with bot:  # and it can be opened again, as Application restarts do
        assert (await bot.get_me()).is_bot


def test_a_pool_needs_at_least_one_connection() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        AiohttpRequest(0)


@pytest.mark.parametrize(
    ("telegram_root", "request_line"),
    [
        ("https://telegram.example", b"CONNECT telegram.example:443 HTTP/1.1"),
        ("http://telegram.example", b"POST http://telegram.example/bot"),
    ],
    ids=["https through a tunnel", "plain http"],
)
async def test_a_proxy_from_the_environment_is_used_with_its_credentials(
    monkeypatch: pytest.MonkeyPatch, telegram_root: str, request_line: bytes
) -> None:
    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await _read_request(reader))
        body = b'{"ok":true,"result":true}'
        status = b"403 Forbidden" if seen[-1].startswith(b"CONNECT") else b"200 OK"
        writer.write(b"HTTP/1.1 %s\r\nContent-Length: %d\r\n\r\n%s" % (status, len(body), body))
        await writer.drain()
        writer.close()

    async with _server(proxy) as proxy_root:
        proxy_url = proxy_root.replace("http://", "http://ann:secret@")
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        monkeypatch.setenv("HTTPS_PROXY", proxy_url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with _opened(telegram_root, AiohttpRequest()) as bot:
            with contextlib.suppress(NetworkError):  # the tunnel is refused: far enough
                await bot.delete_message(PERSON, 17)

    head = seen[0].partition(b"\r\n\r\n")[0]
    assert head.startswith(request_line)
    assert b"Proxy-Authorization: Basic YW5uOnNlY3JldA==" in head  # ann:secret


async def test_no_proxy_sends_straight_to_telegram(
    telegram: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a proxy that is not there
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    async with _bot(telegram.url, AiohttpRequest()) as bot:
        await bot.send_message(PERSON, "straight through")

    shown = telegram.last_message(PERSON)
    assert shown is not None and shown.text == "straight through"
