"""The global error handler: log the update id and type only, tell the resident, never crash."""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.error import Forbidden

from bot.context import BotContext
from bot.handlers.common import turn_for

log = logging.getLogger("buurtbot.errors")


def update_type(update: Update) -> str:
    for name in ("message", "edited_message", "callback_query", "my_chat_member",
                 "chat_member", "channel_post", "inline_query"):
        if getattr(update, name, None) is not None:
            return name
    return "other"


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    # Only code locations, never the exception's text: it can quote what a resident wrote.
    where = "".join(traceback.format_tb(error.__traceback__)) if error else ""
    if isinstance(update, Update):
        log.error("%s while handling update %s (%s)\n%s", type(error).__name__,
                  update.update_id, update_type(update), where)
    else:
        log.error("%s outside an update\n%s", type(error).__name__, where)
        return
    if isinstance(error, Forbidden) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    try:
        turn = await turn_for(update, context)
        if turn is not None:
            await turn.say(turn.tr._("Sorry, something went wrong on our side. Please try again."))
    except Exception as exc:  # the apology failed too (network, database): log and go on
        log.error("%s while apologising for update %s", type(exc).__name__, update.update_id)
