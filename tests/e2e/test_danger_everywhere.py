"""The 112 notice wherever a resident types words of danger: a report's description or a photo's
caption, a help request, a question typed, a message to an open request, a message outside any
flow, before a language is chosen. The message then does what it would have done; in a flow the
notice comes once per draft. Harmless sentences in the same places show nothing. Which words:
tests/test_danger.py."""

from __future__ import annotations

from bot.testing.harness import BotHarness, ResidentChat

GROUP = "woningcorporatie"


def danger_line(h: BotHarness, lang: str) -> str:
    return h.tr(lang)._("Are you or someone else in danger right now? Call {number} now.",
                        number="112")


def go_on_line(h: BotHarness, lang: str) -> str:
    return h.tr(lang)._("You can still send your report here. We will pass it on.")


def notices(h: BotHarness, chat: ResidentChat, lang: str) -> int:
    """How many 112 notices the resident's chat holds so far."""
    line = danger_line(h, lang)
    return sum(line in str(m.get("text", "")) for m in h.fake.sent_to(chat.chat_id))


def police_line(h: BotHarness, lang: str) -> str:
    return h.tr(lang)._("Police, not urgent: {number}.", number="0900-8844")


async def test_report_description_and_caption(h: BotHarness) -> None:
    tr = h.tr("nl")
    sara = await h.onboard("Sara", "nl")
    await sara.tap_menu(tr._("Report a problem"))
    await sara.press(tr._("Noise"))
    await sara.send("de buren maken elke nacht herrie, het licht brandt ook de hele nacht")
    assert danger_line(h, "nl") not in sara.new_text
    # the caption of a photo is read too: 112 first, then the photo is taken as always
    await sara.photo(caption="nu komt er rook uit de meterkast")
    assert danger_line(h, "nl") in sara.new[0]["text"]
    assert police_line(h, "nl") in sara.new_text and go_on_line(h, "nl") in sara.new_text
    assert sara.last_text == tr._("Thank you, I have added it. Send more, or press Next.")
    # once per report, whatever comes next and wherever it is typed in the flow
    await sara.send("hij heeft ook een mes")
    await sara.press(tr._("Next"))
    await sara.send("bij de brand trap, 3e")  # the place, typed
    assert notices(h, sara, "nl") == 1
    await sara.press(tr._("Anonymous"))
    await sara.press(tr._("Send"))
    [ticket] = await h.store.tickets.for_resident(sara.person.id)
    assert "nu komt er rook uit de meterkast" in ticket.description
    assert "hij heeft ook een mes" in ticket.description
    assert notices(h, sara, "nl") == 1

    # a new report is a new draft: warned again
    await sara.tap_menu(tr._("Report a problem"))
    await sara.press(tr._("Noise"))
    await sara.send("ik ruik gas in het trappenhuis")
    assert notices(h, sara, "nl") == 2


