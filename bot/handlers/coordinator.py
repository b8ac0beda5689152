"""Commands for the coordinator group (the sociaal procesregisseur)."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.handlers.staff import coordinator_only


async def cmd_retry(update: Update, context: BotContext) -> None:
    """Send again what could not be delivered (after a group was fixed or a resident returned)."""
    staff = await coordinator_only(update, context)
    if staff is None:
        return
    count = await staff.services.store.outbox.requeue_undeliverable()
    staff.services.delivery.wake()
    await staff.say(None, staff.tr.ngettext("{n} message will be sent again.",
                                            "{n} messages will be sent again.", count))
