"""What in a resident's own words could tell staff who they are.

Before an anonymous report goes out the bot points these out, so the resident can take them
out: a phone number, an e-mail address, a house number, a name they give ("mijn naam is …",
"اسمي …", "adım …") and a licence plate.

    identifying_details("Mijn naam is Amina, bel 06-12345678")
    # [Detail(NAME, "Amina", 13, 18), Detail(PHONE, "06-12345678", 24, 35)]

What counts, and what does not (a hint that cries wolf teaches residents to tap it away):

- phone: Dutch mobile and landline numbers (ten digits from a 0, any spacing or dashes), +31 /
  0031 and other international numbers, Turkish mobiles (0532 …). Not 112, 0800/0900 service
  numbers, dates, times, amounts or short counts.
- house number: a keyword and a number ("nummer 12", "huisnummer 14", "nr. 3", "no 12",
  "رقم 12", "numara 12", "kapı 12", "12 numarada", "apartment 4B"), or a street-like word and a
  number ("Zambesidreef 12"). A floor ("verdieping 4", "4 hoog", "الطابق 4", "4. kat") is not: in
  a flat of a hundred homes a floor points at many people; so are counts ("nummer 2 keer").
- name: after "mijn naam is", "ik heet", "naam:", "my name is", "اسمي", "أنا اسمي", "benim adım",
  "ismim"; after "ik ben", "adım" and a greeting at the end ("Groeten, Amina") only a capitalised
  word that is not a feeling, nationality, day or other common word ("ik ben bang", "Ik ben
  Marokkaans", "adım adım" are no names).
- licence plate: the Dutch side codes (12-ABC-3, AB-123-C, 1-ABC-23, XX-99-99, …), any case with
  dashes; without dashes only the modern side codes, in capitals or in the consonants plates use
  (so "50euro" or a postcode "3563AB" is not a plate).
- e-mail: anything@domain.tld; and a bank account (IBAN), whose digits are no phone number.

Arabic-Indic (٠-٩) and Persian (۰-۹) digits count as digits. Pure: no I/O, no telegram.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class DetailKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    HOUSE_NUMBER = "house_number"
    NAME = "name"
    PLATE = "plate"
    BANK_ACCOUNT = "bank_account"


@dataclass(frozen=True)
class Detail:
    """One thing found: its kind, the words as the resident wrote them, and where."""

    kind: DetailKind
    text: str
    start: int
    end: int


# one character for one character, so positions in the normalised text are positions in the text
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９", "0123456789" * 3)


def identifying_details(text: str) -> list[Detail]:
    """Everything in `text` that could identify its writer, in reading order, never overlapping
    (an e-mail address wins over the digits in it, a phone number over "nummer 06")."""
    norm = text.translate(_DIGITS)
    found: list[Detail] = []
    for finder in (_emails, _ibans, _phones, _plates, _house_numbers, _names):
        for kind, start, end in finder(norm):
            if not any(start < d.end and d.start < end for d in found):
                found.append(Detail(kind, text[start:end], start, end))
    return sorted(found, key=lambda d: d.start)


Span = tuple[DetailKind, int, int]

# -- e-mail -------------------------------------------------------------------------------------
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")


def _emails(text: str) -> list[Span]:
    return [(DetailKind.EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(text)]


# -- bank accounts (not asked for, but a bank account names its holder, and its digits must not
# pass for a phone number) ---------------------------------------------------------------------
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?(?![\w])",
                   re.IGNORECASE)


def _ibans(text: str) -> list[Span]:
    return [(DetailKind.BANK_ACCOUNT, m.start(), m.end()) for m in _IBAN.finditer(text)
            if sum(c.isdigit() for c in m.group()) >= 8]


# -- phone numbers ------------------------------------------------------------------------------
# Dates and clock times are blanked first, so "12-03-2026 10:00" never joins into ten digits.
_DATE = re.compile(
    r"(?<![0-9][-/.])(?<![0-9])"
    r"(?:[0-3]?[0-9][-/.][01]?[0-9][-/.](?:[0-9]{4}|[0-9]{2})|[0-9]{4}-[01]?[0-9]-[0-3]?[0-9])"
    r"(?![0-9]|[-/. ][0-9])")
_TIME = re.compile(r"(?<![0-9][-/.])(?<![0-9])[0-2]?[0-9][:.][0-5][0-9](?![0-9]|[-/.][0-9])")
_GROUP = re.compile(r"[0-9]+")
_GAP = re.compile(r"[ \u00a0\u200e\u200f().\-/]{1,3}")  # what may stand between digit groups
_SERVICE = ("0800", "0900", "0906", "0909")  # businesses and helplines, nobody's own number


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: "#" * len(m.group()), text)


def _is_phone(digits: str, international: bool) -> bool:
    if international:  # +31 6 12345678, +90 532 123 45 67
        return 10 <= len(digits) <= 15
    if digits.startswith("00"):  # 0031 6 12345678
        return 12 <= len(digits) <= 17
    if digits.startswith("0") and not digits.startswith(_SERVICE):
        # 06 12345678, 030-1234567; a Turkish mobile 0532 123 45 67 has eleven
        return len(digits) == 10 or (len(digits) == 11 and digits[1] == "5")
    return False


def _phones(text: str) -> list[Span]:
    masked = _blank(_blank(text, _DATE), _TIME)
    groups = [m for m in _GROUP.finditer(masked)
              if not _touches_letter(masked, m.start(), m.end())]
    runs: list[list[re.Match[str]]] = []
    for g in groups:  # digit groups with only spaces, dashes, dots or brackets between them
        if runs and _GAP.fullmatch(masked[runs[-1][-1].end():g.start()]):
            runs[-1].append(g)
        else:
            runs.append([g])
    spans: list[Span] = []
    for run in runs:
        i = 0
        while i < len(run):
            start = run[i].start()
            plus = masked[max(0, start - 2):start].replace(" ", "").replace("(", "").endswith("+")
            for j in range(len(run), i, -1):  # the longest number that starts here
                digits = "".join(g.group() for g in run[i:j])
                if _is_phone(digits, plus):
                    begin = masked.rindex("+", max(0, start - 2), start) if plus else start
                    if begin == start and start > 0 and masked[start - 1] == "(":
                        begin -= 1  # "(030) 123 45 67" keeps its bracket
                    spans.append((DetailKind.PHONE, begin, run[j - 1].end()))
                    i = j
                    break
            else:
                i += 1
    return spans


def _touches_letter(text: str, start: int, end: int) -> bool:
    """Digits glued to letters ("NL91ABNA0417164300", "4B", "12ABC3") are no phone number."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return before.isalpha() or after.isalpha()


