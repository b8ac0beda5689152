"""Export and erase everything stored about one resident (AVG/GDPR articles 15 and 17)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from bot.domain.tickets import ACTIVE, Action, Status
from bot.store import drafts, translations
from bot.store.clock import Clock, iso
from bot.store.db import Database
from bot.store.tickets import add_event, erase_content, fetch, move


class Privacy:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def export(self, user_id: int) -> dict[str, Any]:
        resident = await self.db.fetchone("SELECT * FROM residents WHERE user_id = ?", (user_id,))
        tickets = await self.db.fetchall(
            "SELECT ref, kind, category, partner_id, description, attachments, building, location,"
            " anonymous, first_name, contact, phone, contact_lang, lang, status, created_at,"
            " updated_at, closed_at FROM tickets WHERE resident_id = ? ORDER BY id",
            (user_id,),
        )
        draft = await self.db.fetchone(
            "SELECT flow, step, data, updated_at FROM drafts WHERE user_id = ?", (user_id,)
        )
        out: dict[str, Any] = {"telegram_user_id": user_id, "exported_at": iso(self.clock())}
        if resident:
            out["language"] = resident["lang"]
            out["consents"] = json.loads(resident["consents"])
            out["since"] = resident["created_at"]
        out["requests"] = [
            {**dict(t), "attachments": json.loads(t["attachments"]),
             "anonymous": bool(t["anonymous"])}
            for t in tickets
        ]
        if draft:
            out["unfinished"] = {**dict(draft), "data": json.loads(draft["data"])}
        homes = await self.db.fetchall(
            "SELECT h.street, h.number, h.addition, r.linked_at FROM home_residents r"
            " JOIN homes h ON h.id = r.home_id WHERE r.user_id = ?", (user_id,))
        out["homes"] = [{"street": h[0], "number": h[1], "addition": h[2], "linked_at": h[3]}
                        for h in homes]
        return out

    async def erase(self, user_id: int) -> int:
        """Erase a resident in one transaction (see erase_resident); the number of requests."""
        async with self.db.transaction() as tx:
            return len(await erase_resident(tx, user_id, self.clock()))


async def erase_resident(tx: aiosqlite.Connection, user_id: int, moment: datetime) -> list[int]:
    """Delete the resident, their draft, the content of their requests and the machine
    translations of their case; returns the ids of their requests.

    Open requests are withdrawn so no partner keeps working on a case nobody can answer; their
    open promises are cancelled with them (`move`). The caller edits the cards in the same
    transaction (bot/services/privacy.py).
    """
    async with tx.execute("SELECT id, status FROM tickets WHERE resident_id = ?",
                          (user_id,)) as cur:
        rows = list(await cur.fetchall())
    for ticket_id, status in rows:
        if Status(status) in ACTIVE:
            await move(tx, await fetch(tx, ticket_id), Action.WITHDRAW, "resident", moment)
        await erase_content(tx, ticket_id)
        await add_event(tx, ticket_id, "resident", "erased", iso(moment), reason="request")
    await _erase_traces(tx, user_id, [ticket_id for ticket_id, _ in rows])
    await drafts.delete(tx, user_id)
    await translations.forget_resident(tx, user_id)
    await tx.execute("DELETE FROM residents WHERE user_id = ?", (user_id,))
    return [ticket_id for ticket_id, _ in rows]


async def _erase_traces(tx: aiosqlite.Connection, user_id: int, ticket_ids: list[int]) -> None:
    """What else ties the resident to their words: messages to their chat (nothing queued for
    them goes out any more, and /retry finds nothing), which message was about which request,
    the relays of their words into the groups, their tries at an invitation code, and what was
    said in the history (the events keep *that* something happened, not *what*)."""
    await tx.execute("DELETE FROM outbox WHERE chat_id = ?", (user_id,))
    await tx.execute("DELETE FROM ticket_messages WHERE chat_id = ?", (user_id,))
    await tx.execute("DELETE FROM link_attempts WHERE user_id = ?", (user_id,))
    if not ticket_ids:
        return
    marks = ", ".join("?" * len(ticket_ids))
    # relayed words not yet in a group are dropped; those already there lose payload and key
    await tx.execute(f"DELETE FROM outbox WHERE ticket_id IN ({marks}) AND purpose = 'relay'"
                     " AND status <> 'sent'", ticket_ids)
    await tx.execute(f"UPDATE outbox SET payload = '{{}}', dedupe_key = NULL"
                     f" WHERE ticket_id IN ({marks}) AND purpose = 'relay'", ticket_ids)
    await tx.execute(f"UPDATE ticket_events SET data = json_remove(data, '$.text', '$.note')"
                     f" WHERE ticket_id IN ({marks})", ticket_ids)
