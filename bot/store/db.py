"""One SQLite connection with the pragmas a single-writer bot needs, and explicit transactions.

WAL lets readers go on while we write; synchronous=FULL makes a committed report survive a power
cut; BEGIN IMMEDIATE takes the write lock up front so two writers never deadlock half-way.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.migrations import migrate

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)


class Database:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.conn.row_factory = aiosqlite.Row
        # One connection is shared by all handlers; this lock keeps a transaction from
        # interleaving with statements of another handler running concurrently. The task that
        # holds a transaction may still read (a `then` callback looking something up): it must
        # not wait for its own lock.
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self.path: Path | None = None  # the file, for a reader of its own (`snapshot`)
        # Set at every commit: the outbox worker waits on it, so a message a handler or the
        # sweep committed goes out at once, not at the next poll (bot/messaging/delivery.py).
        self.committed = asyncio.Event()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        for pragma in PRAGMAS:
            await conn.execute(pragma)
        db = cls(conn)
        db.path = None if str(path) == ":memory:" else Path(path)
        try:
            async with db.transaction() as tx:
                await migrate(tx)
        except BaseException:  # refused (another migration under a number) or failed:
            await conn.close()  # close it, or its worker thread outlives the event loop
            raise
        return db

    async def close(self) -> None:
        await self.conn.close()

    @property
    def writes(self) -> int:
        """Rows written through this connection so far (SQLite's total_changes, read without
        a query): a test sees by it whether a press changed anything."""
        return int(self.conn.total_changes)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        if self._owner is not None and self._owner is asyncio.current_task():
            raise RuntimeError("nested transaction: pass the open `tx` down instead")
        async with self._lock:
            self._owner = asyncio.current_task()
            try:
                await self._begin()
                try:
                    yield self.conn
                except BaseException:
                    await self.conn.execute("ROLLBACK")
                    raise
                await self.conn.execute("COMMIT")
                self.committed.set()
            finally:
                self._owner = None

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[aiosqlite.Connection]:
        """A long read (the coordinator's figures over a year of requests) on a read-only
        connection of its own: one consistent snapshot, and the bot's handlers go on writing
        meanwhile (WAL lets one reader and the writer work at once). A database in memory has
        no second connection: the read is then a transaction like any other."""
        if self.path is None:
            async with self.transaction() as tx:
                yield tx
            return
        reader = await aiosqlite.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                         isolation_level=None)
        try:
            reader.row_factory = aiosqlite.Row
            await reader.execute("PRAGMA busy_timeout=5000")
            await reader.execute("BEGIN")  # deferred: the snapshot is taken at the first read
            try:
                yield reader
            finally:
                await reader.execute("ROLLBACK")
        finally:
            await reader.close()

    async def _begin(self) -> None:
        """BEGIN IMMEDIATE. A task cancelled while it waits (a stop cutting a handler off,
        bot/messaging/poller.py) leaves the statement queued on aiosqlite's thread, where it
        still runs: undo it before the lock goes to the next task, or that task's BEGIN fails
        with "cannot start a transaction within a transaction"."""
        try:
            await self.conn.execute("BEGIN IMMEDIATE")
        except asyncio.CancelledError:
            with contextlib.suppress(sqlite3.Error):  # BEGIN failed after all: nothing to undo
                await self.conn.execute("ROLLBACK")  # queued after BEGIN, so it runs after it
            raise

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[None]:
        if self._owner is not None and self._owner is asyncio.current_task():
            yield  # inside our own transaction: read through it
            return
        async with self._lock:
            yield

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self._reading(), self.conn.execute(sql, tuple(params)) as cur:
            row: aiosqlite.Row | None = await cur.fetchone()
            return row

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._reading(), self.conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def integrity_ok(self) -> bool:
        row = await self.fetchone("PRAGMA integrity_check")
        return row is not None and row[0] == "ok"
