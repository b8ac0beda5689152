"""The overall send limit: a rolling second, as Telegram counts, wired into PTB's limiter."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.config import SiteConfig
from bot.messaging.ratelimit import RateLimiter, RollingWindow
from bot.services import broadcast
from bot.store.homes import NewHome
from bot.testing.fake_api import FakeBotAPI
from bot.testing.harness import WORKDAY_11, BotHarness


async def stamps_of(window: RollingWindow, count: int) -> list[float]:
    loop = asyncio.get_running_loop()
    got: list[float] = []

    async def one() -> None:
        async with window:
            got.append(loop.time())

    await asyncio.gather(*(one() for _ in range(count)))
    return got


async def test_never_more_than_the_limit_in_any_window() -> None:
    window = RollingWindow(4, period=0.2)
    stamps = await stamps_of(window, 13)
    assert stamps == sorted(stamps)  # first come, first served
    for first, fifth in zip(stamps, stamps[4:], strict=False):
        assert fifth - first >= 0.2 - 1e-3


async def test_a_stalled_loop_does_not_cost_the_slots_it_missed() -> None:
    """A leaky bucket of one would space these 0.2 s apart even after the stall; the window
    knows the last second held nothing and lets them go at once."""
    window = RollingWindow(5, period=1.0)
    await stamps_of(window, 5)
    time.sleep(1.05)  # the event loop is blocked (a slow disk, a busy machine)
    after = await stamps_of(window, 5)
    assert after[-1] - after[0] < 0.5


@pytest.mark.slow  # about 10 s of real-time pacing
async def test_the_bot_paces_sends_through_the_rolling_window(tmp_path: Path,
                                                              site: SiteConfig) -> None:
    # the fake's clock runs (its per-chat limit ages as on Telegram), from the tests' moment;
    # `now` moves it on by hand as well
    now, began = [WORKDAY_11.timestamp()], time.monotonic()
    fake = FakeBotAPI(enforce_limits=True, clock=lambda: now[0] + time.monotonic() - began)
    for partner in site.partners:
        fake.add_group(partner.chat_id, partner.name)
    async with BotHarness.start(tmp_path / "bot.db", site, fake=fake, rate_limit=True) as h:
        limiter = h.app.bot.rate_limiter
        assert isinstance(limiter, RateLimiter)
        # PTB enters `_base_limiter` around each private send: if a PTB release renamed it, the
        # window would silently do nothing, so look at what it counted
        window = limiter._base_limiter
        assert isinstance(window, RollingWindow)
        await h.store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", n, "", "A", 1)
                                    for n in (1, 2, 3)])
        homes = await h.store.homes.in_building("zambesidreef")
        codes = await h.store.homes.codes_for(homes)
        for index, home in enumerate(homes):
            chat = await h.onboard(f"R{index}", "nl")
            await chat.send(codes[home.id])
        now[0] += 2  # a while after the last one linked (Telegram allows 1 message/s per chat)
        counted, hits = window.passed, sum(fake.limit_hits.values())
        await broadcast.start(h.store.db, h.services.clock(), chat_id=-1001000000001,
                              thread_id=None, target=broadcast.Target("zambesidreef"),
                              texts={"nl": "Let op"}, fallback="nl", created_by="test")
        await h.deliver()
        assert window.passed >= counted + 3  # the three announcements at least
        assert sum(fake.limit_hits.values()) == hits  # no 429 for the announcement
