"""A resident's voice message written out for the partner group, beside the outbox queue.

Many residents cannot write; a voice message nobody in the group understands helps no one. When
a voice message reaches a group (on a card or as a relay), a TRANSCRIBE item is queued for that
group. The worker starts it here and goes on: speech to text may take many seconds, and it
runs as its own task, so no message waits for it. The item stays in the outbox, put back by
the time a transcription may take, so a crash half-way starts it again. Its words go to the
group as a relay (staff may reply to it), in the resident's language and, translated at send
time like any relay, in the group's (bot/messaging/translating.py).

The audio goes to the speech service with the resident's chosen language only: automatic
detection is unreliable for Arabic. Nothing else leaves the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from telegram import Bot
from telegram.error import TelegramError

from bot.domain.tickets import Ticket
from bot.i18n.bidi import clean_user_text, isolate
from bot.messaging.notify import Notifier
from bot.messaging.translating import relay_words
from bot.render import casework as texts
from bot.store import Store
from bot.store.outbox import OutItem, mark_sent
from bot.translate import (
    SPEECH_TIMEOUT,
    RateLimited,
    Transcriber,
    TranslationError,
    TranslationUnavailable,
)

log = logging.getLogger(__name__)
# while a transcription runs its item is put back this far: if the bot dies, it starts again
RUNNING_HOLD = timedelta(seconds=SPEECH_TIMEOUT * 3)
RETRY_FIRST = 30.0
RETRY_MAX = 3600.0
TRIES = 8  # then the group is told the voice message could not be written out


class Speech:
    def __init__(self, bot: Bot, store: Store, notifier: Notifier, transcriber: Transcriber,
                 wake: Callable[[], None]) -> None:
        self.bot = bot
        self.store = store
        self.notifier = notifier
        self.transcriber = transcriber
        self.wake = wake
        self._running: dict[int, asyncio.Task[None]] = {}
        self._finished = False  # one ended since settle() last looked

    @property
    def on(self) -> bool:
        return self.transcriber.name != "none"

    async def start(self, item: OutItem) -> None:
        """Begin writing out `item`'s voice message, without waiting for it."""
        if item.id in self._running:
            return
        await self.store.outbox.postpone(item, self.store.outbox.clock() + RUNNING_HOLD)
        self._running[item.id] = asyncio.create_task(self._run(item),
                                                     name=f"transcribe-{item.id}")

    async def settle(self) -> bool:
        """Wait for the transcriptions under way (tests and the demo); False if there were
        none and none ended since the last look (so nothing new can be in the outbox)."""
        busy, self._finished = bool(self._running) or self._finished, False
        await asyncio.gather(*self._running.values(), return_exceptions=True)
        return busy

    async def stop(self) -> None:
        for task in list(self._running.values()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._running.clear()

    async def _run(self, item: OutItem) -> None:
        try:
            await self._write_out(item)
        except Exception:  # kept for a later try, never lost
            log.exception("writing out voice message %s failed", item.id)
            await self._again(item, "fault")
        finally:
            self._running.pop(item.id, None)
            self._finished = True
            self.wake()

    async def _write_out(self, item: OutItem) -> None:
        ticket = await self.store.tickets.get(item.ticket_id or 0)
        if ticket is None:
            await self.store.outbox.sent(item, None)
            return
        p = item.payload
        try:
            file = await self.bot.get_file(p["file_id"])
            audio = bytes(await file.download_as_bytearray())
            words = clean_user_text(await self.transcriber.transcribe(audio, p["lang"]))
        except (TranslationUnavailable, RateLimited, TelegramError) as exc:
            log.info("voice message %s not written out now (%s); trying again later", item.id,
                     type(exc).__name__)
            await self._again(item, type(exc).__name__)
            return
        except TranslationError as exc:  # the language is not offered, a quota used up
            log.warning("voice message %s cannot be written out: %s", item.id,
                        type(exc).__name__)
            await self._finish(item, ticket, None)
            return
        await self._finish(item, ticket, words or None)

    async def _finish(self, item: OutItem, ticket: Ticket, words: str | None) -> None:
        """Post the words (or that there are none) to the group; the item is done."""
        n, chat, now = self.notifier, item.chat_id, self.store.outbox.clock()
        async with self.store.db.transaction() as tx:
            await mark_sent(tx, now, item.id, None)
            if words is None:
                await n.to_group(tx, now, ticket, chat, texts.voice_not_written(n, chat, ticket),
                                 dedupe=f"voice-words:{item.id}")
                return
            head = texts.voice_words(n, chat, ticket)
            target = n.group_tr(chat).lang
            await n.to_group(tx, now, ticket, chat, f"{head}\n{isolate(words)}",
                             dedupe=f"voice-words:{item.id}", purpose="relay",
                             words=relay_words(head, words, item.payload["lang"], target,
                                               ticket.resident_id, staff=True))

    async def _again(self, item: OutItem, why: str) -> None:
        if item.attempts + 1 >= TRIES:
            ticket = await self.store.tickets.get(item.ticket_id or 0)
            if ticket is not None:
                await self._finish(item, ticket, None)
                return
        delay = min(RETRY_FIRST * 2 ** item.attempts, RETRY_MAX)
        await self.store.outbox.retry(item, timedelta(seconds=delay), why)
