"""My requests and privacy: the list in the resident's language, the export and the erase."""

from __future__ import annotations

import json
from typing import Any

from babel.dates import format_date

from bot.domain.tickets import Action, Status
from bot.i18n import language_name
from bot.render.labels import category_label, status_label
from bot.testing.harness import BotHarness, ResidentChat


async def _report(chat: ResidentChat, lang: str, h: BotHarness, category: str, story: str) -> None:
    tr = h.tr(lang)
    await chat.tap_menu(tr._("Report a problem"))
    await chat.press(tr._(category))
    await chat.send(story)
    await chat.press(tr._("Next"))
    await chat.press(tr._("Skip"))
    await chat.press(tr._("With my first name"))
    await chat.press(tr._("Send"))


async def _ask_help(chat: ResidentChat, h: BotHarness, lang: str, story: str) -> None:
    tr = h.tr(lang)
    await chat.tap_menu(tr._("Ask for help"))
    await chat.press(tr._("Money and debts"))
    await chat.send(story)
    await chat.press(tr._("Next"))
    await chat.press(tr._("A phone call"))
    await chat.send("06 1234 5678")
    await chat.press(language_name(lang))
    await chat.press(tr._("Yes, share it"))


def _document_upload(h: BotHarness, chat_id: int) -> dict[str, Any]:
    [call] = [c for c in h.fake.calls_to(chat_id, "sendDocument") if c.ok]
    [upload] = [u for u in h.fake.uploads if u.method == "sendDocument" and u.chat_id == chat_id]
    assert upload.file_name == "buurtbot-my-data.json"
    assert call.ok
    data: dict[str, Any] = json.loads(upload.data.decode())
    return data


