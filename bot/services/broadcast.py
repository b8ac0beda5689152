"""Broadcasts: one announcement to all linked residents of a building, a stairwell or everyone,
in each resident's language (a text per language, or one text as the fallback).

With a translation service, a language the sender wrote no text for gets the first text (the
source, in the sender's group's language) machine translated, through the cache, before the
preview: the sender checks what each language will read, and Send delivers exactly that. The
translations are stored with the broadcast. A translation that fails never holds the broadcast
back: that language gets the original, marked "(not translated)". Only the text goes to the
service; the cached rows belong to no resident (user_id None).

Send does not send (`propose`): the announcement waits, stored with what the preview showed,
for a second person: an authorised member of its group who did not write it, or of the
coordinator group (the handler decides the chat and the person, bot/handlers/staff.py; the
writer is refused here, bot/domain/authority.py approval). `approve` then sends exactly what was
previewed, and the records and the groups say who wrote and who approved it; `stop` ends it.

Every message is an outbox row written in one transaction with the broadcast, so delivery is
paced by the same worker (under Telegram's limits), survives restarts and never sends twice. A due
row reports progress in the sender's group until all is delivered.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.domain.authority import (
    APPROVAL_LAPSES,
    APPROVAL_REMINDER,
    Approval,
    approval,
    stopping,
)
from bot.domain.casework import Actor
from bot.i18n import I18n
from bot.messaging.translating import Translating
from bot.render import broadcast as words
from bot.render.broadcast import LEAD, Version, preview_pages, resident_payload
from bot.render.translated import FAILED, UNSUPPORTED
from bot.store import Store, broadcasts, drafts
from bot.store.broadcasts import (
    PROGRESS_EVERY,
    WAITING_KIND,
    Broadcast,
    Progress,
    Target,
    get,
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

if TYPE_CHECKING:  # only the type: Services lives with the handlers' context
    from bot.context import Services

__all__ = ["PROGRESS_EVERY", "Approval", "Broadcast", "Decided", "Progress", "Target", "Version",
           "approve", "approvers", "by_language", "get", "progress", "propose", "recipients",
           "sender_of", "start", "stop", "text_for", "total_of", "translate", "translations_of"]
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
            translations=_checked(versions))
        await _queue(tx, now, broadcast_id, people, payloads, send_at)
    return broadcast_id


def _checked(versions: dict[str, Version] | None) -> dict[str, dict[str, Any]]:
    """The machine translations the sender saw in the preview, to store with the broadcast."""
    return {lang: v.to_json() for lang, v in (versions or {}).items() if v.source is not None}


async def _queue(tx: aiosqlite.Connection, now: datetime, broadcast_id: int,
                 people: list[Reader], payloads: dict[str, dict[str, Any]],
                 send_at: datetime | None) -> None:
    """One outbox row per recipient (bulk, the bot's own initiative), and the progress reports."""
    for person in people:
        await enqueue(tx, now, chat_id=person.user_id, method=Method.SEND, purpose="broadcast",
                      dedupe_key=f"bc:{broadcast_id}:{person.user_id}", bulk=True,
                      due_at=send_at, initiative=True, payload=payloads[person.lang])
    await schedule(tx, now, kind="bc_progress", due_at=(send_at or now) + PROGRESS_EVERY,
                   broadcast=broadcast_id)


# -- a second person approves ----------------------------------------------------------------------
@dataclass(frozen=True)
class Decided:
    """What came of Approve or Stop; `broadcast` as it is afterwards (None: no such one)."""

    outcome: Approval
    broadcast: Broadcast | None = None

    @property
    def done(self) -> bool:
        return self.outcome is Approval.OK


def approvers(services: Services, chat_id: int) -> set[str]:
    """The partners whose groups may approve (or stop) an announcement written in `chat_id`:
    that group's own and the coordinator's."""
    site = services.site
    partner = site.partner_in(chat_id)
    return {site.coordinator} | ({partner.id} if partner else set())


async def propose(services: Services, composer: Actor, *, target: Target,
                  texts: dict[str, str], fallback: str, versions: dict[str, Version]) -> int:
    """Send pressed: the announcement waits for a second person, stored with what the preview
    showed; the composer's draft goes in the same transaction (a replayed Send finds nothing).
    Its group gets Approve / Stop under "Waiting for a second person", and the coordinator
    group, when it was written elsewhere, the preview and the same buttons."""
    db, now = services.store.db, services.clock()
    people = await recipients(db, target)
    async with db.transaction() as tx:
        await drafts.delete(tx, composer.user_id)
        broadcast_id = await broadcasts.insert(
            tx, now, chat_id=composer.chat_id, thread_id=None, target=target, texts=texts,
            fallback=fallback, total=len(people), created_by=composer.key,
            translations=_checked(versions), waiting=True, composed_name=composer.first_name)
        for chat_id in _approving_chats(services, composer.chat_id):
            await _ask(services, tx, now, chat_id, broadcast_id, composer, people, texts,
                       fallback, versions)
        staff_time = services.notifier.policy.staff_time
        lapses = staff_time(now + APPROVAL_LAPSES)
        for stage, due in (("remind", staff_time(now + APPROVAL_REMINDER)), ("lapse", lapses)):
            await schedule(tx, now, kind=WAITING_KIND, due_at=due,
                           dedupe=f"{WAITING_KIND}:{broadcast_id}:{stage}",
                           broadcast=broadcast_id, stage=stage, lapses=lapses.isoformat())
    return broadcast_id


def _approving_chats(services: Services, chat_id: int) -> list[int]:
    coordinator = services.notifier.coordinator_chat
    return [chat_id] if chat_id == coordinator else [chat_id, coordinator]


async def _ask(services: Services, tx: aiosqlite.Connection, now: datetime, chat_id: int,
               broadcast_id: int, composer: Actor, people: list[Reader], texts: dict[str, str],
               fallback: str, versions: dict[str, Version]) -> None:
    """Approve / Stop in one group: under the preview it was composed from, and in another
    group (the coordinator's) after the same preview in that group's language."""
    notifier, site = services.notifier, services.site
    tr = notifier.group_tr(chat_id)
    here = chat_id == composer.chat_id
    if not here:
        counts = by_language(people)
        langs = [lang for lang in dict.fromkeys([*site.languages, *sorted(counts)])
                 if counts.get(lang)]
        shown = [(versions.get(lang) or Version(lang, text_for(texts, lang, fallback)),
                  counts[lang]) for lang in langs]
        for page in preview_pages(tr, len(people), shown):
            await notifier.to_group(tx, now, None, chat_id, page, html=True)
    partner = site.partner_in(composer.chat_id)
    text = words.waiting_text(tr, composer=composer.first_name, here=here,
                              partner=partner.name if partner else "?",
                              from_coordinator=composer.chat_id == notifier.coordinator_chat)
    await notifier.to_group(tx, now, None, chat_id, text,
                            markup=words.approval_markup(tr, broadcast_id))


async def approve(services: Services, broadcast_id: int, approver: Actor) -> Decided:
    """The second person approves: it goes out as previewed (to the target's residents as
    they are now; a language that came since gets the text as written), at once or, in the
    residents' quiet hours, in the morning. A compare-and-set: of two approvals one sends."""
    db, now, notifier = services.store.db, services.clock(), services.notifier
    found = await broadcasts.get(db, broadcast_id)
    if found is None:
        return Decided(Approval.GONE)
    people = await recipients(db, found.target)
    versions = {lang: Version.from_json(v) for lang, v in found.translations.items()}
    payloads = _payloads(found.texts, found.fallback, (p.lang for p in people), versions,
                         services.i18n)
    send_at = notifier.policy.resident_time(now)  # never into the residents' night
    async with db.transaction() as tx:
        current = await broadcasts.fetch(tx, broadcast_id)
        outcome = approval(current.status if current else None,
                           current.created_by if current else "", approver.key)
        if current is None or outcome is not Approval.OK or not await broadcasts.approve(
                tx, broadcast_id, now, by=approver.key, name=approver.first_name,
                total=len(people)):
            return Decided(Approval.GONE if outcome is Approval.OK else outcome, current)
        await _queue(tx, now, broadcast_id, people, payloads, send_at)
        quiet = send_at if send_at > now else None
        for chat_id in dict.fromkeys([current.chat_id, approver.chat_id]):
            tr = notifier.group_tr(chat_id)
            await notifier.to_group(tx, now, None, chat_id, words.approved_text(
                tr, total=len(people), composer=current.composed_name or "?",
                approver=approver.first_name, here=chat_id == current.chat_id,
                quiet_until=quiet.astimezone(notifier.policy.zone).time() if quiet else None))
        after = await broadcasts.fetch(tx, broadcast_id)
    return Decided(Approval.OK, after)


async def stop(services: Services, broadcast_id: int, actor: Actor) -> Decided:
    """A waiting announcement stopped (by its writer or anyone who could approve it): it never
    goes out; its group (and the stopper's, when another) is told who stopped it."""
    db, now, notifier = services.store.db, services.clock(), services.notifier
    async with db.transaction() as tx:
        current = await broadcasts.fetch(tx, broadcast_id)
        outcome = stopping(current.status if current else None)
        if current is None or outcome is not Approval.OK or not await broadcasts.stop(
                tx, broadcast_id, now, by=actor.key, name=actor.first_name):
            return Decided(Approval.GONE if outcome is Approval.OK else outcome, current)
        for chat_id in dict.fromkeys([current.chat_id, actor.chat_id]):
            await notifier.to_group(tx, now, None, chat_id, words.stopped_text(
                notifier.group_tr(chat_id), actor.first_name))
        after = await broadcasts.fetch(tx, broadcast_id)
    return Decided(Approval.OK, after)
