"""The conversation about a ticket, both ways, each side in its own language.

Staff → resident: a reply to the card (or to any bot message about the ticket), or any message in
the ticket's forum topic. Resident → staff: a reply to any bot message about the request, or
"add a message" from My requests. Media are copied (copy_message), never forwarded: a forward
would show who sent it.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

import aiosqlite
from telegram import Message, Update

from bot.context import BotContext
from bot.domain.tickets import ACTIVE, Action, IllegalTransition, Status, Ticket
from bot.handlers import broadcasting
from bot.handlers.common import Turn
from bot.handlers.partner import refresh_after
from bot.handlers.staff import Staff, is_partner_chat, staff_for
from bot.i18n.bidi import clean_user_text, isolate
from bot.render.card import who
from bot.render.resident import answer_markup, reply_header, transferred_text
from bot.store.threads import Pending, clear_pending

MAX_NOTE = 1000
LIMIT = 4096  # Telegram's limit for a message (captions: 1024)
CAPTION_LIMIT = 1024


async def on_group_message(update: Update, context: BotContext) -> None:
    staff = staff_for(update, context)
    message = update.effective_message
    if staff is None or message is None or not is_partner_chat(staff.services, staff.chat_id):
        return  # a group that is not ours: stay quiet
    store = staff.services.store
    if message.text and await broadcasting.on_text(staff, message):
        return
    pending = await store.threads.pending(staff.chat_id, staff.user_id)
    if pending is not None and message.text and await answers_prompt(staff, pending, message):
        ticket = await store.tickets.get(pending.ticket_id)
        if ticket is not None and staff.may_act(ticket):
            await finish_pending(staff, ticket, pending.action, pending.data, message)
            return
    ticket = await ticket_of(staff, message)
    if ticket is None:
        return  # ordinary talk in the group, not about a ticket
    if not staff.may_act(ticket):
        await staff.say(ticket, staff.tr._("This request is with another partner now."))
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
    threads = staff.services.store.threads
    ticket_id = None
    if message.is_topic_message and message.message_thread_id:
        ticket_id = await threads.by_topic(staff.chat_id, message.message_thread_id)
    if ticket_id is None and message.reply_to_message is not None:
        ticket_id = await threads.by_message(staff.chat_id, message.reply_to_message.message_id)
    return await staff.services.store.tickets.get(ticket_id) if ticket_id else None


async def relay_to_resident(staff: Staff, ticket: Ticket, message: Message) -> None:
    tr, store, notifier = staff.tr, staff.services.store, staff.services.notifier
    if ticket.status not in ACTIVE or ticket.resident_id is None:
        await staff.say(ticket, tr._("This request is closed. The resident does not get this."))
        return
    if ticket.status == Status.OPEN:  # whoever answers first has it
        with contextlib.suppress(IllegalTransition):  # someone else was just faster
            ticket = await store.tickets.apply(
                ticket.id, Action.CLAIM, staff.actor, name=staff.first_name,
                fields={"claimed_by": staff.user_id, "claimed_name": staff.first_name},
                then=refresh_after(staff))
    header = reply_header(notifier, ticket, staff.first_name)
    source = (staff.chat_id, message.message_id)

    async def then(tx: aiosqlite.Connection, t: Ticket, now: datetime) -> None:
        markup = answer_markup(notifier, t)
        if message.text:
            for i, part in enumerate(split(message.text, LIMIT - len(header) - 2)):
                await notifier.to_resident(tx, now, t, f"{header}\n{part}", markup,
                                           dedupe=f"relay:{source}:{i}")
        else:
            caption = message.caption or ""
            short = len(header) + len(caption) < CAPTION_LIMIT
            await notifier.copy_to(tx, now, t, t.resident_id or 0, from_chat=source[0],
                                   message_id=source[1], markup=markup,
                                   caption=f"{header}\n{caption}" if caption and short
                                   else header, dedupe=f"relay:{source}")
            if caption and not short:
                for i, part in enumerate(split(caption, LIMIT - len(header) - 2)):
                    await notifier.to_resident(tx, now, t, f"{header}\n{part}", markup,
                                               dedupe=f"relay:{source}:c{i}")
        await staff.services.followups.on_contact(tx, t, now)
    await store.tickets.note(ticket.id, staff.actor, "reply", then=then, name=staff.first_name)


async def finish_pending(staff: Staff, ticket: Ticket, action: str, data: dict[str, str],
                         message: Message) -> None:
    text = clean_user_text(message.text or "")[:MAX_NOTE]
    store, notifier, tr = staff.services.store, staff.services.notifier, staff.tr
    if action == "note":
        async def then(tx: aiosqlite.Connection, t: Ticket, now: datetime) -> None:
            await clear_pending(tx, staff.chat_id, staff.user_id)
            await notifier.to_group(tx, now, t, staff.chat_id,
                                    "📝 " + tr._("Note saved for #{ref}.", ref=t.ref))
        await store.tickets.note(ticket.id, staff.actor, "note", then=then, text=text,
                                 name=staff.first_name)
        return
    await transfer(staff, ticket, data.get("to", ""), text)


async def transfer(staff: Staff, ticket: Ticket, target: str, note: str) -> None:
    """A warm handover: the new partner gets the card and the note; the old card says where it
    went; the resident is told, and need not tell their story again."""
    site, store, notifier = staff.services.site, staff.services.store, staff.services.notifier
    old_partner = site.partner_name(ticket.partner_id)
    new_chat = site.partner(target).chat_id
    ntr = notifier.group_tr(new_chat)
    handover = "🤝 " + ntr._("Handover from {partner} ({name}): {note}", partner=old_partner,
                             name=staff.first_name, note=note)

    async def then(tx: aiosqlite.Connection, t: Ticket, now: datetime) -> None:
        await clear_pending(tx, staff.chat_id, staff.user_id)
        await notifier.refresh_cards(tx, now, t)
        await notifier.post_card(tx, now, t, new_chat, f"card:{t.id}:{now.isoformat()}")
        await staff.services.followups.on_transferred(tx, t, now)
        await notifier.to_group(tx, now, t, new_chat, handover)
        await notifier.to_resident(tx, now, t, transferred_text(notifier, t))
    try:
        await store.tickets.apply(ticket.id, Action.TRANSFER, staff.actor, then=then,
                                  fields={"partner_id": target, "claimed_by": None,
                                          "claimed_name": None},
                                  to=target, note=note, name=staff.first_name)
    except IllegalTransition:
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
    location data) or a round video would tell the partner who the resident is.
    """
    tr, notifier, store = turn.tr, turn.services.notifier, turn.services.store
    if ticket.status not in ACTIVE:
        await turn.say(tr._("Request {ref} is closed. To ask something new, choose a button "
                            "below.", ref=ticket.ref))
        return False
    if not await safe_to_relay(turn, message):
        return False
    chat = notifier.partner_chat(ticket)
    gtr = notifier.group_tr(chat)
    header = gtr._("💬 {who} (#{ref}):", who=who(gtr, ticket), ref=ticket.ref)
    source = (turn.chat_id, message.message_id)
    text = clean_user_text(message.text or "")
    caption = clean_user_text(message.caption or "")

    async def then(tx: aiosqlite.Connection, t: Ticket, now: datetime) -> None:
        if message.text:
            for i, part in enumerate(split(text, LIMIT - len(header) - 4)):
                await notifier.to_group(tx, now, t, chat, f"{header}\n{isolate(part)}",
                                        dedupe=f"relay:{source}:{i}", purpose="relay")
            return
        short = caption if len(header) + len(caption) < CAPTION_LIMIT else ""
        await notifier.copy_to(tx, now, t, chat, from_chat=source[0], message_id=source[1],
                               caption=f"{header}\n{short}" if short else header,
                               dedupe=f"relay:{source}")
        if caption and not short:  # a long caption follows as text, nothing is cut
            for i, part in enumerate(split(caption, LIMIT - len(header) - 4)):
                await notifier.to_group(tx, now, t, chat, f"{header}\n{isolate(part)}",
                                        dedupe=f"relay:{source}:c{i}", purpose="relay")
    await store.tickets.note(ticket.id, "resident", "resident_message", then=then)
    await turn.say("✅ " + tr._("Sent to {partner}.",
                               partner=turn.services.site.partner_name(ticket.partner_id)))
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