async def test_no_requests_yet(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await h.onboard("Ali", "tr")
    await ali.tap_menu(tr._("My requests"))
    assert ali.last_text == tr._("You have no requests yet.")
    assert any(tr._("Report a problem") in label for label in ali.menu())
    await ali.send("/requests")
    assert ali.last_text == tr._("You have no requests yet.")


async def test_requests_are_listed_newest_first_in_the_residents_language(h: BotHarness) -> None:
    tr = h.tr("ar")
    site = h.services.site
    amina = await h.onboard("Amina", "ar")
    await _report(amina, "ar", h, "Noise", "ضجيج في الليل")
    await _report(amina, "ar", h, "Rubbish or dirt", "قمامة في الدرج")
    older, newer = sorted(await h.store.tickets.for_resident(amina.person.id),
                          key=lambda t: t.id)
    # someone else's request never shows up
    other = await h.onboard("Piet", "nl")
    await _report(other, "nl", h, "Noise", "Herrie van de buren")

    await amina.tap_menu(tr._("My requests"))
    listing = amina.last_text
    assert tr._("Your requests:") in listing
    assert listing.index(newer.ref) < listing.index(older.ref)
    for ticket in (older, newer):
        assert f"{tr.insert(ticket.ref)} · " in listing
        assert category_label(tr, site, "nuisance", ticket.category) in listing
        date = format_date(ticket.created_at.astimezone(site.zone).date(), "medium",
                           locale="ar")
        assert tr._("Sent on {date} to {partner}", date=date,
                    partner=site.partner_name_in("woningcorporatie", "ar")) in listing
    assert listing.count(tr._("Status: {status}",
                              status=status_label(tr, Status.OPEN))) == 2
    assert "Herrie van de buren" not in listing
    [other_ticket] = await h.store.tickets.for_resident(other.person.id)
    assert other_ticket.ref not in listing


async def test_status_and_dates_follow_the_residents_language(h: BotHarness) -> None:
    tr = h.tr("nl")
    site = h.services.site
    piet = await h.onboard("Piet", "nl")
    await _report(piet, "nl", h, "Noise", "Boren op zondag")
    [ticket] = await h.store.tickets.for_resident(piet.person.id)
    await h.store.tickets.apply(ticket.id, Action.CLAIM, "staff")
    await piet.send("/requests")
    listing = piet.last_text
    assert tr._("Status: {status}", status=status_label(tr, Status.CLAIMED)) in listing
    date = format_date(ticket.created_at.astimezone(site.zone).date(), "medium", locale="nl")
    assert date in listing
    # Babel's Dutch month names, not English ones
    assert date == tr.date(ticket.created_at, "medium")


async def test_privacy_text_names_the_retention_period(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await h.onboard("Ali", "tr")
    await ali.tap_menu(tr._("Privacy"))
    text = ali.last_text
    assert h.services.site.retention_days == 365
    assert tr.ngettext("How long: we delete a request {n} day after it is closed.",
                       "How long: we delete a request {n} days after it is closed.",
                       365) in text
    assert "365" in text
    assert tr._("Your privacy") in text
    assert ali.buttons() == ["📄 " + tr._("Send me my data"),
                             "🗑️ " + tr._("Delete my data")]


async def test_export_sends_only_the_residents_own_data(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await h.onboard("Ali", "tr")
    await _report(ali, "tr", h, "Noise", "Gece gürültü var")
    await _ask_help(ali, h, "tr", "Borçlarım var")
    piet = await h.onboard("Piet", "nl")
    await _report(piet, "nl", h, "Noise", "Geheim verhaal van Piet")

    await ali.tap_menu(tr._("Privacy"))
    await ali.press(tr._("Send me my data"))
    doc = ali.new[-1]
    assert doc["document"]["file_name"] == "buurtbot-my-data.json"
    assert doc["caption"] == tr._("This is all we have stored about you.")
    data = _document_upload(h, ali.chat_id)
    assert data["telegram_user_id"] == ali.person.id
    assert data["language"] == "tr"
    assert data["consents"].keys() == {"share:werk_inkomen"}
    mine = await h.store.tickets.for_resident(ali.person.id)
    assert sorted(r["ref"] for r in data["requests"]) == sorted(t.ref for t in mine)
    stories = {r["description"] for r in data["requests"]}
    assert stories == {"Gece gürültü var", "Borçlarım var"}
    help_request = next(r for r in data["requests"] if r["kind"] == "help")
    assert help_request["phone"] == "0612345678"
    raw = json.dumps(data, ensure_ascii=False)
    assert "Piet" not in raw and "Geheim verhaal" not in raw
    assert str(piet.person.id) not in raw
    # the other resident got no document
    assert h.fake.calls_to(piet.chat_id, "sendDocument") == []


async def test_delete_asks_first_and_no_keeps_everything(h: BotHarness) -> None:
    tr = h.tr("nl")
    piet = await h.onboard("Piet", "nl")
    await _report(piet, "nl", h, "Noise", "Boren op zondag")
    await piet.tap_menu(tr._("Privacy"))
    await piet.press(tr._("Delete my data"))
    assert tr._("Do you want to delete all your data? Requests that are still open will stop. "
                "This cannot be undone.") in piet.last_text
    await piet.press(tr._("No, keep it"))
    assert tr._("Nothing was deleted.") in piet.last_text
    assert await h.store.residents.get(piet.person.id) is not None
    [ticket] = await h.store.tickets.for_resident(piet.person.id)
    assert ticket.description == "Boren op zondag" and ticket.status == Status.OPEN


async def test_delete_erases_the_resident_drafts_and_request_content(h: BotHarness) -> None:
    tr = h.tr("ar")
    amina = await h.onboard("Amina", "ar")
    await _report(amina, "ar", h, "Noise", "ضجيج في الليل")
    await _ask_help(amina, h, "ar", "عندي ديون")
    tickets = await h.store.tickets.for_resident(amina.person.id)
    assert len(tickets) == 2
    # an unfinished report is waiting too
    await amina.tap_menu(tr._("Report a problem"))
    await amina.press(tr._("Noise"))
    await amina.send("قصة لم تنته")
    assert await h.store.drafts.get(amina.person.id) is not None
    other = await h.onboard("Piet", "nl")
    await _report(other, "nl", h, "Noise", "Herrie")
    group = h.group("woningcorporatie")
    noise = next(t for t in tickets if t.kind.value == "nuisance")
    assert "ضجيج في الليل" in group.card(noise.ref)["text"]

    await amina.tap_menu(tr._("Privacy"))
    await amina.press(tr._("Delete my data"))
    await amina.press(tr._("Yes, delete everything"))
    assert tr._("All your data is deleted. If you write to me again, we start fresh.") in (
        amina.last_text)
    assert amina.menu() == []  # the main menu keyboard is removed

    assert await h.store.residents.get(amina.person.id) is None
    assert await h.store.drafts.get(amina.person.id) is None
    assert await h.store.tickets.for_resident(amina.person.id) == []
    for before in tickets:
        after = await h.store.tickets.get(before.id)
        assert after is not None
        assert after.description == "" and after.resident_id is None
        assert after.attachments == () and after.first_name is None
        assert after.phone is None and after.location is None
        assert after.status == Status.WITHDRAWN and after.closed_at is not None
        events = [e["event"] for e in await h.store.tickets.events(before.id)]
        assert events[-2:] == ["withdraw", "erased"]
    # the partner's card no longer shows the erased words, and no longer offers Claim
    card = group.card(noise.ref)
    assert "ضجيج في الليل" not in card["text"]
    assert h.tr("nl")._("Claim") not in " ".join(group.buttons(card))
    export = await h.store.privacy.export(amina.person.id)
    assert export["requests"] == [] and "language" not in export
    # the other resident is untouched
    [kept] = await h.store.tickets.for_resident(other.person.id)
    assert kept.description == "Herrie" and kept.status == Status.OPEN
    assert await h.store.residents.get(other.person.id) is not None

    # writing again starts fresh: the language picker, nothing else
    await amina.send("/start")
    for lang in h.services.site.languages:
        assert h.tr(lang)._("Choose your language") in amina.last_text
    assert "✅ العربية" in amina.buttons()  # guessed from the Telegram language
    assert len(amina.buttons()) == len(h.services.site.languages)


async def test_closed_requests_are_erased_but_not_withdrawn(h: BotHarness) -> None:
    tr = h.tr("tr")
    ali = await h.onboard("Ali", "tr")
    await _report(ali, "tr", h, "Noise", "Gürültü")
    [ticket] = await h.store.tickets.for_resident(ali.person.id)
    for action in (Action.CLAIM, Action.RESOLVE, Action.CONFIRM):
        await h.store.tickets.apply(ticket.id, action, "staff")
    await ali.tap_menu(tr._("Privacy"))
    await ali.press(tr._("Delete my data"))
    await ali.press(tr._("Yes, delete everything"))
    after = await h.store.tickets.get(ticket.id)
    assert after.status == Status.CLOSED and after.description == ""
    assert after.resident_id is None
