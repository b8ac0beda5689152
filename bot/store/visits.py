"""Home visits: rounds per building, each visit's outcome, the warm referrals made on the
doorstep, and where a staff member is in recording a visit (migration 19, visit_rounds).

Notes and explanations are personal data: retention blanks them RETENTION after the visit
(`purge`), "delete my data" blanks those of the resident's homes (`forget_homes_of`), and the
resident's export lists the visits to their home without the team's notes (`export_for`).
A referral becomes a help request (tickets.draft_key = REFERRAL_KEY + referral id); one
without a linked resident is erased when it expires like any other (`unowned_closed_before`).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import aiosqlite

from bot.domain.visits import Consent, Outcome, RoundKind
from bot.store.clock import Clock, iso
from bot.store.db import Database
from bot.store.homes import COLS as HOME_COLS
from bot.store.homes import Home, address_key

REFERRAL_KEY = "visit-ref:"  # the draft key of a referral's ticket: REFERRAL_KEY + referral id
DRAFT_KEEP = timedelta(days=7)  # an unfinished visit is forgotten after this
_H = ", ".join("h." + c.strip() for c in HOME_COLS.split(","))
_ROUND = "id, building, name, kind, partner_id, starts_on, ends_on, created_at"


@dataclass(frozen=True)
class Round:
    id: int
    building: str
    name: str
    kind: RoundKind
    partner_id: str
    starts_on: date | None
    ends_on: date | None


@dataclass(frozen=True)
class NewReferral:
    partner_id: str
    topic: str
    explanation: str
    consent: Consent


@dataclass(frozen=True)
class NewVisit:
    round_id: int
    home_id: int
    visited_on: date
    outcome: Outcome
    notes: str = ""
    visitor_id: int | None = None
    visitor_name: str | None = None
    no_consent: bool = False
    source: str = "telegram"  # or "import"
    import_key: str | None = None
    referrals: tuple[NewReferral, ...] = ()


@dataclass(frozen=True)
class Visit:
    id: int
    round_id: int
    home_id: int
    visited_on: date
    outcome: Outcome
    no_consent: bool
    source: str


@dataclass(frozen=True)
class ReferralOrigin:
    """What a referral's card says about where it came from."""

    visiting_partner: str  # the partner of the round (who made the visit)
    visitor_name: str | None  # None: imported from paper or a spreadsheet
    source: str


@dataclass
class Figures:
    """One round as the team follows it (the meanings agreed with the figures, issue 12 §2)."""

    round: Round
    homes: int = 0
    visited: int = 0
    spoken: int = 0
    not_home: list[Home] = field(default_factory=list)  # the list to try again
    refused: int = 0
    moved: int = 0
    empty: int = 0
    referrals: dict[str, int] = field(default_factory=dict)  # per partner id
    no_consent: int = 0


@dataclass
class VisitDraft:
    """Where one staff member is in recording a visit, in one chat."""

    chat_id: int
    user_id: int
    key: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)

    def first_time(self, update_id: int) -> bool:
        """As bot.store.drafts.Draft.first_time: False for an update this draft already saw."""
        seen: list[int] = self.data.setdefault("upd", [])
        if update_id in seen:
            return False
        seen.append(update_id)
        del seen[:-20]
        return True


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _round(row: aiosqlite.Row) -> Round:
    return Round(int(row[0]), str(row[1]), str(row[2]), RoundKind(row[3]), str(row[4]),
                 _day(row[5]), _day(row[6]))


