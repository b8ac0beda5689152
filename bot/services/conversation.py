"""The conversation about a request, both ways, each side in its own language: staff reply to
the resident (typed, or a quick reply), the resident writes to the partner.

Media are copied (copy_message), never forwarded: a forward would show who sent it. A long text
goes in pieces, each its own outbox row with its own dedupe key, so a retry sends none twice.

Between languages, each piece carries the words to translate at send time
(bot/messaging/translating.py): the reader gets the machine translation, marked, with the
original one tap away; a caption then follows its photo as a text of its own, translated the
same way. The source language is the writer's own unless the script says otherwise
(bot/translate/detect.py). A resident's voice message is also written out for the group.

A resident's messages are paced (bot/domain/limits.py): over the limit of the last minute they
are kept in the outbox and go a little later, in order, never lost; a blocked resident's are
not passed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain.casework import Actor, Outcome, answer_claims, refusal
from bot.domain.limits import Refusal, relay_slot
from bot.domain.tickets import ACTIVE, Status, Ticket
from bot.i18n.bidi import clean_user_text, isolate
from bot.messaging.translating import relay_words
from bot.render import casework as texts
from bot.render.quick import QuickReply
from bot.render.resident import answer_markup, quick_reply_text, reply_header
from bot.services.casework import Result, take
from bot.store import blocks
from bot.store.blocks import RELAY_EVENT
from bot.store.clock import iso
from bot.store.outbox import hold_until, last_id
from bot.store.tickets import fetch, record
from bot.translate.detect import source_language

if TYPE_CHECKING:  # only the type: Services lives with the handlers' context
    from bot.context import Services

LIMIT = 4096  # Telegram's limit for a message (captions: 1024)
CAPTION_LIMIT = 1024
# a piece to translate: the translation (often longer) and the original must fit one message
TRANSLATED_PIECE = 1600


@dataclass(frozen=True)
class Said:
    """A message to pass on, as plain values: where it is (to copy it) and its words."""

    chat_id: int
    message_id: int
    text: str | None = None  # a text message
    caption: str | None = None  # the caption of a photo or voice note
    voice: str | None = None  # the file id of a voice message

    @property
    def source(self) -> tuple[int, int]:
        return self.chat_id, self.message_id


@dataclass(frozen=True)
class Crossing:
    """Words on their way from one language to another, to translate at send time."""

    source: str
    target: str
    user_id: int | None  # whose case the words belong to (erased with them)
    staff: bool  # the reader is a partner group

    def words(self, head: str, body: str) -> dict[str, object]:
        return relay_words(head, body, self.source, self.target, self.user_id,
                           staff=self.staff)


def crossing(services: Services, text: str, writer_lang: str, reader_lang: str,
             user_id: int | None, *, staff: bool) -> Crossing | None:
    """How `text` crosses to the reader, or None when it needs no translation (the same
    language, or translation switched off)."""
    if services.translator.name == "none" or not text.strip():
        return None
    source = source_language(text, writer_lang, services.site.languages)
    if source == reader_lang:
        return None
    return Crossing(source, reader_lang, user_id, staff)


def split(text: str, size: int) -> list[str]:
    """Pieces that fit in one Telegram message, cut at a line or word break where possible."""
    parts = []
    while len(text) > size:
        cut = max(text.rfind("\n", 0, size), text.rfind(" ", 0, size))
        cut = cut if cut > size // 2 else size
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*parts, text] if text or not parts else parts


async def reply_to_resident(services: Services, ticket_id: int, actor: Actor,
                            said: Said) -> Result:
    """Staff → resident. A reply to an open request claims it for whoever answers first; the
    claim and the reply are one transaction."""
    notifier, now = services.notifier, services.clock()
    async with services.store.db.transaction() as tx:
        ticket = await fetch(tx, ticket_id)
        if ticket.status not in ACTIVE:
            return Result(Outcome.CLOSED, ticket)
        if ticket.resident_id is None:  # a referral after a visit to a home with no linked chat
            return Result(Outcome.NO_CHAT, ticket)
        if answer_claims(ticket):
            ticket = await take(services, tx, ticket, actor, now)
        header = reply_header(notifier, ticket, actor.first_name)
        ticket = await record(tx, ticket.id, actor.key, "reply", now, name=actor.first_name)
        await _to_resident(services, tx, now, ticket, header, said,
                           notifier.group_tr(actor.chat_id).lang)
        await services.followups.on_contact(tx, ticket, now)
    return Result(Outcome.DONE, ticket)


async def _to_resident(services: Services, tx: aiosqlite.Connection, now: datetime, t: Ticket,
                       header: str, said: Said, staff_lang: str) -> None:
    notifier, source = services.notifier, said.source
    markup = answer_markup(notifier, t)
    text, caption = said.text or "", said.caption or ""
    cross = crossing(services, text or caption, staff_lang, t.lang, t.resident_id, staff=False)
    if said.text:
        for i, part in _pieces(text, header, cross):
            await notifier.to_resident(tx, now, t, f"{header}\n{part}", markup,
                                       dedupe=f"relay:{source}:{i}",
                                       words=cross.words(header, part) if cross else None,
                                       mark=source if i == 0 else None)
        return
    short = not cross and len(header) + len(caption) < CAPTION_LIMIT
    await notifier.copy_to(tx, now, t, t.resident_id or 0, from_chat=source[0],
                           message_id=source[1], markup=markup,
                           caption=f"{header}\n{caption}" if caption and short else header,
                           dedupe=f"relay:{source}", mark=True)
    if caption and not short:  # a long or translated caption follows as text, nothing is cut
        for i, part in _pieces(caption, header, cross):
            await notifier.to_resident(tx, now, t, f"{header}\n{part}", markup,
                                       dedupe=f"relay:{source}:c{i}",
                                       words=cross.words(header, part) if cross else None)


def _pieces(text: str, header: str, cross: Crossing | None) -> list[tuple[int, str]]:
    size = TRANSLATED_PIECE if cross else LIMIT - len(header) - 4
    return list(enumerate(split(text, size)))


async def quick_reply(services: Services, ticket_id: int, actor: Actor, reply: QuickReply,
                      day: date | None) -> Result:
    """A canned message, in the resident's language; the sender's group sees it in theirs."""
    notifier, now = services.notifier, services.clock()
    async with services.store.db.transaction() as tx:
        ticket = await fetch(tx, ticket_id)
        refused = refusal(ticket, actor, Status.CLAIMED)
        if refused is not None:
            return Result(refused, ticket)
        if day is not None and day < now.astimezone(services.site.zone).date():
            return Result(Outcome.DAY_PASSED, ticket)
        text = quick_reply_text(notifier, ticket, actor.first_name, reply, day)
        ticket = await record(tx, ticket.id, actor.key, "quick_reply", now, reply=reply.id)
        await notifier.to_resident(tx, now, ticket, text, answer_markup(notifier, ticket))
        await services.followups.on_contact(tx, ticket, now)
        await notifier.to_group(tx, now, ticket, actor.chat_id,
                                texts.quick_sent(notifier, actor.chat_id, reply, day))
    return Result(Outcome.DONE, ticket)


@dataclass(frozen=True)
class Relayed:
    """What came of a resident's message to their request."""

    outcome: Outcome  # DONE: passed on (now or later); CLOSED: the request is over
    ticket: Ticket
    refused: Refusal | None = None  # not passed on: the resident is blocked
    later: bool = False  # over the limit of the last minute: kept, it goes a little later
    tell: bool = False  # the first of such a run: say so to the resident (once)


