"""A fake Telegram Bot API server on 127.0.0.1, for tests, the console and benchmarks.

python-telegram-bot talks to it over real HTTP (point ``base_url``/``base_file_url`` at
:attr:`FakeBotApi.base_url`/:attr:`FakeBotApi.base_file_url`), so everything from request
encoding to error mapping is exercised exactly as against Telegram. Everything the bot does is
recorded (:attr:`FakeBotApi.calls`) and kept as the chat a person would see
(:meth:`FakeBotApi.messages`); what the person does is queued as updates
(:meth:`FakeBotApi.user_sends`, :meth:`FakeBotApi.user_presses`).

All state lives on the event loop that called :meth:`FakeBotApi.start`; use it from that loop.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self

import httpx
import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiEvent",
    "Button",
    "ChatMessage",
    "FakeBotApi",
    "HtmlParseError",
    "UploadedFile",
    "render_html",
]

JSONDict = dict[str, Any]

DEFAULT_TOKEN = "123456789:" + "A" * 35

MESSAGE_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
KICKED = "Forbidden: bot was kicked from the group chat"
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: BLOCKED,
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

# PTB sends every str parameter as-is and everything else JSON-encoded, so a text of "123" or
# "true" arrives looking like JSON; these parameters are always free text and are never decoded.
_TEXT_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "language_code",
        "action",
        "file_id",
        "business_connection_id",
        "message_effect_id",
        "description",
        "short_description",
        "name",
        "photo",
        "document",
        "ip_address",
    }
)

# Methods that act in one chat: a blocked chat refuses all of them, as Telegram does.
_CHAT_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendChatAction",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "deleteMessage",
    }
)

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_LEADING_COMMAND = re.compile(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")
_MAX_TEXT = 4096
_MAX_CAPTION = 1024


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One multipart file part as the bot uploaded it."""

    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request the bot made, successful or not.

    ``params`` holds the decoded parameters (``chat_id`` is an int, ``reply_markup`` a dict);
    ``at`` is :func:`time.monotonic` when the answer was ready.
    """

    method: str
    params: JSONDict
    at: float
    failed: bool = False
    error_code: int | None = None
    description: str | None = None
    files: dict[str, UploadedFile] = field(default_factory=dict)

    @property
    def chat_id(self) -> int | str | None:
        value = self.params.get("chat_id")
        return value if isinstance(value, int | str) else None


@dataclass(frozen=True, slots=True)
class Button:
    """One keyboard button. Inline buttons carry ``callback_data`` or ``url``; reply-keyboard
    buttons (``inline=False``) send their text when pressed."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    inline: bool = True


@dataclass(slots=True, eq=False)
class ChatMessage:
    """A message as the person sees it; bot messages change in place when edited or deleted.

    ``text`` is what is displayed (the text or the caption, HTML already rendered to plain
    text); ``source`` is what the bot sent before rendering; ``versions`` lists every
    displayed text the message has had, the current one last.
    """

    chat_id: int
    message_id: int
    from_bot: bool
    text: str
    source: str = ""
    parse_mode: str | None = None
    keyboard: list[list[Button]] = field(default_factory=list)
    photo: bytes | None = None
    document: tuple[str, bytes] | None = None
    edits: int = 0
    deleted: bool = False
    versions: list[str] = field(default_factory=list)
    raw: JSONDict = field(default_factory=dict)

    @property
    def buttons(self) -> list[Button]:
        """The keyboard flattened row by row."""
        return [button for row in self.keyboard for button in row]


@dataclass(frozen=True, slots=True)
class ApiEvent:
    """Something the person would notice: a message sent, edited or deleted, or the short
    notice shown after pressing a button (``answered``, with ``text``)."""

    kind: Literal["sent", "edited", "deleted", "answered"]
    method: str
    chat_id: int | None
    message: ChatMessage | None
    text: str | None = None
    show_alert: bool = False


@dataclass(slots=True)
class _Fault:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    chat_id: int | None
    remaining: int


@dataclass(slots=True)
class _Chat:
    json: JSONDict
    messages: list[ChatMessage] = field(default_factory=list)
    by_id: dict[int, ChatMessage] = field(default_factory=dict)
    next_message_id: int = 1
    last_user_id: int | None = None

    @property
    def id(self) -> int:
        chat_id: int = self.json["id"]
        return chat_id


@dataclass(slots=True)
class _StoredFile:
    file_id: str
    unique_id: str
    filename: str
    content: bytes
    mime_type: str
    path: str


class _ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------- HTML


class HtmlParseError(ValueError):
    """Telegram's "can't parse entities" refusal."""


