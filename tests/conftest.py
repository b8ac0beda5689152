"""Shared fixtures: the real Application on a temp SQLite file against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import EXAMPLE_SITE_CONFIG, SiteConfig, load_site_config
from bot.testing.harness import BotHarness


@pytest.fixture
def site() -> SiteConfig:
    return load_site_config(EXAMPLE_SITE_CONFIG)


@pytest.fixture
async def h(tmp_path: Path, site: SiteConfig) -> AsyncIterator[BotHarness]:
    async with BotHarness.start(tmp_path / "bot.db", site) as harness:
        yield harness
