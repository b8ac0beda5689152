"""Renovation-day notices, through the same due rows as every reminder: a week before the first
day, the evening before each work day, and a change or cancellation at once. Never twice (one due
row per notice, with a dedupe key), caught up after downtime, quiet hours respected.

The contractor's notes are written in the planning's language (the site's default language).
A resident who reads another language gets a note machine translated at send time, like a
relay (bot/messaging/translating.py, cached per text and language): never held back by the
translator, marked "(not translated)" when the service fails and edited in when it is back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import aiosqlite

from bot.domain.planning import PLANNED, WorkDay
from bot.domain.policy import Policy
from bot.i18n import I18n, Translator
from bot.messaging.translating import relay_words
from bot.render.notices import NOTE, Notice, notice_text
from bot.store.due import cancel_work_day, schedule
from bot.store.outbox import Method, enqueue
from bot.store.renovation import first_planned_day, residents_of

EVENING = time(18, 0)


async def plan_notices(tx: aiosqlite.Connection, now: datetime, policy: Policy, wd: WorkDay,
                       change: str | None) -> None:
    """(Re)schedule the evening-before notice of a work day; a change is told at once."""
    await cancel_work_day(tx, wd.id, "notice_eve")
    if wd.status == PLANNED:
        eve = datetime.combine(wd.day - timedelta(days=1), EVENING, tzinfo=policy.zone)
        if eve > now:
            await schedule(tx, now, kind="notice_eve", due_at=eve, work_day=wd.id,
                           day=wd.day.isoformat(), dedupe=f"eve:{wd.id}:{wd.day}")
    if change:
        await schedule(tx, now, kind="notice_change", due_at=now, work_day=wd.id, change=change,
                       dedupe=f"change:{wd.id}:{now.isoformat()}")


async def plan_week_notice(tx: aiosqlite.Connection, now: datetime, policy: Policy,
                           home_id: int) -> None:
    first = await first_planned_day(tx, home_id)
    if first is None:
        return
    due = datetime.combine(first - timedelta(days=7), EVENING, tzinfo=policy.zone)
    if due > now:
        await schedule(tx, now, kind="notice_week", due_at=due, home=home_id,
                       first=first.isoformat(), dedupe=f"week:{home_id}:{first}")


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
