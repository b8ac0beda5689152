"""The conversation across the language barrier: a resident's messages reach the Dutch group
machine translated, a staff member's typed reply reaches the resident in their language, each
labelled, the original one tap away (an expandable quote); voice messages written out. With the
service slow, down or lacking the pair, nothing waits and nothing is lost: the original goes at
once, marked, and the translation is edited in later. Real Application, real SQLite, the fake
Telegram; the translation and speech services faked over HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import SiteConfig, Speech, Translation
from bot.domain.tickets import Ticket
from bot.i18n.bidi import isolate
from bot.testing.fake_api import JSONDict
from bot.testing.fake_translate import FakeTranslateServer, every_pair
from bot.testing.harness import BotHarness, ResidentChat
from tests.e2e.test_erasure_scan import everything

SHORT = 0.3  # the adapters' timeout here: long for 127.0.0.1, short for the suite
GROUP = "woningcorporatie"  # noise goes here; the group reads Dutch
ANSWER_AR = "بعد منتصف الليل، كل يوم"
ANSWER_NL = "Na middernacht, elke dag"
REPLY_NL = "Wij komen morgen kijken."
REPLY_AR = "سنأتي غدًا لنرى."
SPOKEN_TR = "Komşunun köpeği bütün gece havlıyor"
SPOKEN_NL = "De hond van de buren blaft de hele nacht"
CANNED = {("ar", "nl", ANSWER_AR): ANSWER_NL, ("nl", "ar", REPLY_NL): REPLY_AR,
          ("tr", "nl", SPOKEN_TR): SPOKEN_NL}


@pytest.fixture
def server() -> Iterator[FakeTranslateServer]:
    with FakeTranslateServer(CANNED, transcripts={"tr": SPOKEN_TR}) as fake:
        yield fake


def configured(site: SiteConfig, server: FakeTranslateServer, *,
               speech: bool = True) -> SiteConfig:
    update: dict[str, Any] = {"translation": Translation(provider="libretranslate",
                                                         url=server.url, timeout=SHORT)}
    if speech:
        update["speech"] = Speech(provider="openai", url=server.url, model="whisper-1",
                                  timeout=SHORT)
    return site.model_copy(update=update)


@pytest.fixture
async def th(tmp_path: Path, site: SiteConfig,
             server: FakeTranslateServer) -> AsyncIterator[BotHarness]:
    async with BotHarness.start(tmp_path / "bot.db", configured(site, server)) as harness:
        yield harness


def nl(h: BotHarness, msgid: str, **values: Any) -> str:
    return h.tr("nl")._(msgid, **values)


def resident_header(h: BotHarness, ticket: Ticket) -> str:
    gtr = h.tr("nl")
    who = gtr._("Resident {code}", code=ticket.pseudonym) + f" ({gtr._('anonymous')})"
    return gtr._("💬 {who} (#{ref}):", who=who, ref=ticket.ref)


def staff_header(h: BotHarness, lang: str, staff: str) -> str:
    name = h.services.site.partner_name_in(GROUP, lang)
    return h.tr(lang)._("💬 {partner} ({name}):", partner=name, name=staff)


def quote(msg: JSONDict) -> str:
    """The text of the message's folded quote (the original)."""
    [entity] = [e for e in msg.get("entities", []) if e["type"] == "expandable_blockquote"]
    units = msg["text"].encode("utf-16-le")
    start, length = entity["offset"] * 2, entity["length"] * 2
    return str(units[start:start + length].decode("utf-16-le"))


async def started(h: BotHarness, lang: str = "ar") -> tuple[ResidentChat, Ticket]:
    """A resident's report, and a first staff reply they can answer."""
    chat = await h.onboard("Amina" if lang == "ar" else "Ayşe", lang)
    ticket = await chat.report(text="ضجيج" if lang == "ar" else "Gürültü", lang=lang)
    await h.staff(GROUP, "Jan").reply(h.group(GROUP).card(ticket.ref), REPLY_NL)
    return chat, ticket


async def answer(h: BotHarness, chat: ResidentChat, lang: str, text: str) -> None:
    await chat.press(h.tr(lang)._("Answer"))
    await chat.send(text)


