"""Commands for the coordinator group (the sociaal procesregisseur): /retry, /block, /unblock."""

from __future__ import annotations

import re

from telegram import Update

from bot.context import BotContext
from bot.domain.limits import Blocking
from bot.handlers.staff import coordinator_only
from bot.render import limits as texts
from bot.services import intake
from bot.store.blocks import normal_ref


async def cmd_retry(update: Update, context: BotContext) -> None:
    """Send again what could not be delivered (after a group was fixed or a resident returned)."""
    staff = await coordinator_only(update, context)
    if staff is None:
        return
    count = await staff.services.store.outbox.requeue_undeliverable()
    staff.services.delivery.wake()
    await staff.say(None, staff.tr.ngettext("{n} message will be sent again.",
                                            "{n} messages will be sent again.", count))


# -- /block and /unblock: the resident behind a request, never by name -------------------------
REF = re.compile(r"^[A-Z]-\d{1,9}$")


async def cmd_block(update: Update, context: BotContext) -> None:
    """`/block M-0024`: the resident of that request is blocked; nobody sees who it is."""
    await _blocking(update, context, "block")


async def cmd_unblock(update: Update, context: BotContext) -> None:
    """`/unblock M-0024`: their messages and requests are passed on again."""
    await _blocking(update, context, "unblock")


async def _blocking(update: Update, context: BotContext, command: str) -> None:
    staff = await coordinator_only(update, context)
    if staff is None:
        return
    tr, args = staff.tr, context.args or []
    ref = normal_ref(args[0]) if len(args) == 1 else ""
    if not REF.match(ref):
        await staff.say(None, texts.usage(tr, command))
        return
    if command == "block":
        outcome = await intake.block(staff.services, ref, staff.first_name)
    else:
        outcome = await intake.unblock(staff.services, ref)
    answers = {
        Blocking.DONE: texts.blocked if command == "block" else texts.unblocked,
        Blocking.ALREADY: texts.already_blocked,
        Blocking.NOT_BLOCKED: texts.not_blocked,
    }
    answer = answers.get(outcome)
    await staff.say(None, answer(tr, ref) if answer else texts.usage(tr, command, unknown=ref))
