"""Time is an input: nothing reads the wall clock except bot/store/clock.py, and the tests' clock
stands on a working day unless a test says otherwise."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import clock
from bot.store.clock import RunningClock, SimClock, WallClockRead
from bot.testing.harness import WORKDAY_11, BotHarness

ROOT = Path(__file__).resolve().parent.parent
# (module, function) pairs that read the wall clock or the machine's time zone
WALL = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
        ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime"),
        ("time", "ctime"), ("time", "strftime")}
ALLOWED = {ROOT / "bot" / "store" / "clock.py"}


def wall_clock_reads(path: Path) -> list[str]:
    """Every use of a wall-clock function, called (`time.time()`) or passed on (`or time.time`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute):
            owner = node.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if (name, node.attr) in WALL:
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                found.add(f"{where}:{node.lineno} {name}.{node.attr}")
    return sorted(found)


def test_nothing_reads_the_wall_clock_but_the_clock_module() -> None:
    files = [p for folder in ("bot", "tests", "bench") for p in (ROOT / folder).rglob("*.py")]
    reads = [r for p in files if p not in ALLOWED for r in wall_clock_reads(p)]
    assert not reads, "read the injected clock instead (bot/store/clock.py):\n" + "\n".join(reads)


def test_the_scan_finds_a_wall_clock_read(tmp_path: Path) -> None:
    """The check above must be able to fail."""
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("import time\nfrom datetime import datetime\n"
                      "a = datetime.now()\nb = time.time()\nc = lambda: None or time.time\n")
    assert wall_clock_reads(sneaky) == ["sneaky.py:3 datetime.now", "sneaky.py:4 time.time",
                                        "sneaky.py:5 time.time"]


def test_reading_the_wall_clock_in_a_test_fails() -> None:
    with pytest.raises(WallClockRead):
        clock.utcnow()


@pytest.mark.wallclock
def test_a_test_that_means_now_says_so() -> None:
    moment = clock.utcnow()
    assert moment.tzinfo is UTC


async def test_the_harness_lives_on_a_working_day_at_eleven(h: BotHarness) -> None:
    assert h.clock() == WORKDAY_11
    assert WORKDAY_11.weekday() == 1 and (WORKDAY_11.hour, WORKDAY_11.minute) == (11, 0)
    assert h.services.notifier.policy.week.is_working_time(h.clock())
    assert h.services.notifier.policy.resident_time(h.clock()) == h.clock()  # not quiet


def test_a_sim_clock_moves_only_when_told() -> None:
    start = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    c = SimClock(start)
    assert c() == c() == start
    assert c.advance(90) == start + timedelta(seconds=90)
    assert c.advance(hours=1) == start + timedelta(seconds=90, hours=1)
    c.set(start)
    assert c() == start and c.timestamp() == start.timestamp()
    with pytest.raises(ValueError):
        SimClock(datetime(2026, 12, 5, 2, 0))  # naive: which zone?


def test_a_running_clock_starts_where_it_is_told_and_runs() -> None:
    c = RunningClock(WORKDAY_11)
    first, second = c(), c()
    assert WORKDAY_11 <= first <= second < WORKDAY_11 + timedelta(seconds=5)
