"""The outbox: every message that must reach someone, written in the same transaction as the state
change that caused it, and delivered afterwards by the worker (bot/delivery.py).

Items for one chat go out in order: an item waits while an older one for the same chat is pending,
so a ticket card is always posted before the photos and replies that belong under it.

Bulk items (broadcasts) go after all others that are due, and never hold one up: a card or a
reply to a resident does not wait behind an announcement to ten thousand homes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import aiosqlite

from bot.domain.limits import RELAY_WINDOW, fair_order
from bot.store.clock import Clock, iso, iso_ceil
from bot.store.db import Database


class Method(StrEnum):
    """How the delivery worker (bot/messaging/delivery.py) sends an outbox item."""

    CARD = "card"  # post a ticket's card (rendered at send time, so it shows the ticket as it is)
    CARD_EDIT = "card_edit"  # edit the card wherever it was posted
    SEND = "send"  # a text (payload: text, reply_markup, parse_mode)
    COPY = "copy"  # copy a message without its sender (payload: from_chat_id, message_id)
    FILE = "file"  # a photo or voice note by file id (payload: kind, file_id; or png, base64)
    # edit a sent relay, translating it again (payload: of = the relay's item id, message)
    EDIT = "edit"
    # write out a resident's voice message and post the words (payload: file_id, lang, head);
    # queued as bulk, so the minute a transcription may take never holds up the chat's messages
    TRANSCRIBE = "transcribe"


@dataclass(frozen=True)
class OutItem:
    id: int
    chat_id: int
    thread_id: int | None
    ticket_id: int | None
    purpose: str
    method: str
    payload: dict[str, Any]
    attempts: int
    bulk: bool = False
    # the bot's own initiative (held in the residents' quiet hours), not a person's doing
    initiative: bool = True
    created_at: datetime | None = None


async def enqueue(
    tx: aiosqlite.Connection, now: datetime, *, chat_id: int, method: Method, purpose: str,
    payload: dict[str, Any] | None = None, ticket_id: int | None = None,
    thread_id: int | None = None, dedupe_key: str | None = None, due_at: datetime | None = None,
    bulk: bool = False, initiative: bool = False,
) -> None:
    """Add a message to send; a repeated dedupe_key (a replayed update) adds nothing.
    `initiative`: the bot sends it of its own accord, so a resident gets it only outside quiet
    hours; otherwise a person caused it just now and it goes at once (bot/delivery.py)."""
    await tx.execute(
        "INSERT OR IGNORE INTO outbox (dedupe_key, chat_id, thread_id, ticket_id, purpose, method,"
        " payload, due_at, created_at, bulk, initiative) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (dedupe_key, chat_id, thread_id, ticket_id, purpose, method,
         json.dumps(payload or {}, ensure_ascii=False), iso(due_at or now), iso(now), int(bulk),
         int(initiative)),
    )


# The heads of a chat's queue, so a round takes at most one item per chat (see Outbox.due).
# An item waits for older ones of its chat (`p`), except that a message never waits for a bulk
# item (an announcement and a reply have no order between them) and a bulk item waits for
# every message of its chat. In a group the queue is one line per request instead, so that one
# resident's messages cannot hold up another's card (bot/domain/limits.py): an item there waits
# only for older items of its own request (a card goes before its photos and replies), for an
# older bulk item (transcriptions keep their order), for a message that is due (a bulk item
# still goes after every message), and for an item backing off after a failure (the chat waits,
# as Telegram asks). An item kept for later on purpose (a resident's message over the limit,
# bot/services/conversation.py) holds up its own request only. Its two placeholders are the
# moment of the round.
_HEAD = (" NOT EXISTS (SELECT 1 FROM outbox p WHERE p.status = 'pending'"
         " AND p.chat_id = o.chat_id AND (p.id < o.id AND p.bulk <= o.bulk OR p.bulk < o.bulk)"
         " AND (o.chat_id > 0 OR p.ticket_id IS o.ticket_id OR p.bulk AND o.bulk"
         " OR p.bulk < o.bulk AND p.due_at <= ? OR p.attempts > 0 AND p.due_at > ?))")
_FIELDS = ("id, chat_id, thread_id, ticket_id, purpose, method, payload, attempts, bulk,"
           " initiative, created_at")


class Outbox:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def due(self, limit: int = 50) -> list[OutItem]:
        """What a delivery round sends: the head of each chat's queue that is due, at most one
        per chat; everything else first, then bulk. A group may have several heads (one line
        per request): it gets the one bot/domain/limits.py fair_order puts first."""
        now = self.clock()
        heads: dict[int, OutItem] = {}
        for bulk in (0, 1):  # everything else first, then bulk
            rows = await self.db.fetchall(
                f"SELECT {_FIELDS} FROM outbox o"
                " WHERE status = 'pending' AND bulk = ? AND due_at <= ? AND"
                # in index order (bulk, due_at, id), so SQLite stops after `limit` rows instead
                # of sorting the whole queue; a chat's own order is kept by _HEAD
                f"{_HEAD} ORDER BY due_at, id LIMIT ?",
                (bulk, iso(now), iso(now), iso(now), limit - len(heads)))
            for item in map(_item, rows):
                heads.setdefault(item.chat_id, item)
            if len(heads) >= limit:
                break
        return [await self._first(now, item) if item.chat_id < 0 and not item.bulk else item
                for item in heads.values()]

    async def _first(self, now: datetime, found: OutItem) -> OutItem:
        """Of a group's heads, the one that goes now. `found` is one of them; the others are
        looked up here, since the round's query, in due order, may have stopped before them."""
        rows = await self.db.fetchall(
            f"SELECT {_FIELDS} FROM outbox o WHERE status = 'pending' AND chat_id = ?"
            f" AND bulk = 0 AND due_at <= ? AND{_HEAD} ORDER BY id",
            (found.chat_id, iso(now), iso(now), iso(now)))
        items = [_item(r) for r in rows] or [found]
        if len(items) == 1:
            return items[0]
        owners = await self._owners([i.ticket_id for i in items if i.ticket_id is not None])
        recent = {owner: await self._delivered(found.chat_id, owner, now - RELAY_WINDOW)
                  for owner in set(owners.values())}
        return fair_order([(i, owners.get(i.ticket_id or 0), i.id) for i in items], recent)[0]

    async def _owners(self, ticket_ids: list[int]) -> dict[int, int]:
        """The resident behind each request (erased ones have none)."""
        if not ticket_ids:
            return {}
        marks = ", ".join("?" * len(ticket_ids))
        rows = await self.db.fetchall(
            f"SELECT id, resident_id FROM tickets WHERE id IN ({marks})"
            " AND resident_id IS NOT NULL", ticket_ids)
        return {int(r[0]): int(r[1]) for r in rows}

    async def _delivered(self, chat_id: int, resident_id: int, since: datetime) -> int:
        """How many messages about this resident's requests reached the chat since `since`."""
        row = await self.db.fetchone(
            "SELECT count(*) FROM outbox WHERE status = 'sent' AND chat_id = ? AND sent_at > ?"
            " AND ticket_id IN (SELECT id FROM tickets WHERE resident_id = ?)",
            (chat_id, iso(since), resident_id))
        return int(row[0]) if row else 0

    async def get(self, item_id: int) -> OutItem | None:
        row = await self.db.fetchone(f"SELECT {_FIELDS} FROM outbox WHERE id = ?", (item_id,))
        return _item(row) if row else None

    async def next_due(self) -> datetime | None:
        # Only the head of each chat's queue can go next; an item waiting behind a backing-off
        # one is not "due", however old its own due time is.
        row = await self.db.fetchone(
            f"SELECT min(due_at) FROM outbox o WHERE status = 'pending' AND{_HEAD}",
            (iso(self.clock()), iso(self.clock())))
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def sent(self, item: OutItem, message_id: int | None) -> None:
        async with self.db.transaction() as tx:
            await mark_sent(tx, self.clock(), item.id, message_id)

    async def retry(self, item: OutItem, delay: timedelta, error: str) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, due_at = ?, last_error = ?"
                " WHERE id = ?", (iso_ceil(self.clock() + delay), error[:200], item.id))

    async def postpone(self, item: OutItem, until: datetime) -> None:
        """Not a failure: wait (quiet hours); attempts are not counted."""
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE outbox SET due_at = ? WHERE id = ?",
                             (iso_ceil(until), item.id))


    async def requeue_undeliverable(self) -> int:
        """Try again what could not be delivered (a group was fixed, a resident came back)."""
        async with self.db.transaction() as tx:
            cur = await tx.execute(
                "UPDATE outbox SET status = 'pending', due_at = ? WHERE status = 'undeliverable'",
                (iso(self.clock()),))
            return cur.rowcount

    async def undeliverable(self, ticket_id: int, chat_id: int) -> bool:
        """Whether a message about this ticket could not reach this chat (kept for /retry)."""
        row = await self.db.fetchone(
            "SELECT 1 FROM outbox WHERE ticket_id = ? AND chat_id = ? AND status = 'undeliverable'",
            (ticket_id, chat_id))
        return row is not None

    async def counts(self) -> dict[str, int]:
        rows = await self.db.fetchall("SELECT status, count(*) FROM outbox GROUP BY status")
        return {r[0]: r[1] for r in rows}


