"""`/overview` in the coordinator group: per partner what is open, picked up and overdue, the
oldest waiting requests, and how often promises to residents were kept."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot.context import BotContext
from bot.handlers.staff import Staff, coordinator_only
from bot.store.overview import PartnerLoad, oldest_open, partner_loads
from bot.store.promises import PromiseCounts

OLDEST = 3


async def cmd_overview(update: Update, context: BotContext) -> None:
    staff = await coordinator_only(update, context)
    if staff is None:
        return
    await staff.say(None, await overview_text(staff))


async def overview_text(staff: Staff) -> str:
    tr, db, site = staff.tr, staff.services.store.db, staff.services.site
    now = staff.services.clock()
    loads = await partner_loads(db, now)
    promises = await staff.services.store.promises.counts()
    lines = ["📊 " + tr._("Overview of {date}", date=tr.datetime(now, "short"))]
    for partner in site.partners:
        if partner.id == site.coordinator:
            continue
        load = loads.get(partner.id, PartnerLoad())
        lines += ["", f"{partner.name}: " + tr._(
            "open {open} · picked up {claimed} · overdue {overdue}",
            open=load.open, claimed=load.claimed, overdue=load.overdue)]
        lines += await _oldest(staff, partner.id, now)
        told = promises.get(partner.id, PromiseCounts())
        if told.total:
            lines.append("   " + tr._("promises: kept {kept} · broken {broken} · no answer "
                                      "{silent}", kept=told.kept, broken=told.broken,
                                      silent=told.unanswered))
    return "\n".join(lines)


async def _oldest(staff: Staff, partner_id: str, now: datetime) -> list[str]:
    tr = staff.tr
    out = []
    for waiting in await oldest_open(staff.services.store.db, partner_id, OLDEST):
        days = (now - waiting.since).days
        out.append("   ⏳ #" + waiting.ref + " · " + tr.ngettext(
            "waiting {n} day", "waiting {n} days", days))
    return out
