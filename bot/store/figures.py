"""Read models for the coordinator's figures (bot/domain/figures.py says what each one means).

Everything is aggregated in SQL except what needs working hours: for those, one row per request
with its moments as Unix seconds, which bot/domain/figures.py turns into working hours. Every
function reads through the caller's transaction, so one report is one consistent snapshot.
QUERIES names each statement, for the query plans bench/report.py prints.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite

from bot.domain.figures import (
    DIGEST_KIND,
    NEVER,
    Digest,
    FigureRules,
    Figures,
    OpenCases,
    Outcomes,
    PromiseTally,
    ReachCounts,
    RequestRows,
    RoundCounts,
    Scope,
    WorkClock,
    digest_key,
    digest_week,
    next_digest,
    tally_requests,
)
from bot.store.clock import iso, parse
from bot.store.due import schedule

# A staff member reached the resident (bot/followup/engine.py on_contact: a reply, a quick
# reply, a promise); the actor of a "confirm" tells the resident's yes from no answer at all.
CONTACT_EVENTS = ("reply", "quick_reply", "promise")
_CONTACT = ", ".join(f"'{e}'" for e in CONTACT_EVENTS)

# One row per request: its first contact, first claim and last resolve. Each moment is one
# seek in ticket_events_figures (ticket_id, event, at), the min/max the first or last entry.
REQUESTS = f"""
SELECT t.kind, t.category, t.partner_id, unixepoch(t.created_at),
       ifnull((SELECT unixepoch(min(e.at)) FROM ticket_events e
                WHERE e.ticket_id = t.id AND e.event IN ({_CONTACT})), {NEVER}),
       ifnull((SELECT unixepoch(min(e.at)) FROM ticket_events e
                WHERE e.ticket_id = t.id AND e.event = 'claim'), {NEVER}),
       ifnull((SELECT unixepoch(max(e.at)) FROM ticket_events e
                WHERE e.ticket_id = t.id AND e.event = 'resolve'), {NEVER})
  FROM tickets t
 WHERE {{where}}"""
# Per partner, from the rarer events (ticket_events_kinds: event first): escalations, requests
# reopened, and the answers to "were you helped?" (a confirm by the resident is yes, their
# reopen is no, the sweep's confirm is no answer: bot/followup/sweep.py feedback_close).
OUTCOMES = """
SELECT t.partner_id,
       count(CASE WHEN e.event = 'escalated' THEN 1 END),
       count(DISTINCT CASE WHEN e.event = 'reopen' THEN e.ticket_id END),
       count(CASE WHEN e.event = 'confirm' AND e.actor = 'resident' THEN 1 END),
       count(CASE WHEN e.event = 'reopen' AND e.actor = 'resident' THEN 1 END),
       count(CASE WHEN e.event = 'confirm' AND e.actor = 'system' THEN 1 END)
  FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
 WHERE e.event IN ('escalated', 'reopen', 'confirm') AND {where}
 GROUP BY t.partner_id"""
PROMISES = """
SELECT p.partner_id, p.status, count(*) FROM promises p JOIN tickets t ON t.id = p.ticket_id
 WHERE p.status IN ('kept', 'broken', 'unanswered') AND {where}
 GROUP BY p.partner_id, p.status"""
ROUNDS = """
SELECT r.id, r.building, r.name,
       (SELECT count(*) FROM homes h WHERE h.building = r.building),
       count(DISTINCT v.home_id),
       count(DISTINCT CASE WHEN v.outcome = 'spoken' THEN v.home_id END)
  FROM visit_rounds r LEFT JOIN visits v ON v.round_id = r.id AND {visits}
 WHERE {rounds}
 GROUP BY r.id
