"""`/overview` in the coordinator group: per partner what is open, picked up and overdue, the
oldest waiting requests, and how often promises to residents were kept."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from telegram import Update

from bot.context import BotContext
from bot.handlers.staff import Staff, coordinator_only
from bot.store.clock import iso

OLDEST = 3


async def cmd_overview(update: Update, context: BotContext) -> None:
    staff = await coordinator_only(update, context)
    if staff is None:
        return
    await staff.say(None, await overview_text(staff))


async def overview_text(staff: Staff) -> str:
    tr, db, site = staff.tr, staff.services.store.db, staff.services.site
    now = staff.services.clock()
    counts: Counter[tuple[str, str]] = Counter()
    for partner_id, status, n in await db.fetchall(
            "SELECT partner_id, status, count(*) FROM tickets WHERE status IN ('open', 'claimed')"
            " GROUP BY partner_id, status"):
        counts[(partner_id, status)] = n
    overdue: dict[str, int] = {r[0]: r[1] for r in await db.fetchall(
        "SELECT partner_id, count(*) FROM tickets WHERE status IN ('open', 'claimed')"
        " AND resolve_due < ? GROUP BY partner_id", (iso(now),))}
    promises: Counter[tuple[str, str]] = Counter()
    for partner_id, status, n in await db.fetchall(
            "SELECT partner_id, status, count(*) FROM promises GROUP BY partner_id, status"):
        promises[(partner_id, status)] = n
    lines = ["📊 " + tr._("Overview of {date}", date=tr.datetime(now, "short"))]
    for partner in site.partners:
        if partner.id == site.coordinator:
            continue
        lines += ["", f"{partner.name}: " + tr._(
            "open {open} · picked up {claimed} · overdue {overdue}",
            open=counts[(partner.id, "open")], claimed=counts[(partner.id, "claimed")],
            overdue=overdue.get(partner.id, 0))]
        lines += await _oldest(staff, partner.id, now)
        kept, broken, silent = (promises[(partner.id, s)] for s in ("kept", "broken",
                                                                    "unanswered"))
        if kept + broken + silent:
            lines.append("   " + tr._("promises: kept {kept} · broken {broken} · no answer "
                                      "{silent}", kept=kept, broken=broken, silent=silent))
    return "\n".join(lines)


async def _oldest(staff: Staff, partner_id: str, now: datetime) -> list[str]:
    tr = staff.tr
    rows = await staff.services.store.db.fetchall(
        "SELECT ref, created_at FROM tickets WHERE partner_id = ? AND status = 'open'"
        " ORDER BY created_at LIMIT ?", (partner_id, OLDEST))
    out = []
    for ref, created in rows:
        waited = now - datetime.fromisoformat(created)
        days = waited.days
        out.append("   ⏳ #" + ref + " · " + tr.ngettext("waiting {n} day", "waiting {n} days",
                                                         days))
    return out
