"""Benchmark: residents' answers while Telegram misbehaves, one update at a time or in lanes.

    python3 bench/concurrency.py [--residents 16] [--lanes 16] [--hang 2.0] [--seed 13]

N residents start at once (a letter went out) and each files a noise report, the way a person
does it: /start, the language, the menu, the category, a description, Next, Skip, Anonymous,
Send; each waits for the bot's answer, thinks a moment (0-0.3 s) and takes the next step, from
what the chat shows (a step the bot apologised for is taken again, as a person would). The
updates go through the real durable poller (bot/messaging/poller.py) and the real Application,
with the outbox worker running, against the fake Bot API. Every Bot API call but getUpdates
meets the fault mix of issue 13: 5% a 5xx, 2% a 429 (retry after 1 s), 1% a hang: no answer
for --hang seconds, then a timeout (the real read timeout is 5 s; scaled down so the bench
stays under a minute). The bot retries them as it always does (bot/messaging/direct.py for a
handler's own answers, the outbox for the rest).

Printed per mode, for every step of every resident: p50/p95/max of the time from the update
reaching the fake Telegram until the first message (or edit) in that resident's chat, the
faults met, the steps the bot could not finish (its error handler apologised) and the time
for all reports. Two modes, on fresh databases and the same seed: sequential (lanes=1,
the old behaviour: one update at a time, in update order) and lanes (--lanes at once, each
chat in order). At the end every resident must have exactly one request and the inbox must be
empty, or the bench fails.

The bot runs on an injected clock that starts on the tests' working day (RunningClock at
WORKDAY_11: real speed, so back-off and retry_after pass as they would); only
time.perf_counter is read, to measure. Rate limiting is off (as in the tests): the figures are
about handling, not about Telegram's send limits.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update

from bot.app import build_application
from bot.config import EXAMPLE_SITE_CONFIG, Settings, SiteConfig, load_site_config
from bot.messaging.poller import DurablePoller
from bot.messaging.runtime import running
from bot.store.clock import RunningClock
from bot.testing.fake_api import FakeBotAPI, Fault, JSONDict
from bot.testing.fake_types import SEND_METHODS
from bot.testing.harness import BotHarness, ResidentChat
from bot.testing.moments import WORKDAY_11

SHOWN = SEND_METHODS | {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}
ANSWER_WAIT = 60.0  # seconds an answer may take before the bench calls it missing
REPORT = "Loud music every night after midnight"
MIN_STEPS = 9  # /start, language, menu, category, description, Next, Skip, Anonymous, Send


class FlakyTelegram(FakeBotAPI):
    """The fake Bot API with the fault mix on every call but getUpdates, noting when
    (perf_counter) something the resident can see reached each chat."""

    def __init__(self, rng: random.Random, hang: float, **kw: Any) -> None:
        super().__init__(**kw)
        self.rng, self.hang = rng, hang
        self.flaky = False  # on once the bot has started
        self.met: Counter[str] = Counter()
        self.shown: dict[int, list[float]] = {}

    def _take_fault(self, name: str, chat_id: int | None = None) -> Fault | None:
        fault = super()._take_fault(name, chat_id)
        if fault is not None or not self.flaky or name == "getUpdates":
            return fault
        roll = self.rng.random()
        if roll < 0.05:
            self.met["5xx"] += 1
            return Fault.server_error(self.rng.choice([500, 502, 503]))
        if roll < 0.07:
            self.met["429"] += 1
            return Fault.retry_after(1)
        if roll < 0.08:
            self.met["hang"] += 1
            return Fault.hang(self.hang)
        return None

    async def do_request(self, url: str, method: str, request_data: Any = None,
                         *args: Any, **kw: Any) -> tuple[int, bytes]:
        calls = len(self.calls)
        answer = await super().do_request(url, method, request_data, *args, **kw)
        if len(self.calls) > calls:  # no await between recording the call and here
            call = self.calls[-1]
            if call.ok and call.method in SHOWN and call.chat_id is not None:
                self.shown.setdefault(call.chat_id, []).append(time.perf_counter())
        return answer


class TimedPoller(DurablePoller):
    """The real poller; tells the bench when each update was handled."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.handled: dict[int, asyncio.Event] = {}

    def expect(self, update_id: int) -> asyncio.Event:
        return self.handled.setdefault(update_id, asyncio.Event())

    async def _handle(self, update: Update) -> None:
        await super()._handle(update)
        self.expect(update.update_id).set()


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    missing: int = 0
    steps: int = 0  # every step a resident took, the ones taken again included


class Resident(ResidentChat):
    """A resident whose every step goes through getUpdates and the poller, timed."""

    fake: FlakyTelegram
    poller: TimedPoller
    run: Run
    rng: random.Random

    async def _do(self, update: Update) -> list[JSONDict]:
        chat = self.chat_id
        self._seen = len(self.h.fake.sent_to(chat))
        self.run.steps += 1
        shown = len(self.fake.shown.get(chat, []))
        handled = self.poller.expect(update.update_id)
        sent_at = time.perf_counter()
        self.fake.queue_update(update)
        await handled.wait()
        while len(self.fake.shown.get(chat, [])) == shown:  # an answer may come by the outbox
            if time.perf_counter() - sent_at > ANSWER_WAIT:
                self.run.missing += 1
                break
            await asyncio.sleep(0.005)
        else:
            self.run.latencies.append(self.fake.shown[chat][shown] - sent_at)
        self.new = self.h.fake.sent_to(chat)[self._seen:]
        await asyncio.sleep(self.rng.uniform(0, 0.3))  # reading, thinking
        return self.new


