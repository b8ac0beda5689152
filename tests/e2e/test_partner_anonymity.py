"""Partner groups, privacy: for an anonymous ticket nothing that identifies the resident reaches
any partner chat; otherwise the first name only, and the phone only for a call-back."""

from __future__ import annotations

import json
from pathlib import Path

from bot.config import SiteConfig
from bot.i18n import language_name
from bot.testing.fake_api import ApiCall
from bot.testing.harness import BotHarness, ResidentChat
from bot.testing.updates import Person

GROUP = "woningcorporatie"
ZAINAB = Person(812345679, "Zainab", last_name="Haddad", username="zainab_hd",
                language_code="ar")
PHONE = "0687654321"


def nl(h: BotHarness, msgid: str) -> str:
    """A group text (partner groups speak Dutch here), through the bot's own catalog."""
    return h.tr("nl")._(msgid)


# -- helpers ------------------------------------------------------------------------------------
async def onboard(h: BotHarness, person: Person) -> ResidentChat:
    """A resident with a last name and a username (h.onboard only takes a first name)."""
    h.updates.register(person)
    chat = ResidentChat(h, person)
    await chat.send("/start")
    await chat.press(language_name(person.language_code or "nl"))
    return chat


async def report(h: BotHarness, chat: ResidentChat, lang: str, *, anonymous: bool,
                 photo: bool = False) -> None:
    """A noise report, as in test_report_flow."""
    tr = h.tr(lang)
    await chat.tap_menu(tr._("Report a problem"))
    await chat.press(tr._("Noise"))
    await chat.send("الجيران يصرخون كل ليلة")
    if photo:
        await chat.photo()
    await chat.press(tr._("Next"))
    await chat.press("Zambesidreef")
    await chat.press(tr._("Skip"))
    await chat.press(tr._("Skip"))
    await chat.press(tr._("Anonymous") if anonymous else tr._("With my first name"))
    await chat.press(tr._("Send"))


async def ask_help(h: BotHarness, chat: ResidentChat, lang: str, *,
                   phone: str | None) -> None:
    tr = h.tr(lang)
    await chat.tap_menu(tr._("Ask for help"))
    await chat.press(tr._("Money and debts"))
    await chat.send("عندي ديون")
    await chat.press(tr._("Next"))
    if phone:
        await chat.press(tr._("A phone call"))
        await chat.send(phone)
    else:
        await chat.press(tr._("A message here"))
    await chat.press(language_name(lang))
    await chat.press(tr._("Yes, share it"))


def partner_chats(h: BotHarness) -> set[int]:
    return {p.chat_id for p in h.services.site.partners}


def identifying(person: Person, phone: str = PHONE) -> list[str]:
    return [s for s in (person.first_name, person.last_name, person.username,
                        str(person.id), phone) if s]


def leaks(h: BotHarness, person: Person) -> list[str]:
    """Every identifying string in what the bot sent to a partner chat, and in what those chats
    now hold. copyMessage's from_chat_id is the resident's private chat id by necessity: it is
    an address for Telegram, never shown in the group, so it is left out of the scan (the copy
    itself is scanned through the chat's stored messages)."""
    chats = partner_chats(h)
    found: list[str] = []

    def scan(where: str, blob: object) -> None:
        text = json.dumps(blob, ensure_ascii=False)
        found.extend(f"{where}: {s!r}" for s in identifying(person) if s in text)

    for call in h.fake.calls:
        if call.chat_id in chats:
            scan(call.method, {k: v for k, v in call.params.items() if k != "from_chat_id"})
    for chat_id in chats:
        for msg in h.fake.messages(chat_id):
            if msg["from"]["id"] == person.id:
                found.append(f"message from the resident in {chat_id}")
            scan(f"message in {chat_id}", msg)
    return found


def copies_into_partner_chats(h: BotHarness) -> list[ApiCall]:
    chats = partner_chats(h)
    return [c for c in h.fake.calls if c.method == "copyMessage" and c.chat_id in chats]