HAVING {having}
 ORDER BY r.building, r.starts_on, r.id"""
REFERRALS = """
SELECT v.round_id, x.partner_id, count(*)
  FROM visit_referrals x JOIN visits v ON v.id = x.visit_id JOIN visit_rounds r ON r.id = v.round_id
 WHERE {visits} AND {rounds}
 GROUP BY v.round_id, x.partner_id"""
HOMES = "SELECT building, count(*) FROM homes WHERE {where} GROUP BY building"
LINKED = """
SELECT h.building, count(DISTINCT hr.home_id)
  FROM home_residents hr JOIN homes h ON h.id = hr.home_id
 WHERE {where} GROUP BY h.building"""
LINKED_LANG = """
SELECT h.building, r.lang, count(DISTINCT hr.home_id)
  FROM home_residents hr JOIN homes h ON h.id = hr.home_id
  JOIN residents r ON r.user_id = hr.user_id
 WHERE {where} GROUP BY h.building, r.lang"""
OPEN_CASES = """
SELECT partner_id, count(*), min(created_at) FROM tickets
 WHERE status IN ('open', 'claimed') GROUP BY partner_id"""
BROKEN = """
SELECT partner_id, count(*) FROM promises
 WHERE status = 'broken' AND answered_at >= ? AND answered_at < ? GROUP BY partner_id"""
ESCALATED = """
SELECT t.partner_id, count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
 WHERE e.event = 'escalated' AND e.at >= ? AND e.at < ? GROUP BY t.partner_id"""
ROUND_BUILDING = "SELECT building FROM visit_rounds WHERE id = ?"
ROUND_NAME = "SELECT name FROM visit_rounds WHERE id = ?"


class Where:
    """The WHERE clauses of a scope, with their parameters, for tickets, visits and rounds."""

    def __init__(self, scope: Scope, since: datetime | None, until: datetime | None,
                 building: str | None) -> None:
        self.tickets, self.ticket_args = _clauses(
            ("t.created_at >= ?", since and iso(since)), ("t.created_at < ?", until and iso(until)),
            ("t.building = ?", building))
        self.visits, self.visit_args = _clauses(
            ("v.visited_on >= ?", scope.first_day and scope.first_day.isoformat()),
            ("v.visited_on <= ?", scope.last_day and scope.last_day.isoformat()))
        self.rounds, self.round_args = _clauses(
            ("r.building = ?", building), ("r.id = ?", scope.round_id))
        self.homes, self.home_args = _clauses(("building = ?", building))
        self.linked, self.linked_args = _clauses(("h.building = ?", building))
        # a period shows the rounds it has visits of, and a round asked for by its id
        dated = scope.first_day is not None or scope.last_day is not None
        self.having, self.having_args = (
            ("count(v.id) > 0 OR r.id = ?", [scope.round_id or 0]) if dated else ("1", []))


def _clauses(*pairs: tuple[str, Any]) -> tuple[str, list[Any]]:
    used = [(sql, value) for sql, value in pairs if value is not None]
    return " AND ".join(sql for sql, _ in used) or "1", [value for _, value in used]


def statements(w: Where) -> dict[str, tuple[str, list[Any]]]:
    """Every statement of a report, by name, with its parameters."""
    return {
        "requests": (REQUESTS.format(where=w.tickets), w.ticket_args),
        "outcomes": (OUTCOMES.format(where=w.tickets), w.ticket_args),
        "promises": (PROMISES.format(where=w.tickets), w.ticket_args),
        "rounds": (ROUNDS.format(visits=w.visits, rounds=w.rounds, having=w.having),
                   [*w.visit_args, *w.round_args, *w.having_args]),
        "referrals": (REFERRALS.format(visits=w.visits, rounds=w.rounds),
                      [*w.visit_args, *w.round_args]),
        "homes": (HOMES.format(where=w.homes), w.home_args),
        "linked": (LINKED.format(where=w.linked), w.linked_args),
        "linked_lang": (LINKED_LANG.format(where=w.linked), w.linked_args),
    }


async def _all(tx: aiosqlite.Connection, sql: str, args: list[Any]) -> list[Any]:
    async with tx.execute(sql, args) as cur:
        return list(await cur.fetchall())


async def round_building(tx: aiosqlite.Connection, round_id: int) -> str | None:
    """The building of a visit round (None: no such round)."""
    rows = await _all(tx, ROUND_BUILDING, [round_id])
    return str(rows[0][0]) if rows else None


async def round_name(tx: aiosqlite.Connection, round_id: int) -> str | None:
    rows = await _all(tx, ROUND_NAME, [round_id])
    return str(rows[0][0]) if rows else None


async def requests(tx: aiosqlite.Connection, w: Where) -> RequestRows:
    sql, args = statements(w)["requests"]
    out = RequestRows()
    columns: tuple[list[Any], ...] = (
        out.kind, out.category, out.partner, out.created, out.first_response, out.first_claim,
        out.resolved)
    async with tx.execute(sql, args) as cur:
        while batch := await cur.fetchmany(5000):
            for column, values in zip(columns, zip(*batch, strict=True), strict=True):
                column.extend(values)
    return out


async def outcomes(tx: aiosqlite.Connection, w: Where) -> dict[str, Outcomes]:
    sql, args = statements(w)["outcomes"]
    return {r[0]: Outcomes(*r[1:]) for r in await _all(tx, sql, args)}


async def promises(tx: aiosqlite.Connection, w: Where) -> dict[str, PromiseTally]:
    sql, args = statements(w)["promises"]
    counts: dict[str, dict[str, int]] = {}
    for partner_id, status, n in await _all(tx, sql, args):
        counts.setdefault(partner_id, {})[status] = n
    return {p: PromiseTally(c.get("kept", 0), c.get("broken", 0), c.get("unanswered", 0))
            for p, c in counts.items()}


async def rounds(tx: aiosqlite.Connection, w: Where) -> list[RoundCounts]:
    found = statements(w)
    referrals: dict[int, dict[str, int]] = {}
    for round_id, partner_id, n in await _all(tx, *found["referrals"]):
        referrals.setdefault(round_id, {})[partner_id] = n
    return [RoundCounts(r[0], r[1], r[2], r[3], r[4], r[5], referrals.get(r[0], {}))
            for r in await _all(tx, *found["rounds"])]


async def reach(tx: aiosqlite.Connection, w: Where) -> list[ReachCounts]:
    """Per building with homes: the homes, those with a linked resident, and per language."""
    found = statements(w)
    linked = dict(await _all(tx, *found["linked"]))
    langs: dict[str, dict[str, int]] = {}
    for building, lang, n in await _all(tx, *found["linked_lang"]):
        langs.setdefault(building, {})[lang] = n
    return [ReachCounts(building, n, linked.get(building, 0), langs.get(building, {}))
            for building, n in await _all(tx, *found["homes"])]


async def open_cases(tx: aiosqlite.Connection) -> list[OpenCases]:
    out = []
    for partner_id, n, oldest in await _all(tx, OPEN_CASES, []):
        since = parse(oldest)
        assert since is not None
        out.append(OpenCases(partner_id, n, since))
    return out


async def broken_promises(tx: aiosqlite.Connection, since: datetime,
                          until: datetime) -> dict[str, int]:
    return dict(await _all(tx, BROKEN, [iso(since), iso(until)]))


async def escalations(tx: aiosqlite.Connection, since: datetime,
                      until: datetime) -> dict[str, int]:
    return dict(await _all(tx, ESCALATED, [iso(since), iso(until)]))


async def plans(tx: aiosqlite.Connection, w: Where) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of every statement of a report and of the digest (bench/report.py)."""
    found = dict(statements(w))
    moment = iso(datetime.fromisoformat("2026-01-05T08:00:00+00:00"))
    found |= {"open_cases": (OPEN_CASES, []), "broken": (BROKEN, [moment, moment]),
              "escalated": (ESCALATED, [moment, moment])}
    out = {}
    for name, (sql, args) in found.items():
        rows = await _all(tx, "EXPLAIN QUERY PLAN " + sql, args)
        out[name] = [str(r[3]) for r in rows]
    return out


