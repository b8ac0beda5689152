"""`/figures` in the coordinator group: the figures so far as text (exact counts: they stay in
the coordinator group) and the chart. Anywhere else it is refused (bot/handlers/staff.py
coordinator_only); in a resident's chat it is an unknown command."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext
from bot.domain.figures import Scope
from bot.handlers.staff import coordinator_only
from bot.messaging.direct import surely
from bot.render import figures as texts
from bot.render.chart import chart
from bot.services import figures as service


async def cmd_figures(update: Update, context: BotContext) -> None:
    staff = await coordinator_only(update, context)
    if staff is None:
        return
    services, tr = staff.services, staff.tr
    found = await service.report(services.store, services.site, Scope(), services.clock())
    for text in texts.telegram(tr, services.site, found.figures, heading=tr._("Figures")):
        await staff.say(None, text, parse_mode=ParseMode.HTML)
    png = await asyncio.to_thread(  # a fifth of a second of drawing: not on the chats' loop
        chart, tr, services.site, found.figures,
        texts.scope_text(tr, services.site, found.figures, None))
    await surely(lambda: context.bot.send_photo(staff.chat_id, png), "the figures' chart")
