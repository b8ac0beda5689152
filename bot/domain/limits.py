"""Abuse controls, decided as plain values: how many requests a resident may open, how fast
their messages go to a partner's group, and whose message a group gets next.

A partner's group takes 20 messages a minute (Telegram's limit). Without limits one resident
could open request after request, or send thirty messages in a row, and every other resident's
card would wait behind them. So:

- requests: at most `requests_per_day` new requests in any 24 hours. An emergency is never
  limited: the 112 line is shown whatever the limit says (bot/render/limits.py), and an
  emergency category goes through.
- relays: at most `relays_per_minute` messages to a request in any 60 seconds. A message over
  the limit is never lost: it gets the first free moment (`relay_slot`) and goes out then, in
  the order it was written; the resident is told once that their messages arrive a little later.
- blocking (by a coordinator): nothing new of that resident is passed on.
- fairness in a group: a resident who had `BUSY` or more messages delivered to the group in the
  last minute goes after everyone who had fewer (`fair_order`); a request's own messages keep
  their order (the outbox keeps it: bot/store/outbox.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

REQUEST_WINDOW = timedelta(hours=24)
RELAY_WINDOW = timedelta(seconds=60)
# Messages to one group in the last minute from which a resident is "busy" there: a quarter of
# the group's 20 a minute. A card with its photos stays together; a flood goes after others.
BUSY = 5


class Refusal(StrEnum):
    """Why something a resident sent is not passed on now."""

    LIMITED = "limited"  # the requests of the last 24 hours are at the limit
    BLOCKED = "blocked"  # a coordinator blocked the resident


class Blocking(StrEnum):
    """What came of a coordinator's /block or /unblock."""

    DONE = "done"
    ALREADY = "already"  # /block: blocked before (the first block stays)
    NOT_BLOCKED = "not_blocked"  # /unblock: there was no block
    UNKNOWN = "unknown"  # no such request, or nobody behind it any more (erased)


@dataclass(frozen=True)
class Relay:
    """When a resident's message to a request goes out, and whether it waits for it."""

    at: datetime  # the moment the message may go to the group
    late: bool  # it waits: the limit of the last minute is reached
    tell: bool  # say so to the resident (the first message of a run that waits)


def request_refusal(*, blocked: bool, opened: int, per_day: int,
                    emergency: bool = False) -> Refusal | None:
    """Whether a new request may be made: `opened` requests in the last REQUEST_WINDOW."""
    if blocked:
        return Refusal.BLOCKED
    if not emergency and opened >= per_day:
        return Refusal.LIMITED
    return None


def relay_slot(previous: Sequence[tuple[datetime, bool]], now: datetime,
               per_minute: int) -> Relay:
    """The moment a resident's next message may go to the group.

    `previous`: their earlier messages, oldest first, as (the moment each was given to go out,
    whether it waited), at least the last `per_minute` of them. The message goes now unless
    `per_minute` of them fall in the window that would end then; else one window after the
    `per_minute`-th last, which keeps them in order and never more than `per_minute` in any
    RELAY_WINDOW. The resident is told when a message is the first of a run that waits: not
    when the one before it waited too and is not long past (they were told then)."""
    slots = [at for at, _ in previous]
    at = now
    if per_minute > 0 and len(slots) >= per_minute:
        at = max(now, slots[-per_minute] + RELAY_WINDOW)
    if slots:
        at = max(at, slots[-1])  # never before a message written earlier
    late = at > now
    told = bool(previous) and previous[-1][1] and previous[-1][0] >= now - RELAY_WINDOW
    return Relay(at, late, late and not told)


T = TypeVar("T")


def fair_order(candidates: Iterable[tuple[T, int | None, int]],
               recent: dict[int, int]) -> list[T]:
    """Which of a chat's candidates goes first: `(item, owner, position)` per candidate, where
    `owner` is the resident the item is about (None: nobody, never busy) and `position` its
    place in the queue (its id); `recent`: messages delivered to the chat per owner in the
    last minute. Owners under BUSY keep the queue's order; busy ones follow, the least busy
    first."""
    def key(entry: tuple[T, int | None, int]) -> tuple[int, int]:
        _, owner, position = entry
        count = recent.get(owner, 0) if owner is not None else 0
        return (count if count >= BUSY else 0, position)

    return [item for item, _, _ in sorted(candidates, key=key)]