# -- both ways ----------------------------------------------------------------------------------
async def test_the_residents_answer_reaches_the_group_in_dutch_with_the_original_kept(
        th: BotHarness, server: FakeTranslateServer) -> None:
    amina, ticket = await started(th)
    await answer(th, amina, "ar", ANSWER_AR)
    landed = th.group(GROUP).messages()[-1]
    label = nl(th, "Machine translated from {language}:", language="Arabisch")
    assert label == "Automatisch vertaald uit het Arabisch:"
    assert landed["text"] == "\n".join([resident_header(th, ticket), f"🌐 {label}",
                                        isolate(ANSWER_NL), isolate(ANSWER_AR)])
    assert quote(landed) == isolate(ANSWER_AR)
    # staff can answer the translated message like any relay
    await th.staff(GROUP, "Jan").reply(landed, REPLY_NL)
    assert amina.last_text.startswith(staff_header(th, "ar", "Jan"))
    # only the words and the two language codes went to the service, never names or refs
    sent = [s.params for s in server.requests("/translate")]
    assert {"q": [ANSWER_AR], "source": "ar", "target": "nl", "format": "text"} in sent
    assert ticket.ref not in str(sent) and "Amina" not in str(sent)


async def test_the_staff_reply_reaches_the_resident_in_arabic_marked_with_the_original(
        th: BotHarness) -> None:
    amina, _ = await started(th)
    msg = th.fake.last_message(amina.chat_id)
    rtr = th.tr("ar")
    label = rtr._("Machine translated from {language}:", language="الهولندية")
    assert label != "Machine translated from الهولندية:"  # the Arabic catalog has it
    assert msg["text"] == "\n".join([staff_header(th, "ar", "Jan"), f"🌐 {label}",
                                     isolate(REPLY_AR), isolate(REPLY_NL)])
    assert quote(msg) == isolate(REPLY_NL)
    # the partner's name in Arabic, and the Answer button is still there
    assert th.services.site.partner_name_in(GROUP, "ar") in msg["text"]
    assert amina.buttons() == ["✍️ " + rtr._("Answer")]


async def test_a_dutch_reply_to_a_dutch_resident_goes_as_written(
        th: BotHarness, server: FakeTranslateServer) -> None:
    piet = await th.onboard("Piet", "nl")
    ticket = await piet.report(text="Harde muziek")
    await th.staff(GROUP, "Jan").reply(th.group(GROUP).card(ticket.ref), REPLY_NL)
    assert piet.last_text == staff_header(th, "nl", "Jan") + "\n" + REPLY_NL
    assert server.counts["/translate"] == 0


async def test_latin_letters_from_an_arabic_resident_are_read_as_dutch_not_translated(
        th: BotHarness, server: FakeTranslateServer) -> None:
    amina, ticket = await started(th)
    before = server.counts["/translate"]
    await answer(th, amina, "ar", "Ja, morgen ben ik de hele dag thuis")
    landed = th.group(GROUP).messages()[-1]
    assert landed["text"] == (resident_header(th, ticket) + "\n"
                              + isolate("Ja, morgen ben ik de hele dag thuis"))
    assert server.counts["/translate"] == before


async def test_a_photo_caption_follows_the_photo_translated(th: BotHarness) -> None:
    amina, ticket = await started(th)
    await amina.press(th.tr("ar")._("Answer"))
    await amina.photo(caption=ANSWER_AR)
    photo, words = th.group(GROUP).messages()[-2:]
    assert photo["caption"] == resident_header(th, ticket)
    assert isolate(ANSWER_NL) in words["text"] and quote(words) == isolate(ANSWER_AR)


async def test_a_long_message_is_translated_piece_by_piece_and_nothing_is_cut(
        th: BotHarness, server: FakeTranslateServer) -> None:
    amina, ticket = await started(th)
    sentence = "الماء يتسرب من السقف في المطبخ. "
    long = sentence * 150  # about 4,800 characters
    await answer(th, amina, "ar", long.strip())
    pieces = [m for m in th.group(GROUP).messages()
              if m.get("text", "").startswith(resident_header(th, ticket))]
    assert len(pieces) >= 3
    originals = "".join(quote(m).strip("\u2068\u2069") for m in pieces)
    assert originals.replace(" ", "") == long.replace(" ", "")
    assert all(len(m["text"]) <= 4096 for m in pieces)


