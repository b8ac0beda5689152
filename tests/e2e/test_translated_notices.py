"""The contractor's note on a work day reaches each resident in their language: machine
translated from the planning's language (Dutch) when the notice is sent, through the cache, once
per text and language, labelled, with the original kept in a folded quote. A translator that is
down delays nothing: the note goes as written, marked, and the translation is edited in when the
service is back. Real Application (BotHarness), the translation service faked over HTTP on
127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import SiteConfig, Translation
from bot.domain.policy import Policy
from bot.i18n.bidi import isolate
from bot.importers.planning import apply_planning, read_planning
from bot.store.clock import SimClock
from bot.store.homes import NewHome
from bot.testing.fake_translate import FakeTranslateServer, every_pair
from bot.testing.harness import BotHarness, ResidentChat

AMS = ZoneInfo("Europe/Amsterdam")
SHORT = 0.3
NOTE = "Graag de kastjes boven het aanrecht leegmaken."
ARABIC = "يرجى إفراغ الخزائن فوق سطح العمل."
TURKISH = "Lütfen tezgahın üstündeki dolapları boşaltın."
CANNED = {("nl", "ar", NOTE): ARABIC, ("nl", "tr", NOTE): TURKISH}
DUTCH_IN_ARABIC = "الهولندية"
EVE = datetime(2026, 3, 2, 18, 0, tzinfo=AMS)  # the evening before Tuesday 3 March
PLAN = (f"Zambesidreef 12-B,2026-03-03,08:00,16:00,kitchen,{NOTE}\n"
        f"Zambesidreef 14,2026-03-03,08:00,16:00,kitchen,{NOTE}\n"
        f"Zambesidreef 14,2026-03-05,08:00,12:00,toilet,{NOTE}\n")


@pytest.fixture
def server() -> Iterator[FakeTranslateServer]:
    with FakeTranslateServer(CANNED) as fake:
        yield fake


def harness(tmp_path: Path, site: SiteConfig, server: FakeTranslateServer) -> Any:
    translated = site.model_copy(update={"translation": Translation(
        provider="libretranslate", url=server.url, timeout=SHORT)})
    return BotHarness.start(tmp_path / "bot.db", translated,
                            clock=SimClock(datetime(2026, 2, 20, 12, 0, tzinfo=AMS)))


HOMES = [NewHome("zambesidreef", "Zambesidreef", 12, "B", "A", 3),
         NewHome("zambesidreef", "Zambesidreef", 14, "", "A", 3)]


async def link(h: BotHarness, chat: ResidentChat, number: int, addition: str = "") -> None:
    await h.store.homes.upsert(HOMES)  # both homes of the planning (again: an update)
    homes = await h.store.homes.in_building("zambesidreef")
    home = next(x for x in homes if x.number == number)
    await chat.send((await h.store.homes.codes_for(homes))[home.id])


async def plan(h: BotHarness, tmp_path: Path) -> None:
    await h.store.homes.upsert(HOMES)
    path = tmp_path / "planning.csv"
    path.write_text("address,date,start,end,work,notes\n" + PLAN, encoding="utf-8")
    days, errors = await read_planning(path, h.store.db)
    assert not errors
    await apply_planning(h.store.db, days, h.clock(), Policy(h.services.site))


async def planned(h: BotHarness, tmp_path: Path) -> tuple[ResidentChat, ResidentChat]:
    """Amina (Arabic) in 12-B and Piet (Dutch) in 14, and the planning with its notes."""
    amina, piet = await h.onboard("Amina", "ar"), await h.onboard("Piet", "nl")
    await link(h, amina, 12, "B")
    await link(h, piet, 14)
    await plan(h, tmp_path)
    return amina, piet


def eve_text(h: BotHarness, chat: ResidentChat) -> dict[str, Any]:
    got = h.fake.last_message(chat.chat_id)
    assert got is not None
    return got


def translated(h: BotHarness) -> str:
    label = h.tr("ar")._("Machine translated from {language}:", language=DUTCH_IN_ARABIC)
    return f"\n🌐 {label}\n📝 {isolate(ARABIC)}\n{isolate(NOTE)}"


async def at_the_eve(h: BotHarness) -> None:
    h.clock.now = EVE
    await h.sweep()


async def test_a_note_reaches_an_arabic_resident_translated_with_the_original(
        tmp_path: Path, site: SiteConfig, server: FakeTranslateServer) -> None:
    async with harness(tmp_path, site, server) as h:
        amina, piet = await planned(h, tmp_path)
        await at_the_eve(h)
        tr = h.tr("ar")
        msg = eve_text(h, amina)
        assert msg["text"].endswith(translated(h))
        assert tr._("Please empty the kitchen cupboards and the worktop.") in msg["text"]
        assert tr._("kitchen") in msg["text"]
        [quote] = [e for e in msg.get("entities", []) if e["type"] == "expandable_blockquote"]
        assert quote["length"] == len(isolate(NOTE).encode("utf-16-le")) // 2
        # the Dutch resident reads it as written, as before
        assert eve_text(h, piet)["text"].endswith(f"\n📝 {NOTE}")
        # only the note and the two languages went to the service
        [seen] = server.requests("/translate")
        assert seen.params == {"q": [NOTE], "source": "nl", "target": "ar", "format": "text"}


async def test_the_same_note_goes_to_the_service_once_per_language(
        tmp_path: Path, site: SiteConfig, server: FakeTranslateServer) -> None:
    async with harness(tmp_path, site, server) as h:
        amina, youssef = await h.onboard("Amina", "ar"), await h.onboard("Youssef", "ar")
        ali = await h.onboard("Ali", "tr")
        await link(h, amina, 12, "B")
        await link(h, youssef, 14)
        await link(h, ali, 14)
        await plan(h, tmp_path)  # one note on three days, for two homes
        await at_the_eve(h)
        assert sorted(s.params["target"] for s in server.requests("/translate")) == ["ar", "tr"]
        assert eve_text(h, amina)["text"].endswith(translated(h))
        assert eve_text(h, youssef)["text"].endswith(translated(h))
        label = h.tr("tr")._("Machine translated from {language}:", language="Felemenkçe")
        assert eve_text(h, ali)["text"].endswith(
            f"\n🌐 {label}\n📝 {isolate(TURKISH)}\n{isolate(NOTE)}")
        assert server.counts["/translate"] == 2


@pytest.mark.parametrize("fault", ["timeout", "500", "429"])
async def test_with_the_translator_down_the_notice_comes_on_time_and_is_translated_later(
        tmp_path: Path, site: SiteConfig, server: FakeTranslateServer, fault: str) -> None:
    async with harness(tmp_path, site, server) as h:
        amina = await h.onboard("Amina", "ar")
        await link(h, amina, 12, "B")
        await plan(h, tmp_path)
        h.clock.now = EVE - timedelta(minutes=1)
        await h.sweep()
        seen = len(h.fake.sent_to(amina.chat_id))
        server.fail(fault)
        await at_the_eve(h)
        [eve] = h.fake.sent_to(amina.chat_id)[seen:]  # at 18:00, not later
        tr = h.tr("ar")
        assert eve["text"].endswith(f"\n📝 {isolate(NOTE)} {tr._('(not translated)')}")
        assert tr._("Please empty the kitchen cupboards and the worktop.") in eve["text"]
        assert eve["reply_markup"]["inline_keyboard"]  # the answer buttons, at once
        # the service is back: the translation is edited in, the buttons stay
        server.fail(None)
        h.clock.advance(timedelta(seconds=31))
        await h.sweep()
        edited = h.fake.message(amina.chat_id, eve["message_id"])
        assert edited["text"].endswith(translated(h))
        assert edited["reply_markup"] == eve["reply_markup"]
        assert len(h.fake.sent_to(amina.chat_id)) == seen + 1  # edited, not sent again


async def test_a_resident_who_linked_after_the_import_gets_the_note_in_their_language(
        tmp_path: Path, site: SiteConfig, server: FakeTranslateServer) -> None:
    async with harness(tmp_path, site, server) as h:
        await plan(h, tmp_path)
        ali = await h.onboard("Ali", "tr")
        await link(h, ali, 14)
        await at_the_eve(h)
        assert isolate(TURKISH) in eve_text(h, ali)["text"]


async def test_a_pair_the_service_lacks_goes_as_written_marked(
        tmp_path: Path, site: SiteConfig) -> None:
    with FakeTranslateServer(CANNED, pairs=every_pair() - {("nl", "ar")}) as server:
        async with harness(tmp_path, site, server) as h:
            amina = await h.onboard("Amina", "ar")
            await link(h, amina, 12, "B")
            await plan(h, tmp_path)
            await at_the_eve(h)
            tr = h.tr("ar")
            # a resident is told it is not translated, not about interpreters
            assert eve_text(h, amina)["text"].endswith(
                f"\n📝 {isolate(NOTE)} {tr._('(not translated)')}")


async def test_my_renovation_lists_the_notes_in_the_residents_language(
        tmp_path: Path, site: SiteConfig, server: FakeTranslateServer) -> None:
    async with harness(tmp_path, site, server) as h:
        amina, piet = await planned(h, tmp_path)
        tr = h.tr("ar")
        await amina.tap_menu(tr._("My renovation"))
        text = amina.last_text
        assert f"({tr.insert(ARABIC)})" in text and NOTE not in text
        assert text.endswith("🌐 " + tr._(
            "The notes in brackets are machine translated from {language}.",
            language=DUTCH_IN_ARABIC))
        await piet.tap_menu(h.tr("nl")._("My renovation"))
        assert f"({h.tr('nl').insert(NOTE)})" in piet.last_text and "🌐" not in piet.last_text
        # down: the list comes at once, the notes as written
        server.fail("500")
        await amina.tap_menu(tr._("My renovation"))
        assert f"({tr.insert(ARABIC)})" in amina.last_text  # from the cache, no service needed
        assert server.counts["/translate"] == 1


async def test_a_renovation_answer_reaches_the_card_as_the_bot_wrote_it_not_translated(
        tmp_path: Path, site: SiteConfig, server: FakeTranslateServer) -> None:
    """"I am not home that day" from an Arabic resident: the bot writes the card's words in
    the group's language, so nothing is machine translated (from the wrong language)."""
    async with harness(tmp_path, site, server) as h:
        amina, _ = await planned(h, tmp_path)
        await at_the_eve(h)
        asked = server.counts["/translate"]
        await amina.press(h.tr("ar")._("I am not home that day"))
        [ticket] = await h.store.tickets.for_resident(amina.person.id)
        assert ticket.description_lang == "nl"
        text = h.group("woningcorporatie").card(ticket.ref)["text"]
        assert f"💬 {isolate(ticket.description)}" in text
        assert "🌐" not in text
        assert server.counts["/translate"] == asked
