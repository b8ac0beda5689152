"""Ask for help, end to end: topic, story, contact, language, consent, reference."""

from __future__ import annotations

import json

from bot.domain.tickets import Kind, Status
from bot.i18n import language_name
from bot.render.labels import category_label
from bot.testing.harness import BotHarness, ResidentChat

STORY = "Faturalarımı ödeyemiyorum, borçlarım var"
PARTNER_ID = "werk_inkomen"


async def _to_contact_step(h: BotHarness, name: str = "Ali") -> ResidentChat:
    """A Turkish resident who chose money and debts and told their story."""
    ali = await h.onboard(name, "tr")
    tr = h.tr("tr")
    await ali.tap_menu(tr._("Ask for help"))
    assert tr._("What do you need help with? Choose one.") in ali.last_text
    await ali.press(tr._("Money and debts"))
    prompt = tr._("Tell us in a few words what is going on. Type it or send a voice message.")
    assert prompt in ali.last_text
    await ali.send(STORY)
    assert tr._("Thank you, I have added it. Send more, or press Next.") in ali.last_text
    await ali.press(tr._("Next"))
    assert tr._("How can we reach you?") in ali.last_text
    return ali


async def _to_consent_by_phone(h: BotHarness, typed: str = "06 1234 5678") -> ResidentChat:
    tr = h.tr("tr")
    ali = await _to_contact_step(h)
    await ali.press(tr._("A phone call"))
    await ali.send(typed)
    await ali.press(language_name("tr"))
    assert tr._("Please check your request.") in ali.last_text
    return ali


async def _step(h: BotHarness, chat: ResidentChat) -> str | None:
    draft = await h.store.drafts.get(chat.person.id)
    return None if draft is None else str(draft.step)


