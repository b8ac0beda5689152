"""A warm referral is a request like any other: after a home visit the resident, linked to the
home with the code from their letter, hears in their language who will contact them; DOCK
claims it, promises a call, the resident says the call came, DOCK resolves it and the resident
answers "were you helped?" with yes. Every follow-up rule of a help request applies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.tickets import Status
from bot.domain.visits import Outcome, RoundKind
from bot.render.labels import category_label
from bot.render.visits import outcome_button
from bot.services import outreach
from bot.store.homes import NewHome
from bot.testing.harness import BotHarness

DOCK = "dock"


async def walk(h: BotHarness, hours: float) -> None:
    """Move the clock on, sweeping at every moment a due row falls due (and every hour)."""
    end = h.clock() + timedelta(hours=hours)
    while h.clock() < end:
        hour = (h.clock() + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        row = await h.store.db.fetchone("SELECT min(due_at) FROM due WHERE status = 'pending'"
                                        " AND due_at > ?", (h.clock().isoformat(),))
        due = datetime.fromisoformat(row[0]) if row and row[0] else hour
        h.clock.advance(max(min(due, hour, end) - h.clock(), timedelta(seconds=1)))
        await h.sweep()


async def test_a_referral_is_claimed_promised_kept_and_answered(h: BotHarness) -> None:
    await h.store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", 20, "", "B", 2)])
    [home] = await h.store.homes.in_building("zambesidreef")
    code = (await h.store.homes.codes_for([home]))[home.id]
    amina = await h.onboard("Amina", "ar")
    await amina.send(code)  # the code from her letter links her chat to the home
    await outreach.start_round(outreach.Deps.of(h.services), "zambesidreef", "Nazorg",
                               RoundKind.AFTER, "woningcorporatie")
    tr, ar, site = h.tr("nl"), h.tr("ar"), h.services.site
    fatima, joost = h.staff("woningcorporatie", "Fatima"), h.staff(DOCK, "Joost")
    await fatima.send("/visit")
    await fatima.press_newest("🏢 Zambesidreef · Nazorg")
    await fatima.send("20")
    await fatima.press_newest("🏠 Zambesidreef 20")
    await fatima.press_newest(outcome_button(tr, Outcome.SPOKEN))
    await fatima.press_newest(tr._("Skip"))
    await fatima.press_newest("DOCK")
    await fatima.press_newest(category_label(tr, site, "help", "language"))
    await fatima.send("Wil een taalcursus, heeft kinderen op school")
    await fatima.press_newest("👍 " + tr._("Yes"))
    await fatima.press_newest("💬 " + tr._("Through the bot"))  # her chat is linked
    await fatima.press_newest("✅ " + tr._("Done, save the visit"))
    [ticket] = await h.store.tickets.for_resident(amina.person.id)
    assert (ticket.partner_id, ticket.category, ticket.lang) == (DOCK, "language", "ar")
    # Amina hears in Arabic who will contact her
    assert amina.last_text == "🤝 " + ar._(
        "After the home visit, {visitor} passed your question on to {partner}, as you agreed. "
        "{partner} will contact you. Your number is {ref}.",
        visitor=site.partner_name_in("woningcorporatie", "ar"),
        partner=site.partner_name_in(DOCK, "ar"), ref=ticket.ref)
    card = h.group(DOCK).card(ticket.ref)
    assert tr._("Referred after a home visit by {partner} ({name})", partner="Woningcorporatie",
                name="Fatima") in str(card["text"])
    # DOCK claims it; the resident is told
    await joost.press(card, "✋ " + tr._("Claim"))
    assert "Joost" in amina.last_text
    # a promise: Joost will call tomorrow morning
    await joost.press(h.group(DOCK).card(ticket.ref), "🤝 " + tr._("Promise"))
    await joost.press_newest(tr._("I will call"))
    await joost.press_newest(tr._("Tomorrow"))
    await joost.press_newest(tr._("in the morning").capitalize())
    assert [p[0] for p in await h.store.db.fetchall("SELECT status FROM promises")] == ["open"]
    # the next afternoon Amina is asked whether DOCK called, and says yes
    await walk(h, 27)
    assert amina.last_text == ar._("Did {partner} call you?",
                                   partner=site.partner_name_in(DOCK, "ar"))
    await amina.press("👍 " + ar._("Yes"))
    assert amina.last_text == ar._("Thank you for telling us.")
    assert [p[0] for p in await h.store.db.fetchall("SELECT status FROM promises")] == ["kept"]
    # DOCK resolves; "were you helped?" yes closes the request
    await joost.press(h.group(DOCK).card(ticket.ref), "✅ " + tr._("Resolve"))
    await amina.press("👍 " + ar._("Yes, I was helped"))
    done = await h.store.tickets.get(ticket.id)
    assert done is not None and done.status == Status.CLOSED
    assert h.clock().astimezone(UTC) > ticket.created_at  # the clock did move
