"""Every plural text reads right for every count, whatever the catalog's Plural-Forms header says.

The table below is the grammar, written out per CLDR plural category as a native speaker says it.
The category of a count comes from Babel's CLDR rules (`Locale.plural_form`), not from the
catalog's header; the text comes from the bot's own Translator. So a header whose indexes do not
match the msgstr[i] order (as when Babel 2.19 swapped Arabic "many" and "other") fails here.

Arabic: zero and one take the singular, two the dual, few (n % 100 in 3..10) the plural, many
(n % 100 in 11..99) the accusative singular ("11 يومًا"), other (100, 101, 102, 1000, ...) the
genitive singular ("100 يوم"). A feminine noun in -ة shows no alif for the accusative, and a noun
in a construct ("يوم عمل") takes no tanween, so there many and other are spelt alike.
Turkish keeps the noun singular after a number: one and other are the same text.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from bot.i18n import I18n, Translator
from bot.i18n.catalogs import LOCALES_DIR, po_path

LANGS = sorted(p.name for p in LOCALES_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())
COUNTS = range(1001)
OTHER_VALUES = {"first": "2 March", "last": "27 March"}  # the renovation line's dates

PLURALS: dict[str, dict[str, dict[str, str]]] = {
    "ar": {
        "How long: we delete a request {n} day after it is closed.": {
            "zero": "المدة: نحذف الطلب بعد {n} يوم من إغلاقه.",
            "one": "المدة: نحذف الطلب بعد {n} يوم من إغلاقه.",
            "two": "المدة: نحذف الطلب بعد يومين ({n}) من إغلاقه.",
            "few": "المدة: نحذف الطلب بعد {n} أيام من إغلاقه.",
            "many": "المدة: نحذف الطلب بعد {n} يومًا من إغلاقه.",
            "other": "المدة: نحذف الطلب بعد {n} يوم من إغلاقه.",
        },
        "Preview. This goes to {n} resident:": {
            "zero": "معاينة. سيصل هذا إلى {n} ساكن:",
            "one": "معاينة. سيصل هذا إلى ساكن واحد ({n}):",
            "two": "معاينة. سيصل هذا إلى ساكنَين ({n}):",
            "few": "معاينة. سيصل هذا إلى {n} سكان:",
            "many": "معاينة. سيصل هذا إلى {n} ساكنًا:",
            "other": "معاينة. سيصل هذا إلى {n} ساكن:",
        },
        "Sending to {n} resident. You will see the progress here.": {
            "zero": "جارٍ الإرسال إلى {n} ساكن. سترى التقدم هنا.",
            "one": "جارٍ الإرسال إلى ساكن واحد ({n}). سترى التقدم هنا.",
            "two": "جارٍ الإرسال إلى ساكنَين ({n}). سترى التقدم هنا.",
            "few": "جارٍ الإرسال إلى {n} سكان. سترى التقدم هنا.",
            "many": "جارٍ الإرسال إلى {n} ساكنًا. سترى التقدم هنا.",
            "other": "جارٍ الإرسال إلى {n} ساكن. سترى التقدم هنا.",
        },
        "Your renovation: {n} work day between {first} and {last}.": {
            "zero": "التجديد: {n} يوم عمل بين {first} و{last}.",
            "one": "التجديد: يوم عمل واحد ({n}) بين {first} و{last}.",
            "two": "التجديد: يوما عمل ({n}) بين {first} و{last}.",
            "few": "التجديد: {n} أيام عمل بين {first} و{last}.",
            "many": "التجديد: {n} يوم عمل بين {first} و{last}.",
            "other": "التجديد: {n} يوم عمل بين {first} و{last}.",
        },
        "waiting {n} day": {
            "zero": "ينتظر منذ {n} يوم",
            "one": "ينتظر منذ {n} يوم",
            "two": "ينتظر منذ يومين ({n})",
            "few": "ينتظر منذ {n} أيام",
            "many": "ينتظر منذ {n} يومًا",
            "other": "ينتظر منذ {n} يوم",
        },
        "{n} message will be sent again.": {
            "zero": "سيُعاد إرسال {n} رسالة.",
            "one": "سيُعاد إرسال {n} رسالة.",
            "two": "سيُعاد إرسال رسالتين ({n}).",
            "few": "سيُعاد إرسال {n} رسائل.",
            "many": "سيُعاد إرسال {n} رسالة.",
            "other": "سيُعاد إرسال {n} رسالة.",
        },
        "{n} photo": {
            "zero": "{n} صورة",
            "one": "{n} صورة",
            "two": "صورتان ({n})",
            "few": "{n} صور",
            "many": "{n} صورة",
            "other": "{n} صورة",
        },
        "{n} request is overdue:": {
            "zero": "{n} طلب متأخر:",
            "one": "{n} طلب متأخر:",
            "two": "طلبان متأخران ({n}):",
            "few": "{n} طلبات متأخرة:",
            "many": "{n} طلبًا متأخرًا:",
            "other": "{n} طلب متأخر:",
        },
        "{n} voice message": {
            "zero": "{n} رسالة صوتية",
            "one": "{n} رسالة صوتية",
            "two": "رسالتان صوتيتان ({n})",
            "few": "{n} رسائل صوتية",
            "many": "{n} رسالة صوتية",
            "other": "{n} رسالة صوتية",
        },
    },
    "tr": {
        "How long: we delete a request {n} day after it is closed.": {
            "one": "Ne kadar saklıyoruz: Başvuru kapandıktan {n} gün sonra sileriz.",
            "other": "Ne kadar saklıyoruz: Başvuru kapandıktan {n} gün sonra sileriz.",
        },
        "Preview. This goes to {n} resident:": {
            "one": "Önizleme. Bu mesaj {n} sakine gidecek:",
            "other": "Önizleme. Bu mesaj {n} sakine gidecek:",
        },
        "Sending to {n} resident. You will see the progress here.": {
            "one": "{n} sakine gönderiliyor. İlerlemeyi burada göreceksiniz.",
            "other": "{n} sakine gönderiliyor. İlerlemeyi burada göreceksiniz.",
        },
        "Your renovation: {n} work day between {first} and {last}.": {
            "one": "Yenilemeniz: {first} ile {last} arasında {n} çalışma günü.",
            "other": "Yenilemeniz: {first} ile {last} arasında {n} çalışma günü.",
        },
        "waiting {n} day": {
            "one": "{n} gündür bekliyor",
            "other": "{n} gündür bekliyor",
        },
        "{n} message will be sent again.": {
            "one": "{n} mesaj yeniden gönderilecek.",
            "other": "{n} mesaj yeniden gönderilecek.",
        },
        "{n} photo": {
            "one": "{n} fotoğraf",
            "other": "{n} fotoğraf",
        },
        "{n} request is overdue:": {
            "one": "Süresi geçen {n} başvuru var:",
            "other": "Süresi geçen {n} başvuru var:",
        },
        "{n} voice message": {
            "one": "{n} sesli mesaj",
            "other": "{n} sesli mesaj",
        },
    },
    "nl": {
        "How long: we delete a request {n} day after it is closed.": {
            "one": "Hoe lang: we wissen een aanvraag {n} dag nadat die is afgesloten.",
            "other": "Hoe lang: we wissen een aanvraag {n} dagen nadat die is afgesloten.",
        },
        "Preview. This goes to {n} resident:": {
            "one": "Voorbeeld. Dit gaat naar {n} bewoner:",
            "other": "Voorbeeld. Dit gaat naar {n} bewoners:",
        },
        "Sending to {n} resident. You will see the progress here.": {
            "one": "Versturen naar {n} bewoner. Je ziet de voortgang hier.",
            "other": "Versturen naar {n} bewoners. Je ziet de voortgang hier.",
        },
        "Your renovation: {n} work day between {first} and {last}.": {
            "one": "Je renovatie: {n} werkdag tussen {first} en {last}.",
            "other": "Je renovatie: {n} werkdagen tussen {first} en {last}.",
        },
        "waiting {n} day": {
            "one": "wacht al {n} dag",
            "other": "wacht al {n} dagen",
        },
        "{n} message will be sent again.": {
            "one": "{n} bericht wordt opnieuw verstuurd.",
            "other": "{n} berichten worden opnieuw verstuurd.",
        },
        "{n} photo": {
            "one": "{n} foto",
            "other": "{n} foto's",
        },
        "{n} request is overdue:": {
            "one": "{n} aanvraag is te laat:",
            "other": "{n} aanvragen zijn te laat:",
        },
        "{n} voice message": {
            "one": "{n} spraakbericht",
            "other": "{n} spraakberichten",
        },
    },
    "en": {
        "How long: we delete a request {n} day after it is closed.": {
            "one": "How long: we delete a request {n} day after it is closed.",
            "other": "How long: we delete a request {n} days after it is closed.",
        },
        "Preview. This goes to {n} resident:": {
            "one": "Preview. This goes to {n} resident:",
            "other": "Preview. This goes to {n} residents:",
        },
        "Sending to {n} resident. You will see the progress here.": {
            "one": "Sending to {n} resident. You will see the progress here.",
            "other": "Sending to {n} residents. You will see the progress here.",
        },
        "Your renovation: {n} work day between {first} and {last}.": {
            "one": "Your renovation: {n} work day between {first} and {last}.",
            "other": "Your renovation: {n} work days between {first} and {last}.",
        },
        "waiting {n} day": {
            "one": "waiting {n} day",
            "other": "waiting {n} days",
        },
        "{n} message will be sent again.": {
            "one": "{n} message will be sent again.",
            "other": "{n} messages will be sent again.",
        },
        "{n} photo": {
            "one": "{n} photo",
            "other": "{n} photos",
        },
        "{n} request is overdue:": {
            "one": "{n} request is overdue:",
            "other": "{n} requests are overdue:",
        },
        "{n} voice message": {
            "one": "{n} voice message",
            "other": "{n} voice messages",
        },
    },
}


def plural_entries(lang: str) -> dict[str, str]:
    """singular msgid -> plural msgid, for each plural entry in the language's catalog."""
    with po_path(lang).open("rb") as fh:
        cat = read_po(fh, locale=lang)
    return {m.id[0]: m.id[1] for m in cat if m.id and m.pluralizable}


