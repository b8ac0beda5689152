"""Tickets and their append-only event history."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.domain.promises import ENDS_PROMISES
from bot.domain.tickets import (
    Action,
    Attachment,
    IllegalTransition,
    Kind,
    NewTicket,
    Status,
    Ticket,
    format_ref,
    transition,
)
from bot.store import drafts, promises
from bot.store.clock import Clock, iso, parse
from bot.store.db import Database

COLUMNS = (
    "id, ref, resident_id, kind, category, partner_id, description, attachments, building,"
    " location, anonymous, first_name, contact, phone, contact_lang, lang, status, created_at,"
    " updated_at, closed_at, claimed_by, claimed_name, pseudonym, claim_due, contact_due,"
    " resolve_due, contacted_at, resident_notified_at, resident_news_at, description_lang"
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
        claimed_by=row["claimed_by"], claimed_name=row["claimed_name"], pseudonym=row["pseudonym"],
        claim_due=parse(row["claim_due"]), contact_due=parse(row["contact_due"]),
        resolve_due=parse(row["resolve_due"]), contacted_at=parse(row["contacted_at"]),
        resident_notified_at=parse(row["resident_notified_at"]),
        resident_news_at=parse(row["resident_news_at"]),
        description_lang=row["description_lang"],
    )


async def add_event(
    tx: aiosqlite.Connection, ticket_id: int, actor: str, event: str, at: str, **data: Any
) -> None:
    await tx.execute(
        "INSERT INTO ticket_events (ticket_id, at, actor, event, data) VALUES (?, ?, ?, ?, ?)",
        (ticket_id, at, actor, event, json.dumps(data, ensure_ascii=False)),
    )


async def find(tx: aiosqlite.Connection, ticket_id: int) -> Ticket | None:
    async with tx.execute(f"SELECT {COLUMNS} FROM tickets WHERE id = ?", (ticket_id,)) as cur:
        row = await cur.fetchone()
    return _ticket(row) if row else None


async def fetch(tx: aiosqlite.Connection, ticket_id: int) -> Ticket:
    ticket = await find(tx, ticket_id)
    if ticket is None:
        raise LookupError(f"no ticket {ticket_id}")
    return ticket


async def move(tx: aiosqlite.Connection, before: Ticket, action: Action, actor: str,
               moment: datetime, *, fields: dict[str, Any] | None = None,
               **data: Any) -> Ticket:
    """One status change inside the caller's transaction, as a compare-and-set: the new status
    from the workflow table (IllegalTransition before anything is written), the event row, and
    the end of the promises the move leaves nobody to keep. Returns the updated ticket."""
    now = iso(moment)
    after = transition(before.status, action)
    closed = now if after in (Status.CLOSED, Status.WITHDRAWN) else None
    sets = {"status": after.value, "updated_at": now, "closed_at": closed, **(fields or {})}
    assignments = ", ".join(f"{column} = ?" for column in sets)
    cur = await tx.execute(
        f"UPDATE tickets SET {assignments} WHERE id = ? AND status = ?",
        (*sets.values(), before.id, before.status.value),
    )
    if cur.rowcount != 1:  # the status changed since `before` was read; refuse rather than guess
        raise IllegalTransition(before.status, action)
    await add_event(tx, before.id, actor, action.value, now, **data)
    if action in ENDS_PROMISES:
        await _end_promises(tx, before.id, action, actor, moment, data.get("name"))
    return await fetch(tx, before.id)


async def record(tx: aiosqlite.Connection, ticket_id: int, actor: str, event: str,
                 moment: datetime, **data: Any) -> Ticket:
    """Something that happened without a status change (a note, a reply, a promise), inside the
    caller's transaction. Returns the ticket as it is now."""
    await add_event(tx, ticket_id, actor, event, iso(moment), **data)
    await tx.execute("UPDATE tickets SET updated_at = ? WHERE id = ?", (iso(moment), ticket_id))
    return await fetch(tx, ticket_id)


async def _end_promises(tx: aiosqlite.Connection, ticket_id: int, action: Action, actor: str,
                        moment: datetime, name: str | None) -> None:
    """Cancel the ticket's open promises, each with an event for the card's history (after the
    move's own event, so the history reads cause, then consequence)."""
    for cancelled in await promises.cancel_open(tx, ticket_id, moment):
        extra = {"name": name} if name else {}
        await add_event(tx, ticket_id, actor, "promise_cancelled", iso(moment),
                        promise=cancelled.id, reason=action.value, **extra)


