"""The main menu: six big buttons that stay under the text field (a reply keyboard)."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup

from bot.handlers.common import Turn
from bot.i18n import I18n, Translator

# action id -> (emoji, English label); labels are translated, emoji make them readable without text
MENU: tuple[tuple[str, str], ...] = (
    ("question", "❓"),
    ("report", "📢"),
    ("help", "🤝"),
    ("requests", "📋"),
    ("renovation", "🏗️"),
    ("language", "🌐"),
    ("privacy", "🔒"),
)


def menu_label(tr: Translator, action: str) -> str:
    labels = {
        "question": tr._("Ask a question"),
        "report": tr._("Report a problem"),
        "help": tr._("Ask for help"),
        "requests": tr._("My requests"),
        "renovation": tr._("My renovation"),
        "language": tr._("Language"),
        "privacy": tr._("Privacy"),
    }
    emoji = dict(MENU)[action]
    return f"{emoji} {labels[action]}"


def main_keyboard(tr: Translator) -> ReplyKeyboardMarkup:
    labels = [menu_label(tr, action) for action, _ in MENU]
    rows = [[KeyboardButton(label) for label in labels[i:i + 2]] for i in range(0, len(labels), 2)]
    return ReplyKeyboardMarkup(
        rows, resize_keyboard=True, is_persistent=True,
        input_field_placeholder=tr._("Choose a button or type here"),
    )


def menu_action(i18n: I18n, text: str) -> str | None:
    """Which menu button a text is, in any language (a resident may still see an old keyboard)."""
    text = text.strip()
    for tr in i18n.all():
        for action, _ in MENU:
            if text == menu_label(tr, action):
                return action
    return None


async def show_menu(turn: Turn, text: str | None = None) -> None:
    tr = turn.tr
    text = text or tr._("What do you want to do? Choose a button below.")
    await turn.say(text, main_keyboard(tr))
