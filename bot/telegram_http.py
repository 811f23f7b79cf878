"""How the bot talks HTTP to Telegram: python-telegram-bot's request interface over aiohttp.

PTB's default transport (httpx + httpcore) costs about 1.2 ms of CPU per request on the
benchmark machine; aiohttp does the same request for about 0.3 ms (bench/README.md, "HTTP
client ceiling"). At a thousand nudges a second that is the difference between the bot's
one core being enough or not. Everything above the transport stays PTB's own: error
mapping from Telegram's answers, the rate limiter, Message parsing.

What a failure becomes, for the dispatcher's retry rules:

- no connection could be had (refused, DNS, TLS, or none free in the pool in time):
  ``NetworkError`` saying the request was not sent — safe to try again;
- connected but no answer in time: ``TimedOut`` — Telegram may have acted on it, so a
  caller must not blindly resend;
- the connection broke while the request was in flight: ``NetworkError``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

_DEFAULT = BaseRequest.DEFAULT_NONE
_Proxy = tuple[URL | None, dict[str, str] | None]  # the proxy and its headers


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of ``connection_pool_size`` keep-alive connections.

    Timeouts mirror PTB's HTTPXRequest defaults. aiohttp has no per-write timeout, so the
    write timeout (the media one for uploads) bounds the whole request together with the
    others: total = pool + connect + write + read, when all of them are finite.
    """

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], _Proxy] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Not trust_env: aiohttp would then read ~/.netrc and the proxy variables again
            # on every request (1.4 ms of CPU each here); _proxy_for reads them once.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0),
                cookie_jar=aiohttp.DummyCookieJar(),  # Telegram sets no cookies worth keeping
                headers={"User-Agent": self.USER_AGENT},
            )
            self._proxies.clear()

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = _DEFAULT,
        write_timeout: Any = _DEFAULT,
        connect_timeout: Any = _DEFAULT,
        pool_timeout: Any = _DEFAULT,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data and request_data.contains_files else {}
        timeout = self._timeout(
            read_timeout, write_timeout, connect_timeout, pool_timeout, media=bool(files)
        )
        body, headers = _body(request_data, files)
        proxy, proxy_headers = self._proxy_for(url)
        if proxy_headers and url.startswith("http:"):
            # aiohttp sends proxy_headers with the CONNECT of an https tunnel only; a plain
            # http request through a proxy carries them itself.
            headers = headers | proxy_headers
        try:
            async with session.request(
                method,
                url,
                data=body,
                timeout=timeout,
                headers=headers,
                proxy=proxy,
                proxy_headers=proxy_headers,
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as error:
            raise NetworkError(
                "Connection timeout: no connection to Telegram in time; the request was not sent"
            ) from error
        except aiohttp.ClientConnectorError as error:
            raise NetworkError(f"Could not connect, the request was not sent: {error}") from error
        except TimeoutError as error:  # SocketTimeoutError included: connected, no answer
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def _proxy_for(self, url: str) -> _Proxy:
        """HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as PTB's httpx transport honours them; looked up
        once per scheme and host (the bot talks to one or two)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            found = None if proxy_bypass(key[1]) else getproxies().get(key[0])
            if found is None:
                self._proxies[key] = (None, None)
            else:
                proxy = URL(found)
                auth = aiohttp.BasicAuth.from_url(proxy)
                headers = {"Proxy-Authorization": auth.encode()} if auth else None
                self._proxies[key] = (proxy.with_user(None), headers)
        return self._proxies[key]

    def _timeout(
        self, read: Any, write: Any, connect: Any, pool: Any, *, media: bool
    ) -> aiohttp.ClientTimeout:
        read = self._read_timeout if read is _DEFAULT else read
        if write is _DEFAULT:
            write = self._media_write_timeout if media else self._write_timeout
        connect = self._connect_timeout if connect is _DEFAULT else connect
        pool = self._pool_timeout if pool is _DEFAULT else pool
        parts = (pool, connect, write, read)
        total = None if any(p is None for p in parts) else sum(parts)
        # aiohttp's "connect" covers waiting for a free pooled connection and opening a new
        # one; "sock_connect" the opening alone.
        acquire = None if pool is None or connect is None else pool + connect
        return aiohttp.ClientTimeout(
            total=total, connect=acquire, sock_connect=connect, sock_read=read
        )


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _body(request_data: RequestData | None, files: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """The body and its headers: form fields as PTB sends them (values already JSON-encoded),
    multipart when there are files. The form is encoded here: handing aiohttp a dict costs
    a third of its time per request."""
    if not files:
        if request_data is None or not request_data.parameters:
            return None, {}
        return request_data.url_encoded_parameters().encode(), _FORM
    form = aiohttp.FormData()
    for name, value in (request_data.json_parameters if request_data else {}).items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form, {}
