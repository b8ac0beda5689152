"""Running the Application outside run_polling (tests, demo): the same start-up and shut-down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import Application


@asynccontextmanager
async def running(app: Application) -> AsyncIterator[Application]:
    """initialize + post_init ... post_shutdown + shutdown, as run_polling does around polling."""
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        yield app
    finally:
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await app.shutdown()
