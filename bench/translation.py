"""Benchmark: machine translation in the delivery path never holds a message back for long.

    python3 bench/translation.py [--runs 30]

An Arabic-speaking resident and the Dutch group of Woningcorporatie, through the real
Application against the fake Bot API, in three flows:

    report  the resident presses Send on a report: until its card is in the group
    relay   the resident replies to a bot message about the request: until it is in the group
    reply   a staff member replies to the card: until it is in the resident's chat

each in four cases: translation off (provider "none"); on, against the fake LibreTranslate
(bot/testing/fake_translate.py) answering after 50 ms; and the translator down, every request
answered with 500 (after the same 50 ms), or never answered (so each call waits out the
adapter's timeout, 0.3 s here in the site config; the default is 3 s). Every text is new, so the
translation cache never answers for the service; the untimed step between (a claim, which edits
the card) meets a working translator. Prints p50/p95/max per flow and case, how many arrived
translated (the fake marks a text it has no canned translation for with "[nl] "), and a verdict
per case.

The bot runs on the standing clock of the tests (bot/testing/moments.py, workday_clock); only
time.perf_counter is read, to measure: from handing the update to the bot until the fake
Telegram accepted the message (not until everything the update caused was delivered).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import EXAMPLE_SITE_CONFIG, SiteConfig, Translation, load_site_config
from bot.i18n.bidi import strip_controls
from bot.testing.fake_api import FakeBotAPI, JSONDict
from bot.testing.fake_translate import FakeTranslateServer
from bot.testing.fake_types import SEND_METHODS
from bot.testing.harness import BotHarness, ResidentChat, StaffMember
from bot.testing.moments import workday_clock

LATENCY = 0.05  # the fake translator's answer time, seconds
TIMEOUT = 0.3  # the adapter's time limit in the site config of this bench, seconds
GROUP = "woningcorporatie"  # noise goes here; the group reads Dutch
REPORT = "موسيقى عالية كل ليلة بعد منتصف الليل"
LATER = "ما زالت الموسيقى عالية الليلة"
ANSWER = "We komen morgen langs"
FLOWS = {"report": "Send -> card in the group",
         "relay": "resident's message -> group",
         "reply": "staff reply -> resident"}
CASES = {"off": "translation off",
         "on": f"on, translator {LATENCY * 1000:.0f} ms",
         "500": "translator down (500 at 50 ms)",
         "timeout": f"translator down (timeout {TIMEOUT:g} s)"}


class TimedFake(FakeBotAPI):
    """The fake Telegram, noting when (perf_counter) each message it accepted reached a chat."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrived: list[tuple[float, int]] = []

    async def do_request(self, url: str, method: str, request_data: Any = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        calls = len(self.calls)
        answer = await super().do_request(url, method, request_data, *args, **kwargs)
        # no await between the fake's recording the call and here: the last call is this one
        if len(self.calls) > calls:
            call = self.calls[-1]
            if call.ok and call.method in SEND_METHODS and call.chat_id is not None:
                self.arrived.append((time.perf_counter(), call.chat_id))
        return answer

    def first_in(self, chat_id: int, since: float) -> float | None:
        return next((t for t, chat in self.arrived if chat == chat_id and t >= since), None)


@dataclass
class Flow:
    samples: list[float] = field(default_factory=list)
    missing: int = 0  # never reached the chat within the update
    translated: int = 0

    def add(self, seconds: float | None, translated: bool) -> None:
        if seconds is None:
            self.missing += 1
        else:
            self.samples.append(seconds)
        self.translated += translated

    @property
    def runs(self) -> int:
        return len(self.samples) + self.missing

    def p(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000 if ordered else math.nan

    @property
    def p50(self) -> float:
        return statistics.median(self.samples) * 1000 if self.samples else math.nan

    @property
    def worst(self) -> float:
        return max(self.samples) * 1000 if self.samples else math.nan


def configured(site: SiteConfig, server: FakeTranslateServer | None) -> SiteConfig:
    if server is None:
        return site.model_copy(update={"translation": Translation()})
    return site.model_copy(update={"translation": Translation(
        provider="libretranslate", url=server.url, timeout=TIMEOUT)})


async def timed(h: BotHarness, update: Any, chat_id: int) -> float | None:
    """Seconds from handing the update to the bot until a message reached `chat_id`."""
    fake = h.fake
    assert isinstance(fake, TimedFake)
    start = time.perf_counter()
    await h.feed(update)
    arrived = fake.first_in(chat_id, start)
    return None if arrived is None else arrived - start


def press(h: BotHarness, resident: ResidentChat, label: str) -> Any:
    """The update of the resident pressing a button (ResidentChat.press, without feeding it)."""
    msg = resident.message_with(label)
    texts = [b["text"] for row in msg["reply_markup"]["inline_keyboard"] for b in row]
    exact = next(t for t in texts if label == t or label in strip_controls(t))
    return h.updates.press(resident.person, msg, exact)


def newest_text(h: BotHarness, chat_id: int, since: int) -> str:
    return "\n".join(str(m.get("text", m.get("caption", "")))
                     for m in h.fake.sent_to(chat_id)[since:])


async def one_run(h: BotHarness, staff: StaffMember, i: int, flows: dict[str, Flow],
                  server: FakeTranslateServer | None, fault: str | None) -> None:
    """A new resident reports, is claimed, writes again, and is answered; three timings."""
    group = h.group(GROUP)
    ar, nl = h.tr("ar"), h.tr("nl")
    resident: ResidentChat = await h.onboard(f"R{i}", "ar", user_id=40_000_000 + i)
    await resident.report_summary(text=f"{REPORT} {i}")
    seen = len(group.messages())
    flows["report"].add(await timed(h, press(h, resident, ar._("Send")), group.chat_id),
                        "[nl] " in newest_text(h, group.chat_id, seen))
    ticket = (await h.store.tickets.for_resident(resident.person.id))[0]
    card = group.card(ticket.ref)
    before = len(h.fake.sent_to(resident.chat_id))
    if server is not None:  # not timed: it need not wait out a down translator
        server.fail(None)
    await staff.press(card, nl._("Claim"))  # "... is working on it": a message to reply to
    if server is not None:
        server.fail(fault)
    about: JSONDict = h.fake.sent_to(resident.chat_id)[before]
    seen = len(group.messages())
    update = h.updates.text(resident.person, f"{LATER} {i}", chat_id=resident.chat_id,
                            reply_to=int(about["message_id"]))
    flows["relay"].add(await timed(h, update, group.chat_id),
                       "[nl] " in newest_text(h, group.chat_id, seen))
    seen = len(h.fake.sent_to(resident.chat_id))
    update = h.updates.text(staff.person, f"{ANSWER} ({i})", chat_id=group.chat_id,
                            reply_to=int(group.card(ticket.ref)["message_id"]))
    flows["reply"].add(await timed(h, update, resident.chat_id),
                       "[ar] " in newest_text(h, resident.chat_id, seen))


async def bench_case(case: str, runs: int, site: SiteConfig,
                     server: FakeTranslateServer | None) -> dict[str, Flow]:
    flows = {name: Flow() for name in FLOWS}
    clock = workday_clock()
    fake = TimedFake(clock=lambda: clock().timestamp())
    for partner in site.partners:
        fake.add_group(partner.chat_id, partner.name)
    with tempfile.TemporaryDirectory() as tmp:
        async with BotHarness.start(Path(tmp) / "bench.db", configured(site, server),
                                    clock=clock, fake=fake) as h:
            fault = None if case in ("off", "on") else case
            if server is not None:
                server.fail(fault)  # after start-up's /languages
            staff = h.staff(GROUP, "Sanne")
            for i in range(runs):
                await one_run(h, staff, i, flows, server, fault)
            if server is not None:
                server.fail(None)
    return flows


def row(case: str, name: str, flow: Flow) -> str:
    missing = f"  MISSING {flow.missing}" if flow.missing else ""
    return (f"{CASES[case]:<31} {name:<7} {FLOWS[name]:<29} p50={flow.p50:7.1f} ms  "
            f"p95={flow.p(0.95):7.1f} ms  max={flow.worst:7.1f} ms  "
            f"translated {flow.translated}/{flow.runs}{missing}")


def verdicts(results: dict[str, dict[str, Flow]]) -> list[str]:
    off, lines = results["off"], []
    for name in FLOWS:
        on = results["on"][name]
        extra, extra95 = on.p50 - off[name].p50, on.p(0.95) - off[name].p(0.95)
        note = "" if on.translated else "; NOT translated (yet): the flow does not call the " \
                                        "translator"
        lines.append(f"{name}: with translation: {extra:+.0f} ms over off at p50, "
                     f"{extra95:+.0f} ms at p95 (translator latency {LATENCY * 1000:.0f} ms)"
                     f"{note}")
        for case in ("500", "timeout"):
            down = results[case][name]
            what = {"report": "card", "relay": "message", "reply": "reply"}[name]
            bound = f" (adapter timeout {TIMEOUT * 1000:.0f} ms)" if case == "timeout" else ""
            lost = f"; {down.missing} never arrived" if down.missing else ""
            lines.append(f"{name}: {CASES[case]}: {what} still within {down.worst:.0f} ms"
                         f"{bound}{lost}")
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="runs per case (default 30)")
    args = parser.parse_args()
    site = load_site_config(EXAMPLE_SITE_CONFIG)
    print(f"{args.runs} runs per case: an Arabic resident, the Dutch group of {GROUP}; "
          f"fake translator latency {LATENCY * 1000:.0f} ms, adapter timeout {TIMEOUT:g} s "
          f"(site config)")
    results: dict[str, dict[str, Flow]] = {}
    start = time.perf_counter()
    with FakeTranslateServer() as server:
        server.latency = LATENCY
        for case in CASES:
            t0 = time.perf_counter()
            results[case] = await bench_case(case, args.runs, site,
                                             None if case == "off" else server)
            for name, flow in results[case].items():
                print(row(case, name, flow))
            print(f"  ({time.perf_counter() - t0:.1f} s)")
    print(f"(all cases: {time.perf_counter() - start:.0f} s)\n")
    for line in verdicts(results):
        print(line)


if __name__ == "__main__":
    asyncio.run(main())
