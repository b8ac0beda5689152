"""Languages: the picker, switching at any time, and no untranslated text for residents."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.i18n import language_name
from bot.i18n.catalogs import po_path
from bot.testing.harness import BotHarness, ResidentChat

NAMES = {"nl": "Nederlands", "ar": "العربية", "tr": "Türkçe", "pl": "Polski", "so": "Soomaali",
         "ti": "ትግርኛ", "en": "English"}
ARABIC = re.compile(r"[\u0600-\u06ff]")
MENU = ("Ask a question", "Report a problem", "Ask for help", "My requests", "My renovation",
        "Language", "Privacy")


def _menu_is_in(h: BotHarness, chat: ResidentChat, lang: str) -> None:
    tr = h.tr(lang)
    labels = chat.menu()
    assert len(labels) == len(MENU)
    for label, english in zip(labels, MENU, strict=True):
        assert label.endswith(tr._(english)), (label, english)


def _welcome(h: BotHarness, lang: str) -> str:
    return h.tr(lang)._("Hello! I am the neighbourhood bot of {site}.", site="Overvecht")


async def test_first_start_guesses_arabic_and_names_every_language_in_its_own_script(
        h: BotHarness) -> None:
    amina = h.resident("Amina", "ar")
    await amina.send("/start")
    assert [language_name(code) for code in NAMES] == list(NAMES.values())
    assert amina.buttons() == ["✅ العربية", "Nederlands", "Türkçe", "Polski", "Soomaali", "ትግርኛ",
                              "English"]
    # "choose your language" in every language, so anyone can read one line
    for lang in NAMES:
        assert h.tr(lang)._("Choose your language") in amina.last_text
    assert await h.store.residents.get(amina.person.id) is None

    await amina.press("العربية")
    assert _welcome(h, "ar") in amina.last_text
    _menu_is_in(h, amina, "ar")
    assert (await h.store.residents.get(amina.person.id)).lang == "ar"
    assert "✅ العربية" in [a["text"] for a in h.fake.alerts]


@pytest.mark.parametrize(("code", "lang"), [("tr-TR", "tr"), ("nl-BE", "nl"), ("en", "en")])
async def test_regional_telegram_languages_are_matched(h: BotHarness, code: str,
                                                       lang: str) -> None:
    chat = h.resident("Resident", code)
    await chat.send("/start")
    assert chat.buttons()[0] == "✅ " + NAMES[lang]
    assert len(chat.buttons()) == len(NAMES)


@pytest.mark.parametrize("code", ["fr", None])
async def test_unoffered_telegram_language_still_gets_every_choice(
        h: BotHarness, code: str | None) -> None:
    marie = h.resident("Marie", code)
    await marie.send("bonjour")  # any first message shows the picker
    buttons = marie.buttons()
    assert sorted(b.removeprefix("✅ ") for b in buttons) == sorted(NAMES.values())
    assert sum(b.startswith("✅") for b in buttons) <= 1
    await marie.press("Türkçe")
    assert _welcome(h, "tr") in marie.last_text
    _menu_is_in(h, marie, "tr")


@pytest.mark.parametrize("lang", list(NAMES))
async def test_choosing_a_language_gives_welcome_and_menu_in_it(h: BotHarness,
                                                                lang: str) -> None:
    chat = await h.onboard("Resident", lang)
    tr = h.tr(lang)
    assert _welcome(h, lang) in chat.last_text
    assert tr._("Choose a button below.") in chat.last_text
    _menu_is_in(h, chat, lang)
    # and the next answers stay in that language
    await chat.send("/cancel")
    assert chat.last_text == tr._("There is nothing to stop. Choose a button below.")


async def test_language_command_and_menu_button_switch_language(h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    await ali.send("/language")
    assert ali.buttons()[0] == "✅ Türkçe"  # the current language is ticked
    await ali.press("Nederlands")
    nl = h.tr("nl")
    assert nl._("I will talk to you in {language} from now on.",
                language="Nederlands") in ali.last_text
    _menu_is_in(h, ali, "nl")
    assert (await h.store.residents.get(ali.person.id)).lang == "nl"
    await ali.send("/requests")
    assert ali.last_text == nl._("You have no requests yet.")

    await ali.tap_menu(nl._("Language"))
    assert ali.buttons()[0] == "✅ Nederlands"
    await ali.press("العربية")
    ar = h.tr("ar")
    assert ar._("I will talk to you in {language} from now on.",
                language="العربية") in ali.last_text
    _menu_is_in(h, ali, "ar")
    await ali.send("مرحبا")
    assert ali.last_text == ar._("I did not understand that. Choose a button below.")
    # a button from the old Dutch keyboard still works, and answers in Arabic
    await ali.send("📋 " + nl._("My requests"))
    assert ali.last_text == ar._("You have no requests yet.")


async def test_switching_language_mid_flow_asks_the_step_again_in_the_new_language(
        h: BotHarness) -> None:
    ar, tr = h.tr("ar"), h.tr("tr")
    amina = await h.onboard("Amina", "ar")
    await amina.tap_menu(ar._("Report a problem"))
    await amina.press(ar._("Noise"))
    await amina.send("ضجيج كل ليلة")
    await amina.send("/language")
    await amina.press("Türkçe")
    text = amina.new_text
    assert tr._("I will talk to you in {language} from now on.", language="Türkçe") in text
    assert tr._("What happened? Type it, or send photos or a voice message.") in amina.last_text
    assert tr._("What you sent before is kept. You can add more, or press Next.") in (
        amina.last_text)
    assert tr._("Next") in " ".join(amina.buttons())
    draft = await h.store.drafts.get(amina.person.id)
    assert draft.step == "describe" and draft.data["texts"] == ["ضجيج كل ليلة"]
    # the flow goes on in Turkish
    await amina.press(tr._("Next"))
    assert tr._("Where is it? Choose the building, or type where it is.") in amina.last_text
    await amina.press(tr._("Skip"))
    await amina.press(tr._("Anonymous"))
    assert tr._("Please check your report.") in amina.last_text
    await amina.press(tr._("Send"))
    [ticket] = await h.store.tickets.for_resident(amina.person.id)
    assert ticket.lang == "tr" and ticket.description == "ضجيج كل ليلة"


async def test_switching_language_at_the_phone_step_keeps_the_share_button(
        h: BotHarness) -> None:
    tr, nl = h.tr("tr"), h.tr("nl")
    ali = await h.onboard("Ali", "tr")
    await ali.tap_menu(tr._("Ask for help"))
    await ali.press(tr._("Money and debts"))
    await ali.send("Borçlarım var")
    await ali.press(tr._("Next"))
    await ali.press(tr._("A phone call"))
    await ali.tap_menu(tr._("Send my phone number"))  # not a menu button: a phone button
    assert tr._("That does not look like a phone number. Example: 06 12345678") in (
        ali.new_text)
    await ali.send("/language")
    await ali.press("Nederlands")
    assert nl._("Press the button to send your phone number, or type it. "
                "We only use it to call you about this request.") in ali.last_text
    assert ali.menu() == ["📱 " + nl._("Send my phone number")]
    await ali.contact("+31612345678")
    assert nl._("In which language do you want to talk? "
                "Choose one, or type another language.") in ali.last_text
    assert ali.buttons()[0] == "Nederlands"


def _arabic_report(amina: ResidentChat, h: BotHarness) -> list[tuple[str, str]]:
    """The steps of a full Arabic report, as (kind, label) presses or texts."""
    ar = h.tr("ar")
    return [
        ("menu", ar._("Report a problem")),
        ("press", ar._("Neighbour conflict")),
        ("send", "الجيران يصرخون كل ليلة"),
        ("photo", ""),
        ("press", ar._("Next")),
        ("press", "Gambiadreef"),
        ("press", ar._("stairwell {name}", name="A")),
        ("press", ar._("ground floor")),
        ("press", ar._("With my first name")),
        ("press", ar._("Change")),
        ("press", ar._("Anonymous")),
        ("press", ar._("Anonymous")),
        ("press", ar._("Send")),
        ("menu", ar._("My requests")),
        ("menu", ar._("Privacy")),
        ("send", "/help"),
        ("send", "/cancel"),
    ]


async def _play(chat: ResidentChat, steps: list[tuple[str, str]]) -> None:
    for kind, value in steps:
        if kind == "menu":
            await chat.tap_menu(value)
        elif kind == "press":
            await chat.press(value)
        elif kind == "photo":
            await chat.photo()
        else:
            await chat.send(value)


async def test_every_message_to_an_arabic_resident_is_in_arabic(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    await _play(amina, _arabic_report(amina, h))
    [ticket] = await h.store.tickets.for_resident(amina.person.id)
    assert ticket.category == "neighbours" and ticket.anonymous
    assert ticket.partner_id == "buurtbemiddeling"

    texts = h.fake.texts(amina.chat_id)
    assert len(texts) > 15
    for text in texts:
        assert ARABIC.search(text), f"no Arabic in {text!r}"
    # the buttons too, except proper names (buildings, languages in their own script, refs)
    proper = {b.name for b in h.services.site.buildings} | set(NAMES.values()) | {ticket.ref}
    for msg in h.fake.sent_to(amina.chat_id):
        for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                label = re.sub(r"^\W+", "", button["text"]).removeprefix("✅ ").strip()
                if label not in proper:
                    assert ARABIC.search(label), f"untranslated button {button['text']!r}"
    for label in amina.menu():
        assert ARABIC.search(label)


async def test_help_flow_in_arabic_has_no_english_left(h: BotHarness) -> None:
    ar = h.tr("ar")
    amina = await h.onboard("Amina", "ar")
    await amina.tap_menu(ar._("Ask for help"))
    await amina.press(ar._("Benefits and allowances"))
    await amina.voice()
    await amina.press(ar._("Next"))
    await amina.press(ar._("A phone call"))
    await amina.send("12ab")
    await amina.send("0612345678")
    await amina.press("العربية")
    await amina.press(ar._("Change"))
    await amina.press(ar._("Back"))
    await amina.press(ar._("Yes, share it"))
    assert len(await h.store.tickets.for_resident(amina.person.id)) == 1
    for text in h.fake.texts(amina.chat_id):
        assert ARABIC.search(text), f"no Arabic in {text!r}"


def _english_sources(lang: str) -> set[str]:
    """Catalog source texts whose translation differs from them: they must never be shown."""
    with po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    out = set()
    for message in catalog:
        if not message.id or isinstance(message.id, tuple) or "{" in message.id:
            continue
        if message.string and message.string != message.id and len(message.id) >= 4:
            out.add(message.id)
    return out


async def test_turkish_texts_are_not_english(h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    john = await h.onboard("John", "en")
    steps = {}
    for chat, lang in ((ali, "tr"), (john, "en")):
        t = h.tr(lang)
        steps[lang] = [
            ("menu", t._("Report a problem")), ("press", t._("Noise")),
            ("send", "Gürültü"), ("press", t._("Next")), ("press", "Zambesidreef"),
            ("press", t._("stairwell {name}", name="C")), ("press", t._("floor {n}", n=9)),
            ("press", t._("Anonymous")), ("press", t._("Send")),
            ("menu", t._("Ask for help")), ("press", t._("Practical help")),
            ("send", "Dolap taşımak"), ("press", t._("Next")),
            ("press", t._("A home visit")), ("send", "Zambesidreef 5"),
            ("press", "Türkçe"), ("press", t._("No, do not share")),
            ("menu", t._("Ask a question")), ("send", "qqqq"),
            ("menu", t._("My requests")), ("menu", t._("Privacy")), ("send", "/help"),
        ]
        await _play(chat, steps[lang])
    tr_texts = h.fake.texts(ali.chat_id)[1:]  # the picker speaks every language on purpose
    en_texts = h.fake.texts(john.chat_id)[1:]
    assert len(tr_texts) == len(en_texts) > 20
    for turkish, english in zip(tr_texts, en_texts, strict=True):
        assert turkish != english
    english_only = _english_sources("tr")
    assert "Report a problem" in english_only
    for text in tr_texts:
        for source in english_only:
            assert source not in text, f"English {source!r} in a Turkish message: {text!r}"


def test_catalogs_cover_every_message_the_code_uses() -> None:
    """Every offered language has a translation for every source text."""
    for lang in ("nl", "ar", "tr"):
        with po_path(lang).open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        missing = [m.id for m in catalog if m.id and not (
            all(m.string) if isinstance(m.string, tuple) else m.string)]
        assert missing == [], (lang, missing)


async def test_command_menus_are_set_per_language(h: BotHarness) -> None:
    sources = {
        "start": "Start and main menu", "requests": "My requests",
        "language": "Change language", "privacy": "Privacy and my data",
        "cancel": "Stop what I am doing", "help": "How this works",
    }
    for lang in ("nl", "ar", "tr", "en"):
        tr = h.tr(lang)
        commands = h.fake.commands[("default", lang)]
        got = {c["command"]: c["description"] for c in commands}
        assert got == {name: tr._(text) for name, text in sources.items()}
    # translated, not copies of the English menu
    english = h.fake.commands[("default", "en")]
    for lang in ("nl", "ar", "tr"):
        assert h.fake.commands[("default", lang)] != english
    for command in h.fake.commands[("default", "ar")]:
        assert ARABIC.search(command["description"])
    # users whose app language is not offered see the site's default language
    default = h.fake.commands[("default", "")]
    assert default == h.fake.commands[("default", h.services.site.default_language)]


async def test_arabic_plural_forms_in_the_summary(h: BotHarness) -> None:
    ar = h.tr("ar")
    amina = await h.onboard("Amina", "ar")
    await amina.tap_menu(ar._("Report a problem"))
    await amina.press(ar._("Noise"))
    await amina.photo()
    await amina.photo()
    await amina.press(ar._("Next"))
    await amina.press(ar._("Skip"))
    await amina.press(ar._("Anonymous"))
    two = ar.ngettext("{n} photo", "{n} photos", 2)
    assert two in amina.last_text
    # Arabic has a dual: two photos are not said like one, three or eleven photos
    forms = {n: ar.ngettext("{n} photo", "{n} photos", n) for n in (1, 2, 3, 11)}
    assert len({form.replace(str(n), "") for n, form in forms.items()}) >= 3
