"""Benchmark: the follow-up sweep (bot/followup/sweep.py) against a large history of due rows.

    python3 bench/sweep.py [--tickets 1000000] [--idle-runs 20] [--rounds 5]

Claim under test: the sweep's cost depends on what is due, not on the size of the history. Two
databases are built straight into the schema: one with `--tickets` closed tickets (4 'done' due
rows each) and one with ten times fewer. Both get the same live work: 100 active tickets with a
due row that is due now (claim_nudge, claim_escalate, contact_reminder, still) and 1,000 active
tickets whose pending rows are due next week. A Sweeper wired as in bot/app.py post_init then runs
at Tuesday 10:00 Europe/Amsterdam (working time, after the digest hour), with the store's real
pragmas (WAL, synchronous=FULL): one transaction and commit per due row.

Seeding is one sqlite3 transaction of executemany calls (journal off the WAL, no fsync); the
secondary indexes of tickets and due are dropped for the load and recreated from their own
CREATE INDEX text, and the schema is checked to be unchanged. The store then reopens the file
with its own pragmas.

Prints, per history size: rows seeded and seeding time, DB size, the first sweep (100 due rows plus
the daily digests), further sweeps of fresh 100-row batches (no digests), the idle sweep (p50 of
`--idle-runs`), the query plans of the due and digest queries, and a correctness check.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import EXAMPLE_SITE_CONFIG, SiteConfig, load_site_config
from bot.followup.engine import FollowUps
from bot.followup.sweep import Sweeper
from bot.i18n import I18n
from bot.messaging.notify import Notifier
from bot.store import Store
from bot.store.clock import iso

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # a Tuesday, no holiday
RESIDENTS = 1000
BATCH = 100  # due-now rows per batch
FUTURE = 1000  # pending rows due next week, on as many in-flight tickets
DUE_KINDS = ("claim_nudge", "claim_escalate", "contact_reminder", "still_on_it")
TICKET_SQL = (
    "INSERT INTO tickets (id, ref, resident_id, draft_key, kind, category, partner_id,"
    " description, lang, status, created_at, updated_at, closed_at, pseudonym, claimed_by,"
    " claimed_name, claim_due, contact_due, resolve_due, contacted_at, resident_notified_at,"
    # the bot's last own message is also the resident's last news (as bot/messaging/notify.py
    # writes them when the bot sends one)
    " resident_news_at) VALUES (" + ", ".join(f"?{n}" for n in range(1, 22)) + ", ?21)")
DUE_INSERT = ("INSERT INTO due (id, ticket_id, kind, due_at, status, data, created_at, done_at)"
              " VALUES (?, ?, ?, ?, ?, '{}', ?, ?)")
PREFIX = {"question": "V", "nuisance": "M", "help": "H"}


@dataclass
class Batch:
    """One batch of 100 due-now rows and what the sweep must do with them."""

    due_ids: list[int]
    overdue_partners: set[str]
    messages: int  # outbox rows the handlers must add (digests not included)
    done: int  # rows that must end 'done'
    deferred: int  # rows that must stay pending with a later due_at


@dataclass
class Result:
    history: int
    seeded: Counter[str] = field(default_factory=Counter)
    seed_s: float = 0.0
    db_mb: float = 0.0
    first_s: float = 0.0
    rounds_s: list[float] = field(default_factory=list)
    idle_s: list[float] = field(default_factory=list)
    plans: dict[str, list[str]] = field(default_factory=dict)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)


def categories(site: SiteConfig) -> list[tuple[str, str, str]]:
    """(kind, category, partner) for every category of the example site."""
    return [(kind, c.id, c.partner) for kind in ("question", "nuisance", "help")
            for c in site.categories.of(kind)]


class Stamps:
    """Epoch seconds to the ISO text of bot.store.clock.iso(), fast enough for millions: the
    date and hour are formatted once per hour, minutes and seconds come from a table."""

    SUFFIX = tuple(f"{m:02d}:{sec:02d}+00:00" for m in range(60) for sec in range(60))

    def __init__(self) -> None:
        self.hours: dict[int, str] = {}

    def __call__(self, epoch: int) -> str:
        hour, rest = divmod(epoch, 3600)
        prefix = self.hours.get(hour)
        if prefix is None:
            prefix = datetime.fromtimestamp(hour * 3600, UTC).strftime("%Y-%m-%dT%H:")
            self.hours[hour] = prefix
        return prefix + self.SUFFIX[rest]


def seed_history(conn: sqlite3.Connection, site: SiteConfig, count: int) -> None:
    """`count` closed tickets spread over the two years before NOW, 4 'done' due rows each:
    claim nudge after 8 h, escalation and contact reminder after 16 h, feedback after 96 h."""
    cats = categories(site)
    langs = site.languages
    start = int((NOW - timedelta(days=760)).timestamp())
    step = 730 * 86400 / max(count, 1)
    h = 3600
    stamp = Stamps()

    def tickets() -> Iterator[tuple[object, ...]]:
        for i in range(1, count + 1):
            kind, cat, partner = cats[i % len(cats)]
            c = start + int(step * i)
            closed = stamp(c + 97 * h)
            yield (i, f"{PREFIX[kind]}-{i:04d}", 10_000_000 + i % RESIDENTS, f"seed{i:08d}",
                   kind, cat, partner, "Harde muziek in de nacht, al weken lang.",
                   langs[i % len(langs)], "closed", stamp(c), closed, closed,
                   f"{i % 65536:04X}", 900_000 + i % 50, f"Medewerker {i % 50}",
                   stamp(c + 8 * h), stamp(c + 16 * h), stamp(c + 80 * h), stamp(c + 5 * h),
                   stamp(c + 48 * h))

    def history() -> Iterator[tuple[object, ...]]:
        for i in range(1, count + 1):
            c = start + int(step * i)
            yield (4 * i - 3, i, stamp(c), stamp(c + 8 * h), stamp(c + 16 * h),
                   stamp(c + 96 * h))

    conn.executemany(TICKET_SQL, tickets())
    # four rows per statement: ?3 created, ?4 after 8 h, ?5 after 16 h, ?6 after 96 h
    conn.executemany(
        "INSERT INTO due (id, ticket_id, kind, due_at, status, data, created_at, done_at)"
        " VALUES (?1, ?2, 'claim_nudge', ?4, 'done', '{}', ?3, ?4),"
        " (?1 + 1, ?2, 'claim_escalate', ?5, 'done', '{}', ?3, ?5),"
        " (?1 + 2, ?2, 'contact_reminder', ?5, 'done', '{}', ?3, ?5),"
        " (?1 + 3, ?2, 'feedback_reminder', ?6, 'done', '{}', ?3, ?6)", history())


def seed_future(conn: sqlite3.Connection, site: SiteConfig, first_id: int) -> None:
    """1,000 in-flight tickets, each with one pending row due next week."""
    cats = categories(site)
    rows, due = [], []
    for j in range(FUTURE):
        tid = first_id + j
        kind, cat, partner = cats[j % len(cats)]
        c = NOW - timedelta(hours=1 + j % 24)
        rows.append((tid, f"{PREFIX[kind]}-{tid:04d}", 10_000_000 + j % RESIDENTS,
                     f"live{tid}", kind, cat, partner, "Lift al drie dagen kapot.",
                     site.languages[j % len(site.languages)], "open", iso(c), iso(c), None,
                     f"{tid % 65536:04X}", None, None, iso(c + timedelta(days=8)),
                     iso(c + timedelta(days=9)), iso(c + timedelta(days=20)), None, None))
        due.append((None, tid, ("still_on_it", "promise_eve", "feedback_reminder")[j % 3],
                    iso(NOW + timedelta(days=7, minutes=j)), "pending", iso(c), None))
    conn.executemany(TICKET_SQL, rows)
    conn.executemany(DUE_INSERT, due)


def add_batch(conn: sqlite3.Connection, site: SiteConfig, first_id: int) -> Batch:
    """100 active tickets whose due row is due now: 25 of each kind in DUE_KINDS.

    claim_nudge (open): nudge + card edit; claim_escalate (open): to the coordinator;
    contact_reminder (claimed, no contact yet): nudge; still (open): 20 tell the resident and
    come back in 5 days, 5 were told 2 days ago and are deferred without a message.
    Every third ticket is past its resolve deadline, so it is in that partner's digest.
    """
    cats = [c for c in categories(site) if c[1] not in site.deadlines]  # default deadlines
    rows, due, threads = [], [], []
    batch = Batch([], set(), 0, 0, 0)
    chat = {p.id: p.chat_id for p in site.partners}
    cur = conn.execute("SELECT coalesce(max(id), 0) FROM due")
    next_due = int(cur.fetchone()[0]) + 1
    for j in range(BATCH):
        tid = first_id + j
        kind, cat, partner = cats[j % len(cats)]
        due_kind = DUE_KINDS[j % 4]
        status, claimed_by, claimed_name, notified = "open", None, None, None
        if due_kind == "claim_nudge":
            created = NOW - timedelta(days=1)
            batch.messages += 2
            batch.done += 1
        elif due_kind == "claim_escalate":
            created = NOW - timedelta(days=2)
            batch.messages += 1
            batch.done += 1
        elif due_kind == "contact_reminder":
            created = NOW - timedelta(days=2)
            status, claimed_by, claimed_name = "claimed", 900_000 + j, f"Medewerker {j}"
            batch.messages += 1
            batch.done += 1
        else:
            created = NOW - timedelta(days=6)
            if (j // 4) % 5 == 0:
                notified = iso(NOW - timedelta(days=2))
            else:
                batch.messages += 1
            batch.deferred += 1
        resolve = NOW - timedelta(days=1) if j % 3 == 0 else NOW + timedelta(days=3)
        if j % 3 == 0:
            batch.overdue_partners.add(partner)
        rows.append((tid, f"{PREFIX[kind]}-{tid:04d}", 10_000_000 + j % RESIDENTS,
                     f"live{tid}", kind, cat, partner, "Trapportaal vol afval.",
                     site.languages[j % len(site.languages)], status, iso(created), iso(created),
                     None, f"{tid % 65536:04X}", claimed_by, claimed_name,
                     iso(created + timedelta(days=1)), iso(created + timedelta(days=2)),
                     iso(resolve), None, notified))
        due.append((next_due + j, tid, due_kind, iso(NOW - timedelta(minutes=BATCH - j)),
                    "pending", iso(created), None))
        threads.append((tid, chat[partner], None, 50_000 + tid))
        batch.due_ids.append(next_due + j)
    conn.executemany(TICKET_SQL, rows)
    conn.executemany(DUE_INSERT, due)
    conn.executemany("INSERT INTO ticket_threads VALUES (?, ?, ?, ?)", threads)
    return batch


async def seed(db: Path, site: SiteConfig, history: int, result: Result) -> Batch:
    store = await Store.open(db, lambda: NOW)  # migrate to the full schema
    await store.close()
    t0 = time.perf_counter()
    conn = sqlite3.connect(db)
    # Bulk load only: no WAL, no fsync. The store reopens with its own pragmas afterwards.
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-2000000")
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    before = conn.execute(schema).fetchall()
    with conn:  # one transaction
        # Building an index once after the load is much faster than growing it row by row.
        # The same CREATE INDEX statements the migrations ran are executed again below.
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('tickets', 'due')").fetchall()
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
        now = iso(NOW - timedelta(days=800))
        conn.executemany("INSERT INTO residents VALUES (?, 'nl', '{}', ?, ?)",
                         [(10_000_000 + i, now, now) for i in range(RESIDENTS)])
        seed_history(conn, site, history)
        seed_future(conn, site, history + 1)
        batch = add_batch(conn, site, history + 1 + FUTURE)
        for _, sql in indexes:
            conn.execute(sql)
    result.seed_s = time.perf_counter() - t0
    assert conn.execute(schema).fetchall() == before, "schema changed while seeding"
    for table in ("tickets", "due"):
        for status, n in conn.execute(f"SELECT status, count(*) FROM {table} GROUP BY status"):
            result.seeded[f"{table}.{status}"] = n
    conn.close()
    return batch


def size_mb(db: Path) -> float:
    files = [db, db.with_name(db.name + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 1e6


async def scalar(store: Store, sql: str, params: tuple[object, ...] = ()) -> int:
    rows = await store.db.fetchall(sql, params)
    return int(rows[0][0])


class Rollback(Exception):
    pass


async def plans(store: Store, sweeper: Sweeper, site: SiteConfig) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of the statements the real code runs, caught with a trace callback:
    the due query (DueRows.due) and the digest query (run for one partner, then rolled back)."""
    seen: list[str] = []
    await store.db.conn.set_trace_callback(seen.append)
    try:
        await store.due.due(NOW)
        partner = next(p for p in site.partners if p.id != site.coordinator)
        try:
            async with store.db.transaction() as tx:
                await sweeper._digest(tx, partner.id, partner.chat_id, NOW)
                raise Rollback
        except Rollback:
            pass
    finally:
        await store.db.conn.set_trace_callback(None)  # type: ignore[arg-type]
    found = {"due query": next(q for q in seen if " FROM due " in q),
             "digest query": next(q for q in seen if "resolve_due <" in q)}
    out = {}
    for name, sql in found.items():
        rows = await store.db.fetchall("EXPLAIN QUERY PLAN " + sql)
        out[name] = [sql] + ["-> " + str(r[3]) for r in rows]
    return out


