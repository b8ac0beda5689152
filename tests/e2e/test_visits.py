"""Home visits (issue 12 §1): a round from its first visit in the partner group, recorded with
big buttons from a phone; a warm referral with the resident's consent becomes a card in the
partner's group, one without consent is only a signal; staff record privately too, residents
cannot; /visits shows the figures and the homes to try again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.config import SiteConfig
from bot.domain.authority import MayAct
from bot.domain.visits import Consent, Outcome, ReferralWish, RoundKind
from bot.i18n import Translator, language_name
from bot.render.labels import category_label
from bot.render.visits import kind_label, outcome_button
from bot.services import outreach
from bot.store.homes import NewHome
from bot.store.visits import NewVisit
from bot.testing.harness import BotHarness, ResidentChat, StaffMember

WONEN, DOCK = "woningcorporatie", "dock"
HOMES = [NewHome("zambesidreef", "Zambesidreef", 12, "B", "A", 3),
         NewHome("zambesidreef", "Zambesidreef", 14, "", "A", 3),
         NewHome("zambesidreef", "Zambesidreef", 16, "", "B", 4)]
EXPLANATION = "Mevrouw wil hulp bij brieven van de Belastingdienst"


def nl(h: BotHarness) -> Translator:
    return h.tr("nl")


async def homes(h: BotHarness) -> None:
    await h.store.homes.upsert(HOMES)


async def visit(h: BotHarness, who: StaffMember, number: str, address: str, outcome: Outcome,
                notes: str | None = None) -> None:
    """From the house number prompt to the notes (typed, or skipped)."""
    tr = nl(h)
    await who.send(number)
    await who.press_newest("🏠 " + address)
    await who.press_newest(outcome_button(tr, outcome))
    if notes is None:
        await who.press_newest(tr._("Skip"))
    else:
        await who.send(notes)


async def refer(h: BotHarness, who: StaffMember, partner: str, topic: str, explanation: str,
                consent: bool) -> None:
    tr, site = nl(h), h.services.site
    await who.press_newest(site.partner_name(partner))
    await who.press_newest(category_label(tr, site, "help", topic))
    await who.send(explanation)
    await who.press_newest(("👍 " + tr._("Yes")) if consent else ("👎 " + tr._("No")))


async def first_round(h: BotHarness, fatima: StaffMember) -> None:
    """Fatima starts the round from her group with /visit."""
    tr = nl(h)
    await fatima.send("/visit")
    await fatima.press_newest("🏢 Zambesidreef")
    await fatima.press_newest(kind_label(tr, RoundKind.BEFORE).capitalize())
    await fatima.send("Voorjaar 2027")
    await fatima.send("2027-03-01 2027-04-30")


def last(group: Any) -> str:
    return str(group.texts()[-1])


async def test_a_round_from_its_first_visit_to_a_warm_referral(h: BotHarness) -> None:
    await homes(h)
    tr, site = nl(h), h.services.site
    fatima, group, dock = h.staff(WONEN, "Fatima"), h.group(WONEN), h.group(DOCK)
    await first_round(h, fatima)
    assert "✅ " + tr._("Round started: {round}.", round="Zambesidreef · Voorjaar 2027") in \
        group.texts()
    assert last(group) == "🔢 " + tr._("Type the house number, for example 12 or 12a.")
    # the first try: nobody at home; the visit is saved at once
    await visit(h, fatima, "14", "Zambesidreef 14", Outcome.NOT_HOME)
    saved = tr._("Visit saved: {address}, {outcome}.", address="Zambesidreef 14",
                 outcome=tr._("not at home"))
    assert last(group).startswith("✅ " + saved)
    # the second try: spoken to, referred to DOCK with consent, by phone, in Arabic
    await fatima.press_newest("➕ " + tr._("Next visit"))
    await visit(h, fatima, "14", "Zambesidreef 14", Outcome.SPOKEN, notes="Tweede keer, thuis")
    assert last(group) == "🤝 " + tr._("Refer the resident to a partner?")
    await refer(h, fatima, DOCK, "help_other", EXPLANATION, consent=True)
    assert last(group) == tr._("How can the partner reach the resident?")
    await fatima.press_newest("📞 " + tr._("By phone"))
    await fatima.send("06-12345678")
    await fatima.press_newest(language_name("ar"))
    assert last(group) == "🤝 " + tr._("Another referral?")
    assert not dock.texts()  # nothing is passed on before the visit is saved
    await fatima.press_newest("✅ " + tr._("Done, save the visit"))
    [ticket] = [t for t in [await h.store.tickets.get(1)] if t is not None]
    assert "➡️ " + tr._("Passed on to {partner}: request {ref}", partner="DOCK",
                        ref=ticket.ref) in last(group)
    # DOCK's card: the warm handover, with the visitor, her words, the language and the phone
    card = dock.card(ticket.ref)
    text = str(card["text"])
    assert "🤝 " + tr._("Referred after a home visit by {partner} ({name})",
                       partner="Woningcorporatie", name="Fatima") in text.splitlines()[1]
    assert EXPLANATION in text and "0612345678" in text and "Zambesidreef 14" in text
    assert "Arabisch" in text or "Arabic" in text
    assert "✋ " + tr._("Claim") in dock.buttons(card)
    assert (ticket.kind, ticket.category, ticket.partner_id) == ("help", "help_other", DOCK)
    assert ticket.resident_id is None and ticket.claim_due is not None  # deadlines apply
    rows = await h.store.db.fetchall(
        "SELECT v.outcome, v.notes, v.visitor_name, v.source, x.partner_id, x.consent,"
        " x.ticket_id FROM visits v LEFT JOIN visit_referrals x ON x.visit_id = v.id ORDER BY v.id")
    assert [tuple(r) for r in rows] == [
        ("not_home", "", "Fatima", "telegram", None, None, None),
        ("spoken", "Tweede keer, thuis", "Fatima", "telegram", DOCK, "verbal", ticket.id)]
    assert site.partner_name(DOCK) == "DOCK"
    # no chat is linked to the home: a reply under the card says how to reach them instead
    await h.staff(DOCK, "Joost").reply(card, "Ik bel u morgen")
    assert last(dock) == tr._("This resident has no chat with the bot, so they do not get this. "
                              "Call or visit them as the card says.")
    # and the round is in the coordinator's figures: 3 homes, 1 visited and spoken to, 1 to DOCK
    coordinator = h.group(site.coordinator)
    await h.staff(site.coordinator, "Carla").send("/figures")
    lines = "\n".join(coordinator.texts()).split("\n")
    at = lines.index("Zambesidreef · Voorjaar 2027")
    assert lines[at + 1:at + 6] == [figure(tr._("Homes"), "3"),
                                    figure(tr._("Visited"), "1", "33%"),
                                    figure(tr._("Spoken to"), "1", "33%"),
                                    figure("DOCK", "1", "100%"),
                                    figure(tr._("Referrals"), "1", "100%")]
    assert "Zambesidreef 14" not in "\n".join(lines) and "Fatima" not in "\n".join(lines)


def figure(label: str, value: str, pct: str | None = None) -> str:
    """One line of a /figures block as a phone shows it (monospace)."""
    return "  " + label.ljust(20) + (value.rjust(6) + pct.rjust(6) if pct else value).rjust(6)


async def test_no_consent_passes_nothing_on_and_marks_the_home(h: BotHarness) -> None:
    await homes(h)
    tr = nl(h)
    fatima, group, dock = h.staff(WONEN, "Fatima"), h.group(WONEN), h.group(DOCK)
    await first_round(h, fatima)
    await visit(h, fatima, "16", "Zambesidreef 16", Outcome.SPOKEN)
    await refer(h, fatima, DOCK, "language", "Wil taalles", consent=False)
    assert "⚠️ " + tr._("Not shared with {partner}. The home is marked: signal without consent.",
                       partner="DOCK") in group.texts()
    await fatima.press_newest("✅ " + tr._("Done, save the visit"))
    assert "⚠️ " + tr._("Signal without consent: nothing was passed on for that.") in last(group)
    assert not dock.texts()
    rows = await h.store.db.fetchall("SELECT no_consent FROM visits")
    assert [r[0] for r in rows] == [1]
    assert not await h.store.db.fetchall("SELECT * FROM visit_referrals")
    assert not await h.store.db.fetchall("SELECT * FROM tickets")


async def test_the_visits_overview_and_the_homes_to_try_again(h: BotHarness) -> None:
    await homes(h)
    tr = nl(h)
    fatima, group = h.staff(WONEN, "Fatima"), h.group(WONEN)
    await first_round(h, fatima)
    await visit(h, fatima, "12", "Zambesidreef 12-B", Outcome.NOT_HOME)
    await fatima.press_newest("➕ " + tr._("Next visit"))
    await visit(h, fatima, "14", "Zambesidreef 14", Outcome.SPOKEN)
    await refer(h, fatima, DOCK, "language", "Wil taalles", consent=True)
    await fatima.press_newest("🏠 " + tr._("A visit at home"))
    await fatima.press_newest(tr._("Another language, or not known"))
    await fatima.press_newest("✅ " + tr._("Done, save the visit"))
    await fatima.press_newest("➕ " + tr._("Next visit"))
    await visit(h, fatima, "16", "Zambesidreef 16", Outcome.REFUSED)
    await fatima.send("/visits")
    text = last(group)
    for line in (tr._("Visited: {visited} of {homes} homes", visited=3, homes=3),
                 "🗣 " + tr._("Spoken to: {n}", n=1), "🚪 " + tr._("Not at home: {n}", n=1),
                 "✋ " + tr._("Did not want to talk: {n}", n=1),
                 "🤝 " + tr._("Referrals: {list}", list="DOCK 1"),
                 "🔁 " + tr._("Try again (not at home): {addresses}",
                             addresses="Zambesidreef 12-B")):
        assert line in text, (line, text)
    assert "📝 " + tr._("Record a visit: {round}", round="Zambesidreef · Voorjaar 2027") in \
        group.buttons(group.messages()[-1])
    # DOCK's card says the language is not known and that they visit
    card = str(h.group(DOCK).messages()[0]["text"])
    assert tr._("language not known") in card and tr._("wants a home visit") in card


async def test_the_invitation_code_is_shown_on_the_spot(h: BotHarness) -> None:
    await homes(h)
    tr = nl(h)
    fatima, group = h.staff(WONEN, "Fatima"), h.group(WONEN)
    await first_round(h, fatima)
    await visit(h, fatima, "16", "Zambesidreef 16", Outcome.SPOKEN)
    await fatima.press_newest("✅ " + tr._("No, save the visit"))
    await fatima.press_newest("🔑 " + tr._("Show the invitation code"))
    [home] = [x for x in await h.store.homes.in_building("zambesidreef") if x.number == 16]
    code = (await h.store.homes.codes_for([home]))[home.id]
    photo = group.messages()[-1]
    assert "photo" in photo
    caption = str(photo["caption"])
    assert f"{code[:5]} {code[5:]}" in caption
    assert f"https://t.me/{h.app.bot.username}?start={code}" in caption


async def dock_round(h: BotHarness) -> int:
    round_, _ = await outreach.start_round(outreach.Deps.of(h.services), "zambesidreef",
                                           "Nazorg 2028", RoundKind.AFTER, DOCK)
    return round_.id


async def test_staff_record_a_visit_in_a_private_chat(h: BotHarness) -> None:
    await homes(h)
    tr = nl(h)
    await dock_round(h)
    wonen_round, _ = await outreach.start_round(outreach.Deps.of(h.services), "zambesidreef",
                                                "Voorjaar 2027", RoundKind.BEFORE, WONEN)
    sanne = h.resident("Sanne", "nl")
    h.fake.set_member(h.group(DOCK).chat_id, sanne.person.id, "member")
    await sanne.send("/visit")
    assert sanne.last_text == "🏠 " + tr._("Which round is this visit for?")
    assert sanne.buttons() == ["🏢 Zambesidreef · Nazorg 2028", "❌ " + tr._("Stop")]
    await sanne.press("🏢 Zambesidreef · Nazorg 2028")
    await sanne.send("12b")
    await sanne.press("🏠 Zambesidreef 12-B")
    await sanne.press(outcome_button(tr, Outcome.MOVED))
    await sanne.send("Nieuwe bewoners in juni")
    assert sanne.last_text.startswith("✅ " + tr._("Visit saved: {address}, {outcome}.",
                                                  address="Zambesidreef 12-B",
                                                  outcome=tr._("moved out")))
    rows = await h.store.db.fetchall("SELECT visitor_id, outcome, notes FROM visits")
    assert [tuple(r) for r in rows] == [(sanne.person.id, "moved", "Nieuwe bewoners in juni")]
    # not her team's round, whatever the button says
    await sanne.press_data(f"v1:vis:-:go:{wonen_round.id}")
    assert sanne.last_text == tr._("Only the staff of {partner} or the coordinator record visits "
                                   "for this round.", partner="Woningcorporatie")
    assert not await h.store.db.fetchall("SELECT * FROM residents")  # staff are not residents


async def test_a_resident_cannot_record_visits(h: BotHarness) -> None:
    await homes(h)
    await dock_round(h)
    amina: ResidentChat = await h.onboard("Amina", "ar")
    tr = h.tr("ar")
    for command in ("/visit", "/visits"):
        await amina.send(command)
        assert amina.last_text == tr._("I do not know that command. Choose a button below.")
    await amina.press_data("v1:vis:-:go:1")
    assert not await h.store.db.fetchall("SELECT * FROM visits")
    assert not await h.store.db.fetchall("SELECT * FROM visit_drafts")


async def test_a_draft_survives_a_restart_and_a_double_tap_saves_once(h: BotHarness) -> None:
    await homes(h)
    tr = nl(h)
    fatima, group = h.staff(WONEN, "Fatima"), h.group(WONEN)
    await first_round(h, fatima)
    await visit(h, fatima, "16", "Zambesidreef 16", Outcome.SPOKEN)
    save = next(m for m in reversed(group.messages())
                if "✅ " + tr._("No, save the visit") in group.buttons(m))
    await fatima.press(save, "✅ " + tr._("No, save the visit"))
    await fatima.press(save, "✅ " + tr._("No, save the visit"))
    rows = await h.store.db.fetchall("SELECT count(*) FROM visits")
    assert rows[0][0] == 1
    # a group message while no visit waits for text is ordinary talk
    await fatima.send("16")
    assert rows[0][0] == 1 and not last(group).startswith(tr._("Which address?"))


async def recorded_with_referral(h: BotHarness, home_number: int, notes: str,
                                 explanation: str) -> Any:
    """A spoken-to visit with a referral to DOCK, recorded the way the flow records it."""
    deps = outreach.Deps.of(h.services)
    round_, _ = await outreach.start_round(deps, "zambesidreef", "Voorjaar 2027",
                                           RoundKind.BEFORE, WONEN)
    [home] = [x for x in await h.store.homes.in_building("zambesidreef")
              if x.number == home_number]
    visit = NewVisit(round_.id, home.id, h.clock().date(), Outcome.SPOKEN, notes=notes,
                     visitor_id=7, visitor_name="Fatima")
    wish = ReferralWish(DOCK, "language", explanation, Consent.VERBAL)
    done = await outreach.record_visit(deps, round_, home, visit, [wish],
                                       contact=outreach.Contact("phone", "0687654321"))
    await h.deliver()
    assert done is not None
    return done


async def test_export_and_erasure_cover_the_visits_to_a_residents_home(h: BotHarness) -> None:
    await homes(h)
    [home] = [x for x in await h.store.homes.in_building("zambesidreef") if x.number == 14]
    code = (await h.store.homes.codes_for([home]))[home.id]
    amina = await h.onboard("Amina", "nl")
    await amina.send(code)
    done = await recorded_with_referral(h, 14, "Amina Haddad zorgt voor haar moeder",
                                        "Amina Haddad wil Nederlandse les")
    [ticket] = done.tickets
    assert ticket.resident_id == amina.person.id
    export = await h.store.privacy.export(amina.person.id)
    [seen] = export["home_visits"]
    assert (seen["outcome"], seen["round"]) == ("spoken", "Voorjaar 2027")
    assert seen["referrals"] == [{"partner": DOCK, "topic": "language", "consent": "verbal",
                                  "request": ticket.ref}]
    assert "zorgt voor haar moeder" not in str(export)  # the team's notes are not hers
    tr = nl(h)
    await amina.tap_menu(tr._("Privacy"))
    await amina.press(tr._("Delete my data"))
    await amina.press(tr._("Yes, delete everything"))
    rows = await h.store.db.fetchall("SELECT notes FROM visits UNION ALL"
                                     " SELECT explanation FROM visit_referrals UNION ALL"
                                     " SELECT description FROM tickets")
    assert [r[0] for r in rows] == ["", "", ""]
    assert (await h.store.db.fetchone("SELECT outcome FROM visits"))[0] == "spoken"


async def test_retention_blanks_notes_and_erases_a_referral_for_an_unlinked_home(
        h: BotHarness) -> None:
    from datetime import timedelta

    from bot.services import retention

    await homes(h)
    done = await recorded_with_referral(h, 16, "Kinderen spelen op de galerij",
                                        "Meneer wil taalles")
    [ticket] = done.tickets
    assert ticket.resident_id is None and ticket.phone == "0687654321"
    joost, tr = h.staff(DOCK, "Joost"), nl(h)
    await joost.press(h.group(DOCK).card(ticket.ref), "✋ " + tr._("Claim"))
    await joost.press(h.group(DOCK).card(ticket.ref), "✅ " + tr._("Resolve"))
    h.clock.advance(timedelta(days=10))
    await h.sweep()  # nobody to answer "were you helped?": it closes
    closed = await h.store.tickets.get(ticket.id)
    assert closed is not None and closed.closed_at is not None
    await retention.run(h.services)
    assert (await h.store.db.fetchone("SELECT notes FROM visits"))[0] != ""  # not yet
    h.clock.advance(timedelta(days=h.services.site.retention_days + 1))
    await retention.run(h.services)
    erased = await h.store.tickets.get(ticket.id)
    assert erased is not None and (erased.description, erased.phone, erased.location) == (
        "", None, None)
    rows = await h.store.db.fetchall("SELECT notes FROM visits UNION ALL"
                                     " SELECT explanation FROM visit_referrals")
    assert [r[0] for r in rows] == ["", ""]


async def test_the_groups_rule_decides_who_records_visits(tmp_path: Path, site: SiteConfig) -> None:
    """DOCK lets only its listed staff act (may_act = "listed"): an unlisted member of the
    group can't record a visit there, nor privately, and nothing is started."""
    listed = 7101
    dock_only_listed = site.model_copy(update={"partners": [
        p.model_copy(update={"may_act": MayAct.LISTED, "staff": [listed]}) if p.id == DOCK else p
        for p in site.partners]})
    async with BotHarness.start(tmp_path / "bot.db", dock_only_listed) as h:
        await homes(h)
        await dock_round(h)
        tr = nl(h)
        piet = h.staff(DOCK, "Piet")
        await piet.send("/visit")
        assert last(h.group(DOCK)) == tr._("Only the team's listed staff can do this.")
        private = h.resident("Piet", "nl", user_id=piet.person.id)
        await private.send("/visit")  # not staff here: treated as anyone new (the picker)
        assert private.last_text.startswith("🌐 Kies je taal")
        assert not await h.store.db.fetchall("SELECT * FROM visit_drafts")
        sanne = h.staff(DOCK, "Sanne", listed)
        await sanne.send("/visit")
        assert last(h.group(DOCK)) == "🏠 " + tr._("Which round is this visit for?")
