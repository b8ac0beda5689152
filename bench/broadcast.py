"""Benchmark: a broadcast to N linked residents through the real delivery path (outbox worker +
AIORateLimiter) against a fake Bot API that enforces Telegram's limits (30 messages/s overall,
1/s per chat, 429 with retry_after when exceeded).

    python3 bench/broadcast.py [--residents 10000] [--translate]

Prints messages per second against the 30/s limit, 429s received, duplicates and lost messages.
Target: at least 27 messages per second, 0 lost, 0 duplicates.

With --translate the Turkish and English residents get the Dutch text machine translated (a
fake LibreTranslate on 127.0.0.1 answering after 50 ms), as the composer does before its
preview; printed: how long the preview waits with the service up, and with it down (bounded by
the service's time limit, all languages asked at once). Delivery is the same outbox path.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import EXAMPLE_SITE_CONFIG, SiteConfig, Translation, load_site_config
from bot.services import broadcast
from bot.store import Store
from bot.store.clock import RunningClock
from bot.testing.fake_api import FakeBotAPI
from bot.testing.fake_translate import FakeTranslateServer
from bot.testing.harness import WORKDAY_11, BotHarness, workday_clock


async def seed(db: Path, count: int) -> None:
    store = await Store.open(db, workday_clock())
    await store.close()
    conn = sqlite3.connect(db)
    now = "2026-03-02T09:00:00+00:00"
    langs = ["nl", "ar", "tr", "en"]
    conn.executemany("INSERT INTO residents VALUES (?, ?, '{}', ?, ?)",
                     [(40_000_000 + i, langs[i % 4], now, now) for i in range(count)])
    conn.executemany("INSERT INTO homes (id, building, street, number, stairwell, floor)"
                     " VALUES (?, 'zambesidreef', 'Zambesidreef', ?, 'A', 1)",
                     [(i + 1, i + 1) for i in range(count)])
    conn.executemany("INSERT INTO home_residents VALUES (?, ?, ?)",
                     [(i + 1, 40_000_000 + i, now) for i in range(count)])
    conn.commit()
    conn.close()


LATENCY = 0.05  # the fake translation service's answer time
TIME_LIMIT = 1.0  # the translation adapter's time limit here


async def translated(h: BotHarness, server: FakeTranslateServer, texts: dict[str, str]
                     ) -> dict[str, broadcast.Version]:
    """What the composer does before its preview, timed: up, then (another text, so the cache
    does not answer) with the service down."""
    langs = ["nl", "ar", "tr", "en"]
    start = time.perf_counter()
    versions = await broadcast.translate(h.store, h.services.translator, texts=texts,
                                         source="nl", langs=langs)
    up = time.perf_counter() - start
    server.fail("timeout")
    start = time.perf_counter()
    down = await broadcast.translate(h.store, h.services.translator,
                                     texts={"nl": "Een andere tekst."}, source="nl", langs=langs)
    waited = time.perf_counter() - start
    server.fail(None)
    failed = sorted(lang for lang, v in down.items() if v.failed)
    print(f"preview translation: {up * 1000:.0f} ms for tr+en (service latency "
          f"{LATENCY * 1000:.0f} ms); service down: {waited * 1000:.0f} ms (time limit "
          f"{TIME_LIMIT * 1000:.0f} ms), not translated: {', '.join(failed)}")
    return versions


def with_translation(site: SiteConfig, server: FakeTranslateServer) -> SiteConfig:
    server.latency = LATENCY
    return site.model_copy(update={"translation": Translation(
        provider="libretranslate", url=server.url, timeout=TIME_LIMIT)})


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--translate", action="store_true")
    args = parser.parse_args()
    site = load_site_config(EXAMPLE_SITE_CONFIG)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        server = stack.enter_context(FakeTranslateServer()) if args.translate else None
        if server is not None:
            site = with_translation(site, server)
        db = Path(tmp) / "bench.db"
        await seed(db, args.residents)
        # Pacing is measured in real time, so the bot and the fake Telegram share a clock that
        # runs at real speed, from the working day's 11:00 (never in the residents' quiet hours).
        clock = RunningClock(WORKDAY_11)
        fake = FakeBotAPI(enforce_limits=True, clock=clock.timestamp)
        for partner in site.partners:
            fake.add_group(partner.chat_id, partner.name)
        for i in range(args.residents):
            fake.register_user(40_000_000 + i, f"R{i}")
        async with BotHarness.start(db, site, clock=clock, fake=fake, rate_limit=True) as h:
            texts = {"nl": "Morgen is het water afgesloten.", "ar": "غدًا سيُقطع الماء."}
            versions = await translated(h, server, texts) if server is not None else None
            await broadcast.start(h.store.db, h.services.clock(), chat_id=-1001000000001,
                                  thread_id=None, target=broadcast.Target("zambesidreef"),
                                  texts=texts, fallback="nl", created_by="bench",
                                  versions=versions, i18n=h.services.i18n)
            sends_before = len(fake.calls)
            start = time.perf_counter()
            while True:
                await h.services.delivery.drain()
                row = await h.store.db.fetchone(
                    "SELECT count(*), min(due_at) FROM outbox WHERE status = 'pending'")
                if not row or row[0] == 0:
                    break
                await asyncio.sleep(0.2)  # items waiting out a retry_after
            wall = time.perf_counter() - start
            calls = [c for c in fake.calls[sends_before:] if c.method == "sendMessage"]
            delivered = [c for c in calls if c.ok and (c.chat_id or 0) > 0]
            per_chat: dict[int, int] = {}
            for c in delivered:
                per_chat[c.chat_id or 0] = per_chat.get(c.chat_id or 0, 0) + 1
            dupes = sum(n - 1 for n in per_chat.values() if n > 1)
            lost = args.residents - len(per_chat)
            hits = sum(fake.limit_hits.values())
            print(f"residents {args.residents}  delivered {len(delivered)}  in {wall:.1f} s")
            print(f"throughput {len(delivered) / wall:.1f} messages/s (limit 30/s, target >= 27)")
            print(f"429s received {hits}  duplicates {dupes}  lost {lost}")


if __name__ == "__main__":
    asyncio.run(main())
