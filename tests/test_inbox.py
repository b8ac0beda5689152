"""The durable inbox: stored before confirmed, replayed after a crash, never applied twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.config import SiteConfig
from bot.messaging.poller import DurablePoller
from bot.testing.harness import BotHarness


async def test_updates_are_stored_then_confirmed_and_handled_once(tmp_path: Path,
                                                                  site: SiteConfig) -> None:
    async with BotHarness.start(tmp_path / "b.db", site) as h:
        person = h.resident("Amina", "ar").person
        for text in ("/start", "hallo"):
            h.updates.queue(h.updates.text(person, text))
        poller = DurablePoller(h.app, h.store.inbox, timeout=0, after_update=h.deliver)
        task = asyncio.create_task(poller.run())
        for _ in range(100):
            await asyncio.sleep(0.02)
            confirmed = any(c.method == "getUpdates" and c.params.get("offset") == 3
                            for c in h.fake.calls)
            if len(h.fake.sent_to(person.id)) >= 2 and confirmed:
                break
        poller.stop()
        await asyncio.wait_for(task, 5)
        assert await h.store.inbox.pending() == []
        rows = await h.store.db.fetchall("SELECT update_id, payload FROM inbox")
        assert len(rows) == 2 and all(r["payload"] == "" for r in rows)  # words not kept
        offsets = [c.params.get("offset") for c in h.fake.calls if c.method == "getUpdates"]
        assert offsets[0] is None and max(o or 0 for o in offsets) == 3  # batch confirmed after


async def test_a_crash_before_handling_is_replayed_without_doubling(tmp_path: Path,
                                                                   site: SiteConfig) -> None:
    db = tmp_path / "b.db"
    async with BotHarness.start(db, site) as h:
        noor = await h.onboard("Noor", "nl", user_id=777)
        tr = h.tr("nl")
        await noor.tap_menu(tr._("Report a problem"))
        await noor.press(tr._("Noise"))
        # the next message reached the inbox, then the process died before handling it
        update = h.updates.text(noor.person, "Harde muziek")
        await h.store.inbox.add_all([update.to_dict()])
        send_update = None
        fake = h.fake
    async with BotHarness.start(db, site, fake=fake) as h2:
        poller = DurablePoller(h2.app, h2.store.inbox, after_update=h2.deliver)
        assert await poller.replay() == 1
        draft = await h2.store.drafts.get(777)
        assert draft is not None and draft.data["texts"] == ["Harde muziek"]
        # the same update again (Telegram resent the unconfirmed batch): nothing changes
        await h2.app.process_update(update)
        draft = await h2.store.drafts.get(777)
        assert draft is not None and draft.data["texts"] == ["Harde muziek"]
        assert send_update is None


async def test_replayed_send_press_makes_no_second_ticket(tmp_path: Path, site: SiteConfig) -> None:
    async with BotHarness.start(tmp_path / "b.db", site) as h:
        jan = await h.onboard("Jan", "nl")
        tr = h.tr("nl")
        summary = await jan.report_summary(text="Boren")
        press = h.updates.press(jan.person, summary, "✅ " + tr._("Send"))
        await h.feed(press)
        await h.feed(press)  # replay of the very same update
        assert len(await h.store.tickets.for_resident(jan.person.id)) == 1
        cards = [t for t in h.group("woningcorporatie").texts() if t.startswith("🆕 #M-0001 ")]
        assert len(cards) == 1
