"""Partner groups, the workflow buttons: claim (compare-and-set), release, who may press what,
transfer (warm handover), resolve and the resident's "Were you helped?"."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain.tickets import Status, Ticket
from bot.testing.fake_api import JSONDict
from bot.testing.harness import BotHarness, ResidentChat, StaffMember

GROUP = "woningcorporatie"


def nl(h: BotHarness, msgid: str) -> str:
    """A group text (partner groups speak Dutch here), through the bot's own catalog."""
    return h.tr("nl")._(msgid)


# -- helpers ------------------------------------------------------------------------------------
async def report(h: BotHarness, chat: ResidentChat, lang: str, *,
                 text: str = "Harde muziek elke nacht", photo: bool = False) -> Ticket:
    """An anonymous noise report (goes to the housing corporation)."""
    ticket: Ticket = await chat.report(text=text, photo=photo, lang=lang)
    return ticket


async def fresh(h: BotHarness, ticket: Ticket) -> Ticket:
    again = await h.store.tickets.get(ticket.id)
    assert again is not None
    return again


def last_alert(h: BotHarness) -> JSONDict:
    return h.fake.alerts[-1]


async def press_data(h: BotHarness, staff: StaffMember, data: str,
                     chat_id: int | None = None, message_id: int = 1) -> None:
    chat_id = staff.group.chat_id if chat_id is None else chat_id
    await h.feed(h.updates.press_data(staff.person, chat_id, message_id, data))


def group_edits(h: BotHarness) -> int:
    return sum(1 for c in h.fake.calls if c.method == "editMessageText"
               and c.chat_id is not None and c.chat_id < 0)


async def snapshot(h: BotHarness, ticket: Ticket) -> tuple[Ticket, int, int]:
    """Everything a refused press must leave alone."""
    return (await fresh(h, ticket), len(await h.store.tickets.events(ticket.id)),
            len(h.fake.calls) - sum(1 for c in h.fake.calls if c.method == "answerCallbackQuery"))


async def opened(h: BotHarness) -> tuple[ResidentChat, Ticket]:
    amina = await h.onboard("Amina", "ar")
    return amina, await report(h, amina, "ar")


# -- claim --------------------------------------------------------------------------------------
async def test_claim_tells_the_resident_in_their_language(h: BotHarness) -> None:
    amina, ticket = await opened(h)
    gtr, rtr = h.tr("nl"), h.tr("ar")
    jan = h.staff(GROUP, "Jan")
    await jan.press(h.group(GROUP).card(ticket.ref), "✋ " + gtr._("Claim"))
    assert last_alert(h)["text"] == gtr._("You have it now.")
    now = await fresh(h, ticket)
    assert now.status == Status.CLAIMED and now.claimed_by == jan.person.id
    assert now.claimed_name == "Jan"
    assert amina.last_text == "👋 " + rtr._(
        "{partner} has picked up your request {ref}. {name} is working on it.",
        partner=h.services.site.partner_name_in("woningcorporatie", "ar"), ref=ticket.ref,
        name="Jan")
    assert amina.buttons() == ["✍️ " + rtr._("Answer")]


async def test_second_claim_gets_an_alert_naming_who_has_it(h: BotHarness) -> None:
    amina, ticket = await opened(h)
    gtr = h.tr("nl")
    jan, els = h.staff(GROUP, "Jan"), h.staff(GROUP, "Els")
    card = h.group(GROUP).card(ticket.ref)
    await jan.press(card, nl(h, "Claim"))
    told = len(h.fake.sent_to(amina.chat_id))
    before = await snapshot(h, ticket)
    # the first claim removed the button; Els still had the old card on her screen
    await press_data(h, els, f"v1:t:{ticket.id}:claim", message_id=card["message_id"])
    assert last_alert(h)["text"] == gtr._("{name} already has this.", name="Jan")
    assert last_alert(h)["show_alert"] is True
    assert await snapshot(h, ticket) == before
    assert (await fresh(h, ticket)).claimed_by == jan.person.id
    assert len(h.fake.sent_to(amina.chat_id)) == told