def split(text: str, size: int) -> list[str]:
    """Pieces that fit in one Telegram message, cut at a line or word break where possible."""
    parts = []
    while len(text) > size:
        cut = max(text.rfind("\n", 0, size), text.rfind(" ", 0, size))
        cut = cut if cut > size // 2 else size
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*parts, text] if text or not parts else parts


async def on_feedback(turn: Turn, ticket_id: int, helped: bool) -> None:
    """The resident's answer to "Were you helped?"; no reopens the ticket and tells the group."""
    store, notifier, tr = turn.services.store, turn.services.notifier, turn.tr
    ticket = await store.tickets.get(ticket_id)
    await turn.answer()
    await turn.drop_buttons()
    if ticket is None or ticket.resident_id != turn.user_id:
        await turn.say(tr._("This button is old. Here is where you are now."))
        return
    if ticket.status != Status.RESOLVED:
        await turn.say(tr._("Thank you, we already have your answer."))
        return

    async def then(tx: aiosqlite.Connection, t: Ticket, now: datetime) -> None:
        gtr = notifier.group_tr(notifier.partner_chat(t))
        await notifier.refresh_cards(tx, now, t)
        text = ("🟢 " + gtr._("The resident says they were helped. #{ref} is closed.", ref=t.ref)
                if helped else
                "🔴 " + gtr._("The resident says they were NOT helped. #{ref} is open again.",
                              ref=t.ref))
        await notifier.to_partner(tx, now, t, text)
        followups = turn.services.followups
        await (followups.on_answered(tx, t, now) if helped else followups.on_reopened(tx, t, now))
    action = Action.CONFIRM if helped else Action.REOPEN
    fields = {} if helped else {"claimed_by": None, "claimed_name": None}
    await store.tickets.apply(ticket.id, action, "resident", fields=fields, then=then)
    await turn.say(tr._("Thank you for telling us.") if helped else
                   tr._("We are sorry. We have told {partner}; they will look at it again.",
                        partner=turn.services.site.partner_name(ticket.partner_id)))