async def resident_message(services: Services, ticket_id: int, said: Said) -> Relayed:
    """Resident → the partner's group, under a header that names them as staff may see them
    (a pseudonym when anonymous). What may travel is checked before (text, photo, voice).

    A blocked resident's message is not passed on. Over `relays_per_minute` it is kept and
    goes out at the first free moment, in order (bot/domain/limits.py relay_slot); its event
    in the history carries that moment, which is what the limit counts."""
    notifier, now = services.notifier, services.clock()
    async with services.store.db.transaction() as tx:
        ticket = await fetch(tx, ticket_id)
        if ticket.status not in ACTIVE:
            return Relayed(Outcome.CLOSED, ticket)
        resident = ticket.resident_id
        if resident is not None and await blocks.is_blocked(tx, resident):
            return Relayed(Outcome.DONE, ticket, refused=Refusal.BLOCKED)
        per_minute = services.site.limits.relays_per_minute
        previous = await blocks.last_relays(tx, resident, per_minute) if resident else []
        slot = relay_slot([(p.at, p.late) for p in previous], now, per_minute)
        chat = notifier.partner_chat(ticket)
        header = texts.from_resident(notifier, chat, ticket)
        ticket = await record(tx, ticket.id, "resident", RELAY_EVENT, now,
                              **({"goes_at": iso(slot.at)} if slot.late else {}))
        after = await last_id(tx) if slot.late else 0  # only a held message needs it
        await _to_partner(services, tx, now, ticket, chat, header, said)
        if slot.late:  # what was just queued for the group waits for its moment
            await hold_until(tx, after, ticket.id, chat, slot.at)
    return Relayed(Outcome.DONE, ticket, later=slot.late, tell=slot.tell)


async def _to_partner(services: Services, tx: aiosqlite.Connection, now: datetime, t: Ticket,
                      chat: int, header: str, said: Said) -> None:
    notifier, source = services.notifier, said.source
    text, caption = clean_user_text(said.text or ""), clean_user_text(said.caption or "")
    cross = crossing(services, text or caption, t.lang, notifier.group_tr(chat).lang,
                     t.resident_id, staff=True)
    if said.text:
        for i, part in _pieces(text, header, cross):
            await notifier.to_group(tx, now, t, chat, f"{header}\n{isolate(part)}",
                                    dedupe=f"relay:{source}:{i}", purpose="relay",
                                    words=cross.words(header, part) if cross else None)
        return
    short = caption if not cross and len(header) + len(caption) < CAPTION_LIMIT else ""
    await notifier.copy_to(tx, now, t, chat, from_chat=source[0], message_id=source[1],
                           caption=f"{header}\n{short}" if short else header,
                           dedupe=f"relay:{source}")
    if caption and not short:  # a long or translated caption follows as text, nothing is cut
        for i, part in _pieces(caption, header, cross):
            await notifier.to_group(tx, now, t, chat, f"{header}\n{isolate(part)}",
                                    dedupe=f"relay:{source}:c{i}", purpose="relay",
                                    words=cross.words(header, part) if cross else None)
    if said.voice and services.transcriber.name != "none":
        await notifier.write_out(tx, now, t, chat, said.voice, dedupe=f"voice:{source}")
