"""`buurtbot run`: the Application with the durable poller, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta

from telegram.ext import Application

from bot.context import Services
from bot.poller import DurablePoller
from bot.runtime import running

log = logging.getLogger(__name__)
INBOX_PURGE_EVERY = timedelta(hours=1)


async def serve(app: Application, *, poll_timeout: int = 25) -> None:
    async with running(app):
        services: Services = app.bot_data["services"]
        # getUpdates does not work while a webhook is set; keep pending updates.
        await app.bot.delete_webhook(drop_pending_updates=False)
        await app.start()  # job queue (retention sweep); updates come from our poller
        poller = DurablePoller(app, services.store.inbox, timeout=poll_timeout)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, poller.stop)
        if app.job_queue is not None:
            app.job_queue.run_repeating(_purge_inbox, interval=INBOX_PURGE_EVERY, first=60)
        log.info("buurtbot is running as @%s", app.bot.username)
        try:
            await poller.run()
        finally:
            await app.stop()


async def _purge_inbox(context: object) -> None:
    services: Services = context.application.bot_data["services"]  # type: ignore[attr-defined]
    await services.store.inbox.purge()
