"""What every partner-group handler needs: the Staff turn and the authorisation rule."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest

from bot.context import BotContext, Services
from bot.domain.casework import Actor, Outcome, holder, refusal
from bot.domain.tickets import Status, Ticket
from bot.i18n import Translator
from bot.messaging.direct import surely
from bot.render import casework as texts
from bot.render.callbacks import Press
from bot.services.casework import Result

# A button pressed in a partner group (bot/app.py STAFF_BUTTONS): the update, its context and
# the parsed data; who may press it is decided from the chat.
StaffPress = Callable[[Update, BotContext, Press], Awaitable[None]]

log = logging.getLogger(__name__)


@dataclass
class Staff:
    update: Update
    context: BotContext
    chat_id: int
    user_id: int
    first_name: str
    tr: Translator  # the group's language

    @property
    def services(self) -> Services:
        return self.context.services

    @property
    def in_coordinator_group(self) -> bool:
        site = self.services.site
        return self.chat_id == site.partner(site.coordinator).chat_id

    def as_actor(self) -> Actor:
        """Who acts, as the services take it: plain values, no telegram."""
        return Actor(self.user_id, self.first_name, self.chat_id, self.in_coordinator_group)

    def may_act(self, ticket: Ticket) -> bool:
        """Only the responsible partner's group and the coordinator group act on a ticket.

        Decided from the chat the press or message came from, never from callback data.
        """
        site = self.services.site
        return self.chat_id in (site.partner(ticket.partner_id).chat_id,
                                site.partner(site.coordinator).chat_id)

    async def alert(self, text: str | None = None, *, popup: bool = False) -> None:
        query = self.update.callback_query
        if query is not None:
            try:
                await query.answer(text, show_alert=popup)
            except BadRequest as exc:  # query too old: nothing left to answer
                log.debug("could not answer callback: %s", exc.message)

    async def tell(self, result: Result, done: str) -> None:
        """The answer to a card button: `done`, or why nothing happened."""
        if result.done:
            await self.alert(done)
        else:
            await self.refuse(result.outcome, result.ticket)

    async def refuse(self, outcome: Outcome, ticket: Ticket | None) -> None:
        text, popup = texts.refusal(self.tr, outcome, holder(ticket))
        await self.alert(text, popup=popup)

    async def refused(self, ticket: Ticket, status: Status) -> bool:
        """Whether a card menu no longer fits the ticket as just read (and said so). The
        service asks again, in its transaction, when the choice is made."""
        outcome = refusal(ticket, self.as_actor(), status)
        if outcome is not None:
            await self.refuse(outcome, ticket)
        return outcome is not None

    async def say(self, ticket: Ticket | None, text: str, **kwargs: Any) -> Message:
        """A direct answer in the ticket's topic (forum) or under its card (plain group)."""
        where: dict[str, Any] = {}
        if ticket is not None:
            thread = await self.services.store.threads.get(ticket.id, self.chat_id)
            where = thread.target() if thread else {}
        return await surely(lambda: self.context.bot.send_message(
            self.chat_id, text, **where, **kwargs), "answer in a partner group")


def is_partner_chat(services: Services, chat_id: int) -> bool:
    return services.site.partner_in(chat_id) is not None


def staff_for(update: Update, context: BotContext) -> Staff | None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return None
    services = context.services
    tr = services.notifier.group_tr(chat.id)
    return Staff(update, context, chat.id, user.id, user.first_name, tr)


async def coordinator_only(update: Update, context: BotContext) -> Staff | None:
    """The staff turn for a coordinator command, or None after saying where it works."""
    staff = staff_for(update, context)
    if staff is None:
        return None
    if not staff.in_coordinator_group:
        await staff.say(None, staff.tr._("This command works in the coordinator group."))
        return None
    return staff
