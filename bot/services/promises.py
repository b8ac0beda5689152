"""Promises: staff promise the resident a call or a visit on a day and a part of the day, and
the resident answers afterwards whether it happened.

The promise, its reminders and the question afterwards are scheduled by the follow-ups
(bot/followup/engine.py) in the transaction that records it; a promise moves only through its
own workflow table (bot/domain/promises.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain.casework import Actor, Outcome, refusal
from bot.domain.policy import PARTS
from bot.domain.promises import Promise, PromiseAction, PromiseStatus
from bot.domain.tickets import Status, Ticket
from bot.render import casework as texts
from bot.render.followup import promise_told
from bot.services.casework import Result
from bot.store import promises as stored
from bot.store.tickets import fetch, find, record

if TYPE_CHECKING:  # only the type: Services lives with the handlers' context
    from bot.context import Services


async def make_promise(services: Services, ticket_id: int, actor: Actor, kind: str, day: date,
                       part: str) -> Result:
    """`kind` "call" or "visit", `part` "morning", "afternoon" or "evening". Only on a picked-up
    request, and never for a moment already over."""
    notifier, now = services.notifier, services.clock()
    local = now.astimezone(services.site.zone)
    async with services.store.db.transaction() as tx:
        ticket = await fetch(tx, ticket_id)
        refused = refusal(ticket, actor, Status.CLAIMED)
        if refused is not None:
            return Result(refused, ticket)
        if day < local.date():
            return Result(Outcome.DAY_PASSED, ticket)
        if day == local.date() and local.hour >= PARTS[part][1]:  # that part of today is over
            return Result(Outcome.TIME_PASSED, ticket)
        told = promise_told(notifier, ticket, kind, day, part)
        ticket = await record(tx, ticket.id, actor.key, "promise", now, name=actor.first_name,
                              kind=kind, day=day.isoformat(), part=part)
        await services.followups.on_promise(tx, ticket, now, kind=kind, day=day, part=part,
                                            staff_id=actor.user_id, staff_name=actor.first_name)
        await notifier.to_resident(tx, now, ticket, told)
        await notifier.to_group(tx, now, ticket, actor.chat_id,
                                texts.promise_saved(notifier, actor.chat_id, ticket, day, part))
    return Result(Outcome.DONE, ticket)


def _settled(status: PromiseStatus) -> Outcome:
    """A cancelled promise (the request was handed over, solved or withdrawn since the
    question) is no longer the resident's to answer: the button is just old."""
    return Outcome.OLD if status == PromiseStatus.CANCELLED else Outcome.ANSWERED


async def answer_promise(services: Services, promise_id: int, resident_id: int,
                         kept: bool) -> Result:
    """The resident's answer to "Did they call/visit you?", through the promise workflow; a
    repeated or old tap writes nothing. A broken promise is told to the partner and the
    coordinator in the same transaction."""
    now = services.clock()
    async with services.store.db.transaction() as tx:
        promise = await stored.get(tx, promise_id)
        ticket = await find(tx, promise.ticket_id) if promise else None
        if promise is None or ticket is None or ticket.resident_id != resident_id:
            return Result(Outcome.OLD, ticket)
        if promise.status != PromiseStatus.OPEN:
            return Result(_settled(promise.status), ticket)
        ticket = await record(tx, ticket.id, "resident",
                              "promise_kept" if kept else "promise_broken", now,
                              promise=promise_id)
        await stored.apply(tx, promise.id, PromiseAction.KEEP if kept else PromiseAction.BREAK,
                           now)
        if not kept:
            await _broken(services, tx, now, ticket, promise)
    return Result(Outcome.DONE, ticket)


async def _broken(services: Services, tx: aiosqlite.Connection, now: datetime, t: Ticket,
                  promise: Promise) -> None:
    notifier = services.notifier
    await notifier.to_partner(tx, now, t, texts.promise_broken(notifier, t, promise))
    await notifier.to_coordinator(tx, now, t, texts.promise_broken_alarm(notifier, t),
                                  markup=await services.sweeper.card_link(t))
