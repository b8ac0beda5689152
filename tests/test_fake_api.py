"""Tests for the in-process fake Bot API, driven through a real PTB Bot / Application."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    ForumTopic,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler
from telegram.ext import filters as F

from bot.testing import FakeBotAPI, Fault, Person, Updates, render_chat
from bot.testing.fake_api import NOT_MODIFIED

pytestmark = pytest.mark.asyncio

GROUP = -1001234567890
AMINA = Person(1001, "Amina", username="amina_o", language_code="nl")
JOOST = Person(1002, "Joost")


class FakeClock:
    """Manually advanced clock, so rate-limit tests need no sleeping."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


@pytest.fixture
def fake() -> FakeBotAPI:
    return FakeBotAPI()


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    bot = Bot(token="123:ABC", request=fake, get_updates_request=fake)
    await bot.initialize()
    yield bot
    await bot.shutdown()


@pytest.fixture
def updates(fake: FakeBotAPI, bot: Bot) -> Updates:
    return Updates(fake, bot)


def ptb_text(description: str) -> str:
    """PTB strips "Bad Request: " and capitalize()s the rest (lower-casing everything else)."""
    return description.removeprefix("Bad Request: ").capitalize()


# --------------------------------------------------------------------------- basics
async def test_initialize_calls_get_me(fake: FakeBotAPI, bot: Bot) -> None:
    assert bot.username == "buurtbot_test_bot"
    assert bot.id == 7000000001
    assert fake.calls[0].method == "getMe" and fake.calls[0].ok


async def test_message_ids_increase_per_chat_and_are_shared_with_users(
    fake: FakeBotAPI, bot: Bot, updates: Updates
) -> None:
    updates.text(AMINA, "hallo")  # user message takes id 1 in Amina's chat
    updates.register(JOOST)
    first = await bot.send_message(AMINA.id, "een")
    second = await bot.send_message(AMINA.id, "twee")
    other = await bot.send_message(JOOST.id, "een")
    assert isinstance(first, Message)
    assert (first.message_id, second.message_id, other.message_id) == (2, 3, 1)
    assert first.chat.type == "private" and first.from_user.is_bot
    assert [m["message_id"] for m in fake.messages(AMINA.id)] == [1, 2, 3]
    assert fake.texts(AMINA.id) == ["een", "twee"]
    assert [c.method for c in fake.calls_to(AMINA.id)] == ["sendMessage", "sendMessage"]


