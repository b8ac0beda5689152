"""Recording a home visit, step by step (bot/handlers/visits.py is the way in): the round (or
a new one: building, kind, name, dates), the house number typed and the address among the homes
with it, the outcome, notes, and for a resident who was spoken to the referrals: partner, topic,
a line of explanation, the resident's consent, how the partner reaches them and their language.
Each step saves the draft (bot/store/visits.py) and asks the next question; Save records the
visit with its referrals in one transaction (bot/services/outreach.py).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import segno
from telegram import Message
from telegram.constants import ParseMode

from bot.domain.visits import (
    MAX_EXPLANATION,
    MAX_NOTES,
    MAX_ROUND_NAME,
    Consent,
    Outcome,
    ReferralWish,
    RoundKind,
    VisitProblem,
    help_topics,
    house_number,
    round_dates,
)
from bot.handlers.common import Row, in_rows, inline
from bot.handlers.helpreq import normalise_phone
from bot.handlers.staff import Staff
from bot.i18n import Translator, language_name
from bot.messaging.direct import surely
from bot.render import visits as texts
from bot.render.callbacks import VISIT, VisitStep, pack
from bot.render.labels import category_label
from bot.render.letter import deep_link
from bot.services import outreach
from bot.store.drafts import new_key
from bot.store.visits import NewVisit, Round, VisitDraft

log = logging.getLogger(__name__)
TYPED = {"name", "dates", "number", "notes", "explain", "phone"}  # steps that wait for text
MAX_ROUNDS_SHOWN = 8


@dataclass
class Visitor:
    """A staff member recording visits: the partners they speak for, in this chat."""

    staff: Staff
    partners: frozenset[str]
    coordinator: bool
    private: bool

    @property
    def tr(self) -> Translator:
        return self.staff.tr

    def may_record(self, round_: Round) -> bool:
        return self.coordinator or round_.partner_id in self.partners

    async def say(self, text: str, rows: list[Row] | None = None, html: bool = False) -> Message:
        return await self.staff.say(None, text, reply_markup=inline(*rows) if rows else None,
                                    parse_mode=ParseMode.HTML if html else None)


async def rounds_for(v: Visitor) -> list[Round]:
    found = await v.staff.services.store.visits.rounds(None if v.coordinator else set(v.partners))
    return found[:MAX_ROUNDS_SHOWN]


async def new_draft(v: Visitor, step: str, **data: Any) -> VisitDraft:
    draft = VisitDraft(v.staff.chat_id, v.staff.user_id, new_key(), step,
                       {"refs": [], "upd": [v.staff.update.update_id], **data})
    await v.staff.services.store.visits.save_draft(draft)
    return draft


async def typed(v: Visitor, draft: VisitDraft, text: str) -> None:
    tr, data = v.tr, draft.data
    if not text:
        await v.say(tr._("Please type a short text."))
        return
    if draft.step == "name":
        data["name"] = text[:MAX_ROUND_NAME]
        draft.step = "dates"
    elif draft.step == "dates":
        try:
            start, end = round_dates(text)
        except ValueError:
            await v.say(tr._("Type one or two dates, for example 2027-03-01 2027-04-30."))
            return
        await _start_round(v, draft, start.isoformat() if start else None,
                           end.isoformat() if end else None)
        return
    elif draft.step == "number":
        if not await _homes(v, draft, text):
            return
    elif draft.step == "notes":
        data["notes"] = text[:MAX_NOTES]
        await _after_notes(v, draft)
        return
    elif draft.step == "explain":
        data["pending"]["explanation"] = text[:MAX_EXPLANATION]
        draft.step = "consent"
    elif draft.step == "phone":
        phone = normalise_phone(text)
        if phone is None:
            await v.say(tr._("That is not a Dutch phone number. Type it again, for example "
                             "0612345678."))
            return
        data["contact"], data["phone"] = "phone", phone
        await _after_contact(v, draft)
        return
    await _save_and_prompt(v, draft)


async def _homes(v: Visitor, draft: VisitDraft, text: str) -> bool:
    """The homes of the round's building with the typed number; False when there is none."""
    store, tr = v.staff.services.store, v.tr
    parsed = house_number(text)
    round_ = await store.visits.round(int(draft.data["round"]))
    if round_ is None:
        await v.say(tr._("This button is old."))
        return False
    found = await store.visits.homes_with_number(round_.building, *parsed) if parsed else []
    if not found:
        await v.say(tr._("No home with number {number} in {building}. Type another number.",
                         number=text[:12], building=texts.building_name(
                             v.staff.services.site, round_.building)))
        return False
    draft.data["homes"] = [[h.id, h.address] for h in found[:12]]
    draft.step = "home"
    return True


