"""Pure domain and helpers: routing, content search, bidi, formatting. The workflow tables of
tickets and promises are walked pair by pair in tests/test_workflows.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import EXAMPLE_SITE_CONFIG, load_site_config
from bot.content import Content
from bot.domain.routing import route
from bot.domain.tickets import Kind, format_ref
from bot.handlers.helpreq import normalise_phone
from bot.i18n import I18n
from bot.i18n.bidi import FSI, PDI, clean_user_text, isolate
from bot.render.callbacks import FLOW_STEP, MAX_BYTES, pack, unpack

SITE = load_site_config(EXAMPLE_SITE_CONFIG)
CONTENT = Content.load(SITE.languages)

def test_refs() -> None:
    assert format_ref(Kind.NUISANCE, 42) == "M-0042"
    assert format_ref("help", 100000) == "H-100000"


def test_routing_by_category_building_and_kind() -> None:
    assert route(SITE, "nuisance", "noise", None) == "woningcorporatie"
    assert route(SITE, "nuisance", "neighbours", "zambesidreef") == "buurtbemiddeling"
    assert route(SITE, "nuisance", "drugs", "tigrisdreef") == "veiligheid"
    assert route(SITE, "help", "money", None) == "werk_inkomen"
    assert route(SITE, "question", "question", None) == "woningcorporatie"
    # a category removed from the config still reaches a person
    assert route(SITE, "nuisance", "gone", None) == "coordinator"


@pytest.mark.parametrize(("lang", "query", "item"), [
    ("nl", "gaat mijn huur omhoog", "rent_up"),
    ("en", "will my rent go up", "rent_up"),
    ("tr", "kira artacak mı", "rent_up"),
    ("ar", "هل سيرتفع الإيجار", "rent_up"),
    ("nl", "logeerwoning", "what"),
    ("en", "70%", "rule_70"),
])
def test_faq_search_finds_by_the_residents_words(lang: str, query: str, item: str) -> None:
    hits = CONTENT.faq[lang].search(query)
    assert hits and item in [h.id for h in hits[:3]], [h.id for h in hits]


def test_faq_search_finds_nothing_for_nonsense() -> None:
    assert CONTENT.faq["nl"].search("xyzzy plugh") == []


def test_faq_has_the_same_entries_in_every_language() -> None:
    def shape(lang: str) -> list[tuple[str, list[str]]]:
        return [(s.id, [i.id for i in s.items]) for s in CONTENT.faq[lang].sections]

    assert all(shape(lang) == shape("en") for lang in SITE.languages)
    for faq in CONTENT.faq.values():
        for s in faq.sections:
            for i in s.items:
                assert len(i.question) <= 60 and 0 < len(i.answer) <= 700


@pytest.mark.parametrize("text", [
    "Er staat iemand met een mes in de hal", "Someone has a GUN", "YANGIN VAR",
    "بالسكين", "حريق في الطابق",
])
def test_danger_words_in_any_language(text: str) -> None:
    assert CONTENT.danger.found(text)


@pytest.mark.parametrize("text", ["De lift is kapot", "Loud music at night",
                                  "Ateşim var", "الإيجار مرتفع", "brandgang is vies"])
def test_ordinary_words_are_not_danger(text: str) -> None:
    assert not CONTENT.danger.found(text)


def test_bidi_isolation_and_stripping() -> None:
    assert isolate("M-0042") == f"{FSI}M-0042{PDI}"
    assert clean_user_text("  \u202eevil\u202c text\u2066 ") == "evil text"


@given(st.text())
def test_cleaned_text_has_no_bidi_controls(text: str) -> None:
    cleaned = clean_user_text(text)
    assert not any(ch in cleaned for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters=":",
                                               blacklist_categories=("Cs",)),
                        min_size=1, max_size=8), max_size=4))
def test_callback_data_round_trips_or_refuses_when_too_long(args: list[str]) -> None:
    try:
        data = pack(FLOW_STEP, *args)
    except ValueError:
        assert len(":".join(["v1", "f", *args]).encode()) > MAX_BYTES
        return
    assert len(data.encode()) <= MAX_BYTES
    press = unpack(data)
    assert press is not None and press.scope == "f" and list(press.args) == args


@pytest.mark.parametrize("data", [None, "", "garbage", "v2:f:x", "v1:", "v1", "v1:zz:x"])
def test_foreign_callback_data_is_refused(data: str | None) -> None:
    assert unpack(data) is None


@pytest.mark.parametrize(("raw", "phone"), [
    ("06 1234 5678", "0612345678"), ("+31 6 12345678", "0612345678"),
    ("030-1234567", "0301234567"), ("0031612345678", "0612345678"), ("٠٦١٢٣٤٥٦٧٨", "0612345678"),
    ("12ab", None), ("0612", None), ("06123456789", None),
])
def test_dutch_phone_numbers(raw: str, phone: str | None) -> None:
    assert normalise_phone(raw) == phone


def test_dates_are_localised_in_the_site_timezone() -> None:
    i18n = I18n(SITE.languages, SITE.default_language, SITE.zone)
    # 23:30 UTC on 2 March is already 3 March in Amsterdam
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    assert i18n.get("nl").date(late) == "3 maart 2026"
    assert i18n.get("tr").date(late) == "3 Mart 2026"
    assert "مارس" in i18n.get("ar").date(late)
    assert i18n.get("nl").datetime(late, "short") == "03-03-2026, 00:30"
    assert i18n.get("en").date(date(2026, 4, 27)) == "April 27, 2026"


def test_language_matching_and_rtl() -> None:
    i18n = I18n(SITE.languages, SITE.default_language, SITE.zone)
    assert i18n.match("ar") == "ar" and i18n.match("tr-TR") == "tr" and i18n.match("nl_BE") == "nl"
    assert i18n.match("fr") is None and i18n.match(None) is None
    assert i18n.get("ar").rtl and not i18n.get("tr").rtl
    assert i18n.get("fr").lang == "nl"  # unknown falls back to the site default
    ar = i18n.get("ar")
    assert f"{FSI}M-0001{PDI}" in ar._("Your number is {ref}. Keep it.", ref="M-0001")