async def test_send_errors(fake: FakeBotAPI, bot: Bot, updates: Updates) -> None:
    updates.register(AMINA)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "wie?")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(AMINA.id, "   ")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(AMINA.id, "x" * 4097)
    # Length counts UTF-16 code units: each emoji below is two units.
    await bot.send_message(AMINA.id, "🏠" * 2048)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(AMINA.id, "🏠" * 2049)
    assert [c.ok for c in fake.calls_to(AMINA.id)] == [False, False, True, False]
    fake.block(AMINA.id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(AMINA.id, "hallo?")


async def test_group_membership_and_threads(fake: FakeBotAPI, bot: Bot) -> None:
    fake.add_group(GROUP, "Buurt Overvecht", bot_status="kicked")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(GROUP, "hoi")
    fake.add_group(GROUP, "Buurt Overvecht", is_forum=True)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(GROUP, "hoi", message_thread_id=99)


# --------------------------------------------------------------------------- edits
async def test_edit_not_modified_and_keyboard_rules(fake: FakeBotAPI, bot: Bot) -> None:
    fake.register_user(AMINA.id, AMINA.first_name)
    markup = keyboard(("Ja", "yes"))
    sent = await bot.send_message(AMINA.id, "Klopt dit?", reply_markup=markup)
    with pytest.raises(BadRequest) as excinfo:
        await bot.edit_message_text("Klopt dit?", AMINA.id, sent.message_id, reply_markup=markup)
    assert str(excinfo.value) == ptb_text(NOT_MODIFIED)
    # Omitting reply_markup removes the inline keyboard, so this *is* a modification.
    edited = await bot.edit_message_text("Klopt dit?", AMINA.id, sent.message_id)
    assert isinstance(edited, Message) and edited.reply_markup is None
    assert edited.edit_date is not None
    assert "reply_markup" not in fake.last_message(AMINA.id)  # stored state updated in place
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", AMINA.id, 999)
    with pytest.raises(BadRequest, match="There is no caption"):
        await bot.edit_message_caption(AMINA.id, sent.message_id, caption="x")


async def test_callback_data_is_limited_to_64_bytes(fake: FakeBotAPI, bot: Bot) -> None:
    fake.register_user(AMINA.id, AMINA.first_name)
    await bot.send_message(AMINA.id, "ok", reply_markup=keyboard(("a", "é" * 32)))  # 64 bytes
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(AMINA.id, "te lang", reply_markup=keyboard(("a", "x" * 65)))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(AMINA.id, "leeg", reply_markup=keyboard(("a", "")))


# --------------------------------------------------------------------------- faults and limits
async def test_injected_faults(
    fake: FakeBotAPI, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # opt in to timedelta, avoids a deprecation warning
    fake.register_user(AMINA.id, AMINA.first_name)
    fake.inject("sendMessage", Fault.retry_after(7))
    fake.inject("*", Fault.timeout())
    fake.inject("sendMessage", Fault.server_error(502))
    with pytest.raises(RetryAfter) as excinfo:
        await bot.send_message(AMINA.id, "1")
    assert excinfo.value.retry_after == dtm.timedelta(seconds=7)
    with pytest.raises(TimedOut):
        await bot.get_chat(AMINA.id)  # "*" matches any method
    with pytest.raises(NetworkError) as server:
        await bot.send_message(AMINA.id, "3")
    assert not isinstance(server.value, TimedOut)
    await bot.send_message(AMINA.id, "4")  # faults are consumed
    fake.inject("sendMessage", Fault.forbidden("bot was blocked by the user"), times=2)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(AMINA.id, "5")
    outcomes = [c.ok for c in fake.calls_to(AMINA.id, "sendMessage")]
    assert outcomes == [False, False, True, False, False]


async def test_rate_limits_when_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    clock = FakeClock()
    fake = FakeBotAPI(clock=clock, enforce_limits=True)
    fake.register_user(AMINA.id, AMINA.first_name)
    fake.add_group(GROUP, "Buurt")
    async with Bot("123:ABC", request=fake) as bot:
        await bot.send_message(AMINA.id, "1")
        with pytest.raises(RetryAfter) as excinfo:
            await bot.send_message(AMINA.id, "2")
        assert excinfo.value.retry_after == dtm.timedelta(seconds=1)
        clock.now += 1
        await bot.send_message(AMINA.id, "2")
        for _ in range(20):
            clock.now += 1.5
            await bot.send_message(GROUP, "update")
        with pytest.raises(RetryAfter):
            clock.now += 1.5
            await bot.send_message(GROUP, "te veel")
    assert fake.limit_hits == {"chat": 1, "group": 1}


# --------------------------------------------------------------------------- copy / forward / media
async def test_copy_has_no_origin_but_forward_does(
    fake: FakeBotAPI, bot: Bot, updates: Updates
) -> None:
    fake.add_group(GROUP, "Buurt", is_forum=True)
    thread = fake.add_topic(GROUP, "Meldingen")
    photo = updates.photo(AMINA, "Lekkage bij de trap")
    copied = await bot.copy_message(GROUP, AMINA.id, photo.message.message_id,
                                    caption="Nieuwe melding", message_thread_id=thread)
    stored = fake.message(GROUP, copied.message_id)
    assert stored is not None
    assert stored["caption"] == "Nieuwe melding"
    assert stored["photo"] == photo.message.to_dict()["photo"]
    assert "forward_origin" not in stored and stored["from"]["id"] == fake.bot_user["id"]
    assert stored["message_thread_id"] == thread
    forwarded = await bot.forward_message(GROUP, AMINA.id, photo.message.message_id)
    assert forwarded.forward_origin is not None
    assert forwarded.forward_origin.sender_user.id == AMINA.id
    with pytest.raises(BadRequest, match="Message to copy not found"):
        await bot.copy_message(GROUP, AMINA.id, 999)
    ids = await bot.copy_messages(GROUP, AMINA.id, [photo.message.message_id, 999])
    assert len(ids) == 1


async def test_uploads_get_file_and_download(fake: FakeBotAPI, bot: Bot) -> None:
    fake.register_user(AMINA.id, AMINA.first_name)
    sent = await bot.send_photo(AMINA.id, b"\x89PNG fake bytes", caption="Foto")
    assert fake.uploads[0].data == b"\x89PNG fake bytes" and fake.uploads[0].method == "sendPhoto"
    assert sent.photo[-1].file_id == fake.uploads[0].file_id
    file = await bot.get_file(sent.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == b"\x89PNG fake bytes"
    again = await bot.send_photo(AMINA.id, sent.photo[-1].file_id)  # by file_id: no new upload
    assert len(fake.uploads) == 1 and again.photo[-1].file_id == sent.photo[-1].file_id
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(AMINA.id, b"data", filename="a.pdf", caption="x" * 1025)


# --------------------------------------------------------------------------- forum topics
async def test_create_forum_topic_rules(fake: FakeBotAPI, bot: Bot) -> None:
    fake.add_group(-1001, "Gewone groep")
    with pytest.raises(BadRequest, match="The chat is not a forum"):
        await bot.create_forum_topic(-1001, "Meldingen")
    fake.add_group(-1002, "Forum zonder rechten", is_forum=True, can_manage_topics=False)
    with pytest.raises(BadRequest, match="Not enough rights to create a topic"):
        await bot.create_forum_topic(-1002, "Meldingen")
    fake.add_group(GROUP, "Forum", is_forum=True)
    topic = await bot.create_forum_topic(GROUP, "Meldingen")
    assert isinstance(topic, ForumTopic) and topic.name == "Meldingen"
    sent = await bot.send_message(GROUP, "In het topic", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    assert fake.texts(GROUP) == ["In het topic"]  # the "topic created" service message is not
    assert await bot.close_forum_topic(GROUP, topic.message_thread_id)
    with pytest.raises(BadRequest, match=r"(?i)topic_not_modified"):
        await bot.close_forum_topic(GROUP, topic.message_thread_id)


# --------------------------------------------------------------------------- factories
async def test_start_command_update(updates: Updates, bot: Bot) -> None:
    update = updates.text(AMINA, "/start@buurtbot_test_bot ref42")
    entity = update.message.entities[0]
    assert entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0
    assert entity.length == len("/start@buurtbot_test_bot")
    assert update.update_id == 1 and updates.text(AMINA, "/start").update_id == 2
    again = Update.de_json(update.to_dict(), bot)
    assert again is not None and again.message.text == update.message.text


async def test_press_by_label_and_data(fake: FakeBotAPI, bot: Bot, updates: Updates) -> None:
    updates.register(AMINA)
    languages = keyboard(("Nederlands", "lang:nl"), ("العربية", "lang:ar"))
    sent = await bot.send_message(AMINA.id, "Taal?", reply_markup=languages)
    stored = fake.last_message(AMINA.id)
    assert stored is not None
    by_label = updates.press(AMINA, stored, "العربية")
    by_data = updates.press(AMINA, sent.message_id, "lang:nl")
    assert by_label.callback_query.data == "lang:ar" and by_data.callback_query.data == "lang:nl"
    assert by_label.callback_query.message.message_id == sent.message_id
    assert by_label.callback_query.id != by_data.callback_query.id
    with pytest.raises(AssertionError, match="Nederlands"):
        updates.press(AMINA, stored, "English")
    assert await by_label.callback_query.answer("Gekozen", show_alert=True)
    assert fake.alerts[-1]["text"] == "Gekozen" and fake.alerts[-1]["show_alert"] is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await by_label.callback_query.answer()  # a query can be answered only once
    stale = updates.press_data(AMINA, AMINA.id, 999, "lang:nl")
    assert stale.callback_query.message is not None
    assert not stale.callback_query.message.is_accessible


async def test_other_factories_parse(
    fake: FakeBotAPI, updates: Updates, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    fake.add_group(GROUP, "Buurt")
    assert updates.voice(AMINA, duration=4).message.voice.duration == dtm.timedelta(seconds=4)
    document = updates.document(AMINA, "plan.pdf", "application/pdf").message.document
    assert document.file_name == "plan.pdf"
    assert updates.sticker(AMINA).message.sticker.emoji == "👍"
    assert updates.video_note(AMINA).message.video_note is not None
    assert updates.location(AMINA, 52.11, 5.11).message.location.latitude == 52.11
    assert updates.contact(AMINA, "+31612345678").message.contact.user_id == AMINA.id
    first = updates.text(AMINA, "Wie heeft de sleutel?", chat_id=GROUP)
    reply = updates.text(JOOST, "Ik", chat_id=GROUP, reply_to=first.message.message_id)
    assert reply.message.chat.type == "supergroup"
    assert fake.chats[GROUP].members[JOOST.id] == "member"
    assert reply.message.reply_to_message.text == "Wie heeft de sleutel?"
    added = updates.bot_added_to_group(AMINA, -1009, title="Nieuwe groep")
    change = added.my_chat_member
    assert change.old_chat_member.status == "left" and change.new_chat_member.status == "member"
    assert fake.chats[-1009].bot_status == "member"


# --------------------------------------------------------------------------- formatting, transcript
async def test_parse_modes(fake: FakeBotAPI, bot: Bot) -> None:
    fake.register_user(AMINA.id, AMINA.first_name)
    sent = await bot.send_message(AMINA.id, "<b>Hoi</b> &lt;3", parse_mode="HTML")
    assert sent.text == "Hoi <3" and sent.entities[0].type == MessageEntity.BOLD
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(AMINA.id, "<b>open", parse_mode="HTML")
    with pytest.raises(BadRequest, match="reserved"):
        await bot.send_message(AMINA.id, "Prijs: 5.00", parse_mode="MarkdownV2")
    assert (await bot.send_message(AMINA.id, "*Prijs*: 5\\.00", parse_mode="MarkdownV2")).text \
        == "Prijs: 5.00"


async def test_render_chat(fake: FakeBotAPI, bot: Bot, updates: Updates) -> None:
    updates.text(AMINA, "/start")
    choice = keyboard(("Nederlands", "nl"))
    await bot.send_message(AMINA.id, "مرحبا! Kies je taal:", reply_markup=choice)
    menu = ReplyKeyboardMarkup([[KeyboardButton("Melding"), KeyboardButton("Vraag")]])
    await bot.send_message(AMINA.id, "Menu", reply_markup=menu)
    updates.photo(AMINA, "kapotte lamp")
    transcript = render_chat(fake, AMINA.id, viewer_name="Jij")
    assert transcript.splitlines() == [
        "> Jij: /start",
        "مرحبا! Kies je taal:",
        "  [ Nederlands ]",
        "Menu",
        "  { Melding } { Vraag }",
        "> Jij: [photo] kapotte lamp",
    ]


# --------------------------------------------------------------------------- admin-ish methods
async def test_members_commands_and_unknown_methods(fake: FakeBotAPI, bot: Bot) -> None:
    fake.add_group(GROUP, "Buurt", members={AMINA.id: "creator", JOOST.id: "administrator"})
    assert (await bot.get_chat_member(GROUP, 5555)).status == "left"
    admins = await bot.get_chat_administrators(GROUP)
    assert {a.user.id for a in admins} == {AMINA.id, JOOST.id, fake.bot_user["id"]}
    assert await bot.set_my_commands([("start", "Begin")], language_code="nl")
    assert fake.commands[("default", "nl")] == [{"command": "start", "description": "Begin"}]
    assert [c.command for c in await bot.get_my_commands(language_code="nl")] == ["start"]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Start", "hoofdletter")])
    with pytest.raises(BadRequest, match="Method not found in fake"):
        await bot.send_dice(GROUP)
    assert fake.unknown_methods == ["sendDice"]


async def test_get_updates_offset_and_wait(fake: FakeBotAPI, bot: Bot, updates: Updates) -> None:
    updates.queue(updates.text(AMINA, "een"))
    updates.queue(updates.text(AMINA, "twee"))
    got = await bot.get_updates(timeout=1)
    assert [u.message.text for u in got] == ["een", "twee"]
    assert [u.message.text for u in await bot.get_updates(offset=2, limit=5)] == ["twee"]
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(offset=3, timeout=5) == ()
    assert loop.time() - started < 1  # the wait is capped at 0.2 s


# --------------------------------------------------------------------------- Application
async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(f"echo: {update.message.text}")


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(f"gekozen: {update.callback_query.data}")


async def test_application_process_update(fake: FakeBotAPI) -> None:
    app = ApplicationBuilder().token("123:ABC").request(fake).get_updates_request(fake).build()
    app.add_handler(MessageHandler(F.TEXT & ~F.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(choose))
    await app.initialize()
    try:
        updates = Updates(fake, app.bot)
        await app.process_update(updates.text(AMINA, "hallo buurt"))
        assert fake.texts(AMINA.id) == ["echo: hallo buurt"]
        await app.bot.send_message(AMINA.id, "Kies", reply_markup=keyboard(("A", "a")))
        await app.process_update(updates.press(AMINA, fake.last_message(AMINA.id) or {}, "A"))
        assert fake.texts(AMINA.id)[-1] == "gekozen: a" and len(fake.alerts) == 1
    finally:
        await app.shutdown()


async def test_application_polling_uses_get_updates(fake: FakeBotAPI) -> None:
    app = ApplicationBuilder().token("123:ABC").request(fake).get_updates_request(fake).build()
    app.add_handler(MessageHandler(F.TEXT, echo))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1))
        Updates(fake, app.bot).queue(Updates(fake, app.bot).text(AMINA, "via polling"))
        for _ in range(50):
            if fake.texts(AMINA.id):
                break
            await asyncio.sleep(0.02)
        await app.updater.stop()
        await app.stop()
    assert fake.texts(AMINA.id) == ["echo: via polling"]
