"""Benchmark: the full report flow against the fake Bot API, with 100,000 tickets in the database,
beside a bare python-telegram-bot echo bot on the same fake API.

    python3 bench/report_flow.py [--tickets 100000] [--residents 200]

Prints p50/p99 handling time per update and updates per second for both. Handling time includes
everything the update causes: handlers, SQLite commits (synchronous=FULL), and delivering the
outbox (the partner card and photo) to the fake Telegram.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.store import Store
from bot.testing.fake_api import FakeBotAPI
from bot.testing.harness import BotHarness, workday_clock
from bot.testing.updates import Person, Updates


async def seed(db: Path, count: int) -> None:
    """`count` closed tickets of 1,000 residents, written straight into the schema."""
    store = await Store.open(db, workday_clock())
    await store.close()
    conn = sqlite3.connect(db)
    now = "2026-01-01T00:00:00+00:00"
    conn.executemany("INSERT INTO residents VALUES (?, 'nl', '{}', ?, ?)",
                     [(10_000_000 + i, now, now) for i in range(1000)])
    conn.executemany(
        "INSERT INTO tickets (id, ref, resident_id, draft_key, kind, category, partner_id,"
        " description, lang, status, created_at, updated_at, closed_at, pseudonym)"
        " VALUES (?, ?, ?, ?, 'nuisance', 'noise', 'woningcorporatie', 'seed', 'nl', 'closed',"
        " ?, ?, ?, 'ABCD')",
        [(i, f"M-{i:04d}", 10_000_000 + i % 1000, f"seed{i}", now, now, now)
         for i in range(1, count + 1)])
    conn.commit()
    conn.close()


def summary(name: str, samples: list[float], wall: float) -> str:
    samples = sorted(samples)
    p50 = statistics.median(samples) * 1000
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000
    return (f"{name:<28} updates={len(samples):>6}  p50={p50:7.2f} ms  p99={p99:7.2f} ms  "
            f"throughput={len(samples) / wall:8.1f} updates/s")


async def bench_buurtbot(db: Path, residents: int) -> str:
    samples: list[float] = []
    async with BotHarness.start(db) as h:
        tr = h.tr("nl")

        async def timed(coro) -> None:  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            await coro
            samples.append(time.perf_counter() - start)

        start_all = time.perf_counter()
        for i in range(residents):
            r = h.resident(f"R{i}", "nl", user_id=20_000_000 + i)
            await timed(r.send("/start"))
            await timed(r.press("Nederlands"))
            await timed(r.tap_menu(tr._("Report a problem")))
            await timed(r.press(tr._("Noise")))
            await timed(r.send("Harde muziek in de nacht, al weken lang."))
            await timed(r.photo())
            await timed(r.press(tr._("Next")))
            await timed(r.press("Zambesidreef"))
            await timed(r.press("A"))
            await timed(r.press(tr._("floor {n}", n=3)))
            await timed(r.press(tr._("Anonymous")))
            await timed(r.press(tr._("Send")))
        wall = time.perf_counter() - start_all
        count = (await h.store.db.fetchone("SELECT count(*) FROM tickets"))[0]
    return summary("buurtbot full report flow", samples, wall) + f"  (tickets now {count})"


async def bench_echo(updates: int) -> str:
    fake = FakeBotAPI()
    app = ApplicationBuilder().token("123:ABC").request(fake).get_updates_request(fake).build()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat and update.effective_message
        text = update.effective_message.text or ""
        await context.bot.send_message(update.effective_chat.id, text)

    app.add_handler(MessageHandler(filters.TEXT, echo))
    samples: list[float] = []
    async with app:
        factory = Updates(fake, app.bot)
        person = Person(30_000_000, "Echo")
        start_all = time.perf_counter()
        for i in range(updates):
            update = factory.text(person, f"hello {i}")
            start = time.perf_counter()
            await app.process_update(update)
            samples.append(time.perf_counter() - start)
        wall = time.perf_counter() - start_all
    return summary("bare PTB echo bot", samples, wall)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--residents", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        await seed(db, args.tickets)
        print(f"seeded {args.tickets} tickets in {time.perf_counter() - t0:.1f} s")
        print(await bench_buurtbot(db, args.residents))
        print(await bench_echo(args.residents * 12))


if __name__ == "__main__":
    asyncio.run(main())
