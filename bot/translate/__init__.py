"""Machine translation and speech to text: one interface (bot/translate/base.py), an adapter per
service, and the builders that pick one from the site file ([translation], [speech]) and the
environment (BUURTBOT_TRANSLATE_KEY, BUURTBOT_SPEECH_KEY).

    translator = make_translator(site, settings)        # at start-up; aclose() at shutdown
    for line in await capabilities(translator, site):   # what works, for the start-up log
        log.info(line)
"""

from __future__ import annotations

from pydantic import SecretStr

from bot.config import Settings, SiteConfig, service_problems
from bot.translate.base import (
    SPEECH_TIMEOUT,
    TRANSLATE_TIMEOUT,
    Pair,
    QuotaExceeded,
    RateLimited,
    Transcriber,
    TranslationError,
    TranslationUnavailable,
    Translator,
    UnsupportedLanguage,
)
from bot.translate.deepl import DeepL
from bot.translate.libre import LibreTranslate
from bot.translate.none import NoTranscriber, NoTranslator
from bot.translate.speech import OpenAITranscriber

__all__ = ["SPEECH_TIMEOUT", "TRANSLATE_TIMEOUT", "DeepL", "LibreTranslate", "NoTranscriber",
           "NoTranslator", "OpenAITranscriber", "Pair", "QuotaExceeded", "RateLimited",
           "ServiceConfigError", "Transcriber", "TranslationError", "TranslationUnavailable",
           "Translator", "UnsupportedLanguage", "capabilities", "make_transcriber",
           "make_translator"]


class ServiceConfigError(ValueError):
    """The site file asks for a service the environment cannot give (a DeepL key missing)."""


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def make_translator(site: SiteConfig, settings: Settings) -> Translator:
    """The site's translator; raises ServiceConfigError naming what is missing."""
    problems = service_problems(site, settings)
    if problems:
        raise ServiceConfigError("; ".join(problems))
    cfg, key = site.translation, _secret(settings.translate_key)
    if cfg.provider == "libretranslate" and cfg.url is not None:
        return LibreTranslate(cfg.url, key, cfg.timeout)
    if cfg.provider == "deepl" and key is not None:
        return DeepL(key, cfg.url, cfg.timeout)
    return NoTranslator()


def make_transcriber(site: SiteConfig, settings: Settings) -> Transcriber:
    cfg = site.speech
    if cfg.provider == "openai" and cfg.url is not None:
        return OpenAITranscriber(cfg.url, cfg.model, _secret(settings.speech_key), cfg.timeout)
    return NoTranscriber()


async def capabilities(translator: Translator, site: SiteConfig) -> list[str]:
    """One line per site language: can it be translated to and from each partner group's
    language? Lines to log at start-up, so a gap shows before a resident meets it."""
    if translator.name == "none":
        return ["translation: off (translation.provider = \"none\"): messages between "
                "languages are passed on untranslated, marked as such"]
    try:
        pairs = await translator.languages()
    except TranslationError as exc:
        return [f"translation: {translator.name} cannot tell its languages now ({exc}); "
                "messages are marked untranslated while it fails"]
    groups = sorted({p.language for p in site.partners})
    lines = [f"translation: {translator.name}, {len(pairs)} language pairs"]
    for lang in site.languages:
        lines.append(f"translation {lang}: " + ", ".join(
            _both_ways(lang, group, pairs) for group in groups))
    return lines


def _both_ways(lang: str, group: str, pairs: set[Pair]) -> str:
    if lang == group:
        return f"{group} groups read it as written"
    there, back = (lang, group) in pairs, (group, lang) in pairs
    yes = {True: "yes", False: "NO"}
    return f"{lang}->{group} {yes[there]}, {group}->{lang} {yes[back]}"
