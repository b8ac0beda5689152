"""Promises: staff record "I will call" / "We will visit" with a day and a part of the day.

The resident is told in their language; the claimer is reminded the working day before and that
morning; afterwards the resident is asked once whether it happened (bot/followup/sweep.py).
Callback data: `v1:t:<id>:pm`, `pk:<c|v>`, `pd:<c|v>:<yyyymmdd>`, `pp:<c|v>:<yyyymmdd>:<m|a|e>`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.tickets import Status, Ticket
from bot.handlers.common import Turn
from bot.handlers.staff import Staff
from bot.render import followup as texts
from bot.render.callbacks import CARD, CardStep, Press, pack
from bot.render.casework import answer_thanks
from bot.services import promises

KINDS = {"c": "call", "v": "visit"}
PARTS = {"m": "morning", "a": "afternoon", "e": "evening"}


async def _claimed(staff: Staff, ticket: Ticket) -> bool:
    return not await staff.refused(ticket, Status.CLAIMED)


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
    result = await promises.make_promise(staff.services, ticket.id, staff.as_actor(),
                                         KINDS[kind], day, PARTS[part_key])
    await staff.tell(result, staff.tr._("Saved."))


# -- the resident's answer: `v1:pr:<promise id>:y|n` -------------------------------------------
async def on_promise_answer(turn: Turn, press: Press) -> None:
    await turn.answer()
    await turn.drop_buttons()
    promise_id = int(press.arg(0)) if press.arg(0).isdigit() else 0
    kept = press.arg(1) == "y"
    result = await promises.answer_promise(turn.services, promise_id, turn.user_id, kept)
    await turn.say(answer_thanks(turn.tr, turn.services.site, result.outcome, result.ticket,
                                 kept))