async def one_mode(site: SiteConfig, residents: int, lanes: int, hang: float,
                   seed: int) -> tuple[Run, Counter[str], float]:
    rng = random.Random(seed)
    clock = RunningClock(WORKDAY_11)
    fake = FlakyTelegram(random.Random(seed + 1), hang, clock=clock.timestamp)
    for partner in site.partners:
        fake.add_group(partner.chat_id, partner.name)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(token=None, db=Path(tmp) / "bench.db", rate_limit=False,
                            lanes=lanes)
        app = build_application(settings, site, request=fake, clock=clock, run_worker=True)
        async with running(app):
            h = BotHarness(app, fake)
            poller = TimedPoller(app, h.store.inbox, timeout=1, lanes=lanes)
            polling = asyncio.create_task(poller.run())
            run = Run()
            people = []
            for i in range(residents):
                person = h.resident(f"Resident{i}", "en", user_id=7400001 + i).person
                chat = Resident(h, person)
                chat.fake, chat.poller, chat.run, chat.rng = fake, poller, run, rng
                people.append(chat)
            fake.flaky = True
            started = time.perf_counter()
            tickets = await asyncio.gather(*(report(chat) for chat in people))
            took = time.perf_counter() - started
            fake.flaky = False
            poller.stop()
            await polling
            assert len({t.ref for t in tickets}) == residents, "a request was lost or doubled"
            for chat in people:
                assert len(await h.store.tickets.for_resident(chat.person.id)) == 1
            assert await h.store.inbox.pending() == [], "the inbox was left with work"
    return run, fake.met, took


PRESS = {"category": "Noise", "where": "Skip", "anonymous": "Anonymous", "summary": "Send",
         "check": "Send anyway"}


async def report(chat: Resident) -> Any:
    """/start, the language, then a noise report, step by step as a person does it, from
    what the chat shows: where the bot apologised or a step's buttons did not arrive, the
    resident takes the step again or types something (the bot then shows the step again)."""
    store = chat.h.store
    for _ in range(MIN_STEPS * 4):
        tickets = await store.tickets.for_resident(chat.person.id)
        if tickets:
            return tickets[0]
        await next_step(chat, await store.drafts.get(chat.person.id))
    raise AssertionError(f"{chat.person.first_name} is stuck:\n{chat.transcript()}")


async def next_step(chat: Resident, draft: Any) -> None:
    tr = chat.h.tr("en")
    if draft is None or draft.flow != "report":
        if any(tr._("Report a problem") in item for item in chat.menu()):
            await chat.tap_menu(tr._("Report a problem"))
        elif not await press(chat, "English"):
            await chat.send("/start")
        return
    if draft.step == "describe":
        if not draft.data.get("texts") or not await press(chat, tr._("Next")):
            await chat.send(REPORT)
        return
    if draft.step not in PRESS or not await press(chat, tr._(PRESS[draft.step])):
        await chat.send("?")  # no button to press: the bot shows the step again


async def press(chat: Resident, label: str) -> bool:
    try:
        chat.message_with(label)
    except AssertionError:  # not (or no longer) in the chat
        return False
    await chat.press(label)
    return True


def line(name: str, run: Run, met: Counter[str], took: float, failed: int) -> str:
    values = sorted(run.latencies)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    faults = "/".join(str(met[k]) for k in ("5xx", "429", "hang"))
    return (f"{name:<14} {run.steps:>5} {statistics.median(values):>7.2f} s {p95:>6.2f} s "
            f"{values[-1]:>6.2f} s {faults:>14} {failed:>7} {run.missing:>8} {took:>7.1f} s")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=16)
    parser.add_argument("--lanes", type=int, default=16)
    parser.add_argument("--hang", type=float, default=2.0, help="seconds a hung call waits")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    errors = Errors()  # the error handler logs each failed step; counted, not printed
    logging.getLogger().setLevel(logging.ERROR)
    logging.getLogger().addHandler(errors)  # the only handler: nothing is printed
    site = load_site_config(EXAMPLE_SITE_CONFIG)
    print(f"{args.residents} residents, 9 steps each; every Bot API call but getUpdates: "
          f"5% 5xx, 2% 429 (retry after 1 s), 1% no answer for {args.hang:g} s then a timeout")
    print(f"{'mode':<14} {'steps':>5} {'p50':>9} {'p95':>8} {'max':>8} {'5xx/429/hang':>14} "
          f"{'failed':>7} {'missing':>8} {'took':>9}")
    for name, lanes in (("sequential", 1), (f"lanes ({args.lanes})", args.lanes)):
        run, met, took = await one_mode(site, args.residents, lanes, args.hang, args.seed)
        print(line(name, run, met, took, sum(errors.by_logger.values())), flush=True)
        errors.by_logger.clear()
    print(f"steps: taken by all residents ({MIN_STEPS} each at least; a failed step is taken "
          "again); failed: steps the\nbot could not finish through a fault (it apologised); "
          f"missing: steps without any answer\nwithin {ANSWER_WAIT:g} s. Both modes end with "
          "every report in once and an empty inbox.")


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.by_logger: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.by_logger[record.name] += 1


if __name__ == "__main__":
    asyncio.run(main())
