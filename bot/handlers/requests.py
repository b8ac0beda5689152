"""My requests: the resident's own requests with their status, in their language."""

from __future__ import annotations

from bot.handlers.common import Turn
from bot.handlers.menu import show_menu
from bot.handlers.render import category_label, status_label

SHOWN = 10


async def show_requests(turn: Turn) -> None:
    tr, site = turn.tr, turn.services.site
    tickets = await turn.services.store.tickets.for_resident(turn.user_id, limit=SHOWN)
    if not tickets:
        await show_menu(turn, tr._("You have no requests yet."))
        return
    lines = ["📋 " + tr._("Your requests:")]
    for t in tickets:
        lines += [
            "",
            f"{tr.insert(t.ref)} · {category_label(tr, site, t.kind.value, t.category)}",
            tr._("Sent on {date} to {partner}", date=tr.date(t.created_at, "medium"),
                 partner=site.partner_name(t.partner_id)),
            tr._("Status: {status}", status=status_label(tr, t.status)),
        ]
    await show_menu(turn, "\n".join(lines))