# -- anonymous ----------------------------------------------------------------------------------
async def _full_anonymous_conversation(h: BotHarness) -> ResidentChat:
    rtr, gtr = h.tr("ar"), h.tr("nl")
    zainab = await onboard(h, ZAINAB)
    await report(h, zainab, "ar", anonymous=True, photo=True)
    [ticket] = await h.store.tickets.for_resident(ZAINAB.id)
    assert ticket.anonymous and ticket.first_name is None
    group = h.group(GROUP)
    jan = h.staff(GROUP, "Jan")
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))
    await jan.press(group.card(ticket.ref), nl(h, "Quick reply"))
    await jan.press_newest(gtr._("Can you tell us a bit more? Reply to this message.")[:60])
    await jan.reply(group.card(ticket.ref), "Welke verdieping?")
    await zainab.press(rtr._("Answer"))
    await zainab.send("الطابق الرابع")
    await zainab.press(rtr._("Answer"))
    await zainab.photo("صورة")
    await zainab.tap_menu(rtr._("My requests"))
    await zainab.press("✍️ " + ticket.ref)
    await zainab.voice()
    await jan.press(group.card(ticket.ref), nl(h, "Add note"))
    await jan.reply(group.messages()[-1], "Melding serieus nemen")
    await jan.press(group.card(ticket.ref), nl(h, "Transfer"))
    await jan.press_newest("Buurtbemiddeling")
    await jan.reply(group.messages()[-1], "Conflict tussen buren")
    mediation = h.group("buurtbemiddeling")
    sanne = h.staff("buurtbemiddeling", "Sanne")
    await sanne.press(mediation.card(ticket.ref), nl(h, "Claim"))
    await sanne.reply(mediation.card(ticket.ref), "Wij nemen contact op")
    await zainab.press(rtr._("Answer"))
    await zainab.send("حسنا")
    await sanne.press(mediation.card(ticket.ref), nl(h, "Resolve"))
    await zainab.press(rtr._("No"))
    await sanne.press(mediation.card(ticket.ref), nl(h, "History"))
    # the conversation really took place on both sides
    assert len(copies_into_partner_chats(h)) == 2 and sum(
        1 for m in mediation.messages() if "photo" in m) == 1
    assert any("الطابق الرابع" in t for t in group.texts())
    assert any("حسنا" in t for t in mediation.texts())
    return zainab


async def test_anonymous_conversation_leaks_nothing_identifying(h: BotHarness) -> None:
    await _full_anonymous_conversation(h)
    assert leaks(h, ZAINAB) == []
    assert [c for c in h.fake.calls if c.method == "forwardMessage"] == []
    for chat_id in partner_chats(h):
        for msg in h.fake.messages(chat_id):
            assert "forward_origin" not in msg and "forward_from" not in msg


async def test_anonymous_card_shows_only_the_pseudonym(h: BotHarness) -> None:
    zainab = await onboard(h, ZAINAB)
    await report(h, zainab, "ar", anonymous=True)
    [ticket] = await h.store.tickets.for_resident(ZAINAB.id)
    gtr = h.tr("nl")
    card = h.group(GROUP).card(ticket.ref)["text"]
    assert ticket.pseudonym and len(ticket.pseudonym) == 4
    assert (f"👤 {gtr._('Resident {code}', code=ticket.pseudonym)} ({gtr._('anonymous')})"
            in card)
    assert leaks(h, ZAINAB) == []


async def test_anonymous_forum_conversation_leaks_nothing(tmp_path: Path,
                                                          site: SiteConfig) -> None:
    async with BotHarness.start(tmp_path / "bot.db", site,
                                forums={GROUP, "buurtbemiddeling"}) as h:
        await _full_anonymous_conversation(h)
        assert leaks(h, ZAINAB) == []
        names = [t["name"] for c in partner_chats(h) for t in h.fake.chats[c].topics.values()]
        assert names and not any("Zainab" in n for n in names)


