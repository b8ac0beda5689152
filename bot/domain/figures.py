"""The coordinator's figures (issue 12 §2): the sums and their rules. Pure: no I/O; numpy
adds up the requests column by column (100,000 in a few hundredths of a second).

- Percentages are rounded half up to whole numbers (12.5 -> 13, 0.5 -> 1), as the partners
  report them, with Decimal so no binary fraction tips a half the wrong way.
- A totals row adds the counts; its percentages are computed from those sums, never by adding
  or averaging the rows' percentages.
- An export that leaves the coordinator group shows a count from 1 to 4 as "<5", and a
  percentage computed from such a count (above or below the line) as "*"; 0 is shown, it
  identifies nobody. `exact` (the coordinator's own use, and /figures in the coordinator group)
  shows every count.
- Durations are in working hours (the site's week, holidays and hours: bot/domain/worktime.py),
  median and p90 (the nearest rank: the smallest value with at least 90% of them at or below).
- "First response": the first time staff reached the resident (a reply, a quick reply or a
  promise; the moment bot/followup/engine.py `on_contact` marks), from the moment the request
  came in. "Resolution": from the moment it came in to its last "resolve" (a request reopened
  counts until it was solved again).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from bot.domain.site import PolicySite
from bot.domain.worktime import WorkWeek

MASK = "<5"  # a count from 1 to 4, in an export
PCT_MASK = "*"  # a percentage that would give such a count away
SMALL = 5  # counts from 1 to SMALL - 1 are masked in exports
DIGEST_KIND = "figures_digest"  # its due row (bot/followup/sweep.py)
DIGEST_WEEKDAY = 0  # Monday
DIGEST_AT = time(9, 0)
Cell = int | float | str | None  # a count, hours, a label or "<5"; None: nothing to show
NEVER = -1  # a moment that did not happen (a request nobody claimed yet)
Moments = npt.NDArray[np.int64]
Hours = npt.NDArray[np.float64]


def half_up(value: Decimal | int | float, places: int = 0) -> Decimal:
    """`value` rounded half up to `places` decimals (a float goes through its repr)."""
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> int | None:
    """`part` as a whole percentage of `whole`, half up; None when there is no whole."""
    if whole <= 0:
        return None
    return int(half_up(Decimal(part) * 100 / Decimal(whole)))


def is_small(count: int) -> bool:
    return 0 < count < SMALL


def count_cell(count: int, exact: bool) -> int | str:
    return count if exact or not is_small(count) else MASK


def percent_cell(part: int, whole: int, exact: bool) -> int | str | None:
    """A percentage; masked when either count it comes from is masked; None: no whole."""
    if not exact and (is_small(part) or is_small(whole)):
        return PCT_MASK
    return percent(part, whole)


def median(values: Sequence[float] | Hours) -> float | None:
    ordered = _sorted(values)
    if not len(ordered):
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return float(ordered[middle - 1] + ordered[middle]) / 2


def p90(values: Sequence[float] | Hours) -> float | None:
    """The nearest-rank 90th percentile: at least 90% of the values are at or below it."""
    ordered = _sorted(values)
    if not len(ordered):
        return None
    return float(ordered[max(math.ceil(0.9 * len(ordered)) - 1, 0)])


def _sorted(values: Sequence[float] | Hours) -> Hours:
    ordered = np.asarray(values, dtype=np.float64)
    if len(ordered) > 1 and not bool(np.all(ordered[:-1] <= ordered[1:])):
        ordered = np.sort(ordered)
    return ordered


@dataclass(frozen=True)
class Spread:
    """Working hours: how many there are, their median and p90."""

    n: int = 0
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, hours: Sequence[float] | Hours) -> Spread:
        ordered = np.sort(np.asarray(hours, dtype=np.float64))  # sorted once for both
        return cls(len(ordered), median(ordered), p90(ordered))


class WorkClock:
    """Working time between two moments, fast enough for 100,000 requests: each moment (Unix
    seconds) becomes the working seconds since a fixed day on the local wall clock, so a
    duration is one subtraction. Agrees with WorkWeek.add_working_hours (tests/test_figures.py).

    The zone's offset is taken once per UTC day (at its noon). Around a clock change that can
    put a night-time moment an hour off, which changes nothing: outside working hours the
    count stands still, and an office day never starts or ends at 2 a.m."""

    def __init__(self, week: WorkWeek) -> None:
        self.week = week
        self.start = _seconds(week.start)
        self.length = max(_seconds(week.end) - self.start, 0)
        self._anchor: int | None = None  # the day counted from (fixed once chosen)
        self._first = 0  # the UTC day (since 1970) the tables start at
        self._offsets: list[int] = []  # per UTC day: the zone's offset, in seconds
        self._work: list[bool] = []  # per local day: a working day?
        self._before: list[int] = []  # per local day: working seconds before it
        self._offset_table: Moments = np.zeros(0, dtype=np.int64)
        self._work_table: npt.NDArray[np.bool_] = np.zeros(0, dtype=np.bool_)
        self._before_table: Moments = np.zeros(0, dtype=np.int64)

    def _cover(self, low: int, high: int) -> None:
        """Make the tables reach from UTC day `low` to `high` (a day either side to spare)."""
        low, high = low - 1, high + 1
        if self._offsets and self._first <= low and high < self._first + len(self._offsets):
            return
        if self._offsets:
            low, high = min(low, self._first), max(high, self._first + len(self._offsets) - 1)
        epoch, zone = date(1970, 1, 1), self.week.zone
        if self._anchor is None:
            self._anchor = low
        self._first = low
        self._offsets, self._work, self._before = [], [], []
        done = 0
        for day in range(low, high + 1):
            noon = datetime.fromtimestamp(day * 86400 + 43200, zone)
            self._offsets.append(int((noon.utcoffset() or timedelta(0)).total_seconds()))
            working = self.week.is_workday(epoch + timedelta(days=day))
            self._work.append(working)
            self._before.append(done)
            done += self.length if working else 0
        # counted from the anchor, so what was worked out before a table grew stays valid
        base = self._before[self._anchor - low]
        self._offset_table = np.array(self._offsets, dtype=np.int64)
        self._work_table = np.array(self._work, dtype=np.bool_)
        self._before_table = np.array(self._before, dtype=np.int64) - base

    def worked_array(self, moments: Moments) -> Moments:
        """The working seconds up to each moment (Unix seconds), from the clock's anchor."""
        if not len(moments):
            return np.zeros(0, dtype=np.int64)
        self._cover(int(moments.min()) // 86400, int(moments.max()) // 86400)
        first = self._first
        # the local day can be the UTC day's neighbour: the tables hold one to spare
        local = moments + self._offset_table[moments // 86400 - first]
        day = local // 86400 - first
        into = np.clip(local % 86400 - self.start, 0, self.length)
        done: Moments = self._before_table[day] + np.where(self._work_table[day], into, 0)
        return done

    def worked(self, moment: int) -> int:
        """Working seconds from the clock's anchor day up to `moment` (Unix seconds)."""
        return int(self.worked_array(np.array([moment], dtype=np.int64))[0])

    def hours(self, start: int, end: int) -> float:
        """Working hours from `start` to `end` (0 when end is not after start)."""
        return max(self.worked(end) - self.worked(start), 0) / 3600


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


# -- what is asked ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """Which figures: requests that came in, and visits made, from `first_day` to `last_day`
    (local dates, both included; None: no bound), in one building or one round (whose building
    also narrows the requests and the reach)."""

    first_day: date | None = None
    last_day: date | None = None
    building: str | None = None
    round_id: int | None = None

    def bounds(self, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
        """The period as moments: from the first day's midnight to the midnight after the last."""
        since = (datetime.combine(self.first_day, time(0), tzinfo=zone)
                 if self.first_day else None)
        until = (datetime.combine(self.last_day + timedelta(days=1), time(0), tzinfo=zone)
                 if self.last_day else None)
        return since, until


def digest_week(monday: date) -> Scope:
    """The casusoverleg digest of `monday` is about the seven days before it."""
    return Scope(first_day=monday - timedelta(days=7), last_day=monday - timedelta(days=1))


def digest_key(monday: date) -> str:
    """The due row's dedupe key: one digest per Monday, however often it is planned."""
    return f"{DIGEST_KIND}:{monday.isoformat()}"


def last_digest(now: datetime, zone: ZoneInfo) -> date:
    """The Monday of the latest Monday 09:00 at or before `now`: a digest sent late (after a
    downtime, or a Monday off) is about the latest whole week, and sent once."""
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - DIGEST_WEEKDAY) % 7)
    if datetime.combine(day, DIGEST_AT, tzinfo=zone) > now:
        day -= timedelta(days=7)
    return day


