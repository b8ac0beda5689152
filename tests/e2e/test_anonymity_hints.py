"""Anonymous means anonymous: before an anonymous report goes, the resident is shown what in their
own words (a phone number, a name, a house number, ...) or their voice could still tell the
organisation who they are, with "Send anyway" and "Change my text" / "Remove the voice message";
and the card shows no more of the place than the resident chose."""

from __future__ import annotations

import json

from bot.i18n import Translator
from bot.i18n.bidi import FSI, PDI, isolate, strip_controls
from bot.store.homes import NewHome
from bot.testing.fake_api import JSONDict
from bot.testing.harness import BotHarness, ResidentChat

GROUP = "woningcorporatie"
HEADER = "You chose anonymous. But this can tell the organisation who you are:"
VOICE = "your voice in the voice message: people can recognise a voice"


def partner_chats_text(h: BotHarness) -> str:
    """Everything the partner groups were sent and hold, as one searchable text."""
    chats = {p.chat_id for p in h.services.site.partners}
    calls = [c.params for c in h.fake.calls if c.chat_id in chats]
    held = [h.fake.messages(c) for c in chats]
    return json.dumps([calls, held], ensure_ascii=False)


def card_lines(h: BotHarness, ref: str) -> list[str]:
    return str(h.group(GROUP).card(ref)["text"]).split("\n")


async def tickets(h: BotHarness, chat: ResidentChat) -> list:  # type: ignore[type-arg]
    return list(await h.store.tickets.for_resident(chat.person.id))


def detail(tr: Translator, msgid: str, value: str) -> str:
    return "• " + tr._(msgid, value=value)


async def start(chat: ResidentChat, tr: Translator, *, text: str | None = None,
                voices: int = 0) -> None:
    """A noise report up to the place: the words and/or voice messages, then Next."""
    await chat.tap_menu(tr._("Report a problem"))
    await chat.press(tr._("Noise"))
    if text is not None:
        await chat.send(text)
    for _ in range(voices):
        await chat.voice()
    await chat.press(tr._("Next"))


