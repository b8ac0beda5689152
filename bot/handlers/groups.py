"""Partner groups: the start-up check that the bot can work in each, and onboarding a new group."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from telegram import Bot, ChatMember, ChatMemberAdministrator, ChatMemberRestricted, Update
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, ChatMigrated, Forbidden

from bot.config import SiteConfig
from bot.context import BotContext

log = logging.getLogger(__name__)


@dataclass
class GroupReport:
    forums: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


async def check_groups(bot: Bot, site: SiteConfig) -> GroupReport:
    """Can the bot post in every partner group, and manage topics where it needs to?"""
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
    for problem in report.problems:
        log.warning("group check: %s", problem)
    return report


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
