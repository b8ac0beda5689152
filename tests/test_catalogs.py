"""Every catalog is complete, current, not fuzzy, and keeps the source's placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.config import EXAMPLE_SITE_CONFIG, load_site_config
from bot.i18n.catalogs import LOCALES_DIR, po_path

ROOT = Path(__file__).resolve().parent.parent
LANGS = sorted(p.name for p in LOCALES_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def source_messages() -> set[str]:
    found = extract_from_dir(str(ROOT / "bot"), method_map=[("**.py", "python")],
                             keywords=KEYWORDS)
    out = set()
    for _file, _line, message, _comments, _ctx in found:
        out.add(message[0] if isinstance(message, tuple) else message)
    return out


def catalog(lang: str):  # type: ignore[no-untyped-def]
    with po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


def test_the_offered_languages_have_catalogs() -> None:
    site = load_site_config(EXAMPLE_SITE_CONFIG)
    assert set(site.languages) <= set(LANGS)
    assert {"nl", "ar", "tr", "en"} <= set(LANGS)


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_has_every_source_string(lang: str) -> None:
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog(lang) if m.id}
    missing = source_messages() - ids
    assert not missing, f"{lang}: run scripts/update-catalogs; missing {sorted(missing)[:5]}"


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_is_complete_and_not_fuzzy(lang: str) -> None:
    problems = []
    for m in catalog(lang):
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy:
            problems.append(f"fuzzy: {m.id!r}")
        if not all(strings):
            problems.append(f"untranslated: {m.id!r}")
    assert not problems, f"{lang}: " + "; ".join(problems[:10])


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_match_the_source(lang: str) -> None:
    problems = []
    for m in catalog(lang):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for s in strings:
            if s and sorted(PLACEHOLDER.findall(s)) != wanted:
                problems.append(f"{ids[0]!r} -> {s!r}")
    assert not problems, f"{lang}: " + "; ".join(problems[:10])


@pytest.mark.parametrize("lang", LANGS)
def test_category_labels_of_the_example_site_are_translated(lang: str) -> None:
    site = load_site_config(EXAMPLE_SITE_CONFIG)
    ids = {m.id for m in catalog(lang) if m.id and m.string}
    labels = {c.label for k in ("question", "nuisance", "help") for c in site.categories.of(k)}
    assert labels <= ids


def test_a_missing_translation_is_detected(tmp_path: Path) -> None:
    """The checks above must fail on a broken catalog, not pass vacuously."""
    broken = tmp_path / "xx.po"
    broken.write_text('msgid ""\nmsgstr ""\n"Language: nl\\n"\n\n#, fuzzy\nmsgid "Hi {name}"\n'
                      'msgstr "Hoi {naam}"\n\nmsgid "Bye"\nmsgstr ""\n', encoding="utf-8")
    with broken.open("rb") as fh:
        cat = read_po(fh)
    messages = [m for m in cat if m.id]
    assert any(m.fuzzy for m in messages)
    assert any(not m.string for m in messages)
    hi = next(m for m in messages if m.id == "Hi {name}")
    assert PLACEHOLDER.findall(hi.string) != PLACEHOLDER.findall(hi.id)


def test_no_translatable_literal_hides_inside_an_f_string() -> None:
    """pybabel cannot see `_("...")` inside an f-string on Python 3.11: such a text would never
    be translated. Translate first, then format."""
    import ast

    hidden = []
    for path in (ROOT / "bot").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (isinstance(inner, ast.Call) and inner.args
                        and isinstance(inner.args[0], ast.Constant)
                        and getattr(inner.func, "attr", getattr(inner.func, "id", "")) in KEYWORDS):
                    hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert not hidden, hidden
