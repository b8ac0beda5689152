"""Follow-up policy from the site config: the working week, deadlines, and when residents may be
messaged. Pure: no telegram, no SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.site import PolicySite
from bot.domain.worktime import WorkWeek, add_hours

DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
PARTS = {"morning": (9, 12), "afternoon": (12, 17), "evening": (17, 21)}
ONE_DAY = timedelta(days=1)
# A message a person caused that is older than this when it can finally go (the bot or Telegram
# was down) is no longer "just now": in quiet hours it waits for the morning like the bot's own.
FRESH = timedelta(minutes=15)


@dataclass(frozen=True)
class ToResident:
    """How a message to a resident goes now: held until `hold_until`, or sent (silently in quiet
    hours, as Telegram apps expect of a message at night)."""

    hold_until: datetime | None = None
    silent: bool = False


@dataclass(frozen=True)
class Deadlines:
    claim: datetime
    escalate: datetime  # twice the claim time: the coordinator is told
    contact: datetime
    resolve: datetime


class Policy:
    def __init__(self, site: PolicySite) -> None:
        f = site.followup
        self.site = site
        self.zone = site.zone
        self.week = WorkWeek(site.zone, frozenset(DAYS[d] for d in f.work_days), f.work_start,
                             f.work_end, frozenset(f.extra_holidays))

    def deadlines(self, category: str, start: datetime) -> Deadlines:
        rule = self.site.deadline_rule(category)
        cal = rule.calendar
        return Deadlines(
            claim=add_hours(start, rule.claim, self.week, calendar=cal),
            escalate=add_hours(start, 2 * rule.claim, self.week, calendar=cal),
            contact=add_hours(start, rule.first_contact, self.week, calendar=cal),
            resolve=add_hours(start, rule.resolve, self.week, calendar=cal),
        )

    def contact_time(self, category: str, claimed_at: datetime) -> datetime:
        """When the claimer of a request claimed at `claimed_at` is reminded to contact the
        resident, counted from the claim: the hours the rule gives between claiming and first
        contact (the whole first-contact time when it gives none)."""
        rule = self.site.deadline_rule(category)
        hours = rule.first_contact - rule.claim
        return add_hours(claimed_at, hours if hours > 0 else rule.first_contact, self.week,
                         calendar=rule.calendar)

    def contact_reminder_at(self, category: str, deadline: datetime,
                            claimed_at: datetime) -> datetime:
        """The "no contact yet" reminder: at the first-contact deadline, or, for a request
        claimed so late that the claimer would get less time than the rule gives, that long
        after the claim (a request claimed after its deadline is not reminded the moment it is
        picked up, nor never)."""
        return max(deadline, self.contact_time(category, claimed_at))

    def staff_time(self, moment: datetime) -> datetime:
        """Staff are nudged only inside working hours."""
        return self.week.next_working_moment(moment)

    def resident_time(self, moment: datetime) -> datetime:
        """Nothing bot-initiated between quiet_start and quiet_end: it waits for the morning."""
        f = self.site.followup
        local = moment.astimezone(self.zone)
        t = local.time()
        if f.quiet_start <= f.quiet_end:  # a quiet period within one day
            quiet = f.quiet_start <= t < f.quiet_end
            day = local.date()
        else:  # across midnight, the usual case (21:00-08:00)
            quiet = t >= f.quiet_start or t < f.quiet_end
            day = local.date() + ONE_DAY if t >= f.quiet_start else local.date()
        if not quiet:
            return moment
        return datetime.combine(day, f.quiet_end, tzinfo=self.zone)

    def to_resident(self, now: datetime, *, initiative: bool,
                    created_at: datetime | None) -> ToResident:
        """Quiet hours hold the bot's own initiatives (reminders, notices, broadcasts) until the
        morning. What a person caused just now (a staff reply, a claim, a handover) goes at once,
        silently; what waited out a downtime keeps the morning rule."""
        morning = self.resident_time(now)
        if morning <= now:
            return ToResident()
        stale = created_at is None or now - created_at > FRESH
        if initiative or stale:
            return ToResident(hold_until=morning)
        return ToResident(silent=True)

    def still_on_it_after(self) -> timedelta:
        return timedelta(days=self.site.followup.still_on_it_days)

    def feedback_wait(self) -> timedelta:
        return timedelta(hours=self.site.followup.feedback_reminder_hours)

    def promise_moments(self, day: datetime, part: str) -> tuple[datetime, datetime, datetime]:
        """(reminder the working day before, reminder that morning, ask the resident after)."""
        d = day.astimezone(self.zone).date()
        start = self.site.followup.work_start
        eve = datetime.combine(self.week.previous_workday(d), start, tzinfo=self.zone)
        morning = datetime.combine(d, start, tzinfo=self.zone)
        end_hour = PARTS[part][1]
        after = datetime.combine(d, start, tzinfo=self.zone).replace(hour=end_hour) \
            + timedelta(hours=1)
        return eve, morning, self.resident_time(after)
