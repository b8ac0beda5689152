"""What residents (and forgers) send that the bot did not ask for: it answers, nothing breaks."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

from bot.logsetup import setup_logging
from bot.testing.harness import BotHarness, ResidentChat

SORRY = "Sorry, something went wrong on our side. Please try again."
OLD = "This button is old. Here is where you are now."


async def _describing(h: BotHarness, lang: str, name: str = "Resident") -> ResidentChat:
    """A resident at the 'what happened' step of a noise report."""
    chat = await h.onboard(name, lang)
    tr = h.tr(lang)
    await chat.tap_menu(tr._("Report a problem"))
    await chat.press(tr._("Noise"))
    assert tr._("What happened? Type it, or send photos or a voice message.") in chat.last_text
    return chat


async def _draft(h: BotHarness, chat: ResidentChat) -> Any:
    return await h.store.drafts.get(chat.person.id)


def _no_apology(h: BotHarness, chat: ResidentChat, lang: str) -> None:
    sorry = h.tr(lang)._(SORRY)
    assert all(sorry not in text for text in h.fake.texts(chat.chat_id))


def _alerts(h: BotHarness) -> list[str]:
    return [str(a["text"]) for a in h.fake.alerts]


@pytest.mark.parametrize("kind", ["sticker", "location", "video_note"])
async def test_unsupported_media_while_describing(h: BotHarness, kind: str) -> None:
    tr = h.tr("ar")
    amina = await _describing(h, "ar")
    await amina.send("ضجيج")
    before = await _draft(h, amina)
    if kind == "sticker":
        await amina.sticker()
    elif kind == "location":
        await amina.location()
    else:
        await amina._do(h.updates.video_note(amina.person))
    assert amina.new_text == tr._("I cannot use this here. Please send text, a photo or a "
                                  "voice message.")
    after = await _draft(h, amina)
    assert after.step == "describe" and after.data == before.data
    # the flow goes on as if nothing happened
    await amina.photo()
    assert tr._("Thank you, I have added it. Send more, or press Next.") in amina.last_text
    await amina.press(tr._("Next"))
    assert tr._("Where is it? Choose the building, or type where it is.") in amina.last_text
    _no_apology(h, amina, "ar")


async def test_picture_sent_as_a_file_is_refused(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await _describing(h, "tr")
    await ali.document("IMG_0001.jpg", "image/jpeg")
    assert ali.new_text == tr._("Please send the picture as a photo, not as a file. "
                                "A file can show where it was taken.")
    draft = await _draft(h, ali)
    assert draft.step == "describe" and draft.data.get("attachments", []) == []
    # a document that is not a picture is simply not usable
    await ali.document("brief.pdf", "application/pdf")
    assert ali.new_text == tr._("I cannot use this here. Please send text, a photo or a "
                                "voice message.")


async def test_too_long_text_is_refused(h: BotHarness) -> None:
    tr = h.tr("nl")
    piet = await _describing(h, "nl")
    await piet.send("a" * 3001)
    too_long = tr._("That is too long. Please keep it shorter than {n} characters.", n=3000)
    assert piet.new_text == too_long
    assert (await _draft(h, piet)).data.get("texts", []) == []
    # the limit counts everything sent so far
    await piet.send("b" * 2000)
    await piet.send("c" * 1001)
    assert piet.new_text == too_long
    assert (await _draft(h, piet)).data["texts"] == ["b" * 2000]
    await piet.send("c" * 1000)  # exactly the limit is fine
    assert tr._("Thank you, I have added it. Send more, or press Next.") in piet.new_text


async def test_captions_count_towards_the_length_limit(h: BotHarness) -> None:
    tr = h.tr("nl")
    piet = await _describing(h, "nl")
    await piet.send("a" * 2900)
    await piet.photo(caption="b" * 1000)
    await piet.photo(caption="c" * 1000)
    await piet.press(tr._("Next"))
    await piet.press(tr._("Skip"))
    await piet.press(tr._("Anonymous"))
    _no_apology(h, piet, "nl")
    assert tr._("Please check your report.") in piet.last_text


@pytest.mark.parametrize("text", ["   \t  ", "\u202e\u2066\u2069", " \u202b \u202c ",
                                  "\u200b\u200c\u200d", "\u2060 \ufeff", "\u200b\n\u200b"])
async def test_empty_text_is_refused(h: BotHarness, text: str) -> None:
    tr = h.tr("tr")
    ali = await _describing(h, "tr")
    await ali.send(text)
    assert ali.new_text == tr._("Your message is empty. Please type a few words.")
    draft = await _draft(h, ali)
    assert draft.step == "describe" and draft.data.get("texts", []) == []


async def test_next_with_nothing_entered_asks_for_the_story(h: BotHarness) -> None:
    tr = h.tr("ar")
    amina = await _describing(h, "ar")
    # there is no Next button yet; a stale client could still send it
    assert tr._("Next") not in " ".join(amina.buttons())
    draft = await _draft(h, amina)
    await amina.press_data(f"v1:f:{draft.key}:describe:next")
    assert tr._("Please tell us first what happened: type it, or send a photo or a voice "
                "message.") in amina.new_text
    assert (await _draft(h, amina)).step == "describe"
    # a refused sticker does not count as content either
    await amina.sticker()
    await amina.press_data(f"v1:f:{draft.key}:describe:next")
    assert (await _draft(h, amina)).step == "describe"


async def test_old_button_from_an_earlier_step(h: BotHarness) -> None:
    tr = h.tr("nl")
    piet = await h.onboard("Piet", "nl")
    await piet.tap_menu(tr._("Report a problem"))
    categories = copy.deepcopy(piet.message_with(tr._("Drug dealing")))
    drugs = next(b["callback_data"] for row in categories["reply_markup"]["inline_keyboard"]
                 for b in row if tr._("Drug dealing") in b["text"])
    await piet.press(tr._("Noise"))
    await piet.send("Harde muziek")
    # the category keyboard is gone from the chat, but a slow client sends the press anyway
    await piet.press_data(drugs, message_id=int(categories["message_id"]))
    assert tr._(OLD) in _alerts(h)
    draft = await _draft(h, piet)
    assert draft.step == "describe" and draft.data["category"] == "noise"
    assert draft.data["texts"] == ["Harde muziek"]
    # the current step is asked again, keeping what was sent
    assert tr._("What happened? Type it, or send photos or a voice message.") in piet.last_text
    assert tr._("What you sent before is kept. You can add more, or press Next.") in (
        piet.last_text)
    _no_apology(h, piet, "nl")


async def test_button_from_a_stopped_flow_is_old(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await h.onboard("Ali", "tr")
    await ali.tap_menu(tr._("Report a problem"))
    noise = ali.message_with(tr._("Noise"))
    await ali.send("/cancel")
    await ali._do(h.updates.press(ali.person, noise, "🔊 " + tr._("Noise")))
    assert tr._(OLD) in _alerts(h)
    assert await _draft(h, ali) is None
    assert tr._("What do you want to do? Choose a button below.") in ali.last_text


FORGED = ("v1:f:zzz:category:noise", "garbage", "v2:x", "v1:", "v1", "v1:nope:1", "v1:f",
          "v1:lang:xx", "v1:m:zzz:keep", "v1:priv:whatever", "v1:add:999", "v1:add:x",
          "v1:t:1:claim", "v1:faq:zzz", "v1:faq:i:../../etc")


async def test_forged_callback_data_is_answered_and_changes_nothing(h: BotHarness) -> None:
    amina = await _describing(h, "ar")
    await amina.send("ضجيج كل ليلة")
    before = await _draft(h, amina)
    resident = await h.store.residents.get(amina.person.id)
    for data in FORGED:
        answered = len(h.fake.alerts)
        await amina.press_data(data)
        # the press is answered (the spinner stops) and something is shown
        assert len(h.fake.alerts) == answered + 1, data
        assert amina.new, f"the resident saw no answer to {data!r}"
        _no_apology(h, amina, "ar")
        if not data.startswith("v1:faq:"):  # FAQ buttons are stateless: they may open the FAQ
            assert await _draft(h, amina) == before, data
        assert await h.store.residents.get(amina.person.id) == resident
        assert await h.store.tickets.for_resident(amina.person.id) == []


@pytest.mark.parametrize("data", ["garbage", "v2:x"])
async def test_unknown_data_shows_the_old_button_answer_and_the_menu(
        h: BotHarness, data: str) -> None:
    tr = h.tr("tr")
    ali = await h.onboard("Ali", "tr")
    await ali.press_data(data)
    assert _alerts(h)[-1] == tr._(OLD)
    assert ali.last_text == tr._("What do you want to do? Choose a button below.")


async def test_forged_press_from_someone_who_never_started(h: BotHarness) -> None:
    stranger = h.resident("Stranger", "tr")
    await stranger.press_data("v1:priv:delete_yes")
    # only the language picker, nothing stored
    assert h.tr("tr")._("Choose your language") in stranger.last_text
    assert await h.store.residents.get(stranger.person.id) is None


async def test_unknown_command(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await h.onboard("Ali", "tr")
    await ali.send("/foo")
    assert ali.last_text == tr._("I do not know that command. Choose a button below.")
    assert any(tr._("Ask a question") in label for label in ali.menu())


async def test_cancel_in_a_flow_drops_the_draft(h: BotHarness) -> None:
    tr = h.tr("ar")
    amina = await _describing(h, "ar")
    await amina.send("ضجيج")
    await amina.photo()
    await amina.send("/cancel")
    assert amina.last_text == tr._("Stopped. Nothing was sent.")
    assert await _draft(h, amina) is None
    assert await h.store.tickets.for_resident(amina.person.id) == []
    assert any(tr._("Report a problem") in label for label in amina.menu())


async def test_cancel_outside_a_flow(h: BotHarness) -> None:
    tr = h.tr("nl")
    piet = await h.onboard("Piet", "nl")
    await piet.send("/cancel")
    assert piet.last_text == tr._("There is nothing to stop. Choose a button below.")


async def test_resident_command_in_a_group_points_to_the_private_chat(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await h.onboard("Ali", "tr")
    h.fake.add_group(-100123, "Portiek")
    await h.feed(h.updates.text(ali.person, "/start", chat_id=-100123))
    [reply] = h.fake.sent_to(-100123)
    assert reply["text"] == tr._("Please talk to me in a private chat, not in a group.")
    [[button]] = reply["reply_markup"]["inline_keyboard"]
    assert button["url"] == "https://t.me/buurtbot_test_bot"
    assert tr._("Open private chat") in button["text"]
    # other resident commands too, and nothing was said in the private chat about it
    await h.feed(h.updates.text(ali.person, "/privacy@buurtbot_test_bot", chat_id=-100123))
    assert len(h.fake.sent_to(-100123)) == 2
    assert h.fake.calls_to(-100123, "sendDocument") == []


async def test_group_command_from_someone_unknown_uses_their_telegram_language(
        h: BotHarness) -> None:
    h.fake.add_group(-100123, "Portiek")
    stranger = h.resident("Amina", "ar")
    await h.feed(h.updates.text(stranger.person, "/help", chat_id=-100123))
    [reply] = h.fake.sent_to(-100123)
    assert reply["text"] == h.tr("ar")._("Please talk to me in a private chat, not in a group.")
    assert await h.store.residents.get(stranger.person.id) is None


async def test_free_text_outside_a_flow_shows_the_menu(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await h.onboard("Ali", "tr")
    await ali.send("merhaba")
    assert ali.last_text == tr._("I did not understand that. Choose a button below.")
    assert any(tr._("Ask for help") in label for label in ali.menu())
    await ali.sticker()
    assert ali.last_text == tr._("I did not understand that. Choose a button below.")


async def test_bidi_overrides_are_stripped_before_storage(h: BotHarness) -> None:
    tr = h.tr("ar")
    amina = await _describing(h, "ar")
    await amina.send("\u202eضجيج\u202c في الطابق 4 \u2066abc\u2069")
    await amina.press(tr._("Next"))
    await amina.press(tr._("Skip"))
    await amina.press(tr._("Anonymous"))
    await amina.press(tr._("Send"))
    [ticket] = await h.store.tickets.for_resident(amina.person.id)
    assert ticket.description == "ضجيج في الطابق 4 abc"
    for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        assert ch not in ticket.description


async def test_errors_are_logged_without_what_the_resident_wrote(
        h: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    tr = h.tr("tr")
    ali = await _describing(h, "tr")
    words = "Komşum beni her gece rahatsız ediyor"

    async def broken_save(draft: Any) -> None:
        detail = f"secret text {draft.data}"  # a driver error that quotes the data
        raise RuntimeError(detail)

    monkeypatch.setattr(h.store.drafts, "save", broken_save)
    caplog.set_level(logging.INFO)
    update = h.updates.text(ali.person, words)
    await ali._do(update)

    assert ali.last_text == tr._(SORRY)
    log = "\n".join(r.getMessage() for r in caplog.records)
    errors = [r for r in caplog.records if r.name == "buurtbot.errors"]
    assert errors and errors[0].levelno == logging.ERROR
    first = errors[0].getMessage()
    assert "RuntimeError" in first
    assert str(update.update_id) in first and "(message)" in first
    assert "secret text" not in log
    assert words not in log and "rahatsız" not in log
    for record in caplog.records:
        assert record.exc_info is None or "secret text" not in str(record.exc_info[1])


async def test_errors_in_button_presses_are_logged_as_callback_queries(
        h: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    tr = h.tr("ar")
    amina = await _describing(h, "ar")
    await amina.send("ضجيج")

    async def broken_save(draft: Any) -> None:
        detail = f"secret text {draft.data}"
        raise RuntimeError(detail)

    monkeypatch.setattr(h.store.drafts, "save", broken_save)
    caplog.set_level(logging.INFO)
    await amina.press(tr._("Next"))
    assert amina.last_text == tr._(SORRY)
    log = "\n".join(r.getMessage() for r in caplog.records)
    assert "(callback_query)" in log
    assert "secret text" not in log and "ضجيج" not in log


def test_httpx_never_logs_urls_with_the_token() -> None:
    names = ("httpx", "httpcore")
    saved = {name: logging.getLogger(name).level for name in names}
    root_level = logging.getLogger().level
    try:
        setup_logging()
        for name in names:
            assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
        logging.getLogger().setLevel(root_level)


async def test_editing_a_sent_story_changes_nothing_and_says_so(h: BotHarness) -> None:
    tr = h.tr("nl")
    piet = await _describing(h, "nl", "Piet")
    await piet.send("Harde muziek om 3 uuur")
    sent = [m for m in h.fake.messages(piet.chat_id) if m["from"]["id"] == piet.person.id][-1]
    edited = dict(copy.deepcopy(sent), text="Harde muziek om 3 uur",
                  edit_date=int(sent["date"]) + 5)
    await piet._do(h.updates.raw({"edited_message": edited}))
    assert piet.new_text == tr._("Changing a sent message does not change what I received. "
                                 "Please send the new text as a new message.")
    draft = await _draft(h, piet)
    assert draft.step == "describe" and draft.data["texts"] == ["Harde muziek om 3 uuur"]


async def test_press_on_a_message_that_no_longer_exists(h: BotHarness) -> None:
    tr = h.tr("nl")
    piet = await h.onboard("Piet", "nl")
    await piet.tap_menu(tr._("Report a problem"))
    draft = await _draft(h, piet)
    # Telegram sends an inaccessible message when the bot can no longer see it
    await piet.press_data(f"v1:f:{draft.key}:category:noise", message_id=9999)
    assert tr._("What happened? Type it, or send photos or a voice message.") in piet.last_text
    assert (await _draft(h, piet)).data["category"] == "noise"
    _no_apology(h, piet, "nl")


async def test_resident_buttons_pressed_in_a_group_never_post_there(h: BotHarness) -> None:
    tr = h.tr("nl")
    piet = await _describing(h, "nl", "Piet")
    await piet.send("Geheim verhaal")
    draft = await _draft(h, piet)
    h.fake.add_group(-100123, "Portiek")
    await h.feed(h.updates.text(piet.person, "/start", chat_id=-100123))
    in_group = int(h.fake.sent_to(-100123)[-1]["message_id"])
    said_in_group = len(h.fake.sent_to(-100123))
    for data in ("v1:priv:export", f"v1:f:{draft.key}:describe:next", "v1:faq:s:rent",
                 "v1:priv:delete_yes", "garbage"):
        await h.feed(h.updates.press_data(piet.person, -100123, in_group, data))
        assert h.fake.alerts[-1]["text"] == tr._("This button does not work here.")
    # nothing was posted in the group, nothing sent privately, nothing changed
    assert len(h.fake.sent_to(-100123)) == said_in_group
    assert h.fake.calls_to(-100123, "sendDocument") == []
    assert h.fake.calls_to(piet.chat_id, "sendDocument") == []
    assert await _draft(h, piet) == draft
    assert await h.store.residents.get(piet.person.id) is not None


async def test_a_wrong_code_in_the_letter_link_still_offers_the_language(h: BotHarness) -> None:
    """A first contact through a QR link with a mistyped or old code: the resident hears what
    went wrong in their likely language and can still choose their language."""
    mehmet = h.resident("Mehmet", "tr")
    await mehmet.send("/start " + "x7" * 10)
    tr = h.tr("tr")
    assert tr._("This code is not right. Please check the letter and try again.") in (
        mehmet.new_text)
    assert "Türkçe" in mehmet.buttons()[0]  # the language picker, Turkish first
    await mehmet.press("Türkçe")
    assert tr._("Ask a question") in " ".join(mehmet.menu())
