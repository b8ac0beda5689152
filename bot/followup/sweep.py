"""The sweep: handles every due row whose time has come, and the daily overdue digests.

Each row is handled in one transaction with the messages it causes (they go to the outbox), so it
fires once. A row can also defer itself: staff nudges wait for working hours, resident messages for
the morning, and residents never get more than one bot-initiated message a day about one ticket.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from html import escape
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain.figures import DIGEST_KIND, FigureRules, digest_key, last_digest
from bot.domain.planning import WorkDay
from bot.domain.promises import PromiseAction
from bot.domain.tickets import ACTIVE, Action, Status, Ticket
from bot.followup import notices
from bot.followup.engine import FollowUps
from bot.i18n import Translator
from bot.messaging.notify import Notifier
from bot.render import broadcast as broadcast_texts
from bot.render import casework as casework_texts
from bot.render import figures as figure_texts
from bot.render import followup as texts
from bot.render import notices as notice_texts
from bot.render.chart import chart
from bot.render.labels import work_label
from bot.render.notices import Notice
from bot.store import Store, asks, broadcasts, promises
from bot.store import figures as figure_store
from bot.store.clock import Clock, iso
from bot.store.due import DueRow, claimed_at, defer, finish, question_waiting, schedule
from bot.store.outbox import Method, enqueue
from bot.store.overview import first_digest_of_day, overdue_of
from bot.store.renovation import first_planned_day, work_day
from bot.store.tickets import add_event, fetch, move

if TYPE_CHECKING:  # only for annotations: the markup is built in bot/render/
    from telegram import InlineKeyboardMarkup

log = logging.getLogger(__name__)
Outcome = datetime | None  # None: done; a datetime: try again then
Handler = Callable[["Sweeper", aiosqlite.Connection, DueRow, Ticket, datetime],
                   Awaitable[Outcome]]
ONE_DAY = timedelta(days=1)
BROKEN_ROW_WAIT = timedelta(hours=1)  # a row whose handler failed (logged) is tried again


class Sweeper:
    def __init__(self, store: Store, notifier: Notifier, followups: FollowUps,
                 clock: Clock) -> None:
        self.store = store
        self.notifier = notifier
        self.followups = followups
        self.policy = followups.policy
        self.clock = clock
        self._digests_sent_on: str | None = None  # the digests table is the record; this saves
        # a write transaction per partner in every 30-second sweep once today's are out

    async def run(self) -> int:
        now = self.clock()
        rows = await self.store.due.due(now)
        for row in rows:
            try:
                await self._one(row, now)
            except Exception:  # one broken row must not hold up every reminder behind it
                log.exception("due row %s (%s) failed; trying again later", row.id, row.kind)
                async with self.store.db.transaction() as tx:
                    await defer(tx, row.id, now + BROKEN_ROW_WAIT)
        await self._digests(now)
        return len(rows)

    async def _one(self, row: DueRow, now: datetime) -> None:
        async with self.store.db.transaction() as tx:
            outcome = await self._handle(tx, row, now)
            if outcome is None:
                await finish(tx, row.id, now)
            else:
                await defer(tx, row.id, outcome)

    async def _handle(self, tx: aiosqlite.Connection, row: DueRow, now: datetime) -> Outcome:
        """The row's handler by its kind (HANDLERS for a ticket's rows, ROW_HANDLERS for the
        rest); a kind nobody handles any more, or a ticket that is gone, ends the row."""
        if row.kind in ROW_HANDLERS:
            return await ROW_HANDLERS[row.kind](self, tx, row, now)
        handler = HANDLERS.get(row.kind)
        if handler is None or row.ticket_id is None:
            log.warning("due row %s has kind %r, which nothing handles: ended", row.id, row.kind)
            return None
        try:
            ticket = await fetch(tx, row.ticket_id)
        except LookupError:
            return None
        return await handler(self, tx, row, ticket, now)

    # -- helpers ---------------------------------------------------------------------------
    def staff_wait(self, now: datetime) -> Outcome:
        moment = self.policy.staff_time(now)
        return moment if moment > now else None

    def resident_wait(self, ticket: Ticket, now: datetime) -> Outcome:
        """Quiet hours, and at most one bot-initiated message a day about this ticket."""
        moment = self.policy.resident_time(now)
        last = ticket.resident_notified_at
        if last is not None and last + ONE_DAY > moment:
            moment = self.policy.resident_time(last + ONE_DAY)
        return moment if moment > now else None

    async def card_link(self, ticket: Ticket) -> InlineKeyboardMarkup | None:
        chat = self.notifier.partner_chat(ticket)
        thread = await self.store.threads.get(ticket.id, chat)
        if thread is None or thread.card_id is None:
            return None
        tr = self.notifier.group_tr(self.notifier.coordinator_chat)
        return texts.card_link(tr, ticket, chat, thread.thread_id, thread.card_id)

    # -- digests -----------------------------------------------------------------------------
    async def _digests(self, now: datetime) -> None:
        local = now.astimezone(self.policy.zone)
        site = self.notifier.site
        f = site.followup
        if (not self.policy.week.is_workday(local.date()) or local.time() < f.digest_at
                or local.time() >= f.work_end):  # a late start waits for the next morning
            return
        day = local.date().isoformat()
        if self._digests_sent_on == day:
            return
        for partner in site.partners:
            if partner.id == site.coordinator:
                continue
            async with self.store.db.transaction() as tx:
                if not await first_digest_of_day(tx, partner.id, day):
                    continue  # today's digest was already sent
                await self._digest(tx, partner.id, partner.chat_id, now)
        self._digests_sent_on = day

    async def _digest(self, tx: aiosqlite.Connection, partner_id: str, chat_id: int,
                      now: datetime) -> None:
        overdue = await overdue_of(tx, partner_id, now)
        if not overdue:
            return
        tr = self.notifier.group_tr(chat_id)
        lines = ["📋 " + tr.ngettext("{n} request is overdue:", "{n} requests are overdue:",
                                    len(overdue))]
        for late in overdue[:30]:
            who = late.claimed_name or tr._("nobody has it")
            due_text = tr._("due {date}", date=tr.date(late.due, "medium"))
            lines.append(f"• #{escape(late.ref)} · {escape(due_text)} · {escape(who)}")
        await self.notifier.to_group(tx, now, None, chat_id, "\n".join(lines), html=True)


# -- handlers, one per kind of due row ---------------------------------------------------------
async def claim_nudge(s: Sweeper, tx: aiosqlite.Connection, row: DueRow, t: Ticket,
                      now: datetime) -> Outcome:
    if t.status != Status.OPEN:
        return None
    if wait := s.staff_wait(now):
        return wait
    await s.notifier.to_partner(tx, now, t, texts.claim_nudge(s.notifier, t))
    await s.notifier.refresh_cards(tx, now, t)
    return None


async def claim_escalate(s: Sweeper, tx: aiosqlite.Connection, row: DueRow, t: Ticket,
                         now: datetime) -> Outcome:
    if t.status != Status.OPEN:
        return None
    if wait := s.staff_wait(now):
        return wait
    await s.notifier.to_coordinator(tx, now, t, texts.escalation(s.notifier, t),
                                    markup=await s.card_link(t))
    await add_event(tx, t.id, "system", "escalated", iso(now), reason="unclaimed")
    return None


async def contact_reminder(s: Sweeper, tx: aiosqlite.Connection, row: DueRow, t: Ticket,
                           now: datetime) -> Outcome:
    """"No contact yet", to the claimer: planned from the claim, so a request picked up late
    (or released and picked up again) still gets it, with the claimer's own time to call."""
    if t.contacted_at is not None or t.status not in (Status.OPEN, Status.CLAIMED):
        return None
    if t.status == Status.OPEN:
        # Nobody has it (yet, or again): nothing to remind anyone of. Whoever claims it from
        # now on is reminded no earlier than a claim made now would be: look again then.
        return s.policy.contact_time(t.category, now)
    claimed = await claimed_at(tx, t.id)
    if claimed is not None:
        due = s.policy.contact_reminder_at(t.category, t.contact_due or row.due_at, claimed)
        if due > now:
            return due
    if wait := s.staff_wait(now):
        return wait
    await s.notifier.to_partner(tx, now, t, texts.contact_reminder(s.notifier, t), html=True)
    return None


