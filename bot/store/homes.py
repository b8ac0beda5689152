"""Homes, their invitation codes, and which residents are linked to which home.

Codes are 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L): about 49 bits, so
guessing is not feasible, all the more with attempts limited per user.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.store.clock import Clock, iso
from bot.store.db import Database

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_FAILED = 5  # wrong codes per user per hour
WINDOW = timedelta(hours=1)


def new_code() -> str:
    """A random code with letters and digits both (so ordinary typed words never look like one)."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if any(ch.isdigit() for ch in code) and any(ch.isalpha() for ch in code):
            return code


def clean_code(text: str) -> str:
    """What a resident typed, as a code: no spaces or dashes, upper case."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def looks_like_code(text: str) -> bool:
    code = clean_code(text)
    return (len(code) == CODE_LENGTH and all(ch in ALPHABET for ch in code)
            and any(ch.isdigit() for ch in code))


@dataclass(frozen=True)
class Home:
    id: int
    building: str
    street: str
    number: int
    addition: str
    stairwell: str
    floor: int | None

    @property
    def address(self) -> str:
        suffix = f"-{self.addition}" if self.addition else ""
        return f"{self.street} {self.number}{suffix}"


@dataclass(frozen=True)
class NewHome:
    building: str
    street: str
    number: int
    addition: str = ""
    stairwell: str = ""
    floor: int | None = None


COLS = "id, building, street, number, addition, stairwell, floor"
# SQLite's NOCASE folds only A-Z: the importers must fold the same way, or they would call two
# addresses the same that the store keeps apart
_NOCASE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def address_key(street: str, number: int, addition: str) -> tuple[str, int, str]:
    """An address as the store tells homes apart: street and addition regardless of case."""
    return street.translate(_NOCASE), number, addition.translate(_NOCASE)


class Homes:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def upsert(self, homes: list[NewHome]) -> tuple[int, int]:
        """Add or update homes by address (see address_key), all in one transaction; an update
        takes the new spelling of street and addition. Returns (added, updated)."""
        added = updated = 0
        async with self.db.transaction() as tx:
            for h in homes:
                # the exact spelling first: a database from before addresses ignored case may
                # hold the same address twice
                async with tx.execute(
                    "SELECT id FROM homes WHERE street = ? COLLATE NOCASE AND number = ?"
                    " AND addition = ? COLLATE NOCASE"
                    " ORDER BY street = ? AND addition = ? DESC, id LIMIT 1",
                    (h.street, h.number, h.addition, h.street, h.addition)) as cur:
                    row = await cur.fetchone()
                if row is not None:
                    await tx.execute(
                        "UPDATE homes SET building = ?, street = ?, addition = ?, stairwell = ?,"
                        " floor = ? WHERE id = ?",
                        (h.building, h.street, h.addition, h.stairwell, h.floor, row[0]))
                    updated += 1
                    continue
                await tx.execute(
                    "INSERT INTO homes (building, street, number, addition, stairwell, floor)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (h.building, h.street, h.number, h.addition, h.stairwell, h.floor))
                added += 1
        return added, updated

    async def in_building(self, building: str) -> list[Home]:
        rows = await self.db.fetchall(
            f"SELECT {COLS} FROM homes WHERE building = ? ORDER BY street, number, addition",
            (building,))
        return [Home(*r) for r in rows]

    async def codes_for(self, homes: list[Home]) -> dict[int, str]:
        """The active code of each home, making one where there is none."""
        out: dict[int, str] = {}
        now = iso(self.clock())
        async with self.db.transaction() as tx:
            for home in homes:
                async with tx.execute("SELECT code FROM invite_codes WHERE home_id = ?"
                                      " AND revoked_at IS NULL", (home.id,)) as cur:
                    row = await cur.fetchone()
                if row is None:
                    code = new_code()
                    await tx.execute("INSERT INTO invite_codes VALUES (?, ?, ?, NULL)",
                                     (code, home.id, now))
                    out[home.id] = code
                else:
                    out[home.id] = row[0]
        return out

    async def revoke(self, code: str) -> bool:
        async with self.db.transaction() as tx:
            cur = await tx.execute("UPDATE invite_codes SET revoked_at = ? WHERE code = ?"
                                   " AND revoked_at IS NULL", (iso(self.clock()), clean_code(code)))
            return cur.rowcount == 1

    async def too_many_attempts(self, user_id: int) -> bool:
        since = iso(self.clock() - WINDOW)
        row = await self.db.fetchone(
            "SELECT count(*) FROM link_attempts WHERE user_id = ? AND at > ?", (user_id, since))
        return bool(row and row[0] >= MAX_FAILED)

    async def link(self, user_id: int, code: str) -> Home | None:
        """Link a resident to the home of a valid code; a wrong code counts as an attempt."""
        now = iso(self.clock())
        async with self.db.transaction() as tx:
            async with tx.execute(
                f"SELECT {', '.join('h.' + c.strip() for c in COLS.split(','))} FROM invite_codes"
                " c JOIN homes h ON h.id = c.home_id WHERE c.code = ? AND c.revoked_at IS NULL",
                (clean_code(code),)) as cur:
                row = await cur.fetchone()
            if row is None:
                await tx.execute("INSERT INTO link_attempts VALUES (?, ?)", (user_id, now))
                return None
            home = Home(*row)
            await tx.execute("INSERT OR IGNORE INTO home_residents VALUES (?, ?, ?)",
                             (home.id, user_id, now))
            return home

    async def of_resident(self, user_id: int) -> list[Home]:
        rows = await self.db.fetchall(
            f"SELECT {', '.join('h.' + c.strip() for c in COLS.split(','))} FROM home_residents r"
            " JOIN homes h ON h.id = r.home_id WHERE r.user_id = ? ORDER BY r.linked_at",
            (user_id,))
        return [Home(*r) for r in rows]


async def purge_attempts(tx: aiosqlite.Connection, before: datetime) -> int:
    """Wrong codes tried before `before`: only the last hour counts (MAX_FAILED)."""
    cur = await tx.execute("DELETE FROM link_attempts WHERE at < ?", (iso(before),))
    return cur.rowcount
