"""Report a problem: category -> what happened -> where -> anonymous? -> check -> reference."""

from __future__ import annotations

import json

from telegram import Message

from bot.domain.routing import route
from bot.domain.tickets import Attachment, Kind, NewTicket
from bot.handlers import describe, flow
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
    elif value == "send":
        await submit(turn, draft)
    else:
        await flow.ask_again(turn, draft)


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
    ticket = await intake.submit(turn.services, new)
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
        "change": flow.change_step([
            ("category", N_("Problem"), "category"), ("describe", N_("What happened"), "describe"),
            ("where", N_("Where"), "where"), ("anon", N_("Anonymous"), "anonymous"),
        ], back_to="summary"),
    },
)
