"""Logging that never prints the bot token or what residents wrote.

The token is part of every Bot API URL, and python-telegram-bot puts it in some messages (a
rejected token: "The token `123456789:AA...` was rejected by the server"). A filter on the root
logger's handlers redacts it from every record, whichever logger made it (asyncio, telegram.ext,
apscheduler, loggers created later): the message and its arguments, exception text and stack info.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

MASK = "<redacted>"
# Anything shaped like a bot token, even one that is not ours (a second bot, an old token).
TOKEN_SHAPE = re.compile(r"\d{6,}:[A-Za-z0-9_-]{30,}")
# The token inside a Bot API URL (.../bot<token>/getMe), whatever its shape; %3A is an encoded ":".
IN_URL = re.compile(r"/bot\d+(?::|%3[Aa])[^/\s'\"?#]+")
# The secret part alone is redacted only if it is long enough not to blank ordinary words.
MIN_SECRET = 8
_FORMATTER = logging.Formatter()


class Redactor:
    """text -> text without the configured token, its secret part, or anything token-shaped."""

    def __init__(self, token: str | None = None, *keys: str | None) -> None:
        self.secrets: list[str] = []
        if token:
            self.secrets.append(token)  # the whole token first, so the id goes with it
            secret = token.partition(":")[2]
            if len(secret) >= MIN_SECRET:
                self.secrets.append(secret)
        # the translation and speech services' keys (BUURTBOT_TRANSLATE_KEY, _SPEECH_KEY)
        self.secrets += [key for key in keys if key and len(key) >= MIN_SECRET]

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        text = IN_URL.sub("/bot" + MASK, text)
        return TOKEN_SHAPE.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record in place: formatted message, exception text, stack info."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(_message(record)), None
        if record.exc_info and not record.exc_text:
            # Formatted here and redacted below: logging.Formatter prints this cached text and
            # formats exc_info only when there is none. exc_info itself stays, for caplog.
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # bad %-arguments: logging would print them, unredacted, as an error
        return f"{record.msg} {record.args!r}"


def setup_logging(level: int = logging.INFO, token: str | None = None,
                  *keys: str | None) -> Redactor:
    """Root handler, quiet third-party loggers, and the token (and the services' keys)
    redacted from all output."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    redact = Redactor(token, *keys)
    for handler in logging.getLogger().handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(RedactingFilter(redact))
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # APScheduler announces every job run at INFO: noise, not news.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # A crash that escapes everything is printed by sys.excepthook, not by logging.
    sys.excepthook = _excepthook(redact)
    return redact


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def _excepthook(redact: Redactor) -> ExceptHook:
    def hook(kind: type[BaseException], value: BaseException,
             tb: TracebackType | None) -> None:
        sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb))))

    return hook