class Visits:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    # -- rounds ---------------------------------------------------------------------------------
    async def rounds(self, partner_ids: set[str] | None = None) -> list[Round]:
        """Every round (None), or those of these partners; the newest first."""
        rows = await self.db.fetchall(f"SELECT {_ROUND} FROM visit_rounds ORDER BY id DESC")
        found = [_round(r) for r in rows]
        return [r for r in found if partner_ids is None or r.partner_id in partner_ids]

    async def round(self, round_id: int) -> Round | None:
        row = await self.db.fetchone(f"SELECT {_ROUND} FROM visit_rounds WHERE id = ?",
                                     (round_id,))
        return _round(row) if row else None

    async def start_round(self, building: str, name: str, kind: RoundKind, partner_id: str,
                          starts_on: date | None = None,
                          ends_on: date | None = None) -> tuple[Round, bool]:
        async with self.db.transaction() as tx:
            return await start_round(tx, self.clock(), building, name, kind, partner_id,
                                     starts_on, ends_on)

    # -- homes ----------------------------------------------------------------------------------
    async def homes_with_number(self, building: str, number: int, addition: str = "") -> list[Home]:
        """The homes of a building with this house number (any addition, unless one is given;
        street and addition regardless of case)."""
        rows = await self.db.fetchall(
            f"SELECT {HOME_COLS} FROM homes WHERE building = ? AND number = ?"
            " AND (? = '' OR addition = ? COLLATE NOCASE) ORDER BY street, addition",
            (building, number, addition, addition))
        return [Home(*r) for r in rows]

    async def homes_by_address(self) -> dict[tuple[str, int, str], Home]:
        """Every home by its address key (bot.store.homes.address_key): the import reads a
        row's address with it."""
        rows = await self.db.fetchall(f"SELECT {HOME_COLS} FROM homes")
        homes = [Home(*r) for r in rows]
        return {address_key(h.street, h.number, h.addition): h for h in homes}

    async def home(self, home_id: int) -> Home | None:
        row = await self.db.fetchone(f"SELECT {HOME_COLS} FROM homes WHERE id = ?", (home_id,))
        return Home(*row) if row else None

    async def linked_count(self, home_id: int) -> int:
        """How many residents linked their chat to the home."""
        row = await self.db.fetchone("SELECT count(*) FROM home_residents WHERE home_id = ?",
                                     (home_id,))
        return int(row[0]) if row else 0

    async def visit(self, visit_id: int) -> Visit | None:
        row = await self.db.fetchone(
            "SELECT id, round_id, home_id, visited_on, outcome, no_consent, source FROM visits"
            " WHERE id = ?", (visit_id,))
        return _visit(row) if row else None

    async def referral_origin(self, ticket_id: int) -> ReferralOrigin | None:
        """Where the help request came from, when it is a referral after a home visit."""
        row = await self.db.fetchone(
            "SELECT r.partner_id, v.visitor_name, v.source FROM visit_referrals x"
            " JOIN visits v ON v.id = x.visit_id JOIN visit_rounds r ON r.id = v.round_id"
            " WHERE x.ticket_id = ?", (ticket_id,))
        return ReferralOrigin(str(row[0]), row[1], str(row[2])) if row else None

    # -- figures ------------------------------------------------------------------------------
    async def figures(self, round_: Round) -> Figures:
        out = Figures(round_)
        row = await self.db.fetchone("SELECT count(*) FROM homes WHERE building = ?",
                                     (round_.building,))
        out.homes = int(row[0]) if row else 0
        rows = await self.db.fetchall(
            f"SELECT {_H}, v.outcome, v.no_consent,"
            " (SELECT max(s.outcome = 'spoken') FROM visits s WHERE s.round_id = v.round_id"
            "   AND s.home_id = v.home_id) FROM visits v JOIN homes h ON h.id = v.home_id"
            " WHERE v.round_id = ? AND v.id = (SELECT l.id FROM visits l"
            "   WHERE l.round_id = v.round_id AND l.home_id = v.home_id"
            "   ORDER BY l.visited_on DESC, l.id DESC LIMIT 1)"
            " ORDER BY h.street, h.number, h.addition", (round_.id,))
        latest = Counter(str(r[7]) for r in rows)
        out.visited = len(rows)
        out.spoken = sum(1 for r in rows if r[9])
        out.not_home = [Home(*r[:7]) for r in rows if r[7] == Outcome.NOT_HOME.value]
        out.refused, out.moved = latest[Outcome.REFUSED.value], latest[Outcome.MOVED.value]
        out.empty = latest[Outcome.EMPTY.value]
        row = await self.db.fetchone(
            "SELECT count(*) FROM visits WHERE round_id = ? AND no_consent = 1", (round_.id,))
        out.no_consent = int(row[0]) if row else 0
        referred = await self.db.fetchall(
            "SELECT x.partner_id, count(*) FROM visit_referrals x JOIN visits v"
            " ON v.id = x.visit_id WHERE v.round_id = ? GROUP BY x.partner_id ORDER BY 1",
            (round_.id,))
        out.referrals = {str(r[0]): int(r[1]) for r in referred}
        return out

    # -- drafts -------------------------------------------------------------------------------
    async def draft(self, chat_id: int, user_id: int) -> VisitDraft | None:
        row = await self.db.fetchone(
            "SELECT key, step, data FROM visit_drafts WHERE chat_id = ? AND user_id = ?",
            (chat_id, user_id))
        if row is None:
            return None
        return VisitDraft(chat_id, user_id, str(row[0]), str(row[1]), json.loads(row[2]))

    async def save_draft(self, draft: VisitDraft) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO visit_drafts (chat_id, user_id, key, step, data, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, user_id) DO UPDATE SET"
                " key = excluded.key, step = excluded.step, data = excluded.data,"
                " updated_at = excluded.updated_at",
                (draft.chat_id, draft.user_id, draft.key, draft.step,
                 json.dumps(draft.data, ensure_ascii=False), iso(self.clock())))

    async def clear_draft(self, chat_id: int, user_id: int) -> None:
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM visit_drafts WHERE chat_id = ? AND user_id = ?",
                             (chat_id, user_id))

    # -- the resident's export ------------------------------------------------------------------
    async def export_for(self, user_id: int) -> list[dict[str, Any]]:
        """The visits to the homes the resident is linked to: when, which round, what came of
        it and to whom they were passed on. Not the team's notes, nor the visitor's name."""
        rows = await self.db.fetchall(
            "SELECT v.id, v.visited_on, r.name, r.kind, v.outcome, v.no_consent, v.source"
            " FROM home_residents hr JOIN visits v ON v.home_id = hr.home_id"
            " JOIN visit_rounds r ON r.id = v.round_id WHERE hr.user_id = ?"
            " ORDER BY v.visited_on, v.id", (user_id,))
        out = []
        for row in rows:
            refs = await self.db.fetchall(
                "SELECT x.partner_id, x.topic, x.consent, t.ref FROM visit_referrals x"
                " LEFT JOIN tickets t ON t.id = x.ticket_id WHERE x.visit_id = ? ORDER BY x.id",
                (row[0],))
            out.append({"date": row[1], "round": row[2], "kind": row[3], "outcome": row[4],
                        "signal_without_consent": bool(row[5]), "source": row[6],
                        "referrals": [{"partner": r[0], "topic": r[1], "consent": r[2],
                                       "request": r[3]} for r in refs]})
        return out


