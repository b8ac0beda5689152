"""The important flows on purpose at 23:00 and at 07:45, inside the residents' quiet hours.

Quiet hours hold the bot's own initiatives, not people: what a person did just now (a report, a
claim, a quick reply, a reply, a handover, a resolution) reaches the other side at once, and a
resident gets it silently (no sound, as Telegram apps expect at night). What the bot sends of its
own accord ("Were you helped?" once more) waits for 08:00 and then rings as usual.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.config import SiteConfig
from bot.domain.tickets import Ticket
from bot.i18n import language_name
from bot.render.resident import claimed_text, resolved_text, transferred_text
from bot.store.clock import SimClock
from bot.testing.fake_api import JSONDict
from bot.testing.harness import WORKDAY_11, BotHarness, ResidentChat

GROUP = "woningcorporatie"
# Tuesday 23:00, and Wednesday 07:45 (the quarter of an hour before quiet hours end)
NIGHT = {"23:00": WORKDAY_11.replace(hour=23),
         "07:45": WORKDAY_11.replace(hour=7, minute=45) + timedelta(days=1)}


@pytest.fixture(params=sorted(NIGHT))
def moment(request: pytest.FixtureRequest) -> datetime:
    return NIGHT[request.param]


@pytest.fixture
async def h(tmp_path: Path, site: SiteConfig, moment: datetime) -> AsyncIterator[BotHarness]:
    async with BotHarness.start(tmp_path / "bot.db", site, clock=SimClock(moment)) as harness:
        yield harness


def nl(h: BotHarness, msgid: str) -> str:
    return h.tr("nl")._(msgid)


def new_for(h: BotHarness, chat: ResidentChat, before: int) -> list[JSONDict]:
    return h.fake.sent_to(chat.chat_id)[before:]


def text(msg: JSONDict) -> str:
    return str(msg.get("text", msg.get("caption", "")))


async def staff_does(h: BotHarness, chat: ResidentChat, action: object) -> list[JSONDict]:
    """What reaches the resident's chat at once when a staff member acts; all of it silent."""
    before = len(h.fake.sent_to(chat.chat_id))
    await action  # type: ignore[misc]
    got = new_for(h, chat, before)
    assert got, "nothing reached the resident at once"
    for msg in got:
        assert h.fake.was_silent(chat.chat_id, int(msg["message_id"])), text(msg)
    return got


async def test_a_report_at_night_reaches_the_partner_group_at_once(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket: Ticket = await amina.report(text="Harde muziek", lang="ar")
    assert ticket.ref in amina.new_text or ticket.ref in amina.transcript()
    card = h.group(GROUP).card(ticket.ref)
    assert "Harde muziek" in text(card)


async def test_help_request_at_night_is_shared_at_once(h: BotHarness) -> None:
    mehmet = await h.onboard("Mehmet", "tr")
    tr = h.tr("tr")
    await mehmet.tap_menu(tr._("Ask for help"))
    await mehmet.press(tr._("Money and debts"))
    await mehmet.send("Faturalarımı ödeyemiyorum.")
    await mehmet.press(tr._("Next"))
    await mehmet.press(tr._("A message here"))
    await mehmet.press(language_name("tr"))
    await mehmet.press(tr._("Yes, share it"))
    [ticket] = await h.store.tickets.for_resident(mehmet.person.id)
    wi = h.group(ticket.partner_id)
    assert "Faturalarımı ödeyemiyorum." in text(wi.card(ticket.ref))


async def test_staff_work_at_night_reaches_the_resident_at_once_and_silently(
        h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket: Ticket = await amina.report(lang="ar")
    group, notifier = h.group(GROUP), h.services.notifier
    jan = h.staff(GROUP, "Jan")

    got = await staff_does(h, amina, jan.press(group.card(ticket.ref), nl(h, "Claim")))
    claimed = await h.store.tickets.get(ticket.id)
    assert [text(m) for m in got] == [claimed_text(notifier, claimed)]

    await jan.press(group.card(ticket.ref), nl(h, "Quick reply"))
    quick = h.tr("nl")._("We will call you within 2 working days.")
    got = await staff_does(h, amina, jan.press_newest(quick[:60]))
    assert h.tr("ar")._("We will call you within 2 working days.") in text(got[-1])

    got = await staff_does(h, amina, jan.reply(group.card(ticket.ref), "Morgen bellen we."))
    assert "Morgen bellen we." in text(got[-1])

    await jan.press(group.card(ticket.ref), nl(h, "Transfer"))
    await jan.press_newest("DOCK")
    got = await staff_does(h, amina, jan.reply(group.messages()[-1], "Graag bellen"))
    moved = await h.store.tickets.get(ticket.id)
    assert text(got[-1]) == transferred_text(notifier, moved)
    assert "Graag bellen" in "\n".join(h.group("dock").texts())  # the warm handover, at once

    fleur, dock = h.staff("dock", "Fleur"), h.group("dock")
    await staff_does(h, amina, fleur.press(dock.card(ticket.ref), nl(h, "Claim")))
    got = await staff_does(h, amina, fleur.press(dock.card(ticket.ref), nl(h, "Resolve")))
    solved = await h.store.tickets.get(ticket.id)
    assert text(got[-1]) == resolved_text(notifier, solved)
    await amina.press("👍")  # her answer is taken at once too
    assert amina.new, "the resident's own action got no answer"


async def test_the_bots_own_reminder_waits_for_eight_and_rings(h: BotHarness,
                                                                moment: datetime) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket: Ticket = await amina.report(lang="ar")
    jan, group = h.staff(GROUP, "Jan"), h.group(GROUP)
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))
    await staff_does(h, amina, jan.press(group.card(ticket.ref), nl(h, "Resolve")))
    before = len(h.fake.sent_to(amina.chat_id))
    wait = timedelta(hours=h.services.site.followup.feedback_reminder_hours)
    h.clock.set(moment + wait)  # the reminder falls due at night (or at 07:45)
    await h.sweep()
    assert new_for(h, amina, before) == []
    eight = (moment + wait).astimezone(h.services.site.zone).replace(hour=8, minute=0)
    if eight < moment + wait:
        eight += timedelta(days=1)
    h.clock.set(eight)
    await h.sweep()
    [reminder] = new_for(h, amina, before)
    assert "👍" in str(reminder.get("reply_markup"))
    assert not h.fake.was_silent(amina.chat_id, int(reminder["message_id"]))
