"""Partner groups, the card side: routing, what a card shows, its buttons per state, History,
and the group onboarding / start-up checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SiteConfig
from bot.domain.tickets import Status, Ticket
from bot.handlers.groups import check_groups
from bot.i18n import language_name
from bot.i18n.bidi import isolate, strip_controls
from bot.render.labels import category_label
from bot.testing.harness import BotHarness, ResidentChat
from bot.testing.updates import Person

PARTNER_CHATS = range(-1001000000009, -1001000000000)


def nl(h: BotHarness, msgid: str) -> str:
    """A group text (partner groups speak Dutch here), through the bot's own catalog."""
    return h.tr("nl")._(msgid)


# -- helpers ------------------------------------------------------------------------------------
async def report(h: BotHarness, chat: ResidentChat, lang: str, *, category: str = "noise",
                 text: str = "Harde muziek elke nacht", building: str | None = None,
                 stairwell: str | None = None, floor: int | None = None,
                 anonymous: bool = True, photo: bool = False, voice: bool = False) -> Ticket:
    """The resident files a report, the way test_report_flow does it; returns the ticket."""
    tr = h.tr(lang)
    label = h.services.site.category("nuisance", category).label
    await chat.tap_menu(tr._("Report a problem"))
    await chat.press(tr._(label))
    await chat.send(text)
    if photo:
        await chat.photo()
    if voice:
        await chat.voice()
    await chat.press(tr._("Next"))
    if building is None:
        await chat.press(tr._("Skip"))
    else:
        await chat.press(building)
        await chat.press(strip_controls(tr._("stairwell {name}", name=stairwell))
                         if stairwell else tr._("Skip"))
        await chat.press(strip_controls(tr._("floor {n}", n=floor))
                         if floor is not None else tr._("Skip"))
    await chat.press(tr._("Anonymous") if anonymous else tr._("With my first name"))
    await chat.press(tr._("Send"))
    if anonymous and voice:  # a voice can be recognised: told before it goes
        await chat.press(tr._("Send anyway"))
    return (await h.store.tickets.for_resident(chat.person.id))[0]


async def ask_help(h: BotHarness, chat: ResidentChat, lang: str, *, category: str = "money",
                   story: str = "Ik heb schulden", phone: str | None = None,
                   consent: bool = True) -> None:
    tr = h.tr(lang)
    label = h.services.site.category("help", category).label
    await chat.tap_menu(tr._("Ask for help"))
    await chat.press(tr._(label))
    await chat.send(story)
    await chat.press(tr._("Next"))
    if phone:
        await chat.press(tr._("A phone call"))
        await chat.send(phone)
    else:
        await chat.press(tr._("A message here"))
    await chat.press(language_name(lang))
    await chat.press(tr._("Yes, share it") if consent else tr._("No, do not share"))


async def ask_question(h: BotHarness, chat: ResidentChat, lang: str, words: str) -> Ticket:
    tr = h.tr(lang)
    await chat.tap_menu(tr._("Ask a question"))
    await chat.send(words)
    await chat.press(tr._("Send my question to a person"))
    await chat.press(tr._("Send"))
    return (await h.store.tickets.for_resident(chat.person.id))[0]


def cards_everywhere(h: BotHarness) -> dict[int, list[str]]:
    """Every partner chat that got a card, with the card texts."""
    found: dict[int, list[str]] = {}
    for partner in h.services.site.partners:
        texts = [t for t in h.fake.texts(partner.chat_id) if t.startswith("🆕 #")]
        if texts:
            found[partner.chat_id] = texts
    return found


def group_sends(h: BotHarness) -> list[str]:
    return [c.method for c in h.fake.calls
            if c.chat_id is not None and c.chat_id < 0 and c.method != "getChat"
            and c.method != "getChatMember"]


# -- routing ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("category", "partner"), [
    ("noise", "woningcorporatie"), ("drugs", "veiligheid"), ("neighbours", "buurtbemiddeling"),
])
async def test_a_report_goes_to_the_partner_of_its_category(
        h: BotHarness, category: str, partner: str) -> None:
    piet = await h.onboard("Piet", "nl")
    ticket = await report(h, piet, "nl", category=category)
    assert ticket.partner_id == partner
    chat_id = h.group(partner).chat_id
    assert list(cards_everywhere(h)) == [chat_id]
    h.group(partner).card(ticket.ref)