def _visit(row: aiosqlite.Row) -> Visit:
    return Visit(int(row[0]), int(row[1]), int(row[2]), date.fromisoformat(row[3]),
                 Outcome(row[4]), bool(row[5]), str(row[6]))


# -- inside the caller's transaction -----------------------------------------------------------
async def start_round(tx: aiosqlite.Connection, now: datetime, building: str, name: str,
                      kind: RoundKind, partner_id: str, starts_on: date | None,
                      ends_on: date | None) -> tuple[Round, bool]:
    """The round of this name in the building: made now (True), or the one that was there."""
    name = " ".join(name.split())
    cur = await tx.execute(
        "INSERT INTO visit_rounds (building, name, kind, partner_id, starts_on, ends_on,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (building, name) DO NOTHING",
        (building, name, kind.value, partner_id, starts_on.isoformat() if starts_on else None,
         ends_on.isoformat() if ends_on else None, iso(now)))
    created = cur.rowcount == 1
    async with tx.execute(f"SELECT {_ROUND} FROM visit_rounds WHERE building = ? AND name = ?",
                          (building, name)) as c:
        row = await c.fetchone()
    assert row is not None
    return _round(row), created


async def rounds_by_name(tx: aiosqlite.Connection) -> dict[tuple[str, str], Round]:
    """Every round by (building, name casefolded): the import finds a row's round in it."""
    async with tx.execute(f"SELECT {_ROUND} FROM visit_rounds") as cur:
        rows = list(await cur.fetchall())
    return {(str(r[1]), str(r[2]).casefold()): _round(r) for r in rows}