# -- licence plates -----------------------------------------------------------------------------
# The Dutch side codes: X a letter, 9 a digit. 1-3 are from before 1978; 4-14 are used now.
_OLD_SIDECODES = {"XX-99-99", "99-99-XX", "99-XX-99"}
_NEW_SIDECODES = {"XX-99-XX", "XX-XX-99", "99-XX-XX", "99-XXX-9", "9-XXX-99", "XX-999-X",
                  "X-999-XX", "XXX-99-X", "X-99-XXX", "9-XX-999", "999-XX-9"}
_PLATE_LETTERS = set("BDFGHJKLMNPRSTVWXZ")  # no vowels (so no words), no C, Q or Y
_PLATE_DASHED = re.compile(r"(?<![\w-])[A-Za-z0-9]{1,3}-[A-Za-z0-9]{1,3}-[A-Za-z0-9]{1,3}"
                           r"(?![\w]|-[\w])")
_PLATE_PLAIN = re.compile(r"(?<![\w-])[A-Za-z0-9]{6}(?![\w]|-[\w])")
_MONTHS = {  # "1-mrt-26" is a date, though it fits side code 8
    "JAN", "FEB", "MRT", "MAR", "APR", "MEI", "MAY", "JUN", "JUL", "AUG", "SEP", "OKT", "OCT",
    "NOV", "DEC", "DES", "OCA", "NIS", "HAZ", "TEM", "EYL", "EKI", "KAS", "ARA",
}
_UNITS = {"EURO", "EUR", "JAAR", "KEER", "SAAT", "UUR", "DAG", "DAGEN", "MIN", "SEC", "KM", "KG"}


def _shape(token: str) -> str:
    return "".join("X" if c.isalpha() else "9" if c.isdigit() else c for c in token)


def _words_in(token: str, words: set[str]) -> bool:
    return any(run in words for run in re.findall(r"[A-Z]+", token.upper()))


