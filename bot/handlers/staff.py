"""What every partner-group handler needs: the Staff turn and the one authorisation point.

Every staff button, staff command and staff message that would change something is decided by
`Staff.authorised`: from the chat it came from (the groups of the partners the action belongs
to) AND the person (the rule that group's partner sets in the site file: every member, the
group's admins, or listed staff; bot/domain/authority.py). A refusal changes nothing, is
answered in the group's language with who may do it, and is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest

from bot.config import Partner
from bot.context import BotContext, Services
from bot.domain.authority import Verdict, decide
from bot.domain.casework import Actor, Outcome, holder, refusal
from bot.domain.tickets import Status, Ticket
from bot.i18n import Translator
from bot.messaging.admins import Admins
from bot.messaging.direct import surely
from bot.render import authority
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

    @property
    def partner(self) -> Partner | None:
        """The partner whose group this is (None: not a partner group)."""
        return self.services.site.partner_in(self.chat_id)

    async def verdict(self, scope: Collection[str]) -> Verdict:
        """Whether this person, in this chat, may do what belongs to the groups of `scope`."""
        partner = self.partner
        if partner is None:
            return decide(scope, None, None, self.user_id, False)
        is_admin = partner.rule.needs_admins and partner.id in scope and await admins_of(
            self.context).is_admin(self.context.bot, self.chat_id, self.user_id)
        return decide(scope, partner.id, partner.rule, self.user_id, is_admin)

    async def authorised(self, scope: Collection[str], *, elsewhere: str | None = None,
                         ticket: Ticket | None = None, note: str | None = None) -> bool:
        """The one authorisation point: True when this chat AND this person may do what belongs
        to the groups of the partners in `scope`. Else nothing happens: the press is answered
        with a popup, a command or message with a message (under `ticket`), saying `elsewhere`
        (the wrong chat; "This button does not work here." by default) or who may (with `note`
        after it), and the refusal is logged."""
        verdict = await self.verdict(scope)
        if verdict is Verdict.ALLOWED:
            return True
        log.info("refused in chat %s for user %s (update %s): %s", self.chat_id, self.user_id,
                 self.update.update_id, verdict)
        if verdict is Verdict.ELSEWHERE or self.partner is None:
            text = elsewhere or self.tr._("This button does not work here.")
        else:
            text = authority.who_may(self.tr, self.partner.rule)
            text += f" {note}" if note else ""
        if self.update.callback_query is not None:
            await self.alert(text, popup=True)
        else:
            await self.say(ticket, text)
        return False

    async def may_act_on(self, ticket: Ticket, *, elsewhere: str | None = None,
                         note: str | None = None) -> bool:
        """Only the responsible partner's group and the coordinator group act on a ticket, and
        there only who the group's rule allows (refused as `authorised` says)."""
        site = self.services.site
        return await self.authorised({ticket.partner_id, site.coordinator}, elsewhere=elsewhere,
                                     ticket=ticket, note=note)

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


def every_partner(services: Services) -> set[str]:
    """The scope of what any partner group may do (a staff button before its own check)."""
    return {p.id for p in services.site.partners}


def admins_of(context: BotContext) -> Admins:
    """Who the groups' admins are, remembered on the bot's clock (bot/messaging/admins.py)."""
    admins: Admins = context.application.bot_data.setdefault(
        "admins", Admins(context.services.clock))
    return admins


async def on_member_change(update: Update, context: BotContext) -> None:
    """Someone joined, left, was made admin or lost it (a my_chat_member or chat_member
    update): the group's admins are asked again at its next press."""
    change = update.chat_member or update.my_chat_member
    if change is not None:
        admins_of(context).forget(change.chat.id)


def staff_for(update: Update, context: BotContext) -> Staff | None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return None
    services = context.services
    tr = services.notifier.group_tr(chat.id)
    return Staff(update, context, chat.id, user.id, user.first_name, tr)


async def coordinator_only(update: Update, context: BotContext) -> Staff | None:
    """The staff turn for a coordinator command, or None after saying where it works or who
    may (the coordinator group's own rule applies)."""
    staff = staff_for(update, context)
    if staff is None:
        return None
    if not await staff.authorised({staff.services.site.coordinator}, elsewhere=staff.tr._(
            "This command works in the coordinator group.")):
        return None
    return staff
