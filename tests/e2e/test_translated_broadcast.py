"""A broadcast written in Dutch reaches each resident in their language: machine translated
(through the cache, once per language) before the preview, checked by the sender, delivered as
previewed once a second person approved it, labelled, with the original kept in a folded
quote. A failing service never holds it back: that language gets the original, marked, and
"Translate again" fills it in later. Real Application (BotHarness), the translation service
faked over HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import SiteConfig, Translation
from bot.i18n.bidi import FSI, isolate
from bot.services import broadcast
from bot.store.homes import NewHome
from bot.testing.fake_translate import FakeTranslateServer, every_pair
from bot.testing.harness import BotHarness, ResidentChat

SHORT = 0.3  # the adapter's timeout here: long for 127.0.0.1, short for the suite
GROUP = "woningcorporatie"  # may broadcast; the group reads Dutch
ELS = 7001  # the sender, one person all through a test
FATIMA = 7002  # the second person, who approves it
DUTCH = "Morgen is het water afgesloten van 9 tot 12 uur."
ARABIC = "غدًا سيُقطع الماء من 9 إلى 12."
TURKISH = "Yarın su 9'dan 12'ye kadar kesik."
CANNED = {("nl", "ar", DUTCH): ARABIC, ("nl", "tr", DUTCH): TURKISH}
# the names of the languages as the residents read them (Babel's, checked here once)
DUTCH_IN = {"ar": "الهولندية", "tr": "Felemenkçe"}


@pytest.fixture
def server() -> Iterator[FakeTranslateServer]:
    with FakeTranslateServer(CANNED) as fake:
        yield fake


def with_translation(site: SiteConfig, server: FakeTranslateServer) -> SiteConfig:
    return site.model_copy(update={"translation": Translation(
        provider="libretranslate", url=server.url, timeout=SHORT)})


@pytest.fixture
async def th(tmp_path: Path, site: SiteConfig,
             server: FakeTranslateServer) -> AsyncIterator[BotHarness]:
    async with BotHarness.start(tmp_path / "bot.db", with_translation(site, server)) as h:
        yield h


async def linked(h: BotHarness, name: str, lang: str, number: int) -> ResidentChat:
    await h.store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", number, "", "A", 1)])
    homes = await h.store.homes.in_building("zambesidreef")
    codes = await h.store.homes.codes_for(homes)
    chat = await h.onboard(name, lang)
    await chat.send(codes[next(x for x in homes if x.number == number).id])
    return chat


async def residents(h: BotHarness) -> tuple[ResidentChat, ResidentChat, ResidentChat]:
    return (await linked(h, "Amina", "ar", 12), await linked(h, "Ali", "tr", 14),
            await linked(h, "Piet", "nl", 16))


def nl(h: BotHarness, msgid: str, **values: Any) -> str:
    return h.tr("nl")._(msgid, **values)


async def compose(h: BotHarness, text: str = DUTCH) -> dict[str, Any]:
    """Els writes one text for the whole building; the preview (its last message)."""
    els = h.staff(GROUP, "Els", user_id=ELS)
    await els.send("/broadcast")
    await els.press_newest("Zambesidreef")
    await els.press_newest(nl(h, "Whole building") + ": " + nl(h, "one text for all"))
    await els.send(text)
    return h.group(GROUP).messages()[-1]


async def press(h: BotHarness, label: str) -> None:
    await h.staff(GROUP, "Els", user_id=ELS).press_newest(label)


async def send(h: BotHarness) -> None:
    """Els presses Send, and Fatima of her group approves: it goes out as previewed."""
    await press(h, nl(h, "Send"))
    await h.staff(GROUP, "Fatima", user_id=FATIMA).press_newest("✅ " + nl(h, "Approve"))


def header(h: BotHarness, n: int) -> str:
    return "📣 " + h.tr("nl").ngettext("Preview. This goes to {n} resident:",
                                      "Preview. This goes to {n} residents:", n)


def translated_block(h: BotHarness, name: str, text: str) -> str:
    label = nl(h, "Machine translated from {language}:", language="Nederlands")
    return f"{name} (1)\n🌐 {label}\n{isolate(text)}"


def received(h: BotHarness, lang: str, text: str) -> str:
    """What a resident reads of a translated broadcast: label, announcement, the original."""
    tr = h.tr(lang)
    label = tr._("Machine translated from {language}:", language=DUTCH_IN[lang])
    return f"🌐 {label}\n📣 {isolate(text)}\n{isolate(DUTCH)}"


def untranslated(h: BotHarness, lang: str) -> str:
    return f"📣 {isolate(DUTCH)} {h.tr(lang)._('(not translated)')}"


def buttons(h: BotHarness, msg: dict[str, Any]) -> list[str]:
    return h.group(GROUP).buttons(msg)


async def test_the_sender_checks_each_language_and_each_resident_reads_their_own(
        th: BotHarness, server: FakeTranslateServer) -> None:
    amina, ali, piet = await residents(th)
    preview = await compose(th)
    assert preview["text"] == "\n\n".join([
        header(th, 3), f"Nederlands (1)\n{isolate(DUTCH)}",
        translated_block(th, "Arabisch", ARABIC), translated_block(th, "Turks", TURKISH)])
    assert nl(th, "Machine translated from {language}:", language="Nederlands") \
        == "Automatisch vertaald uit het Nederlands:"
    assert buttons(th, preview) == ["✅ " + nl(th, "Send"), "❌ " + nl(th, "Stop")]
    await press(th, nl(th, "Send"))
    # the coordinator group, which may approve it too, sees each language as previewed
    assert th.group("coordinator").texts()[-2] == preview["text"]
    await th.staff(GROUP, "Fatima", user_id=FATIMA).press_newest("✅ " + nl(th, "Approve"))
    assert amina.last_text == received(th, "ar", ARABIC)
    assert ali.last_text == received(th, "tr", TURKISH)
    assert piet.last_text == "📣 " + DUTCH  # as written: no label, no quote
    # the original is folded away in an expandable quote, as Telegram shows it
    got = th.fake.last_message(amina.chat_id)
    assert got is not None
    [quote] = [e for e in got.get("entities", []) if e["type"] == "expandable_blockquote"]
    assert quote["length"] == len(isolate(DUTCH).encode("utf-16-le")) // 2
    # nothing but the text and the two languages went to the service, once per language
    assert sorted((s.params["target"], s.params["q"]) for s in server.requests("/translate")) \
        == [("ar", [DUTCH]), ("tr", [DUTCH])]
    assert {tuple(s.params) for s in server.requests("/translate")} \
        == {("q", "source", "target", "format")}
    # the checked translations are stored with the broadcast
    [row] = await th.store.db.fetchall("SELECT id FROM broadcasts")
    stored = await broadcast.translations_of(th.store.db, row[0])
    assert {lang: v["text"] for lang, v in stored.items()} == {"ar": ARABIC, "tr": TURKISH}


async def test_the_same_text_goes_to_the_service_once_per_language(
        th: BotHarness, server: FakeTranslateServer) -> None:
    amina, ali, _ = await residents(th)
    for _ in range(2):  # the same announcement twice: the second from the cache
        await compose(th)
        await send(th)
    assert server.counts["/translate"] == 2
    sent = [m.get("text") for m in th.fake.sent_to(amina.chat_id)]
    assert sent.count(received(th, "ar", ARABIC)) == 2
    assert ali.last_text == received(th, "tr", TURKISH)


@pytest.mark.parametrize("fault", ["500", "timeout", "bad_json"])
async def test_with_the_service_down_the_preview_says_so_and_translate_again_fills_it_in(
        th: BotHarness, server: FakeTranslateServer, fault: str) -> None:
    amina, ali, piet = await residents(th)
    server.fail(fault)
    preview = await compose(th)
    not_translated = f"{isolate(DUTCH)} {nl(th, '(not translated)')}"
    assert nl(th, "(not translated)") == "(niet vertaald)"
    assert preview["text"] == "\n\n".join([
        header(th, 3), f"Nederlands (1)\n{isolate(DUTCH)}",
        f"Arabisch (1)\n{not_translated}", f"Turks (1)\n{not_translated}",
        "⚠️ " + nl(th, "Some translations failed. Those residents get the original text, "
                       "unless you translate again.")])
    assert buttons(th, preview) == ["🔄 " + nl(th, "Translate again"),
                                    "✅ " + nl(th, "Send"), "❌ " + nl(th, "Stop")]
    server.fail(None)
    await press(th, nl(th, "Translate again"))
    again = th.group(GROUP).messages()[-1]
    assert again["message_id"] != preview["message_id"]
    assert translated_block(th, "Arabisch", ARABIC) in again["text"]
    assert translated_block(th, "Turks", TURKISH) in again["text"]
    assert nl(th, "(not translated)") not in again["text"]
    assert "🔄 " + nl(th, "Translate again") not in buttons(th, again)
    await send(th)
    assert amina.last_text == received(th, "ar", ARABIC)
    assert ali.last_text == received(th, "tr", TURKISH)
    assert piet.last_text == "📣 " + DUTCH
    assert server.counts["/translate"] == 4  # two that failed, two that worked; Send asks none


async def test_busy_service_429_the_broadcast_goes_at_once_in_the_original_marked(
        th: BotHarness, server: FakeTranslateServer) -> None:
    amina, ali, piet = await residents(th)
    server.fail("429")
    preview = await compose(th)
    assert f"Arabisch (1)\n{isolate(DUTCH)} {nl(th, '(not translated)')}" in preview["text"]
    await send(th)  # without translating again
    assert amina.last_text == untranslated(th, "ar")
    assert ali.last_text == untranslated(th, "tr")
    assert piet.last_text == "📣 " + DUTCH
    assert th.tr("ar")._("(not translated)") == "(غير مترجم)"


async def test_a_pair_the_service_lacks_asks_the_sender_for_an_interpreter(
        tmp_path: Path, site: SiteConfig) -> None:
    with FakeTranslateServer(CANNED, pairs=every_pair() - {("nl", "tr")}) as server:
        async with BotHarness.start(tmp_path / "bot.db", with_translation(site, server)) as h:
            amina, ali, _ = await residents(h)
            preview = await compose(h)
            assert nl(h, "not translated: an interpreter is needed") \
                == "niet vertaald: tolk nodig"
            assert (f"Turks (1)\n{isolate(DUTCH)}\n🌐 "
                    + nl(h, "not translated: an interpreter is needed")) in preview["text"]
            assert translated_block(h, "Arabisch", ARABIC) in preview["text"]
            # asking again will not help: no such button
            assert buttons(h, preview) == ["✅ " + nl(h, "Send"), "❌ " + nl(h, "Stop")]
            await send(h)
            assert amina.last_text == received(h, "ar", ARABIC)
            assert ali.last_text == untranslated(h, "tr")  # a resident is not told of interpreters


async def test_a_language_with_its_own_text_is_not_translated(
        th: BotHarness, server: FakeTranslateServer) -> None:
    amina, ali, piet = await residents(th)
    els = th.staff(GROUP, "Els", user_id=ELS)
    await els.send("/broadcast")
    await els.press_newest("Zambesidreef")
    await els.press_newest(nl(th, "Whole building") + ": " + nl(th, "a text per language"))
    await els.send(DUTCH)
    await els.send("غدًا لا ماء من 9 إلى 12.")  # the sender's own Arabic
    await els.press_newest(nl(th, "Skip: use the first text"))  # Turkish: the first, translated
    await send(th)  # nobody reads English (or Polish, ...): no text was asked for them
    assert amina.last_text == "📣 غدًا لا ماء من 9 إلى 12."
    assert ali.last_text == received(th, "tr", TURKISH)
    assert piet.last_text == "📣 " + DUTCH
    # English has no recipients, Arabic its own text: only Turkish went to the service
    assert [s.params["target"] for s in server.requests("/translate")] == ["tr"]


async def test_a_long_announcement_fits_telegram_in_the_preview_and_for_each_resident(
        th: BotHarness, server: FakeTranslateServer) -> None:
    amina, _, _ = await residents(th)
    long = "Lange tekst over de werkzaamheden. " * 100  # 3500 characters
    await compose(th, long.strip())
    g = th.group(GROUP)
    pages = [m for m in g.messages() if "(1)\n" in m["text"] or header(th, 3) in m["text"]]
    assert len(pages) >= 3  # the fake Bot API refuses a message over 4096
    assert header(th, 3) in pages[0]["text"] and "Turks (1)" in pages[-1]["text"]
    assert [bool(m.get("reply_markup")) for m in pages] == [False] * (len(pages) - 1) + [True]
    await send(th)
    text = amina.last_text
    label = th.tr("ar")._("Machine translated from {language}:", language=DUTCH_IN["ar"])
    assert text.startswith(f"🌐 {label}\n📣 {FSI}[ar] Lange tekst")
    assert "…" in text and len(text.encode("utf-16-le")) // 2 <= 4096
