"""Fault tests: a burst of reports while Telegram fails (502/503, timeouts, 429) or shuts the bot
out of a group. Whatever happens, every outbox message (cards, photos, warnings) arrives exactly
once in the end, and retries keep the delays Telegram asked for.

In-process: the real Application (BotHarness) against the fake Bot API, with a clock the test
moves, so the retry delays (2, 4, 8 ... s, retry_after) pass without sleeping.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config import SiteConfig
from bot.store.clock import SimClock
from bot.testing.fake_api import ApiCall, FakeBotAPI, Fault
from bot.testing.harness import BotHarness, ResidentChat

GROUP = -1001000000001  # woningcorporatie: noise reports go there
COORDINATOR = -1001000000009
CARD = re.compile(r"🆕 #(M-\d{4}) ")


START = datetime(2026, 3, 10, 9, 0, 0, tzinfo=UTC)


def Clock() -> SimClock:
    """Moved by hand. Starts on a whole second at 10:00 in Utrecht (outside quiet hours)."""
    return SimClock(START)


class GroupFaults(FakeBotAPI):
    """Faults that hit only requests to group chats: the outbox's cards and photos fail while
    the residents' own conversation (private chats) goes on undisturbed."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.group_faults: list[tuple[str, Fault]] = []

    def inject_group(self, method: str, fault: Fault, times: int = 1) -> None:
        self.group_faults.extend((method, fault) for _ in range(times))

    async def do_request(self, url: str, method: str, request_data: Any = None,
                         *args: Any, **kw: Any) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        chat_id = (request_data.parameters if request_data else {}).get("chat_id")
        if isinstance(chat_id, int) and chat_id < 0:
            for index, (wanted, fault) in enumerate(self.group_faults):
                if wanted in (name, "*"):
                    del self.group_faults[index]
                    self.inject(name, fault)  # through the fake's own fault machinery
                    break
        return await super().do_request(url, method, request_data, *args, **kw)


@pytest.fixture
def clock() -> SimClock:
    return Clock()


def new_fake(site: SiteConfig, clock: SimClock, cls: type[FakeBotAPI] = FakeBotAPI) -> Any:
    # the fake records call times on the same clock, so delays can be checked on its call log
    fake = cls(clock=lambda: clock.now.timestamp())
    for partner in site.partners:
        fake.add_group(partner.chat_id, partner.name)
    return fake


@pytest.fixture
async def h(tmp_path: Path, site: SiteConfig, clock: SimClock) -> AsyncIterator[BotHarness]:
    async with BotHarness.start(tmp_path / "bot.db", site, clock=clock,
                                fake=new_fake(site, clock)) as harness:
        yield harness


# ----------------------------------------------------------------------------- helpers
async def report(h: BotHarness, name: str, user_id: int) -> ResidentChat:
    """/start, English, a noise report with a text and a photo, anonymous, sent."""
    tr = h.tr("en")
    chat = await h.onboard(name, "en", user_id=user_id)
    await chat.tap_menu(tr._("Report a problem"))
    await chat.press(tr._("Noise"))
    await chat.send(f"Loud music every night ({name})")
    await chat.photo()
    await chat.press(tr._("Next"))
    await chat.press(tr._("Skip"))
    await chat.press(tr._("Anonymous"))
    await chat.press(tr._("Send"))
    return chat


async def burst(h: BotHarness, count: int,
                between: Callable[[int], Awaitable[None]] | None = None) -> list[ResidentChat]:
    chats = []
    for i in range(count):
        if between is not None:
            await between(i)
        chats.append(await report(h, f"Resident{i}", 7300001 + i))
    return chats


def photo_of(h: BotHarness, chat: ResidentChat) -> str:
    [msg] = [m for m in h.fake.messages(chat.chat_id) if "photo" in m]
    return str(msg["photo"][-1]["file_id"])


async def next_sendable(h: BotHarness) -> datetime | None:
    """When the next item can go: the due time of the head of each chat's queue."""
    return await h.store.outbox.next_due()


async def deliver_all(h: BotHarness, clock: SimClock, max_rounds: int = 200) -> int:
    """Deliver, move the clock to the next due time, again, until nothing is pending."""
    for rounds in range(max_rounds):
        await h.deliver()
        due = await next_sendable(h)
        if due is None:
            return rounds
        clock.now = max(clock.now, due)
    raise AssertionError(f"outbox still pending after {max_rounds} rounds: "
                         f"{await h.store.outbox.counts()}")


