"""Home visits (issue 12, sociaal renoveren): rounds, outcomes, and what a warm referral needs.

Pure Python: no telegram, no SQL, no config. A round belongs to a building and is done by one
partner; every visit of a home in it has an outcome; a visit where the resident was spoken to can
refer them to partners, each with a topic, a line of explanation and the resident's verbal
consent. Without consent nothing is passed on and the visit is a "signal without consent".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol


class RoundKind(StrEnum):
    BEFORE = "before"  # a year before the works: every home, signals passed on
    DURING = "during"
    AFTER = "after"  # the closing visit, with DOCK or Werk & Inkomen: the warm handover


class Outcome(StrEnum):
    SPOKEN = "spoken"
    NOT_HOME = "not_home"
    REFUSED = "refused"  # does not want to talk
    MOVED = "moved"
    EMPTY = "empty"


class Consent(StrEnum):
    VERBAL = "verbal"  # the resident said yes on the doorstep
    IMPORT = "import"  # assumed for a paper or spreadsheet import, and recorded as such


MAX_NOTES = 500
MAX_EXPLANATION = 300
MAX_ROUND_NAME = 40
MAX_REFERRALS = 5  # per visit: more than that is a case for the casusoverleg, not a doorstep


class CategoryInfo(Protocol):
    """A help category as the domain reads it (bot.config.Category has this shape)."""

    @property
    def id(self) -> str: ...
    @property
    def partner(self) -> str: ...
    @property
    def hidden(self) -> bool: ...


@dataclass(frozen=True)
class ReferralWish:
    """One partner the visitor wants to pass the resident on to."""

    partner_id: str
    topic: str
    explanation: str = ""
    consent: Consent | None = None  # None: the resident did not agree (nothing is passed on)


class VisitProblem(ValueError):
    """A visit that cannot be recorded as it is (the handler or importer says why)."""


def referrals_allowed(outcome: Outcome) -> bool:
    """Only a resident who was spoken to can agree to be passed on."""
    return outcome == Outcome.SPOKEN


def check_visit(outcome: Outcome, wishes: Sequence[ReferralWish]) -> None:
    """Raises VisitProblem when the referrals do not fit the visit."""
    if wishes and not referrals_allowed(outcome):
        raise VisitProblem("referrals need a resident who was spoken to")
    if len(wishes) > MAX_REFERRALS:
        raise VisitProblem(f"at most {MAX_REFERRALS} referrals per visit")
    partners = [w.partner_id for w in wishes if w.consent is not None]
    if len(set(partners)) != len(partners):
        raise VisitProblem("one referral per partner per visit")


def made(wishes: Iterable[ReferralWish]) -> list[ReferralWish]:
    """The referrals that are made: those the resident agreed to."""
    return [w for w in wishes if w.consent is not None]


def without_consent(wishes: Iterable[ReferralWish]) -> bool:
    """A referral was wanted but the resident did not agree: "signal without consent"."""
    return any(w.consent is None for w in wishes)


def help_topics(categories: Iterable[CategoryInfo], partner_id: str) -> list[str]:
    """The topics a visitor can pick for a partner: its own help categories that residents see,
    or, for a partner without any, every help category residents see."""
    shown = [c for c in categories if not c.hidden]
    own = [c.id for c in shown if c.partner == partner_id]
    return own or [c.id for c in shown]


def ticket_category(categories: Sequence[CategoryInfo], partner_id: str, topic: str) -> str:
    """The category of the help request a referral becomes: the topic when it is one of the
    site's help categories, else the partner's general help category."""
    if any(c.id == topic for c in categories):
        return topic
    return general_category(categories, partner_id)


def general_category(categories: Sequence[CategoryInfo], partner_id: str) -> str:
    """The partner's "something else" category (an id ending in _other), else its first one
    residents see, else any of its own, else the site's general one."""
    own = [c for c in categories if c.partner == partner_id]
    for group in ([c for c in own if not c.hidden], own,
                  [c for c in categories if not c.hidden], list(categories)):
        for c in group:
            if c.id.endswith("_other"):
                return c.id
        if group:
            return group[0].id
    raise VisitProblem("the site has no help categories")


# -- the house number a visitor types ------------------------------------------------------------
HOUSE_NUMBER = re.compile(r"^\s*(\d{1,5})\s*[-\s]?\s*([A-Za-z0-9]{0,4})\s*$")


def house_number(text: str) -> tuple[int, str] | None:
    """"12", "12a", "12-2", "12 bis": the number and the addition (may be empty)."""
    match = HOUSE_NUMBER.match(" ".join(text.translate(_DIGITS).split()))  # runs of spaces
    # as one: the pattern's three spaces in a row took seconds for a pasted line of them
    if not match:
        return None
    return int(match[1]), match[2]


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


# -- dates of a round --------------------------------------------------------------------------
DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}-\d{1,2}-\d{4}")


def parse_day(text: str) -> date:
    """2027-03-01 or 1-3-2027; raises ValueError."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    match = re.fullmatch(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})", text)
    if match:
        return date(int(match[3]), int(match[2]), int(match[1]))
    raise ValueError(f"{text!r} is not a date (use 2027-03-01 or 1-3-2027)")


def round_dates(text: str) -> tuple[date | None, date | None]:
    """"2027-03-01 2027-04-30" (or one date: the start); raises ValueError when the dates are
    not dates, or the end comes before the start."""
    found = DATE.findall(text)
    rest = re.sub(r"t/m|tot|to|until|[\s,.\-/]", "", DATE.sub("", text).lower())
    if not found or len(found) > 2 or rest:
        raise ValueError(f"{text!r}: type one or two dates, such as 2027-03-01 2027-04-30")
    days = [parse_day(x) for x in found]
    start, end = days[0], days[1] if len(days) > 1 else None
    if end is not None and end < start:
        raise ValueError("the round cannot end before it starts")
    return start, end


# -- import ---------------------------------------------------------------------------------------
def import_key(address: tuple[str, int, str], day: date, round_name: str, outcome: Outcome,
               partners: Sequence[str], notes: str) -> str:
    """The same row of the same file (or of a fixed copy) is the same visit: a hash of the
    normalised row, so a re-import changes nothing and posts nothing twice."""
    street, number, addition = address
    parts = [street.casefold(), str(number), addition.casefold(), day.isoformat(),
             " ".join(round_name.split()).casefold(), outcome.value, " ".join(sorted(partners)),
             " ".join(notes.split())]
    return "imp:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
