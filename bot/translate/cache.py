"""Translate through the cache: a text the service translated once is never sent again.

Fewer requests means less waiting on a card, less of a paid quota, and (for a service off the
machine) fewer of a resident's words leaving it. The caller passes the resident whose case the
texts belong to, also for a partner's reply to them, so erasing that resident drops the rows.
A TranslationError of the service goes to the caller, who shows the text as not translated.
"""

from __future__ import annotations

from bot.store import Store
from bot.store.translations import text_key
from bot.translate.base import Translator


async def cached_translate(store: Store, translator: Translator, texts: list[str], source: str,
                           target: str, user_id: int | None) -> list[str]:
    """One translation per text, in order: from the cache, else from the service (once per
    distinct text), then remembered. Blank texts and source == target pass through."""
    if source == target:
        return list(texts)
    keys = [text_key(text) for text in texts]
    known = await store.translations.lookup(keys, source, target)
    # dict keeps the first occurrence's order and drops repeats within one call
    missing = {key: text for key, text in zip(keys, texts, strict=True)
               if key not in known and text.strip()}
    if missing:
        fresh = await translator.translate(list(missing.values()), source, target)
        found = dict(zip(missing, fresh, strict=True))
        await store.translations.remember(found, source, target, user_id)
        known.update(found)
    return [known.get(key, text) for key, text in zip(keys, texts, strict=True)]
