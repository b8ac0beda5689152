"""Time is an input: UTC timestamps stored as ISO text, and the clocks the bot can run on.

Nothing in the bot reads the wall clock itself: every part is handed a `Clock` (a callable that
returns an aware UTC datetime). Only the entry points (`buurtbot run` and the import commands)
pass `utcnow`; tests, the demo and the benches pass a `SimClock` they move by hand, or a
`RunningClock` that starts at a chosen moment and runs at real speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


class WallClockRead(RuntimeError):
    """The wall clock was read where an injected clock was expected (see tests/conftest.py)."""


# tests/conftest.py turns this off for every test that does not say it means "now", so code
# that falls back on the wall clock by accident fails instead of passing by day and failing
# at night.
wall_clock_allowed = True


def utcnow() -> datetime:
    """The wall clock, for the entry points only."""
    if not wall_clock_allowed:
        raise WallClockRead("the wall clock was read: pass the harness's clock instead")
    return datetime.now(UTC)


class SimClock:
    """A clock that stands still until it is moved: `clock.now = ...` or `clock.advance(...)`."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock starts at an aware datetime")
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | float | None = None, **units: float) -> datetime:
        """Move on by a timedelta, a number of seconds, or timedelta's own keywords."""
        if delta is None:
            delta = timedelta(**units)
        elif not isinstance(delta, timedelta):
            delta = timedelta(seconds=delta)
        self.now += delta
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)

    def timestamp(self) -> float:
        """Seconds since the epoch, as the fake Telegram stamps its messages."""
        return self.now.timestamp()


class RunningClock:
    """Starts at `start` and runs at real speed (the monotonic clock): for what must pace itself
    in real time (rate limits, a real bot process) without depending on the hour it runs at."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock starts at an aware datetime")
        self.start = start.astimezone(UTC)
        self._t0 = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._t0)

    def timestamp(self) -> float:
        return self().timestamp()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def iso_ceil(moment: datetime) -> str:
    """Like iso(), rounded up to the second: a retry is never due before its time."""
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return iso(moment)


def parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
