"""Acute danger is not a ticket: show 112 at once, then let the resident go on if they want."""

from __future__ import annotations

from bot.handlers.common import Turn
from bot.store.drafts import Draft

EMERGENCY = "112"
POLICE = "0900-8844"


def emergency_text(turn: Turn) -> str:
    tr = turn.tr
    return "\n".join([
        "🚨 " + tr._("Are you or someone else in danger right now? Call {number} now.",
                     number=EMERGENCY),
        "👮 " + tr._("Police, not urgent: {number}.", number=POLICE),
        tr._("You can still send your report here. We will pass it on."),
    ])


async def warn_once(turn: Turn, draft: Draft) -> None:
    """Show the emergency numbers, once per draft so a long story does not repeat them."""
    if draft.data.get("warned"):
        return
    draft.data["warned"] = True
    await turn.say(emergency_text(turn))


def signals_danger(turn: Turn, text: str) -> bool:
    return turn.services.content.danger.found(text)
