"""Benchmark: the danger matcher (bot/domain/danger.py), which runs on every resident message.

    python3 bench/danger.py [--messages 1000] [--rounds 5] [--seed 7]

Builds `--messages` mixed messages, deterministically from `--seed`: one to four sentences of the
FAQ in Dutch, English, Turkish and Arabic (ordinary housing language, the bulk of what residents
type), short chat lines, and one message in ten with a danger sentence (every language and
script, Arabizi included) put somewhere among them. Prints the time to build the matcher from
content/danger_words.toml, then µs per message: the first pass (every word new to the matcher's
word cache) and warm passes (p50 over `--rounds`), with the slowest single message, and checks
that every message with a danger sentence was caught and no other one (the FAQ's answers about
emergencies themselves are left out).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.content import CONTENT_DIR
from bot.domain.danger import DangerMatcher

DANGER = [
    "hij slaat me", "er is brand in de keuken", "ik ruik gas", "mijn moeder ademt niet meer",
    "he hit me", "someone has a knife", "i want to kill myself", "smoke coming from the flat",
    "kocam beni dovuyor", "mutfakta yangin var", "gaz kacagi var", "beni oldurecek",
    "زوجي يضربني", "في حريقه في المطبخ", "ريحة غاز قوية", "ابني ما كيتنفسش",
    "3tqoni", "rajli kaydrbni", "ghadi y9tlni", "maz mnie bije", "wuu i dilayaa",
    "ክቐትለኒ እዩ",
]
CHAT = [
    "hoi", "dank je", "ok", "thanks", "merhaba", "tamam", "شكرا", "السلام عليكم", "salam",
    "de lift is kapot", "loud music at night", "asansör bozuk", "المصعد معطل",
    "wanneer komen jullie?", "ne zaman gelirsiniz", "متى تأتون؟", "ik ben morgen niet thuis",
]


def sentences() -> list[str]:
    out: list[str] = []
    for lang in ("nl", "en", "tr", "ar"):
        raw = tomllib.loads((CONTENT_DIR / "faq" / f"{lang}.toml").read_text(encoding="utf-8"))
        for section in raw.get("section", []):
            for item in section.get("item", []):
                if item["id"] in ("emergency", "report"):  # the answers about danger itself
                    continue
                out.append(item["question"])
                out += [s for s in re.split(r"(?<=[.!?؟])\s+", item["answer"]) if s.strip()]
    return out


def messages(n: int, seed: int) -> list[tuple[str, bool]]:
    rng = random.Random(seed)
    pool = sentences() + CHAT
    out = []
    for i in range(n):
        parts = rng.sample(pool, rng.randint(1, 4))
        danger = i % 10 == 0
        if danger:
            parts.insert(rng.randint(0, len(parts)), rng.choice(DANGER))
        out.append((" ".join(parts), danger))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    data = tomllib.loads((CONTENT_DIR / "danger_words.toml").read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    matcher = DangerMatcher(data)
    built = time.perf_counter() - t0
    print(f"matcher: {len(matcher.entries)} entries, {len(matcher.harmless)} harmless, "
          f"{len(matcher.languages)} languages, built in {built * 1000:.1f} ms")

    batch = messages(args.messages, args.seed)
    chars = sum(len(t) for t, _ in batch) / len(batch)
    print(f"{len(batch)} messages, {chars:.0f} characters on average, "
          f"{sum(d for _, d in batch)} with danger")

    def one_pass() -> tuple[float, float, int, int]:
        slowest, caught, false = 0.0, 0, 0
        start = time.perf_counter()
        for text, danger in batch:
            t = time.perf_counter()
            hit = matcher.found(text)
            slowest = max(slowest, time.perf_counter() - t)
            caught += hit and danger
            false += hit and not danger
        return (time.perf_counter() - start) / len(batch), slowest, caught, false

    first, first_slowest, caught, false = one_pass()
    warm = [one_pass() for _ in range(args.rounds)]
    print(f"first pass (cold word cache): {first * 1e6:.1f} µs/message, "
          f"slowest {first_slowest * 1e6:.0f} µs")
    print(f"warm passes: {statistics.median(w[0] for w in warm) * 1e6:.1f} µs/message (p50 of "
          f"{args.rounds}), slowest {max(w[1] for w in warm) * 1e6:.0f} µs")
    expected = sum(d for _, d in batch)
    print(f"caught {caught} of {expected} danger messages, {false} false alarms")
    if caught != expected or false:
        sys.exit(1)


if __name__ == "__main__":
    main()
