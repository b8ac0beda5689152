"""Report a problem: category -> what happened -> where -> anonymous? -> check -> reference.

An anonymous report whose words or voice could still say who the resident is (a phone number,
a name, a house number, ...: bot/domain/identifying.py) is not sent at the first Send: the
resident is shown what was found, and sends it anyway, retypes the words, or removes the voice
message. Nothing of the draft is lost either way."""

from __future__ import annotations

import json

from telegram import Message

from bot.domain.identifying import Detail, DetailKind, identifying_details
from bot.domain.routing import route
from bot.domain.tickets import Attachment, Kind, NewTicket
from bot.handlers import describe, flow, limits
from bot.handlers.common import Turn, in_rows, inline
from bot.handlers.emergency import warn_once
from bot.handlers.flow import Flow, Step
from bot.handlers.menu import show_menu
from bot.i18n import N_
from bot.i18n.bidi import clean_user_text
from bot.render.labels import category_label, floor_label, place_text
from bot.services import intake
from bot.store.drafts import Draft

MAX_PLACE = 200


async def ask_category(turn: Turn, draft: Draft) -> None:
    if "category" not in draft.data and await limits.refused_at_start(turn):
        return  # blocked, or the day's requests are made: said kindly, with the 112 line
    site, tr = turn.services.site, turn.tr
    buttons = [turn.flow_button(draft, category_label(tr, site, "nuisance", c.id), c.id)
               for c in site.categories.nuisance if not c.hidden]
    await turn.say(tr._("What is the problem? Choose one."),
                   inline(*in_rows(buttons), [flow.cancel_button(turn, draft)]))


async def press_category(turn: Turn, draft: Draft, value: str) -> None:
    category = turn.services.site.category("nuisance", value)
    if category is None:
        await flow.ask_again(turn, draft)
        return
    draft.data["category"] = value
    if category.emergency:
        await warn_once(turn, draft)
    await flow.advance(turn, draft, "describe")


async def ask_where(turn: Turn, draft: Draft) -> None:
    tr, site = turn.tr, turn.services.site
    buttons = [turn.flow_button(draft, "🏢 " + b.name, b.id) for b in site.buildings]
    await turn.say(
        tr._("Where is it? Choose the building, or type where it is."),
        inline(*in_rows(buttons),
               [turn.flow_button(draft, "🏠 " + tr._("At my home"), "home"),
                turn.flow_button(draft, "⏭️ " + tr._("Skip"), "skip")],
               [flow.cancel_button(turn, draft)]),
    )


async def press_where(turn: Turn, draft: Draft, value: str) -> None:
    building = turn.services.site.building(value)
    draft.data["place"] = {"home": True} if value == "home" else {}
    if building is None:
        await flow.advance(turn, draft, "anonymous")
        return
    draft.data["place"] = {"building": building.id}
    await flow.goto(turn, draft, "stairwell" if building.stairwells else "floor")


async def message_where(turn: Turn, draft: Draft, message: Message) -> None:
    text = clean_user_text(message.text or "")
    if not text or len(text) > MAX_PLACE:
        await turn.say(turn.tr._("Please choose a button, or type the place in a few words."))
        return
    draft.data["place"] = {"text": text}
    await flow.advance(turn, draft, "anonymous")


def _building_of(turn: Turn, draft: Draft) -> str:
    return str(draft.data.get("place", {}).get("building", ""))


async def ask_stairwell(turn: Turn, draft: Draft) -> None:
    building = turn.services.site.building(_building_of(turn, draft))
    names = building.stairwells if building else []
    buttons = [turn.flow_button(draft, turn.tr._("stairwell {name}", name=s), s) for s in names]
    await turn.say(turn.tr._("Which stairwell?"),
                   inline(*in_rows(buttons, 3),
                          [turn.flow_button(draft, "⏭️ " + turn.tr._("Skip"), "skip")]))


async def press_stairwell(turn: Turn, draft: Draft, value: str) -> None:
    building = turn.services.site.building(_building_of(turn, draft))
    if building and value in building.stairwells:
        draft.data["place"]["stairwell"] = value
    await flow.goto(turn, draft, "floor")


async def ask_floor(turn: Turn, draft: Draft) -> None:
    building = turn.services.site.building(_building_of(turn, draft))
    floors = building.floors if building else 10
    buttons = [turn.flow_button(draft, floor_label(turn.tr, str(n)), str(n))
               for n in range(floors + 1)]
    await turn.say(turn.tr._("Which floor?"),
                   inline(*in_rows(buttons, 4),
                          [turn.flow_button(draft, "⏭️ " + turn.tr._("Skip"), "skip")]))


async def press_floor(turn: Turn, draft: Draft, value: str) -> None:
    if value.isdigit():
        draft.data["place"]["floor"] = value
    await flow.advance(turn, draft, "anonymous")


