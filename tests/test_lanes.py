"""Chats in lanes: the durable poller handles different chats side by side and each chat's
updates in order (bot/messaging/poller.py).

The real Application and poller against the fake Bot API; a Bot API call that hangs
(Fault.hang) in one resident's chat stands for Telegram not answering within the read
timeout. The hang lasts until the test releases it, so nothing depends on how fast the machine
is; every wait is bounded by the event loop's clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.config import SiteConfig
from bot.messaging.poller import DurablePoller, Lanes
from bot.store.db import Database
from bot.testing.fake_api import Fault
from bot.testing.harness import BotHarness, ResidentChat

WITHIN = 5.0  # seconds any expected change may take on a loaded machine


async def until(condition: Callable[[], bool], within: float = WITHIN) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while not condition():
        if loop.time() > end:
            raise AssertionError("waited in vain")
        await asyncio.sleep(0.01)


async def stays(condition: Callable[[], bool], seconds: float = 0.3) -> bool:
    """True if `condition` holds all through `seconds` (the poller had time to break it)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        if not condition():
            return False
        await asyncio.sleep(0.01)
    return True


class Polling:
    """A poller running on the harness's app, as `buurtbot run` runs one."""

    def __init__(self, h: BotHarness, lanes: int, grace: float = 1.0) -> None:
        self.h = h
        self.poller = DurablePoller(h.app, h.store.inbox, timeout=0, after_update=h.deliver,
                                    lanes=lanes, grace=grace)
        self.task: asyncio.Task[None] | None = None

    def __enter__(self) -> Polling:
        self.task = asyncio.create_task(self.poller.run())
        return self

    def __exit__(self, *exc: object) -> None:
        self.poller.stop()

    async def stop(self) -> float:
        """Stop and wait; returns how long the stop took (the event loop's clock)."""
        assert self.task is not None
        loop = asyncio.get_running_loop()
        asked = loop.time()
        self.poller.stop()
        await asyncio.wait_for(self.task, WITHIN)
        return loop.time() - asked


def say(h: BotHarness, chat: ResidentChat, text: str) -> int:
    """The resident sends a message; it reaches the bot through getUpdates."""
    return h.updates.queue(h.updates.text(chat.person, text)).update_id


def answers(h: BotHarness, chat: ResidentChat) -> int:
    return len(h.fake.sent_to(chat.chat_id))


async def describing(h: BotHarness, name: str, user_id: int) -> ResidentChat:
    """A resident at the step of a noise report where each message adds to the description."""
    chat = await h.onboard(name, "en", user_id=user_id)
    tr = h.tr("en")
    await chat.tap_menu(tr._("Report a problem"))
    await chat.press(tr._("Noise"))
    return chat


async def texts_of(h: BotHarness, chat: ResidentChat) -> list[str]:
    draft = await h.store.drafts.get(chat.person.id)
    return list(draft.data.get("texts", [])) if draft else []


@pytest.fixture
async def two(h: BotHarness) -> AsyncIterator[tuple[ResidentChat, ResidentChat]]:
    amina = await h.onboard("Amina", "en", user_id=6100001)
    bram = await h.onboard("Bram", "en", user_id=6100002)
    yield amina, bram
    h.fake.release_hangs()


@pytest.mark.parametrize("lanes", [1, 4])
async def test_a_hang_in_one_chat_holds_up_no_other_chat(
        h: BotHarness, two: tuple[ResidentChat, ResidentChat], lanes: int) -> None:
    amina, bram = two
    before_a, before_b = answers(h, amina), answers(h, bram)
    h.fake.inject("sendMessage", Fault.hang().in_chat(amina.chat_id))
    say(h, amina, "/start")  # first in line: her menu's sendMessage hangs
    say(h, bram, "/start")
    with Polling(h, lanes) as polling:
        await until(lambda: h.fake.hanging == 1)
        if lanes == 1:  # one at a time: Bram waits behind Amina's hanging call
            assert await stays(lambda: answers(h, bram) == before_b)
        else:
            await until(lambda: answers(h, bram) == before_b + 1)
            assert h.fake.hanging == 1 and answers(h, amina) == before_a  # she still waits
        h.fake.release_hangs()  # Telegram's read timeout: her answer is sent again
        await until(lambda: answers(h, amina) == before_a + 1
                    and answers(h, bram) == before_b + 1)
        await polling.stop()
    assert await h.store.inbox.pending() == []


