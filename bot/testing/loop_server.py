"""A TCP server on 127.0.0.1 with its own event loop in a thread: the base of the fake Telegram
(http_fake.py) and the fake translation and speech services (fake_translate.py), so a test can
drive a real client against it from its own loop, and a real bot process can talk to it."""

from __future__ import annotations

import asyncio
import threading
from typing import Self


class LoopServer:
    """Subclasses give `_connection` (one client connection) and may extend `_close`."""

    NAME = "fake-server"

    def __init__(self, port: int = 0) -> None:
        self.port = port  # 0: any free port, known once started
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._main, args=(ready,), daemon=True,
                                        name=self.NAME)
        self._thread.start()
        if not ready.wait(10) or self._server is None:
            raise RuntimeError(f"{self.NAME} did not start")
        return self

    def _main(self, ready: threading.Event) -> None:
        loop = self._loop = asyncio.new_event_loop()
        self._server = loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", self.port))
        self.port = self._server.sockets[0].getsockname()[1]
        ready.set()
        loop.run_forever()
        loop.run_until_complete(self._close())
        loop.close()

    async def _connection(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
