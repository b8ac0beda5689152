"""DeepL API v2 (https://developers.deepl.com).

POST /v2/translate, header "Authorization: DeepL-Auth-Key <key>",
    {"text": [...], "source_lang": "AR", "target_lang": "NL"}
    -> {"translations": [{"detected_source_language": "AR", "text": "..."}, ...]}
GET /v2/languages?type=source|target -> [{"language": "EN-GB", "name": ...}, ...]
456 is "quota exceeded" (the free 500,000 characters a month, or a Pro cost limit).

DeepL's codes are upper case, and English and Portuguese as a target need a variant: the bot
writes British English and European Portuguese. Which of a site's languages DeepL lacks is read
from its own list at start-up (`capabilities`), not kept here: the list grows.
"""

from __future__ import annotations

from bot.translate.base import TRANSLATE_TIMEOUT, Pair
from bot.translate.client import Service, strings

FREE_URL = "https://api-free.deepl.com"
PRO_URL = "https://api.deepl.com"
# Target codes that DeepL wants with a variant ("EN" alone is deprecated as a target).
TARGET_VARIANT = {"en": "EN-GB", "pt": "PT-PT"}


def default_url(key: str) -> str:
    """DeepL API Free keys end in ":fx" and only work on the free endpoint."""
    return FREE_URL if key.endswith(":fx") else PRO_URL


def source_code(lang: str) -> str:
    return lang.split("-")[0].upper()


def target_code(lang: str) -> str:
    return TARGET_VARIANT.get(lang.lower(), lang.upper())


def site_code(deepl: str) -> str:
    """DeepL's "EN-GB", "PT-BR" or "ZH-HANS" -> the site's "en", "pt", "zh"."""
    return deepl.split("-")[0].lower()


class DeepL:
    name = "deepl"

    def __init__(self, key: str, url: str | None = None,
                 timeout: float = TRANSLATE_TIMEOUT) -> None:
        self.service = Service(self.name, url or default_url(key), timeout,
                               headers={"Authorization": f"DeepL-Auth-Key {key}"})

    async def _codes(self, kind: str) -> set[str]:
        data = await self.service.call("GET", "/v2/languages", params={"type": kind})
        if not isinstance(data, list) or not all(
                isinstance(item, dict) and isinstance(item.get("language"), str) for item in data):
            raise self.service.unexpected(f"{kind} languages are not a list of languages")
        return {site_code(item["language"]) for item in data}

    async def languages(self) -> set[Pair]:
        sources, targets = await self._codes("source"), await self._codes("target")
        return {(s, t) for s in sources for t in targets if s != t}

    async def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        if not texts or source == target:
            return list(texts)
        body = {"text": texts, "source_lang": source_code(source),
                "target_lang": target_code(target)}
        data = await self.service.call("POST", "/v2/translate", json=body)
        found = data.get("translations") if isinstance(data, dict) else None
        found = found if isinstance(found, list) else []
        out = [item.get("text") if isinstance(item, dict) else None for item in found]
        if not strings(out, len(texts)):
            raise self.service.unexpected(f"no list of {len(texts)} translations")
        return list(out)

    async def aclose(self) -> None:
        await self.service.aclose()