def categories(lang: str) -> set[str]:
    return set(Locale.parse(lang).plural_form.tags) | {"other"}


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n(LANGS, "en", ZoneInfo("Europe/Amsterdam"))


@pytest.mark.parametrize("lang", LANGS)
def test_every_plural_entry_has_a_row_in_the_table(lang: str) -> None:
    assert lang in PLURALS, f"{lang}: add the language's plural texts to PLURALS in {__name__}"
    in_catalog = set(plural_entries(lang))
    rows = set(PLURALS[lang])
    assert in_catalog == rows, (
        f"{lang}: plural entries without a row in PLURALS: {sorted(in_catalog - rows)}; "
        f"rows in PLURALS for entries the catalog no longer has: {sorted(rows - in_catalog)}")
    wanted = categories(lang)
    wrong = {msgid: sorted(row) for msgid, row in PLURALS[lang].items() if set(row) != wanted}
    assert not wrong, f"{lang}: each row needs exactly the categories {sorted(wanted)}: {wrong}"


def test_the_table_has_no_language_without_a_catalog() -> None:
    assert set(PLURALS) <= set(LANGS), sorted(set(PLURALS) - set(LANGS))


def expected_text(tr: Translator, template: str, n: int) -> str:
    """The table's text with n (and the other inserts) filled in as the bot fills them."""
    return template.format(**{k: tr.insert(v) for k, v in {"n": n, **OTHER_VALUES}.items()})


