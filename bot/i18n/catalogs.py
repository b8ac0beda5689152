"""gettext catalogs compiled in memory at start-up, and a Translator per language.

Reading the .po files directly (read_po -> write_mo -> GNUTranslations) means there is never a
stale .mo file: what is in locales/ is what the bot says.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from datetime import time as time_
from gettext import GNUTranslations, NullTranslations
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.i18n.bidi import has_rtl, isolate

LOCALES_DIR = Path(__file__).resolve().parent.parent.parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


def po_path(lang: str, locales_dir: Path = LOCALES_DIR) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_po(path: Path) -> GNUTranslations:
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=path.parent.parent.name)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return GNUTranslations(buf)


def language_name(lang: str) -> str:
    """The language named in its own script: Nederlands, العربية, Türkçe, English."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


class Translator:
    """Everything one language needs: messages, plural forms, dates, text direction."""

    def __init__(self, lang: str, translations: NullTranslations, zone: ZoneInfo) -> None:
        self.lang = lang
        self.locale = Locale.parse(lang)
        self.rtl = self.locale.text_direction == "rtl"
        self.zone = zone
        self._t = translations

    def _fill(self, text: str, values: dict[str, Any]) -> str:
        if not values:
            return text
        return text.format(**{k: self.insert(v) for k, v in values.items()})

    def insert(self, value: Any) -> str:
        """Isolate an insert where its direction could differ from the sentence around it."""
        text = str(value)
        if self.rtl or has_rtl(text):
            return isolate(text)
        return text

    def _(self, message: str, **values: Any) -> str:
        return self._fill(self._t.gettext(message), values)

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        return self._fill(self._t.ngettext(singular, plural, n), {"n": n, **values})

    def date(self, moment: date | datetime, fmt: str = "long") -> str:
        if isinstance(moment, datetime):
            moment = moment.astimezone(self.zone).date()
        return format_date(moment, format=fmt, locale=self.locale)

    def time(self, moment: time_, fmt: str = "short") -> str:
        return format_time(moment, format=fmt, locale=self.locale)

    def datetime(self, moment: datetime, fmt: str = "medium") -> str:
        return format_datetime(moment, format=fmt, tzinfo=self.zone, locale=self.locale)


class I18n:
    """All offered languages; `get(lang)` falls back to the site default."""

    def __init__(self, languages: list[str], default: str, zone: ZoneInfo,
                 locales_dir: Path = LOCALES_DIR) -> None:
        self.languages = list(languages)
        self.default = default
        self._by_lang: dict[str, Translator] = {}
        for lang in self.languages:
            path = po_path(lang, locales_dir)
            if lang == SOURCE_LANGUAGE and not path.exists():
                translations: NullTranslations = NullTranslations()
            else:
                translations = compile_po(path)
            self._by_lang[lang] = Translator(lang, translations, zone)

    def get(self, lang: str | None) -> Translator:
        return self._by_lang.get(lang or "", self._by_lang[self.default])

    def match(self, language_code: str | None) -> str | None:
        """Telegram's language_code ("ar", "tr-TR", "nl-BE") to an offered language, if any."""
        if not language_code:
            return None
        base = language_code.replace("_", "-").split("-")[0].lower()
        return base if base in self._by_lang else None

    def all(self) -> list[Translator]:
        return [self._by_lang[lang] for lang in self.languages]
