"""A person's words for a reader of another language, as one piece of HTML: the machine
translation under a label naming the source language in the reader's language, the original
folded away right below it (Telegram's expandable quote: one tap opens it); or the original,
marked, when there is no translation.

Generic: cards, relays (both ways, voice messages written out), broadcasts and the contractor's
planning notes use it.

    translated_html(tr, source_lang="nl", translation="غدا ...", original="Morgen ...")
    translated_html(tr, source_lang="ar", translation=None, original="...", missing="failed")

Every inserted value is HTML-escaped and the person's words are bidi-isolated (FSI ... PDI), so
Arabic cannot reorder the Dutch around it and the other way round. The parse mode is HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape

from bot.i18n import Translator
from bot.i18n.bidi import isolate
from bot.render.labels import lang_in

LIMIT = 4096  # Telegram's limit for a message, in UTF-16 units after the HTML is parsed
_TAG = re.compile(r"<[^>]*>")
UNSUPPORTED = "unsupported"  # the service cannot do this pair: asking again will not help
FAILED = "failed"  # the service could not now (down, busy, quota, garbage)


@dataclass(frozen=True)
class Words:
    """What the translator made of a text: the translation, or why there is none (FAILED:
    the service could not, now; UNSUPPORTED: it cannot do this pair, so, in a partner group,
    an interpreter is needed)."""

    source: str
    translation: str | None = None
    missing: str | None = None  # FAILED | UNSUPPORTED, when translation is None
    again: bool = False  # FAILED for a passing reason (down, busy): worth trying again


def units(text: str) -> int:
    """Telegram counts a text's length in UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def visible_units(html: str) -> int:
    """The length Telegram counts for HTML this module made: every value in it is escaped, so
    each `<` starts a tag."""
    return units(unescape(_TAG.sub("", html)))


def cut(text: str, room: int) -> str:
    """`text` within `room` UTF-16 units, an ellipsis marking a cut."""
    if units(text) <= room:
        return text
    out = text[:max(room - 1, 0)]
    while out and units(out) > room - 1:
        out = out[:-1]
    return out + "…"


def translated_label(tr: Translator, source_lang: str) -> str:
    return tr._("Machine translated from {language}:", language=lang_in(tr, source_lang))


def not_translated(tr: Translator, missing: str | None) -> str:
    """Why there is no translation, as the reader is told: a pair the service lacks asks for
    an interpreter (say that to staff only: pass missing="failed" for a resident)."""
    if missing == UNSUPPORTED:
        return tr._("not translated: an interpreter is needed")
    return tr._("(not translated)")


def untranslated_html(tr: Translator, original: str, missing: str | None = None,
                      lead: str = "") -> str:
    """The original as written, marked as not translated."""
    e = escape
    if missing == UNSUPPORTED:
        return f"{e(lead)}{e(isolate(original))}\n🌐 <i>{e(not_translated(tr, missing))}</i>"
    return f"{e(lead)}{e(isolate(original))} <i>{e(not_translated(tr, missing))}</i>"


def translated_html(tr: Translator, *, source_lang: str, translation: str | None,
                    original: str, missing: str | None = None, lead: str = "",
                    limit: int = LIMIT) -> str:
    """The words for a reader of another language, within `limit` (visible UTF-16 units).

    translation given:  🌐 <i>label</i> / lead + translation / <blockquote expandable>original
    translation None:   lead + original + "(not translated)", or for missing="unsupported"
                        the interpreter line below it
    `lead` (plain text, such as "📣 ") goes before the words. When it all does not fit,
    the translation and the original give way in turn, each cut with an ellipsis."""
    if translation is None:
        room = limit - units(lead) - units(not_translated(tr, missing)) - 8
        return untranslated_html(tr, cut(original, room), missing, lead)
    label = translated_label(tr, source_lang)
    room = limit - units(label) - units(lead) - 12  # the emoji, line breaks, isolates
    if units(translation) + units(original) > room:
        half = room // 2
        if units(translation) <= half:
            original = cut(original, room - units(translation))
        elif units(original) <= half:
            translation = cut(translation, room - units(original))
        else:
            translation, original = cut(translation, half), cut(original, room - half)
    e = escape
    return (f"🌐 <i>{e(label)}</i>\n{e(lead)}{e(isolate(translation))}\n"
            f"<blockquote expandable>{e(isolate(original))}</blockquote>")


def relayed_html(tr: Translator, head: str, original: str, words: Words, *, staff: bool,
                 lead: str = "") -> str:
    """`head` (who writes, about what; plain text) above the words. `staff`: the reader is a
    partner group, who is told when an interpreter is needed; a resident is only told it is
    not translated."""
    missing = words.missing if staff else FAILED
    body = translated_html(tr, source_lang=words.source, translation=words.translation,
                           original=original, missing=missing, lead=lead,
                           limit=LIMIT - units(head) - 1)
    return f"{escape(head)}\n{body}"
