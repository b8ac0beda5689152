"""Tickets and their append-only event history."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import aiosqlite

from bot.domain.tickets import (
    Action,
    Attachment,
    Kind,
    NewTicket,
    Status,
    Ticket,
    format_ref,
    transition,
)
from bot.store.clock import Clock, iso, parse, utcnow
from bot.store.db import Database

COLUMNS = (
    "id, ref, resident_id, kind, category, partner_id, description, attachments, building,"
    " location, anonymous, first_name, contact, phone, contact_lang, lang, status, created_at,"
    " updated_at, closed_at"
)


def _ticket(row: aiosqlite.Row) -> Ticket:
    created, updated = parse(row["created_at"]), parse(row["updated_at"])
    assert created is not None and updated is not None
    return Ticket(
        id=row["id"], ref=row["ref"], resident_id=row["resident_id"], kind=Kind(row["kind"]),
        category=row["category"], partner_id=row["partner_id"], description=row["description"],
        attachments=tuple(Attachment(**a) for a in json.loads(row["attachments"])),
        building=row["building"], location=row["location"], anonymous=bool(row["anonymous"]),
        first_name=row["first_name"], contact=row["contact"], phone=row["phone"],
        contact_lang=row["contact_lang"], lang=row["lang"], status=Status(row["status"]),
        created_at=created, updated_at=updated, closed_at=parse(row["closed_at"]),
    )


async def add_event(
    tx: aiosqlite.Connection, ticket_id: int, actor: str, event: str, at: str, **data: Any
) -> None:
    await tx.execute(
        "INSERT INTO ticket_events (ticket_id, at, actor, event, data) VALUES (?, ?, ?, ?, ?)",
        (ticket_id, at, actor, event, json.dumps(data, ensure_ascii=False)),
    )


class Tickets:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    async def create(self, new: NewTicket) -> tuple[Ticket, bool]:
        """Create the ticket once per draft; a repeat (double tap, replayed update) returns it.

        The draft is removed in the same transaction, so a crash leaves either the draft or the
        ticket, never both and never neither.
        """
        now = iso(self.clock())
        async with self.db.transaction() as tx:
            async with tx.execute(
                f"SELECT {COLUMNS} FROM tickets WHERE draft_key = ?", (new.draft_key,)
            ) as cur:
                row = await cur.fetchone()
            if row is not None:
                return _ticket(row), False
            cur = await tx.execute(
                "INSERT INTO tickets (resident_id, draft_key, kind, category, partner_id,"
                " description, attachments, building, location, anonymous, first_name, contact,"
                " phone, contact_lang, lang, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (new.resident_id, new.draft_key, new.kind.value, new.category, new.partner_id,
                 new.description, new.attachments_json(), new.building, new.location,
                 int(new.anonymous), None if new.anonymous else new.first_name, new.contact,
                 new.phone, new.contact_lang, new.lang, Status.OPEN.value, now, now),
            )
            ticket_id = cur.lastrowid
            assert ticket_id is not None
            ref = format_ref(new.kind, ticket_id)
            await tx.execute("UPDATE tickets SET ref = ? WHERE id = ?", (ref, ticket_id))
            await add_event(tx, ticket_id, "resident", "created", now, partner=new.partner_id)
            await tx.execute("DELETE FROM drafts WHERE user_id = ?", (new.resident_id,))
            async with tx.execute(f"SELECT {COLUMNS} FROM tickets WHERE id = ?", (ticket_id,)) as c:
                created = await c.fetchone()
        assert created is not None
        return _ticket(created), True

    async def get(self, ticket_id: int) -> Ticket | None:
        row = await self.db.fetchone(f"SELECT {COLUMNS} FROM tickets WHERE id = ?", (ticket_id,))
        return _ticket(row) if row else None

    async def for_resident(self, user_id: int, limit: int = 20) -> list[Ticket]:
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM tickets WHERE resident_id = ? ORDER BY id DESC LIMIT ?",
            (user_id, limit),
        )
        return [_ticket(r) for r in rows]

    async def apply(self, ticket_id: int, action: Action, actor: str, **data: Any) -> Ticket:
        """Move a ticket through the workflow as one compare-and-set.

        Raises IllegalTransition when the table forbids it (nothing written) and LookupError when
        the ticket changed under us (someone else was first).
        """
        now = iso(self.clock())
        async with self.db.transaction() as tx:
            async with tx.execute("SELECT status FROM tickets WHERE id = ?", (ticket_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                raise LookupError(f"no ticket {ticket_id}")
            before = Status(row[0])
            after = transition(before, action)
            closed = now if after in (Status.CLOSED, Status.WITHDRAWN) else None
            cur = await tx.execute(
                "UPDATE tickets SET status = ?, updated_at = ?, closed_at = ?"
                " WHERE id = ? AND status = ?",
                (after.value, now, closed, ticket_id, before.value),
            )
            if cur.rowcount != 1:
                raise LookupError(f"ticket {ticket_id} changed")
            await add_event(tx, ticket_id, actor, action.value, now, **data)
        ticket = await self.get(ticket_id)
        assert ticket is not None
        return ticket

    async def events(self, ticket_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT at, actor, event, data FROM ticket_events WHERE ticket_id = ? ORDER BY id",
            (ticket_id,),
        )
        return [
            {"at": r["at"], "actor": r["actor"], "event": r["event"], **json.loads(r["data"])}
            for r in rows
        ]

    async def purge_expired(self, retention_days: int) -> int:
        """Erase the content of requests closed longer ago than the retention period."""
        cutoff = iso(self.clock() - timedelta(days=retention_days))
        now = iso(self.clock())
        async with self.db.transaction() as tx:
            async with tx.execute(
                "SELECT id FROM tickets WHERE closed_at IS NOT NULL AND closed_at < ?"
                " AND resident_id IS NOT NULL",
                (cutoff,),
            ) as cur:
                ids = [r[0] for r in await cur.fetchall()]
            for ticket_id in ids:
                await erase_content(tx, ticket_id)
                await add_event(tx, ticket_id, "system", "erased", now, reason="retention")
        return len(ids)


async def erase_content(tx: aiosqlite.Connection, ticket_id: int) -> None:
    """Remove everything a resident told us from one ticket; the bare statistics remain."""
    await tx.execute(
        "UPDATE tickets SET resident_id = NULL, description = '', attachments = '[]',"
        " location = NULL, first_name = NULL, phone = NULL, contact = NULL WHERE id = ?",
        (ticket_id,),
    )
