"""Speech to text over the OpenAI-compatible transcription API.

POST /v1/audio/transcriptions, multipart: file, model, language, response_format=json
    -> {"text": "..."}
Offered by whisper.cpp's whisper-server (started with --inference-path /v1/audio/transcriptions,
and --convert for Telegram's OGG/Opus voice notes) and by speaches. The resident's chosen language
is always sent: whisper guesses badly on a few seconds of audio, and a wrong guess would hand the
partner group a "translation" of the wrong words.
"""

from __future__ import annotations

from bot.translate.base import (
    SPEECH_TIMEOUT,
    TranslationError,
    TranslationUnavailable,
    UnsupportedLanguage,
)
from bot.translate.client import Service

PATH = "/v1/audio/transcriptions"


def bad_request(detail: str) -> TranslationError:
    # A 400 is a language the model lacks, or audio it cannot read (a format without --convert).
    if "language" in detail.lower():
        return UnsupportedLanguage(detail)
    return TranslationUnavailable(detail)


class OpenAITranscriber:
    name = "openai"

    def __init__(self, url: str, model: str = "whisper-1", key: str | None = None,
                 timeout: float = SPEECH_TIMEOUT) -> None:
        self.model = model
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.service = Service("speech", url, timeout, headers=headers)

    async def transcribe(self, audio: bytes, language: str, filename: str = "voice.ogg",
                         mime: str = "audio/ogg") -> str:
        form = {"model": self.model, "language": language, "response_format": "json"}
        data = await self.service.call("POST", PATH, bad_request, data=form,
                                       files={"file": (filename, audio, mime)})
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str):
            raise self.service.unexpected("no text")
        return text.strip()

    async def aclose(self) -> None:
        await self.service.aclose()