async def fresh(v: Visitor, step: str, arg: str) -> None:
    """A button that needs no draft: record in a round, start a round, show a home's code."""
    store = v.staff.services.store
    if step == VisitStep.NEW_ROUND:
        if v.private:
            await v.say(v.tr._("Start a round in your group with /visit."))
            return
        await prompt(v, await new_draft(v, "building"))
        return
    if step == VisitStep.CODE:
        await _show_code(v, int(arg) if arg.isdigit() else 0)
        return
    round_ = await store.visits.round(int(arg)) if arg.isdigit() else None
    if round_ is None or not v.may_record(round_):
        await _not_yours(v, round_)
        return
    await prompt(v, await new_draft(v, "number", round=round_.id))


async def _not_yours(v: Visitor, round_: Round | None) -> None:
    if round_ is None:
        await v.say(v.tr._("This button is old."))
        return
    await v.say(v.tr._("Only the staff of {partner} or the coordinator record visits for this "
                       "round.", partner=v.staff.services.site.partner_name(round_.partner_id)))


async def _choose_round(v: Visitor, draft: VisitDraft, arg: str) -> None:
    round_ = await v.staff.services.store.visits.round(int(arg)) if arg.isdigit() else None
    if round_ is None or not v.may_record(round_):
        await _not_yours(v, round_)
        return
    draft.data["round"], draft.step = round_.id, "number"
    await _save_and_prompt(v, draft)


async def _choose_building(v: Visitor, draft: VisitDraft, arg: str) -> None:
    await _take(v, draft, v.staff.services.site.building(arg) is not None, "building", arg,
                "kind")


async def _choose_kind(v: Visitor, draft: VisitDraft, arg: str) -> None:
    await _take(v, draft, arg in set(RoundKind), "kind", arg, "name")


async def _take(v: Visitor, draft: VisitDraft, valid: bool, key: str, value: object,
                step: str) -> None:
    """A button's choice kept in the draft and the next step asked; a button that is not one
    of this step's choices (an old or forged one) changes nothing."""
    if not valid:
        await v.say(v.tr._("This button is old."))
        return
    draft.data[key], draft.step = value, step
    await _save_and_prompt(v, draft)


async def _skip(v: Visitor, draft: VisitDraft, arg: str) -> None:
    if draft.step == "dates":
        await _start_round(v, draft, None, None)
    elif draft.step == "notes":
        await _after_notes(v, draft)


async def _start_round(v: Visitor, draft: VisitDraft, start: str | None, end: str | None) -> None:
    data, services = draft.data, v.staff.services
    partner = next(iter(sorted(v.partners)))
    round_, created = await outreach.start_round(
        outreach.Deps.of(services), data["building"], data["name"], RoundKind(data["kind"]),
        partner, date.fromisoformat(start) if start else None,
        date.fromisoformat(end) if end else None)
    title = texts.round_title(v.tr, services.site, round_)
    if not v.may_record(round_):
        await _not_yours(v, round_)
        await services.store.visits.clear_draft(draft.chat_id, draft.user_id)
        return
    await v.say("✅ " + (v.tr._("Round started: {round}.", round=title) if created else
                        v.tr._("This round already exists: {round}.", round=title)))
    draft.data = {"refs": [], "upd": data["upd"], "round": round_.id}
    draft.step = "number"
    await _save_and_prompt(v, draft)