async def test_two_claims_at_the_same_moment_one_wins(h: BotHarness) -> None:
    amina, ticket = await opened(h)
    gtr = h.tr("nl")
    group = h.group(GROUP)
    jan, els = h.staff(GROUP, "Jan"), h.staff(GROUP, "Els")
    card = group.card(ticket.ref)
    presses = [h.updates.press(s.person, card, "✋ " + gtr._("Claim"), chat_id=group.chat_id)
               for s in (jan, els)]
    await asyncio.gather(*(h.app.process_update(p) for p in presses))
    await h.deliver()
    now = await fresh(h, ticket)
    winner = "Jan" if now.claimed_by == jan.person.id else "Els"
    loser_alert = [a["text"] for a in h.fake.alerts[-2:]]
    assert sorted(loser_alert) == sorted([gtr._("You have it now."),
                                          gtr._("{name} already has this.", name=winner)])
    events = [e["event"] for e in await h.store.tickets.events(ticket.id)]
    assert events.count("claim") == 1
    picked_up = "👋 " + h.tr("ar")._(
        "{partner} has picked up your request {ref}. {name} is working on it.",
        partner=h.services.site.partner_name_in("woningcorporatie", "ar"), ref=ticket.ref,
        name=winner)
    assert h.fake.texts(amina.chat_id).count(picked_up) == 1


async def test_a_double_tap_by_the_same_person_changes_nothing(h: BotHarness) -> None:
    amina, ticket = await opened(h)
    gtr = h.tr("nl")
    group = h.group(GROUP)
    jan = h.staff(GROUP, "Jan")
    card = group.card(ticket.ref)
    first = h.updates.press(jan.person, card, "✋ " + gtr._("Claim"), chat_id=group.chat_id)
    second = h.updates.press(jan.person, card, "✋ " + gtr._("Claim"), chat_id=group.chat_id)
    await h.feed(first)
    told = len(h.fake.sent_to(amina.chat_id))
    before = await snapshot(h, ticket)
    await h.feed(second)
    assert last_alert(h)["text"] == gtr._("You already have this.")
    assert last_alert(h)["show_alert"] is False
    assert await snapshot(h, ticket) == before
    assert len(h.fake.sent_to(amina.chat_id)) == told


async def test_release_returns_the_ticket_to_open(h: BotHarness) -> None:
    _, ticket = await opened(h)
    gtr = h.tr("nl")
    group = h.group(GROUP)
    jan, els = h.staff(GROUP, "Jan"), h.staff(GROUP, "Els")
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))
    await jan.press(group.card(ticket.ref), "↩️ " + gtr._("Release"))
    assert last_alert(h)["text"] == gtr._("Released. Someone else can take it now.")
    now = await fresh(h, ticket)
    assert now.status == Status.OPEN and now.claimed_by is None and now.claimed_name is None
    # someone else can take it now
    await els.press(group.card(ticket.ref), nl(h, "Claim"))
    assert (await fresh(h, ticket)).claimed_name == "Els"


@pytest.mark.parametrize("action", ["free", "done"])
async def test_only_the_owner_may_release_or_resolve(h: BotHarness, action: str) -> None:
    _, ticket = await opened(h)
    gtr = h.tr("nl")
    group = h.group(GROUP)
    jan, els = h.staff(GROUP, "Jan"), h.staff(GROUP, "Els")
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))
    before = await snapshot(h, ticket)
    await press_data(h, els, f"v1:t:{ticket.id}:{action}",
                     message_id=group.card(ticket.ref)["message_id"])
    assert last_alert(h)["text"] == gtr._("Only {name} or the coordinator can do this.",
                                          name="Jan")
    assert last_alert(h)["show_alert"] is True
    assert await snapshot(h, ticket) == before


@pytest.mark.parametrize(("action", "status"), [("free", Status.OPEN),
                                                ("done", Status.RESOLVED)])
async def test_the_coordinator_may_release_or_resolve(
        h: BotHarness, action: str, status: Status) -> None:
    _, ticket = await opened(h)
    jan, boss = h.staff(GROUP, "Jan"), h.staff("coordinator", "Noor")
    await jan.press(h.group(GROUP).card(ticket.ref), nl(h, "Claim"))
    await press_data(h, boss, f"v1:t:{ticket.id}:{action}")
    assert (await fresh(h, ticket)).status == status
    events = await h.store.tickets.events(ticket.id)
    assert events[-1]["actor"] == f"staff:{boss.person.id}"


