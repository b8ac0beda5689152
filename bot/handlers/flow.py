"""The flow engine: a flow is a table of named steps; the resident's place is a draft in SQLite.

Because the step lives in the database, not in memory, a restart resumes exactly where the
resident was, and a button from an earlier step or an earlier draft is recognised as old.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Message

from bot.handlers.common import Turn
from bot.handlers.menu import show_menu
from bot.render.callbacks import Press
from bot.store.drafts import Draft

AskFn = Callable[[Turn, Draft], Awaitable[None]]
PressFn = Callable[[Turn, Draft, str], Awaitable[None]]
MessageFn = Callable[[Turn, Draft, Message], Awaitable[None]]


@dataclass(frozen=True)
class Step:
    ask: AskFn
    press: PressFn | None = None
    message: MessageFn | None = None


@dataclass(frozen=True)
class Flow:
    name: str
    first: str
    summary: str  # where a "change" returns to
    steps: dict[str, Step]


FLOWS: dict[str, Flow] = {}


def register(flow: Flow) -> Flow:
    FLOWS[flow.name] = flow
    return flow


async def start(turn: Turn, flow_name: str, **data: object) -> Draft:
    flow = FLOWS[flow_name]
    draft = await turn.services.store.drafts.start(turn.user_id, flow_name, flow.first, **data)
    await flow.steps[flow.first].ask(turn, draft)
    return draft


async def goto(turn: Turn, draft: Draft, step: str) -> None:
    draft.step = step
    await turn.services.store.drafts.save(draft)
    await FLOWS[draft.flow].steps[step].ask(turn, draft)


async def advance(turn: Turn, draft: Draft, step: str) -> None:
    """Go to `step`, or back to the summary when the resident was changing one answer."""
    if draft.data.pop("editing", False):
        step = FLOWS[draft.flow].summary
    await goto(turn, draft, step)


async def save(turn: Turn, draft: Draft) -> None:
    await turn.services.store.drafts.save(draft)


async def ask_again(turn: Turn, draft: Draft) -> None:
    await FLOWS[draft.flow].steps[draft.step].ask(turn, draft)


async def cancel(turn: Turn) -> None:
    await turn.services.store.drafts.clear(turn.user_id)
    await show_menu(turn, turn.tr._("Stopped. Nothing was sent."))


async def on_press(turn: Turn, press: Press) -> None:
    """A button inside a flow: `v1:f:<draft key>:<step>:<value>`."""
    key, step_name, value = press.arg(0), press.arg(1), press.arg(2)
    draft = await turn.services.store.drafts.get(turn.user_id)
    flow = FLOWS.get(draft.flow) if draft else None
    if (draft is None or draft.key != key) and await _already_sent(turn, key):
        return
    if draft is None or flow is None or draft.key != key or draft.step != step_name:
        await turn.answer(turn.tr._("This button is old. Here is where you are now."))
        await turn.drop_buttons()
        if draft is not None and flow is not None:
            await ask_again(turn, draft)
        else:
            await show_menu(turn)
        return
    if _already_applied(turn, draft):  # replayed after a crash: show where the resident is
        await turn.answer()
        await ask_again(turn, draft)
        return
    await turn.answer()
    await turn.drop_buttons()
    if value == "cancel":
        await cancel(turn)
        return
    step = flow.steps[draft.step]
    if step.press is None:
        await ask_again(turn, draft)
    else:
        await step.press(turn, draft, value)


async def on_message(turn: Turn, draft: Draft, message: Message) -> None:
    flow = FLOWS.get(draft.flow)
    if flow is None or draft.step not in flow.steps:
        # A draft from a flow that no longer exists: drop it rather than trap the resident.
        await turn.services.store.drafts.clear(turn.user_id)
        await show_menu(turn)
        return
    if _already_applied(turn, draft):  # replayed after a crash: show where the resident is
        await ask_again(turn, draft)
        return
    step = flow.steps[draft.step]
    if step.message is None:
        await turn.say(turn.tr._("Please choose one of the buttons."))
        await ask_again(turn, draft)
        return
    await step.message(turn, draft, message)


async def _already_sent(turn: Turn, key: str) -> bool:
    """A press on a draft that already became a ticket (a double tap, or a replay after a crash
    between saving the ticket and telling the resident): tell them its reference again."""
    row = await turn.services.store.db.fetchone(
        "SELECT ref FROM tickets WHERE draft_key = ? AND resident_id = ?", (key, turn.user_id))
    if row is None:
        return False
    await turn.answer()
    await turn.drop_buttons()
    await show_menu(turn, "✅ " + turn.tr._("We have received this. Your number is {ref}.",
                                           ref=row[0]))
    return True


def _already_applied(turn: Turn, draft: Draft) -> bool:
    """A replayed update this draft already took (see Draft.first_time)."""
    return not draft.first_time(turn.update.update_id)


def cancel_button(turn: Turn, draft: Draft) -> tuple[str, str]:
    return turn.flow_button(draft, "❌ " + turn.tr._("Stop"), "cancel")