def _plates(text: str) -> list[Span]:
    spans: list[Span] = []
    for m in _PLATE_DASHED.finditer(text):
        dashed = _OLD_SIDECODES | _NEW_SIDECODES
        if _shape(m.group()) in dashed and not _words_in(m.group(), _MONTHS):
            spans.append((DetailKind.PLATE, m.start(), m.end()))
    plain = {code.replace("-", "") for code in _NEW_SIDECODES}
    for m in _PLATE_PLAIN.finditer(text):
        token = m.group()
        if _shape(token) not in plain or _words_in(token, _MONTHS | _UNITS):
            continue
        letters = [c for c in token if c.isalpha()]
        if all(c.isupper() for c in letters) or all(c.upper() in _PLATE_LETTERS
                                                    for c in letters):
            spans.append((DetailKind.PLATE, m.start(), m.end()))
    return spans


# -- house numbers ------------------------------------------------------------------------------
_NUMBER = (r"[0-9]{1,4}(?![0-9])"  # 12, 12a, 12-A, 12 B, 12-2
           r"(?:-?[A-Za-z](?![\w])|(?-i:\s[A-Z])(?![\w])|-[0-9]{1,3}(?![0-9]))?")
_KEYWORD_NUMBER = re.compile(
    r"(?<![\w])(?:huisnummer|huisnr\.?|nummer|nr\.?|no\.?|number|house\s+number|apartment|"
    r"appartement|apt\.?|flat|kapı(?:\s+(?:no|numarası|numaram))?|numara(?:sı|m)?|"
    r"daire(?:\s+(?:no|numarası))?|ev\s+numaram|(?:ال)?(?:شقة|بيت|منزل)?\s?رقم(?:\s+(?:ال)?"
    r"(?:بيت|منزل|شقة))?|شقة|شقتي)"
    r"\s*[:.#]?\s*(" + _NUMBER + ")", re.IGNORECASE)
_NUMBER_KEYWORD = re.compile(  # Turkish puts the number first: "12 numarada oturuyorum"
    r"(?<![\w.])(" + _NUMBER + r")\s*(?:numarada|numaralı|numarali|no'?lu|nolu)(?![\w])",
    re.IGNORECASE)
_STREETS = ("straat", "laan", "weg", "plein", "dreef", "gracht", "kade", "singel", "hof",
            "steeg", "dijk", "pad", "plantsoen", "markt")
_STREET_NUMBER = re.compile(
    r"(?<![\w])[^\W\d_]{2,}(?:" + "|".join(_STREETS) + r")\s+(?:nummer\s+|nr\.?\s*)?("
    + _NUMBER + ")", re.IGNORECASE)
# a number followed by these counts or measures something, or is a floor: not a home
_AFTER_NUMBER = re.compile(
    r"(?:[:.,][0-9]|(?:ste|de|th|st|nd|rd|e)(?![\w])|\.\s?kat|\s*%|\s*x(?![\w])|"
    r"\s*(?:keer|keren|uur|u|minuten|minuut|min|seconden|dagen|dag|nachten|nacht|weken|week|"
    r"maanden|maand|jaar|jaren|kinderen|kind|mensen|personen|jongens|mannen|vrouwen|meisjes|"
    r"honden|katten|auto's|autos|euro|eur|meter|km|kilo|verdieping|etage|hoog|"
    r"times|hours|hour|days|people|kids|children|years|floor|"
    r"kez|kere|defa|saat|gün|kişi|çocuk|yıl|yaşında|dakika|kat|katta|"
    r"مرات|مرة|ساعة|ساعات|أيام|يوم|أشخاص|أطفال|سنة|سنوات|دقيقة|دقائق|طابق)(?![\w]))",
    re.IGNORECASE)


def _house_numbers(text: str) -> list[Span]:
    spans: list[Span] = []
    for pattern in (_STREET_NUMBER, _KEYWORD_NUMBER, _NUMBER_KEYWORD):
        for m in pattern.finditer(text):
            number_end = m.end(1)
            if _AFTER_NUMBER.match(text, number_end) or _is_year(m.group(1)):
                continue
            spans.append((DetailKind.HOUSE_NUMBER, m.start(), m.end()))
    return spans


def _is_year(number: str) -> bool:
    return len(number) == 4 and number.isdigit() and 1900 <= int(number) <= 2099