async def test_a_shared_contact_does_not_unmask_an_anonymous_resident(h: BotHarness) -> None:
    zainab = await onboard(h, ZAINAB)
    await report(h, zainab, "ar", anonymous=True)
    [ticket] = await h.store.tickets.for_resident(ZAINAB.id)
    jan = h.staff(GROUP, "Jan")
    await jan.reply(h.group(GROUP).card(ticket.ref), "Hoe kunnen we u bereiken?")
    staff_msg = h.fake.last_message(zainab.chat_id)
    contact = {"contact": {"phone_number": PHONE, "first_name": ZAINAB.first_name,
                           "user_id": ZAINAB.id}}
    msg = h.fake.store_user_message(zainab.chat_id, ZAINAB.id, contact,
                                    reply_to=int(staff_msg["message_id"]))
    await zainab._do(h.updates.raw({"message": msg}))
    assert leaks(h, ZAINAB) == []


async def test_a_photo_sent_as_file_is_not_copied_for_an_anonymous_ticket(h: BotHarness) -> None:
    zainab = await onboard(h, ZAINAB)
    await report(h, zainab, "ar", anonymous=True)
    [ticket] = await h.store.tickets.for_resident(ZAINAB.id)
    jan = h.staff(GROUP, "Jan")
    await jan.reply(h.group(GROUP).card(ticket.ref), "Kunt u een foto sturen?")
    staff_msg = h.fake.last_message(zainab.chat_id)
    await zainab._do(h.updates.document(ZAINAB, "IMG_2041.jpg", "image/jpeg",
                                        reply_to=int(staff_msg["message_id"])))
    assert not any("document" in m for m in h.group(GROUP).messages())


# -- with a name --------------------------------------------------------------------------------
async def test_a_named_report_shows_the_first_name_only(h: BotHarness) -> None:
    zainab = await onboard(h, ZAINAB)
    await report(h, zainab, "ar", anonymous=False)
    [ticket] = await h.store.tickets.for_resident(ZAINAB.id)
    group = h.group(GROUP)
    jan = h.staff(GROUP, "Jan")
    await jan.reply(group.card(ticket.ref), "Welke verdieping?")
    await zainab.press(h.tr("ar")._("Answer"))
    await zainab.send("الرابع")
    card = group.card(ticket.ref)["text"]
    assert f"👤 {ZAINAB.first_name} · " in card
    assert h.tr("nl")._("anonymous") not in card
    assert group.texts()[-1].startswith(h.tr("nl")._("💬 {who} (#{ref}):", who="Zainab",
                                                     ref=ticket.ref))
    everything = json.dumps([h.fake.messages(c) for c in partner_chats(h)], ensure_ascii=False)
    for secret in (ZAINAB.last_name, ZAINAB.username, str(ZAINAB.id), PHONE):
        assert secret not in everything


async def test_the_phone_number_is_shown_only_for_a_call_back(h: BotHarness) -> None:
    zainab = await onboard(h, ZAINAB)
    await ask_help(h, zainab, "ar", phone=None)
    [by_message] = await h.store.tickets.for_resident(ZAINAB.id)
    await ask_help(h, zainab, "ar", phone="06 8765 4321")
    by_phone = (await h.store.tickets.for_resident(ZAINAB.id))[0]
    group = h.group("werk_inkomen")
    gtr = h.tr("nl")
    quiet = group.card(by_message.ref)["text"]
    call = group.card(by_phone.ref)["text"]
    assert f"👤 {ZAINAB.first_name} · " in quiet and f"👤 {ZAINAB.first_name} · " in call
    assert PHONE not in quiet and f"📞 {gtr._('answer through the bot')}" in quiet
    assert f"📞 {gtr._('wants a phone call')} · {PHONE}" in call
    # nothing else about her, in any partner chat
    everything = json.dumps([h.fake.messages(c) for c in partner_chats(h)], ensure_ascii=False)
    for secret in (ZAINAB.last_name, ZAINAB.username, str(ZAINAB.id)):
        assert secret not in everything
    assert everything.count(PHONE) == 1  # the call-back card, nowhere else
