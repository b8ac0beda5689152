"""My renovation: the resident's work days, in their language, with Babel dates."""

from __future__ import annotations

from datetime import date, time

from bot.handlers.common import Turn
from bot.handlers.menu import show_menu
from bot.i18n import N_, Translator
from bot.schedule import days_of_resident

WORK_LABELS = {
    "kitchen": N_("kitchen"), "bathroom": N_("bathroom"), "toilet": N_("toilet"),
    "windows": N_("windows"), "electrics": N_("electrics"), "heating": N_("heating"),
    "other": N_("other work"),
}


def work_label(tr: Translator, work: str) -> str:
    return tr._(WORK_LABELS.get(work, "other work"))


async def show_renovation(turn: Turn) -> None:
    tr, store = turn.tr, turn.services.store
    homes = await store.homes.of_resident(turn.user_id)
    if not homes:
        await show_menu(turn, tr._("Your chat is not linked to your home yet. Scan the QR code "
                                   "in the letter from the housing corporation, or type the "
                                   "code from that letter here."))
        return
    days = await days_of_resident(store.db, turn.user_id)
    if not days:
        await show_menu(turn, "🏗️ " + tr._("There are no work days planned for your home yet. "
                                           "You will get a message here when there are."))
        return
    first, last = date.fromisoformat(days[0][0]), date.fromisoformat(days[-1][0])
    count = len({d[0] for d in days})
    lines = ["🏗️ " + tr.ngettext(
        "Your renovation: {n} work day between {first} and {last}.",
        "Your renovation: {n} work days between {first} and {last}.", count,
        first=tr.date(first, "long"), last=tr.date(last, "long")), ""]
    for day, start, end, work, notes in days:
        when = tr.date(date.fromisoformat(day), "full")
        hours = f"{tr.time(time.fromisoformat(start))}–{tr.time(time.fromisoformat(end))}"
        lines.append(f"• {when}, {tr.insert(hours)}: {work_label(tr, work)}"
                     + (f" ({tr.insert(notes)})" if notes else ""))
    await show_menu(turn, "\n".join(lines))
