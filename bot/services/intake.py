"""Intake: a resident's report, help request or question becomes a ticket.

Creating it, routing it (its card to the partner's group) and setting its deadlines are one
transaction, so the card and the follow-ups commit with the ticket or not at all, and a repeat
(a double tap, a replayed update) neither creates nor routes anything twice.

A request the resident makes of their own accord (`request`) is refused when a coordinator
blocked them or when they reached the day's limit (bot/domain/limits.py); an emergency is never
limited. An answer under the bot's own renovation notice (`submit`) is not: the bot asked.
A coordinator blocks and unblocks "the resident of M-0024" (`block`, `unblock`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain.limits import REQUEST_WINDOW, Blocking, Refusal, request_refusal
from bot.domain.tickets import NewTicket, Ticket
from bot.store import blocks, outbox
from bot.store.tickets import insert

if TYPE_CHECKING:  # only the types: Services lives with the handlers' context
    from bot.context import Services
    from bot.followup.engine import FollowUps
    from bot.messaging.notify import Notifier


@dataclass(frozen=True)
class Intake:
    """The ticket the request became, or why it was not made (then `ticket` is None)."""

    ticket: Ticket | None
    refused: Refusal | None = None


async def submit(services: Services, new: NewTicket) -> Ticket:
    """The ticket the draft became: created now, or earlier by the same draft."""
    now = services.clock()
    async with services.store.db.transaction() as tx:
        return await _create(services, tx, new, now)


async def request(services: Services, new: NewTicket) -> Intake:
    """A resident's own report, help request or question: made, unless they are blocked or
    at the limit. A repeat of one already made gives that one, whatever the limit says now."""
    now = services.clock()
    async with services.store.db.transaction() as tx:
        if new.resident_id is not None and not await blocks.became_ticket(tx, new.draft_key):
            refused = await _refusal(services, tx, new.resident_id, now,
                                     emergency=_emergency(services, new))
            if refused is not None:
                return Intake(None, refused)
        return Intake(await _create(services, tx, new, now))


async def refusal(services: Services, user_id: int) -> Refusal | None:
    """Whether a new request of this resident would be refused (asked as a flow starts, so
    nobody tells a whole story first); `request` asks again when it is sent."""
    async with services.store.db.transaction() as tx:
        return await _refusal(services, tx, user_id, services.clock(), emergency=False)


async def _refusal(services: Services, tx: aiosqlite.Connection, user_id: int, now: datetime,
                   *, emergency: bool) -> Refusal | None:
    return request_refusal(
        blocked=await blocks.is_blocked(tx, user_id),
        opened=await blocks.requests_since(tx, user_id, now - REQUEST_WINDOW),
        per_day=services.site.limits.requests_per_day, emergency=emergency)


async def block(services: Services, ref: str, by: str) -> Blocking:
    """A coordinator blocks the resident behind a request, found by its reference: their id
    is looked up here and never shown. Works for anonymous requests alike."""
    async with services.store.db.transaction() as tx:
        resident = await blocks.resident_of(tx, ref)
        if resident is None:
            return Blocking.UNKNOWN
        now = services.clock()
        if not await blocks.block(tx, resident, ref, by, now):
            return Blocking.ALREADY
        await outbox.drop_held(tx, resident, now)  # held back by the limit: not passed on now
    return Blocking.DONE


async def unblock(services: Services, ref: str) -> Blocking:
    """Lift the block of the resident behind a request (any of theirs, not only the one the
    block was made by)."""
    async with services.store.db.transaction() as tx:
        resident = await blocks.resident_of(tx, ref)
        if resident is None:
            return Blocking.UNKNOWN
        if not await blocks.unblock(tx, resident):
            return Blocking.NOT_BLOCKED
    return Blocking.DONE


def _emergency(services: Services, new: NewTicket) -> bool:
    category = services.site.category(new.kind.value, new.category)
    return bool(category and category.emergency)


async def _create(services: Services, tx: aiosqlite.Connection, new: NewTicket,
                  now: datetime) -> Ticket:
    ticket, _ = await create(services.notifier, services.followups, tx, new, now)
    return ticket


async def create(notifier: Notifier, followups: FollowUps, tx: aiosqlite.Connection,
                 new: NewTicket, now: datetime) -> tuple[Ticket, bool]:
    """A request comes into being the same way from every door (a resident's flow, a referral
    after a home visit, an import): stored once per draft key, its card queued for the
    partner group and its deadlines planned, in the caller's transaction. Also says whether it
    is new (False: the same draft again, nothing was queued twice)."""
    ticket, created = await insert(tx, new, now)
    if created:
        await notifier.on_created(tx, ticket, now)  # the card to the partner group
        await followups.on_created(tx, ticket, now)  # deadlines, what comes later
    return ticket, created