async def test_a_chats_updates_keep_their_order_across_batches(h: BotHarness) -> None:
    amina = await describing(h, "Amina", 6100011)
    bram = await describing(h, "Bram", 6100012)
    sends = lambda: h.fake.calls_to(amina.chat_id, "sendMessage")  # noqa: E731
    tried, sent = len(sends()), sum(c.ok for c in sends())
    h.fake.inject("sendMessage", Fault.hang().in_chat(amina.chat_id))
    say(h, amina, "one")  # added to her description, then its answer hangs
    say(h, amina, "two")
    say(h, bram, "first")
    with Polling(h, lanes=4) as polling:
        await until(lambda: h.fake.hanging == 1)
        offsets = lambda: [c.params.get("offset") or 0 for c in h.fake.calls  # noqa: E731
                           if c.method == "getUpdates"]
        confirmed = max(offsets())
        say(h, amina, "three")  # a later batch, while her first message is being handled
        say(h, bram, "second")
        await until(lambda: max(offsets()) > confirmed)
        # Bram goes on; nothing of Amina's overtakes her first message
        await until(lambda: len(h.fake.calls_to(bram.chat_id, "sendMessage")) >= tried + 2)
        assert await texts_of(h, bram) == ["first", "second"]
        assert await stays(lambda: len(sends()) == tried + 1)
        assert await texts_of(h, amina) == ["one"]
        h.fake.release_hangs()
        await until(lambda: sum(c.ok for c in sends()) == sent + 3)
        await polling.stop()
    assert await texts_of(h, amina) == ["one", "two", "three"]
    assert await h.store.inbox.pending() == []


async def test_a_stop_mid_lane_leaves_the_rest_in_the_inbox_and_a_restart_replays_it(
        tmp_path: Path, site: SiteConfig) -> None:
    db = tmp_path / "bot.db"
    async with BotHarness.start(db, site) as h:
        amina = await describing(h, "Amina", 6100021)
        bram = await describing(h, "Bram", 6100022)
        h.fake.inject("sendMessage", Fault.hang().in_chat(amina.chat_id))  # never answers
        one, two = say(h, amina, "one"), say(h, amina, "two")
        say(h, bram, "first")
        with Polling(h, lanes=4, grace=0.2) as polling:
            await until(lambda: h.fake.hanging == 1)
            await until(lambda: answers(h, bram) >= 4)
            took = await polling.stop()  # SIGTERM while Amina's call hangs
        assert took < 1.0  # the grace, then her handler is cut off: not the 5 s read timeout
        assert [u for u, _ in await h.store.inbox.pending()] == [one, two]
        assert await texts_of(h, bram) == ["first"]
        fake = h.fake
    async with BotHarness.start(db, site, fake=fake) as h2:  # the next start
        with Polling(h2, lanes=4) as polling:
            await until(lambda: fake.hanging == 0)
            await asyncio.wait_for(_handled(h2), WITHIN)
            await polling.stop()
        # each message once, in order: "one" was saved before its answer hung, and is not
        # added again when it is handled again
        assert await texts_of(h2, amina) == ["one", "two"]
        assert await texts_of(h2, bram) == ["first"]


async def _handled(h: BotHarness) -> None:
    while await h.store.inbox.pending():
        await asyncio.sleep(0.01)


async def test_no_more_than_the_lanes_run_at_once(h: BotHarness) -> None:
    people = [await h.onboard(f"R{i}", "en", user_id=6100031 + i) for i in range(4)]
    before = [answers(h, c) for c in people]
    for chat in people:
        h.fake.inject("sendMessage", Fault.hang().in_chat(chat.chat_id))
        say(h, chat, "/start")
    with Polling(h, lanes=2) as polling:
        await until(lambda: h.fake.hanging == 2)
        assert await stays(lambda: h.fake.hanging == 2)  # the other two wait for a lane
        h.fake.release_hangs()  # the first two time out, are answered, and free their lanes
        await until(lambda: not h.fake._faults and h.fake.hanging == 2)
        h.fake.release_hangs()
        await until(lambda: [answers(h, c) for c in people] == [n + 1 for n in before])
        await polling.stop()
    assert h.fake.most_hanging == 2
    assert await h.store.inbox.pending() == []


async def test_work_sharing_a_key_waits_for_the_earlier_one() -> None:
    """The scheduler alone: a person's update in a group waits for their private one."""
    lanes, done = Lanes(8), []
    gate = asyncio.Event()

    async def work(name: str, wait: bool = False) -> None:
        if wait:
            await gate.wait()
        done.append(name)

    lanes.add({501}, lambda: work("private", wait=True))  # Amina's chat (= her id)
    lanes.add({-100, 501}, lambda: work("group"))  # Amina in a group: waits for her
    lanes.add({-100, 502}, lambda: work("group, Bram"))  # same group: waits for the group
    lanes.add({503}, lambda: work("other"))  # nobody else: goes at once
    await until(lambda: done == ["other"])
    assert await stays(lambda: done == ["other"], 0.1)
    gate.set()
    await asyncio.wait_for(asyncio.gather(*lanes.tasks), WITHIN)
    assert done == ["other", "private", "group", "group, Bram"]


async def test_a_transaction_cut_off_at_its_begin_leaves_the_database_usable(
        tmp_path: Path) -> None:
    """A stop cancels a handler wherever it waits, also while its BEGIN waits its turn on
    aiosqlite's thread (bot/store/db.py): the next transaction must still work."""
    db = await Database.open(tmp_path / "x.db")
    try:
        async def write() -> None:
            async with db.transaction() as tx:
                await tx.execute("CREATE TABLE IF NOT EXISTS t (x)")

        for _ in range(20):
            task = asyncio.create_task(write())
            for _ in range(2):  # it has taken the lock and waits for BEGIN
                await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            async with db.transaction() as tx:  # would fail: a transaction within a transaction
                await tx.execute("SELECT 1")
    finally:
        await db.close()
