"""The two workflows, tickets and promises, as rules: every status against every action.

The rules are written out below in the words of the README (what staff and residents can do),
not copied from the tables in bot/domain. Each pair is checked twice: through `transition()`,
and through the store on a real SQLite file, where a refused move must write nothing and an
allowed one must write its event (and end the ticket's open promises when it hands the ticket
over, solves it or withdraws it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from itertools import product
from pathlib import Path

import pytest

from bot.domain import promises as promise_flow
from bot.domain.promises import IllegalPromiseTransition, Promise, PromiseAction, PromiseStatus
from bot.domain.tickets import ACTIVE, Action, IllegalTransition, Kind, NewTicket, Status, Ticket
from bot.domain.tickets import transition as ticket_transition
from bot.store import Store, due, promises
from bot.store.clock import SimClock
from bot.store.promises import PromiseCounts

# -- the rules in words ---------------------------------------------------------------------------
# For each status: what may happen to it and what it becomes. Nothing else may happen: every
# action not listed for a status is refused.
TICKET_RULES: dict[Status, dict[Action, Status]] = {
    # an open ticket can be claimed, handed over (it stays open, now waiting at the new partner)
    # or withdrawn; nothing else
    Status.OPEN: {Action.CLAIM: Status.CLAIMED, Action.TRANSFER: Status.OPEN,
                  Action.WITHDRAW: Status.WITHDRAWN},
    # a claimed ticket can be released (open again), handed over (open at the new partner),
    # solved or withdrawn; nothing else
    Status.CLAIMED: {Action.RELEASE: Status.OPEN, Action.TRANSFER: Status.OPEN,
                     Action.RESOLVE: Status.RESOLVED, Action.WITHDRAW: Status.WITHDRAWN},
    # a solved ticket waits for the resident: "helped" (or no answer) closes it, "not helped"
    # opens it again; it can still be withdrawn; nothing else (no hand-over once solved)
    Status.RESOLVED: {Action.CONFIRM: Status.CLOSED, Action.REOPEN: Status.OPEN,
                      Action.WITHDRAW: Status.WITHDRAWN},
    # closed and withdrawn tickets are done: nothing
    Status.CLOSED: {},
    Status.WITHDRAWN: {},
}
PROMISE_RULES: dict[PromiseStatus, dict[PromiseAction, PromiseStatus]] = {
    # an open promise ends once: the resident says yes (kept) or no (broken), does not answer
    # (unanswered), or the ticket leaves whoever promised (cancelled)
    PromiseStatus.OPEN: {PromiseAction.KEEP: PromiseStatus.KEPT,
                         PromiseAction.BREAK: PromiseStatus.BROKEN,
                         PromiseAction.EXPIRE: PromiseStatus.UNANSWERED,
                         PromiseAction.CANCEL: PromiseStatus.CANCELLED},
    # an ended promise stays as it ended: a late answer, a second answer or a cancellation
    # afterwards changes nothing
    PromiseStatus.KEPT: {},
    PromiseStatus.BROKEN: {},
    PromiseStatus.UNANSWERED: {},
    PromiseStatus.CANCELLED: {},
}
# handing over, solving and withdrawing leave nobody to keep a promise; the rest do not end it
ENDS_PROMISES = {Action.TRANSFER, Action.RESOLVE, Action.WITHDRAW}

TICKET_PAIRS = list(product(Status, Action))
PROMISE_PAIRS = list(product(PromiseStatus, PromiseAction))


# -- the pure tables ------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "action"), TICKET_PAIRS)
def test_every_ticket_status_and_action(status: Status, action: Action) -> None:
    expected = TICKET_RULES[status].get(action)
    if expected is None:
        with pytest.raises(IllegalTransition):
            ticket_transition(status, action)
    else:
        assert ticket_transition(status, action) == expected


@pytest.mark.parametrize(("status", "action"), PROMISE_PAIRS)
def test_every_promise_status_and_action(status: PromiseStatus, action: PromiseAction) -> None:
    expected = PROMISE_RULES[status].get(action)
    if expected is None:
        with pytest.raises(IllegalPromiseTransition):
            promise_flow.transition(status, action)
    else:
        assert promise_flow.transition(status, action) == expected


def test_a_resident_can_always_withdraw_an_active_ticket() -> None:
    """Erasing your data must never be refused by the workflow (bot/store/privacy.py)."""
    assert {ticket_transition(s, Action.WITHDRAW) for s in ACTIVE} == {Status.WITHDRAWN}


def test_every_status_can_be_reached_from_open() -> None:
    seen, todo = {Status.OPEN}, deque([Status.OPEN])
    while todo:
        status = todo.popleft()
        for action in Action:
            try:
                nxt = ticket_transition(status, action)
            except IllegalTransition:
                continue
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(Status)


def test_the_moves_that_end_promises() -> None:
    assert promise_flow.ENDS_PROMISES == ENDS_PROMISES


# -- through the store ----------------------------------------------------------------------------
# how a ticket gets to each status the way people get it there
PATH = {Status.OPEN: [], Status.CLAIMED: [Action.CLAIM],
        Status.RESOLVED: [Action.CLAIM, Action.RESOLVE],
        Status.CLOSED: [Action.CLAIM, Action.RESOLVE, Action.CONFIRM],
        Status.WITHDRAWN: [Action.WITHDRAW]}
ENDING = {PromiseStatus.KEPT: PromiseAction.KEEP, PromiseStatus.BROKEN: PromiseAction.BREAK,
          PromiseStatus.UNANSWERED: PromiseAction.EXPIRE,
          PromiseStatus.CANCELLED: PromiseAction.CANCEL}
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(tmp_path / "w.db", SimClock(NOW))
    await s.residents.set_language(1, "nl")
    yield s
    await s.close()


async def ticket_in(store: Store, status: Status, key: str = "k") -> Ticket:
    ticket, _ = await store.tickets.create(NewTicket(
        draft_key=key, resident_id=1, kind=Kind.NUISANCE, category="noise",
        partner_id="woningcorporatie", lang="nl", description="lawaai"))
    for action in PATH[status]:
        ticket = await store.tickets.apply(ticket.id, action, "staff:9")
    assert ticket.status == status
    return ticket


async def promise_on(store: Store, ticket: Ticket) -> Promise:
    async with store.db.transaction() as tx:
        return await promises.create(tx, ticket, NOW, kind="call", day=date(2026, 3, 3),
                                     part="morning", staff_id=9, staff_name="Jan")


async def promise_status(store: Store, promise: Promise) -> PromiseStatus:
    again = await store.promises.get(promise.id)
    assert again is not None
    return again.status


@pytest.mark.parametrize(("status", "action"), TICKET_PAIRS)
async def test_every_ticket_move_through_the_store(store: Store, status: Status,
                                                   action: Action) -> None:
    ticket = await ticket_in(store, status)
    promise = await promise_on(store, ticket)  # made just before the move
    history = await store.tickets.events(ticket.id)
    expected = TICKET_RULES[status].get(action)
    if expected is None:
        with pytest.raises(IllegalTransition):
            await store.tickets.apply(ticket.id, action, "staff:9", name="Jan")
        assert (await store.tickets.get(ticket.id)).status == status  # type: ignore[union-attr]
        assert await store.tickets.events(ticket.id) == history
        assert await promise_status(store, promise) == PromiseStatus.OPEN
        return
    after = await store.tickets.apply(ticket.id, action, "staff:9", name="Jan")
    assert after.status == expected
    assert (after.closed_at is not None) == (expected in (Status.CLOSED, Status.WITHDRAWN))
    new = [(e["event"], e.get("name")) for e in await store.tickets.events(ticket.id)]
    ends = action in ENDS_PROMISES
    assert new[len(history):] == [(action.value, "Jan"),
                                  *([("promise_cancelled", "Jan")] if ends else [])]
    assert await promise_status(store, promise) == (
        PromiseStatus.CANCELLED if ends else PromiseStatus.OPEN)


@pytest.mark.parametrize(("status", "action"), PROMISE_PAIRS)
async def test_every_promise_move_through_the_store(store: Store, status: PromiseStatus,
                                                    action: PromiseAction) -> None:
    promise = await promise_on(store, await ticket_in(store, Status.CLAIMED))
    async with store.db.transaction() as tx:
        if status in ENDING:
            await promises.apply(tx, promise.id, ENDING[status], NOW)
    expected = PROMISE_RULES[status].get(action)
    if expected is None:
        with pytest.raises(IllegalPromiseTransition):
            async with store.db.transaction() as tx:
                await promises.apply(tx, promise.id, action, NOW)
        assert await promise_status(store, promise) == status
        return
    async with store.db.transaction() as tx:
        moved = await promises.apply(tx, promise.id, action, NOW)
        assert await promises.open_promise(tx, promise.id) is None  # its reminders stay silent
    assert moved.status == expected == await promise_status(store, promise)


async def test_ending_a_tickets_promises_leaves_ended_ones_and_other_tickets_alone(
        store: Store) -> None:
    ticket = await ticket_in(store, Status.CLAIMED)
    kept, still_open = await promise_on(store, ticket), await promise_on(store, ticket)
    elsewhere = await promise_on(store, await ticket_in(store, Status.CLAIMED, key="other"))
    async with store.db.transaction() as tx:
        await promises.apply(tx, kept.id, PromiseAction.KEEP, NOW)
        await due.schedule(tx, NOW, kind="promise_check", ticket_id=ticket.id, due_at=NOW,
                           promise=still_open.id)
        cancelled = await promises.cancel_open(tx, ticket.id, NOW)
    assert [p.id for p in cancelled] == [still_open.id]
    assert await promise_status(store, kept) == PromiseStatus.KEPT
    assert await promise_status(store, elsewhere) == PromiseStatus.OPEN
    assert await store.due.due(NOW) == []  # the question about it is not asked
    assert await store.promises.counts() == {"woningcorporatie": PromiseCounts(kept=1)}