async def test_a_question_goes_to_the_question_partner(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket = await ask_question(h, amina, "ar", "زززز ققق")
    gtr = h.tr("nl")
    assert ticket.ref.startswith("V-")
    assert list(cards_everywhere(h)) == [h.group("woningcorporatie").chat_id]
    card = h.group("woningcorporatie").card(ticket.ref)["text"]
    assert f"📂 {gtr._('Question')} · " in card
    assert isolate("زززز ققق") in card


async def test_a_help_request_goes_to_its_partner_only_after_consent(h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    await ask_help(h, ali, "tr", category="care", story="Yalnızım")
    [ticket] = await h.store.tickets.for_resident(ali.person.id)
    assert ticket.partner_id == "buurtteam_sociaal"
    assert list(cards_everywhere(h)) == [h.group("buurtteam_sociaal").chat_id]
    card = h.group("buurtteam_sociaal").card(ticket.ref)["text"]
    assert f"📂 {h.tr('nl')._('Help request')} · " in card


async def test_declined_consent_puts_no_card_anywhere(h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    before = len(group_sends(h))
    await ask_help(h, ali, "tr", consent=False)
    assert await h.store.tickets.for_resident(ali.person.id) == []
    assert cards_everywhere(h) == {}
    assert group_sends(h)[before:] == []  # not a single call to any group
    assert await h.store.outbox.counts() == {}


async def test_drugs_in_tigrisdreef_go_to_enforcement(h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    ticket = await report(h, ali, "tr", category="drugs", text="Merdivenlerde satış",
                          building="Tigrisdreef")
    assert ticket.partner_id == "veiligheid"
    assert list(cards_everywhere(h)) == [h.group("veiligheid").chat_id]


def _site_where_drugs_go_to_the_corporation(site: SiteConfig) -> SiteConfig:
    """The example site, but drug dealing normally goes to the housing corporation: only the
    Tigrisdreef override can then send it to enforcement."""
    nuisance = [c.model_copy(update={"partner": "woningcorporatie"}) if c.id == "drugs" else c
                for c in site.categories.nuisance]
    categories = site.categories.model_copy(update={"nuisance": nuisance})
    changed = site.model_copy(update={"categories": categories})
    assert changed.building("tigrisdreef").routing == {"drugs": "veiligheid"}
    return changed


async def test_the_building_override_beats_the_category_partner(tmp_path: Path,
                                                               site: SiteConfig) -> None:
    changed = _site_where_drugs_go_to_the_corporation(site)
    async with BotHarness.start(tmp_path / "bot.db", changed) as h:
        elsewhere = await h.onboard("Piet", "nl")
        ticket = await report(h, elsewhere, "nl", category="drugs", building="Zambesidreef")
        assert ticket.partner_id == "woningcorporatie"
        h.group("woningcorporatie").card(ticket.ref)

        tigris = await h.onboard("Ali", "tr")
        ticket = await report(h, tigris, "tr", category="drugs", building="Tigrisdreef")
        assert ticket.partner_id == "veiligheid"
        h.group("veiligheid").card(ticket.ref)
        with pytest.raises(AssertionError):
            h.group("woningcorporatie").card(ticket.ref)


# -- the card -----------------------------------------------------------------------------------
async def test_card_shows_everything_staff_need_in_the_groups_language(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    words = "موسيقى <b>عالية</b> & ضجيج\u202e"
    ticket = await report(h, amina, "ar", text=words, building="Zambesidreef", stairwell="B",
                          floor=4, photo=True, voice=True)
    gtr, site = h.tr("nl"), h.services.site
    group = h.group("woningcorporatie")
    card = group.card(ticket.ref)
    lines = card["text"].split("\n")
    assert lines[0] == f"🆕 #{ticket.ref} · {category_label(gtr, site, 'nuisance', 'noise')}"
    assert lines[1] == f"📂 {gtr._('Report')} · 🟡 {gtr._('Open, nobody has it yet')}"
    assert lines[2] == ("📍 Zambesidreef, " + gtr._("stairwell {name}", name="B") + ", "
                        + gtr._("floor {n}", n=4))
    anonymous = gtr._("Resident {code}", code=ticket.pseudonym) + f" ({gtr._('anonymous')})"
    assert lines[3] == f"👤 {anonymous} · 🗣 Arabisch"  # the language named in the group's own
    assert lines[4] == f"📞 {gtr._('answer through the bot')}"
    # the words come escaped (no markup is applied) and bidi-isolated, overrides stripped
    assert lines[5] == "💬 " + isolate("موسيقى <b>عالية</b> & ضجيج")
    assert lines[6] == ("📎 " + gtr.ngettext("{n} photo", "{n} photos", 1) + ", "
                        + gtr.ngettext("{n} voice message", "{n} voice messages", 1))
    assert card["entities"] == [{"type": "bold", "offset": 3, "length": len(ticket.ref) + 1}]
    # attachments are separate messages under the card, sent by file id, never forwarded
    after = group.messages()[1:]
    assert ["photo" in after[0], "voice" in after[1]] == [True, True]
    assert {m["reply_to_message"]["message_id"] for m in after} == {card["message_id"]}
    assert not any(c.method == "forwardMessage" for c in h.fake.calls)
    assert [a.file_id for a in ticket.attachments] == [
        after[0]["photo"][-1]["file_id"], after[1]["voice"]["file_id"]]


async def test_help_card_shows_first_name_contact_wish_and_languages(h: BotHarness) -> None:
    ali = await h.onboard("Ali", "tr")
    await ask_help(h, ali, "tr", phone="06 1234 5678")
    [ticket] = await h.store.tickets.for_resident(ali.person.id)
    gtr = h.tr("nl")
    text = h.group("werk_inkomen").card(ticket.ref)["text"]
    assert "👤 Ali · 🗣 Turks" in text
    assert f"📞 {gtr._('wants a phone call')} · 0612345678 · Turks" in text
    assert gtr._("anonymous") not in text


async def test_buttons_follow_the_state_and_the_card_is_edited_in_place(h: BotHarness) -> None:
    piet = await h.onboard("Piet", "nl")
    ticket = await report(h, piet, "nl")
    gtr = h.tr("nl")
    group = h.group("woningcorporatie")
    jan = h.staff("woningcorporatie", "Jan")
    card = group.card(ticket.ref)
    card_id = card["message_id"]
    history = "📜 " + gtr._("History")
    open_buttons = ["✋ " + gtr._("Claim"), "🔁 " + gtr._("Transfer"), history]
    assert group.buttons(card) == open_buttons

    await jan.press(card, "✋ " + gtr._("Claim"))
    card = group.card(ticket.ref)
    assert card["message_id"] == card_id and "edit_date" in card
    assert f"🟢 {gtr._('Picked up')}" in card["text"]
    assert "🙋 " + gtr._("{name} has it", name="Jan") in card["text"]
    assert group.buttons(card) == [
        "💬 " + gtr._("Quick reply"), "🤝 " + gtr._("Promise"), "✅ " + gtr._("Resolve"),
        "📝 " + gtr._("Add note"), "↩️ " + gtr._("Release"), "🔁 " + gtr._("Transfer"), history]

    await jan.press(card, "↩️ " + gtr._("Release"))
    card = group.card(ticket.ref)
    assert card["message_id"] == card_id
    assert f"🟡 {gtr._('Open, nobody has it yet')}" in card["text"]
    assert gtr._("{name} has it", name="Jan") not in card["text"]
    assert group.buttons(card) == open_buttons

    await jan.press(card, "✋ " + gtr._("Claim"))
    await jan.press(group.card(ticket.ref), "✅ " + gtr._("Resolve"))
    card = group.card(ticket.ref)
    assert card["message_id"] == card_id
    assert f"🔵 {gtr._('Solved, waiting for the resident')}" in card["text"]
    assert group.buttons(card) == [history]

    await piet.press(h.tr("nl")._("Yes, I was helped"))
    card = group.card(ticket.ref)
    assert card["message_id"] == card_id
    assert f"⚪ {gtr._('Closed')}" in card["text"]
    assert group.buttons(card) == [history]
    # one card, edited; never a second one
    assert sum(t.startswith(f"🆕 #{ticket.ref} ") for t in group.texts()) == 1


async def test_add_note_is_saved_for_the_team_only(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar")
    gtr = h.tr("nl")
    group = h.group("woningcorporatie")
    jan = h.staff("woningcorporatie", "Jan")
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))
    seen = len(h.fake.sent_to(amina.chat_id))
    await jan.press(group.card(ticket.ref), "📝 " + gtr._("Add note"))
    prompt = group.messages()[-1]
    assert prompt["text"] == gtr._("{name}, type the note for #{ref}. Only your team sees it.",
                                   name="Jan", ref=ticket.ref)
    await jan.reply(prompt, "Buurvrouw op 3 belt ook al")
    assert group.texts()[-1] == "📝 " + gtr._("Note saved for #{ref}.", ref=ticket.ref)
    assert len(h.fake.sent_to(amina.chat_id)) == seen  # the resident gets nothing
    events = await h.store.tickets.events(ticket.id)
    assert events[-1]["event"] == "note" and events[-1]["text"] == "Buurvrouw op 3 belt ook al"


async def test_history_lists_the_events(h: BotHarness) -> None:
    piet = await h.onboard("Piet", "nl")
    ticket = await report(h, piet, "nl")
    gtr = h.tr("nl")
    group = h.group("woningcorporatie")
    jan = h.staff("woningcorporatie", "Jan")
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))
    await jan.reply(group.card(ticket.ref), "We komen morgen kijken")
    await jan.press(group.card(ticket.ref), "📜 " + gtr._("History"))
    history = group.messages()[-1]
    lines = history["text"].split("\n")
    assert lines[0] == "📜 " + gtr._("History of #{ref}", ref=ticket.ref)
    assert [line.split(" · ")[1:] for line in lines[1:]] == [
        [gtr._("sent in"), gtr._("resident")],
        [gtr._("picked up"), "Jan"],
        [gtr._("reply to resident"), "Jan"],
    ]
    # posted under the card, so the conversation stays together
    assert history["reply_to_message"]["message_id"] == group.card(ticket.ref)["message_id"]


async def test_history_names_who_released_and_solved(h: BotHarness) -> None:
    piet = await h.onboard("Piet", "nl")
    ticket = await report(h, piet, "nl")
    gtr = h.tr("nl")
    group = h.group("woningcorporatie")
    jan = h.staff("woningcorporatie", "Jan")
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))
    await jan.press(group.card(ticket.ref), nl(h, "Release"))
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))
    await jan.press(group.card(ticket.ref), nl(h, "Resolve"))
    await jan.press(group.card(ticket.ref), nl(h, "History"))
    text = group.texts()[-1]
    assert "staff:" not in text
    assert f"{gtr._('released')} · Jan" in text and f"{gtr._('solved')} · Jan" in text