async def test_a_stale_button_is_answered_politely(h: BotHarness) -> None:
    _, ticket = await opened(h)
    gtr = h.tr("nl")
    group = h.group(GROUP)
    jan = h.staff(GROUP, "Jan")
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))
    old = group.card(ticket.ref)
    await jan.press(old, nl(h, "Release"))
    before = await snapshot(h, ticket)
    # the old keyboard still shows Release/Resolve on a slow phone
    for action in ("free", "done", "qr"):
        await press_data(h, jan, f"v1:t:{ticket.id}:{action}", message_id=old["message_id"])
        assert last_alert(h)["text"] == gtr._("This request has changed in the meantime.")
        assert last_alert(h)["show_alert"] is True
    assert await snapshot(h, ticket) == before


# -- authorisation ------------------------------------------------------------------------------
async def test_a_press_from_another_partners_group_is_refused(h: BotHarness) -> None:
    _, ticket = await opened(h)
    fleur = h.staff("dock", "Fleur")
    before = await snapshot(h, ticket)
    edits = group_edits(h)
    for action in ("claim", "xfer", "hist", "done"):
        await press_data(h, fleur, f"v1:t:{ticket.id}:{action}")
        assert last_alert(h)["text"] == h.tr("nl")._("This button does not work here.")
        assert last_alert(h)["show_alert"] is True
    assert await snapshot(h, ticket) == before
    assert group_edits(h) == edits
    assert h.fake.texts(fleur.group.chat_id) == []


async def test_a_press_from_a_group_that_is_not_a_partner_is_refused(h: BotHarness) -> None:
    _, ticket = await opened(h)
    h.fake.add_group(-1005550000001, "Random buurtapp")
    stranger = h.staff(GROUP, "Kees")
    h.fake.set_member(-1005550000001, stranger.person.id, "member")
    before = await snapshot(h, ticket)
    await press_data(h, stranger, f"v1:t:{ticket.id}:claim", chat_id=-1005550000001)
    assert last_alert(h)["show_alert"] is True
    assert last_alert(h)["text"] == h.tr("nl")._("This button does not work here.")
    assert await snapshot(h, ticket) == before
    assert h.fake.texts(-1005550000001) == []


async def test_a_ticket_button_pressed_in_a_private_chat_is_refused(h: BotHarness) -> None:
    amina, ticket = await opened(h)
    before = await snapshot(h, ticket)
    calls = len(h.fake.calls)
    await amina.press_data(f"v1:t:{ticket.id}:claim")
    assert last_alert(h)["text"] == h.tr("ar")._("This button is old. Here is where you are now.")
    after = await fresh(h, ticket)
    assert after.status == Status.OPEN and after.claimed_by is None
    assert len(await h.store.tickets.events(ticket.id)) == before[1]
    # nothing went to any group
    assert not any(c.chat_id is not None and c.chat_id < 0 for c in h.fake.calls[calls:])


@pytest.mark.parametrize(("data", "msgid"), [
    ("v1:t:999:claim", "This button does not work here."),
    ("v1:t:abc:claim", "This button does not work here."),
    ("v1:t:{id}:nonsense", "This button is old."),
    ("v1:t:{id}", "This button is old."),
    ("v1:t:{id}:xto:nobody", "This button is old."),
    ("v1:t:{id}:xto:woningcorporatie", "This button is old."),
])
async def test_forged_data_gets_a_polite_refusal(h: BotHarness, data: str, msgid: str) -> None:
    _, ticket = await opened(h)
    jan = h.staff(GROUP, "Jan")
    before = await snapshot(h, ticket)
    await press_data(h, jan, data.format(id=ticket.id))
    assert last_alert(h)["text"] == h.tr("nl")._(msgid)
    assert last_alert(h)["show_alert"] is True
    assert await snapshot(h, ticket) == before
    assert await h.store.threads.pending(jan.group.chat_id, jan.person.id) is None


