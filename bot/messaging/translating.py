"""People's words in the reader's language, at send time, without ever holding a message back.

Cards (the resident's description) and relays (a resident's later message to the group, a
staff member's typed reply to the resident, a voice message written out) are translated here,
by the outbox worker, through the cache (bot/translate/cache.py) within the service's short
time limit. When that fails the message goes out at once with the original, marked; if the
failure is passing (the service down, 429) a due row edits the message again later (30 s,
then longer; bot/followup/sweep.py card_translate and text_translate), so the translation is
edited in when the service is back. A language pair the service lacks asks for an interpreter
and is not tried again. Only the text goes to the service: no names, ids or references.

A relay carries what it needs in its outbox payload (`relay_words`): who writes (the head),
the words, the source and target language, and whose words they are (erased with them). A
renovation-day notice carries the contractor's note the same way (nobody's words).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.domain.tickets import Ticket
from bot.i18n import I18n
from bot.render.translated import Words, relayed_html
from bot.store import Store
from bot.store.due import schedule
from bot.store.outbox import OutItem
from bot.store.translations import text_key
from bot.translate import (
    RateLimited,
    TranslationError,
    TranslationUnavailable,
    Translator,
    UnsupportedLanguage,
)
from bot.translate.cache import cached_translate
from bot.translate.detect import source_language

log = logging.getLogger(__name__)
# a message shown untranslated because the service was down: edited again after 30 s, 60 s, ...
TRANSLATE_RETRY_FIRST = 30.0
TRANSLATE_RETRY_MAX = 3600.0
TRANSLATE_TRIES = 10  # then it stays untranslated (a card: until it is edited for another reason)
# after the service failed for a passing reason, messages go untranslated at once for this long
# instead of each waiting out the service's time limit again (a card edited while it hangs)
RESTING = timedelta(seconds=30)


def relay_words(head: str, body: str, source: str, target: str, user_id: int | None, *,
                staff: bool, lead: str = "") -> dict[str, Any]:
    """The payload part of a message whose words are translated at send time. `staff`: read
    by a partner group (which is told when an interpreter is needed); `lead`: put before the
    words ("📝 " for a contractor's note); `user_id`: whose words (None: nobody's, a note)."""
    return {"head": head, "body": body, "source": source, "target": target, "user": user_id,
            "staff": staff, "lead": lead}


class Translating:
    def __init__(self, store: Store, translator: Translator, i18n: I18n | None = None,
                 languages: Sequence[str] = ()) -> None:
        """`i18n`: for the labels of relays (not needed to translate words alone)."""
        self.store = store
        self.languages = list(languages)  # the site's: a text's language is one of these
        self.translator = translator
        self.i18n = i18n
        self._resting_until: datetime | None = None
        self._asking: dict[tuple[str, str, str], asyncio.Future[list[str]]] = {}

    @property
    def on(self) -> bool:
        return self.translator.name != "none"

    async def words(self, text: str, source: str, target: str, user_id: int | None,
                    what: str) -> Words:
        """The translation of `text`, or why there is none. `what` names the message in the
        log (never its words)."""
        now = self.store.outbox.clock()
        if self._resting_until is not None and now < self._resting_until:
            return Words(source, missing="failed", again=True)
        try:
            translated = await self._once(text, source, target, user_id)
        except UnsupportedLanguage:
            return Words(source, missing="unsupported")
        except (TranslationUnavailable, RateLimited) as exc:
            log.info("%s not translated now (%s); trying again later", what,
                     type(exc).__name__)
            wait = getattr(exc, "retry_after", None)
            self._resting_until = now + (timedelta(seconds=wait) if wait else RESTING)
            return Words(source, missing="failed", again=True)
        except TranslationError as exc:  # a quota used up: not worth trying again soon
            log.warning("%s not translated: %s", what, type(exc).__name__)
            return Words(source, missing="failed")
        except Exception:  # a fault of ours must not hold the message back
            log.exception("translating %s failed", what)
            return Words(source, missing="failed")
        return Words(source, translation=translated)

    async def _once(self, text: str, source: str, target: str, user_id: int | None) -> str:
        """Through the cache; messages sent side by side with the same words (a notice to
        every home) wait for one request instead of each asking the service."""
        key = (text_key(text), source, target)
        task = self._asking.get(key)
        if task is None:
            task = asyncio.ensure_future(cached_translate(
                self.store, self.translator, [text], source=source, target=target,
                user_id=user_id))
            self._asking[key] = task
            task.add_done_callback(lambda _: self._asking.pop(key, None))
        [translated] = await asyncio.shield(task)
        return translated

    # -- cards -------------------------------------------------------------------------------
    async def card(self, ticket: Ticket, group_lang: str, item: OutItem) -> Words | None:
        """The resident's description in the group's language, or why not (None: shown as
        written, the same language, no words, or translation switched off). The source is
        the resident's language unless the letters say otherwise, or the bot wrote it."""
        if not ticket.description or not ticket.lang or not self.on:
            return None
        source = ticket.description_lang or source_language(
            ticket.description, ticket.lang, self.languages or [ticket.lang])
        if source == group_lang:
            return None
        words = await self.words(ticket.description, source, group_lang, ticket.resident_id,
                                 f"card of ticket {ticket.id}")
        if words.again:
            await self._later(item, "card_translate", ticket.id, item.chat_id)
        return words

    # -- relays ------------------------------------------------------------------------------
    async def relay(self, item: OutItem) -> tuple[str, bool] | None:
        """The HTML of a relay with its words translated, and whether to try again later;
        None when the item has no words to translate (or translation is off)."""
        spec = item.payload.get("relay_words")
        if not spec or not self.on or spec["source"] == spec["target"]:
            return None
        words = await self.words(spec["body"], spec["source"], spec["target"], spec.get("user"),
                                 f"message {item.id}")
        assert self.i18n is not None, "relays need the catalogs for their labels"
        html = relayed_html(self.i18n.get(spec["target"]), spec["head"], spec["body"], words,
                            staff=bool(spec.get("staff")), lead=str(spec.get("lead", "")))
        return html, words.again

    async def relay_later(self, item: OutItem, message_id: int,
                          tries_of: OutItem | None = None) -> None:
        """Edit the sent relay `item` (Telegram message `message_id`) again later."""
        await self._later(tries_of or item, "text_translate", item.ticket_id, item.chat_id,
                          of=item.id, message=message_id)

    async def _later(self, item: OutItem, kind: str, ticket_id: int | None, chat: int,
                     **data: Any) -> None:
        """A due row that edits the message again, which translates again. Keyed by the item
        and its attempt, so a retried send adds no second row; kept in the database, so a
        crash loses nothing."""
        tries = int(item.payload.get("translate_try", 0)) + 1
        if tries > TRANSLATE_TRIES:
            return
        delay = min(TRANSLATE_RETRY_FIRST * 2 ** (tries - 1), TRANSLATE_RETRY_MAX)
        now = self.store.outbox.clock()
        async with self.store.db.transaction() as tx:
            await schedule(tx, now, kind=kind, ticket_id=ticket_id,
                           due_at=now + timedelta(seconds=delay),
                           dedupe=f"{kind}:{item.id}:{item.attempts}", chat=chat,
                           attempt=tries, **data)
