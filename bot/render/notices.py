"""The words of renovation-day notices, in the resident's language, with the answer buttons.

The contractor's note of a work day is written in the planning's language: `Notice.note` carries
it to the sender (bot/followup/notices.py), which has it translated at send time for a resident
who reads another language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.planning import WorkDay
from bot.i18n import N_, Translator
from bot.render.callbacks import WORK_DAY, pack

PREPARE = {
    "kitchen": N_("Please empty the kitchen cupboards and the worktop."),
    "bathroom": N_("Please take your things out of the bathroom."),
    "toilet": N_("Please clear the toilet room."),
    "windows": N_("Please clear the window sills and take down the curtains."),
    "electrics": N_("Please make the meter cupboard and the sockets easy to reach."),
    "heating": N_("Please clear the space around the radiators."),
    "other": N_("The workers will tell you what to prepare."),
}
ANSWERS = ("ok", "away", "help", "rest")
NOTE = "📝 "


@dataclass(frozen=True)
class Notice:
    """One resident's notice: its text (plain), its buttons, and the contractor's note to add
    below it, as written in the planning's language ("" when there is none)."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    note: str = ""


def notice_text(tr: Translator, notice: Notice) -> str:
    """The notice with its note as written (plain text): for a reader of the planning's
    language, and for anyone while the note is not translated."""
    if not notice.note:
        return notice.text
    return f"{notice.text}\n{NOTE}{tr.insert(notice.note)}"


def window(tr: Translator, wd: WorkDay) -> str:
    return tr.insert(f"{tr.time(wd.start)}–{tr.time(wd.end)}")


def eve_notice(tr: Translator, wd: WorkDay, work: str, *, today: bool = False) -> Notice:
    """The evening before a work day; `today`: it reaches the resident on the day itself (the
    bot was down that evening, or the day was planned after it)."""
    values = {"date": tr.date(wd.day, "full"), "work": work, "window": window(tr, wd)}
    when = (tr._("Today, {date}, the workers come for: {work}. Time: {window}.", **values)
            if today else
            tr._("Tomorrow, {date}, the workers come for: {work}. Time: {window}.", **values))
    lines = ["🔨 " + when, tr._(PREPARE.get(wd.work, PREPARE["other"]))]
    return Notice("\n".join(lines), answer_buttons(tr, wd.id), note=wd.notes)


def answer_buttons(tr: Translator, work_day_id: int) -> InlineKeyboardMarkup:
    labels = {"ok": "👍 " + tr._("OK"), "away": "🚪 " + tr._("I am not home that day"),
              "help": "💪 " + tr._("Help me move furniture"),
              "rest": "🛋️ " + tr._("I need a place to rest")}
    return InlineKeyboardMarkup([[InlineKeyboardButton(labels[a], callback_data=pack(
        WORK_DAY, work_day_id, a))] for a in ANSWERS])


def change_notice(tr: Translator, wd: WorkDay, work: str) -> Notice:
    if wd.status == "cancelled":
        return Notice("❌ " + tr._("Change in your renovation: {work} on {date} does not happen.",
                                  work=work, date=tr.date(wd.day, "full")))
    return Notice("⚠️ " + tr._("Change in your renovation: {work} is now on {date}. Time: "
                              "{window}.", work=work, date=tr.date(wd.day, "full"),
                              window=window(tr, wd)), answer_buttons(tr, wd.id))


def week_notice(tr: Translator, first: date, days: int = 7) -> Notice:
    """The first notice of a home's works, `days` before its first day as the resident reads
    it: a week before, or later when the planning came late or the bot was down."""
    day = tr.date(first, "full")
    if days == 7:
        text = tr._("In one week, on {date}, the works in your home start. You get a message "
                    "the evening before each work day.", date=day)
    elif days == 1:
        text = tr._("Tomorrow, {date}, the works in your home start. You get a message the "
                    "evening before each work day.", date=day)
    else:
        text = tr._("On {date}, the works in your home start. You get a message the evening "
                    "before each work day.", date=day)
    return Notice("📅 " + text)
