"""The coordinator's figures in Telegram: `/figures` in the coordinator group (the table and the
chart), refused in a partner group and for a resident, and the casusoverleg digest every Monday
at 09:00 Amsterdam time (again a week later, and once after a downtime).

Texts are built through the bot's own translators, so the tests hold whatever the catalogs say.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from bot.config import SiteConfig
from bot.domain.visits import Consent, Outcome, RoundKind
from bot.store.clock import SimClock
from bot.store.homes import NewHome
from bot.store.visits import NewReferral, NewVisit, insert_visit
from bot.testing.fake_api import FakeBotAPI, JSONDict
from bot.testing.harness import BotHarness

AMS = ZoneInfo("Europe/Amsterdam")
COORD, WONEN = "coordinator", "woningcorporatie"


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMS)


def chat(h: BotHarness, partner_id: str) -> int:
    return int(h.services.site.partner(partner_id).chat_id)


def row(label: str, value: str, pct: str | None = None) -> str:
    """One line of a /figures block as a phone shows it (monospace)."""
    text = value.rjust(6) + pct.rjust(6) if pct is not None else value
    return "  " + label.ljust(20) + text.rjust(6)


def photos(h: BotHarness, chat_id: int) -> list[bytes]:
    return [u.data for u in h.fake.uploads if u.chat_id == chat_id and u.method == "sendPhoto"]


async def a_round(h: BotHarness) -> int:
    """Zambesidreef, four homes, visited by DOCK: three visited (one twice: not at home, then
    spoken to), two spoken to, one referral to Werk & Inkomen, one to DOCK; Amina is linked to
    a home and speaks Arabic."""
    await h.store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", n) for n in (1, 3, 5, 7)])
    homes = await h.store.homes.in_building("zambesidreef")
    rnd, _ = await h.store.visits.start_round("zambesidreef", "Voorjaar 2027", RoundKind.BEFORE,
                                              "dock")
    day = date(2026, 11, 30)

    def refer(partner: str) -> NewReferral:
        return NewReferral(partner, "money", "", Consent.VERBAL)

    visits = [
        NewVisit(rnd.id, homes[0].id, day, Outcome.SPOKEN,
                 referrals=(refer("werk_inkomen"), refer("dock"))),
        NewVisit(rnd.id, homes[1].id, day, Outcome.NOT_HOME),
        NewVisit(rnd.id, homes[1].id, date(2026, 12, 1), Outcome.SPOKEN),
        NewVisit(rnd.id, homes[2].id, day, Outcome.REFUSED),
    ]
    async with h.store.db.transaction() as tx:
        for visit in visits:
            await insert_visit(tx, h.clock(), visit)
    amina = await h.onboard("Amina", "ar")
    code = (await h.store.homes.codes_for(homes[:1]))[homes[0].id]
    assert await h.store.homes.link(amina.person.id, code) is not None
    return rnd.id


async def test_figures_in_the_coordinator_group_shows_the_table_and_the_chart(
        h: BotHarness) -> None:
    gtr = h.tr("nl")
    await a_round(h)
    piet = await h.onboard("Piet", "nl")
    ticket = await piet.report(lang="nl")
    jan = h.staff(WONEN, "Jan")
    h.clock.advance(hours=2)
    await jan.reply(h.group(WONEN).card(ticket.ref), "We bellen je morgen.")
    coord = chat(h, COORD)
    before = len(h.fake.sent_to(coord))
    await h.staff(COORD, "Carla").send("/figures")
    shown = h.fake.sent_to(coord)[before:]
    text = "\n".join(str(m.get("text", "")) for m in shown if "text" in m)
    assert text.startswith("📊 " + gtr._("Figures") + "\n" + gtr._("everything so far"))
    lines = text.split("\n")
    at_round = lines.index("Zambesidreef · Voorjaar 2027")
    assert lines[at_round + 1:at_round + 7] == [
        row(gtr._("Homes"), "4"),
        row(gtr._("Visited"), "3", "75%"),
        row(gtr._("Spoken to"), "2", "50%"),
        row("DOCK", "1", "50%"),
        row("Werk & Inkomen", "1", "50%"),
        row(gtr._("Referrals"), "2", "100%"),
    ]
    at_partner = lines.index("Woningcorporatie")
    assert lines[at_partner + 1] == row(gtr._("Requests"), "1")
    assert lines[at_partner + 2] == row(gtr._("Response (med/p90)"),
                                        gtr._("{hours} h", hours="2,0 / 2,0"))
    assert lines[at_partner + 3] == row(gtr._("Solved (med/p90)"), "– / –")
    reach = lines.index(gtr._("Reach: homes with at least one linked resident"))
    assert lines[reach + 1:reach + 5] == ["Zambesidreef", row(gtr._("Homes"), "4"),
                                          row(gtr._("Linked"), "1", "25%"),
                                          row("Arabisch", "1")]
    # no reference, name or address in the figures
    assert ticket.ref not in text and "Piet" not in text and "Zambesidreef 1" not in text
    [png] = photos(h, coord)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == 1080 and 400 < image.height < 4000


async def test_figures_is_refused_in_a_partner_group_and_for_a_resident(h: BotHarness) -> None:
    wonen = chat(h, WONEN)
    await h.staff(WONEN, "Jan").send("/figures")
    assert h.fake.texts(wonen)[-1] == h.tr("nl")._("This command works in the coordinator group.")
    mehmet = await h.onboard("Mehmet", "tr")
    await mehmet.send("/figures")
    assert mehmet.last_text == h.tr("tr")._("I do not know that command. Choose a button below.")
    assert photos(h, wonen) == [] and photos(h, mehmet.chat_id) == []
    assert not any("📊" in t for t in h.fake.texts(wonen))


def digests(h: BotHarness) -> list[JSONDict]:
    return [m for m in h.fake.sent_to(chat(h, COORD)) if str(m.get("text", "")).startswith("🗓")]


def heading(h: BotHarness, first: date, last: date) -> str:
    gtr = h.tr("nl")
    return "🗓 " + gtr._("Casusoverleg: the week from {first} to {last}",
                         first=gtr.date(first, "medium"), last=gtr.date(last, "medium"))


async def test_the_digest_goes_out_on_monday_at_nine_and_again_a_week_later(
        h: BotHarness) -> None:
    gtr = h.tr("nl")
    piet = await h.onboard("Piet", "nl")
    await piet.report(lang="nl")  # Tuesday 1 December, open all week
    h.clock.set(at(3, 12))  # Thursday: unclaimed for twice its claim time, so escalated
    await h.sweep()
    h.clock.set(at(7, 8, 59))  # Monday 7 December, one minute early
    await h.sweep()
    assert digests(h) == []
    h.clock.set(at(7, 9))
    await h.sweep()
    [first] = digests(h)
    assert datetime.fromtimestamp(int(first["date"]), AMS) == at(7, 9)
    lines = str(first["text"]).split("\n")
    assert lines[0] == heading(h, date(2026, 11, 30), date(2026, 12, 6))
    assert "• Woningcorporatie: " + gtr.ngettext("{n} open", "{n} open", 1) + ", " + gtr.ngettext(
        "the oldest waits {n} day", "the oldest waits {n} days", 5) in lines
    assert gtr._("Broken promises this week") + ": " + gtr._("none") in lines
    assert gtr._("Escalations this week") + ": Woningcorporatie 1" in lines
    assert photos(h, chat(h, COORD))  # the chart came with it
    await h.sweep()
    h.clock.set(at(10, 15))
    await h.sweep()
    assert len(digests(h)) == 1  # once
    h.clock.set(at(14, 9))
    await h.sweep()
    assert [str(m["text"]).split("\n")[0] for m in digests(h)] == [
        heading(h, date(2026, 11, 30), date(2026, 12, 6)),
        heading(h, date(2026, 12, 7), date(2026, 12, 13))]
    assert len(photos(h, chat(h, COORD))) == 2


@asynccontextmanager
async def bot(db: Path, site: SiteConfig, clock: SimClock,
              fake: FakeBotAPI) -> AsyncIterator[BotHarness]:
    async with BotHarness.start(db, site, clock=clock, fake=fake) as h:
        yield h


async def test_after_a_downtime_the_digest_is_sent_late_and_once(tmp_path: Path,
                                                                  site: SiteConfig) -> None:
    clock = SimClock(at(1, 11))
    fake = FakeBotAPI(clock=clock.timestamp)
    for partner in site.partners:
        fake.add_group(partner.chat_id, partner.name)
    async with bot(tmp_path / "bot.db", site, clock, fake) as h:
        await h.sweep()
        assert digests(h) == []
    # down from Tuesday 1 December until Wednesday 16 December: two Mondays missed
    clock.set(at(16, 10))
    async with bot(tmp_path / "bot.db", site, clock, fake) as h:
        await h.sweep()
        await h.sweep()
        [late] = digests(h)
        assert datetime.fromtimestamp(int(late["date"]), AMS) == at(16, 10)
        # about the latest whole week, not the one it was planned for
        assert str(late["text"]).split("\n")[0] == heading(h, date(2026, 12, 7),
                                                           date(2026, 12, 13))
        rows = await h.store.db.fetchall(
            "SELECT due_at FROM due WHERE kind = 'figures_digest' AND status = 'pending'")
        assert [r[0] for r in rows] == [at(21, 9).astimezone(ZoneInfo("UTC")).isoformat()]
    # a restart plans nothing more: the next one is already there
    async with bot(tmp_path / "bot.db", site, clock, fake) as h:
        rows = await h.store.db.fetchall(
            "SELECT count(*) FROM due WHERE kind = 'figures_digest' AND status = 'pending'")
        assert rows[0][0] == 1
        clock.set(at(21, 9))
        await h.sweep()
        assert len(digests(h)) == 2
