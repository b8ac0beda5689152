"""Every route is visible in bot/app.py: each kind of button has one handler with its pattern,
in the chat it belongs to, and every flow is listed rather than registered by an import."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from telegram.ext import CallbackQueryHandler

import bot.handlers
from bot.app import RESIDENT_BUTTONS, ROUTES, STAFF_BUTTONS, VISITOR_BUTTONS
from bot.handlers.flow import Flow
from bot.handlers.flows import FLOWS
from bot.render import callbacks
from bot.render.callbacks import REGISTRY, Button, pack, unpack
from bot.testing.harness import BotHarness


def test_every_kind_of_button_is_routed_once_in_its_own_chat() -> None:
    assert (set(RESIDENT_BUTTONS) | set(STAFF_BUTTONS) | set(VISITOR_BUTTONS)
            == set(REGISTRY.values()))
    assert {b.chat for b in RESIDENT_BUTTONS} == {"private"}
    assert {b.chat for b in STAFF_BUTTONS} == {"group"}
    assert {b.chat for b in VISITOR_BUTTONS} == {"staff"}


async def test_the_application_matches_each_button_by_its_pattern(h: BotHarness) -> None:
    handlers = [x for x in h.app.handlers[ROUTES] if isinstance(x, CallbackQueryHandler)]
    patterned = [x for x in handlers if x.pattern is not None]
    assert handlers[-1].pattern is None  # the last one answers what nobody else takes
    for kind in REGISTRY.values():
        data = pack(kind, "1", "x")
        takers = [x for x in patterned if re.match(x.pattern, data)]  # type: ignore[arg-type]
        assert len(takers) == 1, (kind, takers)
    assert not any(re.match(x.pattern, "v1:zz:1") for x in patterned)  # type: ignore[arg-type]


def test_codes_are_short_unique_and_round_trip() -> None:
    for code, kind in REGISTRY.items():
        press = unpack(pack(kind, 7, "y"))
        assert press is not None and press.button is kind and press.args == ("7", "y")
        assert len(code) <= 4
    with pytest.raises(ValueError):
        callbacks.button("t", "a second meaning for an old code", "group")
    with pytest.raises(ValueError):
        callbacks.button("Bad:code", "not a code", "private")
    assert "Bad:code" not in REGISTRY and isinstance(REGISTRY["t"], Button)


def test_every_flow_is_listed() -> None:
    defined = set()
    for info in pkgutil.iter_modules(bot.handlers.__path__):
        module = importlib.import_module(f"bot.handlers.{info.name}")
        defined |= {v.name for v in vars(module).values() if isinstance(v, Flow)}
    assert defined == set(FLOWS)
    assert all(FLOWS[name].name == name for name in FLOWS)


def test_every_card_and_composer_step_has_its_action() -> None:
    from bot.app import BROADCAST_STEPS, CARD_STEPS
    from bot.render.callbacks import BroadcastStep, CardStep

    assert set(CARD_STEPS) == set(CardStep)
    assert set(BROADCAST_STEPS) == set(BroadcastStep)
    codes = [s.value for s in CardStep] + [s.value for s in BroadcastStep]
    assert all(":" not in code and len(code) <= 5 for code in codes)  # bytes in every button


async def test_every_button_on_a_card_is_a_routed_step(h: BotHarness) -> None:
    from bot.app import CARD_STEPS

    amina = await h.onboard("Amina", "ar")
    ticket = await amina.report(lang="ar")
    group = h.group("woningcorporatie")
    await h.staff("woningcorporatie", "Jan").press(group.card(ticket.ref), "Oppakken")
    rows = group.card(ticket.ref)["reply_markup"]["inline_keyboard"]
    steps = {unpack(b["callback_data"]).arg(1) for row in rows for b in row}  # type: ignore[union-attr]
    assert steps and steps <= set(CARD_STEPS)


def test_every_kind_of_due_row_is_handled_once() -> None:
    """Each kind the bot plans a due row of (bot/store/due.py schedule or replan, with its kind
    written out) has one handler in the sweep: a row about a ticket, or a row about something
    else (a home, a broadcast, the Monday digest), never both."""
    import ast
    from pathlib import Path

    from bot.domain.figures import DIGEST_KIND
    from bot.followup.sweep import HANDLERS, ROW_HANDLERS

    named = {"DIGEST_KIND": DIGEST_KIND}
    planned: set[str] = set()
    for path in Path(bot.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in ("schedule", "replan"):
                continue
            for kw in node.keywords:
                if kw.arg == "kind" and isinstance(kw.value, ast.Constant):
                    planned.add(str(kw.value.value))
                elif kw.arg == "kind" and isinstance(kw.value, ast.Name) and kw.value.id in named:
                    planned.add(named[kw.value.id])
    assert {"claim_nudge", "notice_week", DIGEST_KIND} <= planned
    assert not set(HANDLERS) & set(ROW_HANDLERS)
    assert planned <= set(HANDLERS) | set(ROW_HANDLERS), planned - set(HANDLERS) - set(ROW_HANDLERS)
    assert DIGEST_KIND in ROW_HANDLERS  # about no ticket
