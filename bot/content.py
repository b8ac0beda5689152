"""Content files: the FAQ per language and the words that signal acute danger.

Kept out of the gettext catalogs because they are long texts that content editors maintain; a test
checks every language has every FAQ entry.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.domain.danger import DangerMatcher
from bot.i18n.bidi import clean_user_text

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
_WORD = re.compile(r"\w+", re.UNICODE)
# Arabic prefixes that attach to a word: wa- (and), al- (the), bi-/li- (with/for), combined
_AR_PREFIXES = ("وال", "بال", "لل", "ال", "و", "ب", "ل", "ف")


@dataclass(frozen=True)
class FaqItem:
    id: str
    question: str
    answer: str
    keywords: tuple[str, ...]
    source: str = ""  # where the facts of the answer can be checked (not shown to residents)


@dataclass(frozen=True)
class FaqSection:
    id: str
    emoji: str
    title: str
    items: tuple[FaqItem, ...]


_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي"})


def fold(text: str) -> str:
    """Lower-case for matching: Turkish dotted/dotless i meet, Arabic alef and ta marbuta
    variants meet (residents often type them without hamza)."""
    text = clean_user_text(text).replace("İ", "i").replace("I", "i").casefold().replace("ı", "i")
    return text.translate(_ALEF)


def words(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(fold(text)):
        for prefix in _AR_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                out.append(word[len(prefix):])
                break
        out.append(word)
    return out


class Faq:
    def __init__(self, sections: list[FaqSection]) -> None:
        self.sections = sections

    @classmethod
    def load(cls, path: Path) -> Faq:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        sections = []
        for s in raw.get("section", []):
            items = tuple(
                FaqItem(i["id"], i["question"], i["answer"].strip(), tuple(i.get("keywords", [])),
                        i.get("source", ""))
                for i in s.get("item", [])
            )
            sections.append(FaqSection(s["id"], s.get("emoji", ""), s["title"], items))
        return cls(sections)

    def section(self, section_id: str) -> FaqSection | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def item(self, item_id: str) -> tuple[FaqSection, FaqItem] | None:
        for s in self.sections:
            for i in s.items:
                if i.id == item_id:
                    return s, i
        return None

    def search(self, query: str, limit: int = 5) -> list[FaqItem]:
        """Items ranked by how many of the resident's words they share (prefixes count too)."""
        asked = {w for w in words(query) if len(w) >= 2}
        scored = []
        for order, item in enumerate(i for s in self.sections for i in s.items):
            vocab = set(words(" ".join(item.keywords))) | set(words(item.question))
            score = sum(_score(w, vocab) for w in asked)
            if score:
                scored.append((-score, order, item))
        return [item for _, _, item in sorted(scored)[:limit]]


def _score(word: str, vocab: set[str]) -> int:
    if word in vocab:
        return 3
    if len(word) >= 4 and any(len(v) >= 4 and (v.startswith(word) or word.startswith(v))
                              for v in vocab):
        return 2
    return 0


class DangerWords(DangerMatcher):
    """content/danger_words.toml compiled into the domain's matcher (bot/domain/danger.py):
    `found(text)` is whether a resident's words signal acute danger, in any language we know."""

    @classmethod
    def load(cls, path: Path) -> DangerWords:
        return cls(tomllib.loads(path.read_text(encoding="utf-8")))


def faq_path(lang: str, content_dir: Path = CONTENT_DIR) -> Path:
    return content_dir / "faq" / f"{lang}.toml"


@dataclass
class Content:
    faq: dict[str, Faq]
    danger: DangerWords

    @classmethod
    def load(cls, languages: list[str], content_dir: Path = CONTENT_DIR) -> Content:
        faq = {lang: Faq.load(faq_path(lang, content_dir)) for lang in languages}
        return cls(faq=faq, danger=DangerWords.load(content_dir / "danger_words.toml"))

    def faq_for(self, lang: str, default: str) -> Faq:
        return self.faq.get(lang) or self.faq[default]
