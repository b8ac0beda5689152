"""Broadcasts: one announcement to all linked residents of a building, a stairwell or everyone,
in each resident's language (a text per language, or one text as the fallback).

With a translation service, a language the sender wrote no text for gets the first text (the
source, in the sender's group's language) machine translated, through the cache, before the
preview: the sender checks what each language will read, and Send delivers exactly that. The
translations are stored with the broadcast. A translation that fails never holds the broadcast
back: that language gets the original, marked "(not translated)". Only the text goes to the
service; the cached rows belong to no resident (user_id None).

Every message is an outbox row written in one transaction with the broadcast, so delivery is
paced by the same worker (under Telegram's limits), survives restarts and never sends twice. A due
row reports progress in the sender's group until all is delivered.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.i18n import I18n
from bot.messaging.translating import Translating
from bot.render.broadcast import LEAD, Version, resident_payload
from bot.render.translated import FAILED, UNSUPPORTED
from bot.store import Store, broadcasts, drafts
from bot.store.broadcasts import (
    PROGRESS_EVERY,
    Progress,
    Target,
    progress,
    recipients,
    sender_of,
    total_of,
    translations_of,
)
from bot.store.db import Database
from bot.store.due import schedule
from bot.store.outbox import Method, enqueue
from bot.store.residents import Reader
from bot.translate import Translator

__all__ = ["PROGRESS_EVERY", "Progress", "Target", "Version", "by_language", "progress",
           "recipients", "sender_of", "start", "text_for", "total_of", "translate",
           "translations_of"]
log = logging.getLogger(__name__)


def by_language(people: list[Reader]) -> Counter[str]:
    return Counter(person.lang for person in people)


def text_for(texts: dict[str, str], lang: str, fallback: str) -> str:
    return texts.get(lang) or texts[fallback]


async def translate(store: Store, translator: Translator, *, texts: dict[str, str],
                    source: str, langs: Iterable[str],
                    known: dict[str, Version] | None = None) -> dict[str, Version]:
    """What the residents of each language read: as written where the sender wrote a text (or
    with translation off), else the source text machine translated. `known`: an earlier
    preview's versions, kept unless they failed (asking again is what "Translate again" does;
    the cache answers for the rest). Never raises; all languages are asked at once, so the
    preview waits one service time limit at most."""
    out: dict[str, Version] = {}
    wanted = []
    for lang in dict.fromkeys(langs):
        kept = (known or {}).get(lang)
        if texts.get(lang) or translator.name == "none":
            out[lang] = Version(lang, text_for(texts, lang, source))
        elif kept is not None and not kept.failed:
            out[lang] = kept
        else:
            wanted.append(lang)
    translating = Translating(store, translator)
    found = await asyncio.gather(*(_translated(translating, texts[source], source, lang)
                                   for lang in wanted))
    out.update((version.lang, version) for version in found)
    return out


async def _translated(translating: Translating, text: str, source: str,
                      target: str) -> Version:
    """The sender's words in `target` (nobody's personal words: no resident id), or the
    original with why not (bot/messaging/translating.py decides, as for cards and relays)."""
    words = await translating.words(text, source, target, None, f"broadcast to {target}")
    if words.translation is None:
        return Version(target, text, source,
                       UNSUPPORTED if words.missing == UNSUPPORTED else FAILED)
    if not words.translation.strip():
        return Version(target, text, source, FAILED)
    return Version(target, words.translation, source)


def _payloads(texts: dict[str, str], fallback: str, langs: Iterable[str],
              versions: dict[str, Version] | None, i18n: I18n | None
              ) -> dict[str, dict[str, Any]]:
    """Each language's message, once: as previewed, else (a language that came after the
    preview, or no preview) the text for it as written."""
    out = {}
    for lang in set(langs):
        version = (versions or {}).get(lang)
        if version is not None and i18n is not None:
            out[lang] = resident_payload(i18n.get(lang), version, texts[fallback])
        else:
            out[lang] = {"text": LEAD + text_for(texts, lang, fallback)}
    return out


async def start(db: Database, now: datetime, *, chat_id: int, thread_id: int | None,
                target: Target, texts: dict[str, str], fallback: str, created_by: str,
                draft_of: int | None = None, send_at: datetime | None = None,
                versions: dict[str, Version] | None = None, i18n: I18n | None = None) -> int:
    """Queue the announcement for every recipient, to go at `send_at` (the morning, when started
    in quiet hours). The composer's draft (`draft_of`) goes in the same transaction: a "Send"
    replayed after a crash finds nothing left to send. `versions`: what the preview showed per
    language (see `translate`), with `i18n` for the label in each resident's language; the
    translations are stored with the broadcast. `fallback` is the source text's language."""
    people = await recipients(db, target)
    payloads = _payloads(texts, fallback, (p.lang for p in people), versions, i18n)
    async with db.transaction() as tx:
        if draft_of is not None:
            await drafts.delete(tx, draft_of)
        broadcast_id = await broadcasts.insert(
            tx, now, chat_id=chat_id, thread_id=thread_id, target=target, texts=texts,
            fallback=fallback, total=len(people), created_by=created_by,
            translations={lang: v.to_json() for lang, v in (versions or {}).items()
                          if v.source is not None})
        for person in people:
            await enqueue(tx, now, chat_id=person.user_id, method=Method.SEND, purpose="broadcast",
                          dedupe_key=f"bc:{broadcast_id}:{person.user_id}", bulk=True,
                          due_at=send_at, initiative=True,
                          payload=payloads[person.lang])
        await schedule(tx, now, kind="bc_progress", due_at=(send_at or now) + PROGRESS_EVERY,
                       broadcast=broadcast_id)
    return broadcast_id