async def resolve_overdue(s: Sweeper, tx: aiosqlite.Connection, row: DueRow, t: Ticket,
                          now: datetime) -> Outcome:
    if t.status in (Status.OPEN, Status.CLAIMED):
        await s.notifier.refresh_cards(tx, now, t)
    return None


async def still_on_it(s: Sweeper, tx: aiosqlite.Connection, row: DueRow, t: Ticket,
                now: datetime) -> Outcome:
    if t.status not in (Status.OPEN, Status.CLAIMED):
        return None if t.status not in ACTIVE else now + s.policy.still_on_it_after()
    last = t.resident_news_at or t.created_at  # a staff reply is news too
    if last + s.policy.still_on_it_after() > now:
        return last + s.policy.still_on_it_after()
    # "still on it" gives way to a question the resident is waiting for (one message a day)
    if await question_waiting(tx, t.id, now + ONE_DAY):
        return now + s.policy.still_on_it_after()
    if wait := s.resident_wait(t, now):
        return wait
    await s.notifier.remind_resident(tx, now, t, texts.still_on_it(s.notifier, t))
    return now + s.policy.still_on_it_after()


async def feedback_reminder(s: Sweeper, tx: aiosqlite.Connection, row: DueRow, t: Ticket,
                            now: datetime) -> Outcome:
    if t.status != Status.RESOLVED:
        return None
    if wait := s.resident_wait(t, now):
        return wait
    await s.notifier.remind_resident(tx, now, t, texts.feedback_again(s.notifier, t),
                                     texts.feedback_markup(s.notifier, t))
    return None


