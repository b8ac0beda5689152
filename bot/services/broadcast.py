"""Broadcasts: one announcement to all linked residents of a building, a stairwell or everyone,
in each resident's language (a text per language, or one text as the fallback).

Every message is an outbox row written in one transaction with the broadcast, so delivery is
paced by the same worker (under Telegram's limits), survives restarts and never sends twice. A due
row reports progress in the sender's group until all is delivered.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.store import broadcasts, drafts
from bot.store.broadcasts import (
    PROGRESS_EVERY,
    Progress,
    Target,
    progress,
    recipients,
    sender_of,
    total_of,
)
from bot.store.db import Database
from bot.store.due import schedule
from bot.store.outbox import Method, enqueue
from bot.store.residents import Reader

__all__ = ["PROGRESS_EVERY", "Progress", "Target", "by_language", "progress", "recipients",
           "sender_of", "start", "text_for", "total_of"]


def by_language(people: list[Reader]) -> Counter[str]:
    return Counter(person.lang for person in people)


def text_for(texts: dict[str, str], lang: str, fallback: str) -> str:
    return texts.get(lang) or texts[fallback]


async def start(db: Database, now: datetime, *, chat_id: int, thread_id: int | None,
                target: Target, texts: dict[str, str], fallback: str, created_by: str,
                draft_of: int | None = None, send_at: datetime | None = None) -> int:
    """Queue the announcement for every recipient, to go at `send_at` (the morning, when started
    in quiet hours). The composer's draft (`draft_of`) goes in the same transaction: a "Send"
    replayed after a crash finds nothing left to send."""
    people = await recipients(db, target)
    async with db.transaction() as tx:
        if draft_of is not None:
            await drafts.delete(tx, draft_of)
        broadcast_id = await broadcasts.insert(
            tx, now, chat_id=chat_id, thread_id=thread_id, target=target, texts=texts,
            fallback=fallback, total=len(people), created_by=created_by)
        for person in people:
            await enqueue(tx, now, chat_id=person.user_id, method=Method.SEND, purpose="broadcast",
                          dedupe_key=f"bc:{broadcast_id}:{person.user_id}", bulk=True,
                          due_at=send_at, initiative=True,
                          payload={"text": "📣 " + text_for(texts, person.lang, fallback)})
        await schedule(tx, now, kind="bc_progress", due_at=(send_at or now) + PROGRESS_EVERY,
                       broadcast=broadcast_id)
    return broadcast_id
