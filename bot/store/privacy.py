"""Export and erase everything stored about one resident (AVG/GDPR articles 15 and 17)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from bot.domain.tickets import ACTIVE, Action, Status
from bot.store import asks, blocks, drafts, translations
from bot.store.clock import Clock, iso
from bot.store.db import Database
from bot.store.tickets import add_event, erase_content, fetch, move
from bot.store.visits import Visits, forget_homes_of


class Privacy:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the resident (article 15), and nothing about anyone else.

        In: their language and consents, their requests with the history of each (what
        happened, when, and whether they, the staff or the bot did it), the promises and
        permission questions about them, every message the bot holds that was sent to them
        (staff replies, quick replies, notices, announcements) and every message that passed
        their words on to a partner, the machine translations made for their case (the
        translated text: the original is in the request or message, the cache keeps only a
        hash of it), their homes and the home visits to them (when, what came of it, to whom
        they were passed on), their wrong code attempts, an unfinished flow, and a
        coordinator's block (since when, by which request; not who blocked).
        Out: other residents' words, the team's internal notes and handover notes, staff
        members' Telegram ids (a staff first name appears only where the resident read it,
        in the messages sent to them), and the bot's own bookkeeping (due rows, ids).
        """
        resident = await self.db.fetchone("SELECT * FROM residents WHERE user_id = ?", (user_id,))
        tickets = await self.db.fetchall(
            "SELECT id, ref, kind, category, partner_id, description, attachments, building,"
            " location, anonymous, first_name, contact, phone, contact_lang, lang, status,"
            " created_at, updated_at, closed_at, pseudonym, description_lang"
            " FROM tickets WHERE resident_id = ? ORDER BY id",
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
        refs = {int(t["id"]): str(t["ref"]) for t in tickets}
        out["requests"] = [await self._request(t) for t in tickets]
        if draft:
            out["unfinished"] = {**dict(draft), "data": json.loads(draft["data"])}
        homes = await self.db.fetchall(
            "SELECT h.street, h.number, h.addition, r.linked_at FROM home_residents r"
            " JOIN homes h ON h.id = r.home_id WHERE r.user_id = ?", (user_id,))
        out["homes"] = [{"street": h[0], "number": h[1], "addition": h[2], "linked_at": h[3]}
                        for h in homes]
        translated = await self.db.fetchall(
            "SELECT text_hash, source, target, translated, created_at FROM translations"
            " WHERE user_id = ? ORDER BY id", (user_id,))
        cache = {(str(r[0]), str(r[1]), str(r[2])): str(r[3]) for r in translated}
        out["messages_to_you"] = await self._messages(
            "chat_id = ?", [user_id], refs, cache)
        out["your_messages_to_partners"] = await self._messages(
            "chat_id < 0 AND purpose = 'relay' AND ticket_id IN"
            " (SELECT id FROM tickets WHERE resident_id = ?)", [user_id], refs, cache)
        out["translations"] = [{"from": r[1], "to": r[2], "text": r[3], "made_at": r[4]}
                               for r in translated]
        attempts = await self.db.fetchall(
            "SELECT at FROM link_attempts WHERE user_id = ? ORDER BY at", (user_id,))
        out["wrong_code_attempts"] = [r[0] for r in attempts]
        links = await self.db.fetchall(
            "SELECT message_id, ticket_id FROM ticket_messages WHERE chat_id = ?"
            " ORDER BY message_id", (user_id,))
        out["messages_in_your_chat_about_requests"] = [
            {"message_id": r[0], "request": refs.get(int(r[1]))} for r in links
            if int(r[1]) in refs]
        out["home_visits"] = await Visits(self.db, self.clock).export_for(user_id)
        # a coordinator's block: since when and by which request, not who (a staff name)
        block = await self.db.fetchone("SELECT ref, blocked_at FROM blocks WHERE user_id = ?",
                                       (user_id,))
        if block:
            out["blocked"] = {"since": block[1], "request": block[0]}
        return out

    async def _request(self, t: aiosqlite.Row) -> dict[str, Any]:
        """One request as the resident may see it: its fields, history, promises and the
        permission questions asked about it."""
        ticket_id = int(t["id"])
        request = dict(t)
        del request["id"]
        request["attachments"] = json.loads(t["attachments"])
        request["anonymous"] = bool(t["anonymous"])
        events = await self.db.fetchall(
            "SELECT at, actor, event, data FROM ticket_events WHERE ticket_id = ? ORDER BY id",
            (ticket_id,))
        request["history"] = [_event(e) for e in events]
        promises = await self.db.fetchall(
            "SELECT kind, day, part, partner_id, status, created_at, answered_at FROM promises"
            " WHERE ticket_id = ? ORDER BY id", (ticket_id,))
        request["promises"] = [dict(p) for p in promises]
        questions = await self.db.fetchall(
            "SELECT to_partner, asked_at, answer, answered_at FROM transfer_asks"
            " WHERE ticket_id = ? ORDER BY id", (ticket_id,))
        request["may_we_pass_it_on"] = [dict(q) for q in questions]
        return request

    async def _messages(self, where: str, params: list[Any], refs: dict[int, str],
                        cache: dict[tuple[str, str, str], str]) -> list[dict[str, Any]]:
        """Outbox messages as their reader got them (or will): the text or caption, and the
        machine translation when the words were translated for this resident's case."""
        rows = await self.db.fetchall(
            "SELECT ticket_id, method, payload, status, created_at, sent_at FROM outbox"
            f" WHERE {where} AND method IN ('send', 'copy', 'file') ORDER BY id", params)
        out = []
        for ticket_id, method, payload, status, created_at, sent_at in rows:
            p = json.loads(payload)
            text = p.get("text") or p.get("caption") or ""
            if not text and method != "file":
                continue  # erased words, or a copy without a caption: nothing of theirs
            message: dict[str, Any] = {
                "request": refs.get(ticket_id) if ticket_id is not None else None,
                "written_at": created_at, "sent_at": sent_at, "status": status,
            }
            if method == "file":
                message["file"] = p.get("kind")
            if text:
                message["text"] = text
            words = p.get("relay_words")
            if words:
                key = (translations.text_key(str(words.get("body", ""))),
                       str(words.get("source")), str(words.get("target")))
                if key in cache:
                    message["translation"] = cache[key]
            out.append(message)
        return out

    async def erase(self, user_id: int) -> int:
        """Erase a resident in one transaction (see erase_resident); the number of requests."""
        async with self.db.transaction() as tx:
            return len(await erase_resident(tx, user_id, self.clock()))


# what a history entry may show the resident: no texts (internal notes, handover notes) and no
# staff ids or names (staff first names are in the messages the resident got)
_EVENT_KEYS = ("partner", "to", "reason", "answer", "consent", "kind", "day", "part")


def _event(row: aiosqlite.Row) -> dict[str, Any]:
    actor = str(row["actor"])
    by = {"resident": "you", "system": "the bot"}.get(actor, "staff")
    data = json.loads(row["data"])
    return {"at": row["at"], "event": row["event"], "by": by,
            **{k: data[k] for k in _EVENT_KEYS if k in data}}


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
    await forget_homes_of(tx, user_id)  # the visitors' notes about their home (before unlinking)
    await blocks.forget(tx, user_id)
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
    # what was planned for their chat: a translation to edit in later (text_translate keeps
    # the chat id) would otherwise queue a message to them again
    await tx.execute("DELETE FROM due WHERE json_extract(data, '$.chat') = ?", (user_id,))
    if not ticket_ids:
        return
    await asks.forget(tx, ticket_ids)  # "may we pass it on?" and the handover note
    marks = ", ".join("?" * len(ticket_ids))
    # whatever is still queued about their requests is dropped (the card edits the caller
    # queues next show the erased request); what went out loses its words and its key: a
    # relay of theirs, a staff reply, a handover note naming them, a voice message's words
    await tx.execute(f"DELETE FROM outbox WHERE ticket_id IN ({marks}) AND status <> 'sent'",
                     ticket_ids)
    await tx.execute(f"DELETE FROM due WHERE ticket_id IN ({marks})", ticket_ids)  # as retention
    await tx.execute(f"UPDATE outbox SET payload = '{{}}', dedupe_key = NULL"
                     f" WHERE ticket_id IN ({marks})", ticket_ids)
    await tx.execute(f"UPDATE ticket_events SET data = json_remove(data, '$.text', '$.note')"
                     f" WHERE ticket_id IN ({marks})", ticket_ids)