def next_digest(now: datetime, zone: ZoneInfo) -> datetime:
    """The first Monday 09:00 (the site's zone) after `now`."""
    local = now.astimezone(zone)
    day = local.date() + timedelta(days=(DIGEST_WEEKDAY - local.weekday()) % 7)
    moment = datetime.combine(day, DIGEST_AT, tzinfo=zone)
    if moment <= now:
        moment = datetime.combine(day + timedelta(days=7), DIGEST_AT, tzinfo=zone)
    return moment.astimezone(UTC)


# -- what the store found --------------------------------------------------------------------
@dataclass(frozen=True)
class RoundCounts:
    """One visit round: its building's homes, and what the visits in the period found."""

    round_id: int
    building: str
    name: str
    homes: int
    visited: int
    spoken: int
    referrals: dict[str, int] = field(default_factory=dict)  # partner id -> referrals

    @property
    def referred(self) -> int:
        return sum(self.referrals.values())


@dataclass(frozen=True)
class RequestRows:
    """The requests in scope, one list entry per request (columns, so 100,000 stay cheap).
    Moments are Unix seconds; NEVER: it did not happen."""

    kind: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    partner: list[str] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    first_response: list[int] = field(default_factory=list)
    first_claim: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Outcomes:
    """How one partner's requests went: escalations to the coordinator, requests reopened
    (at least once), and the answers to "were you helped?" (yes, no, no answer)."""

    escalations: int = 0
    reopened: int = 0
    yes: int = 0
    no: int = 0
    silent: int = 0