# -- never slower, never lost ------------------------------------------------------------------
@pytest.mark.parametrize("fault", ["500", "timeout", "429", "bad_json"])
async def test_with_the_service_down_the_message_goes_at_once_and_is_edited_in_later(
        th: BotHarness, server: FakeTranslateServer, fault: str) -> None:
    amina, ticket = await started(th)
    server.fail(fault)
    await answer(th, amina, "ar", ANSWER_AR)
    landed = th.group(GROUP).messages()[-1]
    assert landed["text"] == (resident_header(th, ticket) + "\n" + isolate(ANSWER_AR) + " "
                              + nl(th, "(not translated)"))
    # the staff reply while down: the resident reads the original, marked in Arabic
    await th.staff(GROUP, "Jan").reply(landed, "Tot morgen")
    rtr = th.tr("ar")
    assert amina.last_text == (staff_header(th, "ar", "Jan") + "\n" + isolate("Tot morgen")
                               + " " + rtr._("(not translated)"))
    server.fail(None)
    server.translations[("nl", "ar", "Tot morgen")] = "إلى الغد"
    th.clock.advance(timedelta(seconds=31))
    await th.sweep()
    edited = th.fake.message(th.services.site.partner(GROUP).chat_id, landed["message_id"])
    assert isolate(ANSWER_NL) in edited["text"] and quote(edited) == isolate(ANSWER_AR)
    assert nl(th, "(not translated)") not in edited["text"]
    assert isolate("إلى الغد") in amina.last_text
    assert amina.buttons() == ["✍️ " + rtr._("Answer")]  # the edit keeps the button


async def test_a_retry_that_fails_again_waits_longer_and_survives_a_restart(
        tmp_path: Path, site: SiteConfig, server: FakeTranslateServer) -> None:
    cfg = configured(site, server)
    async with BotHarness.start(tmp_path / "bot.db", cfg) as h:
        amina, _ = await started(h)
        server.fail("500")
        await answer(h, amina, "ar", ANSWER_AR)
        landed = h.group(GROUP).messages()[-1]
        h.clock.advance(timedelta(seconds=31))
        await h.sweep()  # still down: the next try in 60 s
        clock, fake = h.clock, h.fake
    server.fail(None)
    async with BotHarness.start(tmp_path / "bot.db", cfg, clock=clock, fake=fake) as h:
        chat = h.services.site.partner(GROUP).chat_id
        h.clock.advance(timedelta(seconds=31))
        await h.sweep()
        assert ANSWER_NL not in h.fake.message(chat, landed["message_id"])["text"]
        h.clock.advance(timedelta(seconds=30))
        await h.sweep()
        assert isolate(ANSWER_NL) in h.fake.message(chat, landed["message_id"])["text"]


async def test_a_pair_the_service_lacks_asks_the_group_for_an_interpreter(
        tmp_path: Path, site: SiteConfig) -> None:
    with FakeTranslateServer(CANNED, pairs=every_pair() - {("ar", "nl"), ("nl", "ar")}) as srv:
        async with BotHarness.start(tmp_path / "bot.db", configured(site, srv)) as h:
            amina, _ = await started(h)
            rtr = h.tr("ar")
            assert amina.last_text.endswith(" " + rtr._("(not translated)"))
            assert nl(h, "not translated: an interpreter is needed") not in amina.last_text
            await answer(h, amina, "ar", ANSWER_AR)
            landed = h.group(GROUP).messages()[-1]
            assert landed["text"].endswith(
                "🌐 " + nl(h, "not translated: an interpreter is needed"))
            calls = srv.counts["/translate"]
            h.clock.advance(timedelta(hours=2))
            await h.sweep()
            assert srv.counts["/translate"] == calls  # not tried again


async def test_the_same_words_go_to_the_service_once(
        th: BotHarness, server: FakeTranslateServer) -> None:
    amina, _ = await started(th)
    await answer(th, amina, "ar", ANSWER_AR)
    await answer(th, amina, "ar", ANSWER_AR)
    asked = [s for s in server.requests("/translate") if s.params["q"] == [ANSWER_AR]]
    assert len(asked) == 1


# -- voice messages ----------------------------------------------------------------------------
async def test_a_turkish_voice_message_is_written_out_and_translated_for_the_group(
        th: BotHarness, server: FakeTranslateServer) -> None:
    ayse, ticket = await started(th, "tr")
    await ayse.press(th.tr("tr")._("Answer"))
    await ayse.voice()
    voice, words = th.group(GROUP).messages()[-2:]
    assert "voice" in voice
    head = nl(th, "🎤 {who} (#{ref}), voice message written out by the computer:",
              who=nl(th, "Resident {code}", code=ticket.pseudonym) + f" ({nl(th, 'anonymous')})",
              ref=ticket.ref)
    label = nl(th, "Machine translated from {language}:", language="Turks")
    assert words["text"] == "\n".join([head, f"🌐 {label}", isolate(SPOKEN_NL),
                                       isolate(SPOKEN_TR)])
    # the resident's chosen language went with the audio; staff can reply to the words
    [seen] = server.requests("/v1/audio/transcriptions")
    assert seen.params["language"] == "tr" and seen.params["model"] == "whisper-1"
    await th.staff(GROUP, "Jan").reply(words, "Wij bellen de buren.")
    assert "Wij bellen de buren." in ayse.last_text