# -- names --------------------------------------------------------------------------------------
_WORD = re.compile(r"(?:[^\W\d_]|[\u064b-\u065f\u0670])+(?:-[^\W\d_]+)*")
# (trigger, whether the name must be capitalised): after "mijn naam is" anyone may type "amina",
# after "ik ben" only "Amina" is a name ("ik ben bang")
_TRIGGERS: list[tuple[re.Pattern[str], bool]] = [
    (re.compile(r"(?<![\w])(?:mijn\s+naam\s+is|ik\s+heet|my\s+name\s+is|i\s+am\s+called|"
                r"benim\s+adım|benim\s+ismim|ismim|adım\s+soyadım|"
                r"(?:naam|name|isim|ad\s+soyad)\s*:)(?![\w])\s*:?\s*", re.IGNORECASE), False),
    (re.compile(r"(?<![\w])(?:اسمي|إسمي|أسمي|اسمى)(?:\s+(?:هو|هي))?(?:\s+الكامل)?(?![\w])"
                r"\s*:?\s*"), False),
    (re.compile(r"(?<![\w])(?:ik\s+ben|i\s+am|i'm|adım)\s+", re.IGNORECASE), True),
    (re.compile(r"(?<![\w])(?:groeten|groetjes|groet|mvg|m\.v\.g\.|regards|saygılarımla|"
                r"selamlar|sevgiler)(?![\w])\s*[,:]?\s*", re.IGNORECASE), True),
]
_NOT_A_NAME = {
    # Dutch
    "niet", "geen", "bang", "boos", "moe", "ziek", "blij", "bezorgd", "alleen", "thuis", "hier",
    "daar", "erg", "heel", "zo", "al", "ook", "nu", "echt", "de", "het", "een", "die", "dat",
    "deze", "dit", "er", "wel", "zelf", "anoniem", "geheim", "onbekend", "belangrijk", "bewoner",
    "buurman", "buurvrouw", "buren", "moeder", "vader", "zwanger", "oud", "jong", "nieuw", "gek",
    "klaar", "op", "in", "van", "met", "bij", "voor", "weer", "nog", "bijna", "net", "pas",
    "je", "u", "jullie", "iedereen", "welkom", "hem", "haar", "wakker", "bezig", "gehandicapt",
    "invalide", "eenzaam", "verdrietig", "ongerust", "zat", "aan", "uit", "bewoners",
    "nederlands", "nederlandse", "nederlander", "marokkaans", "marokkaanse", "marokkaan", "turks",
    "turkse", "turk", "syrisch", "syrische", "somalisch", "somalische", "eritrees", "eritrese",
    "arabisch", "arabische", "koerdisch", "koerdische", "afghaans", "afghaanse", "pools",
    "poolse", "surinaams", "surinaamse", "moslim", "christen", "familie", "team", "buurt",
    # English
    "not", "afraid", "scared", "sorry", "here", "the", "a", "an", "dutch", "moroccan",
    "turkish", "syrian", "muslim", "from", "very", "so", "also", "resident", "neighbour",
    "neighbor", "mother", "father", "tired", "sick", "alone", "home", "ok", "okay", "fine",
    "happy", "sad", "angry", "pregnant", "disabled", "at", "worried", "living", "all", "you",
    # Turkish
    "değil", "çok", "burada", "ben", "bir", "türk", "türküm", "müslüman", "hasta", "adım",
    "korkuyorum", "komşu", "anne", "baba", "herkese", "size",
    # Arabic
    "هو", "هي", "الكامل", "لا", "غير", "ليس", "مهم", "سري",
    # days and months (a capital by mistake: "ik ben Maandag ...")
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "vandaag",
    "gisteren", "morgen", "januari", "februari", "maart", "april", "mei", "juni", "juli",
    "augustus", "september", "oktober", "november", "december", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "pazartesi", "salı", "çarşamba",
    "perşembe", "cuma", "cumartesi", "pazar", "bugün", "dün", "yarın",
}


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and not (len(word) > 1 and word.isupper())


def _name_word(text: str, at: int, capital: bool) -> re.Match[str] | None:
    m = _WORD.match(text, at)
    if m is None or m.group().casefold() in _NOT_A_NAME:
        return None
    if capital and not _capitalised(m.group()):
        return None
    return m


def _names(text: str) -> list[Span]:
    spans: list[Span] = []
    for trigger, capital in _TRIGGERS:
        for t in trigger.finditer(text):
            first = _name_word(text, t.end(), capital)
            if first is None:
                continue
            end = first.end()
            cased = first.group()[:1].isupper()
            for _ in range(2):  # a surname or two, when they are capitalised too: Amina Haddad
                if not cased:
                    break
                gap = re.match(r" +", text[end:])
                nxt = _name_word(text, end + len(gap.group()), True) if gap else None
                if nxt is None or re.match(r"\s+[0-9]", text[nxt.end():]):
                    break  # "Amina Zambesidreef 12": the street is no surname
                end = nxt.end()
            spans.append((DetailKind.NAME, first.start(), end))
    return spans
