"""Tickets: kinds, statuses and the one table of allowed status changes (workflow as data).

Pure Python: no telegram, no SQL. The store applies a transition only through `transition()`, so an
illegal move raises before anything is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    QUESTION = "question"
    NUISANCE = "nuisance"
    HELP = "help"


REF_PREFIX = {Kind.NUISANCE: "M", Kind.HELP: "H", Kind.QUESTION: "V"}


class Status(StrEnum):
    OPEN = "open"  # routed to a partner, waiting for someone to claim it
    CLAIMED = "claimed"  # one staff member has it
    RESOLVED = "resolved"  # staff say it is done; waiting for the resident's answer
    CLOSED = "closed"  # done
    WITHDRAWN = "withdrawn"  # the resident took it back or erased their data


class Action(StrEnum):
    CLAIM = "claim"
    RELEASE = "release"
    TRANSFER = "transfer"
    RESOLVE = "resolve"
    CONFIRM = "confirm"  # the resident says they were helped (or did not answer)
    REOPEN = "reopen"  # the resident says they were not helped
    WITHDRAW = "withdraw"


TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.OPEN, Action.CLAIM): Status.CLAIMED,
    (Status.OPEN, Action.TRANSFER): Status.OPEN,
    (Status.OPEN, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.CLAIMED, Action.RELEASE): Status.OPEN,
    (Status.CLAIMED, Action.TRANSFER): Status.OPEN,
    (Status.CLAIMED, Action.RESOLVE): Status.RESOLVED,
    (Status.CLAIMED, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.RESOLVED, Action.CONFIRM): Status.CLOSED,
    (Status.RESOLVED, Action.REOPEN): Status.OPEN,
    (Status.RESOLVED, Action.WITHDRAW): Status.WITHDRAWN,
}

ACTIVE = frozenset({Status.OPEN, Status.CLAIMED, Status.RESOLVED})


class IllegalTransition(ValueError):
    def __init__(self, status: Status, action: Action) -> None:
        super().__init__(f"cannot {action} a ticket that is {status}")
        self.status = status
        self.action = action


def transition(status: Status, action: Action) -> Status:
    """The status after `action`, or IllegalTransition when the table does not allow it."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(status, action) from None


def format_ref(kind: Kind | str, number: int) -> str:
    return f"{REF_PREFIX[Kind(kind)]}-{number:04d}"


@dataclass(frozen=True)
class Attachment:
    type: str  # "photo" | "voice"
    file_id: str

    def to_json(self) -> dict[str, str]:
        return {"type": self.type, "file_id": self.file_id}


@dataclass(frozen=True)
class Ticket:
    id: int
    ref: str
    resident_id: int | None
    kind: Kind
    category: str
    partner_id: str
    description: str
    attachments: tuple[Attachment, ...]
    building: str | None
    location: str | None
    anonymous: bool
    first_name: str | None
    contact: str | None
    phone: str | None
    contact_lang: str | None
    lang: str
    status: Status
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    claimed_by: int | None = None
    claimed_name: str | None = None
    pseudonym: str | None = None
    claim_due: datetime | None = None
    contact_due: datetime | None = None
    resolve_due: datetime | None = None
    contacted_at: datetime | None = None
    resident_notified_at: datetime | None = None  # the bot's last own message (one a day)
    resident_news_at: datetime | None = None  # the last message of any kind about it
    description_lang: str | None = None  # see NewTicket


@dataclass
class NewTicket:
    """What a resident flow hands to the store to create a ticket."""

    draft_key: str
    resident_id: int | None  # None: a referral after a home visit to a home nobody linked
    kind: Kind
    category: str
    partner_id: str
    lang: str
    description: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    building: str | None = None
    location: str | None = None
    anonymous: bool = False
    first_name: str | None = None
    contact: str | None = None
    phone: str | None = None
    contact_lang: str | None = None
    # the description's language when not the resident's own words (the bot wrote it)
    description_lang: str | None = None

    def attachments_json(self) -> str:
        return json.dumps([a.to_json() for a in self.attachments])