@dataclass(frozen=True)
class PromiseTally:
    kept: int = 0
    broken: int = 0
    unanswered: int = 0


@dataclass(frozen=True)
class ReachCounts:
    building: str
    homes: int
    linked: int  # homes with at least one linked resident
    by_lang: dict[str, int] = field(default_factory=dict)  # homes with a resident of that lang


@dataclass(frozen=True)
class ClaimRule:
    """A category's claim deadline: hours, counted on the working week or the calendar."""

    hours: float
    calendar: bool = False


@dataclass(frozen=True)
class FigureRules:
    """What the sums take from the site: the working week, each category's claim deadline,
    and the partners in the site's order."""

    week: WorkWeek
    claim: Callable[[str], ClaimRule]
    order: tuple[str, ...]

    @classmethod
    def of(cls, site: PolicySite, week: WorkWeek, order: Iterable[str]) -> FigureRules:
        def claim(category: str) -> ClaimRule:
            rule = site.deadline_rule(category)
            return ClaimRule(rule.claim, rule.calendar)

        return cls(week, claim, tuple(order))


# -- the sums ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PartnerFigures:
    """The requests of one partner (the one that has each request now), or of all of them."""

    partner_id: str  # "" for the total
    requests: int = 0
    first_response: Spread = Spread()
    resolution: Spread = Spread()
    claim_decided: int = 0  # claimed, or not claimed and past the claim deadline
    claimed_in_time: int = 0
    promises: PromiseTally = PromiseTally()
    outcomes: Outcomes = Outcomes()

    @property
    def helped_asked(self) -> int:
        o = self.outcomes
        return o.yes + o.no + o.silent


@dataclass(frozen=True)
class Figures:
    scope: Scope
    rounds: list[RoundCounts]
    partners: list[PartnerFigures]
    total: PartnerFigures
    kinds: dict[str, int]
    categories: dict[tuple[str, str], int]  # (kind, category) -> requests
    reach: list[ReachCounts]

    def referral_partners(self, order: Iterable[str]) -> list[str]:
        """The partners that had referrals, in the site's order (unknown ids last)."""
        seen = {p for r in self.rounds for p in r.referrals}
        known = [p for p in order if p in seen]
        return known + sorted(seen - set(known))