def _item(r: Any) -> OutItem:
    return OutItem(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], bool(r[8]),
                   bool(r[9]), datetime.fromisoformat(r[10]))


async def mark_sent(tx: aiosqlite.Connection, now: datetime, item_id: int,
                    message_id: int | None) -> None:
    await tx.execute(
        "UPDATE outbox SET status = 'sent', attempts = attempts + 1, message_id = ?, sent_at = ?,"
        " last_error = NULL WHERE id = ?", (message_id, iso(now), item_id))


async def last_id(tx: aiosqlite.Connection) -> int:
    """The newest item's id (what a use case enqueues after this has a higher one)."""
    async with tx.execute("SELECT COALESCE(max(id), 0) FROM outbox") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def hold_until(tx: aiosqlite.Connection, after_id: int, ticket_id: int, chat_id: int,
                     until: datetime) -> None:
    """Keep the items just enqueued about a request for a chat until `until` (a resident's
    message over the limit: bot/domain/limits.py relay_slot); a replay enqueued nothing new,
    so nothing moves."""
    await tx.execute(
        "UPDATE outbox SET due_at = ? WHERE id > ? AND ticket_id = ? AND chat_id = ?"
        " AND status = 'pending'", (iso_ceil(until), after_id, ticket_id, chat_id))


