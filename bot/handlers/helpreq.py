"""Ask for help: topic -> what is going on -> how to reach you -> language -> consent -> reference.

Nothing is shared with a partner without the resident's yes; a no sends nothing and gives the
partner's own contact details instead.
"""

from __future__ import annotations

import json
import re

from telegram import KeyboardButton, Message, ReplyKeyboardMarkup

from bot.domain.routing import route
from bot.domain.tickets import Attachment, Kind, NewTicket
from bot.handlers import describe, flow, limits
from bot.handlers.common import Turn, in_rows, inline
from bot.handlers.flow import Flow, Step
from bot.handlers.menu import main_keyboard, show_menu
from bot.i18n import N_, language_name
from bot.i18n.bidi import clean_user_text
from bot.render.labels import category_label, contact_label, lang_label
from bot.services import intake
from bot.store.drafts import Draft

# Dutch numbers: 06-12345678, 030 123 4567, +31 6 1234 5678, 0031..., stored as 0612345678
PHONE = re.compile(r"^(?:\+31|0031|0)([1-9][0-9]{8})$", re.ASCII)
# Arabic keyboards type Arabic-Indic (٠-٩) or Persian (۰-۹) digits
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
MAX_ADDRESS = 120
MAX_LANG = 30


def normalise_phone(text: str) -> str | None:
    """One stored form for one number, whether typed or shared: 0612345678."""
    digits = re.sub(r"[\s\-().\u200e\u200f]", "", text.translate(DIGITS))
    match = PHONE.match(digits)
    return f"0{match.group(1)}" if match else None


async def ask_topic(turn: Turn, draft: Draft) -> None:
    if "category" not in draft.data and await limits.refused_at_start(turn):
        return  # blocked, or the day's requests are made: said kindly, with the 112 line
    site, tr = turn.services.site, turn.tr
    buttons = [turn.flow_button(draft, category_label(tr, site, "help", c.id), c.id)
               for c in site.categories.help if not c.hidden]
    await turn.say(tr._("What do you need help with? Choose one."),
                   inline(*in_rows(buttons), [flow.cancel_button(turn, draft)]))


async def press_topic(turn: Turn, draft: Draft, value: str) -> None:
    if turn.services.site.category("help", value) is None:
        await flow.ask_again(turn, draft)
        return
    draft.data["category"] = value
    await flow.advance(turn, draft, "describe")


async def ask_contact(turn: Turn, draft: Draft) -> None:
    tr = turn.tr
    await turn.say(tr._("How can we reach you?"), inline(
        [turn.flow_button(draft, "💬 " + tr._("A message here"), "message")],
        [turn.flow_button(draft, "📞 " + tr._("A phone call"), "phone")],
        [turn.flow_button(draft, "🏠 " + tr._("A home visit"), "visit")],
        [flow.cancel_button(turn, draft)],
    ))


async def press_contact(turn: Turn, draft: Draft, value: str) -> None:
    if value not in ("message", "phone", "visit"):
        await flow.ask_again(turn, draft)
        return
    draft.data["contact"] = value
    draft.data.pop("phone", None)
    draft.data.pop("address", None)
    nxt = {"message": "contact_lang", "phone": "phone", "visit": "address"}[value]
    if nxt == "contact_lang":
        await flow.advance(turn, draft, nxt)
    else:
        await flow.goto(turn, draft, nxt)


async def ask_phone(turn: Turn, draft: Draft) -> None:
    tr = turn.tr
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("📱 " + tr._("Send my phone number"), request_contact=True)]],
        resize_keyboard=True, one_time_keyboard=True,
    )
    await turn.say(tr._("Press the button to send your phone number, or type it. "
                        "We only use it to call you about this request."), keyboard)


async def message_phone(turn: Turn, draft: Draft, message: Message) -> None:
    raw = message.contact.phone_number if message.contact else (message.text or "")
    phone = normalise_phone(raw) or normalise_phone("+" + raw.strip().lstrip("+"))
    if phone is None:
        await turn.say(turn.tr._("That does not look like a phone number. "
                                 "Example: 06 12345678"))
        return
    draft.data["phone"] = phone
    await turn.say(turn.tr._("Thank you."), main_keyboard(turn.tr))
    await flow.advance(turn, draft, "contact_lang")


async def ask_address(turn: Turn, draft: Draft) -> None:
    await turn.say(turn.tr._("What is your address? Type your street and house number."),
                   inline([flow.cancel_button(turn, draft)]))


async def message_address(turn: Turn, draft: Draft, message: Message) -> None:
    text = clean_user_text(message.text or "")
    if not text or len(text) > MAX_ADDRESS:
        await turn.say(turn.tr._("Please type your street and house number."))
        return
    draft.data["address"] = text
    await flow.advance(turn, draft, "contact_lang")


async def ask_contact_lang(turn: Turn, draft: Draft) -> None:
    langs = [turn.lang] + [x for x in turn.services.site.languages if x != turn.lang]
    buttons = [turn.flow_button(draft, language_name(x), x) for x in langs]
    await turn.say(turn.tr._("In which language do you want to talk? "
                             "Choose one, or type another language."),
                   inline(*in_rows(buttons), [flow.cancel_button(turn, draft)]))


async def press_contact_lang(turn: Turn, draft: Draft, value: str) -> None:
    if value not in turn.services.site.languages:
        await flow.ask_again(turn, draft)
        return
    draft.data["contact_lang"] = value
    await flow.goto(turn, draft, "consent")


