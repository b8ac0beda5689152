"""The words of a broadcast: the sender's preview (per language what its residents will read)
and the message each resident gets, in their language.

A language the sender wrote a text for gets it as written. Another gets the machine translation
of the first text (the source, in the sender's group's language), labelled and with the original
kept in a folded quote; when the translation failed it gets the original, marked "(not
translated)". The preview shows the sender exactly that, so they check before Send.

Send does not send: the announcement waits for a second person (bot/domain/authority.py), with
Approve and Stop under "Waiting for a second person to approve" in its group, and in the
coordinator group (the preview first) when it was written elsewhere. What the groups read
then, who approved or stopped it, is here too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import time
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.authority import Approval
from bot.i18n import Translator
from bot.i18n.bidi import isolate
from bot.render.callbacks import BROADCAST, BroadcastStep, pack
from bot.render.labels import lang_in
from bot.render.translated import (
    FAILED,
    LIMIT,
    cut,
    translated_html,
    translated_label,
    untranslated_html,
    visible_units,
)

LEAD = "📣 "
# a preview page leaves room for its header; one language's text is cut to fit a page
PAGE_ROOM = LIMIT - 200


@dataclass(frozen=True)
class Version:
    """What the residents of one language read. `source` None: `text` as the sender wrote it.
    Else translated from `source`: `text` is the translation, or, when `missing` says why there
    is none ("failed", "unsupported"), the original."""

    lang: str
    text: str
    source: str | None = None
    missing: str | None = None

    @property
    def translated(self) -> bool:
        return self.source is not None and self.missing is None

    @property
    def failed(self) -> bool:
        """Not translated for a passing reason: worth trying again."""
        return self.source is not None and self.missing == FAILED

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Version:
        return cls(str(data["lang"]), str(data["text"]), data.get("source"), data.get("missing"))


def resident_payload(tr: Translator, version: Version, original: str) -> dict[str, Any]:
    """The outbox payload of one resident's message (their language's `tr`)."""
    if version.source is None:
        return {"text": LEAD + version.text}  # as written: plain text, as always
    # not translated: a resident is told so, never about interpreters (FAILED)
    text = translated_html(tr, source_lang=version.source, original=original, lead=LEAD,
                           translation=version.text if version.translated else None,
                           missing=None if version.translated else FAILED)
    return {"text": text, "parse_mode": "HTML"}


def _block(tr: Translator, version: Version, count: int) -> str:
    """One language in the preview: its name in the sender's language, how many residents read
    it, and what they read."""
    head = f"<b>{escape(lang_in(tr, version.lang))} ({count})</b>"
    if version.source is None:
        return f"{head}\n{escape(isolate(cut(version.text, PAGE_ROOM)))}"
    if version.translated:
        label = translated_label(tr, version.source)
        return (f"{head}\n🌐 <i>{escape(label)}</i>\n"
                f"{escape(isolate(cut(version.text, PAGE_ROOM)))}")
    return f"{head}\n{untranslated_html(tr, cut(version.text, PAGE_ROOM), version.missing)}"


def preview_pages(tr: Translator, total: int, versions: list[tuple[Version, int]]) -> list[str]:
    """The preview as HTML messages, each within Telegram's limit: the header, then per language
    (with its number of residents) what they will read; a note when a translation failed.
    The caller puts the buttons on the last page."""
    header = "📣 " + escape(tr.ngettext("Preview. This goes to {n} resident:",
                                        "Preview. This goes to {n} residents:", total))
    blocks = [_block(tr, version, count) for version, count in versions]
    if any(version.failed for version, _ in versions):
        blocks.append("⚠️ " + escape(tr._(
            "Some translations failed. Those residents get the original text, unless you "
            "translate again.")))
    pages, page = [], header
    for block in blocks:
        joined = f"{page}\n\n{block}"
        if visible_units(joined) > LIMIT and page:
            pages.append(page)
            page = block
        else:
            page = joined
    pages.append(page)
    return pages



# -- waiting for a second person -------------------------------------------------------------------
def waiting_text(tr: Translator, *, composer: str, partner: str, here: bool,
                 from_coordinator: bool) -> str:
    """Under the preview: who may approve. `here`: in the group it was written in (else the
    coordinator group, told of one written in `partner`'s group)."""
    if not here:
        return "⏳ " + tr._("{name} ({partner}) wants to send this announcement. Waiting for a "
                           "second person to approve: someone here, or someone else in their "
                           "group.", name=composer, partner=partner)
    if from_coordinator:
        return "⏳ " + tr._("Waiting for a second person to approve: someone else in this "
                           "group.")
    return "⏳ " + tr._("Waiting for a second person to approve: someone else in this group, or "
                       "the coordinator.")


def approval_markup(tr: Translator, broadcast_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("✅ " + tr._("Approve"),
                             callback_data=pack(BROADCAST, BroadcastStep.APPROVE, broadcast_id)),
        InlineKeyboardButton("❌ " + tr._("Stop"),
                             callback_data=pack(BROADCAST, BroadcastStep.STOP, broadcast_id))]])


def who_did(tr: Translator, composer: str, approver: str) -> str:
    return tr._("Written by {composer}, approved by {approver}.", composer=composer,
                approver=approver)


def approved_text(tr: Translator, *, total: int, composer: str, approver: str, here: bool,
                  quiet_until: time | None) -> str:
    """The confirmation once approved: in the group it was written in (`here`, where its
    progress is reported), or in the coordinator group that approved it."""
    if here:
        head = "🚀 " + tr.ngettext("Sending to {n} resident. You will see the progress here.",
                                  "Sending to {n} residents. You will see the progress here.",
                                  total)
    else:
        head = "🚀 " + tr.ngettext("Sending to {n} resident.", "Sending to {n} residents.", total)
    lines = [head, "✅ " + who_did(tr, composer, approver)]
    if quiet_until is not None:
        lines.append("🌙 " + tr._("It is quiet time for residents now. The announcement goes "
                                 "out at {time}.", time=tr.time(quiet_until)))
    return "\n".join(lines)


def reminder_text(tr: Translator, composer: str, lapses_on: str) -> str:
    return "⏳ " + tr._("The announcement by {name} still waits for a second person to approve "
                       "it. If nobody approves it by {date}, it is not sent.", name=composer,
                       date=lapses_on)


def lapsed_text(tr: Translator, composer: str) -> str:
    return "⌛ " + tr._("The announcement by {name} was not sent: nobody approved it within a "
                       "week.", name=composer)


def stopped_text(tr: Translator, name: str) -> str:
    return tr._("The announcement was not sent.") + " " + tr._("Stopped by {name}.", name=name)


def approval_refusal(tr: Translator, outcome: Approval, *, approver: str | None,
                     stopper: str | None) -> str:
    """The popup when Approve (or Stop) can no longer do anything, or not for this person."""
    if outcome is Approval.OWN:
        return tr._("You wrote this announcement. A second person must approve it.")
    if outcome is Approval.SENT:
        return tr._("This announcement was approved by {name} and has been sent.",
                    name=approver or "?")
    if outcome is Approval.STOPPED and not stopper:  # nobody approved it in time
        return tr._("Nobody approved this announcement within a week. It was not sent.")
    if outcome is Approval.STOPPED:
        return tr._("This announcement was stopped by {name}. It was not sent.",
                    name=stopper or "?")
    return tr._("This button is old.")