async def verify(store: Store, batch: Batch, label: str, result: Result) -> None:
    marks = ",".join("?" for _ in batch.due_ids)
    rows = await store.db.fetchall(
        f"SELECT status, due_at > ? FROM due WHERE id IN ({marks})", (iso(NOW), *batch.due_ids))
    done = sum(1 for s, _ in rows if s == "done")
    deferred = sum(1 for s, later in rows if s == "pending" and later)
    left = sum(1 for s, later in rows if s == "pending" and not later)
    result.checks.append((
        f"{label}: due rows changed", done + deferred == BATCH and left == 0
        and done == batch.done and deferred == batch.deferred,
        f"done={done} deferred={deferred} still due={left} (expected {batch.done}+"
        f"{batch.deferred}={BATCH})"))


async def bench(db: Path, site: SiteConfig, history: int, idle_runs: int,
                rounds: int) -> Result:
    result = Result(history)
    batch = await seed(db, site, history, result)

    def clock() -> datetime:
        return NOW.astimezone(UTC)

    # Wired as bot/app.py post_init does.
    i18n = I18n(site.languages, site.default_language, site.zone)
    notifier = Notifier(site, i18n)
    followups = FollowUps(notifier.policy)
    store = await Store.open(db, clock)
    sweeper = Sweeper(store, notifier, followups, clock)
    try:
        result.db_mb = size_mb(db)
        result.plans = await plans(store, sweeper, site)
        future_before = await store.db.fetchall(
            "SELECT id, due_at FROM due WHERE due_at > ? ORDER BY id",
            (iso(NOW + timedelta(days=6)),))

        t0 = time.perf_counter()
        handled = await sweeper.run()
        result.first_s = time.perf_counter() - t0
        await verify(store, batch, "first sweep", result)
        digests = len(batch.overdue_partners)
        expected = batch.messages + digests
        out = await store.db.fetchall("SELECT purpose, count(*) FROM outbox GROUP BY purpose")
        by_purpose = {r[0]: r[1] for r in out}
        total = sum(by_purpose.values())
        result.checks.append(("first sweep: rows returned by run()", handled == BATCH,
                              f"{handled}"))
        result.checks.append((
            "first sweep: outbox messages", total == expected,
            f"{total} (expected {batch.messages} from due rows + {digests} digests = {expected};"
            f" by purpose {by_purpose})"))

        for _ in range(idle_runs):
            t0 = time.perf_counter()
            handled = await sweeper.run()
            result.idle_s.append(time.perf_counter() - t0)
            if handled:
                result.checks.append(("idle sweep handles nothing", False, f"{handled}"))
        after_idle = await scalar(store, "SELECT count(*) FROM outbox")
        result.checks.append(("idle sweeps: no new outbox messages", after_idle == total,
                              f"{after_idle - total} new"))

        # Fresh batches of 100 due rows (today's digests are already out): more samples.
        next_ticket = history + 1 + FUTURE + BATCH
        for r in range(rounds):
            conn = sqlite3.connect(db)
            with conn:
                extra = add_batch(conn, site, next_ticket + r * BATCH)
            conn.close()
            before = await scalar(store, "SELECT count(*) FROM outbox")
            t0 = time.perf_counter()
            handled = await sweeper.run()
            result.rounds_s.append(time.perf_counter() - t0)
            after = await scalar(store, "SELECT count(*) FROM outbox")
            await verify(store, extra, f"batch {r + 2}", result)
            if handled != BATCH or after - before != extra.messages:
                result.checks.append((f"batch {r + 2}: messages", False,
                                      f"run()={handled} outbox +{after - before}"))

        future_after = await store.db.fetchall(
            "SELECT id, due_at FROM due WHERE due_at > ? AND status = 'pending' ORDER BY id",
            (iso(NOW + timedelta(days=6)),))
        untouched = [tuple(r) for r in future_before] == [tuple(r) for r in future_after]
        result.checks.append(("next week's rows untouched", untouched and
                              len(future_after) == FUTURE, f"{len(future_after)} pending"))
        hist = await scalar(store, "SELECT count(*) FROM due WHERE id <= ? AND status = 'done'",
                            (4 * history,))
        result.checks.append(("history rows unchanged", hist == 4 * history, f"{hist} done"))
    finally:
        await store.close()
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def report(r: Result) -> None:
    print(f"\n=== history: {r.history:,} closed tickets ===")
    for label, table in (("rows seeded", "tickets"), ("", "due")):
        parts = {k.split(".")[1]: v for k, v in sorted(r.seeded.items())
                 if k.startswith(table + ".")}
        detail = ", ".join(f"{status} {n:,}" for status, n in parts.items())
        print(f"{label:<19}{table:<8}{sum(parts.values()):>10,}  ({detail})")
    print(f"seeding time       {r.seed_s:8.1f} s (sqlite3 executemany, one transaction)")
    print(f"DB size            {r.db_mb:8.1f} MB")
    print(f"sweep, {BATCH} due      {ms(r.first_s)}  (first run: {BATCH} rows + daily digests)"
          f"  = {r.first_s / BATCH * 1000:.2f} ms/row")
    if r.rounds_s:
        med = statistics.median(r.rounds_s)
        print(f"sweep, {BATCH} due      {ms(med)}  (p50 of {len(r.rounds_s)} fresh batches, "
              f"no digests; min {min(r.rounds_s) * 1000:.1f}, max {max(r.rounds_s) * 1000:.1f})"
              f"  = {med / BATCH * 1000:.2f} ms/row")
    idle = sorted(r.idle_s)
    print(f"idle sweep         {ms(statistics.median(idle))}  (p50 of {len(idle)}; "
          f"min {idle[0] * 1000:.2f}, max {idle[-1] * 1000:.2f})")
    for name, lines in r.plans.items():
        print(f"{'plan, ' + name:<19}" + "\n                   ".join(lines))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000,
                        help="closed tickets in the history (4 done due rows each)")
    parser.add_argument("--idle-runs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5,
                        help="extra fresh batches of 100 due rows, for a median")
    args = parser.parse_args()
    site = load_site_config(EXAMPLE_SITE_CONFIG)
    print(f"clock: {NOW:%A %Y-%m-%d %H:%M} {NOW.tzinfo} (working time); store pragmas: WAL,"
          f" synchronous=FULL; one transaction per due row")
    results = []
    for history in (args.tickets, args.tickets // 10):
        with tempfile.TemporaryDirectory() as tmp:
            result = await bench(Path(tmp) / "sweep.db", site, history, args.idle_runs,
                                 args.rounds)
        report(result)
        results.append(result)

    big, small = results
    print("\n=== history size vs sweep time ===")
    print(f"{'history due rows':>18} {'first sweep':>12} {'p50 batch':>12} {'idle p50':>12}")
    for r in results:
        rounds = statistics.median(r.rounds_s) if r.rounds_s else float("nan")
        print(f"{4 * r.history:>18,} {ms(r.first_s):>12} {ms(rounds):>12} "
              f"{ms(statistics.median(r.idle_s)):>12}")
    if big.rounds_s and small.rounds_s:
        ratio = statistics.median(big.rounds_s) / statistics.median(small.rounds_s)
        print(f"batch sweep ratio (10x history / 1x): {ratio:.2f}")
    print(f"idle sweep ratio  (10x history / 1x): "
          f"{statistics.median(big.idle_s) / statistics.median(small.idle_s):.2f}")

    print("\n=== correctness ===")
    ok = True
    for r in results:
        for name, passed, detail in r.checks:
            ok &= passed
            print(f"[{'ok' if passed else 'FAIL'}] history {r.history:>9,}: {name}: {detail}")
        for name, lines in r.plans.items():
            index = "USING INDEX due_pending" if name == "due query" else \
                "USING INDEX tickets_resolve_due"
            used = any(index in line for line in lines[1:])
            ok &= used
            print(f"[{'ok' if used else 'FAIL'}] history {r.history:>9,}: {name} {index}:"
                  f" {'; '.join(line[3:] for line in lines[1:])}")
    print("ALL CHECKS PASSED" if ok else "SOME CHECKS FAILED")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
