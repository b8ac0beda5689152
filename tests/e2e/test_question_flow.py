"""Ask a question, end to end: browse the FAQ, search it by words, or ask a person."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.domain.tickets import Kind, Status
from bot.testing.harness import BotHarness, ResidentChat

FAQ_DIR = Path(__file__).resolve().parents[2] / "content" / "faq"


def faq(lang: str) -> list[dict[str, Any]]:
    """The FAQ sections as the content editors wrote them."""
    sections: list[dict[str, Any]] = tomllib.loads(
        (FAQ_DIR / f"{lang}.toml").read_text(encoding="utf-8"))["section"]
    return sections


def section(lang: str, section_id: str) -> dict[str, Any]:
    return next(s for s in faq(lang) if s["id"] == section_id)


def item(lang: str, item_id: str) -> dict[str, Any]:
    return next(i for s in faq(lang) for i in s["item"] if i["id"] == item_id)


def title(s: dict[str, Any]) -> str:
    return f"{s['emoji']} {s['title']}"


async def _open(h: BotHarness, name: str, lang: str) -> ResidentChat:
    chat = await h.onboard(name, lang)
    tr = h.tr(lang)
    await chat.tap_menu(tr._("Ask a question"))
    assert tr._("Choose a subject, or type a few words of your question.") in chat.last_text
    return chat


async def test_dutch_resident_browses_sections_questions_and_answers(h: BotHarness) -> None:
    tr = h.tr("nl")
    piet = await _open(h, "Piet", "nl")
    # every section of the Dutch FAQ is a button, in the file's order, then "not here"
    expected = [title(s) for s in faq("nl")]
    assert piet.buttons() == [*expected, "✍️ " + tr._("My question is not here")]

    rent = section("nl", "rent")
    await piet.press(title(rent))
    assert piet.last_text == title(rent)
    questions = [i["question"] for i in rent["item"]]
    assert piet.buttons()[:len(questions)] == questions
    assert "⬅️ " + tr._("Back") in piet.buttons()

    rent_up = item("nl", "rent_up")
    await piet.press(rent_up["question"])
    assert rent_up["question"] in piet.last_text
    assert rent_up["answer"].strip() in piet.last_text

    # Back from the answer shows the section again, Back from the section the subjects
    await piet.press(tr._("Back"))
    assert piet.last_text == title(rent)
    assert piet.buttons()[:len(questions)] == questions
    await piet.press(tr._("Back"))
    assert tr._("Choose a subject, or type a few words of your question.") in piet.last_text
    assert piet.buttons()[:len(expected)] == expected

    # another section and answer, for good measure
    guest = section("nl", "guest_home")
    await piet.press(title(guest))
    what = item("nl", "what")
    await piet.press(what["question"])
    assert what["answer"].strip() in piet.last_text
    # browsing creates no ticket
    assert await h.store.tickets.for_resident(piet.person.id) == []


@pytest.mark.parametrize(("lang", "words"), [
    ("nl", "huur omhoog"),
    ("ar", "إيجار"),
    ("ar", "هل سيرتفع الإيجار"),
    ("tr", "kira"),
    ("tr", "KİRA artacak mı"),
])
async def test_typed_words_find_the_rent_answer_in_each_language(
        h: BotHarness, lang: str, words: str) -> None:
    tr = h.tr(lang)
    chat = await _open(h, "Resident", lang)
    await chat.send(words)
    assert tr._("Maybe one of these answers helps:") in chat.last_text
    rent_up = item(lang, "rent_up")
    assert chat.buttons()[0] == rent_up["question"]  # the best match comes first
    assert "✍️ " + tr._("Send my question to a person") in chat.buttons()
    await chat.press(rent_up["question"])
    assert rent_up["answer"].strip() in chat.last_text


@pytest.mark.parametrize(("lang", "words", "item_id"), [
    ("nl", "logeerwoning", "what"),
    ("nl", "schulden", "money_help"),
    ("ar", "مفتاح", "be_home"),
    ("tr", "anahtar", "be_home"),
    ("tr", "gurultu", "noise_dust"),
])
async def test_keywords_from_the_faq_file_find_their_item(
        h: BotHarness, lang: str, words: str, item_id: str) -> None:
    chat = await _open(h, "Resident", lang)
    await chat.send(words)
    assert item(lang, item_id)["question"] in chat.buttons()


@pytest.mark.parametrize(("lang", "nonsense"), [("nl", "xqzv blorp"), ("ar", "زززز ققق"),
                                                ("tr", "qwxz vbnm")])
async def test_no_answer_sends_the_question_to_a_person(
        h: BotHarness, lang: str, nonsense: str) -> None:
    tr = h.tr(lang)
    chat = await _open(h, "Resident", lang)
    await chat.send(nonsense)
    assert chat.last_text == tr._("I found no answer for that.")
    assert chat.buttons() == ["✍️ " + tr._("Send my question to a person")]
    await chat.press(tr._("Send my question to a person"))
    confirm = chat.last_text
    assert tr._("Your question: {text}", text=nonsense) in confirm
    partner = h.services.site.partner_name_in("woningcorporatie", lang)
    assert tr._("Send it to {partner}?", partner=partner) in confirm
    assert await h.store.tickets.for_resident(chat.person.id) == []

    await chat.press(tr._("Send"))
    [ticket] = await h.store.tickets.for_resident(chat.person.id)
    assert ticket.kind == Kind.QUESTION and ticket.category == "question"
    assert ticket.partner_id == "woningcorporatie" and ticket.status == Status.OPEN
    assert ticket.description == nonsense and ticket.lang == lang
    assert ticket.contact == "message"
    done = chat.last_text
    assert tr._("Thank you. Your question is sent to {partner}.", partner=partner) in done
    assert tr._("Your number is {ref}. Keep it.", ref=ticket.ref) in done
    assert tr._("You get the answer here.") in done
    assert ticket.ref.startswith("V-")
    assert await h.store.drafts.get(chat.person.id) is None


async def test_my_question_is_not_here_lets_the_resident_type_it(h: BotHarness) -> None:
    tr = h.tr("ar")
    amina = await _open(h, "Amina", "ar")
    await amina.press(tr._("My question is not here"))
    assert tr._("Type your question, or send a voice message.") in amina.last_text
    # Next before anything was typed asks for the question
    draft = await h.store.drafts.get(amina.person.id)
    await amina.press_data(f"v1:f:{draft.key}:ask:next")
    assert tr._("Please type your question first, or send a voice message.") in amina.new_text
    assert await h.store.tickets.for_resident(amina.person.id) == []

    question = "هل يمكنني الحصول على مفتاح إضافي للمخزن؟"
    await amina.send(question)
    assert tr._("Thank you, I have added it. Send more, or press Next.") in amina.last_text
    await amina.voice()
    await amina.press(tr._("Next"))
    confirm = amina.last_text
    assert question in confirm
    assert tr.ngettext("{n} voice message", "{n} voice messages", 1) in confirm

    # Change starts the question again, from empty
    await amina.press(tr._("Change"))
    assert tr._("Type your question, or send a voice message.") in amina.last_text
    await amina.send("متى يأتي العمال؟")
    await amina.press(tr._("Next"))
    assert "متى يأتي العمال؟" in amina.last_text and question not in amina.last_text
    await amina.press(tr._("Send"))
    [ticket] = await h.store.tickets.for_resident(amina.person.id)
    assert ticket.kind == Kind.QUESTION and ticket.partner_id == "woningcorporatie"
    assert ticket.description == "متى يأتي العمال؟" and ticket.attachments == ()
    # the reference is isolated for right-to-left reading
    assert f"\u2068{ticket.ref}\u2069" in amina.last_text


async def test_stop_in_the_question_flow_sends_nothing(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await _open(h, "Ali", "tr")
    await ali.press(tr._("My question is not here"))
    await ali.send("Bir sorum var")
    await ali.press(tr._("Stop"))
    assert tr._("Stopped. Nothing was sent.") in ali.last_text
    assert await h.store.drafts.get(ali.person.id) is None
    assert await h.store.tickets.for_resident(ali.person.id) == []


async def test_faq_buttons_still_work_after_the_flow_ended(h: BotHarness) -> None:
    tr = h.tr("nl")
    piet = await _open(h, "Piet", "nl")
    subjects = piet.message_with(title(section("nl", "rent")))
    await piet.send("xqzv blorp")
    await piet.press(tr._("Send my question to a person"))
    await piet.press(tr._("Send"))
    assert len(await h.store.tickets.for_resident(piet.person.id)) == 1
    assert await h.store.drafts.get(piet.person.id) is None

    # the subject list from before the question was sent is still pressable
    rent = section("nl", "rent")
    await piet._do(h.updates.press(piet.person, subjects, title(rent)))
    assert piet.last_text == title(rent)
    assert tr._("This button is old. Here is where you are now.") not in [
        a["text"] for a in h.fake.alerts]
    allowance = item("nl", "allowance")
    await piet.press(allowance["question"])
    assert allowance["answer"].strip() in piet.last_text
    # an answer button works by its data alone, too (stateless v1:faq: buttons)
    await piet.press_data("v1:faq:i:rent_up")
    assert item("nl", "rent_up")["answer"].strip() in piet.last_text
    # no new ticket came from browsing
    assert len(await h.store.tickets.for_resident(piet.person.id)) == 1


async def test_unknown_faq_ids_are_answered_politely(h: BotHarness) -> None:
    tr = h.tr("nl")
    piet = await _open(h, "Piet", "nl")
    await piet.press_data("v1:faq:s:no_such_section")
    assert tr._("This button is old. Here is where you are now.") in piet.new_text
    assert tr._("Choose a subject, or type a few words of your question.") in piet.last_text
    await piet.press_data("v1:faq:i:no_such_item")
    assert tr._("This button is old. Here is where you are now.") in piet.new_text
    assert tr._("Sorry, something went wrong on our side. Please try again.") not in (
        "\n".join(h.fake.texts(piet.chat_id)))


async def test_faq_button_during_a_report_keeps_the_unfinished_report(h: BotHarness) -> None:
    tr = h.tr("nl")
    piet = await _open(h, "Piet", "nl")
    subjects = piet.message_with(title(section("nl", "rent")))
    await piet.send("/cancel")
    await piet.tap_menu(tr._("Report a problem"))
    await piet.press(tr._("Noise"))
    await piet.send("Boren op zondag om zeven uur")
    await piet.photo()
    # the resident looks something up in an older FAQ message in between
    await piet._do(h.updates.press(piet.person, subjects, title(section("nl", "rent"))))
    draft = await h.store.drafts.get(piet.person.id)
    assert draft is not None and draft.flow == "report"
    assert draft.data["texts"] == ["Boren op zondag om zeven uur"]
