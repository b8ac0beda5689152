"""One HTTP client per adapter: every call bounded by a total timeout, every failure a typed error.

httpx's own timeouts count per phase (connect, each read), so a server that trickles its answer
byte by byte could hold a call far longer; asyncio.timeout bounds the whole call instead.
Error messages name the service and the status, never the key and never the texts (they are
residents' words, and these messages end up in logs).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, TypeGuard

import httpx

from bot.translate.base import (
    QuotaExceeded,
    RateLimited,
    TranslationError,
    TranslationUnavailable,
    UnsupportedLanguage,
)

# What a 400 means differs per service: the adapter says, from the service's error text.
BadRequest = Callable[[str], TranslationError]
DETAIL_CHARS = 160


def unsupported(detail: str) -> TranslationError:
    return UnsupportedLanguage(detail)


class Service:
    def __init__(self, name: str, base_url: str, timeout: float,
                 headers: dict[str, str] | None = None) -> None:
        self.name = name
        self.timeout = timeout
        self.client = httpx.AsyncClient(base_url=base_url.rstrip("/"), headers=headers or {},
                                        timeout=timeout)

    async def call(self, method: str, path: str, bad_request: BadRequest = unsupported,
                   **kwargs: Any) -> Any:
        """The parsed JSON answer of one request, or a TranslationError."""
        try:
            async with asyncio.timeout(self.timeout):
                response = await self.client.request(method, path, **kwargs)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise TranslationUnavailable(
                f"{self.name}: no answer within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:  # refused, reset, closed mid-answer, bad HTTP
            raise TranslationUnavailable(
                f"{self.name}: connection failed ({type(exc).__name__})") from exc
        self._check(response, bad_request)
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise TranslationUnavailable(f"{self.name}: the answer is not JSON") from exc

    def _check(self, response: httpx.Response, bad_request: BadRequest) -> None:
        status = response.status_code
        if status < 400:
            return
        detail = f"{self.name} answered {status}: {error_text(response)}"
        if status == 429:
            raise RateLimited(detail, retry_after(response.headers.get("retry-after")))
        if status == 456:
            raise QuotaExceeded(detail)
        if status == 400:
            raise bad_request(detail)
        if status in (401, 403):
            raise TranslationUnavailable(f"{detail} (is the key right?)")
        raise TranslationUnavailable(detail)

    def unexpected(self, what: str) -> TranslationUnavailable:
        return TranslationUnavailable(f"{self.name}: unexpected answer ({what})")

    async def aclose(self) -> None:
        await self.client.aclose()


def error_text(response: httpx.Response) -> str:
    """The service's own error message: LibreTranslate {"error": "..."}, DeepL {"message":
    "..."}, OpenAI {"error": {"message": "..."}}; shortened."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.reason_phrase or "error"
    if isinstance(body, dict):
        found = body.get("error") or body.get("message") or body.get("detail")
        if isinstance(found, dict):
            found = found.get("message")
        if isinstance(found, str) and found:
            return found[:DETAIL_CHARS]
    return response.reason_phrase or "error"


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds. The HTTP-date form is not read: that needs the wall clock."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def strings(value: Any, count: int) -> TypeGuard[list[str]]:
    """A list of `count` strings: what a batch answer must be."""
    return (isinstance(value, list) and len(value) == count
            and all(isinstance(item, str) for item in value))
