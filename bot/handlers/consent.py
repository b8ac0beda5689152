"""The resident's answer to "may we pass your request on to <partner>?" (a help request goes
to another organisation only with their yes; bot/services/casework.py answer_transfer)."""

from __future__ import annotations

from bot.domain.casework import Outcome
from bot.handlers.common import Turn
from bot.render.callbacks import Press
from bot.render.resident import transfer_kept
from bot.services import casework


async def on_transfer_answer(turn: Turn, press: Press) -> None:
    """`v1:ta:<ask id>:y|n`."""
    await turn.answer()
    await turn.drop_buttons()
    ask_id = int(press.arg(0)) if press.arg(0).isdigit() else 0
    yes = press.arg(1) == "y"
    result = await casework.answer_transfer(turn.services, ask_id, turn.user_id, yes)
    tr = turn.tr
    if result.outcome == Outcome.ANSWERED:
        await turn.say(tr._("Thank you, we already have your answer."))
    elif result.outcome != Outcome.DONE or result.ticket is None:
        await turn.say(tr._("This button is old. Here is where you are now."))
    elif not yes:
        await turn.say(transfer_kept(tr, turn.services.site, result.ticket))
    # yes: the resident is told where the request went, through the outbox, with the handover
