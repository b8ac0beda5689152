"""The "none" providers: nothing leaves the machine, and callers show "not translated"."""

from __future__ import annotations

from bot.translate.base import Pair, UnsupportedLanguage


class NoTranslator:
    name = "none"

    async def languages(self) -> set[Pair]:
        return set()

    async def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        if not texts or source == target:
            return list(texts)
        raise UnsupportedLanguage("translation is off (translation.provider = \"none\")")

    async def aclose(self) -> None:
        return None


class NoTranscriber:
    name = "none"

    async def transcribe(self, audio: bytes, language: str, filename: str = "voice.ogg",
                         mime: str = "audio/ogg") -> str:
        raise UnsupportedLanguage("speech to text is off (speech.provider = \"none\")")

    async def aclose(self) -> None:
        return None
