"""What every translation and speech-to-text adapter offers, and the ways a call can fail.

A call never holds up delivery: each one has a short total timeout, and every failure is one of
the typed errors below, so a caller decides by type what a resident or a partner group sees
("not translated", "try again later") instead of inspecting HTTP details.
"""

from __future__ import annotations

from typing import Protocol

# (source, target) in the site's own language codes ("ar", "nl"), never a provider's ("EN-GB").
Pair = tuple[str, str]

# Short enough that a card or a relay waits at most this long for its translation.
TRANSLATE_TIMEOUT = 3.0
# A voice message of a minute takes a CPU-only whisper several seconds.
SPEECH_TIMEOUT = 20.0


class TranslationError(Exception):
    """Base of every failure of a translation or speech-to-text service."""


class TranslationUnavailable(TranslationError):
    """The service is down, too slow, answered 5xx, dropped the connection, refused the key or
    answered something that is not the expected JSON: worth trying again later."""


class RateLimited(TranslationError):
    """429: too many requests. `retry_after` in seconds when the service said (else None)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QuotaExceeded(TranslationError):
    """DeepL's 456: the characters of this billing period are used up. Not worth retrying
    before the period ends (or the limit is raised)."""


class UnsupportedLanguage(TranslationError):
    """The service cannot do this pair (or this spoken language): retrying will not help."""


class Translator(Protocol):
    name: str

    async def languages(self) -> set[Pair]:
        """Every (source, target) pair the service offers, in the site's language codes."""
        ...

    async def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """One translation per text, in order."""
        ...

    async def aclose(self) -> None: ...


class Transcriber(Protocol):
    name: str

    async def transcribe(self, audio: bytes, language: str, filename: str = "voice.ogg",
                         mime: str = "audio/ogg") -> str:
        """The words spoken in `audio`; `language` is the resident's chosen language."""
        ...

    async def aclose(self) -> None: ...
