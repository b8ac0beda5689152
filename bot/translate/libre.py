"""LibreTranslate (self-hosted; https://github.com/LibreTranslate/LibreTranslate).

POST /translate {"q": [...], "source", "target", "format": "text", "api_key"?}
    -> {"translatedText": [...]} (a list for a list)
GET /languages -> [{"code": "ar", "name": "Arabic", "targets": ["en", "nl", ...]}, ...]
Errors are {"error": "..."} with 400 (a language it lacks, a missing key, a text over the
server's limit), 403 (a wrong key, a banned client), 429 (slow down) and 500.
"""

from __future__ import annotations

from typing import Any

from bot.translate.base import (
    TRANSLATE_TIMEOUT,
    Pair,
    TranslationError,
    TranslationUnavailable,
    UnsupportedLanguage,
)
from bot.translate.client import Service, strings


def bad_request(detail: str) -> TranslationError:
    # LibreTranslate answers 400 also when a server that wants a key gets none: that is the
    # operator's to fix (BUURTBOT_TRANSLATE_KEY), not a language this server lacks.
    if "api key" in detail.lower():
        return TranslationUnavailable(f"{detail} (set BUURTBOT_TRANSLATE_KEY?)")
    return UnsupportedLanguage(detail)


class LibreTranslate:
    name = "libretranslate"

    def __init__(self, url: str, key: str | None = None,
                 timeout: float = TRANSLATE_TIMEOUT) -> None:
        self.key = key
        self.service = Service(self.name, url, timeout)

    async def languages(self) -> set[Pair]:
        data = await self.service.call("GET", "/languages")
        if not isinstance(data, list):
            raise self.service.unexpected("languages is not a list")
        pairs = set()
        for lang in data:
            code = lang.get("code") if isinstance(lang, dict) else None
            targets = lang.get("targets") if isinstance(lang, dict) else None
            if not isinstance(code, str) or not isinstance(targets, list):
                raise self.service.unexpected("a language without code or targets")
            pairs |= {(code, str(target)) for target in targets if target != code}
        return pairs

    async def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        if not texts or source == target:
            return list(texts)
        body: dict[str, Any] = {"q": texts, "source": source, "target": target,
                                "format": "text"}
        if self.key:
            body["api_key"] = self.key
        data = await self.service.call("POST", "/translate", bad_request, json=body)
        found = data.get("translatedText") if isinstance(data, dict) else None
        if not strings(found, len(texts)):
            raise self.service.unexpected(f"no list of {len(texts)} translatedText")
        return list(found)

    async def aclose(self) -> None:
        await self.service.aclose()
