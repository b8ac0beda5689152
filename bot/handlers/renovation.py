"""My renovation: the resident's work days, in their language, with Babel dates."""

from __future__ import annotations

import json
from datetime import date, time

from bot.domain.routing import route
from bot.domain.tickets import Kind, NewTicket
from bot.handlers.common import Turn
from bot.handlers.menu import show_menu
from bot.importers.planning import days_of_resident
from bot.render.callbacks import Press
from bot.render.labels import work_label


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


async def on_work_day_answer(turn: Turn, press: Press) -> None:
    """`v1:wd:<work day>:ok|away|help|rest`: one tap under a notice. Anything but OK becomes a
    request for the housing corporation (help goes to the volunteers), through normal routing."""
    services, tr = turn.services, turn.tr
    await turn.answer()
    await turn.drop_buttons()
    wd_id = int(press.arg(0)) if press.arg(0).isdigit() else 0
    answer = press.arg(1)
    row = await services.store.db.fetchone(
        'SELECT w.work, w.day, w.start, w."end", h.street, h.number, h.addition, w.status'
        " FROM work_days w JOIN homes h ON h.id = w.home_id JOIN home_residents r"
        " ON r.home_id = h.id WHERE w.id = ? AND r.user_id = ?", (wd_id, turn.user_id))
    if row is None or row[7] != "planned" or (answer not in ANSWER_CATEGORIES and answer != "ok"):
        await turn.say(tr._("This button is old. Here is where you are now."))
        return
    if answer == "ok":
        await show_menu(turn, "👍 " + tr._("Thank you. See you then."))
        return
    category = ANSWER_CATEGORIES[answer]
    address = f"{row[4]} {row[5]}" + (f"-{row[6]}" if row[6] else "")
    partner_id = route(services.site, "help", category, None)
    # the work day as the partner's staff read it (the category on the card says what is asked)
    gtr = services.notifier.group_tr(services.site.partner(partner_id).chat_id)
    hours = f"{gtr.time(time.fromisoformat(row[2]))}–{gtr.time(time.fromisoformat(row[3]))}"
    new = NewTicket(
        draft_key=f"wd:{wd_id}:{turn.user_id}:{answer}", resident_id=turn.user_id,
        kind=Kind.HELP, category=category, partner_id=partner_id, lang=turn.lang,
        description=f"{work_label(gtr, row[0])}: {gtr.date(date.fromisoformat(row[1]), 'full')},"
                    f" {hours}",
        location=json.dumps({"text": address}), first_name=turn.first_name, contact="message",
    )
    ticket, _ = await services.store.tickets.create(new)
    await show_menu(turn, "\n".join([
        "✅ " + tr._("Thank you. We have passed it on to {partner}.",
                    partner=services.site.partner_name(ticket.partner_id)),
        tr._("Your number is {ref}. Keep it.", ref=ticket.ref),
    ]))


ANSWER_CATEGORIES = {"away": "reno_away", "help": "reno_help", "rest": "reno_rest"}


async def overview_after_linking(turn: Turn) -> None:
    """Right after linking: the resident's renovation at a glance, if it is planned already."""
    if await days_of_resident(turn.services.store.db, turn.user_id):
        await show_renovation(turn)
