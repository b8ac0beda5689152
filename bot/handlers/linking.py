"""Linking a resident's chat to their home with the code from their letter: the QR code opens
`/start <code>`, or the resident types the code. Wrong codes are limited per user."""

from __future__ import annotations

from bot.handlers.common import Turn
from bot.handlers.menu import show_menu
from bot.handlers.renovation import overview_after_linking
from bot.handlers.start import show_picker
from bot.store.homes import looks_like_code


async def link_home(turn: Turn, code: str) -> None:
    services, tr = turn.services, turn.tr
    homes = services.store.homes
    if await homes.too_many_attempts(turn.user_id):
        await turn.say("⛔ " + tr._("Too many wrong codes. Please try again in an hour."))
        return
    first_contact = not turn.known
    if first_contact:  # through the letter: keep their likely language
        await services.store.residents.set_language(turn.user_id, turn.lang)
    home = await homes.link(turn.user_id, code)
    if home is None:
        await turn.say(tr._("This code is not right. Please check the letter and try again."))
        if first_contact:  # they are known from now on: this is their one chance to choose
            await show_picker(turn)
        return
    text = "🏠 " + tr._("Welcome! This chat is now linked to your home: {address}.",
                       address=home.address)
    if not first_contact:
        await show_menu(turn, text)
        await overview_after_linking(turn)
        return
    turn.known = True
    await turn.say(text)
    await overview_after_linking(turn)
    await show_picker(turn)


def is_code(text: str | None) -> bool:
    return bool(text) and looks_like_code(text or "")
