"""The resident's words on the partner card, in the group's language: machine translated through
the cache, labelled, the original kept in a folded quote; never holding the card back. Real
Application (BotHarness), the translation service faked over HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import SiteConfig, Translation
from bot.i18n.bidi import isolate
from bot.testing.fake_translate import FakeTranslateServer, every_pair
from bot.testing.harness import BotHarness

SHORT = 0.3  # the adapter's timeout here: long for 127.0.0.1, short for the suite
ARABIC = "الموسيقى عالية كل ليلة"
DUTCH = "Elke nacht harde muziek"
GROUP = "woningcorporatie"  # noise goes here; the group reads Dutch


@pytest.fixture
def server() -> Iterator[FakeTranslateServer]:
    with FakeTranslateServer({("ar", "nl", ARABIC): DUTCH}) as fake:
        yield fake


@pytest.fixture
async def th(tmp_path: Path, site: SiteConfig,
             server: FakeTranslateServer) -> AsyncIterator[BotHarness]:
    """The bot with LibreTranslate (the fake) named in the site file."""
    translated = site.model_copy(update={"translation": Translation(
        provider="libretranslate", url=server.url, timeout=SHORT)})
    async with BotHarness.start(tmp_path / "bot.db", translated) as harness:
        yield harness


def card(h: BotHarness, ref: str) -> dict[str, Any]:
    return h.group(GROUP).card(ref)


def nl(h: BotHarness, msgid: str, **values: Any) -> str:
    return h.tr("nl")._(msgid, **values)


def label(h: BotHarness) -> str:
    return nl(h, "Machine translated from {language}:", language="Arabisch")


async def test_an_arabic_report_lands_on_the_dutch_card_translated_with_the_original_kept(
        th: BotHarness, server: FakeTranslateServer) -> None:
    amina = await th.onboard("Amina", "ar")
    ticket = await amina.report(text=ARABIC)
    msg = card(th, ticket.ref)
    text = msg["text"]
    assert label(th) == "Automatisch vertaald uit het Arabisch:"
    assert f"🌐 {label(th)}\n💬 {isolate(DUTCH)}\n{isolate(ARABIC)}" in text
    # the original is folded away in an expandable quote, as Telegram shows it
    [quote] = [e for e in msg.get("entities", []) if e["type"] == "expandable_blockquote"]
    assert quote["length"] == len(isolate(ARABIC).encode("utf-16-le")) // 2
    assert nl(th, "(not translated)") not in text
    # only the words and the two language codes went to the service
    [seen] = server.requests("/translate")
    assert seen.params == {"q": [ARABIC], "source": "ar", "target": "nl", "format": "text"}


async def test_the_same_words_go_to_the_service_once(
        th: BotHarness, server: FakeTranslateServer) -> None:
    amina = await th.onboard("Amina", "ar")
    first = await amina.report(text=ARABIC)
    youssef = await th.onboard("Youssef", "ar")
    second = await youssef.report(text=ARABIC)
    # a change of state edits the card again: from the cache, too
    await th.staff(GROUP, "Sanne").press(card(th, first.ref), nl(th, "Claim"))
    assert DUTCH in card(th, first.ref)["text"]
    assert DUTCH in card(th, second.ref)["text"]
    assert nl(th, "Picked up") in card(th, first.ref)["text"]
    assert server.counts["/translate"] == 1


@pytest.mark.parametrize("fault", ["500", "timeout"])
async def test_with_the_service_down_the_card_goes_at_once_and_is_translated_later(
        th: BotHarness, server: FakeTranslateServer, fault: str) -> None:
    server.fail(fault)
    amina = await th.onboard("Amina", "ar")
    ticket = await amina.report(text=ARABIC)
    text = card(th, ticket.ref)["text"]
    assert f"💬 {isolate(ARABIC)} {nl(th, '(not translated)')}" in text
    assert nl(th, "(not translated)") == "(niet vertaald)"
    # still down at the first retry: the card stays as it is, the next try comes later
    th.clock.advance(timedelta(seconds=31))
    await th.sweep()
    assert DUTCH not in card(th, ticket.ref)["text"]
    server.fail(None)
    th.clock.advance(timedelta(seconds=31))  # the second retry waits 60 s, not 30
    await th.sweep()
    assert DUTCH not in card(th, ticket.ref)["text"]
    th.clock.advance(timedelta(seconds=30))
    await th.sweep()
    text = card(th, ticket.ref)["text"]
    assert f"🌐 {label(th)}\n💬 {isolate(DUTCH)}" in text
    assert isolate(ARABIC) in text
    assert nl(th, "(not translated)") not in text


async def test_a_failed_card_is_edited_once_the_service_is_back_even_after_a_restart(
        tmp_path: Path, site: SiteConfig, server: FakeTranslateServer) -> None:
    translated = site.model_copy(update={"translation": Translation(
        provider="libretranslate", url=server.url, timeout=SHORT)})
    server.fail("429")
    async with BotHarness.start(tmp_path / "bot.db", translated) as h:
        ticket = await (await h.onboard("Amina", "ar")).report(text=ARABIC)
        assert nl(h, "(not translated)") in card(h, ticket.ref)["text"]
        clock, fake = h.clock, h.fake
    server.fail(None)
    async with BotHarness.start(tmp_path / "bot.db", translated, clock=clock, fake=fake) as h:
        h.clock.advance(timedelta(seconds=31))
        await h.sweep()
        assert DUTCH in card(h, ticket.ref)["text"]


async def test_a_pair_the_service_lacks_asks_for_an_interpreter_and_is_not_retried(
        tmp_path: Path, site: SiteConfig) -> None:
    pairs = every_pair() - {("ar", "nl")}
    with FakeTranslateServer(pairs=pairs) as server:
        translated = site.model_copy(update={"translation": Translation(
            provider="libretranslate", url=server.url, timeout=SHORT)})
        async with BotHarness.start(tmp_path / "bot.db", translated) as h:
            ticket = await (await h.onboard("Amina", "ar")).report(text=ARABIC)
            text = card(h, ticket.ref)["text"]
            assert isolate(ARABIC) in text
            assert nl(h, "not translated: an interpreter is needed") in text
            assert nl(h, "not translated: an interpreter is needed") == \
                "niet vertaald: tolk nodig"
            calls = server.counts["/translate"]
            h.clock.advance(timedelta(minutes=10))
            await h.sweep()
            assert server.counts["/translate"] == calls  # no retry


async def test_an_anonymous_report_is_translated_like_any_other(
        th: BotHarness, server: FakeTranslateServer) -> None:
    amina = await th.onboard("Amina", "ar")
    ticket = await amina.report(text=ARABIC, anonymous=True)
    assert ticket.anonymous
    assert DUTCH in card(th, ticket.ref)["text"]
    assert "Amina" not in str([s.params for s in server.seen])


async def test_a_dutch_report_on_a_dutch_card_sends_nothing_to_the_service(
        th: BotHarness, server: FakeTranslateServer) -> None:
    piet = await th.onboard("Piet", "nl")
    ticket = await piet.report(text="Harde muziek elke nacht")
    text = card(th, ticket.ref)["text"]
    assert f"💬 {isolate('Harde muziek elke nacht')}" in text
    assert "🌐" not in text
    assert server.counts["/translate"] == 0


async def test_without_a_translator_the_card_is_as_before(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket = await amina.report(text=ARABIC)
    text = card(h, ticket.ref)["text"]
    assert f"💬 {isolate(ARABIC)}\n" in text
    assert "🌐" not in text
    assert nl(h, "(not translated)") not in text


async def test_erasing_the_resident_drops_the_translation_from_card_and_cache(
        th: BotHarness, server: FakeTranslateServer) -> None:
    tr = th.tr("ar")
    amina = await th.onboard("Amina", "ar")
    ticket = await amina.report(text=ARABIC)
    assert DUTCH in card(th, ticket.ref)["text"]
    assert await th.store.translations.count_for(amina.person.id) == 1
    await amina.tap_menu(tr._("Privacy"))
    await amina.press(tr._("Delete my data"))
    await amina.press(tr._("Yes, delete everything"))
    text = card(th, ticket.ref)["text"]
    assert DUTCH not in text and ARABIC not in text
    assert await th.store.translations.count_for(amina.person.id) == 0
    assert server.counts["/translate"] == 1
