"""Renovation-day notices: a week before, the evening before, changes at once; one-tap answers
become requests; never twice, also across a restart."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import SiteConfig
from bot.domain.policy import Policy
from bot.importers.planning import apply_planning, read_planning
from bot.render.callbacks import WORK_DAY, pack
from bot.store.clock import SimClock as Clock
from bot.store.homes import NewHome
from bot.testing.harness import BotHarness, ResidentChat

AMS = ZoneInfo("Europe/Amsterdam")
HEADER = "address,date,start,end,work,notes\n"


async def plan(h: BotHarness, tmp_path: Path, rows: str, name: str) -> None:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    days, errors = await read_planning(path, h.store.db)
    assert not errors
    await apply_planning(h.store.db, days, h.services.clock(), Policy(h.services.site))
    await h.sweep()


async def link(h: BotHarness, chat: ResidentChat) -> None:
    await h.store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", 12, "B", "A", 3)])
    homes = await h.store.homes.in_building("zambesidreef")
    await chat.send((await h.store.homes.codes_for(homes))[homes[0].id])


async def test_notices_in_the_residents_language_once_and_at_the_right_time(
        tmp_path: Path, site: SiteConfig) -> None:
    clock = Clock(datetime(2026, 2, 20, 12, 0, tzinfo=AMS))  # Friday
    db = tmp_path / "bot.db"
    async with BotHarness.start(db, site, clock=clock) as h:
        amina = await h.onboard("Amina", "ar")
        tr = h.tr("ar")
        await link(h, amina)
        await plan(h, tmp_path, "Zambesidreef 12-B,2026-03-03,08:00,16:00,kitchen,\n"
                                "Zambesidreef 12-B,2026-03-05,08:00,12:00,toilet,\n", "one.csv")
        # linking again shows the overview; first import of a plan sends no "change"
        assert "⚠️" not in amina.last_text
        # a week before the first day (Tue 3 March): Tuesday 24 February 18:00
        clock.now = datetime(2026, 2, 24, 17, 59, tzinfo=AMS)
        await h.sweep()
        seen = len(h.fake.sent_to(amina.chat_id))
        clock.now = datetime(2026, 2, 24, 18, 0, tzinfo=AMS)
        await h.sweep()
        [week] = h.fake.sent_to(amina.chat_id)[seen:]
        assert week["text"] == "📅 " + tr._(
            "In one week, on {date}, the works in your home start. You get a message the "
            "evening before each work day.", date=tr.date(date(2026, 3, 3), "full"))
        fake = h.fake
    # the bot is down over the evening before: after the restart the notice comes, once
    clock.now = datetime(2026, 3, 2, 20, 0, tzinfo=AMS)
    async with BotHarness.start(db, site, clock=clock, fake=fake) as h:
        seen = len(h.fake.sent_to(amina.chat_id))
        await h.sweep()
        await h.sweep()
        [eve] = h.fake.sent_to(amina.chat_id)[seen:]
        assert tr._("kitchen") in eve["text"]
        assert tr._("Please empty the kitchen cupboards and the worktop.") in eve["text"]
        assert tr.date(date(2026, 3, 3), "full") in eve["text"]
        chat = h.resident("Amina", "ar", user_id=amina.person.id)
        # one tap: "I am not home that day" becomes a request for the housing corporation
        await chat.press(tr._("I am not home that day"))
        [ticket] = await h.store.tickets.for_resident(amina.person.id)
        assert ticket.category == "reno_away" and ticket.partner_id == "woningcorporatie"
        # the partner's staff read the work day in their own language
        gtr = h.tr("nl")
        assert ticket.description == (f"{gtr._('kitchen')}: {gtr.date(date(2026, 3, 3), 'full')},"
                                      " 08:00–16:00")
        assert h.group("woningcorporatie").card(ticket.ref)
        # the toilet day moves: told at once (it is evening, not quiet yet)
        await plan(h, tmp_path, "Zambesidreef 12-B,2026-03-03,08:00,16:00,kitchen,\n"
                                "Zambesidreef 12-B,2026-03-09,08:00,12:00,toilet,\n", "two.csv")
        moved = h.fake.last_message(amina.chat_id)
        assert moved is not None and moved["text"].startswith("⚠️ ")
        assert tr.date(date(2026, 3, 9), "full") in moved["text"]
        # nothing about the old toilet day the evening of 4 March; a notice on 8 March
        clock.now = datetime(2026, 3, 4, 18, 30, tzinfo=AMS)
        before = len(h.fake.sent_to(amina.chat_id))
        await h.sweep()
        assert len(h.fake.sent_to(amina.chat_id)) == before
        clock.now = datetime(2026, 3, 8, 18, 0, tzinfo=AMS) + timedelta(minutes=1)
        await h.sweep()
        assert tr._("toilet") in h.fake.last_message(amina.chat_id)["text"]  # type: ignore[index]


async def test_a_cancelled_day_at_night_waits_for_the_morning(tmp_path: Path,
                                                              site: SiteConfig) -> None:
    clock = Clock(datetime(2026, 2, 20, 12, 0, tzinfo=AMS))
    async with BotHarness.start(tmp_path / "bot.db", site, clock=clock) as h:
        ali = await h.onboard("Ali", "tr")
        tr = h.tr("tr")
        await link(h, ali)
        await plan(h, tmp_path, "Zambesidreef 12-B,2026-03-03,08:00,16:00,windows,\n"
                                "Zambesidreef 12-B,2026-03-04,08:00,16:00,heating,\n", "a.csv")
        clock.now = datetime(2026, 2, 25, 23, 0, tzinfo=AMS)
        seen = len(h.fake.sent_to(ali.chat_id))
        await plan(h, tmp_path, "Zambesidreef 12-B,2026-03-03,08:00,16:00,windows,\n", "b.csv")
        assert len(h.fake.sent_to(ali.chat_id)) == seen  # quiet hours
        clock.now = datetime(2026, 2, 26, 8, 0, tzinfo=AMS)
        await h.deliver()
        cancelled = h.fake.last_message(ali.chat_id)
        assert cancelled is not None
        assert cancelled["text"] == "❌ " + tr._(
            "Change in your renovation: {work} on {date} does not happen.",
            work=tr._("heating"), date=tr.date(date(2026, 3, 4), "full"))
        # an answer to an older notice about the cancelled day makes no request
        row = await h.store.db.fetchone("SELECT id FROM work_days WHERE work = 'heating'")
        await ali.press_data(pack(WORK_DAY, row[0], "away"))
        assert tr._("This button is old. Here is where you are now.") in ali.last_text
        assert await h.store.tickets.for_resident(ali.person.id) == []
