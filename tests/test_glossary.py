"""One term for one thing: locales/GLOSSARY.md fixes, per language, the word for a renovation, a
request, a report, anonymous, ... This test reads it and fails when a catalog entry or the FAQ
uses a forbidden alternative, or when a msgid holding the English term is translated without the
chosen one (unless the glossary lists an exception, with its reason)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n.catalogs import po_path

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "locales" / "GLOSSARY.md"
FAQ_DIR = ROOT / "content" / "faq"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# short vowels, shadda, sukun, dagger alef, tatweel; bidi isolates and marks
_IGNORED = re.compile("[\u064b-\u0652\u0670\u0640\u2066-\u2069\u200e\u200f]")
_CELL = re.compile(r"(?<!\\)\|")


@dataclass
class Rule:
    thing: str
    english: re.Pattern[str] | None
    chosen: list[re.Pattern[str]]
    forbidden: list[tuple[str, re.Pattern[str]]]


@dataclass
class Glossary:
    rules: dict[str, list[Rule]] = field(default_factory=dict)
    exceptions: set[tuple[str, str, str]] = field(default_factory=set)


def fold(lang: str, text: str) -> str:
    text = _IGNORED.sub("", text)
    if lang == "tr":
        text = text.replace("İ", "i").replace("I", "ı")
    return text.lower()


def form_pattern(lang: str, form: str) -> re.Pattern[str]:
    """`tadilat*`: a word starting so; `*bot`: ending so; `*رسال*`: anywhere; else a whole word."""
    form = fold(lang, form.strip())
    start, end = form.startswith("*"), form.endswith("*")
    core = r"\s+".join(re.escape(w) for w in form.strip("*").split())
    return re.compile((r"\w*" if start else r"(?<!\w)") + core + (r"\w*" if end else r"(?!\w)"))


def _cells(line: str) -> list[str]:
    cells = [c.strip().replace("\\|", "|") for c in _CELL.split(line.strip())[1:-1]]
    return [c[1:-1] if c.startswith("`") and c.endswith("`") else c for c in cells]


def _forms(cell: str) -> list[str]:
    return [f.strip() for f in cell.split(" / ") if f.strip()]


def thing_name(cell: str) -> str:
    return cell.split(" (")[0].strip()


def parse(text: str) -> Glossary:
    g = Glossary()
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = _cells(line)
        if section == "Exceptions":
            if cells[0] != "lang":
                g.exceptions.add((cells[0], cells[1], cells[2]))
            continue
        if len(cells) != 4 or cells[0] == "thing" or not section:
            continue
        thing, english, chosen, forbidden = cells
        g.rules.setdefault(section, []).append(Rule(
            thing_name(thing),
            re.compile(english, re.IGNORECASE) if english else None,
            [form_pattern(section, f) for f in _forms(chosen)],
            [(f, form_pattern(section, f)) for f in _forms(forbidden)]))
    return g


@dataclass(frozen=True)
class Entry:
    msgid: str
    english: str  # every English form, placeholders removed
    strings: tuple[str, ...]


def catalog_entries(lang: str, path: Path | None = None) -> list[Entry]:
    with (path or po_path(lang)).open("rb") as fh:
        cat = read_po(fh, locale=lang)
    out = []
    for m in cat:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        english = PLACEHOLDER.sub(" ", " ".join(ids))
        out.append(Entry(ids[0], english, tuple(s for s in strings if s)))
    return out


def faq_texts(lang: str) -> list[tuple[str, str]]:
    raw = tomllib.loads((FAQ_DIR / f"{lang}.toml").read_text(encoding="utf-8"))
    out = []
    for s in raw.get("section", []):
        out.append((f"faq {s['id']} title", s["title"]))
        for i in s.get("item", []):
            out.append((f"faq {i['id']}", i["question"] + "\n" + i["answer"]))
    return out


def problems(g: Glossary, lang: str, entries: list[Entry],
             faq: list[tuple[str, str]] = ()) -> list[str]:  # type: ignore[assignment]
    found = []
    rules = g.rules.get(lang, [])
    for e in entries:
        texts = [fold(lang, PLACEHOLDER.sub(" ", s)) for s in e.strings]
        for rule in rules:
            if (lang, e.msgid, rule.thing) in g.exceptions:
                continue
            for name, pattern in rule.forbidden:
                hit = next((m.group(0) for t in texts for m in [pattern.search(t)] if m), None)
                if hit:
                    found.append(f"{e.msgid!r}: {hit!r} is forbidden for {rule.thing} "
                                 f"({name})")
            if (rule.english is not None and texts and rule.english.search(e.english)
                    and not all(any(p.search(t) for p in rule.chosen) for t in texts)):
                found.append(f"{e.msgid!r}: {rule.thing} is not translated with the chosen "
                             f"term: {e.strings[0]!r}")
    for where, text in faq:
        folded = fold(lang, text)
        for rule in rules:
            for name, pattern in rule.forbidden:
                m = pattern.search(folded)
                if m:
                    found.append(f"{where}: {m.group(0)!r} is forbidden for {rule.thing} ({name})")
    return found


GLOSSARY_DATA = parse(GLOSSARY.read_text(encoding="utf-8"))
LANGS = sorted(GLOSSARY_DATA.rules)


def test_the_glossary_covers_the_fixed_terms() -> None:
    assert {"nl", "ar", "tr", "pl", "so", "ti"} <= set(LANGS)
    wanted = {"renovation", "request", "report", "anonymous", "housing corporation", "letter",
              "building", "stairwell", "home", "message", "button", "code", "partner",
              "volunteer", "appointment", "neighbourhood team", "bot"}
    for lang in ("nl", "ar", "tr", "pl", "so", "ti"):
        things = {r.thing for r in GLOSSARY_DATA.rules[lang]}
        assert wanted <= things, (lang, wanted - things)
        assert all(r.chosen for r in GLOSSARY_DATA.rules[lang] if r.english), lang


def test_every_exception_names_a_real_entry_and_rule() -> None:
    for lang, msgid, thing in GLOSSARY_DATA.exceptions:
        assert msgid in {e.msgid for e in catalog_entries(lang)}, (lang, msgid)
        assert thing in {r.thing for r in GLOSSARY_DATA.rules[lang]}, (lang, thing)


@pytest.mark.parametrize("lang", ["nl", "ar", "tr", "pl", "so", "ti"])
def test_catalog_and_faq_keep_to_the_glossary(lang: str) -> None:
    found = problems(GLOSSARY_DATA, lang, catalog_entries(lang), faq_texts(lang))
    assert not found, f"{lang}: {len(found)} problems:\n" + "\n".join(found[:40])


def test_the_check_catches_the_problems_the_native_read_found(tmp_path: Path) -> None:
    """The words of issue 14, as they stood, must be flagged: this check can fail."""
    po = tmp_path / "messages.po"

    def flagged(lang: str, pairs: list[tuple[str, str]]) -> list[str]:
        body = "".join(f'msgid "{i}"\nmsgstr "{s}"\n\n' for i, s in pairs)
        po.write_text(f'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n\n{body}', encoding="utf-8")
        return problems(GLOSSARY_DATA, lang, catalog_entries(lang, po))

    tr = flagged("tr", [("My renovation", "Yenilemem"),
                        ("Please check your report.", "Lütfen bildiriminizi kontrol edin."),
                        ("Skip", "Geç"), ("My requests", "Başvurularım")])
    assert any("'yenilemem' is forbidden" in p for p in tr)
    assert any("'bildirim" in p for p in tr)
    assert any("'geç'" in p for p in tr)
    assert any("'başvurular" in p for p in tr)
    ar = flagged("ar", [("Where is it? Choose the building, or type where it is.",
                         "أين المشكلة؟ اختر العمارة، أو اكتب مكانها."),
                        ("Whole building", "كل المبنى")])
    assert len(ar) == 2 and all("Where is it" in p for p in ar)  # forbidden, and not chosen
    nl = flagged("nl", [("Anonymous: the partner will not see who you are.",
                         "Anoniem: de partner ziet niet wie je bent."),
                        ("The workers will tell you what to prepare.",
                         "De werklieden vertellen je wat je moet klaarzetten.")])
    assert any("'partner'" in p for p in nl)
    assert any("werklieden" in p for p in nl) and any("klaarzetten" in p for p in nl)
    # the right words pass
    assert flagged("tr", [("My renovation", "Tadilatım"), ("Skip", "Atla")]) == []
