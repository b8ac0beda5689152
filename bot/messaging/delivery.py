"""The outbox worker: sends what is due, in order per chat, and never drops anything.

- 429: wait exactly `retry_after`, then try again.
- timeouts and 5xx: back off (2, 4, 8 ... up to 300 s) and try again, for as long as it takes;
  so does a fault of our own (logged), instead of retrying in a tight loop.
- 403 (resident blocked the bot, bot removed from a group) and other refusals (a group that
  moved to a new id, too): the item is kept as "undeliverable", the coordinator group is told
  (a broadcast's failures are counted in its progress report instead), and `/retry` there sends
  it again.
- a card or a relay for a reader of another language carries the machine translation of the
  person's words (bot/messaging/translating.py, cached); the service's short time limit keeps
  the message from waiting on it. When the translation fails it goes out at once with the
  original, marked; if the failure is passing (down, 429) a due row edits it again later
  (30 s, then longer), so the translation is edited in when the service is back.
- a resident's voice message is written out (speech to text) beside the queue, never holding
  a chat's messages up: the words follow the voice message, translated like any relay.
- in a group, each request has its own line: one resident's thirty messages do not hold up
  another's new card. A resident with many messages delivered there in the last minute goes
  after the others (bot/store/outbox.py due, bot/domain/limits.py fair_order); a request's own
  messages keep their order, and a resident's message kept for the limit waits in its line.
Telegram has no idempotency key, so a crash in the instant between Telegram accepting a message and
our commit can repeat that one message; everything else is exactly once.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message, MessageId
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.domain.tickets import Ticket
from bot.messaging.notify import Notifier
from bot.messaging.ratelimit import seconds
from bot.messaging.speech import Speech
from bot.messaging.translating import Translating
from bot.render.card import card_keyboard, card_text
from bot.render.casework import topic_hint
from bot.render.labels import category_label
from bot.store import Store
from bot.store.outbox import Method, OutItem, mark_sent, mark_undeliverable
from bot.store.threads import remember, save_card
from bot.store.tickets import fetch
from bot.translate import NoTranscriber, NoTranslator, Transcriber, Translator

log = logging.getLogger(__name__)
MAX_BACKOFF = 300.0
IDLE_WAIT = 5.0
IN_FLIGHT = 16  # sends waiting on the rate limiter at once, each to a different chat
SENT_MARK = "👌"  # the reaction under a staff message that reached the resident


class Undeliverable(Exception):
    """Telegram refused for good (not a passing fault)."""


class Delivery:
    def __init__(self, bot: Bot, store: Store, notifier: Notifier,
                 forums: set[int] | None = None, translator: Translator | None = None,
                 transcriber: Transcriber | None = None) -> None:
        self.bot = bot
        self.translating = Translating(store, translator or NoTranslator(), notifier.i18n,
                                       notifier.site.languages)
        self.speech = Speech(bot, store, notifier, transcriber or NoTranscriber(), self.wake)
        self.store = store
        self.notifier = notifier
        self.forums = forums if forums is not None else set()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    # -- running ---------------------------------------------------------------------------
    def wake(self) -> None:
        """Something was queued: look now. Never lost, whenever it comes (see _run)."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-worker")

    async def stop(self) -> None:
        await self.speech.stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            # Cleared before the round reads the queue, never after: a wake() that comes while
            # a round runs stays set, so the wait below ends at once and the next round sends
            # what it announced.
            self._wake.clear()
            self.store.db.committed.clear()  # likewise: a commit during the round is seen
            try:
                sent = await self.run_once()
            except Exception:  # the worker must outlive any single failure
                log.exception("outbox worker round failed")
                sent = 0
            if not sent:
                await self._rest()

    async def _rest(self) -> None:
        """Wait until the next item falls due (at most IDLE_WAIT), wake() is called, or the
        bot commits to its database (Database.committed). The last one matters: a handler
        commits its messages and wakes the worker only when it is done (after its direct
        replies, which may wait on a slow Telegram), and some writers never wake it (the
        sweep's digests); so a message never waits for the next poll, only for its commit."""
        wait = await self._idle()
        woken = asyncio.ensure_future(self._wake.wait())
        committed = asyncio.ensure_future(self.store.db.committed.wait())
        try:
            await asyncio.wait({woken, committed}, timeout=wait,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()  # a cancelled worker leaves no waiting coroutine behind
            committed.cancel()

    async def _idle(self) -> float:
        """Seconds until the next item falls due, at most IDLE_WAIT."""
        due = await self.store.outbox.next_due()
        if due is None:
            return IDLE_WAIT
        wait = (due - self.store.outbox.clock()).total_seconds()
        return min(max(wait, 0.05), IDLE_WAIT)

    async def run_once(self, limit: int = 50) -> int:
        async with self._lock:
            items = await self.store.outbox.due(limit)
            # Each item is the head of a different chat's queue, so they may go out side by
            # side: the rate limiter paces them, and one slow send (a disk flush, a slow reply
            # from Telegram) no longer leaves the 30/s budget unused. A chat's own order holds,
            # because its next item is only taken in a later round.
            gate = asyncio.Semaphore(IN_FLIGHT)

            async def one(item: OutItem) -> None:
                async with gate:
                    await self.deliver(item)

            results = await asyncio.gather(*(one(item) for item in items),
                                           return_exceptions=True)
            # every item had its chance before a failure is raised (no send is cut off mid-way)
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            return len(items)

    async def drain(self, rounds: int = 1000) -> None:
        """Deliver everything due now (tests and the demo call this after each update)."""
        for _ in range(rounds):
            if await self.run_once():
                continue
            if not await self.speech.settle():  # voice messages being written out, if any
                return

    # -- one item --------------------------------------------------------------------------
    async def deliver(self, item: OutItem) -> None:
        silent = False
        if item.chat_id > 0:  # a resident: quiet hours (bot/domain/policy.py to_resident)
            how = self.notifier.policy.to_resident(
                self.store.outbox.clock(), initiative=item.initiative, created_at=item.created_at)
            if how.hold_until is not None:
                await self.store.outbox.postpone(item, how.hold_until)
                return
            silent = how.silent
        try:
            await self._send(item, silent)
        except RetryAfter as exc:
            await self.store.outbox.retry(item, seconds(exc.retry_after), "429")
        except (BadRequest, Forbidden, ChatMigrated, Undeliverable) as exc:
            if "not modified" in str(exc).lower():  # the card already shows this state
                await self.store.outbox.sent(item, None)
                return
            await self._give_up(item, exc)
        except TelegramError as exc:  # timeouts, 5xx, connection trouble
            await self._back_off(item, exc)
        except Exception as exc:  # a fault of ours: kept and tried again later, never in a spin
            log.exception("outbox item %s to chat %s failed", item.id, item.chat_id)
            await self._back_off(item, exc)

    async def _back_off(self, item: OutItem, exc: Exception) -> None:
        delay = min(2.0 ** (item.attempts + 1), MAX_BACKOFF)
        await self.store.outbox.retry(item, timedelta(seconds=delay), type(exc).__name__)

    async def _send(self, item: OutItem, silent: bool) -> None:
        if item.method == Method.CARD:
            await self._post_card(item)
        elif item.method == Method.CARD_EDIT:
            await self._edit_card(item)
        elif item.method == Method.EDIT:
            await self._edit_relay(item)
        elif item.method == Method.TRANSCRIBE:
            await self.speech.start(item)
        else:
            relayed = await self.translating.relay(item)
            message = await self._plain(item, silent, html=relayed[0] if relayed else None)
            await self._done(item, message.message_id)
            await self._mark(item)
            if relayed is not None and relayed[1]:  # not translated now: edit it in later
                await self.translating.relay_later(item, message.message_id)

    async def _mark(self, item: OutItem) -> None:
        """👌 under the staff message that just reached the resident, so the group sees at a
        glance what went out (and what stayed among the team). A courtesy: a failure is only
        logged, the message itself is delivered."""
        mark = item.payload.get("mark")
        if not mark or item.chat_id < 0:
            return
        try:
            await self.bot.set_message_reaction(int(mark[0]), int(mark[1]), SENT_MARK)
        except TelegramError as exc:
            log.info("could not mark message %s in chat %s as sent: %s", mark[1], mark[0],
                     type(exc).__name__)

    async def _edit_relay(self, item: OutItem) -> None:
        """A relay that went out untranslated: translate it again and, done, edit it in."""
        p = item.payload
        message_id = int(p["message"])
        original = await self.store.outbox.get(int(p["of"]))
        relayed = await self.translating.relay(original) if original is not None else None
        if original is None or relayed is None:  # erased meanwhile, or translation switched off
            await self.store.outbox.sent(item, None)
            return
        html, again = relayed
        if again:
            await self.translating.relay_later(original, message_id, tries_of=item)
        else:
            markup = original.payload.get("reply_markup")
            await self.bot.edit_message_text(
                html, item.chat_id, message_id, parse_mode=ParseMode.HTML,
                reply_markup=InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None)
        await self.store.outbox.sent(item, message_id)

    async def _done(self, item: OutItem, message_id: int | None) -> None:
        now = self.store.outbox.clock()
        async with self.store.db.transaction() as tx:
            await mark_sent(tx, now, item.id, message_id)
            if item.ticket_id is None or message_id is None:
                return
            # A reply to this message will be taken as being about the ticket: in groups only
            # for cards and relayed messages, never for warnings, nudges or digests (a reply to
            # those is staff talking among themselves, not to the resident).
            if item.chat_id > 0 or item.purpose in ("card", "relay"):
                await remember(tx, item.chat_id, message_id, item.ticket_id, item.purpose)
            if item.chat_id > 0 and item.attempts > 0:  # reached again: clear "unreachable"
                # fetch through tx: the store's own reads would wait for this transaction's lock
                await self.notifier.refresh_cards(tx, now, await fetch(tx, item.ticket_id))

    async def _where(self, item: OutItem) -> dict[str, Any]:
        """Thread or reply target for a group message about a ticket."""
        if item.ticket_id is None or item.chat_id > 0:
            return {}
        thread = await self.store.threads.get(item.ticket_id, item.chat_id)
        return thread.target() if thread else {}

    async def _plain(self, item: OutItem, silent: bool,
                     html: str | None = None) -> Message | MessageId:
        """`html`: the text to send instead of the payload's (a relay, translated)."""
        p, where = item.payload, await self._where(item)
        if silent:  # quiet hours: it arrives without a sound (Bot API disable_notification)
            where["disable_notification"] = True
        if item.method == Method.SEND:
            markup = p.get("reply_markup")
            return await self.bot.send_message(
                item.chat_id, html or p["text"],
                parse_mode=ParseMode.HTML if html else p.get("parse_mode"),
                reply_markup=InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None,
                **where)
        if item.method == Method.COPY:
            markup = p.get("reply_markup")
            return await self.bot.copy_message(
                item.chat_id, p["from_chat_id"], p["message_id"], caption=p.get("caption"),
                reply_markup=InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None,
                **where)
        if item.method == Method.FILE:
            send = self.bot.send_photo if p["kind"] == "photo" else self.bot.send_voice
            # a picture the bot drew (the figures' chart) travels in the item, base64
            media = base64.b64decode(p["png"]) if p.get("png") else p["file_id"]
            return await send(item.chat_id, media, caption=p.get("caption"), **where)
        raise Undeliverable(f"unknown outbox method {item.method}")

    # -- cards -----------------------------------------------------------------------------
    async def _ticket(self, item: OutItem) -> Ticket:
        ticket = await self.store.tickets.get(item.ticket_id or 0)
        if ticket is None:
            raise Undeliverable("ticket gone")
        return ticket

    async def _render(self, ticket: Ticket, chat_id: int,
                      item: OutItem) -> tuple[str, InlineKeyboardMarkup]:
        tr = self.notifier.group_tr(chat_id)
        here = chat_id in (self.notifier.partner_chat(ticket), self.notifier.coordinator_chat)
        moved = None if here else self.notifier.site.partner_name(ticket.partner_id)
        unreachable = await self._unreachable(ticket)
        words = await self.translating.card(ticket, tr.lang, item)
        referral = await self.store.visits.referral_origin(ticket.id)  # after a home visit
        text = card_text(tr, self.notifier.site, ticket, moved_to=moved, unreachable=unreachable,
                         now=self.store.outbox.clock(), words=words, referral=referral)
        return text, card_keyboard(tr, ticket, here=here)

    async def _unreachable(self, ticket: Ticket) -> bool:
        if ticket.resident_id is None:
            return False
        return await self.store.outbox.undeliverable(ticket.id, ticket.resident_id)

    async def _post_card(self, item: OutItem) -> None:
        ticket = await self._ticket(item)
        thread = await self.store.threads.get(ticket.id, item.chat_id)
        thread_id = thread.thread_id if thread else None
        new_topic = thread_id is None and item.chat_id in self.forums
        if new_topic:
            tr = self.notifier.group_tr(item.chat_id)
            label = category_label(tr, self.notifier.site, ticket.kind.value, ticket.category)
            topic = await self.bot.create_forum_topic(item.chat_id, f"{ticket.ref} · {label}"[:128])
            thread_id = topic.message_thread_id
            # saved at once, so a retry of the card reuses the topic instead of opening another
            await self.store.threads.save_topic(ticket.id, item.chat_id, thread_id)
        text, keyboard = await self._render(ticket, item.chat_id, item)
        message = await self.bot.send_message(item.chat_id, text, parse_mode=ParseMode.HTML,
                                              reply_markup=keyboard, message_thread_id=thread_id)
        now = self.store.outbox.clock()
        async with self.store.db.transaction() as tx:
            await mark_sent(tx, now, item.id, message.message_id)
            await save_card(tx, ticket.id, item.chat_id, thread_id, message.message_id)
            await self.notifier.attachments(tx, now, ticket, item.chat_id)
            if self.speech.on:
                await self.notifier.write_out_voices(tx, now, ticket, item.chat_id)
            note = item.payload.get("note")
            if note:
                await self.notifier.to_group(tx, now, ticket, item.chat_id, note)
            if new_topic:  # how the topic works: staff talk stays, replies reach the resident
                await self.notifier.to_group(tx, now, ticket, item.chat_id,
                                             topic_hint(self.notifier, item.chat_id, ticket),
                                             dedupe=f"topic-hint:{ticket.id}:{item.chat_id}")

    async def _edit_card(self, item: OutItem) -> None:
        ticket = await self._ticket(item)
        thread = await self.store.threads.get(ticket.id, item.chat_id)
        if thread is None or thread.card_id is None:  # not posted yet: the post shows this state
            await self.store.outbox.sent(item, None)
            return
        text, keyboard = await self._render(ticket, item.chat_id, item)
        await self.bot.edit_message_text(text, item.chat_id, thread.card_id,
                                         parse_mode=ParseMode.HTML, reply_markup=keyboard)
        await self.store.outbox.sent(item, thread.card_id)

    # -- giving up, loudly -----------------------------------------------------------------
    async def _give_up(self, item: OutItem, exc: Exception) -> None:
        """Keep the item as undeliverable and tell the coordinator, in one transaction."""
        log.warning("outbox item %s to chat %s undeliverable: %s", item.id, item.chat_id,
                    type(exc).__name__)
        now = self.store.outbox.clock()
        async with self.store.db.transaction() as tx:
            await mark_undeliverable(tx, item.id, f"{type(exc).__name__}: {exc}")
            # Nowhere further to escalate from the coordinator group; and a broadcast's
            # failures are counted in its progress report, not told one by one.
            if item.chat_id == self.notifier.coordinator_chat or item.bulk:
                return
            ticket = None
            if item.ticket_id is not None:
                with contextlib.suppress(LookupError):  # "ticket gone" is a reason to give up
                    ticket = await fetch(tx, item.ticket_id)
            await self.notifier.to_coordinator(tx, now, ticket, self._warning(item, ticket, exc))
            if ticket is not None and item.chat_id > 0:
                await self.notifier.refresh_cards(tx, now, ticket)

    def _warning(self, item: OutItem, ticket: Ticket | None, exc: Exception) -> str:
        tr = self.notifier.group_tr(self.notifier.coordinator_chat)
        ref = f"#{ticket.ref}" if ticket else "-"
        if item.chat_id > 0:
            return tr._("⚠️ {ref}: a message could not reach the resident. They may have blocked "
                        "the bot. It is kept; send /retry here to try again.", ref=ref)
        return tr._("⚠️ {ref}: the bot cannot post in the group of {partner} ({reason}). "
                    "The message is kept; fix the group, then send /retry here.", ref=ref,
                    partner=self._partner_of_chat(item.chat_id), reason=_reason(exc))

    def _partner_of_chat(self, chat_id: int) -> str:
        partner = self.notifier.site.partner_in(chat_id)
        return partner.name if partner else str(chat_id)


def _reason(exc: Exception) -> str:
    return str(exc)[:120]
