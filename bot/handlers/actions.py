"""What a main-menu button (or a typed menu label) starts, and the "go on or start anew?" question
when an unfinished report or help request is waiting."""

from __future__ import annotations

from bot.handlers import flow
from bot.handlers.common import Turn, inline
from bot.handlers.describe import has_content
from bot.handlers.menu import show_menu
from bot.handlers.privacy import show_privacy
from bot.handlers.renovation import show_renovation
from bot.handlers.requests import show_requests
from bot.handlers.start import show_picker
from bot.render.callbacks import UNFINISHED, Press

FLOW_ACTIONS = {"question": "question", "report": "report", "help": "help"}


async def run_action(turn: Turn, action: str) -> None:
    if action in FLOW_ACTIONS:
        draft = await turn.services.store.drafts.get(turn.user_id)
        if draft is not None and draft.flow in FLOW_ACTIONS and has_content(draft):
            tr = turn.tr
            await turn.say(tr._("You have not finished your last message yet. "
                                "Do you want to go on with it?"), inline(
                [turn.button("▶️ " + tr._("Go on with it"), UNFINISHED, draft.key, "keep")],
                [turn.button("🆕 " + tr._("Throw it away, start new"), UNFINISHED, draft.key,
                             action)],
            ))
            return
        await flow.start(turn, FLOW_ACTIONS[action])
    elif action == "requests":
        await show_requests(turn)
    elif action == "renovation":
        await show_renovation(turn)
    elif action == "language":
        await show_picker(turn)
    elif action == "privacy":
        await show_privacy(turn)


async def on_unfinished_press(turn: Turn, press: Press) -> None:
    """`v1:m:<draft key>:keep|<action>`: go on with an unfinished draft, or start anew."""
    await turn.answer()
    await turn.drop_buttons()
    draft = await turn.services.store.drafts.get(turn.user_id)
    if draft is None or draft.key != press.arg(0):
        await show_menu(turn)
    elif press.arg(1) == "keep":
        await flow.ask_again(turn, draft)
    elif press.arg(1) in FLOW_ACTIONS:
        await flow.start(turn, FLOW_ACTIONS[press.arg(1)])
