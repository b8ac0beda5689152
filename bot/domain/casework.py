"""Who may do what with a request, and what can come of trying. Pure: no telegram, no SQL.

The services decide with these inside their transaction (bot/services/casework.py); the card's
menus ask the same questions of the ticket they just read, so a menu and the write agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.tickets import TRANSITIONS, Action, Status, Ticket


@dataclass(frozen=True)
class Actor:
    """A staff member acting on a request, as plain values taken from the update."""

    user_id: int
    first_name: str
    chat_id: int  # the group the press or message came from
    coordinator: bool  # that group is the coordinator's

    @property
    def key(self) -> str:
        """How the event history names them."""
        return f"staff:{self.user_id}"


class Outcome(StrEnum):
    DONE = "done"
    ALREADY_YOURS = "already_yours"  # a claim by the one who has it (a double tap)
    TAKEN = "taken"  # a claim when someone else has it, or it is past claiming
    CHANGED = "changed"  # the request is no longer where the button was made for
    NOT_OWNER = "not_owner"  # only the claimer or the coordinator may
    CLOSED = "closed"  # a message for a request that is over: nobody gets it
    NO_CHAT = "no_chat"  # a message for a resident the bot has no chat with (a referral)
    DAY_PASSED = "day_passed"  # a date in the past (a button pressed days later)
    TIME_PASSED = "time_passed"  # today, but that part of the day is over
    OLD = "old"  # a resident's button that is not theirs, or no longer theirs to answer
    ANSWERED = "answered"  # a resident's question answered before
    ASKED = "asked"  # the resident is asked first (a help request to another partner)


def may(ticket: Ticket, action: Action) -> bool:
    """Whether the workflow table allows `action` on the ticket as it is."""
    return (ticket.status, action) in TRANSITIONS


def owner_or_coordinator(ticket: Ticket, actor: Actor) -> bool:
    return ticket.claimed_by == actor.user_id or actor.coordinator


def refusal(ticket: Ticket, actor: Actor, status: Status, *,
            owner: bool = False) -> Outcome | None:
    """Why `actor` may not act on a ticket that should be in `status` (and, with `owner`, be
    theirs unless they speak for the coordinator); None when they may."""
    if ticket.status != status:
        return Outcome.CHANGED
    if owner and not owner_or_coordinator(ticket, actor):
        return Outcome.NOT_OWNER
    return None


def answer_claims(ticket: Ticket) -> bool:
    """Whoever answers an open request first has it: a reply is also a claim."""
    return ticket.status == Status.OPEN


def holder(ticket: Ticket | None) -> str:
    """The name of whoever has the request, as staff are told it."""
    return ticket.claimed_name if ticket is not None and ticket.claimed_name else "?"
