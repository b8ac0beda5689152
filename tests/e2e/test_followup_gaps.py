"""Follow-ups and notices without gaps (issue 13 §5), each found across simulated days with
restarts: the "no contact yet" reminder of a request claimed late, notices that say what is
true when they arrive, the notices of a planning imported late, and messages that go at once
however the outbox worker is busy.

The renovation tests play in February and March 2026 (Amsterdam; no DST change before 29
March): the kitchen of Zambesidreef 12-B is done on Tuesday 3 March, 08:00-16:00.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from bot.config import SiteConfig
from bot.messaging.delivery import IDLE_WAIT, Delivery
from bot.store.clock import SimClock as Clock
from bot.store.outbox import Method, enqueue
from bot.testing.harness import BotHarness, ResidentChat
from tests.e2e.test_notices import AMS, link, plan
from tests.test_followup_week import (
    WONEN,
    Recorder,
    at,
    bot,
    card,
    chat_of,
    claim,
    contact_reminder,
    mentions,
    nl,
    report,
    walk,
)

KITCHEN = "Zambesidreef 12-B,2026-03-03,08:00,16:00,kitchen,\n"
TOILET = "Zambesidreef 12-B,2026-03-05,08:00,12:00,toilet,\n"
WORK_DAY = date(2026, 3, 3)


def moment(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMS)


# == 1. the "no contact yet" reminder is planned from the claim ==================================
def reminders(rec: Recorder, h: BotHarness, ticket: Any, name: str) -> list[tuple[datetime, str]]:
    return [(s.when, s.text) for s in rec.take()
            if s.chat_id == chat_of(h, WONEN) and s.text == contact_reminder(h, ticket, name)]


async def test_a_request_claimed_after_its_contact_deadline_is_still_reminded(
        tmp_path: Path, site: SiteConfig) -> None:
    """Claimed only on Wednesday 11:00, after the first-contact deadline (Wednesday 10:00),
    with a restart in between: Jan gets the claimer's 8 working hours (16 to contact, minus 8
    to claim), so the reminder comes on Thursday 11:00, once."""
    clock = Clock(at(2, 10))  # Monday
    db = tmp_path / "bot.db"
    async with bot(db, site, clock) as h:
        mehmet = await h.onboard("Mehmet", "tr")
        t = await report(mehmet, "tr")
        assert t.contact_due == at(4, 10)
        rec = Recorder(h.fake)
        await walk(h, clock, at(4, 10, 30))  # nudged and escalated, nobody has it
        assert reminders(rec, h, t, "Jan") == []
        fake = h.fake
    clock.set(at(4, 11))  # the bot was down for half an hour
    async with bot(db, site, clock, fake) as h:
        rec = Recorder(h.fake)
        jan = h.staff(WONEN, "Jan")
        await claim(h, jan, t)
        await walk(h, clock, at(5, 10, 45))
        assert reminders(rec, h, t, "Jan") == []  # not the moment it is picked up
        await walk(h, clock, at(9, 17))
        seen = [s for s in rec.take() if s.text == contact_reminder(h, t, "Jan")]
        assert [s.when for s in seen] == [at(5, 11)]
        assert mentions(seen[0].msg, jan.person.id, "Jan")


async def test_released_and_picked_up_again_the_new_claimer_is_reminded(
        tmp_path: Path, site: SiteConfig) -> None:
    """Jan claims in time and lets go; at the deadline nobody has it. Els picks it up on
    Thursday 9:30: she is reminded 8 working hours later (Thursday 17:00 is the end of the
    day: Friday 9:30), and Jan is never reminded."""
    clock = Clock(at(2, 10))
    async with bot(tmp_path / "bot.db", site, clock) as h:
        rec = Recorder(h.fake)
        t = await report(await h.onboard("Sanne", "nl"), "nl")
        jan, els = h.staff(WONEN, "Jan"), h.staff(WONEN, "Els")
        await claim(h, jan, t)
        await jan.press(card(h, t), "↩️ " + nl(h)._("Release"))
        await walk(h, clock, at(5, 9, 30))
        await claim(h, els, t)
        await walk(h, clock, at(9, 17))
        seen = [s for s in rec.take() if s.chat_id == chat_of(h, WONEN)
                and "#" + t.ref + ":" in s.text and s.text.startswith("⏰ ")]
        assert [(s.when, s.text) for s in seen] == [(at(6, 9, 30),
                                                     contact_reminder(h, t, "Els"))]


async def test_picked_up_just_before_the_deadline_the_claimer_still_gets_time(
        tmp_path: Path, site: SiteConfig) -> None:
    """Claimed on Wednesday 9:45, a quarter of an hour before the first-contact deadline: the
    reminder is not a quarter of an hour later, but 8 working hours after the claim."""
    clock = Clock(at(2, 10))
    async with bot(tmp_path / "bot.db", site, clock) as h:
        rec = Recorder(h.fake)
        t = await report(await h.onboard("Piet", "nl"), "nl")
        await walk(h, clock, at(4, 9, 45))
        await claim(h, h.staff(WONEN, "Jan"), t)
        await walk(h, clock, at(9, 17))
        assert reminders(rec, h, t, "Jan") == [(at(5, 9, 45), contact_reminder(h, t, "Jan"))]


# == 2. notices say what is true when they arrive ================================================
def eve_text(h: BotHarness, lang: str, *, today: bool, hours: tuple[int, int] = (8, 16)
             ) -> str:
    tr = h.tr(lang)
    values = {"date": tr.date(WORK_DAY, "full"), "work": tr._("kitchen"),
              "window": tr.insert(f"{tr.time(time(hours[0]))}–{tr.time(time(hours[1]))}")}
    head = (tr._("Today, {date}, the workers come for: {work}. Time: {window}.", **values)
            if today else
            tr._("Tomorrow, {date}, the workers come for: {work}. Time: {window}.", **values))
    return "🔨 " + head + "\n" + tr._("Please empty the kitchen cupboards and the worktop.")


def week_text(h: BotHarness, lang: str, days: int) -> str:
    tr = h.tr(lang)
    day = tr.date(WORK_DAY, "full")
    if days == 7:
        return "📅 " + tr._("In one week, on {date}, the works in your home start. You get a "
                           "message the evening before each work day.", date=day)
    if days == 1:
        return "📅 " + tr._("Tomorrow, {date}, the works in your home start. You get a message "
                           "the evening before each work day.", date=day)
    return "📅 " + tr._("On {date}, the works in your home start. You get a message the "
                       "evening before each work day.", date=day)


def arrived(h: BotHarness, chat: ResidentChat, since: int) -> list[tuple[datetime, str]]:
    return [(datetime.fromtimestamp(int(m["date"]), AMS), str(m["text"]))
            for m in h.fake.sent_to(chat.chat_id)[since:]]


async def planned_on_friday(tmp_path: Path, site: SiteConfig, lang: str = "ar"
                            ) -> tuple[Path, Clock, Any, ResidentChat]:
    """Amina (Arabic, or `lang`) linked her home; on Friday 20 February the kitchen is planned for
    Tuesday 3 March. Returns the database, the clock, the fake Telegram and her chat."""
    clock = Clock(moment(20, 12, month=2))
    db = tmp_path / "bot.db"
    async with BotHarness.start(db, site, clock=clock) as h:
        amina = await h.onboard("Amina", lang)
        await link(h, amina)
        await plan(h, tmp_path, KITCHEN, "first.csv")
        return db, clock, h.fake, amina


async def restart_at(db: Path, site: SiteConfig, clock: Clock, fake: Any, when: datetime,
                     chat: ResidentChat, *, until: datetime | None = None
                     ) -> tuple[BotHarness, list[tuple[datetime, str]]]:
    """The bot was down until `when`: it starts, sweeps as it does at start, and runs on (to
    `until`); the bot, and what reached the resident meanwhile."""
    clock.set(when)
    async with BotHarness.start(db, site, clock=clock, fake=fake) as h:
        seen = len(h.fake.sent_to(chat.chat_id))
        await h.sweep()
        if until is not None:
            await walk(h, clock, until)
        return h, arrived(h, chat, seen)


async def week_notice_on_time(db: Path, site: SiteConfig, clock: Clock, fake: Any) -> None:
    """The bot runs on Tuesday 24 February 18:00: the week notice goes out on time."""
    clock.set(moment(24, 18, month=2))
    async with BotHarness.start(db, site, clock=clock, fake=fake) as h:
        await h.sweep()


async def test_the_evening_notice_held_for_the_night_says_today(tmp_path: Path,
                                                                site: SiteConfig) -> None:
    """Down over the evening before, back at 23:30: the notice waits for 08:00 on the work day
    itself, so it says "today", not "tomorrow"."""
    db, clock, fake, amina = await planned_on_friday(tmp_path, site)
    await week_notice_on_time(db, site, clock, fake)
    h, seen = await restart_at(db, site, clock, fake, moment(2, 23, 30), amina,
                               until=moment(3, 9))
    assert arrived(h, amina, 0)[-2] == (moment(24, 18, month=2), week_text(h, "ar", 7))
    assert seen == [(moment(3, 8), eve_text(h, "ar", today=True))]
    [msg] = h.fake.sent_to(amina.chat_id)[-1:]
    assert len(msg["reply_markup"]["inline_keyboard"]) == 4  # OK · away · help · rest


async def test_after_the_work_day_is_over_no_evening_notice_comes(tmp_path: Path,
                                                                  site: SiteConfig) -> None:
    db, clock, fake, amina = await planned_on_friday(tmp_path, site)
    await week_notice_on_time(db, site, clock, fake)
    # down from then until Tuesday 16:30: the kitchen was done at 16:00
    _, seen = await restart_at(db, site, clock, fake, moment(3, 16, 30), amina,
                               until=moment(4, 12))
    assert seen == []


async def test_the_evening_notice_late_on_the_day_itself_says_today(tmp_path: Path,
                                                                    site: SiteConfig) -> None:
    db, clock, fake, amina = await planned_on_friday(tmp_path, site, "tr")
    await week_notice_on_time(db, site, clock, fake)
    h, seen = await restart_at(db, site, clock, fake, moment(3, 10), amina)
    assert seen == [(moment(3, 10), eve_text(h, "tr", today=True))]


@pytest.mark.parametrize(("back", "days"), [(moment(26, 10, month=2), 5), (moment(2, 10), 1)])
async def test_a_late_week_notice_names_the_true_day(tmp_path: Path, site: SiteConfig,
                                                     back: datetime, days: int) -> None:
    """Down from before the week notice (Tuesday 24 February 18:00) until Thursday 26 February
    (five days before) or Monday 2 March 10:00 (the day before): the notice comes at once and
    says the date, or "tomorrow", never "in one week"; the evening notice follows at 18:00."""
    db, clock, fake, amina = await planned_on_friday(tmp_path, site)
    h, seen = await restart_at(db, site, clock, fake, back, amina, until=moment(2, 18, 30))
    assert seen == [(back, week_text(h, "ar", days)),
                    (moment(2, 18), eve_text(h, "ar", today=False))]


async def test_back_after_the_evening_before_only_the_evening_notice_comes(
        tmp_path: Path, site: SiteConfig) -> None:
    """Back on Monday 2 March 19:00, after both were due: the evening notice tells it all (a
    week notice saying "in one week" or "tomorrow" as well would be one message too many)."""
    db, clock, fake, amina = await planned_on_friday(tmp_path, site)
    h, seen = await restart_at(db, site, clock, fake, moment(2, 19), amina, until=moment(3, 12))
    assert seen == [(moment(2, 19), eve_text(h, "ar", today=False))]


# == 3. every planned day gets its notices, whatever the import time =============================
async def first_planned_at(tmp_path: Path, site: SiteConfig, when: datetime, rows: str,
                           until: datetime, lang: str = "ar") -> tuple[BotHarness,
                                                                       list[tuple[datetime,
                                                                                  str]]]:
    """Amina links her home on Friday 20 February; her home's first planning is imported at
    `when`; what reached her from then until `until`."""
    clock = Clock(moment(20, 12, month=2))
    async with BotHarness.start(tmp_path / "bot.db", site, clock=clock) as h:
        amina = await h.onboard("Amina", lang)
        await link(h, amina)
        clock.set(when)
        seen = len(h.fake.sent_to(amina.chat_id))
        await plan(h, tmp_path, rows, "late.csv")
        await walk(h, clock, until)
        return h, arrived(h, amina, seen)


async def test_a_planning_imported_the_evening_before_is_told_at_once(
        tmp_path: Path, site: SiteConfig) -> None:
    h, seen = await first_planned_at(tmp_path, site, moment(2, 19), KITCHEN, moment(3, 12))
    assert seen == [(moment(2, 19), eve_text(h, "ar", today=False))]


async def test_a_planning_imported_at_night_is_told_in_the_morning_as_today(
        tmp_path: Path, site: SiteConfig) -> None:
    h, seen = await first_planned_at(tmp_path, site, moment(2, 23), KITCHEN, moment(3, 12),
                                     "tr")
    assert seen == [(moment(3, 8), eve_text(h, "tr", today=True))]


async def test_a_planning_imported_on_the_day_itself_is_told_as_today(
        tmp_path: Path, site: SiteConfig) -> None:
    """Imported on the work day at 10:00, with a second day on Thursday: the kitchen at once
    ("today"), the toilet the evening before it."""
    h, seen = await first_planned_at(tmp_path, site, moment(3, 10), KITCHEN + TOILET,
                                     moment(5, 12))
    tr = h.tr("ar")
    assert [when for when, _ in seen] == [moment(3, 10), moment(4, 18)]
    assert seen[0][1] == eve_text(h, "ar", today=True)
    assert tr._("toilet") in seen[1][1] and tr.date(date(2026, 3, 5), "full") in seen[1][1]


async def test_a_planning_imported_after_its_day_is_over_tells_only_the_days_to_come(
        tmp_path: Path, site: SiteConfig) -> None:
    h, seen = await first_planned_at(tmp_path, site, moment(3, 17), KITCHEN + TOILET,
                                     moment(5, 12))
    assert [when for when, _ in seen] == [moment(4, 18)]
    assert h.tr("ar")._("toilet") in seen[0][1]


async def test_a_planning_imported_five_days_ahead_gets_its_first_notice_at_once(
        tmp_path: Path, site: SiteConfig) -> None:
    """Less than a week left: the first notice at once, with the true date, then the evening
    notice of each day."""
    h, seen = await first_planned_at(tmp_path, site, moment(26, 10, month=2), KITCHEN + TOILET,
                                     moment(5, 12))
    assert [(when, text) for when, text in seen[:2]] == [
        (moment(26, 10, month=2), week_text(h, "ar", 5)),
        (moment(2, 18), eve_text(h, "ar", today=False))]
    assert [when for when, _ in seen] == [moment(26, 10, month=2), moment(2, 18), moment(4, 18)]


async def test_new_hours_for_a_day_keep_its_evening_notice(tmp_path: Path,
                                                           site: SiteConfig) -> None:
    """A re-import that changes only the hours (same date) is told at once, and the evening
    notice still comes, with the new hours (it was lost: the rescheduled row met the
    cancelled one's key)."""
    db, clock, fake, amina = await planned_on_friday(tmp_path, site, "nl")
    await week_notice_on_time(db, site, clock, fake)
    clock.set(moment(25, 10, month=2))
    async with BotHarness.start(db, site, clock=clock, fake=fake) as h:
        seen = len(h.fake.sent_to(amina.chat_id))
        await plan(h, tmp_path, "Zambesidreef 12-B,2026-03-03,10:00,15:00,kitchen,\n",
                   "hours.csv")
        await walk(h, clock, moment(3, 12))
        got = arrived(h, amina, seen)
    assert [when for when, _ in got] == [moment(25, 10, month=2), moment(2, 18)]
    assert got[0][1].startswith("⚠️ ")
    assert got[1][1] == eve_text(h, "nl", today=False, hours=(10, 15))


# == 4. a message meant to go at once never waits for the next poll ==============================
BOUND = 1.0  # seconds: far below IDLE_WAIT, far above a round


async def running_worker(h: BotHarness) -> Delivery:
    """The real worker loop, as `buurtbot run` starts it, gone idle (nothing is due)."""
    delivery: Delivery = h.services.delivery
    delivery.start()
    await asyncio.sleep(0.2)
    return delivery


async def queue(h: BotHarness, chat_id: int, text: str) -> None:
    async with h.store.db.transaction() as tx:
        await enqueue(tx, h.clock(), chat_id=chat_id, method=Method.SEND, purpose="test",
                      payload={"text": text})


async def arrives(h: BotHarness, chat_id: int, text: str) -> float | None:
    """Seconds until the fake Telegram has `text` in the chat (None: not within BOUND)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while loop.time() - start < BOUND:
        if text in h.fake.texts(chat_id):
            return loop.time() - start
        await asyncio.sleep(0.01)
    return None


async def stopped(delivery: Delivery) -> bool:
    """Stop the worker; False if stop() did not end it within BOUND (it is ended anyway)."""
    stop = asyncio.ensure_future(delivery.stop())
    done, _ = await asyncio.wait({stop}, timeout=BOUND)
    if done:
        return True
    while delivery._task is not None and not delivery._task.done():
        delivery._task.cancel()
        await asyncio.wait({delivery._task}, timeout=0.1)
    await stop
    return False


async def test_a_message_queued_during_a_round_does_not_wait_for_the_next_poll(
        h: BotHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """A round finds nothing; while it runs, wake() is called for a message committed just
    after. The worker must not forget that wake-up and sleep IDLE_WAIT."""
    chat = h.services.site.partners[0].chat_id
    outbox, delivery = h.store.outbox, h.services.delivery
    real_due = outbox.due
    armed = asyncio.Event()

    async def due(limit: int = 50) -> list[Any]:
        items = await real_due(limit)
        if armed.is_set() and not items:
            armed.clear()
            delivery.wake()  # the wake-up comes during the round...
            asyncio.get_running_loop().create_task(queue(h, chat, "during a round"))
        return items  # ...and its message is committed right after it

    monkeypatch.setattr(outbox, "due", due)
    await running_worker(h)
    try:
        armed.set()
        delivery.wake()  # a round
        took = await arrives(h, chat, "during a round")
        assert took is not None, f"not sent within {BOUND} s (IDLE_WAIT is {IDLE_WAIT} s)"
    finally:
        assert await stopped(delivery)


async def test_a_message_goes_out_on_its_commit_before_anyone_wakes_the_worker(
        h: BotHarness) -> None:
    """A handler wakes the worker only when it is done (after its direct replies, which wait
    on a slow or hanging Telegram), and the sweep's digests do not wake it at all: a message
    goes out when it is committed, not at the next poll."""
    chat = h.services.site.partners[0].chat_id
    delivery = await running_worker(h)
    try:
        await queue(h, chat, "nobody woke me")
        took = await arrives(h, chat, "nobody woke me")
        assert took is not None, f"not sent within {BOUND} s (IDLE_WAIT is {IDLE_WAIT} s)"
    finally:
        assert await stopped(delivery)


@pytest.mark.parametrize("turns", range(6))
async def test_the_worker_stops_even_as_it_is_woken(h: BotHarness, turns: int) -> None:
    """stop() (SIGTERM) right after a wake(): asyncio.wait_for of Python 3.11 returns the
    wake-up and drops the cancellation when both come in one turn of the loop, and the old
    worker went on for ever. Tried at each of the first few turns after the wake-up."""
    delivery = await running_worker(h)
    delivery.wake()
    for _ in range(turns):
        await asyncio.sleep(0)
    assert await stopped(delivery), "the worker went on after stop()"