async def test_a_forged_date_gets_a_polite_refusal(h: BotHarness) -> None:
    _, ticket = await opened(h)
    jan = h.staff(GROUP, "Jan")
    await jan.press(h.group(GROUP).card(ticket.ref), nl(h, "Claim"))
    alerts = len(h.fake.alerts)
    await press_data(h, jan, f"v1:t:{ticket.id}:qs:visit:garbage")
    assert len(h.fake.alerts) == alerts + 1
    assert last_alert(h)["text"] == h.tr("nl")._("This button is old.")


# -- transfer -----------------------------------------------------------------------------------
async def test_transfer_is_a_warm_handover(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar", photo=True)
    gtr, rtr = h.tr("nl"), h.tr("ar")
    old_group, new_group = h.group(GROUP), h.group("dock")
    jan = h.staff(GROUP, "Jan")
    await jan.press(old_group.card(ticket.ref), nl(h, "Claim"))
    card_id = old_group.card(ticket.ref)["message_id"]

    await jan.press(old_group.card(ticket.ref), "🔁 " + gtr._("Transfer"))
    menu = old_group.messages()[-1]
    assert menu["text"] == gtr._("Hand #{ref} over to which partner?", ref=ticket.ref)
    names = old_group.buttons(menu)
    assert "DOCK" in names and "Woningcorporatie" not in names and "Procesregisseur" not in names
    await jan.press(menu, "DOCK")
    ask = old_group.messages()[-1]
    assert ask["text"] == gtr._(
        "{name}, write a short handover note for {partner}: what do they need to know?",
        name="Jan", partner="DOCK")
    assert (await fresh(h, ticket)).partner_id == GROUP  # nothing moves before the note
    note = "Bewoonster wil graag naar de taalcafé, spreekt Arabisch"
    await jan.reply(ask, note)

    now = await fresh(h, ticket)
    assert now.partner_id == "dock" and now.status == Status.OPEN
    assert now.claimed_by is None and now.claimed_name is None
    # the new group: a fresh card, the handover note, and the photo again
    new_card = new_group.card(ticket.ref)
    assert new_group.buttons(new_card)[0] == "✋ " + gtr._("Claim")
    handover = "🤝 " + gtr._("Handover from {partner} ({name}): {note}",
                             partner="Woningcorporatie", name="Jan", note=note)
    assert handover in new_group.texts()
    assert any("photo" in m for m in new_group.messages())
    # the old card, edited in place: where it went, and no buttons left
    old_card = old_group.card(ticket.ref)
    assert old_card["message_id"] == card_id
    assert "🔁 " + gtr._("Handed over to {partner}", partner="DOCK") in old_card["text"]
    assert old_group.buttons(old_card) == []
    # the resident is told, in Arabic
    assert amina.last_text == "🔁 " + rtr._(
        "Your request {ref} is now with {partner}. They can help you better. They have all the "
        "information, you do not need to tell it again.", ref=ticket.ref,
        partner=h.services.site.partner_name_in("dock", "ar"))
    events = await h.store.tickets.events(ticket.id)
    assert events[-1]["event"] == "transfer" and events[-1]["to"] == "dock"
    assert events[-1]["note"] == note

    # the old group can no longer talk to the resident
    told = len(h.fake.sent_to(amina.chat_id))
    await jan.reply(old_card, "Nog één ding")
    assert old_group.texts()[-1] == gtr._("This request is with another partner now.")
    assert len(h.fake.sent_to(amina.chat_id)) == told
    # and the new group takes it from here
    fleur = h.staff("dock", "Fleur")
    await fleur.press(new_group.card(ticket.ref), nl(h, "Claim"))
    assert (await fresh(h, ticket)).claimed_name == "Fleur"


async def test_transfer_into_a_forum_group_opens_a_topic_there(tmp_path, site) -> None:  # type: ignore[no-untyped-def]
    async with BotHarness.start(tmp_path / "bot.db", site, forums={"dock"}) as h:
        _, ticket = await opened(h)
        jan = h.staff(GROUP, "Jan")
        group = h.group(GROUP)
        await jan.press(group.card(ticket.ref), nl(h, "Transfer"))
        await jan.press_newest("DOCK")
        await jan.reply(group.messages()[-1], "Graag bellen")
        dock = h.group("dock")
        card = dock.card(ticket.ref)
        thread = card["message_thread_id"]
        assert ticket.ref in h.fake.chats[dock.chat_id].topics[thread]["name"]
        assert all(m.get("message_thread_id") == thread for m in dock.messages())


# -- resolve and the resident's answer ----------------------------------------------------------
async def _resolved(h: BotHarness) -> tuple[ResidentChat, Ticket]:
    amina, ticket = await opened(h)
    jan = h.staff(GROUP, "Jan")
    group = h.group(GROUP)
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))
    await jan.press(group.card(ticket.ref), "✅ " + h.tr("nl")._("Resolve"))
    return amina, ticket


