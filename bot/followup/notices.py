"""Renovation-day notices, through the same due rows as every reminder: a week before the first
day, the evening before each work day, and a change or cancellation at once. Never twice (one due
row per notice, with a dedupe key), caught up after downtime, quiet hours respected.

Every planned day gets its notices, whatever the time of the import: a day whose evening before
has passed but which has not ended yet is told at once, and a home whose first day is less than
a week away gets its first notice at once. What a notice says is decided when it is sent
(bot/followup/sweep.py), from the moment it will reach the resident: "tomorrow", "today" or the
date, or nothing when the day is over.

The contractor's notes are written in the planning's language (the site's default language).
A resident who reads another language gets a note machine translated at send time, like a
relay (bot/messaging/translating.py, cached per text and language): never held back by the
translator, marked "(not translated)" when the service fails and edited in when it is back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import aiosqlite

from bot.domain.planning import PLANNED, WorkDay
from bot.domain.policy import Policy
from bot.i18n import I18n, Translator
from bot.messaging.translating import relay_words
from bot.render.notices import NOTE, Notice, notice_text
from bot.store.due import cancel_work_day, replan, schedule
from bot.store.outbox import Method, enqueue
from bot.store.renovation import first_planned_day, residents_of

EVENING = time(18, 0)


def eve_of(policy: Policy, day: date) -> datetime:
    """When the evening-before notice of a work day on `day` is due."""
    return datetime.combine(day - timedelta(days=1), EVENING, tzinfo=policy.zone)


def week_before(policy: Policy, first: date) -> datetime:
    """When the week-before notice of a home whose first work day is `first` is due."""
    return datetime.combine(first - timedelta(days=7), EVENING, tzinfo=policy.zone)


def day_over(policy: Policy, wd: WorkDay) -> datetime:
    """The end of a work day's time window: from then on there is nothing to tell about it."""
    return datetime.combine(wd.day, wd.end, tzinfo=policy.zone)


async def plan_notices(tx: aiosqlite.Connection, now: datetime, policy: Policy, wd: WorkDay,
                       change: str | None) -> None:
    """(Re)schedule the evening-before notice of a work day (at once when that evening has
    passed but the day is not over); a change is told at once."""
    await cancel_work_day(tx, wd.id, "notice_eve")
    if wd.status == PLANNED and now < day_over(policy, wd):
        await replan(tx, now, kind="notice_eve", due_at=max(eve_of(policy, wd.day), now),
                     work_day=wd.id, day=wd.day.isoformat(), dedupe=f"eve:{wd.id}:{wd.day}")
    if change:
        await schedule(tx, now, kind="notice_change", due_at=now, work_day=wd.id, change=change,
                       dedupe=f"change:{wd.id}:{now.isoformat()}")


async def plan_week_notice(tx: aiosqlite.Connection, now: datetime, policy: Policy,
                           home_id: int) -> None:
    """The week-before notice of the home's first work day; with less than a week left, a first
    notice at once (the sweep words it with the true date, or leaves it to the evening-before
    notice when that is due by then)."""
    first = await first_planned_day(tx, home_id)
    if first is None or now >= eve_of(policy, first):
        return  # nothing planned, or the first day's evening-before notice is the first one
    await schedule(tx, now, kind="notice_week", due_at=max(week_before(policy, first), now),
                   home=home_id, first=first.isoformat(), dedupe=f"week:{home_id}:{first}")


async def tell_home(tx: aiosqlite.Connection, now: datetime, policy: Policy, i18n: I18n,
                    home_id: int, render: Callable[[Translator], Notice], dedupe: str) -> int:
    """Send a notice to every resident linked to a home, each in their own language; the
    contractor's note in it is translated when it is sent."""
    sent = 0
    for resident in await residents_of(tx, home_id):
        tr = i18n.get(resident.lang)
        notice = render(tr)
        payload: dict[str, Any] = {"text": notice_text(tr, notice),
                                   "reply_markup": notice.markup.to_dict()
                                   if notice.markup else None}
        if notice.note and tr.lang != i18n.default:
            payload["relay_words"] = relay_words(notice.text, notice.note, i18n.default,
                                                 tr.lang, None, staff=False, lead=NOTE)
        await enqueue(tx, now, chat_id=resident.user_id, method=Method.SEND, purpose="notice",
                      dedupe_key=f"{dedupe}:{resident.user_id}", due_at=policy.resident_time(now),
                      initiative=True, payload=payload)
        sent += 1
    return sent
