"""The language a resident's text is translated from: the chosen one while the letters fit its
script, else py3langid's pick among the site's languages of the text's script, never another.
The real model (shipped in the package) is loaded once for the whole session."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from bot.translate import detect
from bot.translate.detect import script_of, scripts_of, source_language

SITE = ["nl", "ar", "tr", "en"]  # config/overvecht.example.toml
NO_EN = ["nl", "ar", "tr", "pl"]

DUTCH = "Er is elke nacht harde muziek bij de buren"
ENGLISH = "There is loud music at the neighbours every night, we cannot sleep"
ARABIC = "هناك موسيقى صاخبة كل ليلة عند الجيران"
TIGRINYA = "ሰላም ከመይ ኣለኹም፣ ኣብ ገዛና ማይ የለን"


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model must not be needed: loading it fails the test."""
    def refuse() -> None:
        raise AssertionError("the model was loaded")
    monkeypatch.setattr(detect, "_identifier", None)
    monkeypatch.setattr(detect, "_load", refuse)


def test_arabic_resident_writing_arabic_stays_arabic() -> None:
    assert source_language(ARABIC, "ar", SITE) == "ar"


@pytest.mark.parametrize("text", [
    DUTCH,
    "De lift is al twee weken kapot en mijn moeder kan niet naar beneden",
    "Hallo, de verwarming doet het niet. Kunt u iemand sturen?",
])
def test_arabic_resident_writing_dutch_in_latin_letters_is_dutch(text: str) -> None:
    assert source_language(text, "ar", SITE) == "nl"


@pytest.mark.parametrize("text", [
    ENGLISH,
    "The elevator has been broken for two weeks",
    "Hello, the heating does not work. Can you send someone?",
])
def test_arabic_resident_writing_english_is_english(text: str) -> None:
    assert source_language(text, "ar", SITE) == "en"


def test_arabic_resident_writing_turkish_is_turkish() -> None:
    text = "Komşular her gece yüksek sesle müzik çalıyor, uyuyamıyoruz"
    assert source_language(text, "ar", SITE) == "tr"


@pytest.mark.parametrize("text", [ENGLISH, "Hello, the heating does not work", "Thanks a lot!"])
def test_without_english_on_the_site_english_text_is_never_english(text: str) -> None:
    found = source_language(text, "ar", NO_EN)
    assert found in {"nl", "tr", "pl"}  # the site's Latin-script languages
    assert found != "en"


def test_only_one_site_language_in_the_script_needs_no_model(no_model: None) -> None:
    assert source_language(ENGLISH, "ar", ["nl", "ar"]) == "nl"
    assert source_language(ARABIC, "nl", ["nl", "ar"]) == "ar"


def test_a_chosen_language_whose_script_fits_stays_even_if_the_words_are_another(
        no_model: None) -> None:
    # The rule: the resident's choice beats a detector within one script (short texts confuse
    # neighbours like nl/en far more often than residents switch language), so no model here.
    assert source_language(DUTCH, "tr", SITE) == "tr"
    assert source_language(ENGLISH, "nl", SITE) == "nl"
    assert source_language(DUTCH, "en", SITE) == "en"


def test_dutch_resident_writing_arabic_is_arabic_if_the_site_has_it() -> None:
    assert source_language(ARABIC, "nl", SITE) == "ar"
    assert source_language(ARABIC, "nl", ["nl", "tr", "en"]) == "nl"


@pytest.mark.parametrize("text", ["0612345678", "12:30 3b", "👍", "🙏🙏🙏 👍", "ok", "OK!!", "?",
                                  "", "   ", "https://example.com/melding/12345", "a.b@example.nl"])
@pytest.mark.parametrize("chosen", ["ar", "nl", "tr"])
def test_no_or_too_few_letters_keep_the_chosen_language(text: str, chosen: str,
                                                        no_model: None) -> None:
    assert source_language(text, chosen, SITE) == chosen


def test_digits_and_a_phone_number_do_not_hide_arabic() -> None:
    assert source_language("+31 6 1234 5678 اتصل بي من فضلك", "nl", SITE) == "ar"
    assert source_language("٠٦١٢٣٤٥٦٧٨ مرحبا", "tr", SITE) == "ar"  # Arabic-Indic digits