async def insert(tx: aiosqlite.Connection, new: NewTicket,
                 moment: datetime) -> tuple[Ticket, bool]:
    """Create the ticket once per draft, inside the caller's transaction; a repeat (double tap,
    replayed update) returns the ticket the draft became, and False.

    The draft is removed in the same transaction, so a crash leaves either the draft or the
    ticket, never both and never neither.
    """
    now = iso(moment)
    async with tx.execute(
        f"SELECT {COLUMNS} FROM tickets WHERE draft_key = ?", (new.draft_key,)
    ) as cur:
        row = await cur.fetchone()
    if row is not None:
        return _ticket(row), False
    cur = await tx.execute(
        "INSERT INTO tickets (resident_id, draft_key, kind, category, partner_id,"
        " description, attachments, building, location, anonymous, first_name, contact,"
        " phone, contact_lang, lang, status, created_at, updated_at, pseudonym,"
        " description_lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (new.resident_id, new.draft_key, new.kind.value, new.category, new.partner_id,
         new.description, new.attachments_json(), new.building, new.location,
         int(new.anonymous), None if new.anonymous else new.first_name, new.contact,
         new.phone, new.contact_lang, new.lang, Status.OPEN.value, now, now,
         secrets.token_hex(2).upper(), new.description_lang),
    )
    ticket_id = cur.lastrowid
    assert ticket_id is not None
    ref = format_ref(new.kind, ticket_id)
    await tx.execute("UPDATE tickets SET ref = ? WHERE id = ?", (ref, ticket_id))
    await add_event(tx, ticket_id, "resident", "created", now, partner=new.partner_id)
    if new.resident_id is not None:
        await drafts.delete(tx, new.resident_id)
    return await fetch(tx, ticket_id), True


class Tickets:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def create(self, new: NewTicket) -> tuple[Ticket, bool]:
        """The ticket alone, in its own transaction (bot/services/intake.py also routes it)."""
        async with self.db.transaction() as tx:
            return await insert(tx, new, self.clock())

    async def get(self, ticket_id: int) -> Ticket | None:
        row = await self.db.fetchone(f"SELECT {COLUMNS} FROM tickets WHERE id = ?", (ticket_id,))
        return _ticket(row) if row else None

    async def ref_of_draft(self, draft_key: str, user_id: int) -> str | None:
        """The reference of the ticket a resident's draft became, if it became one."""
        row = await self.db.fetchone(
            "SELECT ref FROM tickets WHERE draft_key = ? AND resident_id = ?", (draft_key, user_id))
        return str(row[0]) if row else None

    async def for_resident(self, user_id: int, limit: int = 20) -> list[Ticket]:
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM tickets WHERE resident_id = ? ORDER BY id DESC LIMIT ?",
            (user_id, limit),
        )
        return [_ticket(r) for r in rows]

    async def apply(self, ticket_id: int, action: Action, actor: str, *,
                    fields: dict[str, Any] | None = None, **data: Any) -> Ticket:
        """Move a ticket through the workflow as one compare-and-set, in its own transaction.

        `fields` are set together with the status (claimer, partner). Raises IllegalTransition
        when the table forbids the move (nothing written). A move that causes messages is a
        use case in bot/services, with `move` inside its own transaction.
        """
        moment = self.clock()
        async with self.db.transaction() as tx:
            before = await fetch(tx, ticket_id)
            return await move(tx, before, action, actor, moment, fields=fields, **data)

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
    # the draft key of a renovation answer holds the user id (wd:<day>:<user>:...): replaced
    await tx.execute(
        "UPDATE tickets SET resident_id = NULL, description = '', attachments = '[]',"
        " location = NULL, first_name = NULL, phone = NULL, contact = NULL,"
        " contact_lang = NULL, draft_key = 'erased:' || id WHERE id = ?",
        (ticket_id,),
    )


# -- follow-up bookkeeping on a ticket, inside the caller's transaction ---------------------------
async def set_deadlines(tx: aiosqlite.Connection, ticket_id: int, *, claim: datetime,
                        contact: datetime | None = None, resolve: datetime | None = None) -> None:
    """The claim deadline, and the first-contact and resolve deadlines when given."""
    await tx.execute(
        "UPDATE tickets SET claim_due = ?, contact_due = COALESCE(?, contact_due),"
        " resolve_due = COALESCE(?, resolve_due) WHERE id = ?",
        (iso(claim), iso(contact) if contact else None, iso(resolve) if resolve else None,
         ticket_id))


async def mark_contacted(tx: aiosqlite.Connection, ticket_id: int, now: datetime | None) -> None:
    """Staff first reached the resident at `now` (kept if earlier); None: not yet (reopened)."""
    if now is None:
        await tx.execute("UPDATE tickets SET contacted_at = NULL WHERE id = ?", (ticket_id,))
        return
    await tx.execute("UPDATE tickets SET contacted_at = COALESCE(contacted_at, ?) WHERE id = ?",
                     (iso(now), ticket_id))


async def mark_news(tx: aiosqlite.Connection, ticket_id: int, moment: datetime, *,
                    by_bot: bool) -> None:
    """The resident hears about the ticket at `moment`; `by_bot`: one of the bot's own messages,
    which also counts for the one-a-day rule."""
    if by_bot:
        await tx.execute("UPDATE tickets SET resident_notified_at = ?, resident_news_at = ?"
                         " WHERE id = ?", (iso(moment), iso(moment), ticket_id))
    else:
        await tx.execute("UPDATE tickets SET resident_news_at = ? WHERE id = ?",
                         (iso(moment), ticket_id))
