"""Broadcasts from the housing corporation's group: target, texts per language, preview with the
number of recipients, paced delivery through the outbox, progress, no duplicates after a restart."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import SiteConfig
from bot.services import broadcast
from bot.store.clock import SimClock
from bot.store.homes import NewHome
from bot.testing.harness import BotHarness, ResidentChat

AMS = ZoneInfo("Europe/Amsterdam")


def Clock() -> SimClock:
    return SimClock(datetime(2026, 3, 2, 10, 0, tzinfo=AMS))


async def linked(h: BotHarness, name: str, lang: str, number: int, well: str) -> ResidentChat:
    await h.store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", number, "", well, 1)])
    homes = await h.store.homes.in_building("zambesidreef")
    codes = await h.store.homes.codes_for(homes)
    home = next(x for x in homes if x.number == number)
    chat = await h.onboard(name, lang)
    await chat.send(codes[home.id])
    return chat


async def test_a_stairwell_announcement_per_language(tmp_path: Path, site: SiteConfig) -> None:
    clock = Clock()
    async with BotHarness.start(tmp_path / "bot.db", site, clock=clock) as h:
        amina = await linked(h, "Amina", "ar", 12, "A")
        piet = await linked(h, "Piet", "nl", 14, "A")
        other = await linked(h, "Ali", "tr", 20, "B")
        els = h.staff("woningcorporatie", "Els")
        g = h.group("woningcorporatie")
        tr = h.tr("nl")
        await els.send("/broadcast")
        await els.press_newest("Zambesidreef")
        await els.press_newest(tr._("stairwell {name}", name="A") + ": "
                               + tr._("a text per language"))
        await els.send("Morgen is het water afgesloten van 9 tot 12 uur.")
        await els.send("غدًا سيُقطع الماء من 9 إلى 12.")
        await els.press_newest(tr._("Skip: use the first text"))
        await els.press_newest(tr._("Skip: use the first text"))
        preview = g.messages()[-1]["text"]
        assert tr.ngettext("Preview. This goes to {n} resident:",
                           "Preview. This goes to {n} residents:", 2) in preview
        await els.press_newest(tr._("Send"))
        assert amina.h.fake.last_message(amina.chat_id)["text"] == "📣 غدًا سيُقطع الماء من 9 إلى 12."  # type: ignore[index]
        assert piet.last_text == "📣 Morgen is het water afgesloten van 9 tot 12 uur."
        assert "📣" not in other.last_text  # stairwell B is not included
        clock.now += timedelta(minutes=1)
        await h.sweep()
        assert g.texts()[-1] == "✅ " + tr._(
            "Announcement done: {sent} delivered, {failed} could not be delivered.",
            sent=2, failed=0)


async def test_only_the_housing_corporation_or_coordinator_may_broadcast(h: BotHarness) -> None:
    dock = h.staff("dock", "Sam")
    await dock.send("/broadcast")
    assert h.group("dock").texts()[-1] == h.tr("nl")._(
        "Broadcasts are sent from the housing corporation's group or the coordinator group.")


async def test_an_interrupted_broadcast_resumes_without_duplicates(tmp_path: Path,
                                                                  site: SiteConfig) -> None:
    clock = Clock()
    db = tmp_path / "bot.db"
    async with BotHarness.start(db, site, clock=clock) as h:
        chats = [await linked(h, f"R{i}", "nl", 30 + i, "A") for i in range(5)]
        await broadcast.start(h.store.db, clock(), chat_id=-1001000000001, thread_id=None,
                              target=broadcast.Target("zambesidreef"), texts={"nl": "Let op"},
                              fallback="nl", created_by="test")
        await h.services.delivery.run_once(limit=2)  # then the bot stops
        fake = h.fake
    async with BotHarness.start(db, site, clock=clock, fake=fake) as h2:
        await h2.deliver()
        for chat in chats:
            got = [m for m in fake.sent_to(chat.chat_id) if m.get("text") == "📣 Let op"]
            assert len(got) == 1


async def test_a_broadcast_does_not_hold_up_cards_or_replies(
        tmp_path: Path, site: SiteConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    """An announcement to thousands takes minutes; a new report's card and a staff reply to a
    resident who is still waiting for the announcement go first."""
    async with BotHarness.start(tmp_path / "bot.db", site, clock=Clock()) as h:
        chats = [await linked(h, f"R{i}", "nl", 30 + i, "A") for i in range(4)]
        piet = chats[0]
        await broadcast.start(h.store.db, h.services.clock(), chat_id=-1001000000001,
                              thread_id=None, target=broadcast.Target("zambesidreef"),
                              texts={"nl": "Let op"}, fallback="nl", created_by="test")

        async def behind() -> None:  # the worker is still busy with the announcement
            pass

        monkeypatch.setattr(h, "deliver", behind)
        ticket = await piet.report()
        monkeypatch.undo()
        sends = len(h.fake.calls)
        await h.services.delivery.run_once(limit=1)
        [first] = [c for c in h.fake.calls[sends:] if c.method == "sendMessage"]
        group = h.group("woningcorporatie")
        assert first.chat_id == group.chat_id and f"#{ticket.ref}" in group.texts()[-1]

        monkeypatch.setattr(h, "deliver", behind)
        await h.staff("woningcorporatie", "Jan").reply(group.card(ticket.ref), "We komen kijken")
        monkeypatch.undo()
        sends = len(h.fake.calls)
        await h.services.delivery.run_once(limit=2)  # the card shows who claimed it; the reply
        [reply] = [c for c in h.fake.calls[sends:] if c.method == "sendMessage"]
        assert reply.chat_id == piet.chat_id and "We komen kijken" in piet.last_text

        await h.deliver()  # then the announcement, to everyone, once
        for chat in chats:
            assert [m.get("text") for m in h.fake.sent_to(chat.chat_id)].count("📣 Let op") == 1


async def test_updates_replayed_after_a_crash_do_not_send_twice(tmp_path: Path,
                                                                site: SiteConfig) -> None:
    """The inbox replays an update a crash interrupted: a text is not taken twice (as the next
    language's text too), and a replayed Send does not start a second broadcast."""
    async with BotHarness.start(tmp_path / "bot.db", site, clock=Clock()) as h:
        piet = await linked(h, "Piet", "nl", 14, "A")
        amina = await linked(h, "Amina", "ar", 12, "A")
        els = h.staff("woningcorporatie", "Els")
        g = h.group("woningcorporatie")
        tr = h.tr("nl")
        await els.send("/broadcast")
        await els.press_newest("Zambesidreef")
        await els.press_newest(tr._("Whole building") + ": " + tr._("a text per language"))
        text = h.updates.text(els.person, "Morgen geen water.", chat_id=g.chat_id)
        await h.feed(text)
        await h.feed(text)  # replayed: still waiting for the next language's text
        assert "✍️ " + tr._("Type the announcement in {language}.",
                            language="العربية") in g.texts()[-1]
        for _ in range(len(site.languages) - 1):
            await els.press_newest(tr._("Skip: use the first text"))
        go = h.updates.press(els.person, g.messages()[-1], "✅ " + tr._("Send"),
                             chat_id=g.chat_id)
        await h.feed(go)
        await h.feed(go)  # replayed
        assert g.texts()[-1] == tr._("This button is old.")
        rows = await h.store.db.fetchall("SELECT id FROM broadcasts")
        assert len(rows) == 1
        for chat in (piet, amina):
            sent = [m.get("text") for m in h.fake.sent_to(chat.chat_id)]
            assert sent.count("📣 Morgen geen water.") == 1


async def test_blocked_recipients_are_counted_not_reported_one_by_one(tmp_path: Path,
                                                                     site: SiteConfig) -> None:
    """A resident who blocked the bot is counted in the broadcast's progress report; the
    coordinator group is not flooded with one warning per blocked resident."""
    clock = Clock()
    async with BotHarness.start(tmp_path / "bot.db", site, clock=clock) as h:
        piet = await linked(h, "Piet", "nl", 14, "A")
        gone = await linked(h, "Ali", "tr", 16, "A")
        h.fake.block(gone.person.id)
        coordinator = h.group("coordinator")
        before = len(coordinator.texts())
        await broadcast.start(h.store.db, clock(), chat_id=h.group("woningcorporatie").chat_id,
                              thread_id=None, target=broadcast.Target("zambesidreef"),
                              texts={"nl": "Let op"}, fallback="nl", created_by="test")
        await h.deliver()
        assert piet.last_text == "📣 Let op"
        assert coordinator.texts()[before:] == []
        clock.now += timedelta(minutes=1)
        await h.sweep()
        assert h.group("woningcorporatie").texts()[-1] == "✅ " + h.tr("nl")._(
            "Announcement done: {sent} delivered, {failed} could not be delivered.",
            sent=1, failed=1)


async def test_an_announcement_sent_at_night_waits_for_the_morning(tmp_path: Path,
                                                                  site: SiteConfig) -> None:
    """Sent at 22:00: the sender is told it goes out at 08:00; residents get nothing in the night,
    the group gets no report every minute all night, and in the morning it goes out."""
    clock = Clock()
    async with BotHarness.start(tmp_path / "bot.db", site, clock=clock) as h:
        piet = await linked(h, "Piet", "nl", 14, "A")
        els = h.staff("woningcorporatie", "Els")
        g = h.group("woningcorporatie")
        tr = h.tr("nl")
        clock.now = datetime(2026, 3, 2, 22, 0, tzinfo=AMS)
        await els.send("/broadcast")
        await els.press_newest("Zambesidreef")
        await els.press_newest(tr._("Whole building") + ": " + tr._("one text for all"))
        await els.send("Morgen geen water.")
        await els.press_newest(tr._("Send"))
        assert tr._("It is quiet time for residents now. The announcement goes out at {time}.",
                    time=tr.time(datetime(2026, 3, 3, 8, 0).time())) in g.texts()[-1]
        reports = len(g.texts())
        await h.tick(hours=9.5, step_minutes=5)  # until 07:30
        assert "📣 Morgen geen water." not in piet.last_text
        assert len(g.texts()) - reports <= 1  # at most one "0 of 1 sent", not one a minute
        await h.tick(hours=1, step_minutes=1)
        assert piet.last_text == "📣 Morgen geen water."
        assert g.texts()[-1] == "✅ " + tr._(
            "Announcement done: {sent} delivered, {failed} could not be delivered.",
            sent=1, failed=0)
