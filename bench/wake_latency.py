"""Benchmark: a message meant to go at once leaves at once, whatever the outbox worker is doing.

    python3 bench/wake_latency.py [--messages 200] [--gap-ms 40] [--send-ms 5]

The real Application against the fake Bot API, on a clock that runs at real speed (a
RunningClock starting on the tests' working day), with the real worker loop running
(`Delivery.start()`, as `buurtbot run` does; nothing calls drain()). Messages to a partner group
are queued the way the bot queues them, each from its own task at random gaps of 0 to
2 x `--gap-ms`, in three patterns:

    at once     enqueue, commit, wake() right away; a second producer keeps the worker busy
                with messages to another group, so wake-ups land in every phase of its loop
                (reading the queue, sending, just after a round that found nothing, asleep)
    late wake   enqueue, commit, then the rest of the handler (its direct reply to the person,
                `--reply-ms`: a slow Telegram; a hung call is 5 s) and only then wake(), as
                PTB runs bot/app.py wake_delivery after the handler
    no wake     enqueue and commit only, as the sweep's daily digests are (bot/app.py
                sweep_due wakes the worker only when a due row was handled)

each once with the worker loop as it was before issue 13 (`old`, copied below: the wake-up
signal cleared after a round that sent nothing, then a sleep until the next due item or
IDLE_WAIT) and once with the loop in bot/messaging/delivery.py (`new`). The fake Telegram
answers each send after `--send-ms`.

Measured per message with time.perf_counter: from its commit until the fake Telegram received
it. Prints p50, p99 and max per loop and pattern, and how many took longer than one second.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import EXAMPLE_SITE_CONFIG, load_site_config
from bot.messaging.delivery import IDLE_WAIT, Delivery
from bot.store.clock import RunningClock
from bot.store.outbox import Method, enqueue
from bot.testing.fake_api import FakeBotAPI
from bot.testing.harness import WORKDAY_11, BotHarness

PATTERNS = ("at once", "late wake", "no wake")


# -- the worker loop before issue 13, for the comparison ------------------------------------------
async def old_run(self: Delivery) -> None:
    while True:
        try:
            sent = await self.run_once()
        except Exception:
            sent = 0
        if sent:
            continue
        self._wake.clear()
        idle = await old_idle(self)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=idle)


async def old_idle(self: Delivery) -> float:
    due = await self.store.outbox.next_due()
    if due is None:
        return IDLE_WAIT
    wait = (due - self.store.outbox.clock()).total_seconds()
    return min(max(wait, 0.05), IDLE_WAIT)


# -- the bench ------------------------------------------------------------------------------------
class TimedFake(FakeBotAPI):
    """The fake Telegram, answering each send after a pause and noting when each text came."""

    def __init__(self, send_s: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.send_s = send_s
        self.arrived: dict[str, float] = {}

    async def do_request(self, url: str, method: str, request_data: Any = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if url.endswith("/sendMessage") and request_data is not None:
            await asyncio.sleep(self.send_s)
            text = str(request_data.parameters.get("text", ""))
            self.arrived.setdefault(text, time.perf_counter())
        return await super().do_request(url, method, request_data, *args, **kwargs)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(loop: str, pattern: str, messages: int, gap_s: float, send_s: float,
              reply_s: float) -> list[float]:
    site = load_site_config(EXAMPLE_SITE_CONFIG)
    clock = RunningClock(WORKDAY_11)
    fake = TimedFake(send_s, clock=lambda: clock().timestamp())
    for partner in site.partners:
        fake.add_group(partner.chat_id, partner.name)
    measured, busy = site.partners[0].chat_id, site.partners[1].chat_id
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as patches:
        if loop == "old":
            patches.enter_context(_patched(Delivery, "_run", old_run))
        async with BotHarness.start(Path(tmp) / "bot.db", site, clock=clock, fake=fake) as h:
            delivery, store = h.services.delivery, h.store
            committed: dict[str, float] = {}

            async def put(chat_id: int, text: str, wake: str) -> None:
                now = clock()
                async with store.db.transaction() as tx:
                    await enqueue(tx, now, chat_id=chat_id, method=Method.SEND, purpose="bench",
                                  payload={"text": text})
                committed[text] = time.perf_counter()
                if wake == "late wake":
                    await asyncio.sleep(reply_s)  # the handler's direct reply
                if wake != "no wake":
                    delivery.wake()

            stop = asyncio.Event()

            async def noise() -> None:
                n = 0
                while not stop.is_set():
                    n += 1
                    await put(busy, f"busy {n}", "at once")
                    await asyncio.sleep(rng.uniform(0, 2 * gap_s))

            delivery.start()
            noisy = asyncio.create_task(noise()) if pattern == "at once" else None
            tasks = []
            try:
                for i in range(messages):
                    await asyncio.sleep(rng.uniform(0, 2 * gap_s))
                    tasks.append(asyncio.create_task(put(measured, f"m{i}", pattern)))
                await asyncio.gather(*tasks)
                deadline = time.perf_counter() + 2 * IDLE_WAIT
                while any(t not in fake.arrived for t in committed if t.startswith("m")):
                    if time.perf_counter() > deadline:
                        break
                    await asyncio.sleep(0.01)
            finally:
                stop.set()
                if noisy is not None:
                    await noisy
                await stop_worker(delivery)
            mine = [t for t in committed if t.startswith("m")]
            lost = [t for t in mine if t not in fake.arrived]
            if lost:
                print(f"  {loop} / {pattern}: {len(lost)} never arrived", file=sys.stderr)
            return [fake.arrived[t] - committed[t] for t in mine if t in fake.arrived]


async def stop_worker(delivery: Delivery) -> None:
    """Delivery.stop(), insisting: on Python 3.11 asyncio.wait_for can swallow a cancellation
    that comes as its awaitable finishes (the old loop waits in it), leaving stop() waiting
    for a worker that goes on."""
    task = delivery._task
    while task is not None and not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=0.1)
    await delivery.stop()


@contextlib.contextmanager
def _patched(owner: type, name: str, value: Any) -> Any:
    saved = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200, help="per loop and pattern")
    parser.add_argument("--gap-ms", type=float, default=40.0)
    parser.add_argument("--send-ms", type=float, default=5.0)
    parser.add_argument("--reply-ms", type=float, default=300.0,
                        help="late wake: the handler's direct reply before wake()")
    parser.add_argument("--loops", default="old,new")
    parser.add_argument("--patterns", default=",".join(PATTERNS))
    args = parser.parse_args()
    print(f"{args.messages} messages per row, gaps 0-{2 * args.gap_ms:.0f} ms, sends "
          f"{args.send_ms:g} ms, direct reply {args.reply_ms:g} ms, IDLE_WAIT {IDLE_WAIT:g} s, "
          "woken by every commit (new)")
    print(f"{'loop':<5}{'pattern':<11}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'> 1 s':>7}")
    for loop in args.loops.split(","):
        for pattern in args.patterns.split(","):
            started = time.perf_counter()
            lat = asyncio.run(run(loop, pattern, args.messages, args.gap_ms / 1000,
                                  args.send_ms / 1000, args.reply_ms / 1000))
            ms = [x * 1000 for x in lat]
            print(f"{loop:<5}{pattern:<11}{statistics.median(ms):>9.1f}"
                  f"{percentile(ms, 99):>9.1f}{max(ms):>9.1f}"
                  f"{sum(1 for x in ms if x > 1000):>7}"
                  f"   ({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
