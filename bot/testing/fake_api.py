"""In-process fake of the Telegram Bot API, plugged into PTB as a ``BaseRequest``.

PTB funnels every Bot API call through ``BaseRequest.do_request(url, method, request_data)``
and turns the ``(status, json bytes)`` we return into results or exceptions exactly as it
does for real Telegram (400 -> BadRequest, 403 -> Forbidden, parameters.retry_after ->
RetryAfter, other codes -> NetworkError). Answering at this layer exercises PTB's real
serialisation and parsing code, with no network and no patching of PTB internals.

Layout: this module is the transport (decoding, faults, Telegram's limits, getUpdates) and the
public face; fake_types.py holds the data classes and constants, fake_format.py the text formats,
fake_state.py the world and how tests set it up and query it, fake_methods.py the method handlers
(``_api_<name>``). FakeBotAPI is FakeMethods(FakeState) plus the transport.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from bot.testing.fake_format import parse_html, parse_markdown, parse_markdown_v2
from bot.testing.fake_methods import FakeMethods
from bot.testing.fake_types import (
    JSON_PARAMS,
    MEDIA_METHODS,
    NOT_MODIFIED,
    SEND_METHODS,
    ApiCall,
    ApiError,
    Fault,
    JSONDict,
    Params,
    Upload,
    bad,
    chat_id_of,
    utf16_len,
)

__all__ = [  # what tests use, from one place
    "NOT_MODIFIED", "ApiCall", "ApiError", "FakeBotAPI", "Fault", "JSONDict", "Upload",
    "parse_html", "parse_markdown", "parse_markdown_v2", "utf16_len",
]


# --------------------------------------------------------------------------- the fake
class FakeBotAPI(FakeMethods, BaseRequest):
    """Answers Bot API calls like Telegram does, keeps per-chat state and records every call."""

    # ------------------------------------------------------------------ BaseRequest
    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open. PTB calls this for both request slots, so it must be idempotent."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if method == "GET":  # File.download_* goes through retrieve(): a GET of the file URL
            return self._download(url)
        name = url.rsplit("/", 1)[-1]
        params, files = self._decode(request_data)
        chat_id = chat_id_of(params)
        fault = self._take_fault(name, chat_id)
        if fault is not None:
            self.calls.append(
                ApiCall(name, params, chat_id, False, self.clock(), fault.description))
            if fault.hangs:
                await self._hang(fault)
            if fault.is_timeout:
                raise TimedOut()
            err = ApiError(fault.status, fault.description, fault.retry_after_s)
            return self._error_response(err)
        try:
            result = await self._dispatch(name, params, files, chat_id)
        except ApiError as err:
            self.calls.append(ApiCall(name, params, chat_id, False, self.clock(), err.description))
            return self._error_response(err)
        self.calls.append(ApiCall(name, params, chat_id, True, self.clock()))
        return 200, json.dumps({"ok": True, "result": result}).encode()

    async def _dispatch(self, name: str, params: Params, files: dict[str, Upload],
                        chat_id: int | None) -> Any:
        if name == "getUpdates":
            return await self._get_updates(params)
        handler = getattr(self, f"_api_{name}", None)
        if handler is None and name not in MEDIA_METHODS:
            self.unknown_methods.append(name)
            raise bad("method not found in fake")
        self._check_limits(name, chat_id)
        try:
            result = self._send_media(name, params, files) if handler is None else handler(params)
        except KeyError as missing:  # a required parameter was not sent
            raise bad(f"{missing.args[0]} is empty") from None
        if name in SEND_METHODS and chat_id is not None:
            self._sends.append((self.clock(), chat_id))
        return result

    def _decode(self, request_data: RequestData | None) -> tuple[Params, dict[str, Upload]]:
        if request_data is None:
            return {}, {}
        params: Params = dict(request_data.parameters)
        for key in JSON_PARAMS:
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        files: dict[str, Upload] = {}
        if request_data.contains_files:
            for part, (file_name, content, mime) in request_data.multipart_data.items():
                data = content.read() if hasattr(content, "read") else content
                files[part] = Upload("", part, file_name or part, bytes(data), mime)
        return params, files

    @staticmethod
    def _error_response(err: ApiError) -> tuple[int, bytes]:
        body: JSONDict = {"ok": False, "error_code": err.status, "description": err.description}
        if err.retry_after is not None:
            body["parameters"] = {"retry_after": err.retry_after}
        return err.status, json.dumps(body).encode()

    def _download(self, url: str) -> tuple[int, bytes]:
        for stored in self.files.values():
            if url.endswith("/" + stored.file_path):
                return 200, stored.data
        return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'

    # ------------------------------------------------------------------ faults and limits
    def inject(self, method: str, fault: Fault, times: int = 1) -> None:
        """Fail the next ``times`` calls of ``method`` ("*" = any method), FIFO."""
        self._faults.extend((method, fault) for _ in range(times))

    def _take_fault(self, name: str, chat_id: int | None = None) -> Fault | None:
        for index, (method, fault) in enumerate(self._faults):
            if method in (name, "*") and fault.chat_id in (None, chat_id):
                del self._faults[index]
                return fault
        return None

    async def _hang(self, fault: Fault) -> None:
        self.hanging += 1
        self.most_hanging = max(self.most_hanging, self.hanging)
        try:
            await asyncio.wait_for(self._unhang.wait(), fault.hang_s)
        except TimeoutError:
            pass
        finally:
            self.hanging -= 1

    def release_hangs(self) -> None:
        """Every call hanging now (Fault.hang) times out at once; later hangs hang again."""
        self._unhang.set()
        self._unhang = asyncio.Event()

    def _check_limits(self, name: str, chat_id: int | None) -> None:
        if not self.enforce_limits or name not in SEND_METHODS or chat_id is None:
            return
        now = self.clock()
        while self._sends and now - self._sends[0][0] >= 60:
            self._sends.popleft()
        in_chat = [t for t, c in self._sends if c == chat_id]
        checks = [("global", 1.0, 30, [t for t, _ in self._sends]), ("chat", 1.0, 1, in_chat)]
        if chat_id < 0:
            checks.append(("group", 60.0, 20, in_chat))
        for kind, window, cap, stamps in checks:
            recent = [t for t in stamps if now - t < window]
            if len(recent) >= cap:
                self.limit_hits[kind] += 1
                # Retry once the send that fills the window has aged out of it.
                wait = max(1, math.ceil(window - (now - recent[-cap])))
                raise ApiError(429, f"Too Many Requests: retry after {wait}", wait)

    # ------------------------------------------------------------------ getUpdates
    def queue_update(self, update: Any) -> None:
        """Make an update (dict or telegram.Update) available to getUpdates / run_polling."""
        self._updates.append(update if isinstance(update, dict) else update.to_dict())
        if self._waiter is not None:
            self._waiter.set()

    async def _get_updates(self, params: Params) -> list[JSONDict]:
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        # Updates below offset count as confirmed; Telegram forgets them.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        if not self._updates and timeout > 0:
            # Capped wait: keeps polling loops from spinning without slowing tests down (a
            # test of a real long poll sets long_poll_cap to None: the whole timeout, as Telegram)
            self._waiter = asyncio.Event()
            cap = self.long_poll_cap
            try:
                await asyncio.wait_for(self._waiter.wait(),
                                       timeout if cap is None else min(timeout, cap))
            except TimeoutError:
                pass
            finally:
                self._waiter = None
        return self._updates[:limit]

