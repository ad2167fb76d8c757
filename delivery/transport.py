"""PTB's `BaseRequest` over one aiohttp session: the Bot API transport of the delivery engine.

Why not PTB's HTTPXRequest: profiled in the 20-tenant bench, httpx/httpcore took about half of
a worker's CPU per sendMessage (httpcore scans every pooled connection with a readability
syscall on each request, and retries a failing `import sniffio` on each one). aiohttp's client
(C HTTP parser) does the same round trip for a fraction of that.

PTB keeps doing what it is trusted with: `BaseRequest.post` parses the answer and raises its
own exception types (RetryAfter, Forbidden, BadRequest, ChatMigrated, InvalidToken, ...), so
`outcome.classify` stays the one place that maps Telegram's answers. Transport failures are
wrapped the way HTTPXRequest wraps httpx's: timeouts become `TimedOut` (with the aiohttp error
as `__cause__`, so a connect/pool timeout is known never to have left), everything else
`NetworkError`. A request with files (sendPhoto, sendDocument) goes as multipart/form-data.
"""

from __future__ import annotations

import json
import logging
import mimetypes
from typing import Any
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from delivery.redact import redact
from perezvon.ratelog import quiet

log = logging.getLogger(__name__)
JSON = {"Content-Type": "application/json"}
OCTETS = "application/octet-stream"


class JsonParams(RequestData):
    """Ready-made JSON parameters of a text method, without a RequestParameter each."""

    __slots__ = ("_json",)

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__()
        self._json = params

    @property
    def parameters(self) -> dict[str, Any]:
        return self._json


class FileParams(RequestData):
    """A method's parameters and one file: sent as multipart/form-data."""

    __slots__ = ("_fields", "_file")

    def __init__(self, params: dict[str, Any], field: str, filename: str, data: bytes) -> None:
        super().__init__()
        self.contains_files = True
        self._fields = params
        self._file = (field, filename, data)

    @property
    def parameters(self) -> dict[str, Any]:
        return self._fields

    @property
    def json_parameters(self) -> dict[str, str]:
        """Text as it is, everything else as JSON (Telegram reads `reply_markup` so)."""
        return {
            k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            for k, v in self._fields.items()
        }

    @property
    def multipart_data(self) -> dict[str, tuple[str, bytes, str]]:  # type: ignore[override]
        field, filename, data = self._file
        return {field: (filename, data, mimetypes.guess_type(filename)[0] or OCTETS)}


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    """The fields as text (objects as JSON, as Telegram reads them) and the files as parts."""
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form


def _seconds(value: object, default: float | None) -> float | None:
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value  # type: ignore[return-value]


# The logger of PTB's BaseRequest (its answer parsing), which every request of ours goes through.
REQUEST_LOGGER = "telegram.request.BaseRequest"


class AiohttpRequest(BaseRequest):
    """One pooled aiohttp session for every bot token; bodies are JSON."""

    def __init__(
        self,
        connections: int = 64,
        read_timeout: float = 10.0,
        connect_timeout: float = 5.0,
        pool_timeout: float = 10.0,
    ) -> None:
        self._connections = connections
        self._read = read_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}
        # PTB logs every answer it cannot parse (a proxy's HTML 502 page) with a traceback: in
        # an outage, one per request. One line per kind per minute instead.
        quiet([REQUEST_LOGGER])

    @property
    def read_timeout(self) -> float:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._connections, ttl_dns_cache=300, enable_cleanup_closed=False
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                skip_auto_headers=("Accept-Encoding",),
                auto_decompress=False,
            )

    def _proxy(self, url: str) -> str | None:
        """HTTPS_PROXY / HTTP_PROXY / NO_PROXY as httpx (PTB's default transport) honours them;
        read once per origin (aiohttp's trust_env would also read ~/.netrc in a thread per
        request)."""
        origin = "/".join(url.split("/", 3)[:3])
        if origin not in self._proxies:
            scheme, _, host = origin.partition("://")
            proxy = None if proxy_bypass(host.split(":")[0]) else getproxies().get(scheme)
            self._proxies[origin] = proxy
        return self._proxies[origin]

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        if request_data is not None and request_data.contains_files:
            data, headers = _multipart(request_data), None
        else:
            params = request_data.parameters if request_data else {}
            data, headers = json.dumps(params, ensure_ascii=False).encode(), JSON
        read = _seconds(read_timeout, self._read)
        connect = _seconds(connect_timeout, self._connect)
        pool = _seconds(pool_timeout, self._pool)
        # aiohttp's `connect` covers waiting for a pooled connection and connecting.
        wait = None if pool is None and connect is None else (pool or 0.0) + (connect or 0.0)
        timeout = aiohttp.ClientTimeout(
            total=None, connect=wait, sock_connect=connect, sock_read=read
        )
        try:
            async with self._session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=timeout,
                proxy=self._proxy(url),
            ) as res:
                payload = await res.read()
        except aiohttp.ConnectionTimeoutError as err:
            # outcome.py reads the cause: this one never left, so a retry cannot duplicate.
            raise TimedOut("connect timeout: the request was not sent") from err
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # aiohttp puts the URL (with the token) into some messages.
            raise NetworkError(f"aiohttp.{type(err).__name__}: {redact(str(err))}") from err
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s -> %d", method, redact(url), res.status)
        return res.status, payload
