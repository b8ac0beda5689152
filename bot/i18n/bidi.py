"""Bidirectional text helpers for Arabic (and any right-to-left language).

A reference like "M-0042" or a building name inside an Arabic sentence can be reordered by the
Unicode bidi algorithm; wrapping it in FSI ... PDI isolates it. Resident text may carry explicit
override characters (U+202A-U+202E, U+2066-U+2069) that would scramble whatever follows them in a
partner's card, so they are stripped on the way in.
"""

from __future__ import annotations

import re
import unicodedata

FSI = "\u2068"
PDI = "\u2069"
_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# characters that show nothing: zero-width space, non-joiner, joiner, word joiner, BOM
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def isolate(text: str) -> str:
    return f"{FSI}{text}{PDI}"


def strip_controls(text: str) -> str:
    return _CONTROLS.sub("", text)


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def clean_user_text(text: str) -> str:
    """Normalise what a resident typed: no bidi overrides, no NULs, trimmed; text made only of
    invisible characters is empty (inside real words a joiner is kept: emoji and some scripts
    need it)."""
    text = strip_controls(text).replace("\x00", "")
    text = unicodedata.normalize("NFC", text).strip()
    if not text.translate({ord(c): None for c in _INVISIBLE}).strip():
        return ""
    return text.strip(_INVISIBLE + " \t\n\r")