async def _choose_home(v: Visitor, draft: VisitDraft, arg: str) -> None:
    homes = {str(h[0]): h[1] for h in draft.data.get("homes", [])}
    if arg not in homes:
        await v.say(v.tr._("This button is old."))
        return
    draft.data["home"], draft.data["address"], draft.step = int(arg), homes[arg], "outcome"
    await _save_and_prompt(v, draft)


async def _choose_outcome(v: Visitor, draft: VisitDraft, arg: str) -> None:
    await _take(v, draft, arg in set(Outcome), "outcome", arg, "notes")


async def _after_notes(v: Visitor, draft: VisitDraft) -> None:
    if draft.data["outcome"] != Outcome.SPOKEN:
        await _save(v, draft)
        return
    draft.step = "more"
    await _save_and_prompt(v, draft)


async def _choose_partner(v: Visitor, draft: VisitDraft, arg: str) -> None:
    await _take(v, draft, arg in _referable(v, draft), "pending", {"partner": arg}, "topic")


async def _choose_topic(v: Visitor, draft: VisitDraft, arg: str) -> None:
    pending = draft.data.get("pending") or {}
    if arg not in help_topics(v.staff.services.site.categories.help, pending.get("partner", "")):
        await v.say(v.tr._("This button is old."))
        return
    pending["topic"], draft.step = arg, "explain"
    await _save_and_prompt(v, draft)


async def _consent(v: Visitor, draft: VisitDraft, arg: str) -> None:
    pending, site = draft.data.pop("pending", {}), v.staff.services.site
    if arg != "y":
        draft.data["no_consent"] = True
        await v.say("⚠️ " + v.tr._("Not shared with {partner}. The home is marked: signal "
                                   "without consent.",
                                   partner=site.partner_name(pending.get("partner", ""))))
        draft.step = "more"
    else:
        draft.data["refs"].append(pending)
        draft.step = "more" if "contact" in draft.data else "contact"
    await _save_and_prompt(v, draft)


async def _contact(v: Visitor, draft: VisitDraft, arg: str) -> None:
    if arg == "phone":
        draft.step = "phone"
        await _save_and_prompt(v, draft)
        return
    draft.data["contact"] = "visit" if arg == "visit" else None
    await _after_contact(v, draft)


async def _after_contact(v: Visitor, draft: VisitDraft) -> None:
    linked = await v.staff.services.store.visits.linked_count(int(draft.data["home"]))
    draft.step = "more" if linked == 1 else "lang"
    await _save_and_prompt(v, draft)


async def _lang(v: Visitor, draft: VisitDraft, arg: str) -> None:
    draft.data["lang"] = arg if arg in v.staff.services.site.languages else None
    draft.step = "more"
    await _save_and_prompt(v, draft)


async def _save_button(v: Visitor, draft: VisitDraft, arg: str) -> None:
    await _save(v, draft)


async def stop(v: Visitor, draft: VisitDraft, arg: str) -> None:
    await v.staff.services.store.visits.clear_draft(draft.chat_id, draft.user_id)
    await v.say(v.tr._("The visit was not saved."))


StepFn = Callable[[Visitor, VisitDraft, str], Awaitable[None]]
STEPS: dict[str, StepFn] = {
    VisitStep.ROUND: _choose_round, VisitStep.BUILDING: _choose_building,
    VisitStep.KIND: _choose_kind, VisitStep.SKIP: _skip, VisitStep.HOME: _choose_home,
    VisitStep.OUTCOME: _choose_outcome, VisitStep.PARTNER: _choose_partner,
    VisitStep.TOPIC: _choose_topic, VisitStep.CONSENT: _consent, VisitStep.CONTACT: _contact,
    VisitStep.LANG: _lang, VisitStep.SAVE: _save_button, VisitStep.STOP: stop,
}


def _referable(v: Visitor, draft: VisitDraft) -> list[str]:
    site = v.staff.services.site
    done = {r["partner"] for r in draft.data.get("refs", [])}
    return [p.id for p in site.partners if p.id != site.coordinator and p.id not in done]