async def test_resolve_asks_the_resident_if_they_were_helped(h: BotHarness) -> None:
    amina, ticket = await _resolved(h)
    rtr, gtr = h.tr("ar"), h.tr("nl")
    assert last_alert(h)["text"] == gtr._(
        "Marked as solved. We ask the resident if they were helped.")
    assert (await fresh(h, ticket)).status == Status.RESOLVED
    assert amina.last_text == "✅ " + rtr._(
        "{partner} says your request {ref} is solved. Were you helped?",
        partner=h.services.site.partner_name_in("woningcorporatie", "ar"), ref=ticket.ref)
    assert amina.buttons() == ["👍 " + rtr._("Yes, I was helped"), "👎 " + rtr._("No")]


async def test_yes_closes_the_ticket(h: BotHarness) -> None:
    amina, ticket = await _resolved(h)
    rtr, gtr = h.tr("ar"), h.tr("nl")
    await amina.press(rtr._("Yes, I was helped"))
    now = await fresh(h, ticket)
    assert now.status == Status.CLOSED and now.closed_at is not None
    assert rtr._("Thank you for telling us.") in amina.new_text
    assert h.group(GROUP).texts()[-1] == "🟢 " + gtr._(
        "The resident says they were helped. #{ref} is closed.", ref=ticket.ref)


async def test_no_reopens_the_ticket_and_tells_the_group(h: BotHarness) -> None:
    amina, ticket = await _resolved(h)
    rtr, gtr = h.tr("ar"), h.tr("nl")
    group = h.group(GROUP)
    await amina.press(rtr._("No"))
    now = await fresh(h, ticket)
    assert now.status == Status.OPEN and now.claimed_by is None
    partner = h.services.site.partner_name_in("woningcorporatie", "ar")
    assert rtr._("We are sorry. We have told {partner}; they will look at it again.",
                 partner=partner) in amina.new_text
    assert "🔴 " + gtr._("The resident says they were NOT helped. #{ref} is open again.",
                        ref=ticket.ref) in group.texts()
    card = group.card(ticket.ref)
    assert group.buttons(card)[0] == "✋ " + gtr._("Claim")
    assert f"🟡 {gtr._('Open, nobody has it yet')}" in card["text"]


@pytest.mark.parametrize(("first", "again"), [("y", "y"), ("y", "n"), ("n", "n"), ("n", "y")])
async def test_answering_twice_is_answered_not_applied(h: BotHarness, first: str,
                                                       again: str) -> None:
    amina, ticket = await _resolved(h)
    rtr = h.tr("ar")
    question = amina.message_with(rtr._("No"))
    await amina.press_data(f"v1:fb:{ticket.id}:{first}", message_id=question["message_id"])
    # the buttons are gone after the first answer
    assert "reply_markup" not in h.fake.message(amina.chat_id, question["message_id"])
    status = (await fresh(h, ticket)).status
    events = len(await h.store.tickets.events(ticket.id))
    group_texts = len(h.group(GROUP).texts())
    await amina.press_data(f"v1:fb:{ticket.id}:{again}", message_id=question["message_id"])
    assert rtr._("Thank you, we already have your answer.") in amina.new_text
    assert (await fresh(h, ticket)).status == status
    assert len(await h.store.tickets.events(ticket.id)) == events
    assert len(h.group(GROUP).texts()) == group_texts


async def test_someone_elses_feedback_button_does_nothing(h: BotHarness) -> None:
    _, ticket = await _resolved(h)
    other = await h.onboard("Piet", "nl")
    await other.press_data(f"v1:fb:{ticket.id}:n")
    assert h.tr("nl")._("This button is old. Here is where you are now.") in other.new_text
    assert (await fresh(h, ticket)).status == Status.RESOLVED
