"""Promises: staff record "I will call" / "We will visit" with a day and a part of the day.

The resident is told in their language; the claimer is reminded the working day before and that
morning; afterwards the resident is asked once whether it happened (bot/followup/sweep.py).
Callback data: `v1:t:<id>:pm`, `pk:<c|v>`, `pd:<c|v>:<yyyymmdd>`, `pp:<c|v>:<yyyymmdd>:<m|a|e>`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.promises import IllegalPromiseTransition, Promise, PromiseAction, PromiseStatus
from bot.domain.tickets import Status, Ticket
from bot.handlers.common import Turn
from bot.handlers.staff import Staff
from bot.render import followup as texts
from bot.render.callbacks import CARD, CardStep, Press, pack
from bot.store import promises
from bot.store.tickets import AfterChange

KINDS = {"c": "call", "v": "visit"}
PARTS = {"m": "morning", "a": "afternoon", "e": "evening"}
PART_END = {"morning": 12, "afternoon": 17, "evening": 21}


async def _claimed(staff: Staff, ticket: Ticket) -> bool:
    if ticket.status == Status.CLAIMED:
        return True
    await staff.alert(staff.tr._("This request has changed in the meantime."), popup=True)
    return False


def _button(label: str, ticket: Ticket, *args: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(label, callback_data=pack(CARD, ticket.id, *args))]


async def menu(staff: Staff, ticket: Ticket, press: Press) -> None:
    if not await _claimed(staff, ticket):
        return
    tr = staff.tr
    await staff.alert()
    await staff.say(ticket, tr._("What do you promise the resident of #{ref}?", ref=ticket.ref),
                    reply_markup=InlineKeyboardMarkup([
                        _button("📞 " + tr._("I will call"), ticket, CardStep.PROMISE_KIND, "c"),
                        _button("🏠 " + tr._("We will visit"), ticket, CardStep.PROMISE_KIND,
                                "v")]))


def _today(staff: Staff) -> date:
    return staff.services.clock().astimezone(staff.services.site.zone).date()


async def when(staff: Staff, ticket: Ticket, press: Press) -> None:
    kind = press.arg(2)
    if kind not in KINDS or not await _claimed(staff, ticket):
        return
    tr, week = staff.tr, staff.services.notifier.policy.week
    today = _today(staff)
    if press.arg(3) == "pick":  # the next ten working days
        days = week.workdays_from(today + timedelta(days=1), 10)
        rows = [_button(tr.date(d, "full"), ticket, CardStep.PROMISE_DAY, kind,
                        d.strftime("%Y%m%d"))
                for d in days]
    else:
        tomorrow = date.fromordinal(today.toordinal() + 1)
        options = [(tr._("Today"), today), (tr._("Tomorrow"), tomorrow),
                   (tr._("In 2 working days"), week.add_workdays(today, 2))]
        rows = [_button(label, ticket, CardStep.PROMISE_DAY, kind, d.strftime("%Y%m%d"))
                for label, d in options]
        rows.append(_button("📅 " + tr._("Pick a date"), ticket, CardStep.PROMISE_KIND, kind,
                            "pick"))
    await staff.alert()
    await staff.say(ticket, tr._("Which day?"), reply_markup=InlineKeyboardMarkup(rows))


async def part(staff: Staff, ticket: Ticket, press: Press) -> None:
    kind, day = press.arg(2), press.arg(3)
    if kind not in KINDS or not await _claimed(staff, ticket):
        return
    tr = staff.tr
    rows = [_button(texts.part_label(tr, PARTS[p]).capitalize(), ticket, CardStep.PROMISE_PART,
                    kind, day, p)
            for p in PARTS]
    await staff.alert()
    await staff.say(ticket, tr._("What time of day?"), reply_markup=InlineKeyboardMarkup(rows))


async def record(staff: Staff, ticket: Ticket, press: Press) -> None:
    kind, raw_day, part_key = press.arg(2), press.arg(3), press.arg(4)
    if kind not in KINDS or part_key not in PARTS or not await _claimed(staff, ticket):
        return
    try:
        day = datetime.strptime(raw_day, "%Y%m%d").date()
    except ValueError:
        await staff.alert(staff.tr._("This button is old."), popup=True)
        return
    if day < _today(staff):
        await staff.alert(staff.tr._("That day has passed. Choose another day."), popup=True)
        return
    end_hour = PART_END[PARTS[part_key]]
    local_now = staff.services.clock().astimezone(staff.services.site.zone)
    if day == local_now.date() and local_now.hour >= end_hour:
        await staff.alert(staff.tr._("That time of day has passed. Choose another."), popup=True)
        return
    services, gtr = staff.services, staff.tr
    notifier, followups = services.notifier, services.followups
    shown = texts.promise_told(notifier, ticket, KINDS[kind], day, PARTS[part_key])

    async def then(tx: aiosqlite.Connection, t: Ticket, now: datetime) -> None:
        await followups.on_promise(tx, t, now, kind=KINDS[kind], day=day, part=PARTS[part_key],
                                   staff_id=staff.user_id, staff_name=staff.first_name)
        await notifier.to_resident(tx, now, t, shown)
        await notifier.to_group(tx, now, t, staff.chat_id, "🤝 " + gtr._(
            "Promise saved for #{ref}: {day}, {part}. The resident knows.", ref=t.ref,
            day=gtr.date(day, "full"), part=texts.part_label(gtr, PARTS[part_key])))
    await services.store.tickets.note(ticket.id, staff.actor, "promise", then=then,
                                      name=staff.first_name, kind=KINDS[kind],
                                      day=day.isoformat(), part=PARTS[part_key])
    await staff.alert(gtr._("Saved."))


# -- the resident's answer: `v1:pr:<promise id>:y|n` -------------------------------------------
async def on_promise_answer(turn: Turn, press: Press) -> None:
    services, tr = turn.services, turn.tr
    await turn.answer()
    await turn.drop_buttons()
    promise_id = int(press.arg(0)) if press.arg(0).isdigit() else 0
    promise = await services.store.promises.get(promise_id)
    ticket = await services.store.tickets.get(promise.ticket_id) if promise else None
    if promise is None or ticket is None or ticket.resident_id != turn.user_id:
        await turn.say(tr._("This button is old. Here is where you are now."))
        return
    if promise.status != PromiseStatus.OPEN:  # a repeated or old tap writes nothing
        await turn.say(_settled(turn, promise.status))
        return
    kept = press.arg(1) == "y"
    try:
        await services.store.tickets.note(ticket.id, "resident",
                                          "promise_kept" if kept else "promise_broken",
                                          then=_answered(turn, promise, kept), promise=promise_id)
    except IllegalPromiseTransition as refused:  # answered or cancelled a moment ago
        await turn.say(_settled(turn, refused.status))
        return
    await turn.say(tr._("Thank you for telling us.") if kept else tr._(
        "We are sorry. We have told {partner}; they will look at it again.",
        partner=services.site.partner_name(ticket.partner_id)))


def _settled(turn: Turn, status: PromiseStatus) -> str:
    """A cancelled promise (the request was handed over, solved or withdrawn since the
    question) is no longer the resident's to answer: the button is just old."""
    if status == PromiseStatus.CANCELLED:
        return turn.tr._("This button is old. Here is where you are now.")
    return turn.tr._("Thank you, we already have your answer.")


def _answered(turn: Turn, promise: Promise, kept: bool) -> AfterChange:
    """Record the answer through the promise workflow; a broken promise is told to the partner
    and the coordinator in the same transaction."""
    services, notifier = turn.services, turn.services.notifier
    action = PromiseAction.KEEP if kept else PromiseAction.BREAK

    async def then(tx: aiosqlite.Connection, t: Ticket, now: datetime) -> None:
        await promises.apply(tx, promise.id, action, now)
        if kept:
            return
        gtr = notifier.group_tr(notifier.partner_chat(t))
        what = gtr._("call") if promise.kind == "call" else gtr._("visit")
        await notifier.to_partner(tx, now, t, "🔴 " + gtr._(
            "#{ref}: the resident says the promised {what} did not happen.", ref=t.ref,
            what=what))
        ctr = notifier.group_tr(notifier.coordinator_chat)
        await notifier.to_coordinator(tx, now, t, "🚨 " + ctr._(
            "#{ref} ({partner}): a promise to the resident was broken.", ref=t.ref,
            partner=services.site.partner_name(t.partner_id)),
            markup=await services.sweeper.card_link(t))
    return then
