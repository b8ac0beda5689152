"""Report a problem, end to end, as residents would do it."""

from __future__ import annotations

import json

from bot.domain.tickets import Kind, Status
from bot.i18n.bidi import strip_controls
from bot.testing.harness import BotHarness


async def test_arabic_resident_reports_noise_anonymously(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    tr = h.tr("ar")
    await amina.tap_menu(tr._("Report a problem"))
    assert tr._("What is the problem? Choose one.") in amina.last_text
    await amina.press(tr._("Noise"))
    await amina.send("موسيقى عالية كل ليلة")
    await amina.photo()
    await amina.voice()
    assert amina.new_text.count(tr._("Thank you, I have added it. Send more, or press Next.")) == 1
    await amina.press(tr._("Next"))
    await amina.press("Zambesidreef")
    await amina.press(strip_controls(tr._("stairwell {name}", name="B")))
    await amina.press(strip_controls(tr._("floor {n}", n=4)))
    await amina.press(tr._("Anonymous"))
    summary = amina.last_text
    assert "موسيقى عالية كل ليلة" in summary
    assert tr._("Anonymous: yes") in summary
    await amina.press(tr._("Send"))
    # anonymous with a voice message: she is told a voice can be recognised before it goes
    assert tr._("your voice in the voice message: people can recognise a voice") in amina.last_text
    assert await h.store.tickets.for_resident(amina.person.id) == []
    await amina.press(tr._("Send anyway"))

    [ticket] = await h.store.tickets.for_resident(amina.person.id)
    assert ticket.kind == Kind.NUISANCE and ticket.category == "noise"
    assert ticket.anonymous and ticket.first_name is None
    assert ticket.partner_id == "woningcorporatie" and ticket.status == Status.OPEN
    assert [a.type for a in ticket.attachments] == ["photo", "voice"]
    assert ticket.building == "zambesidreef"
    assert json.loads(ticket.location or "{}") == {"stairwell": "B", "floor": "4"}
    done = amina.last_text
    assert tr._("Your number is {ref}. Keep it.", ref=ticket.ref) in done
    partner = h.services.site.partner_name_in("woningcorporatie", "ar")
    assert tr._("{partner} does not see who you are.", partner=partner) in done
    # the reference is isolated for right-to-left reading
    assert f"\u2068{ticket.ref}\u2069" in done
    assert await h.store.drafts.get(amina.person.id) is None


async def test_dutch_resident_reports_with_name_and_changes_the_category(h: BotHarness) -> None:
    piet = await h.onboard("Piet", "nl")
    tr = h.tr("nl")
    await piet.tap_menu(tr._("Report a problem"))
    await piet.press(tr._("Rubbish or dirt"))
    await piet.send("Vuilniszakken in de gang")
    await piet.press(tr._("Next"))
    await piet.press(tr._("At my home"))
    await piet.press(tr._("With my first name"))
    await piet.press(tr._("Change"))
    await piet.press(tr._("Problem"))
    await piet.press(tr._("Damage or broken"))
    # straight back to the summary, the story kept
    assert tr._("Please check your report.") in piet.last_text
    assert "Vuilniszakken in de gang" in piet.last_text
    assert tr._("Damage or broken") in piet.last_text
    await piet.press(tr._("Send"))
    [ticket] = await h.store.tickets.for_resident(piet.person.id)
    assert ticket.category == "vandalism" and not ticket.anonymous
    assert ticket.first_name == "Piet"
    assert json.loads(ticket.location or "{}") == {"home": True}


async def test_building_routing_override(h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    tr = h.tr("tr")
    await ali.tap_menu(tr._("Report a problem"))
    await ali.press(tr._("Drug dealing"))
    await ali.send("Merdivenlerde satış yapılıyor")
    await ali.press(tr._("Next"))
    await ali.press("Tigrisdreef")
    await ali.press(tr._("Skip"))
    await ali.press(tr._("Skip"))
    await ali.press(tr._("Anonymous"))
    await ali.press(tr._("Send"))
    [ticket] = await h.store.tickets.for_resident(ali.person.id)
    assert ticket.partner_id == "veiligheid"
    assert ticket.building == "tigrisdreef" and ticket.location is None


async def test_unsafe_category_and_danger_words_show_112_at_once(h: BotHarness) -> None:
    sara = await h.onboard("Sara", "nl")
    tr = h.tr("nl")
    await sara.tap_menu(tr._("Report a problem"))
    await sara.press(tr._("Unsafe situation"))
    assert "112" in sara.new_text and "0900-8844" in sara.new_text
    # the report can still be filed
    assert tr._("What happened? Type it, or send photos or a voice message.") in sara.last_text

    await sara.send("/cancel")
    await sara.tap_menu(tr._("Report a problem"))
    await sara.press(tr._("Noise"))
    await sara.send("Er staat iemand met een mes in de hal")
    assert "112" in sara.new_text
    await sara.send("Hij schreeuwt ook")
    assert "112" not in sara.new_text  # once per report, not after every message


async def test_double_tap_on_send_makes_one_ticket(h: BotHarness) -> None:
    jan = await h.onboard("Jan", "nl")
    tr = h.tr("nl")
    await jan.tap_menu(tr._("Report a problem"))
    await jan.press(tr._("Noise"))
    await jan.send("Boren op zondag")
    await jan.press(tr._("Next"))
    await jan.press(tr._("Skip"))
    await jan.press(tr._("Anonymous"))
    summary = jan.message_with(tr._("Send"))
    send = h.updates.press(jan.person, summary, "✅ " + tr._("Send"))
    again = h.updates.press(jan.person, summary, "✅ " + tr._("Send"))
    await h.feed(send)
    await h.feed(again)
    assert len(await h.store.tickets.for_resident(jan.person.id)) == 1
    # the second tap is answered, not ignored: it gets the same reference again
    ref = (await h.store.tickets.for_resident(jan.person.id))[0].ref
    assert tr._("We have received this. Your number is {ref}.", ref=ref) in jan.last_text


async def test_restart_mid_flow_resumes_where_the_resident_was(tmp_path, site) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "bot.db"
    async with BotHarness.start(db, site) as h1:
        fatma = await h1.onboard("Fatma", "tr", user_id=424242)
        tr = h1.tr("tr")
        await fatma.tap_menu(tr._("Report a problem"))
        await fatma.press(tr._("Noise"))
        await fatma.send("Gece yarısı gürültü")
        next_button = fatma.message_with(tr._("Next"))
        fake = h1.fake
    # the bot stops and starts again on the same database and the same chat history
    async with BotHarness.start(db, site, fake=fake) as h2:
        again = h2.resident("Fatma", "tr", user_id=424242)
        await again._do(h2.updates.press(again.person, next_button, tr._("Next") + " ➡️"))
        assert tr._("Where is it? Choose the building, or type where it is.") in again.last_text
        await again.press(tr._("Skip"))
        await again.press(tr._("Anonymous"))
        assert "Gece yarısı gürültü" in again.last_text
        await again.press(tr._("Send"))
        assert len(await h2.store.tickets.for_resident(424242)) == 1


async def test_an_edited_message_is_answered_not_silently_taken(h: BotHarness) -> None:
    noor = await h.onboard("Noor", "ar")
    tr = h.tr("ar")
    await noor.tap_menu(tr._("Report a problem"))
    await noor.press(tr._("Noise"))
    await noor.send("ضجيج")
    sent = h.fake.messages(noor.chat_id)[-2]  # the resident's own message
    edited = {**sent, "text": "ضجيج كثير", "edit_date": int(sent["date"]) + 5}
    await noor._do(h.updates.raw({"edited_message": edited}))
    assert tr._("Changing a sent message does not change what I received. "
                "Please send the new text as a new message.") in noor.last_text
    draft = await h.store.drafts.get(noor.person.id)
    assert draft is not None and draft.data["texts"] == ["ضجيج"]
