"""A help request goes to another partner only with the resident's yes: staff choose Transfer
and write the handover note as always; the resident is asked in their language ("May we pass
this on to DOCK?"); yes hands it over, no keeps it where it is, and no answer is told to the
group after two days. Reports are handed over without asking, as before."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.config import SiteConfig
from bot.domain.tickets import Status, Ticket
from bot.i18n import language_name
from bot.render.callbacks import CARD, WORK_DAY, CardStep, pack
from bot.store.clock import SimClock as Clock
from bot.testing.fake_api import JSONDict
from bot.testing.harness import BotHarness, ResidentChat, StaffMember
from tests.e2e.test_notices import AMS, link, plan

STORY = "Faturalarımı ödeyemiyorum, borçlarım var"
FROM, TO = "werk_inkomen", "dock"
NOTE = "Schuldhulp loopt, maar ze heeft vooral iemand nodig die meekijkt met de post."


async def help_request(h: BotHarness) -> tuple[ResidentChat, Ticket]:
    """Ali (Turkish) asks for help with money; it goes to Werk & Inkomen."""
    ali = await h.onboard("Ali", "tr")
    tr = h.tr("tr")
    await ali.tap_menu(tr._("Ask for help"))
    await ali.press(tr._("Money and debts"))
    await ali.send(STORY)
    await ali.press(tr._("Next"))
    await ali.press(tr._("A message here"))
    await ali.press(language_name("tr"))
    await ali.press(tr._("Yes, share it"))
    [ticket] = await h.store.tickets.for_resident(ali.person.id)
    assert ticket.partner_id == FROM
    return ali, ticket


def card(h: BotHarness, partner: str, ticket: Ticket) -> JSONDict:
    return h.group(partner).card(ticket.ref)


async def ask_transfer(h: BotHarness, staff: StaffMember, ticket: Ticket) -> None:
    gtr = h.tr("nl")
    await staff.press(card(h, FROM, ticket), "🔁 " + gtr._("Transfer"))
    await staff.press_newest(h.services.site.partner_name(TO))
    await staff.reply(h.group(FROM).messages()[-1], NOTE)


def question(h: BotHarness, ticket: Ticket) -> str:
    tr, site = h.tr("tr"), h.services.site
    return "🔁 " + tr._("{partner} would like to pass your request {ref} on to {other}. They can "
                       "help you better. {other} will then see what you told us. Is that OK?",
                       partner=site.partner_name_in(FROM, "tr"), ref=ticket.ref,
                       other=site.partner_name_in(TO, "tr"))


async def test_the_resident_is_asked_first_and_yes_hands_it_over(h: BotHarness) -> None:
    ali, ticket = await help_request(h)
    joost = h.staff(FROM, "Joost")
    await ask_transfer(h, joost, ticket)
    tr, gtr = h.tr("tr"), h.tr("nl")
    # nothing moved yet: the resident is asked, the group is told it waits for the answer
    assert (await h.store.tickets.get(ticket.id)).partner_id == FROM
    assert ali.last_text == question(h, ticket)
    assert ali.buttons() == ["✅ " + tr._("Yes, pass it on"), "❌ " + tr._("No, keep it here")]
    assert h.group(FROM).texts()[-1] == "⏳ " + gtr._(
        "#{ref}: we asked the resident if it may go to {partner}. It stays with you until they "
        "answer.", ref=ticket.ref, partner="DOCK")
    assert not [m for m in h.group(TO).messages() if ticket.ref in m.get("text", "")]

    await ali.press(tr._("Yes, pass it on"))
    moved = await h.store.tickets.get(ticket.id)
    assert moved.partner_id == TO and moved.status == Status.OPEN
    # the warm handover as always: the new card, Joost's note, and the resident told
    assert card(h, TO, ticket)
    assert gtr._("Handover from {partner} ({name}): {note}", partner="Werk & Inkomen",
                 name="Joost", note=NOTE) in h.group(TO).texts()[-1]
    assert tr._("Your request {ref} is now with {partner}. They can help you better. They have "
                "all the information, you do not need to tell it again.", ref=ticket.ref,
                partner=h.services.site.partner_name_in(TO, "tr")) in ali.last_text
    # the question now shows the answer instead of its buttons
    asked = [m for m in h.fake.sent_to(ali.chat_id)
             if m.get("text", "").startswith(question(h, ticket))]
    assert [m["text"] for m in asked] == [question(h, ticket) + "\n\n👉 ✅ "
                                          + tr._("Yes, pass it on")]
    assert [m.get("reply_markup") for m in asked] == [None]
    events = [e["event"] for e in await h.store.tickets.events(ticket.id)]
    assert events[-2:] == ["transfer_asked", "transfer"]


async def test_no_keeps_it_with_the_partner_and_tells_the_group(h: BotHarness) -> None:
    ali, ticket = await help_request(h)
    await ask_transfer(h, h.staff(FROM, "Joost"), ticket)
    tr, gtr = h.tr("tr"), h.tr("nl")
    await ali.press(tr._("No, keep it here"))
    assert (await h.store.tickets.get(ticket.id)).partner_id == FROM
    assert ali.last_text == "👍 " + tr._(
        "OK. Your request {ref} stays with {partner}. Nothing is passed on.", ref=ticket.ref,
        partner=h.services.site.partner_name_in(FROM, "tr"))
    assert h.group(FROM).texts()[-1] == "🔒 " + gtr._(
        "#{ref}: the resident does not want it passed on to {partner}. It stays with you.",
        ref=ticket.ref, partner="DOCK")
    assert not [m for m in h.group(TO).messages() if ticket.ref in m.get("text", "")]
    # DOCK never saw the story
    assert STORY not in " ".join(h.group(TO).texts())


async def test_no_answer_is_told_to_the_group_after_two_days(h: BotHarness) -> None:
    _, ticket = await help_request(h)
    await ask_transfer(h, h.staff(FROM, "Joost"), ticket)
    gtr = h.tr("nl")
    unanswered = "⏳ " + gtr._(
        "#{ref}: the resident has not answered yet whether it may go to {partner}. Call them, "
        "or keep helping them yourself.", ref=ticket.ref, partner="DOCK")
    await h.tick(hours=47)
    assert unanswered not in h.group(FROM).texts()
    await h.tick(hours=26)  # two days on (and within working hours)
    assert h.group(FROM).texts().count(unanswered) == 1


async def test_an_answer_after_the_request_changed_changes_nothing(h: BotHarness) -> None:
    ali, ticket = await help_request(h)
    joost = h.staff(FROM, "Joost")
    await ask_transfer(h, joost, ticket)
    question_msg = h.fake.last_message(ali.chat_id)
    gtr, tr = h.tr("nl"), h.tr("tr")
    await joost.press(card(h, FROM, ticket), "✋ " + gtr._("Claim"))
    await joost.press(card(h, FROM, ticket), "✅ " + gtr._("Resolve"))
    await ali.press_data(question_msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
                         int(question_msg["message_id"]))
    assert (await h.store.tickets.get(ticket.id)).partner_id == FROM
    assert tr._("This button is old. Here is where you are now.") in ali.new_text


async def test_a_second_yes_is_not_a_second_transfer(h: BotHarness) -> None:
    ali, ticket = await help_request(h)
    await ask_transfer(h, h.staff(FROM, "Joost"), ticket)
    question_msg = h.fake.last_message(ali.chat_id)
    data = question_msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await ali.press_data(data, int(question_msg["message_id"]))
    cards = len(h.group(TO).messages())
    await ali.press_data(data, int(question_msg["message_id"]))  # a double tap, a replay
    assert len(h.group(TO).messages()) == cards
    assert h.tr("tr")._("Thank you, we already have your answer.") in ali.new_text


async def test_another_residents_press_is_refused(h: BotHarness) -> None:
    ali, ticket = await help_request(h)
    await ask_transfer(h, h.staff(FROM, "Joost"), ticket)
    data = h.fake.last_message(ali.chat_id)["reply_markup"]["inline_keyboard"][0][0][
        "callback_data"]
    eve = await h.onboard("Eve", "nl")
    await eve.press_data(data)
    assert (await h.store.tickets.get(ticket.id)).partner_id == FROM


async def test_a_report_is_handed_over_without_asking(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket = await amina.report(text="Harde muziek", lang="ar")
    gtr = h.tr("nl")
    jan = h.staff("woningcorporatie", "Jan")
    await jan.press(h.group("woningcorporatie").card(ticket.ref), "🔁 " + gtr._("Transfer"))
    await jan.press_newest(h.services.site.partner_name("buurtbemiddeling"))
    await jan.reply(h.group("woningcorporatie").messages()[-1], "Voor bemiddeling")
    assert (await h.store.tickets.get(ticket.id)).partner_id == "buurtbemiddeling"


async def test_erasure_removes_the_question_and_the_handover_note(h: BotHarness) -> None:
    ali, ticket = await help_request(h)
    await ask_transfer(h, h.staff(FROM, "Joost"), ticket)
    tr = h.tr("tr")
    await ali.tap_menu(tr._("Privacy"))
    await ali.press(tr._("Delete my data"))
    await ali.press(tr._("Yes, delete everything"))
    rows = await h.store.db.fetchall("SELECT * FROM transfer_asks")
    assert rows == []


async def test_help_on_a_work_day_asks_before_the_address_goes_to_the_volunteers(
        tmp_path: Path, site: SiteConfig) -> None:
    """"I need help" under a notice goes to the volunteers, who don't know the address: the
    resident is told what is shared and says yes first; "not home" stays with the housing
    corporation, which knows the address, and asks nothing."""
    clock = Clock(datetime(2026, 3, 2, 19, 0, tzinfo=AMS))
    async with BotHarness.start(tmp_path / "bot.db", site, clock=clock) as h:
        amina = await h.onboard("Amina", "ar")
        tr = h.tr("ar")
        await link(h, amina)
        await plan(h, tmp_path, "Zambesidreef 12-B,2026-03-04,08:00,16:00,kitchen,\n", "p.csv")
        [row] = await h.store.db.fetchall("SELECT id FROM work_days")
        await amina.press_data(pack(WORK_DAY, row[0], "help"))
        volunteers = h.services.site.partner_name_in("vrijwilligers", "ar")
        assert amina.last_text == tr._(
            "To help you, we pass your address and this work day on to {partner}. Is that OK?",
            partner=volunteers)
        assert await h.store.tickets.for_resident(amina.person.id) == []  # nothing shared yet
        await amina.press("❌ " + tr._("No"))
        assert tr._("OK. Nothing is passed on.") in amina.last_text
        assert await h.store.tickets.for_resident(amina.person.id) == []
        await amina.press_data(pack(WORK_DAY, row[0], "help"))
        await amina.press("✅ " + tr._("Yes, pass it on"))
        [ticket] = await h.store.tickets.for_resident(amina.person.id)
        assert ticket.partner_id == "vrijwilligers" and ticket.category == "reno_help"
        assert h.group("vrijwilligers").card(ticket.ref)
        # "not home" goes to the housing corporation at once
        await amina.press_data(pack(WORK_DAY, row[0], "away"))
        assert len(await h.store.tickets.for_resident(amina.person.id)) == 2


async def test_a_forged_transfer_to_the_coordinator_is_refused(h: BotHarness) -> None:
    """`xto:coordinator` is never offered; typed into a press by hand it changes nothing."""
    amina = await h.onboard("Amina", "ar")
    ticket = await amina.report(text="Harde muziek", lang="ar")
    group, gtr = h.group("woningcorporatie"), h.tr("nl")
    jan = h.staff("woningcorporatie", "Jan")
    await jan.press(group.card(ticket.ref), "🔁 " + gtr._("Transfer"))
    menu = group.messages()[-1]
    offered = group.buttons(menu)
    assert h.services.site.partner_name("coordinator") not in offered
    forged = pack(CARD, ticket.id, CardStep.TRANSFER_TO, "coordinator")
    await h.feed(h.updates.press_data(jan.person, group.chat_id, int(menu["message_id"]), forged))
    assert (await h.store.tickets.get(ticket.id)).partner_id == "woningcorporatie"
    assert h.fake.alerts[-1]["text"] == gtr._("This button is old.")
