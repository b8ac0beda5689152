"""Partner groups, the conversation: staff and resident talk through the bot, each in their own
language, in a plain group (replies to the card) and in a forum group (one topic per ticket)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from babel.dates import format_date

from bot.config import SiteConfig
from bot.domain.tickets import Status, Ticket
from bot.i18n.bidi import isolate
from bot.testing.fake_api import JSONDict
from bot.testing.harness import BotHarness, ResidentChat

GROUP = "woningcorporatie"


def nl(h: BotHarness, msgid: str) -> str:
    """A group text (partner groups speak Dutch here), through the bot's own catalog."""
    return h.tr("nl")._(msgid)


# -- helpers ------------------------------------------------------------------------------------
async def report(h: BotHarness, chat: ResidentChat, lang: str, *,
                 text: str = "Harde muziek elke nacht", photo: bool = False,
                 anonymous: bool = True) -> Ticket:
    """A noise report (goes to the housing corporation)."""
    ticket: Ticket = await chat.report(text=text, photo=photo, anonymous=anonymous, lang=lang)
    return ticket


def header(h: BotHarness, lang: str, staff: str, partner: str | None = None) -> str:
    """The staff reply header as the resident reads it: the partner named in `lang`."""
    if partner is None:
        partner = h.services.site.partner_name_in("woningcorporatie", lang)
    return h.tr(lang)._("💬 {partner} ({name}):", partner=partner, name=staff)


def resident_header(h: BotHarness, ticket: Ticket) -> str:
    gtr = h.tr("nl")
    who = gtr._("Resident {code}", code=ticket.pseudonym) + f" ({gtr._('anonymous')})"
    return gtr._("💬 {who} (#{ref}):", who=who, ref=ticket.ref)


def said_in_group(h: BotHarness, chat_id: int, text: str) -> list[JSONDict]:
    """The messages staff wrote in the group with this text (the bot's are in messages())."""
    return [m for m in h.fake.chats[chat_id].messages.values()
            if m.get("text") == text and not m["from"]["is_bot"]]


def no_forwards(h: BotHarness) -> None:
    assert [c for c in h.fake.calls if c.method == "forwardMessage"] == []


async def answer(chat: ResidentChat, lang: str, h: BotHarness, text: str | None = None,
                 photo: bool = False) -> None:
    """The resident presses "Answer" under the newest staff message and sends something."""
    await chat.press(h.tr(lang)._("Answer"))
    if photo:
        await chat.photo(caption=text)
    else:
        assert text is not None
        await chat.send(text)


async def forum_harness(tmp_path: Path, site: SiteConfig):  # type: ignore[no-untyped-def]
    return BotHarness.start(tmp_path / "bot.db", site, forums={GROUP})


