"""Intake: a resident's report, help request or question becomes a ticket.

Creating it, routing it (its card to the partner's group) and setting its deadlines are one
transaction, so the card and the follow-ups commit with the ticket or not at all, and a repeat
(a double tap, a replayed update) neither creates nor routes anything twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain.tickets import NewTicket, Ticket
from bot.store.tickets import insert

if TYPE_CHECKING:  # only the type: Services lives with the handlers' context
    from bot.context import Services


async def submit(services: Services, new: NewTicket) -> Ticket:
    """The ticket the draft became: created now, or earlier by the same draft."""
    now = services.clock()
    async with services.store.db.transaction() as tx:
        ticket, created = await insert(tx, new, now)
        if created:
            await services.notifier.on_created(tx, ticket, now)  # the card to the partner group
            await services.followups.on_created(tx, ticket, now)  # deadlines, what comes later
    return ticket