_HTML_SPECIAL = re.compile(r"[<&]")
_HTML_ENTITY = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot));")
_TAG_NAME = re.compile(r"[^\s>/]*")
_TAG_ATTR = re.compile(r"""([A-Za-z0-9_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def _utf16_len(text: str) -> int:
    # Entity offsets count UTF-16 code units, so an emoji outside the BMP counts twice.
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode())


@dataclass(slots=True)
class _OpenTag:
    name: str
    offset: int
    attrs: dict[str, str]
    language: str | None = None


def render_html(source: str) -> tuple[str, list[JSONDict]]:
    """Render Telegram HTML to the displayed text and its entities, as Telegram does.

    Raises :class:`HtmlParseError` with Telegram's wording for what Telegram refuses: unknown
    tags, unclosed or mismatched tags, a bare ``<``.
    """
    if "<" not in source and "&" not in source:
        return source, []
    pieces: list[str] = []
    entities: list[JSONDict] = []
    open_tags: list[_OpenTag] = []
    offset = 0
    i = 0
    end = len(source)
    while i < end:
        special = _HTML_SPECIAL.search(source, i)
        stop = special.start() if special else end
        if stop > i:
            chunk = source[i:stop]
            pieces.append(chunk)
            offset += _utf16_len(chunk)
            i = stop
            continue
        if source[i] == "&":
            match = _HTML_ENTITY.match(source, i)
            if match is None:
                # Telegram keeps an ampersand that starts no known entity as a literal.
                char = "&"
                i += 1
            else:
                hex_code, dec_code, named = match.groups()
                if named:
                    char = _NAMED[named]
                else:
                    code = int(hex_code, 16) if hex_code else int(dec_code)
                    char = chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
                i = match.end()
            pieces.append(char)
            offset += _utf16_len(char)
            continue
        close = source.find(">", i)
        if close < 0:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(source, i)}")
        if source.startswith("</", i):
            name = source[i + 2 : close].strip().lower()
            if not open_tags:
                raise HtmlParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, i)}"
                )
            tag = open_tags.pop()
            if name and name != tag.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, i)}, "
                    f'expected "</{tag.name}>", found "</{name}>"'
                )
            _close_tag(tag, offset, open_tags, entities)
        else:
            inner = source[i + 1 : close]
            name_match = _TAG_NAME.match(inner)
            name = name_match.group().lower() if name_match else ""
            if name not in _HTML_TAGS:
                raise HtmlParseError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, i)}'
                )
            attrs = {
                attr.lower(): html.unescape(dq or sq or bare or "")
                for attr, dq, sq, bare in _TAG_ATTR.findall(inner, len(name))
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise HtmlParseError('Tag "span" must have class "tg-spoiler"')
            if name == "tg-emoji" and not attrs.get("emoji-id"):
                raise HtmlParseError('Tag "tg-emoji" must have attribute "emoji-id"')
            open_tags.append(_OpenTag(name, offset, attrs))
        i = close + 1
    if open_tags:
        raise HtmlParseError(
            f'Can\'t find end tag corresponding to start tag "{open_tags[-1].name}"'
        )
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(pieces), entities


def _close_tag(
    tag: _OpenTag, offset: int, open_tags: list[_OpenTag], entities: list[JSONDict]
) -> None:
    length = offset - tag.offset
    if tag.name == "code" and open_tags and open_tags[-1].name == "pre":
        # <pre><code class="language-x"> is one pre entity with a language, not two entities.
        css = tag.attrs.get("class", "")
        if css.startswith("language-"):
            open_tags[-1].language = css.removeprefix("language-")
        return
    if length <= 0:
        return
    entity: JSONDict = {"type": _HTML_TAGS[tag.name], "offset": tag.offset, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href")
        if not href:
            return
        entity["url"] = href
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    entities.append(entity)


# --------------------------------------------------------------------------- HTTP


def _no_access_log(handler: tornado.web.RequestHandler) -> None:
    """Tornado logs every request by default; at benchmark rates that is the bottleneck."""


class _ApiHandler(tornado.web.RequestHandler):
    def initialize(self, api: FakeBotApi) -> None:
        self.api = api

    def compute_etag(self) -> str | None:
        return None

    async def post(self, token: str, method: str) -> None:
        status, body = await self.api._handle(token, method, self.request)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(body)

    async def get(self, token: str, method: str) -> None:
        await self.post(token, method)


class _FileHandler(tornado.web.RequestHandler):
    def initialize(self, api: FakeBotApi) -> None:
        self.api = api

    def compute_etag(self) -> str | None:
        return None

    def get(self, token: str, path: str) -> None:
        stored = self.api._file_by_path(token, path)
        if stored is None:
            self.set_status(404)
            self.set_header("Content-Type", "application/json")
            self.finish(_error_body(404, "Not Found: file not found"))
            return
        self.set_header("Content-Type", stored.mime_type)
        self.finish(stored.content)


class _NotFoundHandler(tornado.web.RequestHandler):
    def prepare(self) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "application/json")
        self.finish(_error_body(404, "Not Found"))


def _error_body(code: int, description: str, retry_after: int | None = None) -> bytes:
    payload: JSONDict = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        payload["parameters"] = {"retry_after": retry_after}
    return json.dumps(payload).encode()


def _decode_param(name: str, raw: str) -> Any:
    if name in _TEXT_PARAMS or not raw:
        return raw
    if raw[0] in '{["-0123456789tfn':
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _image_size(data: bytes) -> tuple[int, int]:
    # Charts are PNGs; reading the IHDR header is enough to report real dimensions.
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 0, 0


def _parse_keyboard(markup: Any) -> list[list[Button]]:
    if not isinstance(markup, dict):
        return []
    if "inline_keyboard" in markup:
        return [
            [
                Button(
                    text=str(button.get("text", "")),
                    callback_data=button.get("callback_data"),
                    url=button.get("url"),
                )
                for button in row
            ]
            for row in markup["inline_keyboard"]
        ]
    if "keyboard" in markup:
        return [
            [
                Button(
                    text=str(button if isinstance(button, str) else button.get("text", "")),
                    inline=False,
                )
                for button in row
            ]
            for row in markup["keyboard"]
        ]
    return []


def _validate_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise _bad("BUTTON_TEXT_EMPTY")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise _bad("BUTTON_DATA_INVALID")
            if data is None and not any(
                key in button
                for key in (
                    "url",
                    "web_app",
                    "login_url",
                    "switch_inline_query",
                    "switch_inline_query_current_chat",
                    "switch_inline_query_chosen_chat",
                    "copy_text",
                    "callback_game",
                    "pay",
                )
            ):
                raise _bad("text buttons are unallowed in the inline keyboard")


def _inline_markup(markup: Any) -> JSONDict | None:
    # Only inline keyboards belong to a message; reply keyboards belong to the chat input.
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


# --------------------------------------------------------------------------- the server


class FakeBotApi:
    """A Telegram Bot API double served over HTTP on a free local port."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_id: int = 123456789,
        username: str = "limber_test_bot",
        *,
        first_name: str = "Limber",
        strict_chats: bool = False,
    ) -> None:
        """``strict_chats``: refuse sends to chats no person has written from, as Telegram
        does ("chat not found"); off by default so benchmarks can message any id."""
        self.token = token
        self.bot_id = bot_id
        self.username = username
        self.strict_chats = strict_chats
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.url = ""
        self.calls: list[ApiCall] = []
        self.blocked_chats: set[int] = set()
        self.on_event: Callable[[ApiEvent], None] | None = None
        # Exceptions raised inside the fake itself (answered as 500); a test can assert none.
        self.errors: list[BaseException] = []
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_allowed_updates: list[str] | None = None
        self.pending_updates: list[JSONDict] = []

        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, JSONDict] = {}
        self._faults: list[_Fault] = []
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._issued_callbacks: set[str] = set()
        self._answered_callbacks: set[str] = set()
        self._update_arrived = asyncio.Event()
        self._closing = False
        self._server: tornado.httpserver.HTTPServer | None = None
        self._client: httpx.AsyncClient | None = None
        self._methods: dict[str, tuple[str, Callable[[JSONDict, dict[str, UploadedFile]], Any]]]
        self._methods = {
            name.lower(): (name, handler)
            for name, handler in (
                ("getMe", self._get_me),
                ("logOut", self._true),
                ("close", self._true),
                ("setWebhook", self._set_webhook),
                ("deleteWebhook", self._delete_webhook),
                ("getWebhookInfo", self._get_webhook_info),
                ("setMyCommands", self._set_my_commands),
                ("getMyCommands", self._get_my_commands),
                ("deleteMyCommands", self._delete_my_commands),
                ("setMyDescription", self._set_description("description")),
                ("getMyDescription", self._get_description("description")),
                ("setMyShortDescription", self._set_description("short_description")),
                ("getMyShortDescription", self._get_description("short_description")),
                ("setChatMenuButton", self._set_chat_menu_button),
                ("getChatMenuButton", self._get_chat_menu_button),
                ("sendMessage", self._send_message),
                ("sendPhoto", self._send_photo),
                ("sendDocument", self._send_document),
                ("sendChatAction", self._send_chat_action),
                ("editMessageText", self._edit_message_text),
                ("editMessageCaption", self._edit_message_caption),
                ("editMessageReplyMarkup", self._edit_message_reply_markup),
                ("deleteMessage", self._delete_message),
                ("answerCallbackQuery", self._answer_callback_query),
                ("getFile", self._get_file),
                # Long polling is the one method that waits; _handle awaits it separately.
                ("getUpdates", self._true),
            )
        }

    # ----------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (port 0: a free one) and set :attr:`url`."""
        if self._server is not None:
            raise RuntimeError("FakeBotApi is already started")
        app = tornado.web.Application(
            [
                (r"/bot([^/]*)/([^/]*)", _ApiHandler, {"api": self}),
                (r"/file/bot([^/]*)/(.*)", _FileHandler, {"api": self}),
            ],
            default_handler_class=_NotFoundHandler,
            log_function=_no_access_log,
        )
        sockets = tornado.netutil.bind_sockets(port, host)
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        bound_port = sockets[0].getsockname()[1]
        self._closing = False
        # stop() leaves the event set to release pollers; a restarted server needs a fresh one.
        self._update_arrived = asyncio.Event()
        self.url = f"http://{host}:{bound_port}"

    async def stop(self) -> None:
        """Answer waiting long polls, close every connection and stop listening."""
        self._closing = True
        self._update_arrived.set()
        if self._server is not None:
            server, self._server = self._server, None
            server.stop()
            await server.close_all_connections()
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What to pass to ``ApplicationBuilder().base_url(...)``."""
        return f"{self._started_url()}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass to ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self._started_url()}/file/bot"

    def _started_url(self) -> str:
        if not self.url:
            raise RuntimeError("FakeBotApi has no URL until start() has been awaited")
        return self.url

    # ----------------------------------------------------------------- inspection

    def calls_to(
        self, method: str, *, chat_id: int | None = None, failed: bool | None = None
    ) -> list[ApiCall]:
        """Calls to ``method`` (any case), failed ones included unless ``failed`` says."""
        wanted = method.lower()
        return [
            call
            for call in self.calls
            if call.method.lower() == wanted
            and (chat_id is None or call.chat_id == chat_id)
            and (failed is None or call.failed == failed)
        ]

    def clear_calls(self) -> None:
        self.calls.clear()

    def messages(self, chat_id: int) -> list[ChatMessage]:
        """The chat in order: the person's and the bot's messages, deleted ones flagged."""
        chat = self._chats.get(chat_id)
        return list(chat.messages) if chat else []

    def last_message(self, chat_id: int, *, from_bot: bool | None = True) -> ChatMessage | None:
        """The newest message still shown; by default the bot's (``from_bot=None``: anyone's)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return None
        for message in reversed(chat.messages):
            if not message.deleted and (from_bot is None or message.from_bot == from_bot):
                return message
        return None

    def message_with_buttons(self, chat_id: int) -> ChatMessage | None:
        """The newest bot message still shown that has a keyboard."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return None
        for message in reversed(chat.messages):
            if message.from_bot and not message.deleted and message.keyboard:
                return message
        return None

    def buttons(self, chat_id: int) -> list[Button]:
        """The buttons of :meth:`message_with_buttons`, row by row; empty if none."""
        message = self.message_with_buttons(chat_id)
        return message.buttons if message else []

    def file(self, file_id: str) -> tuple[str, bytes] | None:
        """A file the bot uploaded, by the ``file_id`` Telegram gave it: (name, bytes)."""
        stored = self._files.get(file_id)
        return (stored.filename, stored.content) if stored else None

    # ----------------------------------------------------------------- fault injection

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls to ``method`` (to ``chat_id``, if given) fail.

        Without a description, Telegram's usual one for the code is used ("Too Many
        Requests: retry after N" for 429).
        """
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after or 1}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        if error_code == 429 and retry_after is None:
            retry_after = 1
        self._faults.append(
            _Fault(method.lower(), error_code, description, retry_after, chat_id, times)
        )

    def _take_fault(self, method: str, params: JSONDict) -> _Fault | None:
        if not self._faults:
            return None
        wanted = method.lower()
        for fault in self._faults:
            if fault.method == wanted and (
                fault.chat_id is None or params.get("chat_id") == fault.chat_id
            ):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ----------------------------------------------------------------- the person

    def user_sends(
        self,
        text: str,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        first_name: str = "Alex",
        language_code: str = "en",
        chat_type: str = "private",
        enqueue: bool = True,
    ) -> JSONDict:
        """The person types ``text``: returns the message Update (queued for getUpdates unless
        ``enqueue`` is false) and adds the message to the chat."""
        chat_id = user_id if chat_id is None else chat_id
        user = self._user(user_id, first_name, language_code)
        chat = self._ensure_chat(chat_id, chat_type=chat_type, first_name=first_name)
        chat.last_user_id = user_id
        message_id = chat.next_message_id
        chat.next_message_id += 1
        raw: JSONDict = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat.json,
            "from": user,
            "text": text,
        }
        command = _LEADING_COMMAND.match(text)
        if command:
            # CommandHandler only fires on a bot_command entity at offset 0.
            raw["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command.group())}
            ]
        self._append(
            chat,
            ChatMessage(
                chat_id=chat_id,
                message_id=message_id,
                from_bot=False,
                text=text,
                source=text,
                versions=[text],
                raw=raw,
            ),
        )
        update = {"update_id": next(self._update_ids), "message": raw}
        if enqueue:
            self._enqueue(update)
        return update

    def user_presses(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        user_id: int | None = None,
        check: bool = True,
        enqueue: bool = True,
    ) -> JSONDict:
        """The person presses a button: returns the callback_query Update (queued unless
        ``enqueue`` is false).

        ``user_id`` defaults to whoever last wrote in the chat. With ``check``, the message
        must be a shown bot message with a button carrying ``callback_data``; pass
        ``check=False`` to forge presses.
        """
        chat = self._chats.get(chat_id)
        message = chat.by_id.get(message_id) if chat else None
        if chat is None or message is None:
            raise ValueError(f"chat {chat_id} has no message {message_id}")
        if check:
            if not message.from_bot or message.deleted:
                raise ValueError(f"message {message_id} is not a bot message still shown")
            offered = [button.callback_data for button in message.buttons]
            if callback_data not in offered:
                raise ValueError(
                    f"message {message_id} has no button with callback_data "
                    f"{callback_data!r}; it offers {offered}"
                )
        presser = user_id if user_id is not None else (chat.last_user_id or chat_id)
        user = self._users.get(presser) or self._user(presser, "Alex", "en")
        query_id = str(4_000_000_000_000 + next(self._callback_ids))
        self._issued_callbacks.add(query_id)
        update = {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": query_id,
                "from": user,
                "message": message.raw,
                "chat_instance": str(7_000_000_000 + chat_id),
                "data": callback_data,
            },
        }
        if enqueue:
            self._enqueue(update)
        return update

    def user_presses_button(
        self, chat_id: int, text: str, *, user_id: int | None = None, enqueue: bool = True
    ) -> JSONDict:
        """Press the callback button labelled ``text`` on the newest message with buttons."""
        message = self.message_with_buttons(chat_id)
        labels = [button.text for button in message.buttons] if message else []
        for button in message.buttons if message else []:
            if button.text == text and button.callback_data is not None:
                assert message is not None
                return self.user_presses(
                    chat_id,
                    message.message_id,
                    button.callback_data,
                    user_id=user_id,
                    enqueue=enqueue,
                )
        raise ValueError(f"no callback button {text!r} in chat {chat_id}; buttons: {labels}")

    def _user(self, user_id: int, first_name: str, language_code: str) -> JSONDict:
        user: JSONDict = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        self._users[user_id] = user
        return user

    def _ensure_chat(self, chat_id: int, *, chat_type: str, first_name: str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat_json: JSONDict = {"id": chat_id, "type": chat_type}
            if chat_type == "private":
                chat_json["first_name"] = first_name
            else:
                chat_json["title"] = f"Group {chat_id}"
            chat = _Chat(json=chat_json)
            self._chats[chat_id] = chat
        return chat

    def _enqueue(self, update: JSONDict) -> None:
        self.pending_updates.append(update)
        # Wake every waiting long poll; later waiters get a fresh event.
        self._update_arrived.set()
        self._update_arrived = asyncio.Event()

    # ----------------------------------------------------------------- waiting

    # A timeout argument rather than asyncio.timeout(): every wait in a test must be bounded,
    # and a default bound cannot be forgotten.
    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        what: str = "condition",
    ) -> None:
        """Poll ``predicate`` every 10 ms; AssertionError naming the recent calls on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() >= deadline:
                raise AssertionError(
                    f"{what} not met within {timeout:g} s; recent calls: {self._recent_calls()}"
                )
            await asyncio.sleep(0.01)

    async def wait_for_call(
        self,
        method: str,
        *,
        count: int = 1,
        chat_id: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[ApiCall]:
        """Wait until ``count`` calls to ``method`` (failed ones too, counted since the start
        or :meth:`clear_calls`) have been answered; returns them all."""
        await self.wait_for(
            lambda: len(self.calls_to(method, chat_id=chat_id)) >= count,
            timeout,
            what=f"{count} call(s) to {method}" + (f" for chat {chat_id}" if chat_id else ""),
        )
        return self.calls_to(method, chat_id=chat_id)

    def _recent_calls(self, last: int = 10) -> str:
        if not self.calls:
            return "none"
        return ", ".join(
            f"{call.method}(chat_id={call.chat_id})"
            + (f" -> {call.error_code}" if call.failed else "")
            for call in self.calls[-last:]
        )

    # ----------------------------------------------------------------- webhooks

    async def post_webhook(self, url: str, update: JSONDict, secret: str | None = None) -> int:
        """POST ``update`` to a webhook as Telegram would; returns the HTTP status."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=10.0)
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        response = await self._client.post(url, json=update, headers=headers)
        return response.status_code

    async def deliver_webhook(self, update: JSONDict) -> int:
        """POST ``update`` to the webhook the bot registered, with its secret."""
        if not self.webhook_url:
            raise RuntimeError("the bot has not called setWebhook")
        return await self.post_webhook(self.webhook_url, update, self.webhook_secret)

    # ----------------------------------------------------------------- request handling

    async def _handle(
        self, token: str, method_name: str, request: tornado.httputil.HTTPServerRequest
    ) -> tuple[int, bytes]:
        entry = self._methods.get(method_name.lower())
        method = entry[0] if entry else method_name
        try:
            params, files = self._parse(request)
        except ValueError as exc:
            return self._fail(method, {}, {}, _bad(f"can't parse request: {exc}"))
        if token != self.token:
            return self._fail(method, params, files, _ApiError(401, "Unauthorized"))
        if entry is None:
            return self._fail(method, params, files, _ApiError(404, "Not Found: method not found"))
        try:
            fault = self._take_fault(method, params)
            if fault is not None:
                raise _ApiError(fault.error_code, fault.description, fault.retry_after)
            if method in _CHAT_METHODS:
                self._refuse_blocked(params)
            if method == "getUpdates":
                result = await self._get_updates(params)
            else:
                result = entry[1](params, files)
        except _ApiError as exc:
            return self._fail(method, params, files, exc)
        except Exception as exc:  # a bug in the fake must not look like a Telegram answer
            self.errors.append(exc)
            return self._fail(
                method, params, files, _ApiError(500, f"Internal Server Error: fake: {exc!r}")
            )
        self.calls.append(ApiCall(method, params, time.monotonic(), files=files))
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _fail(
        self, method: str, params: JSONDict, files: dict[str, UploadedFile], error: _ApiError
    ) -> tuple[int, bytes]:
        self.calls.append(
            ApiCall(
                method,
                params,
                time.monotonic(),
                failed=True,
                error_code=error.code,
                description=error.description,
                files=files,
            )
        )
        return error.code, _error_body(error.code, error.description, error.retry_after)

    @staticmethod
    def _parse(
        request: tornado.httputil.HTTPServerRequest,
    ) -> tuple[JSONDict, dict[str, UploadedFile]]:
        if request.headers.get("Content-Type", "").startswith("application/json"):
            decoded = json.loads(request.body) if request.body else {}
            if not isinstance(decoded, dict):
                raise ValueError("the JSON body is not an object")
            return decoded, {}
        params = {
            name: _decode_param(name, values[-1].decode())
            for name, values in request.arguments.items()
            if values
        }
        files = {
            name: UploadedFile(parts[0].filename, parts[0].body, parts[0].content_type)
            for name, parts in request.files.items()
            if parts
        }
        return params, files

    def _refuse_blocked(self, params: JSONDict) -> None:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, int) and chat_id in self.blocked_chats:
            chat = self._chats.get(chat_id)
            private = chat is None or chat.json["type"] == "private"
            raise _ApiError(403, BLOCKED if private else KICKED)

    def _emit(
        self,
        kind: Literal["sent", "edited", "deleted", "answered"],
        method: str,
        chat_id: int | None,
        message: ChatMessage | None,
        text: str | None = None,
        show_alert: bool = False,
    ) -> None:
        if self.on_event is not None:
            self.on_event(ApiEvent(kind, method, chat_id, message, text, show_alert))

    def _file_by_path(self, token: str, path: str) -> _StoredFile | None:
        return self._files_by_path.get(path) if token == self.token else None

    # ----------------------------------------------------------------- methods

    def _true(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        return True

    def _get_me(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        return self.bot_user

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = float(params.get("timeout") or 0)
        if offset > 0:
            # An offset confirms every earlier update: Telegram forgets them.
            self.pending_updates = [u for u in self.pending_updates if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if offset < 0:
                batch = self.pending_updates[offset:][:limit]
            else:
                batch = self.pending_updates[:limit]
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                return batch
            try:
                await asyncio.wait_for(self._update_arrived.wait(), remaining)
            except TimeoutError:
                return []

    def _set_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith(("http://", "https://")):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        secret = params.get("secret_token")
        self.webhook_secret = str(secret) if secret else None
        allowed = params.get("allowed_updates")
        self.webhook_allowed_updates = allowed if isinstance(allowed, list) else None
        if params.get("drop_pending_updates") is True:
            self.pending_updates.clear()
        return True

    def _delete_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        self.webhook_url = ""
        self.webhook_secret = None
        if params.get("drop_pending_updates") is True:
            self.pending_updates.clear()
        return True

    def _get_webhook_info(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending_updates),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            if self.webhook_allowed_updates is not None:
                info["allowed_updates"] = self.webhook_allowed_updates
        return info

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("parameter commands is required")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            description = command.get("description", "") if isinstance(command, dict) else ""
            if not _COMMAND_NAME.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = commands
        return True

    def _get_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        return self.commands.get(self._commands_key(params), [])

    def _delete_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _set_description(self, kind: str) -> Callable[[JSONDict, dict[str, UploadedFile]], bool]:
        def handler(params: JSONDict, files: dict[str, UploadedFile]) -> bool:
            key = (kind, str(params.get("language_code") or ""))
            self.descriptions[key] = str(params.get(kind) or "")
            return True

        return handler

    def _get_description(
        self, kind: str
    ) -> Callable[[JSONDict, dict[str, UploadedFile]], JSONDict]:
        def handler(params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
            key = (kind, str(params.get("language_code") or ""))
            return {kind: self.descriptions.get(key, "")}

        return handler

    def _set_chat_menu_button(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        chat_id = params.get("chat_id")
        self.menu_buttons[chat_id if isinstance(chat_id, int) else None] = params.get(
            "menu_button"
        ) or {"type": "default"}
        return True

    def _get_chat_menu_button(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat_id = params.get("chat_id")
        return self.menu_buttons.get(
            chat_id if isinstance(chat_id, int) else None, {"type": "commands"}
        )

    # ---- sending

    def _target_chat(self, params: JSONDict) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if not isinstance(chat_id, int):
            raise _bad("chat not found")
        chat = self._chats.get(chat_id)
        if chat is None:
            if self.strict_chats:
                raise _bad("chat not found")
            chat_type = "private" if chat_id > 0 else "group"
            chat = self._ensure_chat(chat_id, chat_type=chat_type, first_name="User")
        return chat

    @staticmethod
    def _render(source: str, parse_mode: Any, what: str, limit: int) -> tuple[str, list[JSONDict]]:
        if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
            try:
                text, entities = render_html(source)
            except HtmlParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        else:
            # Markdown is passed through as typed; Limber writes HTML.
            text, entities = source, []
        if len(text) > limit:
            raise _bad(f"message {what} is too long")
        return text, entities

    def _bot_message(
        self,
        chat: _Chat,
        *,
        text: str,
        source: str,
        parse_mode: str | None,
        content: JSONDict,
        markup: Any,
        photo: bytes | None = None,
        document: tuple[str, bytes] | None = None,
    ) -> ChatMessage:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        raw: JSONDict = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": chat.json,
            "date": int(time.time()),
            **content,
        }
        inline = _inline_markup(markup)
        if inline is not None:
            raw["reply_markup"] = inline
        message = ChatMessage(
            chat_id=chat.id,
            message_id=message_id,
            from_bot=True,
            text=text,
            source=source,
            parse_mode=parse_mode,
            keyboard=_parse_keyboard(markup),
            photo=photo,
            document=document,
            versions=[text],
            raw=raw,
        )
        self._append(chat, message)
        return message

    @staticmethod
    def _append(chat: _Chat, message: ChatMessage) -> None:
        chat.messages.append(message)
        chat.by_id[message.message_id] = message

    def _send_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._target_chat(params)
        source = params.get("text")
        if not isinstance(source, str) or not source.strip():
            raise _bad("message text is empty")
        parse_mode = params.get("parse_mode")
        text, entities = self._render(source, parse_mode, "text", _MAX_TEXT)
        if not text.strip():
            raise _bad("message text is empty")
        markup = params.get("reply_markup")
        _validate_markup(markup)
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        message = self._bot_message(
            chat,
            text=text,
            source=source,
            parse_mode=parse_mode if isinstance(parse_mode, str) else None,
            content=content,
            markup=markup,
        )
        self._emit("sent", "sendMessage", chat.id, message)
        return message.raw

    def _caption(self, params: JSONDict) -> tuple[JSONDict, str, str, str | None]:
        source = params.get("caption")
        if not isinstance(source, str) or not source:
            return {}, "", "", None
        parse_mode = params.get("parse_mode")
        text, entities = self._render(source, parse_mode, "caption", _MAX_CAPTION)
        content: JSONDict = {"caption": text}
        if entities:
            content["caption_entities"] = entities
        return content, text, source, parse_mode if isinstance(parse_mode, str) else None

    def _upload(
        self, params: JSONDict, files: dict[str, UploadedFile], field_name: str, folder: str
    ) -> _StoredFile:
        value = params.get(field_name)
        upload = files.get(field_name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        if upload is not None:
            number = next(self._file_ids)
            extension = upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "bin"
            stored = _StoredFile(
                file_id=f"fake-{field_name}-{number}",
                unique_id=f"unique{number}",
                filename=upload.filename,
                content=upload.content,
                mime_type=upload.content_type or "application/octet-stream",
                path=f"{folder}/file_{number}.{extension}",
            )
            self._files[stored.file_id] = stored
            self._files_by_path[stored.path] = stored
            return stored
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            # The fake never fetches URLs; the message shows an empty file of that name.
            number = next(self._file_ids)
            name = value.rsplit("/", 1)[-1] or "file"
            stored = _StoredFile(
                f"fake-{field_name}-{number}", f"unique{number}", name, b"", "", f"url/{number}"
            )
            self._files[stored.file_id] = stored
            return stored
        if value in (None, ""):
            raise _bad(f"there is no {field_name} in the request")
        raise _bad("wrong file identifier/HTTP URL specified")

    def _send_photo(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._target_chat(params)
        stored = self._upload(params, files, "photo", "photos")
        content, text, source, parse_mode = self._caption(params)
        markup = params.get("reply_markup")
        _validate_markup(markup)
        width, height = _image_size(stored.content)
        content["photo"] = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.unique_id,
                "width": width,
                "height": height,
                "file_size": len(stored.content),
            }
        ]
        message = self._bot_message(
            chat,
            text=text,
            source=source,
            parse_mode=parse_mode,
            content=content,
            markup=markup,
            photo=stored.content,
        )
        self._emit("sent", "sendPhoto", chat.id, message)
        return message.raw

    def _send_document(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._target_chat(params)
        stored = self._upload(params, files, "document", "documents")
        content, text, source, parse_mode = self._caption(params)
        markup = params.get("reply_markup")
        _validate_markup(markup)
        content["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_name": stored.filename,
            "mime_type": stored.mime_type,
            "file_size": len(stored.content),
        }
        message = self._bot_message(
            chat,
            text=text,
            source=source,
            parse_mode=parse_mode,
            content=content,
            markup=markup,
            document=(stored.filename, stored.content),
        )
        self._emit("sent", "sendDocument", chat.id, message)
        return message.raw

    def _send_chat_action(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        self._target_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _get_file(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.content),
            "file_path": stored.path,
        }

    # ---- editing

    def _editable(self, params: JSONDict, action: str) -> ChatMessage | None:
        """The bot message an edit/delete targets; None for inline messages (not kept)."""
        if params.get("inline_message_id"):
            return None
        chat = self._target_chat(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        message = chat.by_id.get(message_id) if isinstance(message_id, int) else None
        if message is None or message.deleted:
            raise _bad(f"message to {action} not found")
        if not message.from_bot and action != "delete":
            raise _bad("message can't be edited")
        return message

    def _apply_edit(
        self,
        message: ChatMessage,
        method: str,
        *,
        content: JSONDict,
        drop: Iterable[str],
        markup: Any,
        text: str | None = None,
        source: str | None = None,
        parse_mode: str | None = None,
    ) -> JSONDict:
        _validate_markup(markup)
        inline = _inline_markup(markup)
        skip = {*drop, "edit_date", "reply_markup"}
        raw = {key: value for key, value in message.raw.items() if key not in skip}
        raw.update(content)
        if inline is not None:
            raw["reply_markup"] = inline
        before = {key: value for key, value in message.raw.items() if key != "edit_date"}
        if raw == before:
            raise _bad(MESSAGE_NOT_MODIFIED.removeprefix("Bad Request: "))
        raw["edit_date"] = int(time.time())
        # A fresh dict, so updates that captured the old message JSON keep showing it.
        message.raw = raw
        message.keyboard = _parse_keyboard(raw.get("reply_markup"))
        if text is not None:
            message.text = text
            message.source = source or ""
            message.parse_mode = parse_mode
            message.versions.append(text)
        message.edits += 1
        self._emit("edited", method, message.chat_id, message)
        return raw

    def _edit_message_text(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        message = self._editable(params, "edit")
        source = params.get("text")
        if not isinstance(source, str) or not source.strip():
            raise _bad("message text is empty")
        parse_mode = params.get("parse_mode")
        text, entities = self._render(source, parse_mode, "text", _MAX_TEXT)
        if message is None:
            return True
        if "text" not in message.raw:
            raise _bad("there is no text in the message to edit")
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        return self._apply_edit(
            message,
            "editMessageText",
            content=content,
            drop=("text", "entities"),
            markup=params.get("reply_markup"),
            text=text,
            source=source,
            parse_mode=parse_mode if isinstance(parse_mode, str) else None,
        )

    def _edit_message_caption(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        message = self._editable(params, "edit")
        content, text, source, parse_mode = self._caption(params)
        if message is None:
            return True
        if "photo" not in message.raw and "document" not in message.raw:
            raise _bad("there is no caption in the message to edit")
        return self._apply_edit(
            message,
            "editMessageCaption",
            content=content,
            drop=("caption", "caption_entities"),
            markup=params.get("reply_markup"),
            text=text,
            source=source,
            parse_mode=parse_mode,
        )

    def _edit_message_reply_markup(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        message = self._editable(params, "edit")
        if message is None:
            return True
        return self._apply_edit(
            message,
            "editMessageReplyMarkup",
            content={},
            drop=(),
            markup=params.get("reply_markup"),
        )

    def _delete_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        message = self._editable(params, "delete")
        if message is None:
            return True
        message.deleted = True
        self._emit("deleted", "deleteMessage", message.chat_id, message)
        return True

    def _answer_callback_query(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        query_id = params.get("callback_query_id")
        if not query_id:
            raise _bad("query_id is empty")
        query_id = str(query_id)
        # Hand-built updates carry ids the fake never issued; only a second answer to one of
        # ours is refused, as Telegram refuses it.
        if query_id in self._answered_callbacks:
            raise _ApiError(400, QUERY_TOO_OLD)
        if query_id in self._issued_callbacks:
            self._answered_callbacks.add(query_id)
        text = params.get("text")
        if isinstance(text, str) and text:
            self._emit(
                "answered",
                "answerCallbackQuery",
                None,
                None,
                text=text,
                show_alert=params.get("show_alert") is True,
            )
        return True
