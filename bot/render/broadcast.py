"""The words of a broadcast: the sender's preview (per language what its residents will read)
and the message each resident gets, in their language.

A language the sender wrote a text for gets it as written. Another gets the machine translation
of the first text (the source, in the sender's group's language), labelled and with the original
kept in a folded quote; when the translation failed it gets the original, marked "(not
translated)". The preview shows the sender exactly that, so they check before Send.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from html import escape
from typing import Any

from bot.i18n import Translator
from bot.i18n.bidi import isolate
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

