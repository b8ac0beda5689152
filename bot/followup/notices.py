"""Renovation-day notices, through the same due rows as every reminder: a week before the first
day, the evening before each work day, and a change or cancellation at once. Never twice (one due
row per notice, with a dedupe key), caught up after downtime, quiet hours respected."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.planning import PLANNED, WorkDay
from bot.domain.policy import Policy
from bot.i18n import N_, I18n, Translator
from bot.render.callbacks import WORK_DAY, pack
from bot.store.due import cancel_work_day, schedule
from bot.store.outbox import enqueue
from bot.store.renovation import first_planned_day, residents_of
from bot.store.renovation import work_day as work_day  # the sweep reads notices' days here

EVENING = time(18, 0)
PREPARE = {
    "kitchen": N_("Please empty the kitchen cupboards and the worktop."),
    "bathroom": N_("Please take your things out of the bathroom."),
    "toilet": N_("Please clear the toilet room."),
    "windows": N_("Please clear the window sills and take down the curtains."),
    "electrics": N_("Please make the meter cupboard and the sockets easy to reach."),
    "heating": N_("Please clear the space around the radiators."),
    "other": N_("The workers will tell you what to prepare."),
}
ANSWERS = ("ok", "away", "help", "rest")


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
                    home_id: int, render: object, dedupe: str) -> int:
    """Send a notice to every resident linked to a home, each in their own language."""
    sent = 0
    for resident in await residents_of(tx, home_id):
        text, markup = render(i18n.get(resident.lang))  # type: ignore[operator]
        await enqueue(tx, now, chat_id=resident.user_id, method="send", purpose="notice",
                      dedupe_key=f"{dedupe}:{resident.user_id}", due_at=policy.resident_time(now),
                      initiative=True,
                      payload={"text": text,
                               "reply_markup": markup.to_dict() if markup else None})
        sent += 1
    return sent


def window(tr: Translator, wd: WorkDay) -> str:
    return tr.insert(f"{tr.time(wd.start)}–{tr.time(wd.end)}")


def eve_notice(tr: Translator, wd: WorkDay, work: str
               ) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = ["🔨 " + tr._("Tomorrow, {date}, the workers come for: {work}. Time: {window}.",
                         date=tr.date(wd.day, "full"), work=work, window=window(tr, wd)),
             tr._(PREPARE.get(wd.work, PREPARE["other"]))]
    if wd.notes:
        lines.append(tr.insert(wd.notes))
    return "\n".join(lines), answer_buttons(tr, wd.id)


def answer_buttons(tr: Translator, work_day_id: int) -> InlineKeyboardMarkup:
    labels = {"ok": "👍 " + tr._("OK"), "away": "🚪 " + tr._("I am not home that day"),
              "help": "💪 " + tr._("I need help (for example moving furniture)"),
              "rest": "🛋️ " + tr._("I need a place to rest during the works")}
    return InlineKeyboardMarkup([[InlineKeyboardButton(labels[a], callback_data=pack(
        WORK_DAY, work_day_id, a))] for a in ANSWERS])


def change_notice(tr: Translator, wd: WorkDay, work: str
                  ) -> tuple[str, InlineKeyboardMarkup | None]:
    if wd.status == "cancelled":
        return "❌ " + tr._("Change in your renovation: {work} on {date} does not happen.",
                           work=work, date=tr.date(wd.day, "full")), None
    return "⚠️ " + tr._("Change in your renovation: {work} is now on {date}. Time: {window}.",
                       work=work, date=tr.date(wd.day, "full"),
                       window=window(tr, wd)), answer_buttons(tr, wd.id)


def week_notice(tr: Translator, first: date) -> tuple[str, None]:
    return "📅 " + tr._("In one week, on {date}, the works in your home start. You get a "
                       "message the evening before each work day.",
                       date=tr.date(first, "full")), None