# -- saving ---------------------------------------------------------------------------------
async def _save(v: Visitor, draft: VisitDraft) -> None:
    services, data, tr = v.staff.services, draft.data, v.tr
    store = services.store
    round_ = await store.visits.round(int(data["round"]))
    home = await store.visits.home(int(data["home"]))
    if round_ is None or home is None or not v.may_record(round_):
        await _not_yours(v, round_)
        return
    today = services.clock().astimezone(services.site.zone).date()
    visit = NewVisit(round_.id, home.id, today, Outcome(data["outcome"]),
                     notes=data.get("notes", ""), visitor_id=v.staff.user_id,
                     visitor_name=v.staff.first_name, no_consent=bool(data.get("no_consent")))
    wishes = [ReferralWish(r["partner"], r["topic"], r.get("explanation", ""), Consent.VERBAL)
              for r in data.get("refs", [])]
    contact = outreach.Contact(data.get("contact"), data.get("phone"), data.get("lang"))
    try:
        done = await outreach.record_visit(
            outreach.Deps.of(services), round_, home, visit, wishes, contact=contact,
            draft=outreach.Draft(draft.chat_id, draft.user_id, draft.key),
            description_lang=tr.lang)
    except VisitProblem:
        await v.say(tr._("This button is old."))
        return
    if done is None:  # a double tap: saved already
        return
    text = texts.saved_text(tr, services.site, home, visit.outcome,
                            [(t.partner_id, t.ref) for t in done.tickets], done.no_consent)
    await v.say(text, [[("🔑 " + tr._("Show the invitation code"),
                         pack(VISIT, "-", VisitStep.CODE, done.visit_id))],
                       [("➕ " + tr._("Next visit"),
                         pack(VISIT, "-", VisitStep.START, round_.id))]])


async def _show_code(v: Visitor, visit_id: int) -> None:
    """The home's invitation code, as text in groups of five and as the QR to scan."""
    store, tr = v.staff.services.store, v.tr
    visit = await store.visits.visit(visit_id)
    round_ = await store.visits.round(visit.round_id) if visit else None
    home = await store.visits.home(visit.home_id) if visit else None
    if visit is None or round_ is None or home is None or not v.may_record(round_):
        await _not_yours(v, round_)
        return
    code = (await store.homes.codes_for([home]))[home.id]
    bot = v.staff.context.bot
    link = deep_link(bot.username, code)  # as on the letter
    buf = io.BytesIO()
    segno.make(link, error="m").save(buf, kind="png", scale=8, border=2)
    caption = texts.code_text(tr, home, code, link)
    await surely(lambda: bot.send_photo(v.staff.chat_id, buf.getvalue(), caption=caption),
                 "invitation code for a visitor")


# -- the question for each step --------------------------------------------------------------
async def _save_and_prompt(v: Visitor, draft: VisitDraft) -> None:
    await v.staff.services.store.visits.save_draft(draft)
    await prompt(v, draft)