# -- groups: onboarding and the start-up check --------------------------------------------------
async def test_bot_added_to_an_unknown_group_tells_its_chat_id(h: BotHarness) -> None:
    admin = Person(5559001, "Marieke", language_code="nl")
    await h.feed(h.updates.bot_added_to_group(admin, -1009876543210, title="Nieuwe groep"))
    [text] = h.fake.texts(-1009876543210)
    assert text == "👋 " + h.tr("nl")._(
        "Hello! This group's chat id is {chat_id}. To receive requests here, put this "
        "number as chat_id of a partner in the site file, then restart the bot.",
        chat_id=-1009876543210)
    assert "-1009876543210" in text


async def test_bot_added_to_a_known_partner_group_greets_it(h: BotHarness) -> None:
    admin = Person(5559002, "Marieke", language_code="nl")
    chat_id = h.group("dock").chat_id
    await h.feed(h.updates.bot_added_to_group(admin, chat_id))
    assert h.fake.texts(chat_id) == ["👋 " + h.tr("nl")._(
        "Hello! This is the group of {partner}. New requests for {partner} will appear here.",
        partner="DOCK")]


async def test_group_check_reports_missing_groups_and_topic_rights(h: BotHarness) -> None:
    site = h.services.site
    clean = await check_groups(h.app.bot, site)
    assert clean.problems == [] and clean.forums == set()

    dock = site.partner("dock").chat_id
    del h.fake.chats[dock]  # the bot is not in that group (or the id is wrong)
    gone = site.partner("buurtbemiddeling").chat_id
    h.fake.chats[gone].bot_status = "left"
    forum = site.partner("veiligheid").chat_id
    h.fake.chats[forum].chat["is_forum"] = True
    h.fake.chats[forum].can_manage_topics = False

    report = await check_groups(h.app.bot, site)
    assert len(report.problems) == 3
    by_partner = {p.split(" ")[1]: p for p in report.problems}
    assert set(by_partner) == {"dock", "buurtbemiddeling", "veiligheid"}
    assert "cannot see this group" in by_partner["dock"] and str(dock) in by_partner["dock"]
    assert "not a member" in by_partner["buurtbemiddeling"]
    assert "Manage topics" in by_partner["veiligheid"]
    assert report.forums == {forum}

    h.fake.chats[forum].can_manage_topics = True
    fixed = await check_groups(h.app.bot, site)
    assert not any("veiligheid" in p for p in fixed.problems)


async def test_one_ticket_gets_one_card_exactly_once(h: BotHarness) -> None:
    """Routing is part of the creating transaction: one ticket, one card, exactly once."""
    piet = await h.onboard("Piet", "nl")
    ticket = await report(h, piet, "nl", photo=True)
    await h.deliver()
    await h.deliver()
    assert ticket.status == Status.OPEN
    group = h.group("woningcorporatie")
    assert sum(t.startswith("🆕 #") for t in group.texts()) == 1
    assert len([m for m in group.messages() if "photo" in m]) == 1
    assert all(c.chat_id not in PARTNER_CHATS or c.chat_id == group.chat_id
               for c in h.fake.calls if c.method == "sendMessage")
