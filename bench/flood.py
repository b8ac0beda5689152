"""Benchmark: one resident floods a partner group while others send reports.

    python3 bench/flood.py [--relays 60] [--seconds 20]

Resident A writes `--relays` messages to their request within `--seconds` (a burst, as a
frightened or angry person does); meanwhile B (5 s in) and C (15 s in) each send a noise report
to the same group. The fake Bot API enforces Telegram's group limits (1 message a second per
chat, 20 a minute per group, 429 with retry_after beyond that) and everything runs on the
injected clock, so the figures are the same on any machine.

Printed: when B's and C's cards reached the group (seconds after their Send), when A's last
message did, and whether every message of A arrived once and in order. Run three ways:
as configured ([limits] from the example site file), with the per-resident relay limit off
(only the outbox's fairness between residents at work), and, for the record, both off where
the code has them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import EXAMPLE_SITE_CONFIG, SiteConfig, load_site_config
from bot.i18n.bidi import strip_controls
from bot.store.clock import SimClock
from bot.testing.fake_api import FakeBotAPI
from bot.testing.harness import WORKDAY_11, BotHarness, ResidentChat

GROUP = "woningcorporatie"
STEP = 0.5  # seconds the clock moves between two looks at the outbox


class GroupLimitedAPI(FakeBotAPI):
    """Telegram's limits for group chats only: a resident's own chat answers at once, so the
    report flows (many direct answers in one simulated second) run as they would."""

    def _check_limits(self, name: str, chat_id: int | None) -> None:
        if chat_id is not None and chat_id < 0:
            super()._check_limits(name, chat_id)


@dataclass
class Outcome:
    cards: dict[str, float]  # resident -> seconds from Send to the card in the group
    last_relay: float  # seconds from A's first message to its last one in the group
    in_order: bool
    delivered: int


def with_limits(site: SiteConfig, relays_per_minute: int | None) -> SiteConfig:
    """The site with the relay limit changed (None: as configured); a code without limits has
    nothing to change."""
    limits = getattr(site, "limits", None)
    if limits is None or relays_per_minute is None:
        return site
    return site.model_copy(update={"limits": limits.model_copy(
        update={"relays_per_minute": relays_per_minute, "requests_per_day": 1000})})


def sent_at(fake: FakeBotAPI, chat_id: int, starts: str) -> float | None:
    for call in fake.calls:
        if (call.ok and call.chat_id == chat_id and call.method == "sendMessage"
                and str(call.params.get("text", "")).startswith(starts)):
            return float(call.at)
    return None


async def report(h: BotHarness, chat: ResidentChat) -> tuple[str, float]:
    ticket = await chat.report(text="Harde muziek", lang="nl")
    return ticket.ref, h.clock().timestamp()


async def run(site: SiteConfig, relays: int, seconds: float) -> Outcome:
    clock = SimClock(WORKDAY_11)
    fake = GroupLimitedAPI(enforce_limits=True, clock=clock.timestamp)
    for partner in site.partners:
        fake.add_group(partner.chat_id, partner.name)
    with tempfile.TemporaryDirectory() as tmp:
        async with BotHarness.start(Path(tmp) / "bot.db", site, clock=clock, fake=fake) as h:
            group = h.group(GROUP)
            amina = await h.onboard("Amina", "nl")
            ticket = await amina.report(text="Ze dealen in het portiek", lang="nl")
            await h.staff(GROUP, "Jan").reply(group.card(ticket.ref), "Vertel het maar")
            answer = h.fake.last_message(amina.chat_id)
            assert answer is not None
            clock.advance(60)  # a quiet minute before the flood
            await h.deliver()
            began = clock().timestamp()
            b, c = await h.onboard("Bram", "nl"), await h.onboard("Ceren", "nl")
            pending: dict[str, Any] = {}
            gap = seconds / relays
            for i in range(relays):
                update = h.updates.text(amina.person, f"bericht {i + 1:03d}",
                                        reply_to=int(answer["message_id"]))
                await h.feed(update)
                elapsed = clock().timestamp() - began
                for name, chat, at in (("B", b, 5.0), ("C", c, 15.0)):
                    if name not in pending and elapsed >= at:
                        pending[name] = await report(h, chat)
                clock.advance(gap)
                await h.deliver()
            for _ in range(int(3600 / STEP)):  # at most an hour
                if not (await h.store.outbox.counts()).get("pending"):
                    break
                clock.advance(STEP)
                await h.deliver()
            cards = {}
            for name, (ref, sent) in pending.items():
                at = sent_at(fake, group.chat_id, f"🆕 <b>#{ref}</b>")
                cards[name] = (at - sent) if at is not None else float("inf")
            words = [strip_controls(t.rsplit("\n", 1)[-1]) for t in group.texts()
                     if "bericht " in t]
            expected = [f"bericht {i + 1:03d}" for i in range(relays)]
            last = max((float(call.at) for call in fake.calls if call.ok
                        and call.chat_id == group.chat_id
                        and "bericht " in str(call.params.get("text", ""))), default=began)
            return Outcome(cards, last - began, words == expected, len(words))


def show(label: str, outcome: Outcome, relays: int) -> None:
    cards = ", ".join(f"{name}'s card after {secs:.1f} s" for name, secs in outcome.cards.items())
    print(f"{label}: {cards}; A's last message after {outcome.last_relay:.0f} s; "
          f"{outcome.delivered}/{relays} of A's messages arrived"
          f"{', in order' if outcome.in_order else ', NOT IN ORDER'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relays", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    site = load_site_config(EXAMPLE_SITE_CONFIG)
    print(f"{args.relays} messages of resident A in {args.seconds:.0f} s; B reports 5 s in, "
          f"C 15 s in; group limits 1/s and 20/min")
    show("as configured", asyncio.run(run(site, args.relays, args.seconds)), args.relays)
    if getattr(site, "limits", None) is not None:
        show("relay limit off (fairness only)",
             asyncio.run(run(with_limits(site, 10_000), args.relays, args.seconds)),
             args.relays)


if __name__ == "__main__":
    main()
