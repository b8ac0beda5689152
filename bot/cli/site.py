"""Which site file a command uses, and the checks every command makes on it before it starts."""

from __future__ import annotations

from pathlib import Path

from bot.config import (
    DEFAULT_SITE_CONFIG,
    EXAMPLE_SITE_CONFIG,
    ConfigError,
    Settings,
    SiteConfig,
    load_site_config,
)
from bot.content import CONTENT_DIR, faq_path
from bot.i18n.catalogs import po_path


def site_path(arg: str | None, settings: Settings) -> Path:
    if arg:
        return Path(arg)
    if settings.config:
        return settings.config
    return DEFAULT_SITE_CONFIG if DEFAULT_SITE_CONFIG.exists() else EXAMPLE_SITE_CONFIG


def check_site(path: Path, content_dir: Path = CONTENT_DIR) -> SiteConfig:
    """Load the site file and check that every offered language has a catalog and a FAQ."""
    site = load_site_config(path)
    problems = []
    missing = [lang for lang in site.languages if lang != "en" and not po_path(lang).exists()]
    if missing:
        problems.append(f"languages: no catalog for {', '.join(missing)} "
                        f"(expected {po_path(missing[0])})")
    no_faq = [lang for lang in site.languages if not faq_path(lang, content_dir).exists()]
    if no_faq:
        problems.append(f"languages: no FAQ for {', '.join(no_faq)} "
                        f"(expected {faq_path(no_faq[0], content_dir)})")
    if problems:
        raise ConfigError(path, problems)
    return site
