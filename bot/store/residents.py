"""Residents: a Telegram user id, the language they chose, and the consents they gave."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from bot.store.clock import Clock, iso
from bot.store.db import Database


@dataclass(frozen=True)
class Reader:
    """A resident to write to, and the language to write in (notices, broadcasts)."""

    user_id: int
    lang: str


@dataclass(frozen=True)
class Resident:
    user_id: int
    lang: str
    consents: dict[str, str] = field(default_factory=dict)


class Residents:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def get(self, user_id: int) -> Resident | None:
        row = await self.db.fetchone(
            "SELECT user_id, lang, consents FROM residents WHERE user_id = ?", (user_id,)
        )
        if row is None:
            return None
        return Resident(row["user_id"], row["lang"], json.loads(row["consents"]))

    async def set_language(self, user_id: int, lang: str) -> None:
        now = iso(self.clock())
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO residents (user_id, lang, created_at, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(user_id) DO UPDATE SET lang = excluded.lang,"
                " updated_at = excluded.updated_at",
                (user_id, lang, now, now),
            )

    async def record_consent(self, user_id: int, topic: str) -> None:
        """Remember when the resident agreed to share a request with a partner."""
        async with self.db.transaction() as tx:
            async with tx.execute(
                "SELECT consents FROM residents WHERE user_id = ?", (user_id,)
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                return
            consents = json.loads(row[0])
            consents[topic] = iso(self.clock())
            await tx.execute(
                "UPDATE residents SET consents = ?, updated_at = ? WHERE user_id = ?",
                (json.dumps(consents), iso(self.clock()), user_id),
            )
