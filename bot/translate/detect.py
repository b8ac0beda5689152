"""Which language a resident's text is in, so the translation starts from the right one.

The resident's chosen language is the source unless the script says otherwise: an Arabic-language
resident who types Latin letters wrote Dutch, English or Darija, not Arabic, and translating that
"from Arabic" gives the partner group nonsense. So the letters decide first (digits, punctuation,
emoji and links say nothing): when their script is one the chosen language is written in, the
chosen language stays, even where a detector would say otherwise. A Turkish resident writing
Dutch stays Turkish: on a few words a detector confuses neighbours far more often than residents
switch language within one script, and a wrong guess is worse than the resident's own choice.
Only when the script does not fit does py3langid pick, and then only among the site's languages
written in that script: never a language the site does not have. One candidate needs no model;
none leaves the chosen language.

    source_language("Er is elke nacht harde muziek", "ar", ["nl", "ar", "tr", "en"])  # "nl"

Pure and synchronous. The model ships inside the package (no download), takes most of a second to
load and is loaded once, on first need or ahead of it with warm().
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# The scripts a language is written in, for those not written in Latin letters only (the
# default). Codes without a region: "ar-MA" is looked up as "ar".
SCRIPT_OF: dict[str, frozenset[str]] = {
    "ar": frozenset({"Arabic"}),
    "fa": frozenset({"Arabic"}),
    "prs": frozenset({"Arabic"}),
    "ps": frozenset({"Arabic"}),
    "ur": frozenset({"Arabic"}),
    "ckb": frozenset({"Arabic"}),
    "ary": frozenset({"Arabic", "Latin"}),  # Darija: Arabic letters, or Latin ones in chats
    "ku": frozenset({"Latin", "Arabic"}),  # Kurmanji in Latin, Sorani in Arabic letters
    "ti": frozenset({"Ethiopic"}),
    "am": frozenset({"Ethiopic"}),
    "ru": frozenset({"Cyrillic"}),
    "uk": frozenset({"Cyrillic"}),
    "bg": frozenset({"Cyrillic"}),
    "sr": frozenset({"Cyrillic", "Latin"}),
    "el": frozenset({"Greek"}),
    "he": frozenset({"Hebrew"}),
    "hy": frozenset({"Armenian"}),
    "ka": frozenset({"Georgian"}),
    "zh": frozenset({"Han"}),
}
LATIN = frozenset({"Latin"})

# Fewer letters than this say nothing about a language ("ok", "?", a thumbs up).
MIN_LETTERS = 3

# Links and e-mail addresses are Latin letters whatever language the sentence around them is in.
_NOISE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)

_lock = threading.Lock()
_identifier: LanguageIdentifier | None = None


def source_language(text: str, chosen: str, languages: Sequence[str]) -> str:
    """The language to translate `text` from: `chosen` (the resident's language), unless the
    text's letters are in a script `chosen` is not written in; then the site language of that
    script py3langid ranks first. A detected code is always one of `languages`; `chosen` itself
    is returned as given."""
    clean = _clean(text)
    counts = _script_counts(clean)
    if sum(counts.values()) < MIN_LETTERS:
        return chosen
    top = max(counts.values())
    # a tie between scripts goes to the chosen language
    if any(counts[script] == top for script in scripts_of(chosen)):
        return chosen
    script = counts.most_common(1)[0][0]
    candidates = [code for code in dict.fromkeys(languages) if script in scripts_of(code)]
    if not candidates:
        return chosen
    if len(candidates) == 1:
        return candidates[0]
    return _rank(clean, candidates)


def script_of(text: str) -> str | None:
    """The script most of the letters of `text` are in ("Latin", "Arabic", "Ethiopic",
    "Cyrillic", ...), links and e-mail addresses left out; None without letters."""
    counts = _script_counts(_clean(text))
    return counts.most_common(1)[0][0] if counts else None


def scripts_of(code: str) -> frozenset[str]:
    """The scripts a language code is written in (SCRIPT_OF, else Latin)."""
    return SCRIPT_OF.get(_base(code), LATIN)


def warm() -> None:
    """Load the model now (most of a second) rather than on the first text that needs it."""
    _model()


def _clean(text: str) -> str:
    # NFKC folds presentation forms, full-width and "mathematical bold" letters to plain ones
    return _NOISE.sub(" ", unicodedata.normalize("NFKC", text))


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            script = _letter_script(char)
            if script:
                counts[script] += 1
    return counts


def _letter_script(char: str) -> str | None:
    # a letter's Unicode name starts with its script: "ARABIC LETTER ALEF", "LATIN SMALL LETTER A"
    name = unicodedata.name(char, "")
    word = name.split(" ", 1)[0]
    if not word or word == "MODIFIER":
        return None
    return "Han" if word == "CJK" else word.title()


def _base(code: str) -> str:
    return code.split("-", 1)[0].split("_", 1)[0].lower()


def _rank(text: str, candidates: list[str]) -> str:
    """The candidate py3langid scores highest. Without probabilities its scores are per language,
    so ranking all and keeping the candidates orders them as set_languages(candidates) would, and
    leaves the one shared identifier untouched (it is used from any thread)."""
    known = {_base(code): code for code in reversed(candidates)}  # first in the site list wins
    identifier = _model()
    ranked = [known[label] for label, _ in identifier.rank(text) if label in known]
    # candidates py3langid has no model of cannot win; if it knows none, the site's order decides
    return ranked[0] if ranked else candidates[0]


def _model() -> LanguageIdentifier:
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                _identifier = _load()
    return _identifier


def _load() -> LanguageIdentifier:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE)
