"""Casework: what staff do with a request from its card (claim, release, resolve, hand over, add
a note) and the resident's answer to "Were you helped?".

Each use case is one transaction: the ticket is read, the rule decided and the move made on what
that transaction sees (so of two presses at once exactly one wins, and the other is told who
has it), and everything the change causes (card edits, the resident's message, deadlines) goes
into the outbox and the due table in the same commit. The texts are rendered here, through
bot/render, because they need the ticket as it is after the change and the language of each
reader (the resident, another partner's group), which the handler does not know. Who acts comes
in as a plain Actor: nothing here knows about telegram.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.config import SiteConfig
from bot.domain.casework import Actor, Outcome, holder, may, refusal
from bot.domain.tickets import Action, Kind, Status, Ticket
from bot.i18n.bidi import clean_user_text
from bot.render import casework as texts
from bot.render.resident import (
    answer_markup,
    claimed_text,
    resolved_markup,
    resolved_text,
    transfer_question,
    transfer_question_markup,
    transferred_text,
)
from bot.store import asks
from bot.store.threads import clear_pending
from bot.store.tickets import fetch, find, move, record

if TYPE_CHECKING:  # only the type: Services lives with the handlers' context
    from bot.context import Services

__all__ = ["MAX_NOTE", "Actor", "Outcome", "Result", "add_note", "answer_transfer", "claim",
           "feedback", "needs_consent", "release", "resolve", "take", "transfer",
           "transfer_targets"]
MAX_NOTE = 1000
UNCLAIMED = {"claimed_by": None, "claimed_name": None}


@dataclass(frozen=True)
class Result:
    """What came of a use case; `ticket` as it is afterwards (None: there is no such ticket)."""

    outcome: Outcome
    ticket: Ticket | None = None

    @property
    def done(self) -> bool:
        return self.outcome == Outcome.DONE

    @property
    def holder(self) -> str:
        """Who has the request: the name in "{name} already has this"."""
        return holder(self.ticket)


async def take(services: Services, tx: aiosqlite.Connection, ticket: Ticket, actor: Actor,
               now: datetime) -> Ticket:
    """The claim itself, inside the caller's transaction: a card button or a first reply."""
    claimed = await move(tx, ticket, Action.CLAIM, actor.key, now, name=actor.first_name,
                         fields={"claimed_by": actor.user_id, "claimed_name": actor.first_name})
    await services.notifier.refresh_cards(tx, now, claimed)
    return claimed


async def claim(services: Services, ticket_id: int, actor: Actor) -> Result:
    """Whoever is first has it; the resident hears who picked their request up."""
    notifier, now = services.notifier, services.clock()
    async with services.store.db.transaction() as tx:
        ticket = await fetch(tx, ticket_id)
        if ticket.status == Status.CLAIMED and ticket.claimed_by == actor.user_id:
            return Result(Outcome.ALREADY_YOURS, ticket)
        if not may(ticket, Action.CLAIM):
            return Result(Outcome.TAKEN, ticket)
        ticket = await take(services, tx, ticket, actor, now)
        await notifier.to_resident(tx, now, ticket, claimed_text(notifier, ticket),
                                   answer_markup(notifier, ticket))
    return Result(Outcome.DONE, ticket)


async def release(services: Services, ticket_id: int, actor: Actor) -> Result:
    """Back to open, for someone else to pick up (the claimer or the coordinator only)."""
    now = services.clock()
    async with services.store.db.transaction() as tx:
        ticket = await fetch(tx, ticket_id)
        refused = refusal(ticket, actor, Status.CLAIMED, owner=True)
        if refused is not None:
            return Result(refused, ticket)
        ticket = await move(tx, ticket, Action.RELEASE, actor.key, now, name=actor.first_name,
                            fields=UNCLAIMED)
        await services.notifier.refresh_cards(tx, now, ticket)
    return Result(Outcome.DONE, ticket)


