"""What holds a resident's request or message before it goes: the limits and a coordinator's
block (decided in bot/services/intake.py and bot/services/conversation.py), and the voice in a
message to an anonymous request. Here they are only answered."""

from __future__ import annotations

from telegram import Message, ReplyParameters

from bot.domain.limits import Refusal
from bot.domain.tickets import Ticket
from bot.handlers.common import Turn, inline
from bot.handlers.emergency import EMERGENCY, POLICE
from bot.handlers.menu import menu_label, show_menu
from bot.render import limits as texts
from bot.render.callbacks import ADD_TO_REQUEST
from bot.services import intake


def refusal_text(turn: Turn, refusal: Refusal) -> str:
    return texts.refusal_text(turn.tr, refusal, requests_button=menu_label(turn.tr, "requests"),
                              emergency=EMERGENCY, police=POLICE)


async def refuse(turn: Turn, refusal: Refusal | None) -> None:
    """A new request not made: why, kindly, with the menu (the draft is kept)."""
    await show_menu(turn, refusal_text(turn, refusal or Refusal.LIMITED))


async def refused_at_start(turn: Turn) -> bool:
    """As a report, a help request or a question to a person starts: whether it would be
    refused (then said, and the fresh draft dropped), so nobody tells a whole story first."""
    refused = await intake.refusal(turn.services, turn.user_id)
    if refused is None:
        return False
    await turn.services.store.drafts.clear(turn.user_id)
    await refuse(turn, refused)
    return True


async def ask_before_voice(turn: Turn, ticket: Ticket, message: Message) -> None:
    """A voice message for an anonymous request: people can recognise a voice, so it goes only
    after "Send anyway" (bot/handlers/requests.py on_add_press); the warning replies to the
    voice message, which the press finds it by."""
    tr = turn.tr
    send, drop = texts.voice_buttons(tr)
    await turn.say(texts.voice_warning(tr), inline(
        [turn.button(send, ADD_TO_REQUEST, ticket.id, message.message_id, "y")],
        [turn.button(drop, ADD_TO_REQUEST, ticket.id, message.message_id, "n")],
    ), reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True))
