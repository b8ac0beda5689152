"""Flow drafts: where a resident is in a flow, kept in SQLite so a restart resumes there."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.store.clock import Clock, iso
from bot.store.db import Database


@dataclass
class Draft:
    user_id: int
    key: str  # short random id: in every button of the flow, and the ticket's idempotency key
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)

    def first_time(self, update_id: int) -> bool:
        """Note that this update reached the draft; False if it already had.

        After a crash the inbox replays updates. The id is saved with the draft by the step that
        handles the update, so "applied" and "remembered as applied" commit together.
        """
        # A set of recent ids, not "the highest": Telegram may restart its ids at a random
        # number after a week without updates.
        seen: list[int] = self.data.setdefault("upd", [])
        if update_id in seen:
            return False
        seen.append(update_id)
        del seen[:-20]
        return True


def new_key() -> str:
    return secrets.token_urlsafe(6)


class Drafts:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def get(self, user_id: int) -> Draft | None:
        row = await self.db.fetchone(
            "SELECT user_id, key, flow, step, data FROM drafts WHERE user_id = ?", (user_id,)
        )
        if row is None:
            return None
        return Draft(row["user_id"], row["key"], row["flow"], row["step"], json.loads(row["data"]))

    async def start(self, user_id: int, flow: str, step: str, **data: Any) -> Draft:
        draft = Draft(user_id, new_key(), flow, step, dict(data))
        await self.save(draft)
        return draft

    async def save(self, draft: Draft) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO drafts (user_id, key, flow, step, data, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET key = excluded.key,"
                " flow = excluded.flow, step = excluded.step, data = excluded.data,"
                " updated_at = excluded.updated_at",
                (draft.user_id, draft.key, draft.flow, draft.step,
                 json.dumps(draft.data, ensure_ascii=False), iso(self.clock())),
            )

    async def clear(self, user_id: int) -> None:
        async with self.db.transaction() as tx:
            await delete(tx, user_id)

    async def purge_older_than(self, days: int) -> int:
        """Forget flows a resident abandoned long ago (data minimisation)."""
        async with self.db.transaction() as tx:
            return await purge_before(tx, self.clock() - timedelta(days=days))


async def purge_before(tx: aiosqlite.Connection, cutoff: datetime) -> int:
    """Inside a caller's transaction (the retention pass): drafts untouched since `cutoff`."""
    cur = await tx.execute("DELETE FROM drafts WHERE updated_at < ?", (iso(cutoff),))
    return cur.rowcount


async def delete(tx: aiosqlite.Connection, user_id: int) -> None:
    """Drop a draft inside a caller's transaction (with what finishing the flow wrote)."""
    await tx.execute("DELETE FROM drafts WHERE user_id = ?", (user_id,))
