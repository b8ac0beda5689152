"""Shared fixtures: the real Application on a temp SQLite file against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import EXAMPLE_SITE_CONFIG, SiteConfig, load_site_config
from bot.store import clock
from bot.testing.harness import BotHarness


@pytest.fixture
def site() -> SiteConfig:
    return load_site_config(EXAMPLE_SITE_CONFIG)


@pytest.fixture
async def h(tmp_path: Path, site: SiteConfig) -> AsyncIterator[BotHarness]:
    async with BotHarness.start(tmp_path / "bot.db", site) as harness:
        yield harness


@pytest.fixture(autouse=True)
def no_wall_clock(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Time is an input: a test that reads the wall clock by accident fails (bot.store.clock
    raises WallClockRead). A test that means "now" says so with @pytest.mark.wallclock."""
    if request.node.get_closest_marker("wallclock") is None:
        monkeypatch.setattr(clock, "wall_clock_allowed", False)
