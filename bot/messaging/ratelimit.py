"""Pacing sends under Telegram's overall limit of about 30 messages per second.

PTB's AIORateLimiter does the rest (20 per minute per group, waiting out a 429 and retrying); only
its overall limiter is replaced. That one is a leaky bucket: either it allows bursts of 30 on top
of the steady rate (Telegram counts messages in a rolling second, so the burst draws 429s), or,
with a bucket of one, every timer that fires late loses its slot for good. On a busy machine
timers fire tens of milliseconds late, which cost a tenth of the throughput (bench/broadcast.py).
A rolling window counts exactly what Telegram counts and lets a late send use the slot it missed.
"""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import timedelta
from types import TracebackType

from telegram.ext import AIORateLimiter

OVERALL_PER_SECOND = 29  # one below 30: a send reaches Telegram a little after we count it


class RollingWindow:
    """At most `limit` entries in any `period` seconds; waiters go in the order they came."""

    def __init__(self, limit: int, period: float = 1.0) -> None:
        self.limit = limit
        self.period = period
        self._stamps: deque[float] = deque()
        self._turn = asyncio.Lock()  # FIFO: the first to wait is the first to send
        self.passed = 0  # how many went through (for tests and benches)

    async def __aenter__(self) -> None:
        async with self._turn:
            loop = asyncio.get_running_loop()
            while True:
                now = loop.time()
                while self._stamps and now - self._stamps[0] >= self.period:
                    self._stamps.popleft()
                if len(self._stamps) < self.limit:
                    break
                await asyncio.sleep(self.period - (now - self._stamps[0]))
            self._stamps.append(loop.time())
            self.passed += 1

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        return None


class RateLimiter(AIORateLimiter):
    """AIORateLimiter with the overall limit counted in a rolling second."""

    def __init__(self, per_second: int = OVERALL_PER_SECOND, max_retries: int = 3) -> None:
        super().__init__(max_retries=max_retries)
        # PTB enters this with `async with` around each send to a private chat (22.x)
        self._base_limiter = RollingWindow(per_second)  # type: ignore[assignment]


def seconds(value: float | timedelta) -> timedelta:
    """A 429's retry_after as a timedelta (PTB gives an int or a timedelta, by setting)."""
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))
