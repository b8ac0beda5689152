"""Long polling with the durable inbox (bot/store/inbox.py): nothing is lost on a hard crash.

Handlers must then be idempotent, because an update can be handled again after a crash: tickets
are keyed by their draft, flows skip updates they already applied, relays carry a dedupe key.

Updates of different chats are handled side by side, in lanes: one Bot API call that hangs
(up to the 5 s read timeout) in one resident's chat no longer holds up everyone else. Updates
that share a chat, or a person (a resident's flow is kept per person, bot/store/drafts.py, and
a staff member may write in two groups), are handled one after another, in the order Telegram
numbered them, across batches too; at most `lanes` run at once. PTB's own concurrent_updates
does the same (one task per update calling Application.process_update), but without any order
per chat.

An update is marked done in the inbox only once handled, so a crash, or a stop that cuts a
handler off, leaves it there to be handled again at the next start, each chat's in order. A stop
(SIGTERM) ends the long poll at once and gives the updates being handled STOP_GRACE to finish;
what has not started, or not finished by then, stays in the inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.messaging.ratelimit import seconds
from bot.store.inbox import Inbox

log = logging.getLogger(__name__)
# chat_member: a promotion or demotion in a partner group forgets who its admins are at once
# (bot/messaging/admins.py); Telegram sends it only to a bot that is admin there, and only
# when asked for by name, as here.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "chat_member"]
DEFAULT_LANES = 16  # like the outbox worker's sends in flight
STOP_GRACE = 1.0  # seconds the updates being handled get to finish after a stop
BACKLOG = 500  # updates taken but not yet handled before the poller waits to fetch more


def lane_keys(update: Update) -> set[int]:
    """What an update must keep its order with: its chat, and its sender. A private chat's id
    is its person's id, and group ids are negative, so one set of numbers serves both; a
    button under an inline message has no chat, only the person who pressed it."""
    chat, user = update.effective_chat, update.effective_user
    return {x.id for x in (chat, user) if x is not None}


class Lanes:
    """Runs work side by side, at most `limit` at once, except that work sharing a key runs
    one after another in the order it was added."""

    def __init__(self, limit: int) -> None:
        self._gate = asyncio.Semaphore(limit)
        self._last: dict[int, asyncio.Event] = {}  # key -> set when its latest work is over
        self.tasks: set[asyncio.Task[None]] = set()

    def add(self, keys: Iterable[int], work: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        keys = set(keys)
        before = {self._last[key] for key in keys if key in self._last}
        over = asyncio.Event()
        for key in keys:
            self._last[key] = over
        task = asyncio.create_task(self._run(keys, before, over, work))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _run(self, keys: set[int], before: set[asyncio.Event], over: asyncio.Event,
                   work: Callable[[], Awaitable[None]]) -> None:
        try:
            for earlier in before:
                await earlier.wait()
            async with self._gate:
                await work()
        except Exception:  # a lane outlives any one failure (the inbox being closed, say)
            log.exception("a lane's work failed")
        finally:
            over.set()  # also when cut off: what waits behind it then sees the stop
            for key in keys:
                if self._last.get(key) is over:
                    del self._last[key]


class DurablePoller:
    def __init__(self, app: Application, inbox: Inbox, *, timeout: int = 25,
                 after_update: Any = None, lanes: int = DEFAULT_LANES,
                 grace: float = STOP_GRACE) -> None:
        """`lanes=1` handles one update at a time in update order (as before lanes)."""
        if lanes < 1:
            raise ValueError("lanes must be at least 1")
        self.app = app
        self.inbox = inbox
        self.timeout = timeout
        self.after_update = after_update
        self.grace = grace
        self.lanes = Lanes(lanes) if lanes > 1 else None
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def replay(self) -> int:
        """Handle what was stored but not finished before the last stop or crash."""
        count = await self._replay()
        if self.lanes is not None:
            await asyncio.gather(*self.lanes.tasks, return_exceptions=True)
        return count

    async def _replay(self) -> int:
        pending = await self.inbox.pending()
        if pending:
            log.info("handling %d unfinished updates again", len(pending))
        for _update_id, payload in pending:
            await self._take(payload)
        return len(pending)

    async def run(self) -> None:
        try:
            await self._replay()  # in lanes: a slow one does not hold up the polling
            await self._poll_until_stopped()
        finally:
            self._stop.set()  # nothing new starts now
            await self._wind_down()

    async def _poll_until_stopped(self) -> None:
        offset = await self.inbox.next_offset()
        backoff = 1.0
        while not self._stop.is_set():
            await self._room()
            try:
                batch = await self._poll(offset)
                if batch is None:  # stopped while waiting: nothing was fetched or confirmed
                    break
            except RetryAfter as exc:
                await self._sleep(seconds(exc.retry_after).total_seconds())
                continue
            except TimedOut:
                continue
            except NetworkError as exc:
                log.warning("getUpdates failed (%s); retrying in %.0f s", type(exc).__name__,
                            backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, 60.0)
                continue
            backoff = 1.0
            if not batch:
                if self.timeout < 1:  # no long poll to wait in: do not spin
                    await self._sleep(0.05)
                continue
            payloads = [u.to_dict() for u in batch]
            fresh = set(await self.inbox.add_all(payloads))  # committed before we confirm
            offset = batch[-1].update_id + 1  # the next getUpdates confirms this batch
            for payload in payloads:
                if payload["update_id"] in fresh:
                    await self._take(payload)

    async def _take(self, payload: dict[str, Any]) -> None:
        """Handle an update now (one lane) or start it in its lane."""
        update = Update.de_json(payload, self.app.bot)
        if self.lanes is None:
            await self._handle(update)
        else:
            self.lanes.add(lane_keys(update), lambda: self._handle(update))

    async def _room(self) -> None:
        """Fetch no more while BACKLOG updates wait for their lane (one chat stuck behind a
        hang, say): they are safe in the inbox, but memory is not endless."""
        while self.lanes is not None and len(self.lanes.tasks) >= BACKLOG:
            if self._stop.is_set():
                return
            await asyncio.wait(set(self.lanes.tasks), return_when=asyncio.FIRST_COMPLETED)

    async def _wind_down(self) -> None:
        """After a stop: the updates being handled get `grace` seconds; the rest is cut off
        and stays in the inbox for the next start."""
        if self.lanes is None or not self.lanes.tasks:
            return
        _, late = await asyncio.wait(set(self.lanes.tasks), timeout=self.grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        if late:
            log.info("stopped: %d updates left in the inbox for the next start", len(late))

    async def _poll(self, offset: int | None) -> tuple[Update, ...] | None:
        """One long poll, given up the moment a stop comes (None): a service manager's stop
        must not wait out the 25 s of a long poll. Giving it up loses nothing: the offset of
        what was not received is not confirmed, so Telegram sends it again next time."""
        poll = asyncio.ensure_future(self.app.bot.get_updates(
            offset=offset, timeout=self.timeout, allowed_updates=ALLOWED_UPDATES))
        stopped = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({poll, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
        if not poll.done():
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await poll
            return None
        return poll.result()

    async def _handle(self, update: Update) -> None:
        if self._stop.is_set():
            return  # not started before the stop: it stays in the inbox
        try:
            await self.app.process_update(update)  # handler errors go to the error handler
        except asyncio.CancelledError:
            raise  # cut off by a stop: not done, so it is handled again at the next start
        except Exception as exc:  # past the error handler: done anyway, or it comes back forever
            log.error("update %s failed outside its handlers (%s)", update.update_id,
                      type(exc).__name__)
        await self.inbox.done(update.update_id)
        if self.after_update is not None:
            await self.after_update()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