async def assert_each_ticket_delivered_once(h: BotHarness, chats: list[ResidentChat]) -> None:
    tr = h.tr("en")
    refs = {}
    for chat in chats:
        [ticket] = await h.store.tickets.for_resident(chat.person.id)
        refs[ticket.ref] = photo_of(h, chat)
        # the resident's conversation was not disturbed: no apology, and their number
        assert tr._("Your number is {ref}. Keep it.", ref=ticket.ref) in "\n".join(
            h.fake.texts(chat.chat_id))
        assert "Sorry, something went wrong" not in "\n".join(h.fake.texts(chat.chat_id))
    group = h.fake.sent_to(GROUP)
    cards = Counter(m.group(1) for m in (CARD.match(str(x.get("text", ""))) for x in group) if m)
    assert cards == Counter(dict.fromkeys(refs, 1)), cards
    photos = Counter(str(x["photo"][-1]["file_id"]) for x in group if "photo" in x)
    assert photos == Counter(dict.fromkeys(refs.values(), 1)), photos
    # each photo hangs under its own ticket's card
    card_ids = {CARD.match(str(x.get("text", ""))).group(1): x["message_id"]  # type: ignore[union-attr]
                for x in group if CARD.match(str(x.get("text", "")))}
    for msg in (x for x in group if "photo" in x):
        ref = next(r for r, f in refs.items() if f == msg["photo"][-1]["file_id"])
        assert msg["reply_to_message"]["message_id"] == card_ids[ref]
    assert await h.store.outbox.counts() == {"sent": len(await outbox_rows(h))}


async def outbox_rows(h: BotHarness) -> list[Any]:
    return list(await h.store.db.fetchall("SELECT id, status, attempts FROM outbox"))


def failed(h: BotHarness) -> list[ApiCall]:
    return [c for c in h.fake.calls if not c.ok]


def assert_delays_kept(calls: list[ApiCall]) -> None:
    """After a failed send to a chat, the next send to that chat waited as long as it should:
    retry_after for 429, at least 2 s of back-off for timeouts and 5xx."""
    sends = [c for c in calls if c.method in ("sendMessage", "sendPhoto") and c.chat_id]
    for index, call in enumerate(sends):
        if call.ok:
            continue
        later = next((c for c in sends[index + 1:] if c.chat_id == call.chat_id), None)
        assert later is not None, f"no retry after {call}"
        match = re.search(r"retry after (\d+)", call.error or "")
        wait = int(match.group(1)) if match else 2
        assert later.at - call.at >= wait, (call, later)


# ----------------------------------------------------------------------------- tests
async def test_burst_then_502s_timeouts_and_429s_deliver_everything_once(
        h: BotHarness, clock: SimClock, monkeypatch: pytest.MonkeyPatch) -> None:
    async def hold() -> None:  # the worker is behind: the cards pile up in the outbox
        pass

    monkeypatch.setattr(h, "deliver", hold)
    chats = await burst(h, 10)
    monkeypatch.undo()
    assert await h.store.outbox.counts() == {"pending": 10}

    # a storm up front (these hit the first card again and again: the back-off grows) ...
    faults = [("*", Fault.server_error(502), 5), ("sendMessage", Fault.retry_after(1), 3),
              ("sendPhoto", Fault.timeout(), 3), ("*", Fault.server_error(503), 2)]
    for method, fault, times in faults:
        h.fake.inject(method, fault, times=times)
    # ... then, one item at a time, a fault for some items, so they spread over many of them
    rng = random.Random(1234)
    kinds = [Fault.retry_after(2), Fault.timeout(), Fault.server_error(504),
             Fault.retry_after(1), Fault.server_error(502)]
    faulted: set[int] = set()
    rounds = 0
    while (rounds := rounds + 1) < 500:
        head = await h.store.outbox.due(1)
        if not head:
            due = await next_sendable(h)
            if due is None:
                break
            clock.now = max(clock.now, due)
            continue
        method = "sendPhoto" if head[0].method == "file" else "sendMessage"
        unmet = [m for m, _ in h.fake._faults if m in (method, "*")]
        if head[0].id not in faulted and not unmet and rng.random() < 0.4:
            h.fake.inject(method, rng.choice(kinds))  # this item's next attempt meets it
            faulted.add(head[0].id)
        await h.services.delivery.run_once(limit=1)
    assert not h.fake._faults and len(faulted) >= 5
    assert len(failed(h)) == sum(times for _, _, times in faults) + len(faulted)
    assert {c.method for c in failed(h)} == {"sendMessage", "sendPhoto"}
    await assert_each_ticket_delivered_once(h, chats)
    assert_delays_kept(h.fake.calls)
    retried = [r for r in await outbox_rows(h) if r["attempts"] > 1]
    assert len(retried) > 5 and rounds > 10
    print(f"{len(failed(h))} faults met, {len(retried)} items retried, {rounds} delivery rounds, "
          f"{(clock.now - START).total_seconds():.0f} s of simulated time")


