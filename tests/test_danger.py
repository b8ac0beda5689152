"""Words that signal acute danger (bot/domain/danger.py, content/danger_words.toml): per language,
sentences that must show 112 and sentences that must not, written the way people text them:
no capitals, typos, no Turkish letters, dialect, Arabizi. Every language's list is checked on
every message, so each sentence is tried against all of them. Where they show 112 (everywhere a
resident types): tests/e2e/test_danger_everywhere.py."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.content import CONTENT_DIR, DangerWords
from bot.domain.danger import CATEGORIES, DangerMatcher, normalise, tokens

DANGER = DangerWords.load(CONTENT_DIR / "danger_words.toml")

MUST = {
    "nl": [
        "er staat iemand met een mes in de hal",
        "Er staat iemand met een MES in de hal",
        "mijn man slaat me",
        "hij slaat mij elke dag",
        "hij wil me doodmaken",
        "buurman zegt dat hij me gaat vermoorden",
        "ik maak je dood zei hij tegen mijn zoon",
        "er is brand op de 4e verdieping",
        "ER IS BRAND!!!",
        "de keuken staat in de fik",
        "ik ruik gas in het trappenhuis",
        "het stinkt naar gas bij de meterkast",
        "mijn moeder ademt niet meer",
        "buurvrouw ligt bewusteloos op de galerij",
        "er word geschoten bij de flat",
        "mijn zoontje is uit het raam gevallen",
        "ik wil niet meer leven",
        "ik wil er een eind aan maken",
        "hij heeft me in elkaar geslagen",
        "er komt rook uit de deur van nr 12",
        "ik durf niet naar huis",
        "er wordt ingebroken bij de buren",
        "mijn kind is kwijt in het winkelcentrum",
        "help hij heeft een pistool",
        "die gast heeft me gestoken",
        "buurman mishandelt zijn vrouw",
        "ze vechten in het portiek met messen",
        "hij bedreigt me al weken",
        "heeeelp hij slaaaat me",
    ],
    "en": [
        "my husband hit me",
        "he is beating my wife again",
        "he said hes going to kill me",
        "someone has a knife in the stairwell",
        "Someone has a GUN",
        "there's a fire in the kitchen",
        "flat 12 is on fire",
        "i smell gas in the hallway",
        "gas leak on the 3rd floor",
        "my dad is not breathing",
        "she passed out and wont wake up",
        "i want to kill myself",
        "i dont want to live anymore",
        "shots fired outside",
        "my kid fell from the balcony",
        "he threatened to stab me",
        "someone is breaking in right now",
        "smoke coming out of the flat next door",
        "im getting beaten",
        "he keeps hitting me",
        "i cant find my son anywhere",
        "smth burning in the kitchen",
        "he is choking",
    ],
    "tr": [
        "kocam beni dovuyor",
        "Kocam beni dövüyor",
        "adam bicakla bekliyor merdivende",
        "bıçağı var elinde",
        "beni oldurecek",
        "beni öldürmek istiyor",
        "mutfakta yangin var",
        "YANGIN VAR",
        "gaz kacagi var koku cok",
        "gaz kokuyor apartmanda",
        "annem nefes almiyor",
        "babam bayildi yerde yatiyor",
        "cocuk balkondan dustu",
        "kendimi oldurecegim",
        "yasamak istemiyorum artik",
        "silah sesleri geliyor",
        "ev yaniyor yardim edin",
        "esim bana vuruyor",
        "bicakladi adami",
        "imdat",
        "cocugum kayboldu",
        "adam ates etti",
        "duman geliyor kapinin altindan",
        "beni tehdit ediyor",
    ],
    "ar": [
        # Modern Standard
        "زوجي يضربني كل يوم",
        "سيقتلني",
        "سمعت إطلاق النار برا",
        "في إطلاق نار قدام العمارة",
        "حَرِيـــق في الطابق",
        "بالسكين",
        "تسرب غاز في العمارة",
        "امي مغمى عليها",
        "سأنتحر",
        # Darija
        "راجلي كيضربني",
        "ابني ما كيتنفسش",
        "ماكيتنفسش",
        "بغيت نموت",
        "ولدي طاح من الشرجم",
        "النار شاعلة فالكوزينة",
        "شعلات العافية فالدار",
        "واحد عندو جنوي",
        "كاين شي حد كيحاول يكسر الباب",
        # Egyptian, Levantine
        "جوزي بيضربني وبيهددني",
        "قال هيقتلني",
        "في واحد معاه سكينة في الدرج",
        "في حريقه في المطبخ",
        "ريحة غاز قوية في الدرج",
        "بدي موت ما بقى فيني",
        "الحقوني",
        "عم يضربني",
        "رح يقتلني",
        # Arabizi
        "3tqoni",
        "rajli kaydrbni",
        "ghadi y9tlni",
        "bghit nmout",
        "kayn l7ri9a f l3imara",
        "ma kaytnfsch",
        "7ay2telni",
        "byedrabni",
        "ri7t lghaz bzaf",
        "el7a2ooni",
    ],
    "pl": [
        "maz mnie bije",
        "on ma noz na klatce",
        "pali sie w kuchni",
        "czuc gaz na klatce schodowej",
        "grozi ze mnie zabije",
        "dziecko nie oddycha",
        "chce sie zabic",
        "strzelaja pod blokiem",
    ],
    "so": [
        "ninkeyga ayaa i garaacay",
        "wuu i dilayaa",
        "nin mindi sita ayaa jooga dabaqa",
        "dab baa ka kacay jikada",
        "waxaa jira ur gaas ah",
        "ilmaha ma neefsanayo",
        "waan is dilayaa",
    ],
    "ti": [
        "ሰብኣየይ ይወቕዓኒ ኣሎ",
        "ክቐትለኒ እዩ ኢሉ",
        "ካራ ሒዙ ኣሎ",
        "ገዛ ሓዊ ተላዒሉ",
        "ጨና ጋዝ ኣሎ",
        "ህጻን ኣይተንፍስን",
        "ነብሰይ ክቐትል እየ",
    ],
}

MUST_NOT = {
    "nl": [
        "het licht brandt de hele nacht in de gang",
        "de lift is weer kapot",
        "brandgang is vies",
        "de buren schieten vuurwerk af om 3 uur snachts",
        "schiet op met de reparatie aub",
        "ik ben gestoken door een wesp op het balkon",
        "de kachel brandt niet meer",
        "ik lach me dood om die brief",
        "ik gun het de buren wel",
        "we hebben foto's geschoten van de schimmel",
        "de gemeente schiet tekort",
        "de buurman rookt op de galerij",
        "hij slaat de deur steeds hard dicht",
        "ik verveel me dood hier",
        "wanneer komt de loodgieter",
    ],
    "en": [
        "just killing time waiting for the plumber",
        "my back is killing me from the stairs",
        "this noise is killing me",
        "the fire door is broken",
        "the fire alarm is beeping, battery low",
        "the neighbours smoke in the hallway",
        "can you shoot me a message when the plumber comes",
        "i need to bleed the radiator",
        "the lift broke down in the morning",
        "hit me up when you know",
        "my doorbell doesnt work",
        "i dont want to live here anymore",
        "brand new fridge is already broken",
        "Loud music at night",
    ],
    "tr": [
        "Ateşim var bugün gelemem",
        "atesim var",
        "ışık yanıyor bütün gece",
        "asansör bozuk",
        "kira çok yüksek",
        "zaman öldürmek için yürüyorum",
        "kalorifer yaniyor ama oda soguk",
        "boru patladi su akiyor",
        "komsu sigara dumani yapiyor",
        "bu sarkiya bayildim",
        "burada yasamak istemiyorum gurultu yuzunden",
        "gözüm yanıyor",
        "bir gün önce haber verin",
        "hangi dili konuşuyorsunuz",
    ],
    "ar": [
        "الله يعطيك العافية",
        "يعطيك العافية",
        "الإيجار مرتفع",
        "المصعد معطل",
        "الجار المسكين مريض",
        "ضربني البرد اليوم",
        "عندي حرقة في المعدة",
        "فاتورة الغاز غالية",
        "الجيران يدخنون في الدرج",
        "قتلني الضحك",
        "ذبحنا الخروف في العيد",
        "ضربلي تليفون امبارح",
        "الاسعار نار",
        "مسدس مياه للاطفال",
        "شكرا على المساعدة",
        "salam 3likoum",
        "kanbghi nkhles lkra",
    ],
    "pl": [
        "winda nie dziala",
        "swiatlo pali sie cala noc na klatce",
        "potrzebuje pomocy z czynszem",
        "zabierz smieci z klatki",
        "bron boze",
        "nozka od stolu sie zlamala",
    ],
    "so": [
        "lifka waa jaban yahay",
        "kirada waa qaali",
        "waxaan u baahanahay caawimaad",
        "dabaqa saddexaad",
        "biyo ayaa ka soo daadanaya saqafka",
    ],
    "ti": [
        "ኪራይ ገዛ ክኸፍል ኣለኒ",
        "ሊፍት ተበላሽዩ",
        "መብራህቲ ኣይሰርሕን",
        "ቆልዓ ይጻወት ኣሎ",
        "ሓገዝ ንኽፍሊት ኪራይ የድልየኒ",
    ],
}


def _table(by_lang: dict[str, list[str]]) -> list[Any]:
    return [pytest.param(text, id=f"{lang}:{text[:30]}") for lang, texts in by_lang.items()
            for text in texts]


@pytest.mark.parametrize("text", _table(MUST))
def test_danger_sentences_trigger(text: str) -> None:
    assert DANGER.match(text) is not None, text


@pytest.mark.parametrize("text", _table(MUST_NOT))
def test_harmless_sentences_do_not_trigger(text: str) -> None:
    assert DANGER.match(text) is None


def test_enough_sentences_per_language() -> None:
    for lang in ("nl", "en", "tr", "ar"):
        assert len(MUST[lang]) >= 15 and len(MUST_NOT[lang]) >= 10, lang
    for lang in ("pl", "so", "ti"):
        assert len(MUST[lang]) >= 6 and len(MUST_NOT[lang]) >= 5, lang


def test_every_kind_of_danger_has_words_in_the_first_languages() -> None:
    wanted = {"violence", "threat", "weapon", "fire", "gas", "suicide", "breathing", "child",
              "domestic"}
    assert wanted <= set(CATEGORIES)
    for lang in ("nl", "en", "tr"):
        assert wanted <= DANGER.categories(lang), lang
    assert wanted <= DANGER.categories("ar") | DANGER.categories("arabizi")
    assert set(DANGER.languages) >= {"nl", "en", "tr", "ar", "arabizi", "pl", "so", "ti"}


def test_what_matched_is_told() -> None:
    hit = DANGER.match("Mijn man SLAAT me, help")
    assert hit is not None and hit.lang == "nl" and hit.category == "domestic"
    assert hit.words == "man slaat"
    hit = DANGER.match("gaz kaçağı var")
    assert hit is not None and (hit.lang, hit.category, hit.words) == ("tr", "gas", "gaz kacagi")


@pytest.mark.parametrize(("typed", "folded"), [
    ("Bıçakladı", "bicakladi"), ("İSTANBUL", "istanbul"), ("ŞİDDET", "siddet"),
    ("öldürecek", "oldurecek"), ("Gaz kaçağı", "gaz kacagi"), ("nóż", "noz"), ("łódź", "lodz"),
    ("can't", "cant"), ("ﺃﻃﻠﻖ", "اطلق"), ("إطلاق", "اطلاق"), ("آسف", "اسف"),
    ("حَرِيـــقَة", "حريقه"), ("مستشفى", "مستشفي"), ("\u202eevil\u202c", "evil"),
])
def test_normalisation_folds_letters_the_way_people_skip_them(typed: str, folded: str) -> None:
    assert normalise(typed) == folded


@pytest.mark.parametrize("text", [
    "يضربني", "كيضربني", "كايضربني", "تيضربني", "حيضربني", "هيضربني", "بيضربني", "سيضربني",
    "غايضربني", "ضربني", "ضربوني", "ضربوه", "ضربتها", "وضربهم", "فضربنا", "الضرب",
])
def test_arabic_clitics_of_every_dialect_are_peeled(text: str) -> None:
    hit = DANGER.match(text)
    assert hit is not None and hit.entry == "ضرب", text


def test_arabic_negation_is_a_clitic_too() -> None:
    for text in ("ما كيتنفسش", "مايتنفسش", "مبيتنفسش", "لا يتنفس", "مش بيتنفس"):
        assert DANGER.match(text) is not None, text
    assert DANGER.match("كيتنفس مزيان") is None  # breathing fine


def test_arabizi_needs_a_clitic_or_a_digit() -> None:
    for text in ("darbni", "drbni", "kaydrbni", "kayedrebni", "byedrabni", "ydrbni"):
        assert DANGER.match(text) is not None, text
    for text in ("doorbell", "durable", "adorable", "derby", "drab", "the boiler is broken"):
        assert DANGER.match(text) is None, text


def test_harmless_words_are_set_aside_not_the_whole_message() -> None:
    assert DANGER.match("het licht brandt in de gang") is None
    hit = DANGER.match("het licht brandt in de gang en er is brand in de kelder")
    assert hit is not None and hit.words.endswith("brand") and "licht" not in hit.words
    assert DANGER.match("killing time until he said he will kill me") is not None


def test_inflection_and_prefixes() -> None:
    for text in ("stabbed", "stabbing", "hij mishandelde haar", "ze zijn mishandeld",
                 "wapens", "bıçaklandı", "bicaklarla", "öldürdü", "silahlı adam"):
        assert DANGER.match(text) is not None, text
    assert DANGER.match("stable") is None and DANGER.match("stabiel") is None


def test_faq_texts_are_ordinary_language() -> None:
    """The FAQ, in every language, is how residents' questions sound: apart from the answers
    about emergencies themselves, nothing in it is danger."""
    about_danger = {"emergency", "report"}
    for path in sorted((CONTENT_DIR / "faq").glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        for section in raw["section"]:
            for item in section.get("item", []):
                if item["id"] in about_danger:
                    continue
                for text in (item["question"], item["answer"], " ".join(item["keywords"])):
                    assert DANGER.match(text) is None, (path.name, item["id"], DANGER.match(text))


@pytest.mark.parametrize(("data", "message"), [
    ({"nl": {"stems": {"weapon": ["twee woorden"]}}}, "one word in stems"),
    ({"nl": {"phrases": {"weapon": ["mes"]}}}, "one word in stems"),
    ({"nl": {"stems": {"wapens": ["mes"]}}}, "unknown category"),
    ({"nl": {"phrases": {"fire": ["~ brand"]}}}, "start with a word"),
    ({"nl": {"phrases": {"fire": ["in? brand"]}}}, "start with a word"),
    ({"nl": {"stems": {"fire": ["br*"]}}}, "too short for a prefix"),
    ({"nl": {"phrases": {"fire": ["in de|het brand|e-mail"]}}}, "not one word"),
    ({"ar": {"script": "arabic", "prefixes": [["و"]], "stems": {"fire": ["ن"]}}}, "too short"),
    ({"ar": {"script": "arabic", "prefixes": [["و"]], "stems": {"fire": ["حريق+"]}}},
     "+ and *"),
    ({"xx": {"script": "cyrillic"}}, "unknown script"),
])
def test_a_mistake_in_the_word_list_is_refused_at_start(data: dict[str, Any],
                                                        message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("+", r"\+").replace("*", r"\*")):
        DangerMatcher(data)


def test_tokens_keep_arabizi_digits_and_drop_punctuation() -> None:
    assert tokens("3tqoni!!! l7a9ouni, 112.") == ["3tqoni", "l7a9ouni", "112"]


def test_content_file_is_the_one_loaded() -> None:
    raw = tomllib.loads((Path(CONTENT_DIR) / "danger_words.toml").read_text(encoding="utf-8"))
    assert len(DANGER.entries) == sum(len(v) for lang in raw.values() if isinstance(lang, dict)
                                      for kind in ("stems", "phrases")
                                      for v in lang.get(kind, {}).values())