async def resolve(services: Services, ticket_id: int, actor: Actor) -> Result:
    """Solved, says staff: the resident is asked whether they were helped, and asked again
    later if they do not answer (the claimer or the coordinator only)."""
    notifier, now = services.notifier, services.clock()
    async with services.store.db.transaction() as tx:
        ticket = await fetch(tx, ticket_id)
        refused = refusal(ticket, actor, Status.CLAIMED, owner=True)
        if refused is not None:
            return Result(refused, ticket)
        ticket = await move(tx, ticket, Action.RESOLVE, actor.key, now, name=actor.first_name)
        await notifier.refresh_cards(tx, now, ticket)
        await notifier.to_resident(tx, now, ticket, resolved_text(notifier, ticket),
                                   resolved_markup(notifier, ticket))
        await services.followups.on_resolved(tx, ticket, now)
    return Result(Outcome.DONE, ticket)


def _note_text(raw: str) -> str:
    """A note as it is kept: no bidi controls (they would scramble the card), and short."""
    return clean_user_text(raw)[:MAX_NOTE]


async def add_note(services: Services, ticket_id: int, actor: Actor, text: str) -> Result:
    """A note for the team only; it answers the prompt, so the prompt is no longer pending."""
    notifier, now = services.notifier, services.clock()
    async with services.store.db.transaction() as tx:
        ticket = await record(tx, ticket_id, actor.key, "note", now, text=_note_text(text),
                              name=actor.first_name)
        await clear_pending(tx, actor.chat_id, actor.user_id)
        await notifier.to_group(tx, now, ticket, actor.chat_id,
                                texts.note_saved(notifier, actor.chat_id, ticket))
    return Result(Outcome.DONE, ticket)


async def transfer(services: Services, ticket_id: int, actor: Actor, to_partner: str,
                   note: str) -> Result:
    """A warm handover: the new partner gets the card and the note, the old card says where it
    went, and the resident is told and need not tell their story again. A help request (debts,
    care) holds what the resident told this organisation: it goes only when the resident says
    yes, so they are asked first (Outcome.ASKED; answer_transfer does the rest). Refused (and
    the prompt left pending) when the request is no longer open or picked up."""
    notifier, now = services.notifier, services.clock()
    note = _note_text(note)
    async with services.store.db.transaction() as tx:
        ticket = await fetch(tx, ticket_id)
        if not may(ticket, Action.TRANSFER) or to_partner not in transfer_targets(services.site,
                                                                                   ticket):
            return Result(Outcome.CHANGED, ticket)
        await clear_pending(tx, actor.chat_id, actor.user_id)
        if needs_consent(ticket):
            ask_id = await asks.ask(tx, now, ticket_id=ticket.id, from_partner=ticket.partner_id,
                                    to_partner=to_partner, note=note, actor=actor.key,
                                    actor_name=actor.first_name)
            ticket = await record(tx, ticket.id, actor.key, "transfer_asked", now,
                                  to=to_partner, note=note, name=actor.first_name)
            await notifier.to_resident(tx, now, ticket,
                                       transfer_question(notifier, ticket, to_partner),
                                       transfer_question_markup(notifier, ticket, ask_id))
            await notifier.to_group(tx, now, ticket, actor.chat_id,
                                    texts.transfer_asked(notifier, actor.chat_id, ticket,
                                                         to_partner))
            await services.followups.on_transfer_asked(tx, ticket, now, ask_id)
            return Result(Outcome.ASKED, ticket)
        ticket = await _hand_over(services, tx, now, ticket, to_partner, note, actor.key,
                                  actor.first_name)
    return Result(Outcome.DONE, ticket)


def transfer_targets(site: SiteConfig, ticket: Ticket) -> list[str]:
    """Where a request may be handed over to: another partner, never the coordinator (who
    oversees, and takes a request with its own button)."""
    return [p.id for p in site.partners if p.id not in (ticket.partner_id, site.coordinator)]