@pytest.mark.parametrize("lang", LANGS)
def test_plural_texts_follow_the_cldr_category_of_every_count(lang: str, i18n: I18n) -> None:
    tr = i18n.get(lang)
    assert tr.lang == lang
    rule = Locale.parse(lang).plural_form
    plurals = plural_entries(lang)
    mismatches: dict[tuple[str, str], list[str]] = {}
    checked = 0
    for singular, row in PLURALS.get(lang, {}).items():
        if singular not in plurals:
            continue  # reported by test_every_plural_entry_has_a_row_in_the_table
        for n in COUNTS:
            category = rule(n)
            if category not in row:
                continue  # likewise
            got = tr.ngettext(singular, plurals[singular], n, **OTHER_VALUES)
            expected = expected_text(tr, row[category], n)
            checked += 1
            if got != expected:
                mismatches.setdefault((singular, category), []).append(
                    f"{lang} {singular!r} n={n} ({category}): got {got!r}, expected {expected!r}")
    assert checked, f"{lang}: nothing was checked"
    if mismatches:
        total = sum(len(found) for found in mismatches.values())
        first = [found[0] + (f" (and {len(found) - 1} more n)" if len(found) > 1 else "")
                 for found in mismatches.values()]
        pytest.fail(f"{total} of {checked} plural texts differ from the table; check the "
                    "catalog's Plural-Forms header against its msgstr[i] order. First per entry "
                    "and category:\n" + "\n".join(first[:8]), pytrace=False)
