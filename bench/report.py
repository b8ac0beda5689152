"""Benchmark: `buurtbot report` over a large database.

    python3 bench/report.py [--requests 100000] [--homes 10000] [--visits 20000] [--runs 3]

Builds a database straight into the current schema (the store's own migrations first, then one
sqlite3 transaction of executemany calls): `--homes` homes in 30 buildings with two visit rounds
each, `--visits` visits with their referrals, a resident linked to most homes, and `--requests`
requests over two years with the history the bot writes (created, claim, reply or promise,
resolve, the resident's answer; some escalated, reopened or withdrawn) and their promises.
Everything is seeded from one random seed and an injected clock (no wall clock in the data).

Then it runs `buurtbot report` in-process, as the coordinator would (`bot.cli.main.main`, with a
standing clock), for the whole database, one building and one round, to the terminal and to
.csv and .xlsx files, and prints the time of each (best of `--runs`; target: under a second for
the whole database) and EXPLAIN QUERY PLAN of every query the report and the Monday digest run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli.main import main
from bot.config import EXAMPLE_SITE_CONFIG, load_site_config
from bot.domain.figures import FigureRules, Scope
from bot.domain.policy import Policy
from bot.store import Store
from bot.store import figures as store_figures
from bot.store.clock import SimClock, iso

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 11, 0, tzinfo=AMS)  # the harness's working day (a Tuesday)
FIRST = datetime(2025, 1, 1, 8, 0, tzinfo=AMS)
BUILDINGS = [f"flat{n:02d}" for n in range(1, 31)]
LANGS = ("nl", "ar", "tr", "en")
OUTCOMES = ("spoken", "spoken", "spoken", "not_home", "not_home", "refused", "moved", "empty")


def write_site(path: Path) -> None:
    """The example site with the bench's 30 buildings added (a report names only buildings
    of the site file)."""
    extra = "".join(f'\n[[buildings]]\nid = "{b}"\nname = "{b.capitalize()}"\nphase = 2\n'
                    for b in BUILDINGS)
    path.write_text(EXAMPLE_SITE_CONFIG.read_text(encoding="utf-8") + extra, encoding="utf-8")


def categories() -> list[tuple[str, str, str]]:
    site = load_site_config(EXAMPLE_SITE_CONFIG)
    return [(kind, c.id, c.partner) for kind in ("question", "nuisance", "help")
            for c in site.categories.of(kind)]


def seed(path: Path, n_requests: int, n_homes: int, n_visits: int) -> dict[str, int]:
    rnd = random.Random(12)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    counts: dict[str, int] = {}
    with conn:
        homes = list(_homes(n_homes))
        conn.executemany("INSERT INTO homes (id, building, street, number) VALUES (?, ?, ?, ?)",
                         homes)
        residents = [(uid, rnd.choice(LANGS), iso(FIRST), iso(FIRST))
                     for uid in range(1000, 1000 + n_homes)]
        conn.executemany("INSERT INTO residents (user_id, lang, created_at, updated_at)"
                         " VALUES (?, ?, ?, ?)", residents)
        links = [(h[0], 1000 + i, iso(FIRST)) for i, h in enumerate(homes) if rnd.random() < 0.6]
        conn.executemany("INSERT INTO home_residents VALUES (?, ?, ?)", links)
        rounds, visits, referrals = _visits(rnd, homes, n_visits)
        conn.executemany("INSERT INTO visit_rounds (id, building, name, kind, partner_id,"
                         " starts_on, ends_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         rounds)
        conn.executemany("INSERT INTO visits (id, round_id, home_id, visited_on, outcome,"
                         " source, created_at) VALUES (?, ?, ?, ?, ?, 'import', ?)", visits)
        conn.executemany("INSERT INTO visit_referrals (visit_id, partner_id, topic, consent,"
                         " created_at) VALUES (?, ?, ?, 'import', ?)", referrals)
        tickets, events, promises = _requests(rnd, n_requests)
        conn.executemany(
            "INSERT INTO tickets (id, ref, resident_id, draft_key, kind, category, partner_id,"
            " building, lang, status, created_at, updated_at, closed_at, claim_due)"
            " VALUES (?, ?, NULL, ?, ?, ?, ?, ?, 'nl', ?, ?, ?, ?, ?)", tickets)
        conn.executemany("INSERT INTO ticket_events (ticket_id, at, actor, event)"
                         " VALUES (?, ?, ?, ?)", events)
        conn.executemany("INSERT INTO promises (ticket_id, partner_id, kind, day, part, status,"
                         " staff_id, staff_name, created_at, answered_at)"
                         " VALUES (?, ?, 'call', ?, 'morning', ?, 1, 'Staff', ?, ?)", promises)
        counts = {"homes": len(homes), "linked": len(links), "rounds": len(rounds),
                  "visits": len(visits), "referrals": len(referrals), "requests": len(tickets),
                  "events": len(events), "promises": len(promises)}
    conn.execute("ANALYZE")
    conn.close()
    return counts


def _homes(n: int) -> Iterator[tuple[int, str, str, int]]:
    for i in range(n):
        building = BUILDINGS[i * len(BUILDINGS) // n]
        yield i + 1, building, building.capitalize() + "dreef", i + 1


def _visits(rnd: random.Random, homes: list[tuple[int, str, str, int]], n: int) -> tuple[
        list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    rounds: list[tuple[object, ...]] = []
    by_building: dict[str, list[int]] = {}
    for home_id, building, _, _ in homes:
        by_building.setdefault(building, []).append(home_id)
    for building in BUILDINGS:
        for kind, start in (("before", date(2025, 3, 1)), ("after", date(2026, 9, 1))):
            rounds.append((len(rounds) + 1, building, f"{kind} {start.year}", kind, "dock",
                           start.isoformat(), (start + timedelta(days=60)).isoformat(),
                           iso(FIRST)))
    visits: list[tuple[object, ...]] = []
    referrals: list[tuple[object, ...]] = []
    partners = ("werk_inkomen", "buurtteam_sociaal", "dock", "buurtteam_jeugd", "vrijwilligers")
    for i in range(n):
        round_id, building, _, _, _, start, _, _ = rounds[i % len(rounds)]
        day = date.fromisoformat(str(start)) + timedelta(days=rnd.randrange(60))
        outcome = rnd.choice(OUTCOMES)
        visits.append((i + 1, round_id, rnd.choice(by_building[str(building)]), day.isoformat(),
                       outcome, iso(FIRST)))
        if outcome == "spoken" and rnd.random() < 0.35:
            for partner in rnd.sample(partners, rnd.choice((1, 1, 2))):
                referrals.append((i + 1, partner, "money", iso(FIRST)))
    return rounds, visits, referrals


def _requests(rnd: random.Random, n: int) -> tuple[
        list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    cats = categories()
    span = (NOW - FIRST).total_seconds()
    tickets: list[tuple[object, ...]] = []
    events: list[tuple[object, ...]] = []
    promises: list[tuple[object, ...]] = []
    for i in range(1, n + 1):
        kind, category, partner = rnd.choice(cats)
        created = FIRST + timedelta(seconds=span * (i - 1) / n)
        at = created
        ev = [(i, iso(at), "resident", "created")]

        def later(hours: float) -> str:
            nonlocal at
            at += timedelta(hours=rnd.expovariate(1 / hours))
            return iso(at)

        status, closed = "open", None
        if at < NOW - timedelta(days=1) or rnd.random() < 0.5:
            ev.append((i, later(6), "staff:1", "claim"))
            status = "claimed"
            if rnd.random() < 0.05:
                ev.append((i, iso(created + timedelta(hours=20)), "system", "escalated"))
            contact = rnd.choice(("reply", "reply", "quick_reply", "promise"))
            ev.append((i, later(10), "staff:1", contact))
            if contact == "promise":
                promises.append((i, partner, at.date().isoformat(),
                                 rnd.choice(("kept", "kept", "kept", "broken", "unanswered")),
                                 iso(at), later(30)))
            if at < NOW - timedelta(days=3):
                ev.append((i, later(40), "staff:1", "resolve"))
                status = "resolved"
                answer = rnd.random()
                if answer < 0.1:
                    ev.append((i, later(20), "resident", "reopen"))
                    ev.append((i, later(6), "staff:1", "claim"))
                    ev.append((i, later(30), "staff:1", "resolve"))
                    answer = 0.5
                if answer < 0.7:
                    ev.append((i, later(20), "resident", "confirm"))
                else:
                    ev.append((i, later(96), "system", "confirm"))
                status, closed = "closed", iso(at)
        if status == "open" and rnd.random() < 0.02:
            ev.append((i, later(50), "resident", "withdraw"))
            status, closed = "withdrawn", iso(at)
        building = rnd.choice(BUILDINGS) if rnd.random() < 0.7 else None
        prefix = {"nuisance": "M", "help": "H", "question": "V"}[kind]
        tickets.append((i, f"{prefix}-{i:04d}", f"bench:{i}", kind, category, partner, building,
                        status, iso(created), iso(at), closed,
                        iso(created + timedelta(hours=8))))
        events += ev
    return tickets, events, promises


def best(runs: int, call: object) -> tuple[float, float]:
    """The best wall time and the best CPU time (this process, every thread: SQLite runs in
    aiosqlite's) of `runs` calls. On a machine others share, the CPU time is what the report
    costs; the wall time adds the wait for a core."""
    assert callable(call)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def report(db: Path, *argv: str) -> str:
    out = io.StringIO()
    os.environ["BUURTBOT_DB"] = str(db)
    os.environ["BUURTBOT_CONFIG"] = str(db.parent / "site.toml")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["report", *argv], clock=SimClock(NOW))
    assert code == 0, (argv, code)
    return out.getvalue()


async def query_plans(db: Path) -> dict[str, list[str]]:
    site = load_site_config(db.parent / "site.toml")
    store = await Store.open(db, SimClock(NOW))
    try:
        policy = Policy(site)
        rules = FigureRules.of(site, policy.week, [p.id for p in site.partners])
        async with store.db.transaction() as tx:
            start, cpu = time.perf_counter(), time.process_time()
            figures = await store_figures.collect(tx, Scope(), rules, NOW.astimezone(UTC))
            print(f"figures alone (the queries and the sums, whole database): "
                  f"{time.perf_counter() - start:.3f} s (CPU {time.process_time() - cpu:.3f} s),"
                  f" {figures.total.requests:,} requests, {len(figures.rounds)} rounds")
            w = store_figures.Where(Scope(), None, None, None)
            return await store_figures.plans(tx, w)
    finally:
        await store.close()


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        write_site(Path(tmp) / "site.toml")
        asyncio.run(_create(db))
        start = time.perf_counter()
        counts = seed(db, args.requests, args.homes, args.visits)
        print(f"seeded in {time.perf_counter() - start:.1f} s: "
              + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        print(f"database: {db.stat().st_size / 1e6:.1f} MB")
        plans = asyncio.run(query_plans(db))
        cases = {
            "whole database, terminal": (),
            "whole database, --out figures.csv": ("--out", str(Path(tmp) / "figures.csv")),
            "whole database, --out figures.xlsx": ("--out", str(Path(tmp) / "figures.xlsx")),
            "one building (--building flat07)": ("--building", "flat07"),
            "one round (--round 13)": ("--round", "13"),
            "one month (--from 2026-10-01 --to 2026-10-31)": ("--from", "2026-10-01",
                                                              "--to", "2026-10-31"),
        }
        print(f"buurtbot report, best of {args.runs} (target for the whole database: < 1 s),"
              f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores:")
        for label, argv in cases.items():
            wall, cpu = best(args.runs, lambda argv=argv: report(db, *argv))
            print(f"  {label:50} {wall:.3f} s  (CPU {cpu:.3f} s)")
        print("query plans:")
        for name, lines in plans.items():
            print(f"  {name}:")
            for line in lines:
                print(f"    {line}")


async def _create(db: Path) -> None:
    store = await Store.open(db, SimClock(NOW))
    await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--homes", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    run(parser.parse_args())
