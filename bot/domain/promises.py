"""Promises to residents ("I will call", "We will visit"): statuses and the one table of allowed
status changes, like the tickets' workflow (bot/domain/tickets.py).

Pure Python: no telegram, no SQL. The store changes a promise's status only through
`transition()`, so an illegal move raises before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.tickets import Action


class PromiseStatus(StrEnum):
    OPEN = "open"  # made; the day may still be ahead, or the resident has not answered yet
    KEPT = "kept"  # the resident says it happened
    BROKEN = "broken"  # the resident says it did not
    UNANSWERED = "unanswered"  # asked twice, no answer
    CANCELLED = "cancelled"  # the ticket moved on (handed over, solved, withdrawn) first


class PromiseAction(StrEnum):
    KEEP = "keep"  # the resident answers yes
    BREAK = "break"  # the resident answers no
    EXPIRE = "expire"  # the resident did not answer the question or its one reminder
    CANCEL = "cancel"  # the ticket left the hands of whoever promised


TRANSITIONS: dict[tuple[PromiseStatus, PromiseAction], PromiseStatus] = {
    (PromiseStatus.OPEN, PromiseAction.KEEP): PromiseStatus.KEPT,
    (PromiseStatus.OPEN, PromiseAction.BREAK): PromiseStatus.BROKEN,
    (PromiseStatus.OPEN, PromiseAction.EXPIRE): PromiseStatus.UNANSWERED,
    (PromiseStatus.OPEN, PromiseAction.CANCEL): PromiseStatus.CANCELLED,
}

# A promise is one partner's (one staff member's) word about this ticket: once the ticket is
# handed over, solved or withdrawn, nobody is left to keep it, and asking "Did DOCK call you?"
# about Woningcorporatie's promise would be wrong. A release keeps the ticket with the partner
# that promised, so its promises stand.
ENDS_PROMISES = frozenset({Action.TRANSFER, Action.RESOLVE, Action.WITHDRAW})


class IllegalPromiseTransition(ValueError):
    def __init__(self, status: PromiseStatus, action: PromiseAction) -> None:
        super().__init__(f"cannot {action} a promise that is {status}")
        self.status = status
        self.action = action


def transition(status: PromiseStatus, action: PromiseAction) -> PromiseStatus:
    """The status after `action`, or IllegalPromiseTransition when the table does not allow it."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalPromiseTransition(status, action) from None


@dataclass(frozen=True)
class Promise:
    id: int
    ticket_id: int
    partner_id: str  # the partner whose staff member promised (a transfer does not move it)
    kind: str  # call | visit
    day: date
    part: str  # morning | afternoon | evening
    staff_id: int
    staff_name: str
    status: PromiseStatus
