"""Composing a broadcast in the housing corporation's (or the coordinator's) group:
/broadcast -> building -> stairwell -> one text per language or one for all -> preview with the
number of recipients -> send. Callback data `v1:bc:<step>:...`; the draft lives in SQLite.

The first text is written in the group's own language. With a translation service, every
recipient language without a text of its own gets it machine translated before the preview
(bot/services/broadcast.py translate), and the preview shows each language as its residents will
read it. When a translation failed, "Translate again" (`v1:bc:again`) asks the service again
for those languages only and shows the preview anew; Send delivers what the last preview showed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from telegram import Message, Update
from telegram.constants import ParseMode

from bot.context import BotContext
from bot.handlers.common import inline
from bot.handlers.staff import Staff, StaffPress, staff_for
from bot.i18n import language_name
from bot.i18n.bidi import clean_user_text
from bot.render.broadcast import Version, preview_pages
from bot.render.callbacks import BROADCAST, BroadcastStep, Press, pack
from bot.services import broadcast
from bot.store.drafts import Draft

FLOW = "broadcast"


def _may(staff: Staff) -> bool:
    site = staff.services.site
    allowed = {site.question_partner, site.coordinator}
    partner = site.partner_in(staff.chat_id)
    return partner is not None and partner.id in allowed


async def cmd_broadcast(update: Update, context: BotContext) -> None:
    staff = staff_for(update, context)
    if staff is None:
        return
    tr = staff.tr
    if not _may(staff):
        await staff.say(None, tr._("Broadcasts are sent from the housing corporation's group or "
                                   "the coordinator group."))
        return
    site = staff.services.site
    target = BroadcastStep.TARGET
    rows = [[("🏢 " + b.name, pack(BROADCAST, target, b.id))] for b in site.buildings]
    rows.append([("🌍 " + tr._("All linked residents"), pack(BROADCAST, target, "*"))])
    await staff.say(None, "📣 " + tr._("Who is the announcement for?"), reply_markup=inline(*rows))


ComposerStep = Callable[[Staff, Press], Awaitable[None]]


def composer_buttons(steps: Mapping[str, ComposerStep]) -> StaffPress:
    """The composer's buttons, `v1:bc:<step>[:<arg>...]`, each step to its action (bot/app.py
    lists them); only in the groups that may broadcast, and an unknown step stops."""
    async def on_press(update: Update, context: BotContext, press: Press) -> None:
        staff = staff_for(update, context)
        if staff is None:
            return
        if not _may(staff):
            await staff.alert(staff.tr._("This button does not work here."), popup=True)
            return
        await staff.alert()
        await steps.get(press.arg(0), stop)(staff, press)
    return on_press


async def choose_target(staff: Staff, press: Press) -> None:
    await _target(staff, press.arg(1))


async def choose_mode(staff: Staff, press: Press) -> None:
    await _mode(staff, press.arg(1), press.arg(2), press.arg(3))


async def skip_language(staff: Staff, press: Press) -> None:
    await _next_text(staff, skip=True)


async def send(staff: Staff, press: Press) -> None:
    await _send(staff)


async def retranslate(staff: Staff, press: Press) -> None:
    """Ask the service again for the languages whose translation failed (the cache answers for
    the rest), and show the preview again."""
    draft = await composing(staff)
    if draft is None or draft.step != "preview":
        await staff.say(None, staff.tr._("This button is old."))
        return
    await _preview(staff, draft)


async def stop(staff: Staff, press: Press) -> None:
    if await composing(staff):  # not a draft of something else this person started since
        await staff.services.store.drafts.clear(staff.user_id)
    await staff.say(None, staff.tr._("The announcement was not sent."))


async def _target(staff: Staff, building_id: str) -> None:
    tr, site = staff.tr, staff.services.site
    building = site.building(building_id)
    wells = ["*", *(building.stairwells if building else [])]
    rows = []
    for w in wells:
        where = "" if not building else (tr._("Whole building") if w == "*"
                                         else tr._("stairwell {name}", name=w)) + ": "
        rows.append([
            (where + tr._("a text per language"),
             pack(BROADCAST, BroadcastStep.MODE, building_id, w, "per")),
            (where + tr._("one text for all"),
             pack(BROADCAST, BroadcastStep.MODE, building_id, w, "one"))])
    await staff.say(None, tr._("Which residents, and one text per language or one for all?"),
                    reply_markup=inline(*rows))


def _group_language(staff: Staff) -> str:
    """The sender's group's language: the first text is written in it, and is the source of
    the machine translations."""
    site = staff.services.site
    partner = site.partner_in(staff.chat_id)
    return partner.language if partner else site.default_language


async def _mode(staff: Staff, building: str, stairwell: str, mode: str) -> None:
    site, first = staff.services.site, _group_language(staff)
    langs = [first] + ([x for x in site.languages if x != first] if mode == "per" else [])
    await staff.services.store.drafts.start(
        staff.user_id, FLOW, "text", chat=staff.chat_id, building=building,
        stairwell=stairwell, langs=langs, texts={})
    await _ask_text(staff, langs[0], first=True)


async def _ask_text(staff: Staff, lang: str, first: bool) -> None:
    tr = staff.tr
    text = tr._("Type the announcement in {language}.", language=language_name(lang))
    markup = None if first else inline(
        [(tr._("Skip: use the first text"), pack(BROADCAST, BroadcastStep.SKIP))])
    await staff.say(None, "✍️ " + text, reply_markup=markup)


async def composing(staff: Staff) -> Draft | None:
    draft = await staff.services.store.drafts.get(staff.user_id)
    if draft is None or draft.flow != FLOW or draft.data.get("chat") != staff.chat_id:
        return None
    return draft


async def on_text(staff: Staff, message: Message) -> bool:
    """A staff message while composing; True when it was taken as announcement text."""
    draft = await composing(staff)
    if draft is None or draft.step != "text":
        return False
    text = clean_user_text(message.text or "")
    if not text:
        return False
    await _next_text(staff, text=text, draft=draft)
    return True


async def _next_text(staff: Staff, *, text: str | None = None, skip: bool = False,
                     draft: Draft | None = None) -> None:
    draft = draft or await composing(staff)
    if draft is None or not draft.first_time(staff.update.update_id):  # replayed after a crash
        return
    langs: list[str] = draft.data["langs"]
    texts: dict[str, str] = draft.data["texts"]
    current = langs[len(texts)] if len(texts) < len(langs) else None
    if current is None:
        return
    texts[current] = "" if skip else (text or "")
    if len(texts) == len(langs):
        draft.step = "preview"
    await staff.services.store.drafts.save(draft)
    if draft.step == "preview":
        await _preview(staff, draft)
    else:
        await _ask_text(staff, langs[len(texts)], first=False)


def _target_of(draft: Draft) -> broadcast.Target:
    building = draft.data["building"]
    well = draft.data["stairwell"]
    return broadcast.Target(None if building == "*" else building, None if well == "*" else well)


def _languages(site_languages: list[str], counts: Mapping[str, int]) -> list[str]:
    """The recipients' languages, in the site's order (then any other)."""
    return [lang for lang in dict.fromkeys([*site_languages, *sorted(counts)]) if counts.get(lang)]


async def _preview(staff: Staff, draft: Draft) -> None:
    services, tr = staff.services, staff.tr
    people = await broadcast.recipients(services.store.db, _target_of(draft))
    counts = broadcast.by_language(people)
    langs = _languages(services.site.languages, counts)
    known = {lang: Version.from_json(v) for lang, v in draft.data.get("versions", {}).items()}
    versions = await broadcast.translate(  # outside any transaction; never raises
        services.store, services.translator, texts=_texts(draft), source=draft.data["langs"][0],
        langs=langs, known=known)
    draft.data["versions"] = {lang: v.to_json() for lang, v in versions.items()}
    await services.store.drafts.save(draft)
    pages = preview_pages(tr, len(people), [(versions[lang], counts[lang]) for lang in langs])
    rows = [[("✅ " + tr._("Send"), pack(BROADCAST, BroadcastStep.SEND)),
             ("❌ " + tr._("Stop"), pack(BROADCAST, BroadcastStep.STOP))]]
    if any(v.failed for v in versions.values()):
        rows.insert(0, [("🔄 " + tr._("Translate again"),
                         pack(BROADCAST, BroadcastStep.AGAIN))])
    for page in pages[:-1]:  # a long preview in several messages, the buttons on the last
        await staff.say(None, page, parse_mode=ParseMode.HTML)
    await staff.say(None, pages[-1], parse_mode=ParseMode.HTML, reply_markup=inline(*rows))


def _texts(draft: Draft) -> dict[str, str]:
    return {k: v for k, v in draft.data["texts"].items() if v}


async def _send(staff: Staff) -> None:
    draft = await composing(staff)
    if draft is None or draft.step != "preview":
        await staff.say(None, staff.tr._("This button is old."))
        return
    services, tr = staff.services, staff.tr
    now = services.clock()
    send_at = services.notifier.policy.resident_time(now)  # never into the residents' night
    versions = {lang: Version.from_json(v) for lang, v in draft.data.get("versions", {}).items()}
    broadcast_id = await broadcast.start(
        services.store.db, now, chat_id=staff.chat_id, thread_id=None,
        target=_target_of(draft), texts=_texts(draft), fallback=draft.data["langs"][0],
        created_by=f"staff:{staff.user_id}", draft_of=staff.user_id, send_at=send_at,
        versions=versions, i18n=services.i18n)  # as the sender saw it in the preview
    services.delivery.wake()
    total = await broadcast.total_of(services.store.db, broadcast_id)
    text = "🚀 " + tr.ngettext("Sending to {n} resident. You will see the progress here.",
                              "Sending to {n} residents. You will see the progress here.", total)
    if send_at > now:
        text += "\n🌙 " + tr._("It is quiet time for residents now. The announcement goes out "
                               "at {time}.", time=tr.time(send_at.astimezone(
                                   services.notifier.policy.zone).time()))
    await staff.say(None, text)