async def test_turkish_resident_shares_phone_with_the_contact_button(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await _to_contact_step(h)
    await ali.press(tr._("A phone call"))
    ask_phone = tr._("Press the button to send your phone number, or type it. "
                     "We only use it to call you about this request.")
    assert ask_phone in ali.last_text
    # the phone step offers Telegram's "share my number" button on the reply keyboard
    assert ali.menu() == ["📱 " + tr._("Send my phone number")]
    kb = h.fake.reply_keyboard(ali.chat_id, int(ali.new[-1]["message_id"]))
    assert kb is not None and kb["keyboard"][0][0]["request_contact"] is True

    await ali.contact("+31612345678")
    # the main menu comes back and the language is asked
    assert tr._("Thank you.") in ali.new_text
    assert any(tr._("Ask for help") in label for label in ali.menu())
    assert tr._("In which language do you want to talk? "
                "Choose one, or type another language.") in ali.last_text
    # the resident's own language is offered first
    assert ali.buttons()[0] == language_name("tr")
    await ali.press(language_name("ar"))

    summary = ali.last_text
    site = h.services.site
    assert tr._("Please check your request.") in summary
    assert tr._("Help with: {topic}",
                topic=category_label(tr, site, "help", "money")) in summary
    assert tr._("What is going on: {text}", text=STORY) in summary
    assert tr._("a phone call") in summary and "0612345678" in summary
    assert tr._("Language: {language}", language=language_name("ar")) in summary
    partner = site.partner_name_in(PARTNER_ID, "tr")
    assert tr._("May we share this with {partner}? They can only help you if they can "
                "read it.", partner=partner) in summary
    # nothing is stored before the yes
    assert await h.store.tickets.for_resident(ali.person.id) == []

    await ali.press(tr._("Yes, share it"))
    [ticket] = await h.store.tickets.for_resident(ali.person.id)
    assert ticket.kind == Kind.HELP and ticket.category == "money"
    assert ticket.partner_id == "werk_inkomen" and ticket.status == Status.OPEN
    assert ticket.contact == "phone" and ticket.contact_lang == "ar"
    assert ticket.phone == "0612345678"
    assert ticket.description == STORY and ticket.lang == "tr"
    resident = await h.store.residents.get(ali.person.id)
    assert "share:werk_inkomen" in resident.consents
    done = ali.last_text
    assert tr._("Thank you. Your request is sent to {partner}.", partner=partner) in done
    assert tr._("Your number is {ref}. Keep it.", ref=ticket.ref) in done
    assert ticket.ref.startswith("H-")
    assert tr._("They will contact you by {how}. You get a message here when there is news.",
                how=tr._("a phone call")) in done
    assert await h.store.drafts.get(ali.person.id) is None


async def test_typed_phone_number_is_normalised_and_a_bad_one_is_refused(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await _to_contact_step(h)
    await ali.press(tr._("A phone call"))

    await ali.send("12ab")
    assert ali.new_text == tr._("That does not look like a phone number. Example: 06 12345678")
    assert await _step(h, ali) == "phone"
    await ali.send("06 1234 56")  # one digit short
    assert tr._("That does not look like a phone number. Example: 06 12345678") in ali.new_text
    assert await _step(h, ali) == "phone"

    await ali.send("06 1234 5678")
    assert await _step(h, ali) == "contact_lang"
    await ali.press(language_name("tr"))
    assert "0612345678" in ali.last_text
    await ali.press(tr._("Yes, share it"))
    [ticket] = await h.store.tickets.for_resident(ali.person.id)
    assert ticket.phone == "0612345678"
    assert ticket.contact == "phone" and ticket.contact_lang == "tr"
    assert ticket.partner_id == "werk_inkomen"
    resident = await h.store.residents.get(ali.person.id)
    assert set(resident.consents) == {"share:werk_inkomen"}


async def test_the_same_number_is_stored_in_one_form_however_it_arrives(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await _to_contact_step(h)
    await ali.press(tr._("A phone call"))
    await ali.contact("31612345678")  # what Telegram sends for a Dutch mobile number
    await ali.press(language_name("tr"))
    await ali.press(tr._("Yes, share it"))
    [ticket] = await h.store.tickets.for_resident(ali.person.id)
    assert ticket.phone == "0612345678"


async def test_typed_other_language_is_kept_as_typed(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await _to_contact_step(h)
    await ali.press(tr._("A message here"))
    await ali.send("Somali")
    summary = ali.last_text
    assert tr._("Language: {language}", language="Somali") in summary
    assert tr._("How we reach you: {how}", how=tr._("a message here")) in summary
    await ali.press(tr._("Yes, share it"))
    [ticket] = await h.store.tickets.for_resident(ali.person.id)
    assert ticket.contact == "message" and ticket.contact_lang == "Somali"
    assert ticket.phone is None and ticket.location is None


async def test_no_shares_nothing_and_gives_the_partners_own_contact(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await _to_consent_by_phone(h)
    await ali.press(tr._("No, do not share"))
    answer = ali.last_text
    assert tr._("Nothing was shared. Your request was not sent.") in answer
    partner = h.services.site.partner_name_in(PARTNER_ID, "tr")
    assert tr._("You can contact {partner} yourself: {contact}", partner=partner,
                contact="Gemeente Utrecht, 14 030") in answer
    assert "Gemeente Utrecht, 14 030" in answer
    # the main menu is back, and nothing was stored or consented to
    assert any(tr._("Ask for help") in label for label in ali.menu())
    assert await h.store.tickets.for_resident(ali.person.id) == []
    assert await h.store.drafts.get(ali.person.id) is None
    resident = await h.store.residents.get(ali.person.id)
    assert resident.consents == {}
    export = await h.store.privacy.export(ali.person.id)
    assert export["requests"] == [] and "unfinished" not in export
    assert STORY not in json.dumps(export, ensure_ascii=False)


async def test_home_visit_asks_the_address_and_keeps_it(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await _to_contact_step(h)
    await ali.press(tr._("A home visit"))
    assert tr._("What is your address? Type your street and house number.") in ali.last_text
    await ali.send("   ")
    assert tr._("Please type your street and house number.") in ali.new_text
    await ali.send("x" * 121)
    assert tr._("Please type your street and house number.") in ali.new_text
    assert await _step(h, ali) == "address"
    await ali.send("Zambesidreef 12")
    await ali.press(language_name("nl"))
    summary = ali.last_text
    assert tr._("a home visit") in summary and "Zambesidreef 12" in summary
    await ali.press(tr._("Yes, share it"))
    [ticket] = await h.store.tickets.for_resident(ali.person.id)
    assert ticket.contact == "visit" and ticket.contact_lang == "nl"
    assert "Zambesidreef 12" in (ticket.location or "")
    assert json.loads(ticket.location or "{}") == {"text": "Zambesidreef 12"}
    assert tr._("They will contact you by {how}. You get a message here when there is news.",
                how=tr._("a home visit")) in ali.last_text


async def test_change_contact_method_returns_to_the_consent_screen(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await _to_consent_by_phone(h)
    await ali.press(tr._("Change"))
    assert tr._("What do you want to change?") in ali.last_text
    await ali.press(tr._("How we reach you"))
    assert tr._("How can we reach you?") in ali.last_text
    await ali.press(tr._("A message here"))
    # straight back to the consent screen: the language is not asked again
    summary = ali.last_text
    assert tr._("Please check your request.") in summary
    assert tr._("How we reach you: {how}", how=tr._("a message here")) in summary
    assert "0612345678" not in summary  # the phone number is dropped with the phone call
    assert tr._("Language: {language}", language=language_name("tr")) in summary
    assert tr._("What is going on: {text}", text=STORY) in summary

    # change back to a phone call: the number is asked, then the consent screen again
    await ali.press(tr._("Change"))
    await ali.press(tr._("How we reach you"))
    await ali.press(tr._("A phone call"))
    await ali.send("030 123 4567")
    assert tr._("Please check your request.") in ali.last_text
    assert "0301234567" in ali.last_text

    # the other change buttons come back too
    await ali.press(tr._("Change"))
    await ali.press(tr._("Language"))
    await ali.press(language_name("ar"))
    assert tr._("Language: {language}", language=language_name("ar")) in ali.last_text
    await ali.press(tr._("Change"))
    await ali.press(tr._("Back"))
    assert tr._("Please check your request.") in ali.last_text

    await ali.press(tr._("Yes, share it"))
    [ticket] = await h.store.tickets.for_resident(ali.person.id)
    assert ticket.contact == "phone" and ticket.phone == "0301234567"
    assert ticket.contact_lang == "ar"


async def test_change_topic_reroutes_to_the_other_partner(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await _to_consent_by_phone(h)
    await ali.press(tr._("Change"))
    await ali.press(tr._("Help with"))
    await ali.press(tr._("Care and health"))
    summary = ali.last_text
    assert tr._("Please check your request.") in summary
    assert tr._("May we share this with {partner}? They can only help you if they can "
                "read it.",
                partner=h.services.site.partner_name_in("buurtteam_sociaal", "tr")) in summary
    await ali.press(tr._("Yes, share it"))
    [ticket] = await h.store.tickets.for_resident(ali.person.id)
    assert ticket.category == "care" and ticket.partner_id == "buurtteam_sociaal"
    resident = await h.store.residents.get(ali.person.id)
    assert set(resident.consents) == {"share:buurtteam_sociaal"}


async def test_voice_note_is_enough_as_the_story(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await h.onboard("Ayşe", "tr")
    await ali.tap_menu(tr._("Ask for help"))
    await ali.press(tr._("Money and debts"))
    await ali.voice()
    assert tr._("Thank you, I have added it. Send more, or press Next.") in ali.last_text
    await ali.press(tr._("Next"))
    await ali.press(tr._("A message here"))
    await ali.press(language_name("tr"))
    summary = ali.last_text
    assert tr._("What is going on: {text}", text="-") in summary
    assert tr.ngettext("{n} voice message", "{n} voice messages", 1) in summary
    await ali.press(tr._("Yes, share it"))
    [ticket] = await h.store.tickets.for_resident(ali.person.id)
    assert ticket.kind == Kind.HELP and ticket.description == ""
    assert [a.type for a in ticket.attachments] == ["voice"]
    assert ticket.attachments[0].file_id.startswith("AwACAgQ")


async def _arabic_phone_step(h: BotHarness) -> ResidentChat:
    tr = h.tr("ar")
    amina = await h.onboard("Amina", "ar")
    await amina.tap_menu(tr._("Ask for help"))
    await amina.press(tr._("Money and debts"))
    await amina.send("عندي ديون")
    await amina.press(tr._("Next"))
    await amina.press(tr._("A phone call"))
    return amina


async def test_arabic_digits_in_a_phone_number_are_understood(h: BotHarness) -> None:
    tr = h.tr("ar")
    amina = await _arabic_phone_step(h)
    await amina.send("٠٦ ١٢٣٤ ٥٦٧٨")
    assert tr._("That does not look like a phone number. Example: 06 12345678") not in (
        amina.new_text)
    await amina.press(language_name("ar"))
    await amina.press(tr._("Yes, share it"))
    [ticket] = await h.store.tickets.for_resident(amina.person.id)
    assert ticket.phone == "0612345678"


async def test_a_stored_phone_number_has_only_ascii_digits(h: BotHarness) -> None:
    tr = h.tr("ar")
    amina = await _arabic_phone_step(h)
    await amina.send("06١٢٣٤٥٦٧٨")
    if await _step(h, amina) == "contact_lang":
        await amina.press(language_name("ar"))
        await amina.press(tr._("Yes, share it"))
        [ticket] = await h.store.tickets.for_resident(amina.person.id)
        assert ticket.phone is not None
        assert ticket.phone.lstrip("+").isascii() and ticket.phone.lstrip("+").isdigit()
    else:  # refusing it is fine too, as long as the resident is told
        assert tr._("That does not look like a phone number. Example: 06 12345678") in (
            amina.new_text)