async def drop_held(tx: aiosqlite.Connection, resident_id: int, now: datetime) -> int:
    """A coordinator blocked this resident: what of theirs was still held back for a group (over
    the per-minute limit, `hold_until`) is not passed on either, like what they send from now
    on. Their own chat keeps every message; only the copies for the groups go."""
    cur = await tx.execute(
        "DELETE FROM outbox WHERE status = 'pending' AND due_at > ? AND chat_id != ?"
        " AND (dedupe_key LIKE 'relay:%' OR dedupe_key LIKE 'voice:%')"
        " AND ticket_id IN (SELECT id FROM tickets WHERE resident_id = ?)",
        (iso(now), resident_id, resident_id))
    return cur.rowcount


async def mark_undeliverable(tx: aiosqlite.Connection, item_id: int, error: str) -> None:
    await tx.execute(
        "UPDATE outbox SET status = 'undeliverable', attempts = attempts + 1,"
        " last_error = ? WHERE id = ?", (error[:200], item_id))


# -- retention (bot/store/retention.py) ----------------------------------------------------------
async def purge(tx: aiosqlite.Connection, *, sent_before: datetime,
                stale_before: datetime) -> int:
    """Sent messages after a while (their payload is a copy of what the reader already has),
    and messages that never went out, once they are very old and not about an open request
    (a blocked resident's or a broken group's, kept for /retry until then)."""
    cur = await tx.execute("DELETE FROM outbox WHERE status = 'sent' AND sent_at < ?",
                           (iso(sent_before),))
    sent = cur.rowcount
    cur = await tx.execute(
        "DELETE FROM outbox WHERE status <> 'sent' AND created_at < ? AND (ticket_id IS NULL OR"
        " ticket_id IN (SELECT id FROM tickets WHERE status IN ('closed', 'withdrawn')))",
        (iso(stale_before),))
    return sent + cur.rowcount


async def forget_tickets(tx: aiosqlite.Connection, ticket_ids: list[int]) -> int:
    """Every message about these requests, whatever its state (their content is erased)."""
    marks = ", ".join("?" * len(ticket_ids))
    cur = await tx.execute(f"DELETE FROM outbox WHERE ticket_id IN ({marks})", ticket_ids)
    return cur.rowcount
