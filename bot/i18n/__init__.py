"""Languages: gettext catalogs, locale matching, Babel formatting and bidi helpers."""

from bot.i18n.catalogs import N_, I18n, Translator, language_name

__all__ = ["N_", "I18n", "Translator", "language_name"]
