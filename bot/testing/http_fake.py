"""The fake Bot API (bot/testing/fake_api.py) served over real HTTP, for tests of the bot PROCESS.

    with FakeTelegramServer() as server:          # 127.0.0.1, ephemeral port, own thread
        env["BUURTBOT_API_URL"] = server.url      # PTB appends <token>/<method>
        server.queue_update(update_dict)
        texts = server.call(lambda fake: fake.texts(chat_id))

The server runs an asyncio loop in a background thread, so a test may block on subprocesses.
The FakeBotAPI lives in that loop and is only ever touched there: `call(fn)` runs `fn(fake)` in
the loop and returns a deep copy of the result, which serialises reads and set-up with the
requests the bot makes (the same guarantee a lock gives, without holding one across awaits).

Wire format (PTB's HTTPXRequest.do_request): POST /bot<token>/<method> with the parameters as
form fields, each a JSON value except plain strings; multipart/form-data when files are uploaded.
The parsed parameters are handed to `FakeBotAPI.do_request`, so faults, call records and error
bodies are exactly those of the in-process fake. An injected timeout cannot be "raised" over
HTTP: the connection is closed without an answer (PTB raises NetworkError, which the bot treats
as a timeout). File downloads (GET /file/bot<token>/<path>) answer 404 unless the fake knows
the file.

Start-up faults: `server.unauthorized = True` answers every request 401 Unauthorized, as Telegram
does for a revoked or mistyped token; a server not started yet on `free_port()` is a Bot API that
is down (connection refused), and `FakeTelegramServer(port=that_port).start()` brings it up.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import email.parser
import email.policy
import json
import socket
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from telegram.error import TimedOut

from bot.testing.fake_api import FakeBotAPI, JSONDict
from bot.testing.loop_server import LoopServer

# Hook: (method, params) -> "drop" closes the connection without an answer; anything else goes on.
Hook = Callable[[str, dict[str, Any]], str | None]
# Values that are plain text even when they happen to look like JSON ("42", "true").
_TEXT_PARAMS = frozenset({
    "text", "caption", "title", "name", "description", "short_description", "query",
    "callback_query_id", "inline_message_id", "file_id", "parse_mode", "action", "emoji",
    "language_code", "url", "first_name", "last_name", "phone_number", "icon_custom_emoji_id",
    "photo", "voice", "document", "audio", "video", "animation", "sticker", "video_note",
})
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found",
            409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
_UNAUTHORIZED = b'{"ok":false,"error_code":401,"description":"Unauthorized"}'


def free_port() -> int:
    """A local port nothing listens on (for now): connections to it are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _WireData:
    """What FakeBotAPI._decode reads from PTB's RequestData, rebuilt from the HTTP body."""

    def __init__(self, parameters: dict[str, Any],
                 files: dict[str, tuple[str, bytes, str]]) -> None:
        self.parameters = parameters
        self.multipart_data = files
        self.contains_files = bool(files)


def _value(key: str, raw: str) -> Any:
    if key in _TEXT_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw  # a plain string parameter ("@channel", a file id, "HTML")


def parse_body(content_type: str, body: bytes) -> _WireData:
    """Form-encoded, multipart or JSON body -> parameters (typed) and uploaded files."""
    params: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes, str]] = {}
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                files[str(name)] = (filename, data, part.get_content_type())
            else:
                params[str(name)] = _value(str(name), data.decode("utf-8"))
    elif kind == "application/json" and body:
        params = dict(json.loads(body))
    elif body:
        params = {k: _value(k, v) for k, v in parse_qsl(body.decode("utf-8"),
                                                        keep_blank_values=True)}
    return _WireData(params, files)


class FakeTelegramServer(LoopServer):
    NAME = "fake Telegram server"

    def __init__(self, fake: FakeBotAPI | None = None, port: int = 0) -> None:
        super().__init__(port)
        self.fake = fake or FakeBotAPI()
        self.before: Hook | None = None  # called before the fake handles a request
        self.after: Hook | None = None  # called after it, before the answer is written
        self.unauthorized = False  # True: every request answers 401, like a rejected token
        self.counts: Counter[str] = Counter()  # requests per method (read from any thread)
        self.last_call: dict[str, float] = {}  # method -> time.monotonic() of the latest one
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # -- life cycle ------------------------------------------------------------------------
    async def _close(self) -> None:
        await super()._close()
        for writer in list(self._writers):
            writer.close()
        # keep-alive connections end at EOF; a long poll within 0.2 s; then cancel what is left
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- thread-safe access to the fake ----------------------------------------------------
    def call(self, fn: Callable[[FakeBotAPI], Any], timeout: float = 10.0) -> Any:
        """Run fn(fake) in the server's loop; returns a deep copy of what it returned."""
        assert self._loop is not None, "server not started"
        result: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def run() -> None:
            try:
                result.set_result(copy.deepcopy(fn(self.fake)))
            except BaseException as exc:  # handed to the calling thread
                result.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        return result.result(timeout)

    def queue_update(self, update: JSONDict) -> None:
        self.call(lambda fake: fake.queue_update(update))

    # -- HTTP ------------------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while await self._exchange(reader, writer):  # keep-alive: many requests per socket
                pass
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass  # the client went away (or the bot process was killed) mid-request
        except asyncio.CancelledError:
            pass  # the server stops: end quietly (asyncio's stream callback logs cancellations)
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _exchange(self, reader: asyncio.StreamReader,
                        writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        verb, target, _version = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip()
                   for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        body = await self._body(reader, headers)
        answer = await self._answer(verb, urlsplit(target).path, headers, body)
        if answer is None:
            return False  # "drop": close without a response
        status, payload = answer
        keep = headers.get("connection", "").lower() != "close"
        writer.write(
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
            f"Connection: {'keep-alive' if keep else 'close'}\r\n\r\n".encode() + payload)
        await writer.drain()
        return keep

    @staticmethod
    async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks = []
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                chunks.append(await reader.readexactly(size + 2))
            await reader.readuntil(b"\r\n")
            return b"".join(chunk[:-2] for chunk in chunks)
        return await reader.readexactly(int(headers.get("content-length") or 0))

    async def _answer(self, verb: str, path: str, headers: dict[str, str],
                      body: bytes) -> tuple[int, bytes] | None:
        path = unquote(path)
        if verb == "GET" and path.startswith("/file/bot"):
            return await self.fake.do_request("http://fake" + path, "GET")
        if verb != "POST" or not path.startswith("/bot") or path.count("/") != 2:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        method = path.rsplit("/", 1)[1]
        data = parse_body(headers.get("content-type", ""), body)
        self.counts[method] += 1
        self.last_call[method] = time.monotonic()
        if self.unauthorized:
            return 401, _UNAUTHORIZED
        if self.before is not None and self.before(method, data.parameters) == "drop":
            return None
        try:
            status, payload = await self.fake.do_request(
                f"{self.url}/{method}", "POST", data)  # type: ignore[arg-type]
        except TimedOut:
            return None  # an injected timeout: the client sees the connection die
        if self.after is not None and self.after(method, data.parameters) == "drop":
            return None
        return status, payload
