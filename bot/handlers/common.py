"""What every resident handler needs: the Turn (one update, one resident, their language)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError

from bot.context import BotContext, Services
from bot.i18n import Translator
from bot.messaging.direct import surely
from bot.render.callbacks import FLOW_STEP, Button, pack
from bot.render.keyboard import fitting_rows
from bot.store.drafts import Draft

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None
Row = list[tuple[str, str]]  # (label, callback data)


def inline(*rows: Row) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row]
         for row in rows if row]
    )


def in_rows(buttons: list[tuple[str, str]], per_row: int = 2) -> list[Row]:
    """At most `per_row` buttons a row, fewer where a label would be cut off on a phone."""
    return fitting_rows(buttons, per_row)


@dataclass
class Turn:
    """One update from one resident, with their language resolved."""

    update: Update
    context: BotContext
    user_id: int
    chat_id: int
    lang: str
    tr: Translator
    known: bool  # whether the resident has chosen a language yet

    @property
    def services(self) -> Services:
        return self.context.services

    @property
    def first_name(self) -> str | None:
        user = self.update.effective_user
        return user.first_name if user else None

    async def say(self, text: str, markup: Markup = None, **kwargs: Any) -> Message:
        """A direct answer, tried again through a passing fault (bot/messaging/direct.py).
        Plain text on purpose: no parse mode means no escaping mistakes in any translation."""
        return await surely(lambda: self.context.bot.send_message(
            self.chat_id, text, reply_markup=markup, **kwargs), "answer to a resident")

    async def answer(self, text: str | None = None, alert: bool = False) -> None:
        query = self.update.callback_query
        if query is None:
            return
        try:
            await query.answer(text, show_alert=alert)
        except TelegramError as exc:  # "query is too old" (a replay after a restart), or a
            # passing 5xx / 429 / timeout: the spinner stops by itself; the press goes on
            log.debug("could not answer callback: %s", exc.message)

    async def drop_buttons(self) -> None:
        """Replace the keyboard a resident just used by their choice, so the chat shows what was
        chosen and the same keyboard cannot be pressed twice."""
        query = self.update.callback_query
        message = query.message if query else None
        if query is None or not isinstance(message, Message):
            return
        chosen = _label_of(message, query.data)
        try:
            if message.text and chosen:
                await query.edit_message_text(f"{message.text}\n\n👉 {chosen}", reply_markup=None)
            else:
                await query.edit_message_reply_markup(reply_markup=None)
        except TelegramError as exc:  # "message is not modified", too old to edit, or a
            # passing fault: the old keyboard stays, and pressing it again is handled as a repeat
            log.debug("could not drop buttons: %s", exc.message)

    def button(self, label: str, kind: Button, *args: str | int) -> tuple[str, str]:
        return label, pack(kind, *args)

    def flow_button(self, draft: Draft, label: str, value: str) -> tuple[str, str]:
        return label, pack(FLOW_STEP, draft.key, draft.step, value)


def _label_of(message: Message, data: str | None) -> str | None:
    markup = message.reply_markup
    if markup is None or data is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


async def turn_for(update: Update, context: BotContext) -> Turn | None:
    """Resolve the resident and language; None when the update has no user (channel posts)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    services = context.services
    resident = await services.store.residents.get(user.id)
    lang = resident.lang if resident else (
        services.i18n.match(user.language_code) or services.site.default_language
    )
    known = resident is not None
    return Turn(update, context, user.id, chat.id, lang, services.i18n.get(lang), known)