async def feedback_close(s: Sweeper, tx: aiosqlite.Connection, row: DueRow, t: Ticket,
                         now: datetime) -> Outcome:
    if t.status != Status.RESOLVED:
        return None
    # no answer counts as helped: the same move as the resident's "yes", marked as unanswered
    closed = await move(tx, t, Action.CONFIRM, "system", now, answer="none")
    await s.notifier.refresh_cards(tx, now, closed)
    await s.notifier.to_partner(tx, now, closed, texts.closed_unanswered(s.notifier, closed))
    return None


async def promise_reminder(s: Sweeper, tx: aiosqlite.Connection, row: DueRow, t: Ticket,
                           now: datetime) -> Outcome:
    promise = await promises.open_promise(tx, int(row.data.get("promise", 0)))
    if promise is None or t.status not in ACTIVE:
        return None
    if wait := s.staff_wait(now):
        return wait
    today = now.astimezone(s.policy.zone).date()
    if promise.day < today:
        return None  # the promised day has passed (downtime): the resident is asked instead
    text = texts.promise_reminder(s.notifier, t, promise, today=today)
    await s.notifier.to_partner(tx, now, t, text, html=True)
    return None


async def promise_check(s: Sweeper, tx: aiosqlite.Connection, row: DueRow, t: Ticket,
                        now: datetime) -> Outcome:
    promise_id = int(row.data.get("promise", 0))
    promise = await promises.open_promise(tx, promise_id)
    if promise is None or t.resident_id is None:
        return None  # answered, expired or cancelled (handed over, solved, withdrawn) meanwhile
    if row.kind == "promise_expire":
        await promises.apply(tx, promise_id, PromiseAction.EXPIRE, now)
        await add_event(tx, t.id, "system", "promise_unanswered", iso(now), promise=promise_id)
        return None
    if wait := s.resident_wait(t, now):
        return wait
    await s.notifier.remind_resident(tx, now, t, texts.promise_question(s.notifier, t, promise),
                                     texts.promise_markup(s.notifier, t, promise_id))
    if row.kind == "promise_check":  # at most one gentle reminder, then "no answer"
        await schedule(tx, now, kind="promise_nudge", ticket_id=t.id, due_at=now + ONE_DAY,
                       promise=promise_id)
        await schedule(tx, now, kind="promise_expire", ticket_id=t.id,
                       due_at=now + 2 * ONE_DAY, promise=promise_id)
    return None


