"""The flow engine: a flow is a table of named steps; the resident's place is a draft in SQLite.

Because the step lives in the database, not in memory, a restart resumes exactly where the
resident was, and a button from an earlier step or an earlier draft is recognised as old.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Message

from bot.handlers.common import Turn, in_rows, inline
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


def flows(turn: Turn) -> dict[str, Flow]:
    """Every flow, as bot/app.py lists them (bot/handlers/flows.py): none registers itself."""
    listed: dict[str, Flow] = turn.services.flows
    return listed


async def start(turn: Turn, flow_name: str, **data: object) -> Draft:
    flow = flows(turn)[flow_name]
    draft = await turn.services.store.drafts.start(turn.user_id, flow_name, flow.first, **data)
    await flow.steps[flow.first].ask(turn, draft)
    return draft


async def goto(turn: Turn, draft: Draft, step: str) -> None:
    draft.step = step
    await turn.services.store.drafts.save(draft)
    await flows(turn)[draft.flow].steps[step].ask(turn, draft)


async def advance(turn: Turn, draft: Draft, step: str) -> None:
    """Go to `step`, or back to the summary when the resident was changing one answer."""
    if draft.data.pop("editing", False):
        step = flows(turn)[draft.flow].summary
    await goto(turn, draft, step)


async def save(turn: Turn, draft: Draft) -> None:
    await turn.services.store.drafts.save(draft)


async def ask_again(turn: Turn, draft: Draft) -> None:
    await flows(turn)[draft.flow].steps[draft.step].ask(turn, draft)


async def cancel(turn: Turn) -> None:
    await turn.services.store.drafts.clear(turn.user_id)
    await show_menu(turn, turn.tr._("Stopped. Nothing was sent."))


async def on_press(turn: Turn, press: Press) -> None:
    """A button inside a flow: `v1:f:<draft key>:<step>:<value>`."""
    key, step_name, value = press.arg(0), press.arg(1), press.arg(2)
    draft = await turn.services.store.drafts.get(turn.user_id)
    flow = flows(turn).get(draft.flow) if draft else None
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
    flow = flows(turn).get(draft.flow)
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
    ref = await turn.services.store.tickets.ref_of_draft(key, turn.user_id)
    if ref is None:
        return False
    await turn.answer()
    await turn.drop_buttons()
    await show_menu(turn, "✅ " + turn.tr._("We have received this. Your number is {ref}.",
                                           ref=ref))
    return True


def _already_applied(turn: Turn, draft: Draft) -> bool:
    """A replayed update this draft already took (see Draft.first_time)."""
    return not draft.first_time(turn.update.update_id)


def change_step(choices: list[tuple[str, str, str]], back_to: str) -> Step:
    """"What do you want to change?": a button per answer, as (value, label msgid, step to
    go to), two to a row, and Back to `back_to`. After the change the flow returns to its
    summary (see `advance`)."""
    steps = {value: step for value, _, step in choices}

    async def ask(turn: Turn, draft: Draft) -> None:
        tr = turn.tr
        buttons = [turn.flow_button(draft, tr._(label), value) for value, label, _ in choices]
        await turn.say(tr._("What do you want to change?"), inline(
            *in_rows(buttons), [turn.flow_button(draft, "⬅️ " + tr._("Back"), "back")]))

    async def press(turn: Turn, draft: Draft, value: str) -> None:
        if value in steps:
            draft.data["editing"] = True
            await goto(turn, draft, steps[value])
        else:
            await goto(turn, draft, back_to)

    return Step(ask, press)


def cancel_button(turn: Turn, draft: Draft) -> tuple[str, str]:
    return turn.flow_button(draft, "❌ " + turn.tr._("Stop"), "cancel")