def needs_consent(ticket: Ticket) -> bool:
    """Help requests carry a resident's private situation; reports and questions do not."""
    return ticket.kind == Kind.HELP and ticket.resident_id is not None


async def _hand_over(services: Services, tx: aiosqlite.Connection, now: datetime,
                     ticket: Ticket, to_partner: str, note: str, actor_key: str,
                     actor_name: str, **event: str) -> Ticket:
    site, notifier = services.site, services.notifier
    new_chat = site.partner(to_partner).chat_id
    handover = texts.handover(notifier, new_chat, site.partner_name(ticket.partner_id),
                              actor_name, note)
    await asks.close_open(tx, ticket.id, now)
    ticket = await move(tx, ticket, Action.TRANSFER, actor_key, now,
                        fields={"partner_id": to_partner, **UNCLAIMED},
                        to=to_partner, note=note, name=actor_name, **event)
    await notifier.refresh_cards(tx, now, ticket)
    await notifier.post_card(tx, now, ticket, new_chat, f"card:{ticket.id}:{now.isoformat()}")
    await services.followups.on_transferred(tx, ticket, now)
    await notifier.to_group(tx, now, ticket, new_chat, handover)
    await notifier.to_resident(tx, now, ticket, transferred_text(notifier, ticket))
    return ticket


async def answer_transfer(services: Services, ask_id: int, resident_id: int,
                          yes: bool) -> Result:
    """The resident's answer to "may we pass it on?": yes hands the request over as the staff
    member asked (their note, their name); no keeps it where it is and tells the group. A
    question overtaken by events (the request moved, was closed, or asked again) is old."""
    notifier, now = services.notifier, services.clock()
    async with services.store.db.transaction() as tx:
        ask = await asks.get(tx, ask_id)
        ticket = await find(tx, ask.ticket_id) if ask else None
        if ask is None or ticket is None or ticket.resident_id != resident_id:
            return Result(Outcome.OLD, ticket)
        if ask.answer is not None:
            return Result(Outcome.ANSWERED if ask.answer in ("yes", "no") else Outcome.OLD,
                          ticket)
        if not may(ticket, Action.TRANSFER) or ticket.partner_id != ask.from_partner:
            await asks.answer(tx, ask_id, "stale", now)
            return Result(Outcome.OLD, ticket)
        await asks.answer(tx, ask_id, "yes" if yes else "no", now)
        if yes:
            ticket = await _hand_over(services, tx, now, ticket, ask.to_partner, ask.note,
                                      ask.actor, ask.actor_name, consent="yes")
            return Result(Outcome.DONE, ticket)
        ticket = await record(tx, ticket.id, "resident", "transfer_refused", now,
                              to=ask.to_partner)
        await notifier.to_partner(tx, now, ticket,
                                  texts.transfer_refused(notifier, ticket, ask.to_partner))
    return Result(Outcome.DONE, ticket)


async def feedback(services: Services, ticket_id: int, resident_id: int, helped: bool) -> Result:
    """The resident's answer to "Were you helped?": yes closes the request, no opens it again
    for anyone to pick up, with fresh deadlines. Either way the partner's group hears it."""
    notifier, followups, now = services.notifier, services.followups, services.clock()
    async with services.store.db.transaction() as tx:
        ticket = await find(tx, ticket_id)
        if ticket is None or ticket.resident_id != resident_id:
            return Result(Outcome.OLD, ticket)
        if ticket.status != Status.RESOLVED:
            return Result(Outcome.ANSWERED, ticket)
        ticket = await move(tx, ticket, Action.CONFIRM if helped else Action.REOPEN, "resident",
                            now, fields={} if helped else UNCLAIMED)
        await notifier.refresh_cards(tx, now, ticket)
        await notifier.to_partner(tx, now, ticket, texts.feedback_told(notifier, ticket, helped))
        await (followups.on_answered if helped else followups.on_reopened)(tx, ticket, now)
    return Result(Outcome.DONE, ticket)
