"""Where each ticket lives in each chat: its forum topic, its card, and every message about it.

This is how a staff reply to the card, a message in the ticket's topic, or a resident's reply to
any bot message about a request finds its ticket.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.store.clock import Clock, iso
from bot.store.db import Database


@dataclass(frozen=True)
class Thread:
    ticket_id: int
    chat_id: int
    thread_id: int | None
    card_id: int | None

    def target(self) -> dict[str, Any]:
        """Where a message about the ticket goes: its forum topic, or under its card."""
        if self.thread_id is not None:
            return {"message_thread_id": self.thread_id}
        if self.card_id is not None:
            return {"reply_to_message_id": self.card_id, "allow_sending_without_reply": True}
        return {}


@dataclass(frozen=True)
class Pending:
    """A staff member's half-finished action (a note or a handover note still to be typed)."""

    chat_id: int
    user_id: int
    ticket_id: int
    action: str
    data: dict[str, Any]


class Threads:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def get(self, ticket_id: int, chat_id: int) -> Thread | None:
        row = await self.db.fetchone(
            "SELECT ticket_id, chat_id, thread_id, card_id FROM ticket_threads"
            " WHERE ticket_id = ? AND chat_id = ?", (ticket_id, chat_id))
        return Thread(*row) if row else None

    async def by_topic(self, chat_id: int, thread_id: int) -> int | None:
        row = await self.db.fetchone(
            "SELECT ticket_id FROM ticket_threads WHERE chat_id = ? AND thread_id = ?",
            (chat_id, thread_id))
        return int(row[0]) if row else None

    async def by_message(self, chat_id: int, message_id: int) -> int | None:
        row = await self.db.fetchone(
            "SELECT ticket_id FROM ticket_messages WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id))
        return int(row[0]) if row else None

    async def save_topic(self, ticket_id: int, chat_id: int, thread_id: int) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO ticket_threads (ticket_id, chat_id, thread_id) VALUES (?, ?, ?)"
                " ON CONFLICT(ticket_id, chat_id) DO UPDATE SET thread_id = excluded.thread_id",
                (ticket_id, chat_id, thread_id))

    async def set_pending(self, chat_id: int, user_id: int, ticket_id: int, action: str,
                          **data: Any) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT OR REPLACE INTO staff_pending (chat_id, user_id, ticket_id, action, data,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (chat_id, user_id, ticket_id, action, json.dumps(data), iso(self.clock())))

    async def pending(self, chat_id: int, user_id: int) -> Pending | None:
        row = await self.db.fetchone(
            "SELECT chat_id, user_id, ticket_id, action, data FROM staff_pending"
            " WHERE chat_id = ? AND user_id = ?", (chat_id, user_id))
        return Pending(row[0], row[1], row[2], row[3], json.loads(row[4])) if row else None


async def save_card(tx: aiosqlite.Connection, ticket_id: int, chat_id: int, thread_id: int | None,
                    card_id: int) -> None:
    await tx.execute(
        "INSERT INTO ticket_threads (ticket_id, chat_id, thread_id, card_id) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(ticket_id, chat_id) DO UPDATE SET card_id = excluded.card_id",
        (ticket_id, chat_id, thread_id, card_id))
    await remember(tx, chat_id, card_id, ticket_id, "card")


async def remember(tx: aiosqlite.Connection, chat_id: int, message_id: int, ticket_id: int,
                   role: str) -> None:
    await tx.execute(
        "INSERT OR IGNORE INTO ticket_messages (chat_id, message_id, ticket_id, role)"
        " VALUES (?, ?, ?, ?)", (chat_id, message_id, ticket_id, role))


async def clear_pending(tx: aiosqlite.Connection, chat_id: int, user_id: int) -> None:
    await tx.execute("DELETE FROM staff_pending WHERE chat_id = ? AND user_id = ?",
                     (chat_id, user_id))


async def chats_with_card(tx: aiosqlite.Connection, ticket_id: int) -> list[int]:
    """Every chat that shows this ticket's card (its partner's group, earlier partners' groups)."""
    async with tx.execute("SELECT chat_id FROM ticket_threads WHERE ticket_id = ?",
                          (ticket_id,)) as cur:
        return [r[0] for r in await cur.fetchall()]


# -- retention (bot/store/retention.py) ----------------------------------------------------------
async def purge_pending(tx: aiosqlite.Connection, before: datetime) -> int:
    """Half-finished staff actions (a note never typed) started before `before`."""
    cur = await tx.execute("DELETE FROM staff_pending WHERE created_at < ?", (iso(before),))
    return cur.rowcount


async def forget_tickets(tx: aiosqlite.Connection, ticket_ids: list[int]) -> int:
    """Which message in a resident's chat was about these requests, and staff prompts about
    them. The groups' rows stay, so a reply to an old card still hears that it is closed."""
    marks = ", ".join("?" * len(ticket_ids))
    cur = await tx.execute(
        f"DELETE FROM ticket_messages WHERE ticket_id IN ({marks}) AND chat_id > 0", ticket_ids)
    pending = await tx.execute(
        f"DELETE FROM staff_pending WHERE ticket_id IN ({marks})", ticket_ids)
    return cur.rowcount + pending.rowcount