async def test_a_voice_message_on_the_report_is_written_out_under_the_card(
        th: BotHarness) -> None:
    ayse = await th.onboard("Ayşe", "tr")
    ticket = await ayse.report(text="Gürültü", voice=True, lang="tr")
    group = th.group(GROUP)
    card = group.card(ticket.ref)
    after = [m for m in group.messages() if m["message_id"] > card["message_id"]]
    assert ["voice" in m for m in after[:1]] == [True]  # the voice message under the card
    [words] = [m for m in after if SPOKEN_TR in m.get("text", "")]
    assert isolate(SPOKEN_NL) in words["text"] and quote(words) == isolate(SPOKEN_TR)
    assert words["reply_to_message"]["message_id"] == card["message_id"]


async def voice_while_down(h: BotHarness, server: FakeTranslateServer) -> Ticket:
    """Ayşe (Turkish) answers with a voice message while the services answer 500."""
    ayse, ticket = await started(h, "tr")
    server.fail("500")
    await ayse.press(h.tr("tr")._("Answer"))
    await ayse.voice()
    return ticket


async def test_with_the_speech_service_down_the_voice_goes_at_once_and_words_follow(
        th: BotHarness, server: FakeTranslateServer) -> None:
    await voice_while_down(th, server)
    group = th.group(GROUP)
    assert "voice" in group.messages()[-1]  # the voice message itself did not wait
    server.fail(None)
    th.clock.advance(timedelta(seconds=31))
    await th.deliver()
    assert isolate(SPOKEN_NL) in group.texts()[-1]


async def test_a_voice_message_that_cannot_be_written_out_says_so(
        th: BotHarness, server: FakeTranslateServer) -> None:
    ticket = await voice_while_down(th, server)
    for _ in range(12):
        th.clock.advance(timedelta(hours=2))
        await th.deliver()
    assert th.group(GROUP).texts()[-1] == nl(
        th, "🎤 #{ref}: the computer could not write out this voice message. Please listen "
        "to it.", ref=ticket.ref)


async def test_without_a_speech_service_nothing_is_written_out(
        tmp_path: Path, site: SiteConfig, server: FakeTranslateServer) -> None:
    async with BotHarness.start(tmp_path / "bot.db",
                                configured(site, server, speech=False)) as h:
        ayse, _ = await started(h, "tr")
        await ayse.press(h.tr("tr")._("Answer"))
        await ayse.voice()
        assert "voice" in h.group(GROUP).messages()[-1]
        assert server.counts["/v1/audio/transcriptions"] == 0


# -- privacy -----------------------------------------------------------------------------------
async def test_erasure_leaves_no_words_translations_or_transcripts_in_any_table(
        th: BotHarness, server: FakeTranslateServer) -> None:
    """Every table and column is scanned (tests/e2e/test_erasure_scan.py) after an Arabic
    conversation with translation both ways and a voice message written out."""
    server.transcripts["ar"] = "اسمي أمينة، الكلب ينبح كل ليلة"
    amina, _ = await started(th)
    await answer(th, amina, "ar", ANSWER_AR)
    await amina.press(th.tr("ar")._("Answer"))
    await amina.voice()
    words = [m for m in th.group(GROUP).texts() if "الكلب ينبح" in m]
    assert words  # the transcript reached the group
    needles = [str(amina.person.id), ANSWER_AR, ANSWER_NL, REPLY_NL, REPLY_AR, "الكلب ينبح",
               "[nl] اسمي أمينة"]

    async def found() -> list[str]:
        return [f"{table}.{column}: {str(value)[:60]!r}"
                for table, column, value in await everything(th) if value is not None
                for needle in needles if needle in str(value)]

    assert await found()  # the scan sees them while they are there
    tr = th.tr("ar")
    await amina.tap_menu(tr._("Privacy"))
    await amina.press(tr._("Delete my data"))
    await amina.press(tr._("Yes, delete everything"))
    left = await found()
    assert not left, "\n".join(left)
    assert await th.store.translations.count_for(amina.person.id) == 0
