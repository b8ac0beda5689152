"""The resident's words on a card in the group's language, without ever holding the card back.

The description is translated through the cache (bot/translate/cache.py) within the
service's short time limit. When that fails the card goes out with the original, marked; if the
failure is passing (the service down, 429) a due row edits the card again later (30 s, then
longer; bot/followup/sweep.py card_translate), so the translation is edited in when the service
is back. A language pair the service lacks asks for an interpreter and is not tried again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.domain.tickets import Ticket
from bot.render.card import CardWords
from bot.store import Store
from bot.store.due import schedule
from bot.store.outbox import OutItem
from bot.translate import (
    RateLimited,
    TranslationError,
    TranslationUnavailable,
    Translator,
    UnsupportedLanguage,
)
from bot.translate.cache import cached_translate

log = logging.getLogger(__name__)
# a card shown untranslated because the service was down: edited again after 30 s, 60 s, ...
TRANSLATE_RETRY_FIRST = 30.0
TRANSLATE_RETRY_MAX = 3600.0
TRANSLATE_TRIES = 10  # then it stays untranslated (until the card is edited for another reason)


class CardTranslations:
    def __init__(self, store: Store, translator: Translator) -> None:
        self.store = store
        self.translator = translator

    async def words(self, ticket: Ticket, group_lang: str, item: OutItem) -> CardWords | None:
        """The resident's words in the group's language, or why not (None: shown as written,
        the same language, no words, or translation switched off)."""
        source = ticket.lang
        if not ticket.description or not source or source == group_lang \
                or self.translator.name == "none":
            return None
        try:
            [translated] = await cached_translate(
                self.store, self.translator, [ticket.description], source=source,
                target=group_lang, user_id=ticket.resident_id)
        except UnsupportedLanguage:
            return CardWords(source, missing="unsupported")
        except (TranslationUnavailable, RateLimited) as exc:
            log.info("card of ticket %s not translated now (%s); trying again later",
                     ticket.id, type(exc).__name__)
            await self.translate_later(ticket, item)
            return CardWords(source, missing="failed")
        except TranslationError as exc:  # a quota used up: not worth trying again soon
            log.warning("card of ticket %s not translated: %s", ticket.id, type(exc).__name__)
            return CardWords(source, missing="failed")
        except Exception:  # a fault of ours must not hold the card back
            log.exception("translating the card of ticket %s failed", ticket.id)
            return CardWords(source, missing="failed")
        return CardWords(source, translation=translated)

    async def translate_later(self, ticket: Ticket, item: OutItem) -> None:
        """A due row that edits this card again, which translates again. Keyed by the item and
        its attempt, so a retried send adds no second row; kept in the database, so a crash
        loses nothing."""
        tries = int(item.payload.get("translate_try", 0)) + 1
        if tries > TRANSLATE_TRIES:
            return
        delay = min(TRANSLATE_RETRY_FIRST * 2 ** (tries - 1), TRANSLATE_RETRY_MAX)
        now = self.store.outbox.clock()
        async with self.store.db.transaction() as tx:
            await schedule(tx, now, kind="card_translate", ticket_id=ticket.id,
                           due_at=now + timedelta(seconds=delay),
                           dedupe=f"card_translate:{item.id}:{item.attempts}",
                           chat=item.chat_id, attempt=tries)
