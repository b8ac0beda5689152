"""First contact and language: /start, /language and the language picker."""

from __future__ import annotations

from bot.handlers import flow
from bot.handlers.common import Turn, inline
from bot.handlers.menu import show_menu
from bot.i18n import language_name
from bot.render.callbacks import LANGUAGE, Press


def picker_text(turn: Turn) -> str:
    """'Choose your language' in every offered language, so anyone can read one line."""
    lines = ["🌐 " + tr._("Choose your language") for tr in turn.services.i18n.all()]
    return "\n".join(dict.fromkeys(lines))


async def show_picker(turn: Turn) -> None:
    services = turn.services
    user = turn.update.effective_user
    guess = services.i18n.match(user.language_code if user else None)
    current = turn.lang if turn.known else guess
    langs = list(services.site.languages)
    if current in langs:  # pre-select: the likely language first, with a tick
        langs.remove(current)
        langs.insert(0, current)
    rows = [[turn.button(("✅ " if lang == current else "") + language_name(lang), LANGUAGE, lang)]
            for lang in langs]
    await turn.say(picker_text(turn), inline(*rows))


async def on_start(turn: Turn) -> None:
    if not turn.known:
        await show_picker(turn)
        return
    draft = await turn.services.store.drafts.get(turn.user_id)
    if draft is not None:
        await turn.say(turn.tr._("Welcome back. You were not finished yet. Let us go on."))
        await flow.ask_again(turn, draft)
        return
    await show_menu(turn, welcome(turn))


def welcome(turn: Turn) -> str:
    tr = turn.tr
    return "\n".join([
        "👋 " + tr._("Hello! I am the neighbourhood bot of {site}.", site=turn.services.site.name),
        tr._("You can ask a question, report a problem or ask for help. "
             "I pass it on to the right people."),
        tr._("Choose a button below."),
    ])


async def on_language_press(turn: Turn, press: Press) -> None:
    services = turn.services
    lang = press.arg(0)
    if lang not in services.site.languages:
        await turn.answer(turn.tr._("This button is old. Here is where you are now."))
        await show_picker(turn)
        return
    first_time = not turn.known
    await services.store.residents.set_language(turn.user_id, lang)
    turn.lang, turn.tr, turn.known = lang, services.i18n.get(lang), True
    await turn.answer("✅ " + language_name(lang))
    await turn.drop_buttons()
    if first_time:
        await show_menu(turn, welcome(turn))
        return
    await show_menu(turn, "✅ " + turn.tr._("I will talk to you in {language} from now on.",
                                           language=language_name(lang)))
    draft = await services.store.drafts.get(turn.user_id)
    if draft is not None:
        await flow.ask_again(turn, draft)
