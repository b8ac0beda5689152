"""The moment the tests, the demo and the benches live in unless they say otherwise.

Time is an input: an ordinary working day, Tuesday 1 December 2026, 11:00 in Amsterdam (no
holiday, inside working hours, outside the residents' quiet hours). A test that means another
moment, night or weekend, starts its own clock.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.store.clock import SimClock

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WORKDAY_11 = datetime(2026, 12, 1, 11, 0, tzinfo=AMSTERDAM)


def workday_clock(hour: int = 11, minute: int = 0) -> SimClock:
    """A standing clock on that working day, at a local time."""
    return SimClock(WORKDAY_11.replace(hour=hour, minute=minute))
