"""`buurtbot run`: start up like a service, then the durable poller until SIGINT or SIGTERM.

Start-up talks to Telegram in three places: Application.initialize (getMe), deleteWebhook, and
post_init (getChat and getChatMember per partner group, setMyCommands). A network failure, a
timeout or a 5xx in any of them is temporary: it is logged in one line, what the attempt set up
is taken down again (post_shutdown closes the store post_init opened), and the whole start-up is
tried again after 1, 2, 4 ... seconds, capped, for as long as it takes. A rejected token is not
temporary: the bot stops with one line and exit code 2. A signal stops it at any point.

bot/runtime.py's `running` is the same start-up without the waiting, for tests and the demo.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine
from datetime import timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from telegram.error import (
    BadRequest,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application

from bot.context import Services
from bot.messaging.poller import DurablePoller
from bot.messaging.ratelimit import seconds

log = logging.getLogger(__name__)
INBOX_PURGE_EVERY = timedelta(hours=1)
SIGNALS = (signal.SIGINT, signal.SIGTERM)
POST_INIT = "post_init (partner groups, command menus)"


class StartError(Exception):
    """Why the bot cannot run, in one line without the token, and the exit code to end with."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Stop:
    """SIGINT or SIGTERM, from the first moment on: it ends a back-off wait or the poller."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self._then: list[Callable[[], None]] = []

    def set(self) -> None:
        self.event.set()
        for callback in self._then:
            callback()

    def then(self, callback: Callable[[], None]) -> None:
        self._then.append(callback)
        if self.event.is_set():
            callback()


async def serve(app: Application, *, poll_timeout: int = 25, retry_max: float = 60.0) -> None:
    """Start up (waiting for Telegram as long as it takes), then poll until a signal.
    Raises StartError when Telegram refuses the token or a request for good."""
    stop = Stop()
    loop = asyncio.get_running_loop()
    for sig in SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    startup = StartUp(app, stop, retry_max)
    try:
        if await startup.run():
            startup.step = "getUpdates"  # what talks to Telegram from now on
            await _poll(app, stop, poll_timeout)
    except InvalidToken as exc:  # at start-up, or a token revoked while running
        raise StartError(rejected(exc, startup.api_url), 2) from None
    except TelegramError as exc:  # a 400 or 409 that retrying would only repeat
        raise StartError(f"Telegram refused {startup.step}: {exc.message}", 1) from None
    finally:
        for sig in SIGNALS:
            loop.remove_signal_handler(sig)


class StartUp:
    """Attempts at start-up, each undone when it fails, with back-off in between."""

    def __init__(self, app: Application, stop: Stop, retry_max: float) -> None:
        self.app, self.stop, self.retry_max = app, stop, retry_max
        services: Services = app.bot_data["services"]
        self.api_url = services.settings.api_url
        self.step = "getMe"

    async def run(self) -> bool:
        """True once started; False when a signal came first."""
        delay = 1.0
        while not self.stop.event.is_set():
            try:
                return await until_stopped(self.stop.event, self._attempt())
            except RetryAfter as exc:  # flood control: Telegram says how long
                wait = seconds(exc.retry_after).total_seconds()
                log.warning("start-up: Telegram asks to wait during %s; trying again in %g s",
                            self.step, wait)
            except BadRequest:  # a NetworkError to PTB, but no retry will change the answer
                raise
            except NetworkError as exc:  # refused, DNS, timeouts (TimedOut is one), 5xx
                wait, delay = min(delay, self.retry_max), min(delay * 2, self.retry_max)
                log.warning("start-up: %s; trying again in %g s", self.failure(exc), wait)
            if await sleep_unless_stopped(self.stop.event, wait):
                break
        return False

    async def _attempt(self) -> None:
        try:
            self.step = "getMe"
            await self.app.initialize()
            self.step = "deleteWebhook"  # getUpdates does not work while a webhook is set
            await self.app.bot.delete_webhook(drop_pending_updates=False)
            # post_init last: it schedules the jobs, so a failed attempt leaves none behind
            self.step = POST_INIT
            if self.app.post_init is not None:
                await self.app.post_init(self.app)
        except BaseException:  # also a signal's cancellation: the store must still be closed
            await take_down(self.app)
            raise

    def failure(self, exc: NetworkError) -> str:
        where = host_of(self.api_url)
        if isinstance(exc, TimedOut):
            return f"Telegram at {where} did not answer in time during {self.step}"
        if exc.message.startswith("httpx."):  # PTB's wording for a transport error
            return f"cannot reach Telegram at {where} during {self.step} ({exc.message})"
        return f"Telegram at {where} answered {exc.message!r} during {self.step}"


async def _poll(app: Application, stop: Stop, poll_timeout: int) -> None:
    services: Services = app.bot_data["services"]
    try:
        await app.start()  # job queue (retention sweep); updates come from our poller
        poller = DurablePoller(app, services.store.inbox, timeout=poll_timeout,
                               lanes=services.settings.lanes)
        stop.then(poller.stop)
        if app.job_queue is not None:
            app.job_queue.run_repeating(_purge_inbox, interval=INBOX_PURGE_EVERY, first=60)
        log.info("buurtbot is running as @%s", app.bot.username)
        try:
            await poller.run()
        finally:
            await app.stop()
    finally:
        await take_down(app)


async def take_down(app: Application) -> None:
    """post_shutdown and shutdown, as `running` does, then the bot's HTTP clients: a getMe that
    failed leaves them open, and Application.shutdown skips an application not initialised."""
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
    await app.shutdown()
    await app.bot.shutdown()


async def until_stopped(stop: asyncio.Event, work: Coroutine[Any, Any, None]) -> bool:
    """Run `work`; True when it finished, False when `stop` came first (work is then cancelled,
    after it has cleaned up). What `work` raises is raised here."""
    task = asyncio.ensure_future(work)
    waiter = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if task.done():
        task.result()
        return True
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return False


async def sleep_unless_stopped(stop: asyncio.Event, delay: float) -> bool:
    """Wait `delay` seconds; True when `stop` came first."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=delay)
    except TimeoutError:
        return False
    return True


def host_of(api_url: str) -> str:
    """host[:port] of the Bot API, for messages (never the path, where the token goes)."""
    parts = urlsplit(api_url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def rejected(exc: InvalidToken, api_url: str) -> str:
    # Bot.initialize re-raises getMe's InvalidToken with the whole token in its message; the
    # original one holds only Telegram's description ("Unauthorized", "Not Found").
    cause = exc.__cause__ if isinstance(exc.__cause__, InvalidToken) else exc
    reason = cause.message
    codes = [s for s in HTTPStatus if s.phrase == reason]
    if codes:
        reason = f"{codes[0].value} {reason}"
    hint = "check it with @BotFather"
    if codes and codes[0] == HTTPStatus.NOT_FOUND:  # also what a wrong API URL gets
        hint += f", and that BUURTBOT_API_URL ({api_url}) ends in /bot"
    return f"BUURTBOT_TOKEN was rejected by Telegram ({reason}): {hint}"


async def _purge_inbox(context: object) -> None:
    services: Services = context.application.bot_data["services"]  # type: ignore[attr-defined]
    await services.store.inbox.purge()
