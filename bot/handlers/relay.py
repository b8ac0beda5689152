"""The conversation about a ticket, both ways, each side in its own language.

Staff → resident: a reply to the card (or to any bot message about the ticket: the resident's
words, an earlier reply), also in a forum topic, where anything else is the team talking among
themselves and is not passed on; 👌 under a staff message shows it reached the resident.
Resident → staff: a reply to any bot message about the request, or "add a message" from My
requests. This module finds which request a message is about and
answers the sender; passing it on is bot/services/conversation.py.
"""

from __future__ import annotations

from telegram import Message, Update

from bot.context import BotContext
from bot.domain.casework import Outcome
from bot.domain.tickets import ACTIVE, Ticket
from bot.handlers import broadcasting, limits
from bot.handlers.common import Turn
from bot.handlers.staff import Staff, is_partner_chat, staff_for
from bot.render.casework import answer_thanks
from bot.render.limits import kept_text, later_text
from bot.services import casework, conversation
from bot.services.conversation import Said
from bot.store.threads import Pending


async def on_group_message(update: Update, context: BotContext) -> None:
    staff = staff_for(update, context)
    message = update.effective_message
    if staff is None or message is None or not is_partner_chat(staff.services, staff.chat_id):
        return  # a group that is not ours: stay quiet
    store = staff.services.store
    if message.text and await broadcasting.on_text(staff, message):
        return
    pending = await store.threads.pending(staff.chat_id, staff.user_id)
    moved = staff.tr._("This request is with another partner now.")
    if pending is not None and message.text and await answers_prompt(staff, pending, message):
        ticket = await store.tickets.get(pending.ticket_id)
        if ticket is not None:  # the chat and the person decided again (told if refused)
            if await staff.may_act_on(ticket, elsewhere=moved):
                await finish_pending(staff, ticket, pending.action, pending.data, message)
            return
    ticket = await ticket_of(staff, message)
    if ticket is None:
        return  # ordinary talk in the group, not about a ticket
    if not await staff.may_act_on(ticket, elsewhere=moved, note=staff.tr._(
            "The resident did not get this message.")):
        return
    await relay_to_resident(staff, ticket, message)


async def answers_prompt(staff: Staff, pending: Pending, message: Message) -> bool:
    """A note is the reply to the bot's "type the note" prompt, or a message in the ticket's own
    topic; anything else (another ticket's topic, ordinary talk) is not taken as the note."""
    replied = message.reply_to_message
    if replied is not None and replied.message_id == pending.data.get("prompt"):
        return True
    if message.is_topic_message and message.message_thread_id:
        topic = await staff.services.store.threads.by_topic(staff.chat_id,
                                                            message.message_thread_id)
        return topic == pending.ticket_id
    return False


async def ticket_of(staff: Staff, message: Message) -> Ticket | None:
    """The request a staff message is meant for: only a reply to its card or to a message
    about it (the resident's words, an earlier reply). In a forum topic, a message that replies
    to nothing is the team talking among themselves and stays in the group (Telegram makes it a
    reply to the topic's first message, which is about no request)."""
    threads = staff.services.store.threads
    replied = message.reply_to_message
    if replied is None:
        return None
    ticket_id = await threads.by_message(staff.chat_id, replied.message_id)
    return await staff.services.store.tickets.get(ticket_id) if ticket_id else None


def said(chat_id: int, message: Message) -> Said:
    """The message as the services take it: where it is and its words, nothing of telegram."""
    return Said(chat_id, message.message_id, message.text, message.caption,
                message.voice.file_id if message.voice else None)


async def relay_to_resident(staff: Staff, ticket: Ticket, message: Message) -> None:
    result = await conversation.reply_to_resident(staff.services, ticket.id, staff.as_actor(),
                                                  said(staff.chat_id, message))
    if result.outcome == Outcome.CLOSED:
        await staff.say(ticket, staff.tr._("This request is closed. The resident does not get "
                                           "this."))
    elif result.outcome == Outcome.NO_CHAT:
        await staff.say(ticket, staff.tr._("This resident has no chat with the bot, so they do "
                                           "not get this. Call or visit them as the card says."))


