"""What in a resident's own words could identify them (bot/domain/identifying.py): what must be
found, in Dutch, Arabic, Turkish and English, and the everyday sentences that must not be."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.identifying import Detail, DetailKind, identifying_details

PHONE, EMAIL, HOUSE, NAME, PLATE, BANK = (
    DetailKind.PHONE, DetailKind.EMAIL, DetailKind.HOUSE_NUMBER, DetailKind.NAME,
    DetailKind.PLATE, DetailKind.BANK_ACCOUNT)


def found(text: str) -> list[tuple[DetailKind, str]]:
    return [(d.kind, d.text) for d in identifying_details(text)]


# -- phone numbers ------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "number"), [
    ("bel me op 06 12345678", "06 12345678"),
    ("bel me op 06-12345678", "06-12345678"),
    ("mijn nummer is 0612345678.", "0612345678"),
    ("06 1234 5678", "06 1234 5678"),
    ("06 12 34 56 78", "06 12 34 56 78"),
    ("06.12.34.56.78", "06.12.34.56.78"),
    ("+31 6 12345678", "+31 6 12345678"),
    ("+31612345678", "+31612345678"),
    ("+31 (0)6 12345678", "+31 (0)6 12345678"),
    ("0031 6 12345678", "0031 6 12345678"),
    ("vast: 030-1234567", "030-1234567"),
    ("030 123 4567", "030 123 4567"),
    ("(030) 123 45 67", "(030) 123 45 67"),
    ("رقمي ٠٦١٢٣٤٥٦٧٨", "٠٦١٢٣٤٥٦٧٨"),  # Arabic-Indic digits, given back as written
    ("شماره من ۰۶۱۲۳۴۵۶۷۸", "۰۶۱۲۳۴۵۶۷۸"),  # Persian digits
    ("رقمي ٠٦-١٢٣٤٥٦٧٨", "٠٦-١٢٣٤٥٦٧٨"),
    ("Numaram 0532 123 45 67", "0532 123 45 67"),  # a Turkish mobile
    ("+90 532 123 45 67", "+90 532 123 45 67"),
    ("tel:0612345678", "0612345678"),
])
def test_phone_numbers(text: str, number: str) -> None:
    assert found(text) == [(PHONE, number)]


def test_two_numbers_side_by_side_are_two() -> None:
    assert found("06 12345678 of 06 87654321") == [(PHONE, "06 12345678"),
                                                   (PHONE, "06 87654321")]
    assert found("06 12345678 0687654321") == [(PHONE, "06 12345678"), (PHONE, "0687654321")]


@pytest.mark.parametrize("text", [
    "Ik heb 112 gebeld", "Ik heb de politie gebeld, 0900-8844", "0800-1234567 is gratis",
    "Het gebeurde op 12-03-2026 om 22:30", "12-03-2026 10:00", "01-03-2026 10:00 uur",
    "2026-03-12", "12/03/2026", "١٢-٠٣-٢٠٢٦", "op 12 maart 2026", "om 06.30 uur",
    "Het kost € 1.250,00", "€ 50", "€50,-", "50 euro", "ref M-0042", "0612", "6 12345678",
    "1234567890",
])
def test_what_is_no_phone_number(text: str) -> None:
    assert [k for k, _ in found(text)] == []


def test_a_bank_account_is_no_phone_number() -> None:
    assert found("rekening NL91 ABNA 0417 1643 00") == [(BANK, "NL91 ABNA 0417 1643 00")]
    assert found("nl91abna0417164300") == [(BANK, "nl91abna0417164300")]
    assert found("NL12 DEZE WEEK HEEL VAAK") == []


# -- e-mail -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "address"), [
    ("mail me: amina.haddad@gmail.com", "amina.haddad@gmail.com"),
    ("a_h+buurt@hotmail.nl.", "a_h+buurt@hotmail.nl"),
    ("بريدي ali.yilmaz@outlook.com شكرا", "ali.yilmaz@outlook.com"),
])
def test_email_addresses(text: str, address: str) -> None:
    assert found(text) == [(EMAIL, address)]


def test_digits_in_an_email_address_are_no_phone_number() -> None:
    assert found("piet0612345678@example.nl") == [(EMAIL, "piet0612345678@example.nl")]


@pytest.mark.parametrize("text", ["stuur een e-mail", "@buurman doe normaal", "a@b"])
def test_what_is_no_email_address(text: str) -> None:
    assert found(text) == []


# -- house numbers ------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "shown"), [
    ("Ik woon op nummer 12", "nummer 12"),
    ("huisnummer 14", "huisnummer 14"),
    ("Huisnr. 14a", "Huisnr. 14a"),
    ("de buren van nr. 3", "nr. 3"),
    ("nr12 maakt lawaai", "nr12"),
    ("No 12", "No 12"),
    ("house number 7", "house number 7"),
    ("apartment 4B", "apartment 4B"),
    ("flat 4B", "flat 4B"),
    ("appartement 112", "appartement 112"),
    ("Zambesidreef 12", "Zambesidreef 12"),
    ("ik woon aan de zambesidreef 12-B", "zambesidreef 12-B"),
    ("Marshallaan 3 bis", "Marshallaan 3"),
    ("Zambesidreef nummer 40", "Zambesidreef nummer 40"),
    ("أسكن في رقم 12", "رقم 12"),
    ("البيت رقم ١٤", "البيت رقم ١٤"),
    ("شقة 4", "شقة 4"),
    ("numara 12", "numara 12"),
    ("kapı 12", "kapı 12"),
    ("Kapı no: 12", "Kapı no: 12"),
    ("12 numarada oturuyorum", "12 numarada"),
    ("daire 7", "daire 7"),
])
def test_house_numbers(text: str, shown: str) -> None:
    assert found(text) == [(HOUSE, shown)]


@pytest.mark.parametrize("text", [
    # floors point at many homes: not identifying on their own
    "verdieping 4", "Op de 4e verdieping", "4 hoog", "de derde etage", "4. katta", "kat 4",
    "الطابق 4", "الطابق الرابع", "floor 4",
    # counts, times and measures
    "4 keer", "2 uur", "elke nacht om 3 uur", "nummer 2 keer gebeld", "2 kinderen",
    "3 jongens in de hal", "Zambesidreef 4 hoog", "nummer 12:30", "al 5 jaar",
    "Her gece saat 2'de", "٣ مرات", "Zambesidreef 2025",
    # a street without a number, a number without a street
    "bij de Zambesidreef", "de buurman van 14 maakt lawaai", "in de straat 3 auto's",
    "nummer 3de", "postcode 3563 AB",
])
def test_what_is_no_house_number(text: str) -> None:
    assert [k for k, _ in found(text)] == []


# -- names --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "name"), [
    ("Mijn naam is Amina", "Amina"),
    ("mijn naam is amina", "amina"),  # typed without a capital: still a name
    ("Mijn naam is Amina Haddad, de buren", "Amina Haddad"),
    ("Ik heet Mehmet", "Mehmet"),
    ("Ik ben Amina", "Amina"),
    ("Hallo, ik ben Youssef en ik woon hier", "Youssef"),
    ("Naam: Fatima", "Fatima"),
    ("My name is John", "John"),
    ("I'm Sara", "Sara"),
    ("Groeten, Amina", "Amina"),
    ("Groetjes Noor", "Noor"),
    ("اسمي أمينة", "أمينة"),
    ("أنا اسمي أمينة وأسكن هنا", "أمينة"),
    ("إسمي: يوسف", "يوسف"),
    ("اسمي هو نور", "نور"),
    ("Benim adım Ayşe", "Ayşe"),
    ("benim adım ayşe", "ayşe"),
    ("Adım Mehmet, komşum", "Mehmet"),
    ("ismim Fatma", "Fatma"),
    ("Adım soyadım: Ali Yılmaz", "Ali Yılmaz"),
    ("Saygılarımla, Emre", "Emre"),
])
def test_names(text: str, name: str) -> None:
    assert found(text) == [(NAME, name)]


@pytest.mark.parametrize("text", [
    "ik ben bang", "Ik ben bang", "Ik ben boos en moe", "Ik ben Marokkaans",
    "Ik ben Nederlander", "Ik ben Moslim", "ik ben niet thuis", "Ik ben 70 jaar",
    "ik heet je welkom", "Mijn naam is niet belangrijk", "Mijn naam is geheim",
    "I am Dutch", "I am afraid", "I'm sorry", "IK BEN BANG",
    "Adım adım anlatıyorum", "bir adım attım", "Ben çok korkuyorum",
    "الجيران يصرخون كل ليلة", "أنا خائفة جدا", "Groeten aan iedereen",
    "Met vriendelijke groet, de bewoners",
])
def test_what_is_no_name(text: str) -> None:
    assert [k for k, _ in found(text)] == []


def test_a_street_after_a_name_is_no_surname() -> None:
    assert found("Ik ben Amina Zambesidreef 12") == [(NAME, "Amina"),
                                                     (HOUSE, "Zambesidreef 12")]
    assert found("Mijn naam is Amina van Dijk") == [(NAME, "Amina")]


# -- licence plates -----------------------------------------------------------------------------
@pytest.mark.parametrize("plate", [
    "12-ABC-3", "AB-123-C", "1-ABC-23", "XX-99-99", "12-tnx-3", "GB-12-JK", "99-XX-99",
    "12TNX3", "12tnx3", "GBJK12", "1KBL23", "K123HJ",
])
def test_licence_plates(plate: str) -> None:
    assert found(f"de auto met kenteken {plate} staat er elke dag") == [(PLATE, plate)]


@pytest.mark.parametrize("text", [
    "50euro", "20jaar", "10keer", "3563AB", "1000km", "1-mrt-26", "5-okt-24",
    "covid-19", "t-shirt", "e-mail", "2-3-4", "A4", "mp3", "Het is 12-03-2026",
    "abcdef", "123456", "Tigris", "10saat",
])
def test_what_is_no_licence_plate(text: str) -> None:
    assert [k for k, _ in found(text)] == []


# -- everyday sentences: nothing at all ---------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Harde muziek elke nacht",
    "Vuilniszakken in de gang, al 2 weken",
    "Er wordt elke avond om 23.00 uur gedeald bij portiek B",
    "Op 3 maart om half 2 was er weer lawaai, 4 keer deze week",
    "De lift is kapot sinds 12-03-2026, we wonen op de 8e verdieping met 2 kinderen",
    "Er hangen 5 jongens in de hal en ze roken",
    "Het kost me € 50 per maand extra",
    "موسيقى عالية كل ليلة",
    "الجيران يصرخون كل ليلة من الساعة 11 حتى 3",
    "رأيت 3 أشخاص يبيعون المخدرات في الطابق 4",
    "Gece yarısı gürültü",
    "Merdivenlerde satış yapılıyor, her gün 3 kez",
    "Komşular her gece saat 2'de bağırıyor, 4. katta oturuyorum",
    "There is loud music every night at 2 am",
])
def test_ordinary_sentences_have_nothing(text: str) -> None:
    assert found(text) == []


# -- all together -------------------------------------------------------------------------------
def test_a_whole_story_in_reading_order_with_positions() -> None:
    text = ("Mijn naam is Amina Haddad, ik woon op nummer 12. Bel 06-12345678 of mail "
            "amina@example.nl. De auto 12-TNX-3 staat elke nacht voor de deur, om 3 uur.")
    details = identifying_details(text)
    assert [(d.kind, d.text) for d in details] == [
        (NAME, "Amina Haddad"), (HOUSE, "nummer 12"), (PHONE, "06-12345678"),
        (EMAIL, "amina@example.nl"), (PLATE, "12-TNX-3")]
    assert all(text[d.start:d.end] == d.text for d in details)
    assert details[0] == Detail(NAME, "Amina Haddad", 13, 25)


def test_positions_hold_with_arabic_digits() -> None:
    text = "اسمي نور، رقمي ٠٦١٢٣٤٥٦٧٨ والبيت رقم ١٢"
    details = identifying_details(text)
    assert [(d.kind, d.text) for d in details] == [
        (NAME, "نور"), (PHONE, "٠٦١٢٣٤٥٦٧٨"), (HOUSE, "رقم ١٢")]
    assert all(text[d.start:d.end] == d.text for d in details)


def test_a_phone_number_after_nummer_is_a_phone_number() -> None:
    assert found("mijn nummer: 06 12345678") == [(PHONE, "06 12345678")]


@given(st.text(alphabet=st.sampled_from(list("0123456789٠٦ -+.:/()abAB@nrumesiklpZdfو اسمي")),
               max_size=60))
def test_details_are_slices_of_the_text_in_order_and_never_overlap(text: str) -> None:
    details = identifying_details(text)
    assert all(text[d.start:d.end] == d.text and d.start < d.end for d in details)
    assert all(a.end <= b.start for a, b in pairwise(details))
