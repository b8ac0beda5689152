"""Direct answers that survive a passing fault.

Most messages go through the outbox (bot/messaging/delivery.py), which retries for as long as it
takes. What a handler says directly (a reference after Send, "added to your request", a staff
member's menu, the apology after an error) is the reader's only sign that something happened:
one 5xx must not lose it. `surely` tries again on a timeout, a connection error, a 5xx or a
short 429, with a short back-off, so the answer still comes within seconds; a refusal (400,
403) is final and raised at once. Telegram has no idempotency key: a timeout after Telegram
took the message can show it twice, which is better than not at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter

from bot.messaging.ratelimit import seconds

log = logging.getLogger(__name__)
T = TypeVar("T")
TRIES = 4
FIRST_WAIT = 0.5  # then 1 s, 2 s: the reader waits at most a few seconds more
LONGEST_429 = 5.0  # a longer retry_after is not waited for here: the error handler apologises


async def surely(call: Callable[[], Awaitable[T]], what: str,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> T:
    """`call()`, tried up to TRIES times through passing faults."""
    wait, waited_429 = FIRST_WAIT, False
    for attempt in range(1, TRIES + 1):
        try:
            return await call()
        except RetryAfter as exc:
            # once: with rate limiting on, PTB's limiter has waited out 429s already
            pause = seconds(exc.retry_after).total_seconds()
            if attempt == TRIES or waited_429 or pause > LONGEST_429:
                raise
            log.info("%s: 429, trying again in %.1f s", what, pause)
            waited_429 = True
            await sleep(pause)
        except (BadRequest, ChatMigrated):
            raise  # refused: sending it again would be refused again
        except NetworkError as exc:  # timeouts, connection trouble, 5xx
            if attempt == TRIES:
                raise
            log.info("%s: %s, trying again in %.1f s", what, type(exc).__name__, wait)
            await sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")
