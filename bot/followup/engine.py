"""Follow-up hooks: called inside the transaction that changed a ticket, they set its deadlines
and schedule what must happen later as due rows (bot/store/due.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import aiosqlite

from bot.domain.policy import Policy
from bot.domain.tickets import Ticket
from bot.store import promises
from bot.store.due import cancel, schedule
from bot.store.tickets import mark_contacted, set_deadlines

TRANSFER_WAIT = timedelta(days=2)  # then the group hears that the resident has not answered

FEEDBACK = ("feedback_reminder", "feedback_close")


class FollowUps:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    async def on_created(self, tx: aiosqlite.Connection, ticket: Ticket, now: datetime) -> None:
        await self._deadlines(tx, ticket, now)
        await schedule(tx, now, kind="still_on_it", ticket_id=ticket.id,
                       due_at=now + self.policy.still_on_it_after())

    async def _deadlines(self, tx: aiosqlite.Connection, ticket: Ticket, start: datetime) -> None:
        d = self.policy.deadlines(ticket.category, start)
        await set_deadlines(tx, ticket.id, claim=d.claim, contact=d.contact, resolve=d.resolve)
        await schedule(tx, start, kind="claim_nudge", ticket_id=ticket.id, due_at=d.claim)
        await schedule(tx, start, kind="claim_escalate", ticket_id=ticket.id, due_at=d.escalate)
        # at the first-contact deadline; the sweep plans it again from the claim when the
        # request is picked up late (or is still waiting for someone then)
        await schedule(tx, start, kind="contact_reminder", ticket_id=ticket.id, due_at=d.contact)
        # no message: the card turns red when the resolve deadline passes
        await schedule(tx, start, kind="resolve_overdue", ticket_id=ticket.id, due_at=d.resolve)

    async def on_contact(self, tx: aiosqlite.Connection, ticket: Ticket, now: datetime) -> None:
        """Staff reached the resident (a reply, a quick reply, a promise)."""
        await mark_contacted(tx, ticket.id, now)

    async def on_resolved(self, tx: aiosqlite.Connection, ticket: Ticket, now: datetime) -> None:
        wait = self.policy.feedback_wait()
        await schedule(tx, now, kind="feedback_reminder", ticket_id=ticket.id, due_at=now + wait)
        await schedule(tx, now, kind="feedback_close", ticket_id=ticket.id, due_at=now + 2 * wait)

    async def on_answered(self, tx: aiosqlite.Connection, ticket: Ticket, now: datetime) -> None:
        await cancel(tx, ticket.id, *FEEDBACK)

    async def on_reopened(self, tx: aiosqlite.Connection, ticket: Ticket, now: datetime) -> None:
        """Not helped: the clock starts again, with fresh deadlines and nudges."""
        await cancel(tx, ticket.id, *FEEDBACK, "claim_nudge", "claim_escalate", "contact_reminder",
                     "resolve_overdue")
        await mark_contacted(tx, ticket.id, None)
        await self._deadlines(tx, ticket, now)

    async def on_transferred(self, tx: aiosqlite.Connection, ticket: Ticket,
                             now: datetime) -> None:
        """A new partner gets its own time to claim; the resolve deadline stays the resident's."""
        await cancel(tx, ticket.id, "claim_nudge", "claim_escalate")
        d = self.policy.deadlines(ticket.category, now)
        await set_deadlines(tx, ticket.id, claim=d.claim)
        await schedule(tx, now, kind="claim_nudge", ticket_id=ticket.id, due_at=d.claim)
        await schedule(tx, now, kind="claim_escalate", ticket_id=ticket.id, due_at=d.escalate)

    async def on_transfer_asked(self, tx: aiosqlite.Connection, ticket: Ticket, now: datetime,
                                ask_id: int) -> None:
        """The resident was asked whether a help request may go to another partner: if they
        have not answered in two days, the group hears it (the question never just hangs)."""
        await schedule(tx, now, kind="transfer_wait", ticket_id=ticket.id,
                       due_at=now + TRANSFER_WAIT, ask=ask_id)

    async def on_promise(self, tx: aiosqlite.Connection, ticket: Ticket, now: datetime, *,
                         kind: str, day: date, part: str, staff_id: int,
                         staff_name: str) -> int:
        promise_id = (await promises.create(tx, ticket, now, kind=kind, day=day, part=part,
                                            staff_id=staff_id, staff_name=staff_name)).id
        moment = datetime.combine(day, self.policy.site.followup.work_start,
                                  tzinfo=self.policy.zone)
        eve, morning, after = self.policy.promise_moments(moment, part)
        for kind_, due in (("promise_eve", eve), ("promise_day", morning)):
            if due > now:
                await schedule(tx, now, kind=kind_, ticket_id=ticket.id, due_at=due,
                               promise=promise_id)
        # the resident is always asked afterwards, even for a moment already behind us
        await schedule(tx, now, kind="promise_check", ticket_id=ticket.id,
                       due_at=max(after, now), promise=promise_id)
        await self.on_contact(tx, ticket, now)
        return promise_id