def test_mixed_text_goes_with_the_script_of_most_letters() -> None:
    assert source_language(f"{ARABIC} OK, WhatsApp 06-12345678", "nl", SITE) == "ar"
    assert source_language(f"{DUTCH} شكرا", "ar", SITE) == "nl"


def test_links_and_addresses_are_not_letters() -> None:
    text = "https://www.example.com/de-lift-is-kapot jan.jansen@example.nl مرحبا"
    assert script_of(text) == "Arabic"
    assert source_language(text, "nl", SITE) == "ar"


def test_tigrinya_keeps_the_chosen_language_when_the_site_lacks_it(no_model: None) -> None:
    assert source_language(TIGRINYA, "nl", SITE) == "nl"
    assert source_language(TIGRINYA, "nl", ["nl", "ar", "ti"]) == "ti"


def test_a_site_language_the_model_does_not_know_is_never_guessed_over_one_it_knows() -> None:
    # "ti" and "am" are both Ethiopic; py3langid knows Amharic only, and Amharic text gets "am"
    assert source_language("ሰላም እንዴት ነህ፣ ቤታችን ውሃ የለውም", "nl", ["nl", "ti", "am"]) == "am"


def test_a_detected_code_is_always_one_of_the_sites() -> None:
    texts = [DUTCH, ENGLISH, ARABIC, TIGRINYA, "Dzień dobry, winda nie działa od tygodnia",
             "Bonjour, l'ascenseur est en panne", "Привет, лифт не работает уже неделю",
             "Salam, kayn sda3 bzaf f lil", "Γεια σας, το ασανσέρ δεν λειτουργεί"]
    for languages in (SITE, NO_EN, ["nl", "ar"], ["tr", "so", "ar"], ["nl"]):
        for chosen in languages:
            for text in texts:
                found = source_language(text, chosen, languages)
                assert found in languages, (text, chosen, languages, found)


def test_codes_with_a_region_use_the_language_s_script() -> None:
    assert source_language(DUTCH, "ar-MA", ["nl-NL", "ar-MA", "en-GB"]) == "nl-NL"
    assert source_language(ARABIC, "nl-NL", ["nl-NL", "ar-MA", "en-GB"]) == "ar-MA"


def test_darija_is_written_in_arabic_and_in_latin_letters(no_model: None) -> None:
    assert scripts_of("ary") == {"Arabic", "Latin"}
    assert source_language("Salam, kayn sda3 bzaf f lil", "ary", SITE) == "ary"
    assert source_language(ARABIC, "ary", SITE) == "ary"


@pytest.mark.parametrize(("text", "script"), [
    (DUTCH, "Latin"), (ARABIC, "Arabic"), (TIGRINYA, "Ethiopic"),
    ("Привет", "Cyrillic"), ("שלום", "Hebrew"), ("电梯坏了", "Han"),
    ("ﻣﺮﺣﺒﺎ", "Arabic"),  # presentation forms
    ("𝐇𝐞𝐥𝐥𝐨 Ｗｏｒｌｄ", "Latin"),  # "bold" and full-width letters
    ("12345 !? 👍", None), ("", None),
])
def test_script_of(text: str, script: str | None) -> None:
    assert script_of(text) == script


def test_scripts_of_defaults_to_latin() -> None:
    assert scripts_of("nl") == {"Latin"}
    assert scripts_of("so") == {"Latin"}
    assert scripts_of("ar") == {"Arabic"}
    assert scripts_of("ti") == {"Ethiopic"}


@pytest.fixture
def counted_loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    loads: list[int] = []
    identifier = detect._model()  # the session's: the real model is loaded once, not per test

    def slow_load() -> object:
        loads.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while the first one loads
        return identifier

    monkeypatch.setattr(detect, "_identifier", None)
    monkeypatch.setattr(detect, "_load", slow_load)
    yield loads


def test_the_model_loads_once_for_concurrent_first_calls(counted_loads: list[int]) -> None:
    results: list[str] = []
    start = threading.Barrier(8)

    def run() -> None:
        start.wait()
        results.append(source_language(DUTCH, "ar", SITE))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["nl"] * 8
    assert len(counted_loads) == 1
