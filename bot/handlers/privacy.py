"""Privacy: what is stored, why and how long; export my data; delete my data."""

from __future__ import annotations

import io
import json

from telegram import ReplyKeyboardRemove

from bot.handlers.common import Turn, inline
from bot.handlers.menu import show_menu
from bot.render.callbacks import PRIVACY, Press
from bot.services import privacy


def privacy_text(turn: Turn) -> str:
    tr = turn.tr
    days = turn.services.site.retention_days
    return "\n\n".join([
        "🔒 " + tr._("Your privacy"),
        tr._("What we keep: your language, your requests and what you sent with them. "
             "Your first name, unless you chose anonymous. "
             "Your phone number only if you gave it for a call."),
        tr._("Why: to get your request to the right partner and to send you the answers."),
        tr._("Who sees it: only the partner your request goes to. "
             "If you chose anonymous, they do not see who you are."),
        tr.ngettext("How long: we delete a request {n} day after it is closed.",
                    "How long: we delete a request {n} days after it is closed.", days),
        tr._("A request that has had no news for that long is closed and deleted too."),
        tr._("You can get a copy of your data, or delete it, with the buttons below."),
    ])


async def show_privacy(turn: Turn) -> None:
    tr = turn.tr
    await turn.say(privacy_text(turn), inline(
        [turn.button("📄 " + tr._("Send me my data"), PRIVACY, "export")],
        [turn.button("🗑️ " + tr._("Delete my data"), PRIVACY, "delete")],
    ))


async def on_privacy_press(turn: Turn, press: Press) -> None:
    action = press.arg(0)
    await turn.answer()
    if action == "export":
        await export(turn)
    elif action == "delete":
        await ask_delete(turn)
    elif action == "delete_yes":
        await turn.drop_buttons()
        await delete(turn)
    else:
        await turn.drop_buttons()
        await show_menu(turn, turn.tr._("Nothing was deleted."))


async def export(turn: Turn) -> None:
    data = await turn.services.store.privacy.export(turn.user_id)
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode()
    await turn.context.bot.send_document(
        turn.chat_id, document=io.BytesIO(payload), filename="buurtbot-my-data.json",
        caption=turn.tr._("This is all we have stored about you."),
    )


async def ask_delete(turn: Turn) -> None:
    tr = turn.tr
    await turn.say(
        tr._("Do you want to delete all your data? Requests that are still open will stop. "
             "This cannot be undone."),
        inline([turn.button("🗑️ " + tr._("Yes, delete everything"), PRIVACY, "delete_yes")],
               [turn.button("⬅️ " + tr._("No, keep it"), PRIVACY, "keep")]),
    )


async def delete(turn: Turn) -> None:
    if not turn.known:
        await turn.say(turn.tr._("There is nothing stored about you."))
        return
    await privacy.erase(turn.services, turn.user_id)
    await turn.say(
        "✅ " + turn.tr._("All your data is deleted. If you write to me again, we start fresh."),
        ReplyKeyboardRemove(),
    )
