"""A stand-in for the translation and speech services, over real HTTP on 127.0.0.1: for the
tests of the adapters and for the demo (its stand-in translator). One server speaks all three
APIs, each on its own paths:

    LibreTranslate   GET /languages, POST /translate
    DeepL            GET /v2/languages?type=..., POST /v2/translate
    OpenAI speech    POST /v1/audio/transcriptions

    with FakeTranslateServer({("ar", "nl", "مرحبا"): "Hallo"}) as server:
        translator = LibreTranslate(server.url)
        server.fail("429", times=1)               # the next request only
        server.counts["/translate"]               # requests per path

A text without a canned translation comes back as "[nl] <text>", so a demo shows what was
translated. Faults (`fail`): "timeout" (never answers), "429" (with Retry-After), "456", "500",
"bad_json" (200, not JSON), "wrong_shape" (200, JSON of another shape), "drop" (the connection
closes half-way through the answer), "trickle" (the answer comes a byte at a time, each one well
within a read timeout, the whole far beyond the call's). `latency` delays every answer. The
server runs an asyncio loop in its own thread, like bot/testing/http_fake.py, so the client
under test owns its loop.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.testing.http_fake import parse_body
from bot.testing.loop_server import LoopServer

FAULTS = ("timeout", "429", "456", "500", "bad_json", "wrong_shape", "drop", "trickle")
TRICKLE_GAP = 0.05  # seconds between two bytes of a "trickle" answer
LANGUAGES = ("nl", "ar", "tr", "en", "pl")
NAMES = {"nl": "Dutch", "ar": "Arabic", "tr": "Turkish", "en": "English", "pl": "Polish"}
DEEPL_TARGETS = {"en": ["EN-GB", "EN-US"], "pt": ["PT-PT", "PT-BR"]}


@dataclass(frozen=True)
class Seen:
    """One request as the server got it: headers in lower case, JSON or form parameters."""

    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes, str]]


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    cut: bool = False  # send half of the body, then close
    trickle: bool = False  # send the body a byte at a time


def reply(status: int, data: Any, **headers: str) -> Reply:
    return Reply(status, json.dumps(data, ensure_ascii=False).encode(), headers)


def every_pair(langs: tuple[str, ...] = LANGUAGES) -> set[tuple[str, str]]:
    return {(s, t) for s in langs for t in langs if s != t}


class FakeTranslateServer(LoopServer):
    NAME = "fake translation server"

    def __init__(self, translations: dict[tuple[str, str, str], str] | None = None,
                 transcripts: dict[str, str] | None = None,
                 pairs: set[tuple[str, str]] | None = None, port: int = 0) -> None:
        super().__init__(port)
        self.translations = dict(translations or {})  # (source, target, text) -> translation
        self.transcripts = dict(transcripts or {})  # spoken language -> transcript
        self.pairs = every_pair() if pairs is None else set(pairs)
        self.libre_key: str | None = None  # set: /translate wants this api_key
        self.deepl_key: str | None = None  # set: DeepL wants "DeepL-Auth-Key <key>"
        self.speech_key: str | None = None  # set: transcription wants "Bearer <key>"
        self.latency = 0.0
        self.retry_after = "2"
        self.seen: list[Seen] = []
        self.counts: Counter[str] = Counter()
        self._fault: str | None = None
        self._times: int | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(self, fault: str | None, times: int | None = None) -> None:
        """Answer the next `times` requests (all, when None) with a fault; None heals."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {', '.join(FAULTS)}")
        self._fault, self._times = fault, times

    def requests(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    # -- life cycle ------------------------------------------------------------------------
    async def _close(self) -> None:
        await super()._close()
        tasks = list(self._tasks)
        for task in tasks:  # a "timeout" request waits forever: end it now
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- HTTP ------------------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            while await self._exchange(reader, writer):  # keep-alive
                pass
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the client gave up (its timeout) or the server stops
        finally:
            if task is not None:
                self._tasks.discard(task)
            writer.close()

    async def _exchange(self, reader: asyncio.StreamReader,
                        writer: asyncio.StreamWriter) -> bool:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        verb, target, _version = head[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip()
                   for k, v in (line.split(":", 1) for line in head[1:] if ":" in line)}
        body = await reader.readexactly(int(headers.get("content-length") or 0))
        url = urlsplit(target)
        data = parse_body(headers.get("content-type", ""), body)
        params = {**dict(parse_qsl(url.query)), **data.parameters}
        seen = Seen(verb, url.path, headers, params, data.multipart_data)
        self.seen.append(seen)
        self.counts[url.path] += 1
        answer = await self._answer(seen)
        if answer is None:
            return False
        await self._write(writer, answer)
        return not answer.cut

    @staticmethod
    async def _write(writer: asyncio.StreamWriter, answer: Reply) -> None:
        extra = "".join(f"{k}: {v}\r\n" for k, v in answer.headers.items())
        writer.write(f"HTTP/1.1 {answer.status} X\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(answer.body)}\r\n{extra}\r\n".encode())
        body = answer.body[: len(answer.body) // 2] if answer.cut else answer.body
        if not answer.trickle:
            writer.write(body)
        for i in range(len(body) if answer.trickle else 0):
            writer.write(body[i:i + 1])
            await writer.drain()
            await asyncio.sleep(TRICKLE_GAP)
        await writer.drain()

    def _take_fault(self) -> str | None:
        fault = self._fault
        if fault is not None and self._times is not None:
            self._times -= 1
            if self._times <= 0:
                self._fault = self._times = None
        return fault

    async def _answer(self, seen: Seen) -> Reply | None:
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = self._take_fault()
        if fault == "timeout":
            await asyncio.Event().wait()  # until the server stops (cancelled)
            return None
        if fault is not None:
            return FAULT_REPLIES[fault](self)
        return self._route(seen)

    def _route(self, seen: Seen) -> Reply:
        routes = {("GET", "/languages"): self._libre_languages,
                  ("POST", "/translate"): self._libre_translate,
                  ("GET", "/v2/languages"): self._deepl_languages,
                  ("POST", "/v2/translate"): self._deepl_translate,
                  ("POST", "/v1/audio/transcriptions"): self._transcribe}
        handler = routes.get((seen.method, seen.path))
        return handler(seen) if handler else reply(404, {"error": "Not Found"})

    # -- the three APIs --------------------------------------------------------------------
    def _text(self, source: str, target: str, text: str) -> str:
        return self.translations.get((source, target, text), f"[{target}] {text}")

    def _codes(self) -> set[str]:
        return {code for pair in self.pairs for code in pair}

    def _libre_languages(self, seen: Seen) -> Reply:
        return reply(200, [{"code": c, "name": NAMES.get(c, c),
                            "targets": sorted(t for s, t in self.pairs if s == c)}
                           for c in sorted(self._codes())])

    def _libre_translate(self, seen: Seen) -> Reply:
        p = seen.params
        if self.libre_key is not None and p.get("api_key") != self.libre_key:
            if not p.get("api_key"):
                return reply(400, {"error": "Please contact the server operator to get an "
                                            "API key"})
            return reply(403, {"error": "Invalid API key"})
        source, target, q = str(p.get("source")), str(p.get("target")), p.get("q")
        for code in (source, target):
            if code not in self._codes():
                return reply(400, {"error": f"{code} is not supported"})
        if (source, target) not in self.pairs:
            return reply(400, {"error": f"{target} is not available as a target language "
                                        f"from {source}"})
        out: Any = ([self._text(source, target, t) for t in q] if isinstance(q, list)
                    else self._text(source, target, str(q)))
        return reply(200, {"translatedText": out})

    def _deepl_languages(self, seen: Seen) -> Reply:
        codes = sorted({s for s, _ in self.pairs} if seen.params.get("type") == "source"
                       else {t for _, t in self.pairs})
        if seen.params.get("type") == "source":
            return reply(200, [{"language": c.upper(), "name": NAMES.get(c, c)} for c in codes])
        return reply(200, [{"language": d, "name": NAMES.get(c, c), "supports_formality": False}
                           for c in codes for d in DEEPL_TARGETS.get(c, [c.upper()])])

    def _deepl_translate(self, seen: Seen) -> Reply:
        if self.deepl_key is not None and (seen.headers.get("authorization")
                                           != f"DeepL-Auth-Key {self.deepl_key}"):
            return reply(403, {"message": "Authorization failure, check auth_key"})
        p = seen.params
        source = str(p.get("source_lang", "")).split("-")[0].lower()
        target = str(p.get("target_lang", "")).split("-")[0].lower()
        if (source, target) not in self.pairs:
            return reply(400, {"message": "Value for 'target_lang' not supported."})
        return reply(200, {"translations": [
            {"detected_source_language": source.upper(), "text": self._text(source, target, t)}
            for t in p.get("text") or []]})

    def _transcribe(self, seen: Seen) -> Reply:
        if self.speech_key is not None and (seen.headers.get("authorization")
                                            != f"Bearer {self.speech_key}"):
            return reply(401, {"error": {"message": "Incorrect API key provided",
                                         "type": "invalid_request_error"}})
        language = str(seen.params.get("language", ""))
        if "file" not in seen.files:
            return reply(400, {"error": {"message": "file is required"}})
        if language not in self._codes():
            return reply(400, {"error": {"message": f"Unsupported language: {language}"}})
        return reply(200, {"text": self.transcripts.get(language, f"[{language}] voice message")})


FAULT_REPLIES = {
    "429": lambda s: reply(429, {"error": "Slowdown: 30 per 1 minute"},
                           **{"Retry-After": s.retry_after}),
    "456": lambda s: reply(456, {"message": "Quota exceeded"}),
    "500": lambda s: reply(500, {"error": "Cannot translate text: model crashed"}),
    "bad_json": lambda s: Reply(200, b'{"translatedText": ["half'),
    # every API's own key, holding the wrong type: a string for a list, a number for text
    "wrong_shape": lambda s: reply(200, {"translatedText": "one string", "text": 5,
                                         "translations": {"text": "x"}}),
    "drop": lambda s: Reply(200, json.dumps({"translatedText": ["x" * 200]}).encode(), cut=True),
    "trickle": lambda s: Reply(200, json.dumps({"translatedText": ["x" * 200]}).encode(),
                               trickle=True),
}
