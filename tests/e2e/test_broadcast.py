"""Broadcasts from the housing corporation's group: target, texts per language, preview with the
number of recipients, a second person who approves it, paced delivery through the outbox,
progress, no duplicates after a restart."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import SiteConfig
from bot.services import broadcast
from bot.store.clock import SimClock
from bot.store.homes import NewHome
from bot.testing.harness import BotHarness, GroupChat, ResidentChat, StaffMember

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


async def approve(h: BotHarness, name: str = "Fatima", partner: str = "woningcorporatie",
                  user_id: int | None = None) -> None:
    """A second person of the group (or the coordinator's) presses Approve."""
    await h.staff(partner, name, user_id).press_newest("✅ " + h.tr("nl")._("Approve"))


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
        # only the languages stairwell A reads are asked for: no Turkish, Polish, ... texts
        asked = [t for t in g.texts() if t.startswith("✍️ ")]
        assert asked == ["✍️ " + tr._("Type the announcement in {language}.", language=lang)
                         for lang in ("Nederlands", "العربية")]
        preview = g.messages()[-1]["text"]
        assert tr.ngettext("Preview. This goes to {n} resident:",
                           "Preview. This goes to {n} residents:", 2) in preview
        await els.press_newest(tr._("Send"))
        assert "📣" not in piet.last_text  # not yet: a second person approves first
        await approve(h)
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
        fatima = h.staff("woningcorporatie", "Fatima")
        ok = h.updates.press(fatima.person, waiting(h, g.chat_id), "✅ " + tr._("Approve"),
                             chat_id=g.chat_id)
        await h.feed(ok)
        await h.feed(ok)  # replayed: it went out once
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
        await approve(h)
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


def waiting(h: BotHarness, chat_id: int) -> dict[str, Any]:
    """The newest message in a group with the Approve button."""
    approve_label = "✅ " + h.tr("nl")._("Approve")
    group = GroupChat(h, chat_id)
    return next(m for m in reversed(group.messages()) if approve_label in group.buttons(m))


async def composed(h: BotHarness, text: str = "Morgen geen water.") -> StaffMember:
    """Els writes one text for the whole building and presses Send."""
    els = h.staff("woningcorporatie", "Els")
    tr = h.tr("nl")
    await els.send("/broadcast")
    await els.press_newest("Zambesidreef")
    await els.press_newest(tr._("Whole building") + ": " + tr._("one text for all"))
    await els.send(text)
    await els.press_newest(tr._("Send"))
    return els


async def rows(h: BotHarness) -> list[tuple[Any, ...]]:
    found = await h.store.db.fetchall(
        "SELECT status, created_by, composed_name, approved_by, approved_name, stopped_name"
        " FROM broadcasts")
    return [tuple(r) for r in found]


async def test_send_waits_for_a_second_person_who_is_named(tmp_path: Path,
                                                            site: SiteConfig) -> None:
    async with BotHarness.start(tmp_path / "bot.db", site, clock=Clock()) as h:
        piet = await linked(h, "Piet", "nl", 14, "A")
        g, c, tr = h.group("woningcorporatie"), h.group("coordinator"), h.tr("nl")
        els = await composed(h)
        assert g.texts()[-1] == "⏳ " + tr._(
            "Waiting for a second person to approve: someone else in this group, or the "
            "coordinator.")
        assert g.buttons(g.messages()[-1]) == ["✅ " + tr._("Approve"), "❌ " + tr._("Stop")]
        # the coordinator group sees what would go out, and may approve it too
        assert tr.ngettext("Preview. This goes to {n} resident:",
                           "Preview. This goes to {n} residents:", 1) in c.texts()[-2]
        assert "Morgen geen water." in c.texts()[-2]
        assert c.texts()[-1] == "⏳ " + tr._(
            "{name} ({partner}) wants to send this announcement. Waiting for a second person "
            "to approve: someone here, or someone else in their group.", name="Els",
            partner="Woningcorporatie")
        assert "📣" not in piet.last_text
        assert await rows(h) == [("waiting", f"staff:{els.person.id}", "Els", None, None, None)]

        await els.press_newest("✅ " + tr._("Approve"))  # the writer cannot be the second
        assert h.fake.alerts[-1]["text"] == tr._(
            "You wrote this announcement. A second person must approve it.")
        assert h.fake.alerts[-1]["show_alert"] is True
        assert (await rows(h))[0][0] == "waiting" and "📣" not in piet.last_text

        fatima = h.staff("woningcorporatie", "Fatima")
        await fatima.press_newest("✅ " + tr._("Approve"))
        assert piet.last_text == "📣 Morgen geen water."
        assert g.texts()[-1] == "\n".join([
            "🚀 " + tr.ngettext("Sending to {n} resident. You will see the progress here.",
                               "Sending to {n} residents. You will see the progress here.", 1),
            "✅ " + tr._("Written by {composer}, approved by {approver}.", composer="Els",
                        approver="Fatima")])
        assert await rows(h) == [("sent", f"staff:{els.person.id}", "Els",
                                  f"staff:{fatima.person.id}", "Fatima", None)]
        assert g.buttons(g.messages()[-2]) == []  # the buttons Fatima pressed are gone

        # the coordinator's buttons are still there: pressed now, it says it went out
        await h.staff("coordinator", "Noor").press(waiting(h, c.chat_id), "✅ " + tr._("Approve"))
        assert h.fake.alerts[-1]["text"] == tr._(
            "This announcement was approved by {name} and has been sent.", name="Fatima")
        sent = [m.get("text") for m in h.fake.sent_to(piet.chat_id)]
        assert sent.count("📣 Morgen geen water.") == 1


async def test_the_coordinator_approves_and_both_groups_hear_it(tmp_path: Path,
                                                               site: SiteConfig) -> None:
    async with BotHarness.start(tmp_path / "bot.db", site, clock=Clock()) as h:
        piet = await linked(h, "Piet", "nl", 14, "A")
        g, c, tr = h.group("woningcorporatie"), h.group("coordinator"), h.tr("nl")
        await composed(h)
        noor = h.staff("coordinator", "Noor")
        await noor.press(waiting(h, c.chat_id), "✅ " + tr._("Approve"))
        assert h.fake.alerts[-1]["text"] == tr._("Approved. The announcement goes out.")
        assert piet.last_text == "📣 Morgen geen water."
        who = "✅ " + tr._("Written by {composer}, approved by {approver}.", composer="Els",
                          approver="Noor")
        assert who in g.texts()[-1] and tr.ngettext(
            "Sending to {n} resident. You will see the progress here.",
            "Sending to {n} residents. You will see the progress here.", 1) in g.texts()[-1]
        assert c.texts()[-1] == "\n".join([
            "🚀 " + tr.ngettext("Sending to {n} resident.", "Sending to {n} residents.", 1), who])
        h.clock.advance(minutes=1)
        await h.sweep()  # the progress is reported where it was written
        done = "✅ " + tr._("Announcement done: {sent} delivered, {failed} could not be "
                           "delivered.", sent=1, failed=0)
        assert g.texts()[-1] == done and done not in c.texts()


async def test_stopped_it_never_goes_and_a_later_approval_is_refused(tmp_path: Path,
                                                                     site: SiteConfig) -> None:
    async with BotHarness.start(tmp_path / "bot.db", site, clock=Clock()) as h:
        piet = await linked(h, "Piet", "nl", 14, "A")
        g, c, tr = h.group("woningcorporatie"), h.group("coordinator"), h.tr("nl")
        await composed(h)
        jan = h.staff("woningcorporatie", "Jan")
        await jan.press_newest("❌ " + tr._("Stop"))
        stopped = tr._("The announcement was not sent.") + " " + tr._("Stopped by {name}.",
                                                                      name="Jan")
        assert g.texts()[-1] == stopped
        await h.staff("coordinator", "Noor").press(waiting(h, c.chat_id), "✅ " + tr._("Approve"))
        assert h.fake.alerts[-1]["text"] == tr._(
            "This announcement was stopped by {name}. It was not sent.", name="Jan")
        assert (await rows(h))[0][0] == "stopped" and (await rows(h))[0][5] == "Jan"
        await h.deliver()
        assert "📣" not in piet.last_text
        assert await h.store.db.fetchall(
            "SELECT 1 FROM outbox WHERE purpose = 'broadcast'") == []


async def test_nobody_approves_a_reminder_after_a_day_and_it_lapses_after_a_week(
        tmp_path: Path, site: SiteConfig) -> None:
    async with BotHarness.start(tmp_path / "bot.db", site, clock=Clock()) as h:  # Mon 10:00
        piet = await linked(h, "Piet", "nl", 14, "A")
        g, c, tr = h.group("woningcorporatie"), h.group("coordinator"), h.tr("nl")
        await composed(h)
        h.clock.advance(hours=23)
        await h.sweep()
        assert "⏳ " + tr._("Waiting for a second person to approve: someone else in this "
                           "group, or the coordinator.") == g.texts()[-1]  # nothing new yet
        h.clock.advance(hours=1)
        await h.sweep()
        lapses = tr.date(datetime(2026, 3, 9, 10, 0, tzinfo=AMS))
        reminder = "⏳ " + tr._("The announcement by {name} still waits for a second person to "
                               "approve it. If nobody approves it by {date}, it is not sent.",
                               name="Els", date=lapses)
        assert g.texts()[-1] == reminder and c.texts()[-1] == reminder
        assert g.buttons(g.messages()[-1]) == ["✅ " + tr._("Approve"), "❌ " + tr._("Stop")]
        h.clock.advance(days=6)
        await h.sweep()
        lapsed = "⌛ " + tr._("The announcement by {name} was not sent: nobody approved it "
                             "within a week.", name="Els")
        assert g.texts()[-1] == lapsed and c.texts()[-1] == lapsed
        assert (await rows(h))[0][0] == "stopped"
        await approve(h)  # a button pressed after it lapsed
        assert h.fake.alerts[-1]["text"] == tr._(
            "Nobody approved this announcement within a week. It was not sent.")
        await h.deliver()
        assert "📣" not in piet.last_text
        assert sum(t == reminder for t in g.texts()) == 1  # reminded once


async def test_approved_in_time_nothing_reminds_or_lapses(tmp_path: Path,
                                                         site: SiteConfig) -> None:
    async with BotHarness.start(tmp_path / "bot.db", site, clock=Clock()) as h:
        piet = await linked(h, "Piet", "nl", 14, "A")
        g = h.group("woningcorporatie")
        await composed(h)
        await approve(h)
        before = len(g.texts())
        h.clock.advance(days=8)
        await h.sweep()
        assert not [t for t in g.texts()[before:] if t.startswith(("⏳", "⌛"))]
        assert piet.last_text == "📣 Morgen geen water." and (await rows(h))[0][0] == "sent"


async def test_a_waiting_announcement_survives_a_restart(tmp_path: Path,
                                                         site: SiteConfig) -> None:
    db = tmp_path / "bot.db"
    async with BotHarness.start(db, site, clock=Clock()) as h:
        piet = await linked(h, "Piet", "nl", 14, "A")
        await composed(h)
        fake = h.fake
    async with BotHarness.start(db, site, clock=Clock(), fake=fake) as h2:
        await approve(h2)
        assert fake.sent_to(piet.chat_id)[-1]["text"] == "📣 Morgen geen water."
        assert (await rows(h2))[0][0] == "sent"


async def test_written_in_the_coordinator_group_another_coordinator_approves(
        tmp_path: Path, site: SiteConfig) -> None:
    """Only someone else of the coordinator group may approve it: a forged Approve pressed in
    the housing corporation's group is refused and changes nothing."""
    async with BotHarness.start(tmp_path / "bot.db", site, clock=Clock()) as h:
        piet = await linked(h, "Piet", "nl", 14, "A")
        c, tr = h.group("coordinator"), h.tr("nl")
        noor = h.staff("coordinator", "Noor")
        await noor.send("/broadcast")
        await noor.press_newest("Zambesidreef")
        await noor.press_newest(tr._("Whole building") + ": " + tr._("one text for all"))
        await noor.send("Morgen geen water.")
        await noor.press_newest(tr._("Send"))
        assert c.texts()[-1] == "⏳ " + tr._(
            "Waiting for a second person to approve: someone else in this group.")
        [row] = await h.store.db.fetchall("SELECT id FROM broadcasts")
        fatima = h.staff("woningcorporatie", "Fatima")
        await h.feed(h.updates.press_data(fatima.person, fatima.group.chat_id, 1,
                                          f"v1:bc:ok:{row[0]}"))
        assert h.fake.alerts[-1]["text"] == tr._("This button does not work here.")
        assert (await rows(h))[0][0] == "waiting" and "📣" not in piet.last_text
        await approve(h, "Mila", partner="coordinator")
        assert piet.last_text == "📣 Morgen geen water."
        assert "✅ " + tr._("Written by {composer}, approved by {approver}.", composer="Noor",
                           approver="Mila") in c.texts()[-1]