async def ask_anonymous(turn: Turn, draft: Draft) -> None:
    tr = turn.tr
    text = "\n\n".join([
        tr._("Do you want to stay anonymous?"),
        "🙈 " + tr._("Anonymous: the partner will not see who you are. "
                     "You can still get answers here."),
        "🙂 " + tr._("With my first name: the partner sees your first name."),
    ])
    await turn.say(text, inline(
        [turn.flow_button(draft, "🙈 " + tr._("Anonymous"), "yes")],
        [turn.flow_button(draft, "🙂 " + tr._("With my first name"), "no")],
        [flow.cancel_button(turn, draft)],
    ))


async def press_anonymous(turn: Turn, draft: Draft, value: str) -> None:
    draft.data["anonymous"] = value == "yes"
    await flow.goto(turn, draft, "summary")


def summary_text(turn: Turn, draft: Draft) -> str:
    tr, site = turn.tr, turn.services.site
    story = describe.description(draft) or "-"
    files = describe.attachment_summary(turn, draft)
    lines = [
        "📋 " + tr._("Please check your report."),
        "",
        tr._("Problem: {category}",
             category=category_label(tr, site, "nuisance", draft.data.get("category", ""))),
        tr._("What happened: {text}", text=story) + (f" (+ {files})" if files else ""),
        tr._("Where: {place}", place=place_text(tr, site, draft.data.get("place", {}))),
        tr._("Anonymous: yes") if draft.data.get("anonymous") else tr._("Anonymous: no"),
    ]
    return "\n".join(lines)


async def ask_summary(turn: Turn, draft: Draft) -> None:
    tr = turn.tr
    await turn.say(summary_text(turn, draft), inline(
        [turn.flow_button(draft, "✅ " + tr._("Send"), "send"),
         turn.flow_button(draft, "✏️ " + tr._("Change"), "change")],
        [flow.cancel_button(turn, draft)],
    ))


async def press_summary(turn: Turn, draft: Draft, value: str) -> None:
    if value == "change":
        await flow.goto(turn, draft, "change")
    elif value == "send" and needs_check(draft):
        await flow.goto(turn, draft, "check")
    elif value == "send":
        await submit(turn, draft)
    else:
        await flow.ask_again(turn, draft)


# -- before an anonymous report goes: what in it could still say who the resident is -----------
DETAIL_LABELS = {
    DetailKind.PHONE: N_("a phone number: {value}"),
    DetailKind.EMAIL: N_("an e-mail address: {value}"),
    DetailKind.HOUSE_NUMBER: N_("a house number: {value}"),
    DetailKind.NAME: N_("a name: {value}"),
    DetailKind.PLATE: N_("a licence plate: {value}"),
    DetailKind.BANK_ACCOUNT: N_("a bank account number: {value}"),
}


def found_details(draft: Draft) -> list[Detail]:
    """What in the resident's own words (typed, captions, retyped) could identify them, each
    thing once."""
    seen: set[tuple[DetailKind, str]] = set()
    found = []
    for detail in identifying_details(describe.description(draft)):
        key = (detail.kind, " ".join(detail.text.split()).casefold())
        if key not in seen:
            seen.add(key)
            found.append(detail)
    return found


def voice_count(draft: Draft) -> int:
    return sum(1 for f in describe.parts(draft)[1] if f.get("type") == "voice")


def needs_check(draft: Draft) -> bool:
    """Anonymous, and the words or a voice could still tell the partner who it is."""
    return bool(draft.data.get("anonymous")) and bool(found_details(draft) or voice_count(draft))


async def ask_check(turn: Turn, draft: Draft) -> None:
    tr = turn.tr
    if not needs_check(draft):  # nothing (left) to point out: the summary, where Send is
        await flow.goto(turn, draft, "summary")
        return
    details, voices = found_details(draft), voice_count(draft)
    lines = ["⚠️ " + tr._("You chose anonymous. But this can tell the organisation who you "
                         "are:"), ""]
    lines += ["• " + tr._(DETAIL_LABELS[d.kind], value=" ".join(d.text.split()))
              for d in details]
    if voices:
        lines.append("• 🎤 " + tr._("your voice in the voice message: people can recognise "
                                   "a voice"))
    lines += ["", tr._("Send it anyway, or change it first?")]
    rows = [[turn.flow_button(draft, "✅ " + tr._("Send anyway"), "send")]]
    if details:
        rows.append([turn.flow_button(draft, "✏️ " + tr._("Change my text"), "retype")])
    if voices:
        remove = (tr._("Remove the voice message") if voices == 1
                  else tr._("Remove the voice messages"))
        rows.append([turn.flow_button(draft, "🗑️ " + remove, "unvoice")])
    await turn.say("\n".join(lines), inline(*rows, [flow.cancel_button(turn, draft)]))