# -- handlers of rows about a home or a broadcast, not a ticket ----------------------------------
async def week_notice(s: Sweeper, tx: aiosqlite.Connection, row: DueRow,
                      now: datetime) -> Outcome:
    """A week before a home's first work day, worded for the moment it reaches the residents
    (late after a downtime or a late planning: the date, or "tomorrow"). Not sent when that
    day is no longer the first, or when its evening-before notice is due by then (it tells
    the same, and more)."""
    home = int(str(row.data["home"]))
    first = date.fromisoformat(str(row.data["first"]))
    if await first_planned_day(tx, home) != first:
        return None  # moved or cancelled since: the new first day has a row of its own
    arrival = s.policy.resident_time(now)
    if arrival >= notices.eve_of(s.policy, first):
        return None
    days = (first - arrival.astimezone(s.policy.zone).date()).days
    await notices.tell_home(tx, now, s.policy, s.notifier.i18n, home,
                            lambda tr: notice_texts.week_notice(tr, first, days),
                            f"week:{row.id}")
    return None


async def day_notice(s: Sweeper, tx: aiosqlite.Connection, row: DueRow, now: datetime) -> Outcome:
    """The evening before a work day, or a change to one (told at once)."""
    wd = await work_day(tx, int(str(row.data.get("work_day", 0))))
    if wd is None:
        return None
    if row.kind == "notice_eve":
        if wd.status != "planned" or wd.day.isoformat() != row.data.get("day"):
            return None  # moved or cancelled since: that change was told separately
        # worded for when it reaches the residents (held for quiet hours, or late after a
        # downtime): "tomorrow" on the evening before, "today" on the day until it is over
        arrival = s.policy.resident_time(now)
        if arrival >= notices.day_over(s.policy, wd):
            return None  # the day is over: nothing true left to tell
        arrives_on = arrival.astimezone(s.policy.zone).date()
        eve = notices.eve_of(s.policy, wd.day)
        if arrives_on < eve.date():
            return eve  # rows are planned for that evening; "tomorrow" would be untrue before
        today = arrives_on == wd.day

        def render(tr: Translator, wd: WorkDay, work: str) -> Notice:
            return notice_texts.eve_notice(tr, wd, work, today=today)
    else:
        render = notice_texts.change_notice
    await notices.tell_home(tx, now, s.policy, s.notifier.i18n, wd.home_id,
                            lambda tr: render(tr, wd, work_label(tr, wd.work)), f"wd:{row.id}")
    return None


async def broadcast_progress(s: Sweeper, tx: aiosqlite.Connection, row: DueRow,
                             now: datetime) -> Outcome:
    broadcast_id = int(str(row.data.get("broadcast", 0)))
    where = await broadcasts.sender_of(tx, broadcast_id)
    if where is None:
        return None
    p = await broadcasts.progress(tx, broadcast_id)
    tr = s.notifier.group_tr(where.chat_id)
    if p.pending:
        text = "📣 " + tr._("Announcement: {sent} of {total} sent.", sent=p.sent, total=p.total)
    else:
        text = "✅ " + tr._("Announcement done: {sent} delivered, {failed} could not be "
                           "delivered.", sent=p.sent, failed=p.failed)
        await broadcasts.mark_done(tx, broadcast_id, now)
    await s.notifier.to_group(tx, now, None, where.chat_id, text)
    if not p.pending:
        return None
    # the next report a minute on, or, when the rest waits for the morning, a minute after that
    return max(now, p.resumes_at or now) + broadcasts.PROGRESS_EVERY


async def broadcast_waiting(s: Sweeper, tx: aiosqlite.Connection, row: DueRow,
                            now: datetime) -> Outcome:
    """An announcement still waiting for a second person: remind after a day, lapse after a
    week, unsent, telling its group and the coordinator group (planned by
    bot/services/broadcast.py propose)."""
    notifier, broadcast_id = s.notifier, int(str(row.data["broadcast"]))
    current = await broadcasts.fetch(tx, broadcast_id)
    if current is None or not current.waiting:  # approved or stopped meanwhile
        return None
    chats = dict.fromkeys([current.chat_id, notifier.coordinator_chat])
    composer = current.composed_name or "?"
    if row.data["stage"] == "lapse":
        if await broadcasts.stop(tx, broadcast_id, now, by=broadcasts.LAPSED_BY, name=""):
            for chat_id in chats:
                await notifier.to_group(tx, now, None, chat_id, broadcast_texts.lapsed_text(
                    notifier.group_tr(chat_id), composer))
        return None
    lapses = datetime.fromisoformat(str(row.data["lapses"]))
    for chat_id in chats:  # the buttons again, under the reminder
        tr = notifier.group_tr(chat_id)
        await notifier.to_group(tx, now, None, chat_id,
                                broadcast_texts.reminder_text(tr, composer, tr.date(lapses)),
                                markup=broadcast_texts.approval_markup(tr, broadcast_id))
    return None


