"""Long polling with the durable inbox (bot/store/inbox.py): nothing is lost on a hard crash.

Handlers must then be idempotent, because an update can be handled again after a crash: tickets
are keyed by their draft, flows skip updates they already applied, relays carry a dedupe key.
A stop (SIGTERM) ends the long poll at once; the update being handled is finished first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.messaging.ratelimit import seconds
from bot.store.inbox import Inbox

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


class DurablePoller:
    def __init__(self, app: Application, inbox: Inbox, *, timeout: int = 25,
                 after_update: Any = None) -> None:
        self.app = app
        self.inbox = inbox
        self.timeout = timeout
        self.after_update = after_update
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def replay(self) -> int:
        """Handle what was stored but not finished before the last stop or crash."""
        pending = await self.inbox.pending()
        for _update_id, payload in pending:
            await self._handle(payload)
        if pending:
            log.info("replayed %d unfinished updates", len(pending))
        return len(pending)

    async def run(self) -> None:
        await self.replay()
        offset = await self.inbox.next_offset()
        backoff = 1.0
        while not self._stop.is_set():
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
                    await self._handle(payload)

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

    async def _handle(self, payload: dict[str, Any]) -> None:
        update = Update.de_json(payload, self.app.bot)
        try:
            await self.app.process_update(update)  # handler errors go to the error handler
        finally:
            await self.inbox.done(update.update_id)
        if self.after_update is not None:
            await self.after_update()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
