"""Partner groups: the start-up check that the bot can work in each and that each is private,
and onboarding a new group.

Private means: a supergroup (a basic group has no topics, and its chat id changes the day it is
upgraded), without a public @username (anyone could find it and read the residents' words),
and without an invite link that lets anyone who has it in unasked. Telegram's getChat
(ChatFullInfo) tells the type, the username, the primary invite link (to admins) and
join_by_request; Telegram sets join_by_request only for public groups, and the Bot API does
not say whether the primary link asks for approval, so a primary link the bot can see counts
as open unless the group asks for join requests.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from telegram import (
    Bot,
    ChatFullInfo,
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberRestricted,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.config import SiteConfig
from bot.context import BotContext
from bot.messaging.direct import surely
from bot.render.groups import IN_THE_LOG, Exposure
from bot.services.groups import Exposed, warn_exposed

log = logging.getLogger(__name__)


@dataclass
class GroupReport:
    forums: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    exposed: list[Exposed] = field(default_factory=list)  # groups that are not private


async def check_groups(bot: Bot, site: SiteConfig) -> GroupReport:
    """Can the bot post in every partner group, and manage topics where it needs to? And is
    each private (`exposed`: bot/app.py has them told what to change)?"""
    report = GroupReport()
    for partner in site.partners:
        where = f"partner {partner.id} ({partner.name}, chat {partner.chat_id})"
        try:
            chat = await bot.get_chat(partner.chat_id)
            member = await bot.get_chat_member(partner.chat_id, bot.id)
        # Only Telegram's word that the group is wrong counts; a network error or a 5xx is
        # raised, so that start-up tries again (bot/serve.py) instead of forgetting the forums.
        except (BadRequest, ChatMigrated, Forbidden) as exc:
            report.problems.append(f"{where}: the bot cannot see this group ({exc.message}). "
                                   "Add the bot to the group, or correct chat_id in the site file.")
            continue
        problem = _member_problem(member, bool(chat.is_forum))
        if problem:
            report.problems.append(f"{where}: {problem}")
        if chat.is_forum:
            report.forums.add(partner.chat_id)
        exposed = exposure(chat)
        if exposed is not None:
            report.exposed.append(exposed)
            log_exposure(where, exposed)
    for problem in report.problems:
        log.warning("group check: %s", problem)
    return report


def exposure(chat: ChatFullInfo) -> Exposed | None:
    """What makes this group less than private, if anything."""
    found = []
    if chat.type == ChatType.GROUP:
        found.append(Exposure.BASIC)
    if chat.username:
        found.append(Exposure.PUBLIC)
    if chat.invite_link and not chat.join_by_request:
        found.append(Exposure.OPEN_LINK)
    if not found:
        return None
    return Exposed(chat.id, tuple(found), chat.username, chat.invite_link)


def log_exposure(where: str, exposed: Exposed) -> None:
    for kind in exposed.exposures:
        log.warning("group check: %s is not private: %s", where,
                    IN_THE_LOG[kind].format(username=exposed.username))


def _member_problem(member: ChatMember, forum: bool) -> str | None:
    if member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        return "the bot is not a member. Add it to the group."
    if isinstance(member, ChatMemberRestricted) and not member.can_send_messages:
        return "the bot may not send messages. Allow it to post."
    if forum and not (isinstance(member, ChatMemberAdministrator) and member.can_manage_topics):
        return ("this group has topics, so the bot must be an admin with 'Manage topics' "
                "to open a topic per request.")
    return None


async def on_bot_added(update: Update, context: BotContext) -> None:
    """When someone adds the bot to a group, tell them the chat id and how to link it."""
    change = update.my_chat_member
    if change is None or change.new_chat_member.status in (ChatMemberStatus.LEFT,
                                                           ChatMemberStatus.BANNED):
        return
    if change.old_chat_member.status not in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        return  # a rights change, not an arrival
    services = context.services
    chat = change.chat
    partner = services.site.partner_in(chat.id)
    tr = services.i18n.get(partner.language if partner else services.site.default_language)
    if partner is not None:
        text = "👋 " + tr._("Hello! This is the group of {partner}. New requests for {partner} "
                           "will appear here.", partner=partner.name)
    else:
        text = "👋 " + tr._(
            "Hello! This group's chat id is {chat_id}. To receive requests here, put this "
            "number as chat_id of a partner in the site file, then restart the bot.",
            chat_id=chat.id)
    await context.bot.send_message(chat.id, text)
    await _check_added(update, context, chat.id)


async def _check_added(update: Update, context: BotContext, chat_id: int) -> None:
    """Is the group the bot was just added to private? If not, it is told (and the
    coordinator group, for a partner's group) what to change, once for this arrival."""
    try:
        chat = await surely(lambda: context.bot.get_chat(chat_id), "group check")
    except TelegramError as exc:  # the start-up check looks again
        log.warning("group check of chat %s failed (%s)", chat_id, type(exc).__name__)
        return
    exposed = exposure(chat)
    if exposed is not None:
        log_exposure(f"chat {chat_id}", exposed)
        await warn_exposed(context.services, [exposed], occasion=f"added:{update.update_id}")