# -- what the resident wrote --------------------------------------------------------------------
async def test_arabic_hint_names_what_was_found_and_send_anyway_sends_it_as_written(
        h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    tr = h.tr("ar")
    words = "اسمي أمينة. رقمي ٠٦١٢٣٤٥٦٧٨. الجيران يصرخون كل ليلة"
    await amina.report_summary(text=words, lang="ar")
    await amina.press(tr._("Send"))
    hint = amina.last_text
    assert hint.startswith("⚠️ " + tr._(HEADER))
    assert detail(tr, "a name: {value}", "أمينة") in hint
    # as she wrote it (her own digits), isolated so it reads right inside the Arabic sentence
    assert detail(tr, "a phone number: {value}", "٠٦١٢٣٤٥٦٧٨") in hint
    assert f"{FSI}٠٦١٢٣٤٥٦٧٨{PDI}" in hint
    assert tr._(VOICE) not in hint  # no voice message, no word about voices
    assert tr._("Send it anyway, or change it first?") in hint
    assert [strip_controls(b) for b in amina.buttons()] == [
        "✅ " + tr._("Send anyway"), "✏️ " + tr._("Change my text"), "❌ " + tr._("Stop")]
    assert await tickets(h, amina) == []  # nothing has gone yet
    await amina.press(tr._("Send anyway"))
    [ticket] = await tickets(h, amina)
    assert ticket.anonymous and ticket.description == words
    assert f"💬 {isolate(words)}" in card_lines(h, ticket.ref)
    assert tr._("Your number is {ref}. Keep it.", ref=ticket.ref) in amina.last_text


async def test_turkish_change_my_text_lets_her_retype_and_the_new_text_is_sent(
        h: BotHarness) -> None:
    ayse = await h.onboard("Ayşe", "tr")
    tr = h.tr("tr")
    await ayse.report_summary(text="Benim adım Ayşe, kapı 12. Komşular her gece bağırıyor",
                              photo=True, lang="tr")
    await ayse.press(tr._("Send"))
    assert detail(tr, "a name: {value}", "Ayşe") in ayse.last_text
    assert detail(tr, "a house number: {value}", "kapı 12") in ayse.last_text
    await ayse.press(tr._("Change my text"))
    assert tr._("Type what happened again, without these details.") in ayse.last_text
    assert tr._("The rest of your report is kept.") in ayse.last_text
    await ayse.send("Komşular her gece bağırıyor")
    # back to the summary: the new words, the photo and the anonymity kept, the old words gone
    summary = ayse.last_text
    assert tr._("Please check your report.") in summary
    assert "Komşular her gece bağırıyor" in summary and "Ayşe" not in summary
    assert tr.ngettext("{n} photo", "{n} photos", 1) in summary
    assert tr._("Anonymous: yes") in summary
    await ayse.press(tr._("Send"))  # nothing left to point out: it goes at once
    [ticket] = await tickets(h, ayse)
    assert ticket.description == "Komşular her gece bağırıyor"
    assert [a.type for a in ticket.attachments] == ["photo"]
    assert "Ayşe" not in partner_chats_text(h) and "kapı 12" not in partner_chats_text(h)


async def test_dutch_retyped_text_is_checked_again_and_back_keeps_the_words(
        h: BotHarness) -> None:
    piet = await h.onboard("Piet", "nl")
    tr = h.tr("nl")
    first = "Ik ben Piet van Zambesidreef 12. Mijn auto 12-TNX-3 is bekrast"
    await piet.report_summary(text=first, lang="nl")
    await piet.press(tr._("Send"))
    hint = piet.last_text
    assert detail(tr, "a name: {value}", "Piet") in hint
    assert detail(tr, "a house number: {value}", "Zambesidreef 12") in hint
    assert detail(tr, "a licence plate: {value}", "12-TNX-3") in hint
    await piet.press(tr._("Change my text"))
    await piet.press(tr._("Back"))  # changed his mind: the summary, his words as they were
    assert first in piet.last_text and tr._("Please check your report.") in piet.last_text
    await piet.press(tr._("Send"))
    await piet.press(tr._("Change my text"))
    await piet.send("Mijn auto is bekrast. Mail me: piet.jansen@example.nl")
    await piet.press(tr._("Send"))
    hint = piet.last_text  # the new words have a detail too: said again, only that one
    assert detail(tr, "an e-mail address: {value}", "piet.jansen@example.nl") in hint
    assert "Zambesidreef 12" not in hint and "12-TNX-3" not in hint
    await piet.press(tr._("Change my text"))
    await piet.send("Mijn auto is bekrast")
    await piet.press(tr._("Send"))
    [ticket] = await tickets(h, piet)
    assert ticket.description == "Mijn auto is bekrast"


async def test_a_report_with_a_name_is_not_held_up(h: BotHarness) -> None:
    piet = await h.onboard("Piet", "nl")
    tr = h.tr("nl")
    words = "Mijn naam is Piet, bel 06-12345678"
    await piet.report_summary(text=words, voice=True, anonymous=False, lang="nl")
    await piet.press(tr._("Send"))
    [ticket] = await tickets(h, piet)
    assert not ticket.anonymous and ticket.description == words
    assert [a.type for a in ticket.attachments] == ["voice"]
    chat = piet.transcript()
    assert tr._(HEADER) not in chat and tr._(VOICE) not in chat


async def test_an_anonymous_report_without_details_goes_at_once(h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    tr = h.tr("tr")
    await ali.report_summary(text="Her gece saat 3'te gürültü var, 4. katta", lang="tr")
    await ali.press(tr._("Send"))
    assert len(await tickets(h, ali)) == 1
    assert tr._(HEADER) not in ali.transcript()


async def test_remove_my_text_sends_the_photo_alone(h: BotHarness) -> None:
    noor = await h.onboard("Noor", "ar")
    tr = h.tr("ar")
    await noor.report_summary(text="اسمي نور", photo=True, lang="ar")
    await noor.press(tr._("Send"))
    await noor.press(tr._("Change my text"))
    await noor.press(tr._("Remove my text"))
    assert tr._("Please check your report.") in noor.last_text
    await noor.press(tr._("Send"))
    [ticket] = await tickets(h, noor)
    assert ticket.description == "" and [a.type for a in ticket.attachments] == ["photo"]
    assert "نور" not in partner_chats_text(h)


# -- a voice ------------------------------------------------------------------------------------
async def test_dutch_voice_warning_and_removing_the_voice_message(h: BotHarness) -> None:
    sara = await h.onboard("Sara", "nl")
    tr = h.tr("nl")
    await sara.report_summary(text="Harde muziek elke nacht", voice=True, lang="nl")
    await sara.press(tr._("Send"))
    hint = sara.last_text
    assert hint.startswith("⚠️ " + tr._(HEADER))
    assert "• 🎤 " + tr._(VOICE) in hint
    assert [strip_controls(b) for b in sara.buttons()] == [
        "✅ " + tr._("Send anyway"), "🗑️ " + tr._("Remove the voice message"),
        "❌ " + tr._("Stop")]  # nothing in the words: no "Change my text"
    await sara.press(tr._("Remove the voice message"))
    summary = sara.last_text
    assert "Harde muziek elke nacht" in summary
    assert tr.ngettext("{n} voice message", "{n} voice messages", 1) not in summary
    await sara.press(tr._("Send"))
    [ticket] = await tickets(h, sara)
    assert list(ticket.attachments) == [] and ticket.description == "Harde muziek elke nacht"
    assert not any("voice" in m for m in h.group(GROUP).messages())


async def test_arabic_voice_only_report_removed_then_told_in_words(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    tr = h.tr("ar")
    await start(amina, tr, voices=2)
    await amina.press(tr._("Skip"))
    await amina.press(tr._("Anonymous"))
    await amina.press(tr._("Send"))
    assert "• 🎤 " + tr._(VOICE) in amina.last_text
    await amina.press(tr._("Remove the voice messages"))
    # nothing was left: she is asked again what happened, and comes back to the summary
    assert tr._("What happened? Type it, or send photos or a voice message.") in amina.last_text
    await amina.send("ضجيج كل ليلة")
    await amina.press(tr._("Next"))
    assert tr._("Please check your report.") in amina.last_text
    await amina.press(tr._("Send"))
    [ticket] = await tickets(h, amina)
    assert list(ticket.attachments) == [] and ticket.description == "ضجيج كل ليلة"


async def test_turkish_voice_added_while_anonymous_is_warned_and_can_be_sent(
        h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    tr = h.tr("tr")
    await ali.report_summary(text="Gürültü", lang="tr")
    await ali.press(tr._("Change"))
    await ali.press(tr._("What happened"))
    await ali.voice()
    await ali.press(tr._("Next"))
    await ali.press(tr._("Send"))
    assert "• 🎤 " + tr._(VOICE) in ali.last_text
    await ali.press(tr._("Send anyway"))
    [ticket] = await tickets(h, ali)
    assert [a.type for a in ticket.attachments] == ["voice"]
    assert any("voice" in m for m in h.group(GROUP).messages())


async def test_words_and_voice_together_in_one_hint(h: BotHarness) -> None:
    piet = await h.onboard("Piet", "nl")
    tr = h.tr("nl")
    await piet.report_summary(text="Bel me op 06 12345678", voice=True, lang="nl")
    await piet.press(tr._("Send"))
    assert detail(tr, "a phone number: {value}", "06 12345678") in piet.last_text
    assert "• 🎤 " + tr._(VOICE) in piet.last_text
    assert [strip_controls(b) for b in piet.buttons()] == [
        "✅ " + tr._("Send anyway"), "✏️ " + tr._("Change my text"),
        "🗑️ " + tr._("Remove the voice message"), "❌ " + tr._("Stop")]
    await piet.press(tr._("Remove the voice message"))
    await piet.press(tr._("Send"))  # the number is still there: said again, without the voice
    assert tr._(VOICE) not in piet.last_text
    assert detail(tr, "a phone number: {value}", "06 12345678") in piet.last_text
    await piet.press(tr._("Stop"))
    assert await tickets(h, piet) == []


# -- the place on the card ----------------------------------------------------------------------
def shared(chat: ResidentChat, content: JSONDict) -> object:
    msg = chat.h.fake.store_user_message(chat.chat_id, chat.person.id, content)
    return chat.h.updates.raw({"message": msg})


async def test_a_shared_gps_location_or_venue_never_reaches_the_card(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    tr, gtr = h.tr("ar"), h.tr("nl")
    await start(amina, tr, text="ضجيج")
    await amina.location()  # at "where is it?"
    assert tr._("Please choose a button, or type the place in a few words.") in amina.last_text
    venue = {"location": {"latitude": 52.1093, "longitude": 5.1121},
             "venue": {"location": {"latitude": 52.1093, "longitude": 5.1121},
                       "title": "Zambesidreef 41", "address": "Zambesidreef 41, Utrecht"}}
    await amina._do(shared(amina, venue))  # type: ignore[arg-type]
    assert tr._("Please choose a button, or type the place in a few words.") in amina.last_text
    await amina.press(tr._("Skip"))
    await amina.press(tr._("Anonymous"))
    await amina.press(tr._("Send"))
    [ticket] = await tickets(h, amina)
    assert ticket.location is None and ticket.building is None
    assert f"📍 {gtr._('not given')}" in card_lines(h, ticket.ref)
    everything = partner_chats_text(h)
    for secret in ("52.1", "5.11", "Zambesidreef 41", "latitude"):
        assert secret not in everything


async def test_a_location_in_the_description_is_refused(h: BotHarness) -> None:
    piet = await h.onboard("Piet", "nl")
    tr = h.tr("nl")
    await piet.tap_menu(tr._("Report a problem"))
    await piet.press(tr._("Noise"))
    await piet.location()
    assert tr._("I cannot use this here. Please send text, a photo or a voice message.") \
        in piet.last_text
    draft = await h.store.drafts.get(piet.person.id)
    assert draft is not None and "location" not in json.dumps(draft.data)


async def test_the_card_shows_the_place_as_chosen_last_and_no_more(h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    tr, gtr = h.tr("tr"), h.tr("nl")
    await start(ali, tr, text="Gürültü")
    await ali.press("Zambesidreef")
    await ali.press(strip_controls(tr._("stairwell {name}", name="B")))
    await ali.press(strip_controls(tr._("floor {n}", n=4)))
    await ali.press(tr._("Anonymous"))
    await ali.press(tr._("Change"))  # less precise after all: only the building
    await ali.press(tr._("Where"))
    await ali.press("Zambesidreef")
    await ali.press(tr._("Skip"))
    await ali.press(tr._("Skip"))
    await ali.press(tr._("Send"))
    [ticket] = await tickets(h, ali)
    assert ticket.building == "zambesidreef" and ticket.location is None
    place = [line for line in card_lines(h, ticket.ref) if line.startswith("📍")]
    assert place == ["📍 Zambesidreef"]
    assert gtr._("stairwell {name}", name="B") not in partner_chats_text(h)


async def test_at_my_home_shows_no_address_of_a_linked_home(h: BotHarness) -> None:
    await h.store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", 12, "B", "A", 3)])
    [home] = await h.store.homes.in_building("zambesidreef")
    code = (await h.store.homes.codes_for([home]))[home.id]
    fatma = await h.onboard("Fatma", "tr")
    await fatma.send(code)
    assert [x.address for x in await h.store.homes.of_resident(fatma.person.id)] == [
        "Zambesidreef 12-B"]
    tr, gtr = h.tr("tr"), h.tr("nl")
    await start(fatma, tr, text="Tavandan su damlıyor")
    await fatma.press(tr._("At my home"))
    await fatma.press(tr._("Anonymous"))
    await fatma.press(tr._("Send"))
    [ticket] = await tickets(h, fatma)
    assert json.loads(ticket.location or "{}") == {"home": True}
    assert f"📍 {gtr._('at my home')}" in card_lines(h, ticket.ref)
    everything = partner_chats_text(h)
    for secret in ("12-B", "Zambesidreef 12", gtr._("stairwell {name}", name="A"),
                   gtr._("floor {n}", n=3)):
        assert secret not in everything
