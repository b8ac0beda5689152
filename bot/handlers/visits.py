"""Home visits from a phone: `/visits` (the figures per round, the homes to try again) and
`/visit` (record one: round -> house number -> address -> outcome -> notes -> referrals, each a
partner, a topic, a line of explanation and the resident's consent -> saved), in a partner group
or in a private chat by a member of a partner group (asked of Telegram, remembered a while).

Buttons are `v1:vis:<draft key>:<step>[:<arg>]`; the draft lives in SQLite per staff member per
chat (bot/store/visits.py), so a restart loses nothing. Typed answers (a house number, notes, an
explanation) reach `on_text` before any other handler, only while a draft waits for one. Who may
record for a round is decided from the update (the chat, the person), never from the data.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from bot.domain.authority import person_may
from bot.handlers import router
from bot.handlers.staff import Staff
from bot.handlers.visit_steps import (
    MAX_ROUNDS_SHOWN,
    STEPS,
    TYPED,
    Visitor,
    fresh,
    new_draft,
    prompt,
    rounds_for,
    stop,
    typed,
)
from bot.i18n.bidi import clean_user_text
from bot.render import visits as texts
from bot.render.callbacks import VISIT, VisitStep, pack, unpack

log = logging.getLogger(__name__)
MEMBERSHIP_TTL = timedelta(minutes=10)  # who is staff, as Telegram said it a moment ago
MEMBER = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}


async def visitor_for(update: Update, context: BotContext) -> Visitor | None:
    """The staff member behind this update, or None: a group that is not a partner's, or a
    private chat of someone in no partner group."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return None
    site, i18n = context.services.site, context.services.i18n
    if chat.type != "private":
        partner = site.partner_in(chat.id)
        if partner is None:
            return None
        tr = i18n.get(partner.language)
        staff = Staff(update, context, chat.id, user.id, user.first_name, tr)
        if not await staff.authorised({partner.id}):  # the group's rule: who may act for it
            return None
        return Visitor(staff, frozenset({partner.id}), partner.id == site.coordinator, False)
    partners = await memberships(context, user.id)
    if not partners:
        return None
    first = next(p for p in site.partners if p.id in partners and
                 (p.id != site.coordinator or partners == {site.coordinator}))
    staff = Staff(update, context, chat.id, user.id, user.first_name, i18n.get(first.language))
    return Visitor(staff, partners, site.coordinator in partners, True)


async def memberships(context: BotContext, user_id: int) -> frozenset[str]:
    """The partner groups this person is a member of (getChatMember) and may act for under
    that group's rule (bot/domain/authority.py), cached on the bot's clock for MEMBERSHIP_TTL."""
    services = context.services
    now = services.clock()
    cache: dict[int, tuple[Any, frozenset[str]]] = context.application.bot_data.setdefault(
        "visit_staff", {})
    hit = cache.get(user_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    found = set()
    for partner in services.site.partners:
        try:
            member = await context.bot.get_chat_member(partner.chat_id, user_id)
        except TelegramError as exc:  # not in that group, or the bot is not there
            log.debug("getChatMember %s: %s", partner.id, exc)
            continue
        is_admin = member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
        in_group = member.status in MEMBER or getattr(member, "is_member", False)
        if in_group and person_may(partner.rule, user_id, is_admin):  # the group's rule
            found.add(partner.id)
    cache[user_id] = (now + MEMBERSHIP_TTL, frozenset(found))
    return frozenset(found)


# -- commands -----------------------------------------------------------------------------------
async def cmd_visits(update: Update, context: BotContext) -> None:
    """The figures of every round this team does (the coordinator: all), and a button each."""
    v = await visitor_for(update, context)
    if v is None:
        if _private(update):
            await router.cmd_unknown(update, context)
        return
    store, site = context.services.store, context.services.site
    rounds = await store.visits.rounds(None if v.coordinator else set(v.partners))
    figures = [await store.visits.figures(r) for r in rounds]
    rows = [[("📝 " + v.tr._("Record a visit: {round}", round=texts.round_title(v.tr, site, r)),
              pack(VISIT, "-", VisitStep.START, r.id))] for r in rounds[:MAX_ROUNDS_SHOWN]]
    if not v.private:
        rows.append([("➕ " + v.tr._("Start a new round"), pack(VISIT, "-", VisitStep.NEW_ROUND))])
    await v.say(texts.overview(v.tr, site, figures), rows, html=True)


async def cmd_visit(update: Update, context: BotContext) -> None:
    v = await visitor_for(update, context)
    if v is None:
        if _private(update):
            await router.cmd_unknown(update, context)  # a resident: an unknown command
        return
    rounds = await rounds_for(v)
    if not rounds and v.private:
        await v.say("🏠 " + v.tr._("There is no visit round for your team yet. Start one in "
                                   "your group with /visit."))
        return
    draft = await new_draft(v, "round" if rounds else "building")
    await prompt(v, draft)


# -- typed answers --------------------------------------------------------------------------
async def on_text(update: Update, context: BotContext) -> None:
    """Before every other handler: a typed answer to the visit being recorded in this chat.
    Anything else (no visit waiting for text, a reply to a card) goes on to the others."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None or not message.text:
        return
    draft = await context.services.store.visits.draft(chat.id, user.id)
    if draft is None:
        return
    if message.text.split("@")[0].strip() == "/cancel":
        await context.services.store.visits.clear_draft(chat.id, user.id)
        v = await visitor_for(update, context)
        if v is not None:
            await v.say(v.tr._("The visit was not saved."))
        raise ApplicationHandlerStop
    if draft.step not in TYPED or message.text.startswith("/") or await _about_a_ticket(
            context, chat.id, message):
        return
    v = await visitor_for(update, context)
    if v is None:
        return
    if draft.first_time(update.update_id):
        await typed(v, draft, clean_user_text(message.text))
    if context.services._delivery is not None:
        context.services._delivery.wake()
    raise ApplicationHandlerStop  # taken: no relay, no resident flow


async def _about_a_ticket(context: BotContext, chat_id: int, message: Message) -> bool:
    replied = message.reply_to_message
    if replied is None:
        return False
    return await context.services.store.threads.by_message(chat_id, replied.message_id) is not None


# -- buttons -------------------------------------------------------------------------------------
async def on_press(update: Update, context: BotContext) -> None:
    press = unpack(update.callback_query.data if update.callback_query else None)
    v = await visitor_for(update, context)
    if press is None or v is None:
        chat = update.effective_chat
        if _private(update):
            await router.on_unknown_press(update, context)  # not staff: an old button
        elif chat is not None and context.services.site.partner_in(chat.id) is None:
            await _alert(update, context)  # not a partner group (in one, authorised answered)
        return
    await v.staff.alert()
    key, step, arg = press.arg(0), press.arg(1), press.arg(2)
    if step in (VisitStep.START, VisitStep.NEW_ROUND, VisitStep.CODE):
        await fresh(v, step, arg)
        return
    draft = await v.staff.services.store.visits.draft(v.staff.chat_id, v.staff.user_id)
    if draft is None or draft.key != key or not draft.first_time(update.update_id):
        if draft is None or draft.key != key:
            await v.say(v.tr._("This button is old."))
        return
    await STEPS.get(step, stop)(v, draft, arg)


async def _alert(update: Update, context: BotContext) -> None:
    tr = context.services.i18n.get(context.services.site.default_language)
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(tr._("This button does not work here."), show_alert=True)
        except TelegramError as exc:
            log.debug("could not answer callback: %s", exc)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"