async def message_contact_lang(turn: Turn, draft: Draft, message: Message) -> None:
    text = clean_user_text(message.text or "")
    if not text or len(text) > MAX_LANG:
        await turn.say(turn.tr._("Please choose a button, or type the name of the language."))
        return
    draft.data["contact_lang"] = text
    await flow.goto(turn, draft, "consent")


def _partner(turn: Turn, draft: Draft) -> str:
    site = turn.services.site
    return route(site, "help", str(draft.data.get("category", "")), None)


def summary_text(turn: Turn, draft: Draft) -> str:
    tr, site = turn.tr, turn.services.site
    files = describe.attachment_summary(turn, draft)
    how = contact_label(tr, draft.data.get("contact"))
    if draft.data.get("phone"):
        how += f" ({tr.insert(draft.data['phone'])})"
    if draft.data.get("address"):
        how += f" ({tr.insert(draft.data['address'])})"
    return "\n".join([
        "📋 " + tr._("Please check your request."),
        "",
        tr._("Help with: {topic}",
             topic=category_label(tr, site, "help", draft.data.get("category", ""))),
        tr._("What is going on: {text}", text=describe.description(draft) or "-")
        + (f" (+ {files})" if files else ""),
        tr._("How we reach you: {how}", how=how),
        tr._("Language: {language}", language=lang_label(draft.data.get("contact_lang"))),
        "",
        "🔐 " + tr._("May we share this with {partner}? They can only help you if they can "
                    "read it.", partner=site.partner(_partner(turn, draft)).name_in(tr.lang)),
    ])


async def ask_consent(turn: Turn, draft: Draft) -> None:
    tr = turn.tr
    await turn.say(summary_text(turn, draft), inline(
        [turn.flow_button(draft, "✅ " + tr._("Yes, share it"), "yes")],
        [turn.flow_button(draft, "🚫 " + tr._("No, do not share"), "no")],
        [turn.flow_button(draft, "✏️ " + tr._("Change"), "change")],
    ))


async def press_consent(turn: Turn, draft: Draft, value: str) -> None:
    if value == "change":
        await flow.goto(turn, draft, "change")
    elif value == "yes":
        await submit(turn, draft)
    elif value == "no":
        await decline(turn, draft)
    else:
        await flow.ask_again(turn, draft)


async def decline(turn: Turn, draft: Draft) -> None:
    tr, site = turn.tr, turn.services.site
    partner = site.partner(_partner(turn, draft))
    await turn.services.store.drafts.clear(turn.user_id)
    lines = ["🚫 " + tr._("Nothing was shared. Your request was not sent.")]
    if partner.contact:
        lines.append(tr._("You can contact {partner} yourself: {contact}",
                          partner=partner.name_in(tr.lang), contact=partner.contact))
    else:
        lines.append(tr._("You can contact {partner} yourself.", partner=partner.name_in(tr.lang)))
    await show_menu(turn, "\n".join(lines))


async def submit(turn: Turn, draft: Draft) -> None:
    site, tr, store = turn.services.site, turn.tr, turn.services.store
    category = str(draft.data.get("category", ""))
    address = draft.data.get("address")
    new = NewTicket(
        draft_key=draft.key, resident_id=turn.user_id, kind=Kind.HELP, category=category,
        partner_id=_partner(turn, draft), lang=turn.lang,
        description=describe.description(draft),
        attachments=[Attachment(**a) for a in describe.parts(draft)[1]],
        location=json.dumps({"text": address}) if address else None,
        first_name=turn.first_name, contact=draft.data.get("contact"),
        phone=draft.data.get("phone"), contact_lang=draft.data.get("contact_lang"),
    )
    await store.residents.record_consent(turn.user_id, f"share:{new.partner_id}")
    made = await intake.request(turn.services, new)
    if made.ticket is None:  # blocked, or the day's limit: said kindly, the draft is kept
        await limits.refuse(turn, made.refused)
        return
    ticket = made.ticket
    partner = site.partner(ticket.partner_id)
    await show_menu(turn, "\n".join([
        "✅ " + tr._("Thank you. Your request is sent to {partner}.",
                    partner=partner.name_in(tr.lang)),
        tr._("Your number is {ref}. Keep it.", ref=ticket.ref),
        tr._("They will contact you by {how}. You get a message here when there is news.",
             how=contact_label(tr, ticket.contact)),
    ]))


HELP = Flow(
    name="help", first="topic", summary="consent",
    steps={
        "topic": Step(ask_topic, press_topic),
        "describe": describe.step(
            N_("Tell us in a few words what is going on. Type it or send a voice message."),
            N_("Please tell us first what is going on: type it or send a voice message."),
            then="contact"),
        "contact": Step(ask_contact, press_contact),
        "phone": Step(ask_phone, None, message_phone),
        "address": Step(ask_address, None, message_address),
        "contact_lang": Step(ask_contact_lang, press_contact_lang, message_contact_lang),
        "consent": Step(ask_consent, press_consent),
        "change": flow.change_step([
            ("topic", N_("Help with"), "topic"),
            ("describe", N_("What is going on"), "describe"),
            ("contact", N_("How we reach you"), "contact"),
            ("lang", N_("Language"), "contact_lang"),
        ], back_to="consent"),
    },
)