async def finish_pending(staff: Staff, ticket: Ticket, action: str, data: dict[str, str],
                         message: Message) -> None:
    """The text a prompt asked for: a note, or the handover note of a transfer."""
    if action == "note":
        await casework.add_note(staff.services, ticket.id, staff.as_actor(), message.text or "")
        return
    await transfer(staff, ticket, data.get("to", ""), message.text or "")


async def transfer(staff: Staff, ticket: Ticket, target: str, note: str) -> None:
    result = await casework.transfer(staff.services, ticket.id, staff.as_actor(), target, note)
    if not result.done and result.outcome != Outcome.ASKED:  # asked: the group is told
        await staff.say(ticket, staff.tr._("This request has changed in the meantime."))


# -- resident side ------------------------------------------------------------------------------
async def resident_ticket(turn: Turn, message: Message) -> Ticket | None:
    """The request a resident's reply is about, if they replied to a bot message about one."""
    replied = message.reply_to_message
    if replied is None:
        return None
    store = turn.services.store
    ticket_id = await store.threads.by_message(turn.chat_id, replied.message_id)
    ticket = await store.tickets.get(ticket_id) if ticket_id else None
    if ticket is None or ticket.resident_id != turn.user_id:
        return None
    return ticket


async def relay_to_partner(turn: Turn, ticket: Ticket, message: Message) -> bool:
    """Add a resident's message to their request, in the partner's thread. False if not sent.

    Only text, photos and voice notes travel: a shared contact, a file (which keeps a photo's
    location data) or a round video would tell the partner who the resident is. A closed
    request is said first, before what may travel.
    """
    if ticket.status in ACTIVE and not await safe_to_relay(turn, message):
        return False
    if ticket.status in ACTIVE and ticket.anonymous and message.voice is not None:
        await limits.ask_before_voice(turn, ticket, message)  # a voice can be recognised
        return False
    return await pass_on(turn, ticket, said(turn.chat_id, message))


async def pass_on(turn: Turn, ticket: Ticket, what: Said) -> bool:
    """The message to the partner, and what the resident is told: sent, kept for a moment
    (over the limit of the last minute: it goes a little later), or not passed on."""
    result = await conversation.resident_message(turn.services, ticket.id, what)
    if result.outcome == Outcome.CLOSED:
        await turn.say(turn.tr._("Request {ref} is closed. To ask something new, choose a "
                                 "button below.", ref=ticket.ref))
        return False
    if result.refused is not None:  # blocked: kindly, no accusation, and the 112 line
        await turn.say(limits.refusal_text(turn, result.refused))
        return False
    partner = turn.services.site.partner_name_in(ticket.partner_id, turn.tr.lang)
    if result.tell:
        await turn.say(later_text(turn.tr))
    elif result.later:
        await turn.say(kept_text(turn.tr, partner))
    else:
        await turn.say("✅ " + turn.tr._("Sent to {partner}.", partner=partner))
    return True


async def safe_to_relay(turn: Turn, message: Message) -> bool:
    if message.text or message.photo or message.voice:
        return True
    doc = message.document
    if doc is not None and (doc.mime_type or "").startswith("image/"):
        await turn.say(turn.tr._("Please send the picture as a photo, not as a file. "
                                 "A file can show where it was taken."))
    else:
        await turn.say(turn.tr._("I cannot use this here. Please send text, a photo or a voice "
                                 "message."))
    return False


async def on_feedback(turn: Turn, ticket_id: int, helped: bool) -> None:
    """The resident's answer to "Were you helped?"; no reopens the ticket and tells the group."""
    await turn.answer()
    await turn.drop_buttons()
    result = await casework.feedback(turn.services, ticket_id, turn.user_id, helped)
    await turn.say(answer_thanks(turn.tr, turn.services.site, result.outcome, result.ticket,
                                 helped))
