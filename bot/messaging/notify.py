"""Putting messages in the outbox, inside the transaction that changed the ticket.

Texts for residents are rendered here, in the resident's language, at the moment of the change;
cards are rendered by the worker at send time, so they always show the ticket as it is then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiosqlite
from telegram import InlineKeyboardMarkup

from bot.config import SiteConfig
from bot.domain.policy import Policy
from bot.domain.tickets import Ticket
from bot.i18n import I18n, Translator
from bot.store.outbox import Method, enqueue
from bot.store.threads import chats_with_card
from bot.store.tickets import mark_news


class Notifier:
    def __init__(self, site: SiteConfig, i18n: I18n) -> None:
        self.site = site
        self.i18n = i18n
        self.policy = Policy(site)

    def resident_tr(self, ticket: Ticket) -> Translator:
        return self.i18n.get(ticket.lang)

    def group_tr(self, chat_id: int) -> Translator:
        partner = self.site.partner_in(chat_id)
        return self.i18n.get(partner.language if partner else self.site.default_language)

    @property
    def coordinator_chat(self) -> int:
        return self.site.partner(self.site.coordinator).chat_id

    def partner_chat(self, ticket: Ticket) -> int:
        return self.site.partner(ticket.partner_id).chat_id

    async def on_created(self, tx: aiosqlite.Connection, ticket: Ticket, now: datetime) -> None:
        """Routing: the new ticket's card goes to its partner's group."""
        await self.post_card(tx, now, ticket, self.partner_chat(ticket), f"card:{ticket.id}:0")

    async def post_card(self, tx: aiosqlite.Connection, now: datetime, ticket: Ticket,
                        chat_id: int, dedupe: str) -> None:
        await enqueue(tx, now, chat_id=chat_id, method=Method.CARD, purpose="card",
                      ticket_id=ticket.id, dedupe_key=dedupe)

    async def refresh_cards(self, tx: aiosqlite.Connection, now: datetime, ticket: Ticket) -> None:
        """Edit the card in every group that has one, so each shows the ticket as it is now."""
        for chat_id in await chats_with_card(tx, ticket.id):
            await enqueue(tx, now, chat_id=chat_id, method=Method.CARD_EDIT, purpose="card",
                          ticket_id=ticket.id)

    async def refresh_card(self, tx: aiosqlite.Connection, now: datetime, ticket: Ticket,
                           chat_id: int, translate_try: int) -> None:
        """Edit the card in one group again: its translation failed before (a due row)."""
        await enqueue(tx, now, chat_id=chat_id, method=Method.CARD_EDIT, purpose="card",
                      ticket_id=ticket.id, payload={"translate_try": translate_try})

    async def to_resident(self, tx: aiosqlite.Connection, now: datetime, ticket: Ticket,
                          text: str, markup: InlineKeyboardMarkup | None = None,
                          dedupe: str | None = None,
                          words: dict[str, Any] | None = None,
                          mark: tuple[int, int] | None = None) -> None:
        """What a person just did (a reply, a claim, a handover) reaches the resident at once,
        silently in quiet hours; it is news, but not one of the bot's own messages. `words`:
        as for to_group; `mark`: the staff message (chat, id) that gets 👌 once delivered."""
        if ticket.resident_id is None:  # the resident erased their data: nobody to tell
            return
        payload = _send(text, markup)
        if words is not None:
            payload["relay_words"] = words
        if mark is not None:
            payload["mark"] = list(mark)
        await enqueue(tx, now, chat_id=ticket.resident_id, method=Method.SEND, purpose="resident",
                      ticket_id=ticket.id, dedupe_key=dedupe, payload=payload)
        await self._news(tx, ticket, now)

    async def remind_resident(self, tx: aiosqlite.Connection, now: datetime, ticket: Ticket,
                              text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """The bot's own initiative (a reminder, "were you helped?", "we are still on it"):
        outside quiet hours only, and it counts for the one-a-day rule."""
        if ticket.resident_id is None:
            return
        arrives = self.policy.resident_time(now)
        await enqueue(tx, now, chat_id=ticket.resident_id, method=Method.SEND, purpose="resident",
                      ticket_id=ticket.id, payload=_send(text, markup), due_at=arrives,
                      initiative=True)
        await mark_news(tx, ticket.id, arrives, by_bot=True)

    async def _news(self, tx: aiosqlite.Connection, ticket: Ticket, now: datetime) -> None:
        """Remember when the resident last heard anything about this ticket."""
        await mark_news(tx, ticket.id, now, by_bot=False)

    async def copy_to(self, tx: aiosqlite.Connection, now: datetime, ticket: Ticket, chat_id: int,
                      *, from_chat: int, message_id: int, caption: str,
                      markup: InlineKeyboardMarkup | None = None,
                      dedupe: str | None = None, mark: bool = False) -> None:
        """`mark`: the copied message gets 👌 once delivered (a staff message to a resident)."""
        payload: dict[str, Any] = {"from_chat_id": from_chat, "message_id": message_id,
                                   "caption": caption,
                                   "reply_markup": markup.to_dict() if markup else None}
        if mark:
            payload["mark"] = [from_chat, message_id]
        await enqueue(tx, now, chat_id=chat_id, method=Method.COPY, purpose="relay",
                      ticket_id=ticket.id, dedupe_key=dedupe, payload=payload)
        if chat_id > 0:  # a resident (private chats have positive ids, groups negative)
            await self._news(tx, ticket, now)

    async def to_group(self, tx: aiosqlite.Connection, now: datetime, ticket: Ticket | None,
                       chat_id: int, text: str, *, html: bool = False,
                       markup: InlineKeyboardMarkup | None = None,
                       dedupe: str | None = None, purpose: str = "group",
                       words: dict[str, Any] | None = None) -> None:
        """`purpose="relay"` marks a message staff may reply to in order to reach the
        resident; other group messages (nudges, warnings, confirmations) are not. `words`
        (bot/messaging/translating.py relay_words): a person's words, translated at send
        time; `text` is what goes when they are not."""
        payload = _send(text, markup, "HTML" if html else None)
        if words is not None:
            payload["relay_words"] = words
        await enqueue(tx, now, chat_id=chat_id, method=Method.SEND, purpose=purpose,
                      ticket_id=ticket.id if ticket else None, dedupe_key=dedupe,
                      payload=payload)

    async def edit_relay(self, tx: aiosqlite.Connection, now: datetime, ticket_id: int | None,
                         chat_id: int, of: int, message_id: int, translate_try: int) -> None:
        """Translate a relay (or a notice) that went out untranslated again and edit it in (a
        due row)."""
        await enqueue(tx, now, chat_id=chat_id, method=Method.EDIT, purpose="relay",
                      ticket_id=ticket_id, payload={"of": of, "message": message_id,
                                                    "translate_try": translate_try})

    async def write_out(self, tx: aiosqlite.Connection, now: datetime, ticket: Ticket,
                        chat_id: int, file_id: str, dedupe: str) -> None:
        """Have a resident's voice message written out (speech to text) for a group: the words
        follow the voice message there (bot/messaging/speech.py)."""
        await enqueue(tx, now, chat_id=chat_id, method=Method.TRANSCRIBE, purpose="relay",
                      ticket_id=ticket.id, dedupe_key=dedupe, bulk=True,
                      payload={"file_id": file_id, "lang": ticket.lang})

    async def write_out_voices(self, tx: aiosqlite.Connection, now: datetime, ticket: Ticket,
                               chat_id: int) -> None:
        """The voice messages of a ticket's card, written out under it."""
        for index, attachment in enumerate(ticket.attachments):
            if attachment.type == "voice":
                await self.write_out(tx, now, ticket, chat_id, attachment.file_id,
                                     f"voice:{ticket.id}:{chat_id}:{index}:{now.isoformat()}")

    async def to_partner(self, tx: aiosqlite.Connection, now: datetime, ticket: Ticket,
                         text: str, **kwargs: Any) -> None:
        await self.to_group(tx, now, ticket, self.partner_chat(ticket), text, **kwargs)

    async def to_coordinator(self, tx: aiosqlite.Connection, now: datetime,
                             ticket: Ticket | None, text: str, **kwargs: Any) -> None:
        await self.to_group(tx, now, ticket, self.coordinator_chat, text, **kwargs)

    async def attachments(self, tx: aiosqlite.Connection, now: datetime, ticket: Ticket,
                          chat_id: int) -> None:
        """The resident's photos and voice notes, sent by file id: no sender, no forward link."""
        for index, attachment in enumerate(ticket.attachments):
            await enqueue(tx, now, chat_id=chat_id, method=Method.FILE, purpose="card",
                          ticket_id=ticket.id,
                          dedupe_key=f"file:{ticket.id}:{chat_id}:{index}:{now.isoformat()}",
                          payload={"kind": attachment.type, "file_id": attachment.file_id})


def _send(text: str, markup: InlineKeyboardMarkup | None,
          parse_mode: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"text": text}
    if markup is not None:
        payload["reply_markup"] = markup.to_dict()
    if parse_mode:
        payload["parse_mode"] = parse_mode
    return payload