# -- plain group --------------------------------------------------------------------------------
async def test_plain_group_conversation_both_ways(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar")
    rtr = h.tr("ar")
    group = h.group(GROUP)
    jan = h.staff(GROUP, "Jan")
    card = group.card(ticket.ref)

    # a reply to the card reaches the resident, and whoever answers first has the ticket
    await jan.reply(card, "Goedemiddag, wanneer is het lawaai het ergst?")
    assert amina.last_text == (header(h, "ar", "Jan")
                               + "\nGoedemiddag, wanneer is het lawaai het ergst?")
    assert amina.buttons() == ["✍️ " + rtr._("Answer")]
    assert (await h.store.tickets.get(ticket.id)).status == Status.CLAIMED
    # 👌 under Jan's message: the group sees at a glance that it went out
    [jans] = said_in_group(h, group.chat_id, "Goedemiddag, wanneer is het lawaai het ergst?")
    assert h.fake.reactions[(group.chat_id, jans["message_id"])] == ["👌"]

    # the resident answers with the button: the text lands under the card
    await answer(amina, "ar", h, "بعد منتصف الليل")
    partner = h.services.site.partner_name_in("woningcorporatie", "ar")
    assert rtr._("Sent to {partner}.", partner=partner) in amina.new_text
    landed = group.messages()[-1]
    assert landed["text"] == resident_header(h, ticket) + "\n" + isolate("بعد منتصف الليل")
    assert landed["reply_to_message"]["message_id"] == card["message_id"]

    # staff may also reply to the resident's message instead of the card
    await jan.reply(landed, "Dank u, we komen kijken")
    assert amina.last_text == header(h, "ar", "Jan") + "\nDank u, we komen kijken"

    # a plain Telegram reply by the resident to a staff message works too
    staff_msg = h.fake.last_message(amina.chat_id)
    await amina._do(h.updates.text(amina.person, "شكرا", reply_to=staff_msg["message_id"]))
    assert group.texts()[-1] == resident_header(h, ticket) + "\n" + isolate("شكرا")
    no_forwards(h)


async def test_ordinary_group_talk_is_not_relayed(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    await report(h, amina, "ar")
    jan = h.staff(GROUP, "Jan")
    seen = len(h.fake.sent_to(amina.chat_id))
    await jan.send("Wie heeft er koffie?")
    assert len(h.fake.sent_to(amina.chat_id)) == seen


async def test_photos_relay_both_ways_as_copies(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar", photo=True)
    group = h.group(GROUP)
    jan = h.staff(GROUP, "Jan")
    card = group.card(ticket.ref)
    await jan.press(card, nl(h, "Claim"))

    await jan.photo_reply(card, "Is dit de plek?")
    got = h.fake.last_message(amina.chat_id)
    assert "photo" in got and "forward_origin" not in got
    assert got["caption"] == header(h, "ar", "Jan") + "\nIs dit de plek?"
    copies = [c for c in h.fake.calls if c.method == "copyMessage" and c.ok]
    assert copies[-1].chat_id == amina.chat_id
    assert copies[-1].params["from_chat_id"] == group.chat_id

    await answer(amina, "ar", h, "نعم", photo=True)
    landed = group.messages()[-1]
    assert "photo" in landed and "forward_origin" not in landed
    assert landed["caption"] == resident_header(h, ticket) + "\nنعم"
    assert landed["reply_to_message"]["message_id"] == card["message_id"]
    copies = [c for c in h.fake.calls if c.method == "copyMessage" and c.ok]
    assert copies[-1].chat_id == group.chat_id
    no_forwards(h)


async def test_a_staff_photo_comes_with_the_answer_button(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar")
    jan = h.staff(GROUP, "Jan")
    await jan.photo_reply(h.group(GROUP).card(ticket.ref), "Is dit de plek?")
    got = h.fake.last_message(amina.chat_id)
    assert "photo" in got
    assert h.group(GROUP).buttons(got) == ["✍️ " + h.tr("ar")._("Answer")]


async def test_resident_adds_to_a_request_from_my_requests(h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    ticket = await report(h, ali, "tr", text="Gece gürültü")
    tr = h.tr("tr")
    group = h.group(GROUP)
    await ali.tap_menu(tr._("My requests"))
    await ali.press("✍️ " + ticket.ref)
    assert tr._("Type your message for {ref}, or send a photo or a voice message.",
                ref=ticket.ref) in ali.last_text
    await ali.voice()
    landed = group.messages()[-1]
    assert "voice" in landed and landed["caption"] == resident_header(h, ticket)
    assert landed["reply_to_message"]["message_id"] == group.card(ticket.ref)["message_id"]
    events = await h.store.tickets.events(ticket.id)
    assert events[-1]["event"] == "resident_message" and events[-1]["actor"] == "resident"
    no_forwards(h)


async def test_a_reply_to_a_closed_request_does_not_reach_the_resident(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar")
    gtr, rtr = h.tr("nl"), h.tr("ar")
    group = h.group(GROUP)
    jan = h.staff(GROUP, "Jan")
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))
    await jan.press(group.card(ticket.ref), nl(h, "Resolve"))
    await amina.press(rtr._("Yes, I was helped"))
    seen = len(h.fake.sent_to(amina.chat_id))
    await jan.reply(group.card(ticket.ref), "Nog een vraag")
    assert group.texts()[-1] == gtr._("This request is closed. The resident does not get this.")
    assert len(h.fake.sent_to(amina.chat_id)) == seen
    # and the resident's reply to an old staff message is refused politely
    staff_msg = amina.message_with(rtr._("Answer"))
    await amina._do(h.updates.text(amina.person, "مرحبا", reply_to=staff_msg["message_id"]))
    assert rtr._("Request {ref} is closed. To ask something new, choose a button below.",
                 ref=ticket.ref) in amina.new_text
    assert group.texts()[-1] == gtr._("This request is closed. The resident does not get this.")


async def test_a_long_message_from_the_resident_reaches_the_group(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar")
    jan = h.staff(GROUP, "Jan")
    await jan.reply(h.group(GROUP).card(ticket.ref), "Vertel het maar")
    long_text = "ب" * 4096  # the most Telegram lets a resident send
    await answer(amina, "ar", h, long_text)
    assert "undeliverable" not in await h.store.outbox.counts()
    card = h.group(GROUP).card(ticket.ref)
    arrived = "".join(t for t in h.group(GROUP).texts() if t != card.get("text"))
    assert arrived.count("ب") == 4096  # all of it, split over messages that fit


async def test_a_note_typed_in_its_own_topic_is_saved_not_relayed(
        tmp_path: Path, site: SiteConfig) -> None:
    async with await forum_harness(tmp_path, site) as h:
        amina = await h.onboard("Amina", "ar")
        first = await report(h, amina, "ar")
        group = h.group(GROUP)
        jan = h.staff(GROUP, "Jan")
        await jan.press(group.card(first.ref), nl(h, "Claim"))
        await jan.press(group.card(first.ref), nl(h, "Add note"))
        # the note prompt is answered in the right topic: it is a note
        await jan.say_in_topic(group.card(first.ref)["message_thread_id"], "Intern")
        events = await h.store.tickets.events(first.id)
        assert events[-1]["event"] == "note" and events[-1]["text"] == "Intern"
        assert "Intern" not in "\n".join(h.fake.texts(amina.chat_id))


async def test_a_message_in_another_topic_is_not_taken_as_the_note(
        tmp_path: Path, site: SiteConfig) -> None:
    async with await forum_harness(tmp_path, site) as h:
        amina = await h.onboard("Amina", "ar")
        first = await report(h, amina, "ar")
        piet = await h.onboard("Piet", "nl")
        second = await report(h, piet, "nl", text="Lawaai")
        group = h.group(GROUP)
        jan = h.staff(GROUP, "Jan")
        await jan.press(group.card(first.ref), nl(h, "Claim"))
        await jan.press(group.card(second.ref), nl(h, "Claim"))
        await jan.press(group.card(first.ref), nl(h, "Add note"))
        await jan.reply(group.card(second.ref), "Goedemiddag, we komen morgen")
        assert piet.last_text == header(h, "nl", "Jan") + "\nGoedemiddag, we komen morgen"
        events = await h.store.tickets.events(first.id)
        assert events[-1]["event"] != "note"


# -- forum group --------------------------------------------------------------------------------
def _topic_messages(h: BotHarness, chat_id: int, thread: int) -> list[JSONDict]:
    return [m for m in h.fake.sent_to(chat_id) if m.get("message_thread_id") == thread]


async def test_forum_group_gets_a_topic_per_ticket(tmp_path: Path, site: SiteConfig) -> None:
    async with await forum_harness(tmp_path, site) as h:
        amina = await h.onboard("Amina", "ar")
        ticket = await report(h, amina, "ar", photo=True)
        group = h.group(GROUP)
        chat = h.fake.chats[group.chat_id]
        [(thread, topic)] = chat.topics.items()
        assert ticket.ref in topic["name"]
        assert [c.method for c in h.fake.calls_to(group.chat_id, "createForumTopic")] == [
            "createForumTopic"]
        # the card opens the topic; the photo follows in it
        in_topic = _topic_messages(h, group.chat_id, thread)
        assert in_topic[0]["message_id"] == group.card(ticket.ref)["message_id"]
        assert "photo" in in_topic[1]
        assert all(m.get("message_thread_id") == thread for m in group.messages())

        # a second ticket gets its own topic
        piet = await h.onboard("Piet", "nl")
        other = await report(h, piet, "nl")
        assert len(chat.topics) == 2
        assert group.card(other.ref)["message_thread_id"] != thread


async def test_forum_conversation_stays_in_the_topic(tmp_path: Path, site: SiteConfig) -> None:
    async with await forum_harness(tmp_path, site) as h:
        amina = await h.onboard("Amina", "ar")
        ticket = await report(h, amina, "ar")
        gtr = h.tr("nl")
        group = h.group(GROUP)
        jan = h.staff(GROUP, "Jan")
        thread = group.card(ticket.ref)["message_thread_id"]

        # the topic says how it works, right under the card
        hint = "ℹ️ " + gtr._("To write to the resident, reply to the card or to their message. "
                            "👌 under your message means the resident has it. Other messages "
                            "in this topic stay within the team.")
        assert hint in group.texts()
        # staff talking among themselves in the topic: not passed on, no mark
        told = len(h.fake.sent_to(amina.chat_id))
        await jan.say_in_topic(thread, "Wie gaat erheen, ik of Fatima?")
        assert len(h.fake.sent_to(amina.chat_id)) == told
        [talk] = said_in_group(h, group.chat_id, "Wie gaat erheen, ik of Fatima?")
        assert (group.chat_id, talk["message_id"]) not in h.fake.reactions
        # a reply to the card goes to the resident, and gets 👌 in the topic
        await jan.reply(group.card(ticket.ref), "Hallo, we kijken ernaar")
        assert amina.last_text == header(h, "ar", "Jan") + "\nHallo, we kijken ernaar"
        [sent] = said_in_group(h, group.chat_id, "Hallo, we kijken ernaar")
        assert h.fake.reactions[(group.chat_id, sent["message_id"])] == ["👌"]
        await answer(amina, "ar", h, "شكرا جزيلا")
        await answer(amina, "ar", h, "صورة", photo=True)
        await jan.photo_reply(group.card(ticket.ref), "Deze deur?")
        assert "photo" in h.fake.last_message(amina.chat_id)
        await jan.press(group.card(ticket.ref), "📜 " + gtr._("History"))

        card_id = group.card(ticket.ref)["message_id"]
        landed = [m for m in group.messages() if m["message_id"] != card_id
                  and m["from"]["is_bot"] and "forum_topic_created" not in m]
        assert all(m.get("message_thread_id") == thread for m in landed)
        said = resident_header(h, ticket)
        assert said + "\n" + isolate("شكرا جزيلا") in [m.get("text") for m in landed]
        photo = next(m for m in landed if "photo" in m)
        assert photo["caption"] == said + "\nصورة"
        assert landed[-1]["text"].startswith("📜 ")  # History answers in the topic too
        no_forwards(h)


async def test_ticket_buttons_answer_in_the_topic(tmp_path: Path, site: SiteConfig) -> None:
    async with await forum_harness(tmp_path, site) as h:
        amina = await h.onboard("Amina", "ar")
        ticket = await report(h, amina, "ar")
        group = h.group(GROUP)
        jan = h.staff(GROUP, "Jan")
        card = group.card(ticket.ref)
        await jan.press(card, nl(h, "Claim"))
        await jan.press(group.card(ticket.ref), nl(h, "Quick reply"))
        await jan.press(group.card(ticket.ref), nl(h, "Add note"))
        await jan.say_in_topic(card["message_thread_id"], "Notitie voor het team")
        assert {m.get("message_thread_id") for m in group.messages()} == {
            card["message_thread_id"]}
        # the note was not relayed
        assert "Notitie voor het team" not in "\n".join(h.fake.texts(amina.chat_id))


# -- quick replies ------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["ar", "tr"])
async def test_quick_reply_with_a_date_in_the_residents_language(h: BotHarness,
                                                                 lang: str) -> None:
    chat = await h.onboard("Amina" if lang == "ar" else "Ali", lang)
    ticket = await report(h, chat, lang)
    gtr, rtr = h.tr("nl"), h.tr(lang)
    group = h.group(GROUP)
    jan = h.staff(GROUP, "Jan")
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))
    await jan.press(group.card(ticket.ref), "💬 " + gtr._("Quick reply"))
    menu = group.messages()[-1]
    assert menu["text"] == gtr._("Which message for the resident? They get it in their own "
                                 "language.")
    visit = gtr._("We will come by on {date}.").replace("{date}", "…")[:60]
    assert visit in group.buttons(menu)
    await jan.press(menu, visit)
    picker = group.messages()[-1]
    assert picker["text"] == gtr._("Which day?")
    site = h.services.site
    today = h.services.clock().astimezone(site.zone).date()
    days = h.services.notifier.policy.week.workdays_from(today, 6)
    assert group.buttons(picker) == [gtr.date(d, "full") for d in days]
    assert all(d.weekday() < 5 for d in days)
    day = days[1]
    await jan.press(picker, gtr.date(day, "full"))

    local = format_date(day, "full", locale=lang)  # Babel, in the resident's language
    assert chat.last_text == (header(h, lang, "Jan") + "\n"
                              + rtr._("We will come by on {date}.", date=rtr.date(day, "full")))
    assert local in chat.last_text
    assert format_date(day, "full", locale="nl") not in chat.last_text
    assert chat.buttons() == ["✍️ " + rtr._("Answer")]
    assert group.texts()[-1] == "✅ " + gtr._(
        "Sent to the resident: {text}",
        text=gtr._("We will come by on {date}.", date=gtr.date(day, "full")))
    events = await h.store.tickets.events(ticket.id)
    assert events[-1]["event"] == "quick_reply" and events[-1]["reply"] == "visit"


async def test_quick_reply_without_a_date_goes_at_once(h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    ticket = await report(h, ali, "tr")
    gtr, rtr = h.tr("nl"), h.tr("tr")
    group = h.group(GROUP)
    jan = h.staff(GROUP, "Jan")
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))
    await jan.press(group.card(ticket.ref), nl(h, "Quick reply"))
    await jan.press_newest(gtr._("We will call you within 2 working days.")[:60])
    assert ali.last_text == (header(h, "tr", "Jan") + "\n"
                             + rtr._("We will call you within 2 working days."))
    assert h.fake.alerts[-1]["text"] == gtr._("Sent.")


async def test_a_day_that_has_passed_is_not_promised(h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    ticket = await report(h, ali, "tr")
    jan = h.staff(GROUP, "Jan")
    await jan.press(h.group(GROUP).card(ticket.ref), nl(h, "Claim"))
    seen = len(h.fake.sent_to(ali.chat_id))
    site = h.services.site
    today = h.services.clock().astimezone(site.zone).date()
    last_week = (today - timedelta(days=7)).strftime("%Y%m%d")
    await h.feed(h.updates.press_data(jan.person, jan.group.chat_id, 1,
                                      f"v1:t:{ticket.id}:qs:visit:{last_week}"))
    assert len(h.fake.sent_to(ali.chat_id)) == seen
    assert h.fake.alerts[-1]["text"] == h.tr("nl")._("That day has passed. Choose another day.")


async def test_a_quick_reply_needs_the_ticket_claimed(h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    ticket = await report(h, ali, "tr")
    jan = h.staff(GROUP, "Jan")
    seen = len(h.fake.sent_to(ali.chat_id))
    await h.feed(h.updates.press_data(jan.person, jan.group.chat_id, 1,
                                      f"v1:t:{ticket.id}:qs:call2"))
    assert h.fake.alerts[-1]["text"] == h.tr("nl")._("This request has changed in the meantime.")
    assert len(h.fake.sent_to(ali.chat_id)) == seen
