"""Composing a broadcast in the housing corporation's (or the coordinator's) group:
/broadcast -> building -> stairwell -> one text per language or one for all -> preview with the
number of recipients -> send. Callback data `v1:bc:<step>:...`; the draft lives in SQLite.

The first text is written in the group's own language. With a translation service, every
recipient language without a text of its own gets it machine translated before the preview
(bot/services/broadcast.py translate), and the preview shows each language as its residents will
read it. When a translation failed, "Translate again" (`v1:bc:again`) asks the service again
for those languages only and shows the preview anew.

Send (`v1:bc:go`) does not send: the announcement waits for a second person, with Approve
(`v1:bc:ok:<broadcast id>`) and Stop (`v1:bc:no:<broadcast id>`) in its group and, when it was
written elsewhere, in the coordinator group. Approved by someone who may act in that group
(not its writer) or in the coordinator group, it delivers what the last preview showed.
Every step is authorised by the chat and the person (bot/handlers/staff.py authorised).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from functools import wraps

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.context import BotContext, Services
from bot.domain.casework import Actor
from bot.handlers.common import inline
from bot.handlers.staff import Staff, StaffPress, staff_for
from bot.i18n import language_name
from bot.i18n.bidi import clean_user_text
from bot.render.broadcast import Version, approval_refusal, preview_pages
from bot.render.callbacks import BROADCAST, BroadcastStep, Press, pack
from bot.services import broadcast
from bot.store.drafts import Draft

FLOW = "broadcast"


def composers(services: Services) -> set[str]:
    """The partners whose groups may compose an announcement."""
    return {services.site.question_partner, services.site.coordinator}


async def cmd_broadcast(update: Update, context: BotContext) -> None:
    staff = staff_for(update, context)
    if staff is None:
        return
    tr = staff.tr
    if not await staff.authorised(composers(staff.services), elsewhere=tr._(
            "Broadcasts are sent from the housing corporation's group or the coordinator "
            "group.")):
        return
    site = staff.services.site
    target = BroadcastStep.TARGET
    rows = [[("🏢 " + b.name, pack(BROADCAST, target, b.id))] for b in site.buildings]
    rows.append([("🌍 " + tr._("All linked residents"), pack(BROADCAST, target, "*"))])
    await staff.say(None, "📣 " + tr._("Who is the announcement for?"), reply_markup=inline(*rows))


ComposerStep = Callable[[Staff, Press], Awaitable[None]]


def composer_buttons(steps: Mapping[str, ComposerStep]) -> StaffPress:
    """The composer's buttons, `v1:bc:<step>[:<arg>...]`, each step to its action (bot/app.py
    lists them); only by who may act in the groups that may broadcast (Approve and Stop of a
    waiting announcement narrow that to its own group and the coordinator's), and an unknown
    step stops. Each step answers its press."""
    async def on_press(update: Update, context: BotContext, press: Press) -> None:
        staff = staff_for(update, context)
        if staff is None or not await staff.authorised(composers(staff.services)):
            return
        await steps.get(press.arg(0), stop)(staff, press)
    return on_press


def quietly(step: ComposerStep) -> ComposerStep:
    """A step whose press needs no popup: answered at once, so the button stops spinning."""
    @wraps(step)
    async def answered(staff: Staff, press: Press) -> None:
        await staff.alert()
        await step(staff, press)
    return answered


@quietly
async def choose_target(staff: Staff, press: Press) -> None:
    await _target(staff, press.arg(1))


@quietly
async def choose_mode(staff: Staff, press: Press) -> None:
    await _mode(staff, press.arg(1), press.arg(2), press.arg(3))


@quietly
async def skip_language(staff: Staff, press: Press) -> None:
    await _next_text(staff, skip=True)


@quietly
async def send(staff: Staff, press: Press) -> None:
    await _send(staff)


@quietly
async def retranslate(staff: Staff, press: Press) -> None:
    """Ask the service again for the languages whose translation failed (the cache answers for
    the rest), and show the preview again."""
    draft = await composing(staff)
    if draft is None or draft.step != "preview":
        await staff.say(None, staff.tr._("This button is old."))
        return
    await _preview(staff, draft)


async def stop(staff: Staff, press: Press) -> None:
    """Stop the draft (`v1:bc:no`), or a waiting announcement (`v1:bc:no:<broadcast id>`)."""
    if press.arg(0) == BroadcastStep.STOP and press.arg(1):  # not an unknown step's data
        await _decide(staff, press, broadcast.stop, staff.tr._("The announcement was not sent."))
        return
    await staff.alert()
    if await composing(staff):  # not a draft of something else this person started since
        await staff.services.store.drafts.clear(staff.user_id)
    await staff.say(None, staff.tr._("The announcement was not sent."))


async def approve(staff: Staff, press: Press) -> None:
    """`v1:bc:ok:<broadcast id>`: the second person approves, and it goes out."""
    await _decide(staff, press, broadcast.approve,
                  staff.tr._("Approved. The announcement goes out."))


Decide = Callable[[Services, int, Actor], Awaitable[broadcast.Decided]]


async def _decide(staff: Staff, press: Press, decide: Decide, done: str) -> None:
    """Approve or Stop under a waiting announcement: only in its group or the coordinator's,
    by who may act there (for Approve: not its writer); the groups hear of it through the
    outbox, the presser by a popup, and the buttons they pressed go."""
    tr = staff.tr
    broadcast_id = int(press.arg(1)) if press.arg(1).isdigit() else 0
    found = await broadcast.get(staff.services.store.db, broadcast_id)
    if found is None:
        await staff.alert(tr._("This button is old."), popup=True)
        return
    if not await staff.authorised(broadcast.approvers(staff.services, found.chat_id)):
        return
    result = await decide(staff.services, broadcast_id, staff.as_actor())
    after = result.broadcast
    if not result.done:
        await staff.alert(approval_refusal(
            tr, result.outcome, approver=after.approved_name if after else None,
            stopper=after.stopped_name if after else None), popup=True)
        return
    await staff.alert(done)
    await _drop_buttons(staff)


async def _drop_buttons(staff: Staff) -> None:
    query = staff.update.callback_query
    if query is None:
        return
    with suppress(BadRequest):  # gone, or already without buttons: nothing to take away
        await query.edit_message_reply_markup(reply_markup=None)


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
    langs = [first]
    if mode == "per":  # a text for each language the recipients read, none for nobody
        people = await broadcast.recipients(staff.services.store.db,
                                            _target_for(building, stairwell))
        langs += [x for x in _languages(site.languages, broadcast.by_language(people))
                  if x != first]
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
    """A staff message while composing; True when it was taken as announcement text (or
    refused: the group's rule no longer lets this person act)."""
    draft = await composing(staff)
    if draft is None or draft.step != "text":
        return False
    text = clean_user_text(message.text or "")
    if not text:
        return False
    if not await staff.authorised(composers(staff.services)):
        return True
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
    return _target_for(draft.data["building"], draft.data["stairwell"])


def _target_for(building: str, well: str) -> broadcast.Target:
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
    versions = {lang: Version.from_json(v) for lang, v in draft.data.get("versions", {}).items()}
    await broadcast.propose(  # it waits for a second person, as the sender saw it previewed
        staff.services, staff.as_actor(), target=_target_of(draft), texts=_texts(draft),
        fallback=draft.data["langs"][0], versions=versions)
    staff.services.delivery.wake()
