"""My requests: the resident's own requests with their status, and adding a message to one
(a voice message for an anonymous request only after the resident saw it can be recognised)."""

from __future__ import annotations

from telegram import Message

from bot.domain.tickets import ACTIVE, Ticket
from bot.handlers import flow
from bot.handlers.common import Turn, in_rows, inline
from bot.handlers.flow import Flow, Step
from bot.handlers.limits import ask_before_voice
from bot.handlers.menu import show_menu
from bot.handlers.relay import pass_on, relay_to_partner, safe_to_relay, said
from bot.render.callbacks import ADD_TO_REQUEST, Press
from bot.render.labels import category_label, status_label
from bot.render.limits import voice_dropped
from bot.services.conversation import Said
from bot.store.drafts import Draft

SHOWN = 10


async def show_requests(turn: Turn) -> None:
    tr, site = turn.tr, turn.services.site
    tickets = await turn.services.store.tickets.for_resident(turn.user_id, limit=SHOWN)
    if not tickets:
        await show_menu(turn, tr._("You have no requests yet."))
        return
    lines = ["📋 " + tr._("Your requests:")]
    for t in tickets:
        lines += [
            "",
            f"{tr.insert(t.ref)} · {category_label(tr, site, t.kind.value, t.category)}",
            tr._("Sent on {date} to {partner}", date=tr.date(t.created_at, "medium"),
                 partner=site.partner_name_in(t.partner_id, tr.lang)),
            tr._("Status: {status}", status=status_label(tr, t.status)),
        ]
    active = [turn.button("✍️ " + t.ref, ADD_TO_REQUEST, t.id) for t in tickets
              if t.status in ACTIVE]
    if active:
        lines += ["", tr._("To add something to a request, press its number.")]
        await turn.say("\n".join(lines), inline(*in_rows(active, 3)))
    else:
        await show_menu(turn, "\n".join(lines))


async def on_add_press(turn: Turn, press: Press) -> None:
    """`v1:add:<ticket id>`: the next message goes to that request's partner.
    `v1:add:<ticket id>:<message id>:y|n`: the answer under the warning that a voice message
    for an anonymous request can be recognised (bot/handlers/limits.py ask_before_voice)."""
    await turn.answer()
    ticket_id = int(press.arg(0)) if press.arg(0).isdigit() else 0
    ticket = await turn.services.store.tickets.get(ticket_id)
    if ticket is None or ticket.resident_id != turn.user_id or ticket.status not in ACTIVE:
        await show_menu(turn, turn.tr._("This button is old. Here is where you are now."))
        return
    if press.arg(1):
        await on_voice_answer(turn, ticket, press)
        return
    await flow.start(turn, "add", ticket_id=ticket.id, ref=ticket.ref)


async def on_voice_answer(turn: Turn, ticket: Ticket, press: Press) -> None:
    """Send the voice message anyway, or not. The voice is the message the warning replies
    to; if Telegram no longer shows it, it still goes by its id (copied, without its words
    written out)."""
    await turn.drop_buttons()
    message_id = int(press.arg(1)) if press.arg(1).isdigit() else 0
    if press.arg(2) != "y" or not message_id:
        await show_menu(turn, voice_dropped(turn.tr))
        return
    query = turn.update.callback_query
    warning = query.message if query is not None else None
    voice = warning.reply_to_message if isinstance(warning, Message) else None
    if voice is not None and voice.message_id == message_id:
        what = said(turn.chat_id, voice)
    else:
        what = Said(turn.chat_id, message_id)
    await pass_on(turn, ticket, what)


async def ask_message(turn: Turn, draft: Draft) -> None:
    await turn.say(turn.tr._("Type your message for {ref}, or send a photo or a voice message.",
                             ref=draft.data.get("ref", "")),
                   inline([flow.cancel_button(turn, draft)]))


async def message_add(turn: Turn, draft: Draft, message: Message) -> None:
    ticket = await turn.services.store.tickets.get(int(draft.data.get("ticket_id", 0)))
    if ticket is None or ticket.resident_id != turn.user_id:
        await flow.cancel(turn)
        return
    if not await safe_to_relay(turn, message):  # said why (a photo sent as a file, ...)
        return
    await turn.services.store.drafts.clear(turn.user_id)
    if ticket.anonymous and message.voice is not None:  # asked first: a voice is recognised
        await ask_before_voice(turn, ticket, message)
        return
    await relay_to_partner(turn, ticket, message)
    await show_menu(turn)


ADD = Flow(
    name="add", first="message", summary="message",
    steps={"message": Step(ask_message, None, message_add)},
)
