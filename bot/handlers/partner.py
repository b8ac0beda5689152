"""Buttons on the ticket card: claim, release, transfer, resolve, note, quick replies, history.

Callback data is `v1:t:<ticket id>:<action>[:<arg>...]`; who may press is decided from the chat
the press came from and the person who pressed (Staff.may_act_on: the ticket's partner's group
or the coordinator group, and there who the group's rule allows), and every state change is
one compare-and-set.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from html import escape

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.context import BotContext
from bot.domain.casework import Outcome, may
from bot.domain.tickets import Action, Status, Ticket
from bot.handlers.staff import Staff, StaffPress, staff_for
from bot.i18n import Translator
from bot.render import quick
from bot.render.callbacks import CARD, CardStep, Press, pack
from bot.render.followup import mention
from bot.services import casework, conversation

log = logging.getLogger(__name__)


CardAction = Callable[[Staff, Ticket, Press], Awaitable[None]]


def card_buttons(steps: Mapping[str, CardAction]) -> StaffPress:
    """The buttons on a ticket card, `v1:t:<ticket id>:<step>[:<arg>...]`, each step to its
    action (bot/app.py lists them); only staff of the chat that holds the ticket may press."""
    async def on_press(update: Update, context: BotContext, press: Press) -> None:
        staff = staff_for(update, context)
        if staff is None:
            return
        ticket_id = int(press.arg(0)) if press.arg(0).isdigit() else 0
        ticket = await staff.services.store.tickets.get(ticket_id)
        if ticket is None:
            log.info("refused a button of no ticket in chat %s (update %s)", staff.chat_id,
                     update.update_id)
            await staff.alert(staff.tr._("This button does not work here."), popup=True)
            return
        if not await staff.may_act_on(ticket):  # answered and logged there
            return
        action = steps.get(press.arg(1))
        if action is None:
            await staff.alert(staff.tr._("This button is old."), popup=True)
            return
        await action(staff, ticket, press)
    return on_press


# -- claiming (the rules and the writes are in bot/services/casework.py) ----------------------
async def claim(staff: Staff, ticket: Ticket, press: Press) -> None:
    result = await casework.claim(staff.services, ticket.id, staff.as_actor())
    await staff.tell(result, staff.tr._("You have it now."))


async def release(staff: Staff, ticket: Ticket, press: Press) -> None:
    result = await casework.release(staff.services, ticket.id, staff.as_actor())
    await staff.tell(result, staff.tr._("Released. Someone else can take it now."))


async def resolve(staff: Staff, ticket: Ticket, press: Press) -> None:
    result = await casework.resolve(staff.services, ticket.id, staff.as_actor())
    await staff.tell(result, staff.tr._("Marked as solved. We ask the resident if they were "
                                        "helped."))


# -- notes and handovers (the text comes in the staff member's next message) -------------------
async def ask_note(staff: Staff, ticket: Ticket, press: Press) -> None:
    await staff.alert()
    text = staff.tr._("{name}, type the note for #{ref}. Only your team sees it.",
                      name="\0", ref=ticket.ref)
    await _prompt(staff, ticket, text, "note")


async def _prompt(staff: Staff, ticket: Ticket, text: str, action: str, **data: str) -> None:
    """Ask one staff member for a text; their reply to this prompt is the answer.

    The mention makes ForceReply(selective) open the reply field for that person only.
    """
    html = escape(text).replace("\0", mention(staff.user_id, staff.first_name))
    prompt = await staff.say(ticket, html, parse_mode=ParseMode.HTML,
                             reply_markup=ForceReply(selective=True))
    await staff.services.store.threads.set_pending(staff.chat_id, staff.user_id, ticket.id,
                                                   action, prompt=prompt.message_id, **data)


async def ask_transfer(staff: Staff, ticket: Ticket, press: Press) -> None:
    if not may(ticket, Action.TRANSFER):
        await staff.refuse(Outcome.CHANGED, ticket)
        return
    site = staff.services.site
    rows = [[InlineKeyboardButton(site.partner_name(p), callback_data=pack(
        CARD, ticket.id, CardStep.TRANSFER_TO, p))]
        for p in casework.transfer_targets(site, ticket)]
    await staff.alert()
    await staff.say(ticket, staff.tr._("Hand #{ref} over to which partner?", ref=ticket.ref),
                    reply_markup=InlineKeyboardMarkup(rows))


async def choose_transfer(staff: Staff, ticket: Ticket, press: Press) -> None:
    site = staff.services.site
    target = press.arg(2)
    if target not in casework.transfer_targets(site, ticket):  # old, or forged (coordinator)
        await staff.alert(staff.tr._("This button is old."), popup=True)
        return
    await staff.alert()
    text = staff.tr._("{name}, write a short handover note for {partner}: what do they need "
                      "to know?", name="\0", partner=site.partner_name(target))
    await _prompt(staff, ticket, text, "xfer", to=target)


# -- quick replies ------------------------------------------------------------------------------
async def quick_menu(staff: Staff, ticket: Ticket, press: Press) -> None:
    if await staff.refused(ticket, Status.CLAIMED):
        return
    tr = staff.tr
    rows = [[InlineKeyboardButton(tr._(q.text).replace("{date}", "…")[:60],
                                  callback_data=pack(CARD, ticket.id, CardStep.QUICK_SEND, q.id))]
            for q in quick.quick_replies(staff.services.site)]
    await staff.alert()
    await staff.say(ticket, tr._("Which message for the resident? They get it in their own "
                                 "language."), reply_markup=InlineKeyboardMarkup(rows))


async def quick_send(staff: Staff, ticket: Ticket, press: Press) -> None:
    reply = quick.find(staff.services.site, press.arg(2))
    if reply is None or await staff.refused(ticket, Status.CLAIMED):
        return
    if reply.needs_date and not press.arg(3):
        today = staff.services.clock().astimezone(staff.services.site.zone).date()
        rows = [[InlineKeyboardButton(staff.tr.date(day, "full"), callback_data=pack(
            CARD, ticket.id, CardStep.QUICK_SEND, reply.id, day.strftime("%Y%m%d")))]
            for day in staff.services.notifier.policy.week.workdays_from(today, 6)]
        await staff.alert()
        await staff.say(ticket, staff.tr._("Which day?"), reply_markup=InlineKeyboardMarkup(rows))
        return
    try:
        day = datetime.strptime(press.arg(3), "%Y%m%d").date() if press.arg(3) else None
    except ValueError:
        await staff.alert(staff.tr._("This button is old."), popup=True)
        return
    result = await conversation.quick_reply(staff.services, ticket.id, staff.as_actor(), reply,
                                            day)
    await staff.tell(result, staff.tr._("Sent."))


# -- history ------------------------------------------------------------------------------------
async def history(staff: Staff, ticket: Ticket, press: Press) -> None:
    tr = staff.tr
    events = await staff.services.store.tickets.events(ticket.id)
    lines = ["📜 " + tr._("History of #{ref}", ref=ticket.ref)]
    for e in events:
        when = tr.datetime(datetime.fromisoformat(e["at"]), "short")
        actors = {"resident": tr._("resident"), "system": tr._("the bot")}
        who = e.get("name") or actors.get(e["actor"], e["actor"])
        event = "closed_unanswered" if e.get("answer") == "none" else e["event"]
        lines.append(f"{when} · {event_label(tr, event)} · {who}")
    await staff.alert()
    await staff.say(ticket, "\n".join(lines))


def event_label(tr: Translator, event: str) -> str:
    labels = {
        "created": tr._("sent in"), "claim": tr._("picked up"), "release": tr._("released"),
        "transfer": tr._("handed over"), "resolve": tr._("solved"),
        "confirm": tr._("resident: helped"), "reopen": tr._("resident: not helped"),
        "withdraw": tr._("stopped"), "note": tr._("note"), "reply": tr._("reply to resident"),
        "resident_message": tr._("message from resident"), "quick_reply": tr._("quick reply"),
        "erased": tr._("data erased"), "escalated": tr._("sent to the coordinator"),
        "closed_unanswered": tr._("closed: no answer from the resident"),
        "promise": tr._("promise made"), "promise_kept": tr._("promise kept"),
        "promise_broken": tr._("promise broken"), "promise_unanswered": tr._("promise: no answer"),
        "promise_cancelled": tr._("promise cancelled"),
        "transfer_asked": tr._("resident asked: may it go to another partner?"),
        "transfer_refused": tr._("resident: keep it here"),
    }
    return labels.get(event, event)