async def press_check(turn: Turn, draft: Draft, value: str) -> None:
    if value == "send":
        await submit(turn, draft)
    elif value == "retype" and found_details(draft):
        await flow.goto(turn, draft, "retype")
    elif value == "unvoice" and voice_count(draft):
        files = describe.parts(draft)[1]
        files[:] = [f for f in files if f.get("type") != "voice"]
        if describe.has_content(draft):
            await flow.goto(turn, draft, "summary")
        else:  # the voice message was all there was: tell again what happened
            draft.data["editing"] = True
            await flow.goto(turn, draft, "describe")
    else:
        await flow.ask_again(turn, draft)


async def ask_retype(turn: Turn, draft: Draft) -> None:
    tr = turn.tr
    rows = []
    if describe.parts(draft)[1]:  # photos stay: the report can go without words
        rows.append([turn.flow_button(draft, "🗑️ " + tr._("Remove my text"), "drop")])
    rows.append([turn.flow_button(draft, "⬅️ " + tr._("Back"), "back")])
    await turn.say("✏️ " + tr._("Type what happened again, without these details.") + "\n"
                   + tr._("The rest of your report is kept."), inline(*rows))


async def press_retype(turn: Turn, draft: Draft, value: str) -> None:
    if value == "drop" and describe.parts(draft)[1]:
        describe.parts(draft)[0].clear()
    await flow.goto(turn, draft, "summary")


async def message_retype(turn: Turn, draft: Draft, message: Message) -> None:
    """The new words replace all the old ones (captions too); photos and the rest stay."""
    tr = turn.tr
    if message.text is None:
        await turn.say(tr._("Please type your text, or choose a button."))
        return
    text = clean_user_text(message.text)
    if not text:
        await turn.say(tr._("Your message is empty. Please type a few words."))
        return
    if len(text) > describe.MAX_TEXT:
        await turn.say(tr._("That is too long. Please keep it shorter than {n} characters.",
                            n=describe.MAX_TEXT))
        return
    describe.parts(draft)[0][:] = [text]  # words of danger: the router showed 112 first
    await flow.goto(turn, draft, "summary")


async def submit(turn: Turn, draft: Draft) -> None:
    site, tr = turn.services.site, turn.tr
    category = str(draft.data.get("category", ""))
    place = dict(draft.data.get("place", {}))
    building = place.pop("building", None)
    anonymous = bool(draft.data.get("anonymous"))

    new = NewTicket(
        draft_key=draft.key, resident_id=turn.user_id, kind=Kind.NUISANCE, category=category,
        partner_id=route(site, "nuisance", category, building), lang=turn.lang,
        description=describe.description(draft),
        attachments=[Attachment(**a) for a in describe.parts(draft)[1]],
        building=building, location=json.dumps(place) if place else None,
        anonymous=anonymous, first_name=None if anonymous else turn.first_name,
    )
    made = await intake.request(turn.services, new)
    if made.ticket is None:  # blocked, or the day's limit: said kindly, the draft is kept
        await limits.refuse(turn, made.refused)
        return
    ticket = made.ticket
    partner = site.partner(ticket.partner_id)
    lines = [
        "✅ " + tr._("Thank you. Your report is sent."),
        tr._("Your number is {ref}. Keep it.", ref=ticket.ref),
        "",
        tr._("What happens now:"),
        "1. " + tr._("{partner} gets your report.", partner=partner.name_in(tr.lang)),
        "2. " + tr._("Someone picks it up."),
        "3. " + tr._("You get a message here when there is news."),
    ]
    if anonymous:
        lines += ["", "🙈 " + tr._("{partner} does not see who you are.",
                                      partner=partner.name_in(tr.lang))]
    await show_menu(turn, "\n".join(lines))


REPORT = Flow(
    name="report", first="category", summary="summary",
    steps={
        "category": Step(ask_category, press_category),
        "describe": describe.step(
            N_("What happened? Type it, or send photos or a voice message."),
            N_("Please tell us first what happened: type it, or send a photo or a voice "
               "message."), then="where"),
        "where": Step(ask_where, press_where, message_where),
        "stairwell": Step(ask_stairwell, press_stairwell),
        "floor": Step(ask_floor, press_floor),
        "anonymous": Step(ask_anonymous, press_anonymous),
        "summary": Step(ask_summary, press_summary),
        "check": Step(ask_check, press_check),
        "retype": Step(ask_retype, press_retype, message_retype),
        "change": flow.change_step([
            ("category", N_("Problem"), "category"), ("describe", N_("What happened"), "describe"),
            ("where", N_("Where"), "where"), ("anon", N_("Anonymous"), "anonymous"),
        ], back_to="summary"),
    },
)