def tally_requests(rows: RequestRows, promises: dict[str, PromiseTally],
                   outcomes: dict[str, Outcomes], clock: WorkClock, rules: FigureRules,
                   now: datetime) -> tuple[list[PartnerFigures], PartnerFigures]:
    """Per partner (those with requests, promises or outcomes, in the site's order), and the
    total: its counts are the partners' counts added up, its spreads those of every request.
    Column by column (numpy): this runs over every request of the period, 100,000 or more."""
    created = np.asarray(rows.created, dtype=np.int64)
    start = clock.worked_array(created)
    answered, answered_at = _worked(clock, rows.first_response)
    solved, solved_at = _worked(clock, rows.resolved)
    claimed, claim_worked = _worked(clock, rows.first_claim)
    claim_at = np.asarray(rows.first_claim, dtype=np.int64)
    at_now = unix(now)
    names = sorted(set(rows.category))
    number = {c: i for i, c in enumerate(names)}
    category = np.array([number[c] for c in rows.category], dtype=np.int64)
    rule = [rules.claim(c) for c in names]
    calendar = np.array([r.calendar for r in rule], dtype=np.bool_)[category]
    limit = np.array([r.hours * 3600 for r in rule], dtype=np.float64)[category]
    # the time taken to claim (so far, when nobody has), on the category's own clock
    spent = np.where(calendar, np.where(claimed, claim_at, at_now) - created,
                     np.where(claimed, claim_worked, clock.worked(at_now)) - start)
    decided = claimed | (spent > limit)
    in_time = claimed & (spent <= limit)
    response = np.maximum(answered_at - start, 0) / 3600
    resolution = np.maximum(solved_at - start, 0) / 3600
    present = set(rows.partner) | set(promises) | set(outcomes)
    ids = [p for p in rules.order if p in present] + sorted(present - set(rules.order))
    code = {p: i for i, p in enumerate(ids)}
    partners = np.array([code[p] for p in rows.partner], dtype=np.int64)

    def figures(partner_id: str, mask: npt.NDArray[np.bool_], told: PromiseTally,
                went: Outcomes) -> PartnerFigures:
        return PartnerFigures(
            partner_id, int(mask.sum()), Spread.of(response[mask & answered]),
            Spread.of(resolution[mask & solved]), int((mask & decided).sum()),
            int((mask & in_time).sum()), told, went)

    out = [figures(p, partners == code[p], promises.get(p, PromiseTally()),
                   outcomes.get(p, Outcomes())) for p in ids]
    told = PromiseTally(*(sum(column) for column in zip(
        *(astuple(f.promises) for f in out), strict=True))) if out else PromiseTally()
    went = Outcomes(*(sum(column) for column in zip(
        *(astuple(f.outcomes) for f in out), strict=True))) if out else Outcomes()
    return out, figures("", np.ones(len(created), dtype=np.bool_), told, went)


def _worked(clock: WorkClock, column: list[int]) -> tuple[npt.NDArray[np.bool_], Moments]:
    """Which moments happened, and their working seconds (0 where they did not)."""
    moments = np.asarray(column, dtype=np.int64)
    happened = moments != NEVER
    worked = np.zeros(len(moments), dtype=np.int64)
    worked[happened] = clock.worked_array(moments[happened])
    return happened, worked


# -- the casusoverleg digest ---------------------------------------------------------------------
@dataclass(frozen=True)
class OpenCases:
    """A partner's requests still open or picked up now: how many, and since when the oldest
    waits (no references, no names: a count and an age)."""

    partner_id: str
    count: int
    oldest: datetime


@dataclass(frozen=True)
class Digest:
    monday: date
    figures: Figures  # of the week before
    open_cases: list[OpenCases]
    broken: dict[str, int]  # partner -> promises reported broken in the week
    escalations: dict[str, int]  # partner -> escalations in the week


def age_days(since: datetime, now: datetime) -> int:
    return max((now - since).days, 0)