async def test_faults_during_the_burst_hit_the_outbox_not_the_residents(
        tmp_path: Path, site: SiteConfig, clock: SimClock) -> None:
    rng = random.Random(1234)
    kinds = [Fault.server_error(502), Fault.server_error(503), Fault.timeout(),
             Fault.retry_after(1), Fault.retry_after(2)]
    fake = new_fake(site, clock, GroupFaults)
    injected = 0

    async def trouble(i: int) -> None:
        nonlocal injected
        clock.advance(rng.randint(1, 3))  # time passes between reports: some retries fall due
        for _ in range(rng.randint(1, 3)):
            fake.inject_group(rng.choice(["*", "sendMessage", "sendPhoto"]), rng.choice(kinds))
            injected += 1

    async with BotHarness.start(tmp_path / "bot.db", site, clock=clock, fake=fake) as h:
        chats = await burst(h, 10, between=trouble)
        await deliver_all(h, clock)
        consumed = injected - len(fake.group_faults)
        assert consumed == len(failed(h)) > 10
        print(f"{injected} group faults injected, {consumed} met, "
              f"{(clock.now - START).total_seconds():.0f} s of simulated time")
        assert all(c.chat_id == GROUP for c in failed(h))
        fake.group_faults.clear()  # left over: no group message was still to be sent
        await assert_each_ticket_delivered_once(h, chats)
        assert_delays_kept(fake.calls)


async def test_kicked_from_the_group_then_retry_delivers_each_card_once(
        h: BotHarness, clock: SimClock) -> None:
    nl = h.tr("nl")
    h.fake.chats[GROUP].bot_status = "kicked"
    chats = await burst(h, 3)
    tickets = [(await h.store.tickets.for_resident(c.person.id))[0] for c in chats]

    # nothing reached the group; each card is kept and the coordinator is told, once per card
    assert h.fake.sent_to(GROUP) == []
    assert await h.store.outbox.counts() == {"undeliverable": 3, "sent": 3}
    warnings = h.fake.texts(COORDINATOR)
    assert len(warnings) == 3
    for ticket, warning in zip(tickets, warnings, strict=True):
        head, tail = nl._(
            "⚠️ {ref}: the bot cannot post in the group of {partner} ({reason}). "
            "The message is kept; fix the group, then send /retry here.",
            ref=f"#{ticket.ref}", partner="Woningcorporatie", reason="\0").split("\0")
        assert warning.startswith(head) and warning.endswith(tail), warning
        assert "kicked" in warning

    boss = h.staff("coordinator", "Petra")
    # /retry before the group is fixed: still kept, warned again, nothing doubled
    await boss.send("/retry")
    await deliver_all(h, clock)
    assert h.fake.sent_to(GROUP) == []
    assert (await h.store.outbox.counts())["undeliverable"] == 3
    again = nl.ngettext("{n} message will be sent again.", "{n} messages will be sent again.", 3)
    texts = h.fake.texts(COORDINATOR)
    assert texts[:4] == [*warnings, again] and texts[4:] == warnings

    # the bot is added back; /retry sends each card, and then its photo, exactly once
    h.fake.chats[GROUP].bot_status = "administrator"
    await boss.send("/retry")
    await deliver_all(h, clock)
    assert h.fake.texts(COORDINATOR)[7:] == [again]  # and no new warning
    await assert_each_ticket_delivered_once(h, chats)


async def test_the_worker_sleeps_while_the_head_of_a_chat_backs_off(
        h: BotHarness, clock: SimClock, monkeypatch: pytest.MonkeyPatch) -> None:
    async def hold() -> None:
        pass

    monkeypatch.setattr(h, "deliver", hold)
    await burst(h, 2)  # two cards for the same group
    monkeypatch.undo()
    h.fake.inject("sendMessage", Fault.server_error(502))
    await h.deliver()  # the first card fails and backs off 2 s; the second waits behind it
    assert await h.store.outbox.counts() == {"pending": 2}
    assert await h.services.delivery._idle() >= 1.9