async def prompt(v: Visitor, draft: VisitDraft) -> None:
    tr, site, data = v.tr, v.staff.services.site, draft.data

    def b(label: str, step: VisitStep, arg: str | int = "") -> tuple[str, str]:
        return label, pack(VISIT, draft.key, step, arg)

    stop_row = [b("❌ " + tr._("Stop"), VisitStep.STOP)]
    step = draft.step
    if step == "round":
        rows = [[b("🏢 " + texts.round_title(tr, site, r), VisitStep.ROUND, r.id)]
                for r in await rounds_for(v)]
        if not v.private:
            rows.append([b("➕ " + tr._("Start a new round"), VisitStep.NEW_ROUND)])
        await v.say("🏠 " + tr._("Which round is this visit for?"), [*rows, stop_row])
    elif step == "building":
        rows = in_rows([b("🏢 " + x.name, VisitStep.BUILDING, x.id) for x in site.buildings])
        await v.say("🏢 " + tr._("Which building is the new round for?"), [*rows, stop_row])
    elif step == "kind":
        rows = [[b(texts.kind_label(tr, k).capitalize(), VisitStep.KIND, k.value)]
                for k in RoundKind]
        await v.say(tr._("What kind of round is it?"), [*rows, stop_row])
    elif step == "name":
        await v.say("✍️ " + tr._("Type the name of the round, for example: Spring 2027."),
                    [stop_row])
    elif step == "dates":
        await v.say("📅 " + tr._("Type the dates of the round, for example 2027-03-01 "
                                "2027-04-30. Or skip."),
                    [[b(tr._("Skip"), VisitStep.SKIP)], stop_row])
    elif step == "number":
        await v.say("🔢 " + tr._("Type the house number, for example 12 or 12a."), [stop_row])
    elif step == "home":
        rows = [[b("🏠 " + str(h[1]), VisitStep.HOME, h[0])] for h in data["homes"]]
        await v.say(tr._("Which address?"), [*rows, stop_row])
    elif step == "outcome":
        rows = in_rows([b(texts.outcome_button(tr, o), VisitStep.OUTCOME, o.value)
                        for o in Outcome])
        await v.say(tr._("What came of the visit at {address}?", address=data["address"]),
                    [*rows, stop_row])
    elif step == "notes":
        await v.say("📝 " + tr._("Short notes for the team (optional). Type them, or skip."),
                    [[b(tr._("Skip"), VisitStep.SKIP)], stop_row])
    else:
        await _prompt_referral(v, draft, b, stop_row)


async def _prompt_referral(v: Visitor, draft: VisitDraft, b: Any, stop_row: Row) -> None:
    tr, site, data, step = v.tr, v.staff.services.site, draft.data, draft.step
    pending = data.get("pending") or {}
    partner = site.partner_name(pending.get("partner", ""))
    if step == "more":
        rows = in_rows([b(site.partner_name(p), VisitStep.PARTNER, p)
                        for p in _referable(v, draft)])
        first = not data["refs"] and not data.get("no_consent")
        question = (tr._("Refer the resident to a partner?") if first
                    else tr._("Another referral?"))
        save = tr._("No, save the visit") if first else tr._("Done, save the visit")
        await v.say("🤝 " + question, [*rows, [b("✅ " + save, VisitStep.SAVE)], stop_row])
    elif step == "topic":
        topics = help_topics(site.categories.help, pending["partner"])
        rows = in_rows([b(category_label(tr, site, "help", t), VisitStep.TOPIC, t)
                        for t in topics])
        await v.say(tr._("Which topic for {partner}?", partner=partner), [*rows, stop_row])
    elif step == "explain":
        await v.say("✍️ " + tr._("Type one line of explanation for {partner}.", partner=partner),
                    [stop_row])
    elif step == "consent":
        await v.say("❓ " + tr._("Did the resident agree that we share this with {partner}?",
                                partner=partner),
                    [[b("👍 " + tr._("Yes"), VisitStep.CONSENT, "y"),
                      b("👎 " + tr._("No"), VisitStep.CONSENT, "n")], stop_row])
    elif step == "contact":
        rows = [[b("📞 " + tr._("By phone"), VisitStep.CONTACT, "phone")],
                [b("🏠 " + tr._("A visit at home"), VisitStep.CONTACT, "visit")]]
        if await v.staff.services.store.visits.linked_count(int(data["home"])) == 1:
            rows.append([b("💬 " + tr._("Through the bot"), VisitStep.CONTACT, "bot")])
        await v.say(tr._("How can the partner reach the resident?"), [*rows, stop_row])
    elif step == "phone":
        await v.say("📞 " + tr._("Type the resident's phone number."), [stop_row])
    elif step == "lang":
        rows = in_rows([b(language_name(x), VisitStep.LANG, x) for x in site.languages])
        await v.say("🗣 " + tr._("Which language does the resident speak?"),
                    [*rows, [b(tr._("Another language, or not known"), VisitStep.LANG, "-")],
                     stop_row])


