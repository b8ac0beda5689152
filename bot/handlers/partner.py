"""Buttons on the ticket card: claim, release, transfer, resolve, note, quick replies, history.

Callback data is `v1:t:<ticket id>:<action>[:<arg>...]`; who may press is decided from the chat
the press came from (Staff.may_act), and every state change is one compare-and-set.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from html import escape

import aiosqlite
from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.context import BotContext
from bot.domain.tickets import Action, IllegalTransition, Status, Ticket
from bot.handlers.staff import Staff, StaffPress, staff_for
from bot.i18n import Translator
from bot.render import quick
from bot.render.callbacks import CARD, CardStep, Press, pack
from bot.render.followup import mention
from bot.render.resident import (
    answer_markup,
    claimed_text,
    reply_header,
    resolved_markup,
    resolved_text,
)

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
        if ticket is None or not staff.may_act(ticket):
            log.info("refused ticket button in chat %s (update %s)", staff.chat_id,
                     update.update_id)
            await staff.alert(staff.tr._("This button does not work here."), popup=True)
            return
        action = steps.get(press.arg(1))
        if action is None:
            await staff.alert(staff.tr._("This button is old."), popup=True)
            return
        await action(staff, ticket, press)
    return on_press


# -- claiming ---------------------------------------------------------------------------------
async def claim(staff: Staff, ticket: Ticket, press: Press) -> None:
    tr = staff.tr
    if ticket.status == Status.CLAIMED:
        mine = ticket.claimed_by == staff.user_id
        await staff.alert(tr._("You already have this.") if mine else
                          tr._("{name} already has this.", name=ticket.claimed_name or "?"),
                          popup=not mine)
        return
    try:
        await staff.services.store.tickets.apply(
            ticket.id, Action.CLAIM, staff.actor,
            fields={"claimed_by": staff.user_id, "claimed_name": staff.first_name},
            then=_after_claim(staff), name=staff.first_name)
    except IllegalTransition:
        fresh = await staff.services.store.tickets.get(ticket.id)
        name = fresh.claimed_name if fresh and fresh.claimed_name else "?"
        await staff.alert(tr._("{name} already has this.", name=name), popup=True)
        return
    await staff.alert(tr._("You have it now."))


def _after_claim(staff: Staff):  # type: ignore[no-untyped-def]
    notifier = staff.services.notifier

    async def then(tx: aiosqlite.Connection, ticket: Ticket, now: datetime) -> None:
        await notifier.refresh_cards(tx, now, ticket)
        await notifier.to_resident(tx, now, ticket, claimed_text(notifier, ticket),
                                   answer_markup(notifier, ticket))
    return then


def _owner_or_coordinator(staff: Staff, ticket: Ticket) -> bool:
    return ticket.claimed_by == staff.user_id or staff.in_coordinator_group


async def release(staff: Staff, ticket: Ticket, press: Press) -> None:
    if not await _check(staff, ticket, Status.CLAIMED, owner=True):
        return
    await staff.services.store.tickets.apply(
        ticket.id, Action.RELEASE, staff.actor, name=staff.first_name,
        fields={"claimed_by": None, "claimed_name": None}, then=refresh_after(staff))
    await staff.alert(staff.tr._("Released. Someone else can take it now."))


async def resolve(staff: Staff, ticket: Ticket, press: Press) -> None:
    if not await _check(staff, ticket, Status.CLAIMED, owner=True):
        return
    notifier = staff.services.notifier

    async def then(tx: aiosqlite.Connection, t: Ticket, now: datetime) -> None:
        await notifier.refresh_cards(tx, now, t)
        await notifier.to_resident(tx, now, t, resolved_text(notifier, t),
                                   resolved_markup(notifier, t))
        await staff.services.followups.on_resolved(tx, t, now)
    await staff.services.store.tickets.apply(ticket.id, Action.RESOLVE, staff.actor, then=then,
                                             name=staff.first_name)
    await staff.alert(staff.tr._("Marked as solved. We ask the resident if they were helped."))


async def _check(staff: Staff, ticket: Ticket, status: Status, *, owner: bool = False) -> bool:
    tr = staff.tr
    if ticket.status != status:
        await staff.alert(tr._("This request has changed in the meantime."), popup=True)
        return False
    if owner and not _owner_or_coordinator(staff, ticket):
        await staff.alert(tr._("Only {name} or the coordinator can do this.",
                               name=ticket.claimed_name or "?"), popup=True)
        return False
    return True


def refresh_after(staff: Staff):  # type: ignore[no-untyped-def]
    """A `then` for a change that only needs the cards re-rendered."""
    notifier = staff.services.notifier

    async def then(tx: aiosqlite.Connection, ticket: Ticket, now: datetime) -> None:
        await notifier.refresh_cards(tx, now, ticket)
    return then


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
    if ticket.status not in (Status.OPEN, Status.CLAIMED):
        await staff.alert(staff.tr._("This request has changed in the meantime."), popup=True)
        return
    site = staff.services.site
    rows = [[InlineKeyboardButton(p.name, callback_data=pack(CARD, ticket.id, CardStep.TRANSFER_TO,
                                                              p.id))]
            for p in site.partners if p.id not in (ticket.partner_id, site.coordinator)]
    await staff.alert()
    await staff.say(ticket, staff.tr._("Hand #{ref} over to which partner?", ref=ticket.ref),
                    reply_markup=InlineKeyboardMarkup(rows))


async def choose_transfer(staff: Staff, ticket: Ticket, press: Press) -> None:
    site = staff.services.site
    target = press.arg(2)
    if target not in {p.id for p in site.partners} or target == ticket.partner_id:
        await staff.alert(staff.tr._("This button is old."), popup=True)
        return
    await staff.alert()
    text = staff.tr._("{name}, write a short handover note for {partner}: what do they need "
                      "to know?", name="\0", partner=site.partner_name(target))
    await _prompt(staff, ticket, text, "xfer", to=target)


# -- quick replies ------------------------------------------------------------------------------
async def quick_menu(staff: Staff, ticket: Ticket, press: Press) -> None:
    if not await _check(staff, ticket, Status.CLAIMED):
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
    if reply is None or not await _check(staff, ticket, Status.CLAIMED):
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
    today = staff.services.clock().astimezone(staff.services.site.zone).date()
    if day is not None and day < today:
        await staff.alert(staff.tr._("That day has passed. Choose another day."), popup=True)
        return
    await send_quick(staff, ticket, reply, day)


async def send_quick(staff: Staff, ticket: Ticket, reply: quick.QuickReply,
                     day: date | None) -> None:
    notifier = staff.services.notifier
    rtr, gtr = notifier.resident_tr(ticket), staff.tr
    values = {"date": rtr.date(day, "full")} if day else {}
    header = reply_header(notifier, ticket, staff.first_name)
    for_resident = f"{header}\n{rtr._(reply.text, **values)}"
    shown = gtr._(reply.text, **({"date": gtr.date(day, "full")} if day else {}))

    async def then(tx: aiosqlite.Connection, t: Ticket, now: datetime) -> None:
        await notifier.to_resident(tx, now, t, for_resident, answer_markup(notifier, t))
        await staff.services.followups.on_contact(tx, t, now)
        await notifier.to_group(tx, now, t, staff.chat_id,
                                "✅ " + gtr._("Sent to the resident: {text}", text=shown))
    await staff.services.store.tickets.note(ticket.id, staff.actor, "quick_reply", then=then,
                                            reply=reply.id)
    await staff.alert(gtr._("Sent."))


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
    }
    return labels.get(event, event)