async def known_import_keys(tx: aiosqlite.Connection, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        async with tx.execute(f"SELECT import_key FROM visits WHERE import_key IN ({marks})",
                              chunk) as cur:
            found |= {str(r[0]) for r in await cur.fetchall()}
    return found


async def insert_visit(tx: aiosqlite.Connection, now: datetime,
                       new: NewVisit) -> tuple[int, list[int]]:
    """The visit and its referrals; returns the visit id and the referral ids (in order)."""
    cur = await tx.execute(
        "INSERT INTO visits (round_id, home_id, visited_on, outcome, notes, visitor_id,"
        " visitor_name, no_consent, source, import_key, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (new.round_id, new.home_id, new.visited_on.isoformat(), new.outcome.value, new.notes,
         new.visitor_id, new.visitor_name, int(new.no_consent), new.source, new.import_key,
         iso(now)))
    visit_id = cur.lastrowid
    assert visit_id is not None
    referral_ids = []
    for ref in new.referrals:
        cur = await tx.execute(
            "INSERT INTO visit_referrals (visit_id, partner_id, topic, explanation, consent,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (visit_id, ref.partner_id, ref.topic, ref.explanation, ref.consent.value, iso(now)))
        assert cur.lastrowid is not None
        referral_ids.append(cur.lastrowid)
    return visit_id, referral_ids


async def link_ticket(tx: aiosqlite.Connection, referral_id: int, ticket_id: int) -> None:
    await tx.execute("UPDATE visit_referrals SET ticket_id = ? WHERE id = ?",
                     (ticket_id, referral_id))


async def linked_residents(tx: aiosqlite.Connection, home_id: int) -> list[tuple[int, str]]:
    """(user id, language) of every resident linked to the home."""
    async with tx.execute(
        "SELECT r.user_id, r.lang FROM home_residents hr JOIN residents r"
        " ON r.user_id = hr.user_id WHERE hr.home_id = ? ORDER BY hr.linked_at", (home_id,)) as c:
        return [(int(r[0]), str(r[1])) for r in await c.fetchall()]


async def take_draft(tx: aiosqlite.Connection, chat_id: int, user_id: int, key: str) -> bool:
    """Remove the draft the visit is recorded from, as a compare-and-set: False when it is
    gone or is another one (a double tap, a replayed update recorded it already)."""
    cur = await tx.execute(
        "DELETE FROM visit_drafts WHERE chat_id = ? AND user_id = ? AND key = ?",
        (chat_id, user_id, key))
    return cur.rowcount == 1


# -- privacy and retention --------------------------------------------------------------------
async def forget_homes_of(tx: aiosqlite.Connection, user_id: int) -> int:
    """"Delete my data": the team's notes and the explanations about the resident's homes go
    (the outcomes stay: they are the round's figures, about a home, not a person)."""
    homes = "SELECT home_id FROM home_residents WHERE user_id = ?"
    cur = await tx.execute(f"UPDATE visits SET notes = '' WHERE notes <> ''"
                           f" AND home_id IN ({homes})", (user_id,))
    n = cur.rowcount
    cur = await tx.execute(
        "UPDATE visit_referrals SET explanation = '' WHERE explanation <> '' AND visit_id IN"
        f" (SELECT id FROM visits WHERE home_id IN ({homes}))", (user_id,))
    return n + cur.rowcount


async def purge(tx: aiosqlite.Connection, before: datetime, drafts_before: datetime) -> int:
    """Notes and explanations written before `before` are blanked; unfinished visits older
    than `drafts_before` go. The visits themselves stay (outcomes, dates: the figures)."""
    cur = await tx.execute("UPDATE visits SET notes = '' WHERE notes <> '' AND created_at < ?",
                           (iso(before),))
    n = cur.rowcount
    cur = await tx.execute("UPDATE visit_referrals SET explanation = '' WHERE explanation <> ''"
                           " AND created_at < ?", (iso(before),))
    n += cur.rowcount
    cur = await tx.execute("DELETE FROM visit_drafts WHERE updated_at < ?", (iso(drafts_before),))
    return n + cur.rowcount


async def unowned_closed_before(tx: aiosqlite.Connection, before: datetime,
                                limit: int) -> list[int]:
    """Referral requests without a resident (nobody linked to the home) closed before
    `before` whose content is still there: they expire like a resident's (the visitor's words,
    the address, a phone number)."""
    async with tx.execute(
        "SELECT id FROM tickets WHERE resident_id IS NULL AND draft_key LIKE ? AND closed_at < ?"
        " ORDER BY closed_at LIMIT ?", (REFERRAL_KEY + "%", iso(before), limit)) as cur:
        return [int(r[0]) for r in await cur.fetchall()]