async def collect(tx: aiosqlite.Connection, scope: Scope, rules: FigureRules,
                  now: datetime) -> Figures:
    """Every figure of `scope`, read in the caller's transaction. A round narrows the requests
    and the reach to its building (an unknown round: LookupError)."""
    building = scope.building
    if scope.round_id is not None:
        building = await round_building(tx, scope.round_id)
        if building is None:
            raise LookupError(f"no visit round {scope.round_id}")
    since, until = scope.bounds(rules.week.zone)
    w = Where(scope, since, until, building)
    rows = await requests(tx, w)
    partners, total = tally_requests(rows, await promises(tx, w), await outcomes(tx, w),
                                     WorkClock(rules.week), rules, now)
    return Figures(scope, await rounds(tx, w), partners, total, dict(Counter(rows.kind)),
                   dict(Counter(zip(rows.kind, rows.category, strict=True))),
                   await reach(tx, w))


async def digest(tx: aiosqlite.Connection, monday: date, rules: FigureRules,
                 now: datetime) -> Digest:
    """The casusoverleg digest of `monday`: the week before, and what is open now."""
    week = digest_week(monday)
    since, until = week.bounds(rules.week.zone)
    assert since is not None and until is not None
    return Digest(monday, await collect(tx, week, rules, now), await open_cases(tx),
                  await broken_promises(tx, since, until), await escalations(tx, since, until))


async def plan_next_digest(tx: aiosqlite.Connection, now: datetime, zone: ZoneInfo) -> datetime:
    """The next Monday 09:00's casusoverleg digest as a due row (at most one per Monday: its
    key is that Monday); returns when it is due."""
    due = next_digest(now, zone)
    monday = due.astimezone(zone).date()
    await schedule(tx, now, kind=DIGEST_KIND, due_at=due, dedupe=digest_key(monday),
                   monday=monday.isoformat())
    return due
