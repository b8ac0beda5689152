"""My renovation: the resident's work days, in their language, with Babel dates."""

from __future__ import annotations

import json

from bot.domain.planning import PLANNED, WorkDay
from bot.domain.routing import route
from bot.domain.tickets import Kind, NewTicket
from bot.handlers.common import Turn, inline
from bot.handlers.menu import show_menu
from bot.i18n import Translator
from bot.render.callbacks import WORK_DAY, Press, pack
from bot.render.labels import lang_in, work_label
from bot.services import intake
from bot.translate import TranslationError
from bot.translate.cache import cached_translate


def hours(tr: Translator, wd: WorkDay) -> str:
    return f"{tr.time(wd.start)}–{tr.time(wd.end)}"


async def show_renovation(turn: Turn) -> None:
    tr, store = turn.tr, turn.services.store
    homes = await store.homes.of_resident(turn.user_id)
    if not homes:
        await show_menu(turn, tr._("Your chat is not linked to your home yet. Scan the QR code "
                                   "in the letter from the housing corporation, or type the "
                                   "code from that letter here."))
        return
    days = await store.renovation.days_of_resident(turn.user_id)
    if not days:
        await show_menu(turn, "🏗️ " + tr._("There are no work days planned for your home yet. "
                                           "You will get a message here when there are."))
        return
    count = len({d.day for d in days})
    notes = await _notes_in(turn, {d.notes for d in days if d.notes})
    lines = ["🏗️ " + tr.ngettext(
        "Your renovation: {n} work day between {first} and {last}.",
        "Your renovation: {n} work days between {first} and {last}.", count,
        first=tr.date(days[0].day, "long"), last=tr.date(days[-1].day, "long")), ""]
    for d in days:
        note = notes.get(d.notes, d.notes)
        lines.append(f"• {tr.date(d.day, 'full')}, {tr.insert(hours(tr, d))}:"
                     f" {work_label(tr, d.work)}" + (f" ({tr.insert(note)})" if note else ""))
    if any(notes.get(n, n) != n for n in notes):
        lines += ["", "🌐 " + tr._("The notes in brackets are machine translated from "
                                  "{language}.", language=lang_in(tr, _planning_lang(turn)))]
    await show_menu(turn, "\n".join(lines))


def _planning_lang(turn: Turn) -> str:
    return turn.services.site.default_language  # the contractor writes in the site's language


async def _notes_in(turn: Turn, notes: set[str]) -> dict[str, str]:
    """The contractor's notes in the resident's language, through the cache; as written when
    translation is off or fails (the list is never held back longer than the time limit)."""
    services, source = turn.services, _planning_lang(turn)
    if not notes or turn.tr.lang == source or services.translator.name == "none":
        return {}
    texts = sorted(notes)
    try:
        done = await cached_translate(services.store, services.translator, texts, source,
                                      turn.tr.lang, user_id=None)
    except TranslationError:
        return {}
    return dict(zip(texts, done, strict=True))


async def on_work_day_answer(turn: Turn, press: Press) -> None:
    """`v1:wd:<work day>:ok|away|help|rest`: one tap under a notice. Anything but OK becomes a
    request for the housing corporation (help goes to the volunteers), through normal routing."""
    services, tr = turn.services, turn.tr
    await turn.answer()
    await turn.drop_buttons()
    wd_id = int(press.arg(0)) if press.arg(0).isdigit() else 0
    answer = press.arg(1)
    found = await services.store.renovation.day_of_resident(wd_id, turn.user_id)
    if (found is None or found.work_day.status != PLANNED
            or (answer not in ANSWER_CATEGORIES and answer not in ("ok", "no"))):
        await turn.say(tr._("This button is old. Here is where you are now."))
        return
    if answer == "ok":
        await show_menu(turn, "👍 " + tr._("Thank you. See you then."))
        return
    if answer == "no":
        await show_menu(turn, "👍 " + tr._("OK. Nothing is passed on."))
        return
    wd, category = found.work_day, ANSWER_CATEGORIES[answer]
    partner_id = route(services.site, "help", category, None)
    if partner_id != services.site.question_partner and press.arg(2) != "ok":
        # the housing corporation knows the address; anyone else gets it only with a yes
        await ask_to_share(turn, wd_id, answer, partner_id)
        return
    # the work day as the partner's staff read it (the category on the card says what is asked)
    gtr = services.notifier.group_tr(services.site.partner(partner_id).chat_id)
    new = NewTicket(
        draft_key=f"wd:{wd_id}:{turn.user_id}:{answer}", resident_id=turn.user_id,
        kind=Kind.HELP, category=category, partner_id=partner_id, lang=turn.lang,
        description=f"{work_label(gtr, wd.work)}: {gtr.date(wd.day, 'full')}, {hours(gtr, wd)}",
        location=json.dumps({"text": found.home.address}), first_name=turn.first_name,
        contact="message", description_lang=gtr.lang,
    )
    ticket = await intake.submit(services, new)
    await show_menu(turn, "\n".join([
        "✅ " + tr._("Thank you. We have passed it on to {partner}.",
                    partner=services.site.partner_name_in(ticket.partner_id, tr.lang)),
        tr._("Your number is {ref}. Keep it.", ref=ticket.ref),
    ]))


async def ask_to_share(turn: Turn, wd_id: int, answer: str, partner_id: str) -> None:
    tr = turn.tr
    partner = turn.services.site.partner_name_in(partner_id, tr.lang)
    await turn.say(tr._("To help you, we pass your address and this work day on to {partner}. "
                        "Is that OK?", partner=partner), inline(
        [("✅ " + tr._("Yes, pass it on"), pack(WORK_DAY, wd_id, answer, "ok"))],
        [("❌ " + tr._("No"), pack(WORK_DAY, wd_id, "no"))]))


ANSWER_CATEGORIES = {"away": "reno_away", "help": "reno_help", "rest": "reno_rest"}


async def overview_after_linking(turn: Turn) -> None:
    """Right after linking: the resident's renovation at a glance, if it is planned already."""
    if await turn.services.store.renovation.days_of_resident(turn.user_id):
        await show_renovation(turn)
