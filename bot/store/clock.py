"""UTC timestamps stored as ISO text; one place so tests can inject a clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def iso_ceil(moment: datetime) -> str:
    """Like iso(), rounded up to the second: a retry is never due before its time."""
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return iso(moment)


def parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