async def transfer_wait(s: Sweeper, tx: aiosqlite.Connection, row: DueRow, t: Ticket,
                        now: datetime) -> Outcome:
    """Two days after "may we pass it on?": still no answer, so the group is told."""
    ask = await asks.get(tx, int(row.data["ask"]))
    if ask is None or ask.answer is not None or t.status not in ACTIVE:
        return None
    if wait := s.staff_wait(now):
        return wait
    await s.notifier.to_partner(tx, now, t, casework_texts.transfer_unanswered(
        s.notifier, t, ask.to_partner))
    return None


async def card_translate(s: Sweeper, tx: aiosqlite.Connection, row: DueRow, t: Ticket,
                         now: datetime) -> Outcome:
    """A card went out untranslated while the service was down: edit it, translating again."""
    await s.notifier.refresh_card(tx, now, t, int(row.data["chat"]), int(row.data["attempt"]))
    return None


async def text_translate(s: Sweeper, tx: aiosqlite.Connection, row: DueRow,
                         now: datetime) -> Outcome:
    """A relay or a notice went out untranslated while the service was down: translate it
    again and edit the translation in (a notice has no ticket)."""
    await s.notifier.edit_relay(tx, now, row.ticket_id, int(row.data["chat"]),
                                int(row.data["of"]), int(row.data["message"]),
                                int(row.data["attempt"]))
    return None


async def figures_digest(s: Sweeper, tx: aiosqlite.Connection, row: DueRow,
                         now: datetime) -> Outcome:
    """Monday 09:00, the casusoverleg digest in the coordinator group, with the chart; then
    the next Monday's is planned. Late (a downtime, a Monday off) it is sent once, about the
    latest whole week, and the next is planned from now: never a pile of old digests."""
    if wait := s.staff_wait(now):
        return wait
    site, chat, zone = s.notifier.site, s.notifier.coordinator_chat, s.policy.zone
    monday = last_digest(now, zone)
    rules = FigureRules.of(site, s.policy.week, [p.id for p in site.partners])
    digest = await figure_store.digest(tx, monday, rules, now)
    tr = s.notifier.group_tr(chat)
    for i, text in enumerate(figure_texts.digest(tr, site, digest, now)):
        await s.notifier.to_group(tx, now, None, chat, text, html=True,
                                  dedupe=f"{digest_key(monday)}:{i}")
    png = chart(tr, site, digest.figures, figure_texts.scope_text(tr, site, digest.figures, None))
    await enqueue(tx, now, chat_id=chat, method=Method.FILE, purpose="group",
                  dedupe_key=f"{digest_key(monday)}:chart",
                  payload={"kind": "photo", "png": base64.b64encode(png).decode()})
    await figure_store.plan_next_digest(tx, now, zone)
    return None


# Every kind of due row and what handles it: rows about a ticket, then rows about a home or a
# broadcast (the sweep looks a row up by its kind in one of these two tables).
HANDLERS: dict[str, Handler] = {
    "claim_nudge": claim_nudge,
    "claim_escalate": claim_escalate,
    "contact_reminder": contact_reminder,
    "resolve_overdue": resolve_overdue,
    "still_on_it": still_on_it,
    "feedback_reminder": feedback_reminder,
    "feedback_close": feedback_close,
    "promise_eve": promise_reminder,
    "promise_day": promise_reminder,
    "promise_check": promise_check,
    "promise_nudge": promise_check,
    "promise_expire": promise_check,
    "card_translate": card_translate,
    "transfer_wait": transfer_wait,
}
RowHandler = Callable[["Sweeper", aiosqlite.Connection, DueRow, datetime], Awaitable[Outcome]]
ROW_HANDLERS: dict[str, RowHandler] = {
    "notice_week": week_notice,
    "notice_eve": day_notice,
    "notice_change": day_notice,
    "bc_progress": broadcast_progress,
    broadcasts.WAITING_KIND: broadcast_waiting,
    "text_translate": text_translate,
    DIGEST_KIND: figures_digest,
}
