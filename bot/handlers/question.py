"""Ask a question: browse the FAQ by buttons or by typing words; "not here" makes a question ticket.

FAQ buttons (`v1:faq:...`) work at any time, also long after they were sent; typing words searches
while the resident is in the question flow.
"""

from __future__ import annotations

from telegram import Message

from bot.content import Faq
from bot.domain.routing import route
from bot.domain.tickets import Attachment, Kind, NewTicket
from bot.handlers import describe, flow, limits
from bot.handlers.actions import run_action
from bot.handlers.common import Turn, in_rows, inline
from bot.handlers.flow import Flow, Step
from bot.handlers.menu import show_menu
from bot.i18n import N_
from bot.i18n.bidi import clean_user_text
from bot.render.callbacks import FAQ, Press
from bot.services import intake
from bot.store.drafts import Draft

QUESTION_CATEGORY = "question"


def faq(turn: Turn) -> Faq:
    return turn.services.content.faq_for(turn.lang, turn.services.site.default_language)


def not_here_button(turn: Turn) -> tuple[str, str]:
    return turn.button("✍️ " + turn.tr._("My question is not here"), FAQ, "ask")


async def ask_browse(turn: Turn, draft: Draft) -> None:
    buttons = [turn.button(f"{s.emoji} {s.title}".strip(), FAQ, "s", s.id)
               for s in faq(turn).sections]
    await turn.say(turn.tr._("Choose a subject, or type a few words of your question."),
                   inline(*in_rows(buttons, 1), [not_here_button(turn)]))


async def message_browse(turn: Turn, draft: Draft, message: Message) -> None:
    text = clean_user_text(message.text or "")
    if not text:
        await turn.say(turn.tr._("Please type a few words of your question."))
        return
    draft.data["last_search"] = text[:describe.MAX_TEXT]
    await flow.save(turn, draft)
    hits = faq(turn).search(text)
    tr = turn.tr
    send_it = turn.button("✍️ " + tr._("Send my question to a person"), FAQ, "send")
    if not hits:
        await turn.say(tr._("I found no answer for that."), inline([send_it]))
        return
    buttons = [turn.button(i.question, FAQ, "i", i.id) for i in hits]
    await turn.say(tr._("Maybe one of these answers helps:"),
                   inline(*in_rows(buttons, 1), [send_it]))


async def on_faq_press(turn: Turn, press: Press) -> None:
    """`v1:faq:s:<section>`, `v1:faq:i:<item>`, `v1:faq:ask`, `v1:faq:send`, `v1:faq:home`."""
    await turn.answer()
    what = press.arg(0)
    draft = await turn.services.store.drafts.get(turn.user_id)
    if draft is not None and draft.flow != "question":
        # Reading an answer must not throw away an unfinished report or help request.
        if what == "s":
            await show_section(turn, press.arg(1))
        elif what == "i":
            await show_item(turn, press.arg(1))
        else:
            await run_action(turn, "question")
        return
    if draft is None:
        draft = await turn.services.store.drafts.start(turn.user_id, "question", "browse")
    if what in ("ask", "send") and await limits.refused_at_start(turn):
        return  # a question to a person is a request: blocked, or the day's are made
    if what == "s":
        await show_section(turn, press.arg(1))
    elif what == "i":
        await show_item(turn, press.arg(1))
    elif what == "ask":
        await flow.goto(turn, draft, "ask")
    elif what == "send" and draft.data.get("last_search"):
        draft.data["texts"] = [draft.data.pop("last_search")]
        await flow.goto(turn, draft, "confirm")
    else:
        await flow.goto(turn, draft, "browse")


async def show_section(turn: Turn, section_id: str) -> None:
    section = faq(turn).section(section_id)
    if section is None:
        await turn.say(turn.tr._("This button is old. Here is where you are now."))
        await ask_browse(turn, Draft(turn.user_id, "", "question", "browse"))
        return
    buttons = [turn.button(i.question, FAQ, "i", i.id) for i in section.items]
    await turn.say(f"{section.emoji} {section.title}".strip(), inline(
        *in_rows(buttons, 1),
        *in_rows([turn.button("⬅️ " + turn.tr._("Back"), FAQ, "home"), not_here_button(turn)]),
    ))


async def show_item(turn: Turn, item_id: str) -> None:
    found = faq(turn).item(item_id)
    if found is None:
        await turn.say(turn.tr._("This button is old. Here is where you are now."))
        await ask_browse(turn, Draft(turn.user_id, "", "question", "browse"))
        return
    section, item = found
    await turn.say(f"❓ {item.question}\n\n{item.answer}", inline(
        [turn.button("⬅️ " + turn.tr._("Back"), FAQ, "s", section.id)],
        [not_here_button(turn)],
    ))


def _partner(turn: Turn) -> str:
    return route(turn.services.site, "question", QUESTION_CATEGORY, None)


async def ask_confirm(turn: Turn, draft: Draft) -> None:
    tr = turn.tr
    files = describe.attachment_summary(turn, draft)
    partner = turn.services.site.partner(_partner(turn)).name_in(tr.lang)
    text = "\n".join([
        tr._("Your question: {text}", text=describe.description(draft) or "-")
        + (f" (+ {files})" if files else ""),
        "",
        tr._("Send it to {partner}?", partner=partner),
    ])
    await turn.say(text, inline(
        [turn.flow_button(draft, "✅ " + tr._("Send"), "send"),
         turn.flow_button(draft, "✏️ " + tr._("Change"), "change")],
        [flow.cancel_button(turn, draft)],
    ))


async def press_confirm(turn: Turn, draft: Draft, value: str) -> None:
    if value == "change":
        draft.data["texts"], draft.data["attachments"] = [], []
        await flow.goto(turn, draft, "ask")
    elif value == "send":
        await submit(turn, draft)
    else:
        await flow.ask_again(turn, draft)


async def submit(turn: Turn, draft: Draft) -> None:
    tr, site = turn.tr, turn.services.site
    new = NewTicket(
        draft_key=draft.key, resident_id=turn.user_id, kind=Kind.QUESTION,
        category=QUESTION_CATEGORY, partner_id=_partner(turn), lang=turn.lang,
        description=describe.description(draft),
        attachments=[Attachment(**a) for a in describe.parts(draft)[1]],
        first_name=turn.first_name, contact="message",
    )
    made = await intake.request(turn.services, new)
    if made.ticket is None:  # blocked, or the day's limit: said kindly, the draft is kept
        await limits.refuse(turn, made.refused)
        return
    ticket = made.ticket
    partner = site.partner(ticket.partner_id)
    await show_menu(turn, "\n".join([
        "✅ " + tr._("Thank you. Your question is sent to {partner}.",
                    partner=partner.name_in(tr.lang)),
        tr._("Your number is {ref}. Keep it.", ref=ticket.ref),
        tr._("You get the answer here."),
    ]))


QUESTION = Flow(
    name="question", first="browse", summary="confirm",
    steps={
        "browse": Step(ask_browse, None, message_browse),
        "ask": describe.step(
            N_("Type your question, or send a voice message."),
            N_("Please type your question first, or send a voice message."), then="confirm",
            says_kept=False),
        "confirm": Step(ask_confirm, press_confirm),
    },
)

