"""A resident's "delete my data": erased everywhere, and the partners' cards show it at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.store.privacy import erase_resident
from bot.store.tickets import fetch

if TYPE_CHECKING:
    from bot.context import Services


async def erase(services: Services, user_id: int) -> int:
    """Erase the resident; in the same transaction every card of their requests is edited, so
    the partners see the words gone and the request withdrawn. The number of requests."""
    now = services.clock()
    async with services.store.db.transaction() as tx:
        ticket_ids = await erase_resident(tx, user_id, now)
        for ticket_id in ticket_ids:
            await services.notifier.refresh_cards(tx, now, await fetch(tx, ticket_id))
    return len(ticket_ids)
