"""Resident entry points: every private message, command and button press comes through here."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.handlers import flow, relay
from bot.handlers.actions import run_action
from bot.handlers.common import Turn, turn_for
from bot.handlers.emergency import check_danger, emergency_text
from bot.handlers.linking import is_code, link_home
from bot.handlers.menu import menu_action, show_menu
from bot.handlers.privacy import show_privacy
from bot.handlers.requests import show_requests
from bot.handlers.staff import StaffPress, every_partner, staff_for
from bot.handlers.start import on_start, show_picker
from bot.render.callbacks import LANGUAGE, Press, unpack

log = logging.getLogger(__name__)


async def on_private_message(update: Update, context: BotContext) -> None:
    turn = await turn_for(update, context)
    message = update.effective_message
    if turn is None or message is None:
        return
    draft = await turn.services.store.drafts.get(turn.user_id) if turn.known else None
    if draft is None and is_code(message.text):  # the code from the letter, typed
        await link_home(turn, message.text or "")
        return
    # every free text, wherever it goes next: words of danger show 112 first (emergency.py)
    await check_danger(turn, draft, message)
    if not turn.known:
        await show_picker(turn)
        return
    action = menu_action(turn.services.i18n, message.text) if message.text else None
    if action is not None:
        await run_action(turn, action)
        return
    ticket = await relay.resident_ticket(turn, message)
    if ticket is not None:  # a reply to a message about a request: it goes to that request
        await relay.relay_to_partner(turn, ticket, message)
        return
    if draft is not None:
        await flow.on_message(turn, draft, message)
        return
    await show_menu(turn, turn.tr._("I did not understand that. Choose a button below."))


async def on_edited_message(update: Update, context: BotContext) -> None:
    """Telegram lets people edit a sent message; what we stored does not change with it."""
    turn = await _known_turn(update, context)
    message = update.effective_message
    if turn is None or message is None:
        return
    await check_danger(turn, None, message)  # new words can signal danger: 112 first, always
    await turn.say(turn.tr._("Changing a sent message does not change what I received. "
                             "Please send the new text as a new message."))


async def on_feedback_press(turn: Turn, press: Press) -> None:
    """`v1:fb:<ticket id>:y|n`: the answer to "Were you helped?"."""
    ticket_id = int(press.arg(0)) if press.arg(0).isdigit() else 0
    await relay.on_feedback(turn, ticket_id, press.arg(1) == "y")


ResidentPress = Callable[[Turn, Press], Awaitable[None]]
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def resident_button(handle: ResidentPress) -> Callback:
    """A resident's button (bot/app.py routes each kind here): it works only in their private
    chat, and only once they have picked a language, except the language picker itself."""
    async def on_press(update: Update, context: BotContext) -> None:
        press = unpack(update.callback_query.data if update.callback_query else None)
        turn = await turn_for(update, context)
        if turn is None or press is None:
            return
        if not _private(update):
            log.info("refused a resident button outside its chat in update %s", update.update_id)
            await turn.answer(turn.tr._("This button does not work here."), alert=True)
            return
        if not turn.known and press.button is not LANGUAGE:
            await turn.answer()
            await show_picker(turn)
            return
        await handle(turn, press)
    return on_press


def staff_button(handle: StaffPress) -> Callback:
    """A button in a partner group (a card, the announcement composer). Pressed in a private
    chat, it is an old button; in a group that is no partner's, or by someone the group's rule
    does not let act (bot/handlers/staff.py authorised), it is refused here, before any kind
    of button runs. The handler then decides whether this group may press this button."""
    async def on_press(update: Update, context: BotContext) -> None:
        press = unpack(update.callback_query.data if update.callback_query else None)
        if press is None or _private(update):
            await on_unknown_press(update, context)
            return
        staff = staff_for(update, context)
        if staff is None or not await staff.authorised(every_partner(context.services)):
            return
        await handle(update, context, press)
    return on_press


async def on_unknown_press(update: Update, context: BotContext) -> None:
    """Data we did not make (an old version, a forgery) or no longer route: answered politely."""
    turn = await turn_for(update, context)
    if update.callback_query is None or turn is None:
        return
    if not _private(update):
        log.info("refused a button outside its chat in update %s", update.update_id)
        await turn.answer(turn.tr._("This button does not work here."), alert=True)
        return
    log.info("refused unknown callback data in update %s", update.update_id)
    await turn.answer(turn.tr._("This button is old. Here is where you are now."))
    await show_menu(turn) if turn.known else await show_picker(turn)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"


# -- commands ------------------------------------------------------------------------------
async def _known_turn(update: Update, context: BotContext) -> Turn | None:
    turn = await turn_for(update, context)
    if turn is not None and not turn.known:
        await show_picker(turn)
        return None
    return turn


async def cmd_start(update: Update, context: BotContext) -> None:
    turn = await turn_for(update, context)
    if turn is None:
        return
    if context.args:  # a deep link from the letter: t.me/<bot>?start=<code>
        await link_home(turn, context.args[0])
        return
    await on_start(turn)


async def cmd_language(update: Update, context: BotContext) -> None:
    turn = await turn_for(update, context)
    if turn is not None:
        await show_picker(turn)


async def cmd_cancel(update: Update, context: BotContext) -> None:
    turn = await _known_turn(update, context)
    if turn is None:
        return
    if await turn.services.store.drafts.get(turn.user_id) is None:
        await show_menu(turn, turn.tr._("There is nothing to stop. Choose a button below."))
        return
    await flow.cancel(turn)


async def cmd_menu(update: Update, context: BotContext) -> None:
    turn = await _known_turn(update, context)
    if turn is not None:
        await show_menu(turn)


async def cmd_requests(update: Update, context: BotContext) -> None:
    turn = await _known_turn(update, context)
    if turn is not None:
        await show_requests(turn)


async def cmd_privacy(update: Update, context: BotContext) -> None:
    turn = await _known_turn(update, context)
    if turn is not None:
        await show_privacy(turn)


async def cmd_help(update: Update, context: BotContext) -> None:
    turn = await _known_turn(update, context)
    if turn is None:
        return
    tr = turn.tr
    await show_menu(turn, "\n\n".join([
        tr._("Press a button below to ask a question, report a problem or ask for help. "
             "You can also send a voice message."),
        tr._("Type /cancel to stop what you are doing, and /language to change the language."),
        emergency_text(turn),
    ]))


async def cmd_unknown(update: Update, context: BotContext) -> None:
    turn = await _known_turn(update, context)
    if turn is not None:
        await show_menu(turn, turn.tr._("I do not know that command. Choose a button below."))


async def wrong_place(update: Update, context: BotContext) -> None:
    """A resident command in a group: personal matters belong in a private chat."""
    turn = await turn_for(update, context)
    if turn is None:
        return
    url = f"https://t.me/{context.bot.username}"
    await turn.say(
        turn.tr._("Please talk to me in a private chat, not in a group."),
        InlineKeyboardMarkup([[InlineKeyboardButton("💬 " + turn.tr._("Open private chat"),
                                                    url=url)]]),
        message_thread_id=update.effective_message.message_thread_id
        if update.effective_message and update.effective_message.is_topic_message else None,
    )