async def test_help_request_story(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await h.onboard("Ali", "tr")
    await ali.tap_menu(tr._("Ask for help"))
    await ali.press(tr._("Money and debts"))
    await ali.send("Faturalarımı ödeyemiyorum, ateşim var, asansör de bozuk")
    assert danger_line(h, "tr") not in ali.new_text
    await ali.send("kocam beni dovuyor, eve gitmeye korkuyorum")
    assert danger_line(h, "tr") in ali.new[0]["text"]
    assert ali.last_text == tr._("Thank you, I have added it. Send more, or press Next.")
    draft = await h.store.drafts.get(ali.person.id)
    assert draft is not None and draft.step == "describe" and draft.data["warned"] is True
    assert draft.data["texts"][-1] == "kocam beni dovuyor, eve gitmeye korkuyorum"


async def test_question_typed(h: BotHarness) -> None:
    tr = h.tr("en")
    tom = await h.onboard("Tom", "en")
    await tom.tap_menu(tr._("Ask a question"))
    await tom.send("just killing time, when does the renovation start")
    assert danger_line(h, "en") not in tom.new_text
    assert tom.new_text  # the search answered as always
    await tom.send("my husband hit me, what can i do")
    assert danger_line(h, "en") in tom.new[0]["text"]
    assert any(tr._("Send my question to a person") in b for b in tom.buttons())
    assert notices(h, tom, "en") == 1


async def test_message_to_an_open_request(h: BotHarness) -> None:
    rtr = h.tr("ar")
    amina = await h.onboard("Amina", "ar")
    ticket = await amina.report(text="موسيقى عالية كل ليلة", lang="ar")
    group = h.group(GROUP)
    jan = h.staff(GROUP, "Jan")
    await jan.reply(group.card(ticket.ref), "Wanneer is het lawaai het ergst?")
    partner = h.services.site.partner_name_in(GROUP, "ar")
    sent = rtr._("Sent to {partner}.", partner=partner)

    # a Telegram reply to the staff message: 112 at once, and it still reaches the partner
    staff_msg = h.fake.last_message(amina.chat_id)
    await amina._do(h.updates.text(amina.person, "زوجي يضربني الآن",
                                   reply_to=staff_msg["message_id"]))
    assert danger_line(h, "ar") in amina.new[0]["text"]
    assert go_on_line(h, "ar") not in amina.new_text  # nothing left to send: it went
    assert sent in amina.new_text
    assert "زوجي يضربني الآن" in group.texts()[-1]

    # with the Answer button (a short flow), in Darija Arabizi
    await amina.press(rtr._("Answer"))
    await amina.send("ri7t lghaz bzaf f darj")
    assert danger_line(h, "ar") in amina.new_text and sent in amina.new_text
    assert "ri7t lghaz bzaf f darj" in group.texts()[-1]

    # a harmless answer: just sent
    await amina._do(h.updates.text(amina.person, "الله يعطيك العافية",
                                   reply_to=staff_msg["message_id"]))
    assert danger_line(h, "ar") not in amina.new_text and sent in amina.new_text
    assert notices(h, amina, "ar") == 2


async def test_photo_caption_to_an_open_request(h: BotHarness) -> None:
    piet = await h.onboard("Piet", "nl")
    ticket = await piet.report(text="Harde muziek elke nacht")
    group = h.group(GROUP)
    await h.staff(GROUP, "Jan").reply(group.card(ticket.ref), "Kunt u een foto sturen?")
    staff_msg = h.fake.last_message(piet.chat_id)
    await piet._do(h.updates.photo(piet.person, "de container staat in brand",
                                       reply_to=staff_msg["message_id"]))
    assert danger_line(h, "nl") in piet.new[0]["text"]
    assert group.messages()[-1].get("photo")


async def test_outside_any_flow(h: BotHarness) -> None:
    tr = h.tr("nl")
    piet = await h.onboard("Piet", "nl")
    not_understood = tr._("I did not understand that. Choose a button below.")
    await piet.send("het licht brandt de hele nacht in de gang")
    assert piet.new_text == not_understood
    await piet.send("die jongen heeft een pistool bij de lift")
    assert danger_line(h, "nl") in piet.new[0]["text"]
    assert go_on_line(h, "nl") not in piet.new_text
    assert piet.last_text == not_understood  # and the menu, as always
    # outside a flow there is no draft to remember it: every such message shows it
    await piet.photo(caption="hij heeft een mes")
    assert danger_line(h, "nl") in piet.new_text
    assert notices(h, piet, "nl") == 2


async def test_before_a_language_is_chosen(h: BotHarness) -> None:
    stranger = h.resident("Omar", "ar")
    await stranger.send("الحقوني في حريق")
    assert danger_line(h, "ar") in stranger.new[0]["text"]
    assert stranger.buttons()  # then the language picker, as for any first message
    calm = h.resident("Omar2", "ar")
    await calm.send("السلام عليكم")
    assert danger_line(h, "ar") not in calm.new_text and calm.buttons()


async def test_an_edited_message(h: BotHarness) -> None:
    """Telegram lets a message be edited; new words of danger show 112 before the usual
    "send it as a new message"."""
    tr = h.tr("ar")
    noor = await h.onboard("Noor", "ar")
    await noor.send("مرحبا")
    sent = h.fake.messages(noor.chat_id)[-2]  # the resident's own message
    for text, danger in (("مرحبا، الضوء مطفأ", False), ("جاري كيضربني دابا", True)):
        edited = {**sent, "text": text, "edit_date": int(sent["date"]) + 5}
        await noor._do(h.updates.raw({"edited_message": edited}))
        assert (danger_line(h, "ar") in noor.new_text) is danger
        assert tr._("Changing a sent message does not change what I received. "
                    "Please send the new text as a new message.") in noor.last_text
