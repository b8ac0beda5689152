"""Acute danger is not a ticket: show 112 at once, then let the resident go on if they want.

Every free text a resident sends (a message, a photo's caption), in a flow or outside one, is
checked for words that signal danger in any language we know (bot/domain/danger.py, words in
content/danger_words.toml), before it goes where it was going: the router calls `check_danger`
first. In a flow the numbers are shown once per draft, so a long story does not repeat them;
outside a flow with every message that holds such words. Either way the message then does what
it would have done (a reply still reaches the partner, a description is still added)."""

from __future__ import annotations

from telegram import Message

from bot.handlers.common import Turn
from bot.store.drafts import Draft

EMERGENCY = "112"
POLICE = "0900-8844"


def emergency_text(turn: Turn, *, go_on: bool = True) -> str:
    """The numbers; `go_on` adds that the report can still be sent here (in a flow)."""
    tr = turn.tr
    lines = [
        "🚨 " + tr._("Are you or someone else in danger right now? Call {number} now.",
                     number=EMERGENCY),
        "👮 " + tr._("Police, not urgent: {number}.", number=POLICE),
    ]
    if go_on:
        lines.append(tr._("You can still send your report here. We will pass it on."))
    return "\n".join(lines)


async def warn_once(turn: Turn, draft: Draft) -> None:
    """Show the emergency numbers, once per draft so a long story does not repeat them.
    The caller saves the draft (the flow step does)."""
    if draft.data.get("warned"):
        return
    draft.data["warned"] = True
    await turn.say(emergency_text(turn))


def signals_danger(turn: Turn, text: str) -> bool:
    return turn.services.content.danger.found(text)


async def check_danger(turn: Turn, draft: Draft | None, message: Message) -> None:
    """The 112 notice for a message whose words (text or caption) signal danger.

    In a flow, once per draft, saved at once: whatever the step then does with the message
    (takes it, asks for a button instead), the resident is not warned again for this draft.
    The notice goes before the flow's own answer; a replayed update finds the draft warned."""
    text = message.text or message.caption
    if not text or not signals_danger(turn, text):
        return
    if draft is None:
        await turn.say(emergency_text(turn, go_on=False))
        return
    if not draft.data.get("warned"):
        await warn_once(turn, draft)
        await turn.services.store.drafts.save(draft)
