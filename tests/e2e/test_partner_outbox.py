"""Partner groups, delivery: nothing is dropped. A blocked resident or a group the bot cannot post
in is reported to the coordinator and kept; /retry sends it again; passing faults are retried
after their delay and delivered exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import SiteConfig
from bot.domain.tickets import Status, Ticket
from bot.store.clock import SimClock
from bot.testing.fake_api import Fault
from bot.testing.harness import WORKDAY_11, BotHarness, ResidentChat

GROUP = "woningcorporatie"


def Clock(fraction: float = 0.0) -> SimClock:
    """A clock the test moves by hand, so retry delays pass without sleeping. It starts on the
    harness's working day, on a whole second (plus `fraction`): stored times have whole seconds."""
    return SimClock(WORKDAY_11 + timedelta(seconds=fraction))


@pytest.fixture
def clock() -> SimClock:
    return Clock()


@pytest.fixture
async def hc(tmp_path: Path, site: SiteConfig, clock: SimClock) -> AsyncIterator[BotHarness]:
    async with BotHarness.start(tmp_path / "bot.db", site, clock=clock) as harness:
        yield harness


def nl(h: BotHarness, msgid: str) -> str:
    """A group text (partner groups speak Dutch here), through the bot's own catalog."""
    return h.tr("nl")._(msgid)


# -- helpers ------------------------------------------------------------------------------------
async def report(h: BotHarness, chat: ResidentChat, lang: str) -> Ticket:
    """An anonymous noise report (goes to the housing corporation)."""
    ticket: Ticket = await chat.report(text="Harde muziek", lang=lang)
    return ticket


def blocked_warning(h: BotHarness, ticket: Ticket) -> str:
    return h.tr("nl")._("⚠️ {ref}: a message could not reach the resident. They may have blocked "
                        "the bot. It is kept; send /retry here to try again.",
                        ref=f"#{ticket.ref}")


def unreachable_line(h: BotHarness) -> str:
    return "⚠️ " + h.tr("nl")._("The resident cannot be reached through the bot.")


def claimed_text(h: BotHarness, ticket: Ticket, lang: str, name: str = "Jan") -> str:
    return "👋 " + h.tr(lang)._(
        "{partner} has picked up your request {ref}. {name} is working on it.",
        partner=h.services.site.partner_name_in("woningcorporatie", lang), ref=ticket.ref,
        name=name)


# -- a resident who blocked the bot -------------------------------------------------------------
async def _blocked_then_replied(h: BotHarness) -> tuple[ResidentChat, Ticket]:
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar")
    h.fake.block(amina.person.id)
    jan = h.staff(GROUP, "Jan")
    await jan.reply(h.group(GROUP).card(ticket.ref), "Wanneer is het lawaai?")
    return amina, ticket


async def test_a_blocked_resident_is_reported_and_the_message_kept(h: BotHarness) -> None:
    amina, ticket = await _blocked_then_replied(h)
    coordinator = h.group("coordinator")
    assert coordinator.texts() == [blocked_warning(h, ticket)]
    assert unreachable_line(h) in h.group(GROUP).card(ticket.ref)["text"]
    assert (await h.store.outbox.counts()).get("undeliverable") == 1
    failed = [c for c in h.fake.calls_to(amina.chat_id, "sendMessage") if not c.ok]
    assert len(failed) == 1 and "blocked" in (failed[0].error or "")
    # kept, not retried in a loop
    await h.deliver()
    assert len([c for c in h.fake.calls_to(amina.chat_id, "sendMessage") if not c.ok]) == 1


async def test_retry_in_the_coordinator_group_sends_it_after_unblock(h: BotHarness) -> None:
    amina, _ = await _blocked_then_replied(h)
    h.fake.unblock(amina.person.id)
    boss = h.staff("coordinator", "Noor")
    await boss.send("/retry")
    gtr = h.tr("nl")
    assert h.group("coordinator").texts()[-1] == gtr.ngettext(
        "{n} message will be sent again.", "{n} messages will be sent again.", 1)
    counts = await h.store.outbox.counts()
    assert "undeliverable" not in counts and "pending" not in counts
    partner = h.services.site.partner_name_in("woningcorporatie", "ar")
    expected = h.tr("ar")._("💬 {partner} ({name}):", partner=partner,
                            name="Jan") + "\nWanneer is het lawaai?"
    assert h.fake.texts(amina.chat_id).count(expected) == 1


async def test_the_card_forgets_the_warning_once_the_resident_is_reached(h: BotHarness) -> None:
    amina, ticket = await _blocked_then_replied(h)
    h.fake.unblock(amina.person.id)
    await h.staff("coordinator", "Noor").send("/retry")
    assert unreachable_line(h) not in h.group(GROUP).card(ticket.ref)["text"]


async def test_retry_only_works_in_the_coordinator_group(h: BotHarness) -> None:
    amina, _ = await _blocked_then_replied(h)
    h.fake.unblock(amina.person.id)
    jan = h.staff(GROUP, "Jan")
    await jan.send("/retry")
    assert h.group(GROUP).texts()[-1] == h.tr("nl")._(
        "This command works in the coordinator group.")
    assert (await h.store.outbox.counts()).get("undeliverable") == 1


async def test_retry_with_nothing_to_send(h: BotHarness) -> None:
    await h.staff("coordinator", "Noor").send("/retry")
    assert h.group("coordinator").texts() == [h.tr("nl").ngettext(
        "{n} message will be sent again.", "{n} messages will be sent again.", 0)]


# -- a group the bot cannot post in -------------------------------------------------------------
@pytest.mark.parametrize("status", ["left", "kicked"])
async def test_a_group_without_the_bot_is_reported_and_the_card_kept(h: BotHarness,
                                                                     status: str) -> None:
    chat_id = h.group(GROUP).chat_id
    h.fake.chats[chat_id].bot_status = status
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar")
    [warning] = h.group("coordinator").texts()
    assert warning.startswith(h.tr("nl")._(
        "⚠️ {ref}: the bot cannot post in the group of {partner} ({reason}). "
        "The message is kept; fix the group, then send /retry here.",
        ref=f"#{ticket.ref}", partner="Woningcorporatie", reason="@@").split("@@")[0])
    assert h.fake.texts(chat_id) == []
    assert (await h.store.outbox.counts()).get("undeliverable") == 1

    # someone adds the bot again; the coordinator sends /retry; the card arrives, once
    h.fake.chats[chat_id].bot_status = "administrator"
    await h.staff("coordinator", "Noor").send("/retry")
    h.group(GROUP).card(ticket.ref)
    assert sum(t.startswith("🆕 #") for t in h.fake.texts(chat_id)) == 1
    assert "undeliverable" not in await h.store.outbox.counts()


async def test_a_reply_to_a_warning_stays_in_the_coordinator_group(h: BotHarness) -> None:
    h.fake.chats[h.group(GROUP).chat_id].bot_status = "left"
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar")
    seen = len(h.fake.sent_to(amina.chat_id))
    noor = h.staff("coordinator", "Noor")
    await noor.reply(h.group("coordinator").messages()[-1], "@jan kun je de bot weer toevoegen?")
    assert len(h.fake.sent_to(amina.chat_id)) == seen
    assert (await h.store.tickets.get(ticket.id)).status == Status.OPEN


async def test_a_removed_group_does_not_hold_up_the_resident(h: BotHarness) -> None:
    chat_id = h.group(GROUP).chat_id
    h.fake.chats[chat_id].bot_status = "left"
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar")
    # the resident got their confirmation with the reference, whatever the group's state
    assert h.tr("ar")._("Your number is {ref}. Keep it.", ref=ticket.ref) in amina.last_text
    assert ticket.status == Status.OPEN


async def test_bot_removed_from_the_coordinator_group_too(h: BotHarness) -> None:
    for partner in (GROUP, "coordinator"):
        h.fake.chats[h.group(partner).chat_id].bot_status = "left"
    amina = await h.onboard("Amina", "ar")
    await report(h, amina, "ar")
    # nowhere to warn: both stay in the outbox, nothing loops or crashes
    assert (await h.store.outbox.counts()).get("undeliverable") == 2
    await h.deliver()
    assert (await h.store.outbox.counts()).get("undeliverable") == 2


# -- passing faults: retried after their delay, delivered once ----------------------------------
@pytest.mark.parametrize(("fault", "delay"), [
    (Fault.server_error(), 2), (Fault.server_error(503), 2),
    (Fault.retry_after(1), 1), (Fault.timeout(), 2),
])
async def test_a_passing_fault_is_retried_and_delivered_once(
        hc: BotHarness, clock: SimClock, fault: Fault, delay: int) -> None:
    h = hc
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar")
    jan = h.staff(GROUP, "Jan")
    # the claim's first sendMessage is the resident's "picked up" notice
    h.fake.inject("sendMessage", fault)
    await jan.press(h.group(GROUP).card(ticket.ref), nl(h, "Claim"))
    expected = claimed_text(h, ticket, "ar")
    assert expected not in h.fake.texts(amina.chat_id)
    assert (await h.store.outbox.counts()).get("pending") == 1

    # not before its time
    clock.advance(delay - 0.5)
    await h.deliver()
    assert expected not in h.fake.texts(amina.chat_id)

    clock.advance(1)
    await h.deliver()
    assert h.fake.texts(amina.chat_id).count(expected) == 1
    calls = h.fake.calls_to(amina.chat_id, "sendMessage")[-2:]
    assert [c.ok for c in calls] == [False, True]
    assert calls[0].params["text"] == calls[1].params["text"] == expected
    assert "pending" not in await h.store.outbox.counts()
    await h.deliver()
    assert h.fake.texts(amina.chat_id).count(expected) == 1


async def test_backoff_grows_with_each_failure(hc: BotHarness, clock: SimClock) -> None:
    h = hc
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar")
    h.fake.inject("sendMessage", Fault.server_error(), times=3)
    await h.staff(GROUP, "Jan").press(h.group(GROUP).card(ticket.ref), nl(h, "Claim"))
    expected = claimed_text(h, ticket, "ar")
    for wait in (2, 4, 8):  # 2, 4, 8 seconds after the 1st, 2nd and 3rd failure
        clock.advance(wait - 0.5)
        await h.deliver()
        assert expected not in h.fake.texts(amina.chat_id)
        clock.advance(0.5)
        await h.deliver()
    assert h.fake.texts(amina.chat_id).count(expected) == 1


async def test_a_fault_of_our_own_is_retried_after_a_back_off(
        hc: BotHarness, clock: SimClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug while sending one item does not stop the worker, drop the item or retry it in a
    tight loop: it waits like a 5xx would, then goes."""
    import bot.messaging.delivery

    h = hc
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar")
    await h.staff(GROUP, "Jan").press(h.group(GROUP).card(ticket.ref), nl(h, "Claim"))
    expected = claimed_text(h, ticket, "ar")
    real, faults = bot.messaging.delivery.Delivery._plain, []

    async def broken(self: bot.messaging.delivery.Delivery, item: object, silent: bool,
                     html: str | None = None) -> object:
        if not faults:
            faults.append(item)
            raise RuntimeError("a bug")
        return await real(self, item, silent, html)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.messaging.delivery.Delivery, "_plain", broken)
    await h.staff(GROUP, "Jan").reply(h.group(GROUP).card(ticket.ref), "We komen morgen")
    assert faults and "We komen morgen" not in amina.last_text
    await h.deliver()  # not again at once
    assert len(faults) == 1 and "We komen morgen" not in amina.last_text
    clock.advance(2)
    await h.deliver()
    assert "We komen morgen" in amina.last_text and expected in h.fake.texts(amina.chat_id)
    assert "pending" not in await h.store.outbox.counts()


async def test_a_card_that_failed_once_keeps_its_topic(tmp_path: Path, site: SiteConfig,
                                                       clock: SimClock) -> None:
    async with BotHarness.start(tmp_path / "bot.db", site, clock=clock,
                                forums={GROUP}) as h:
        amina = await h.onboard("Amina", "ar")
        tr = h.tr("ar")
        summary = await amina.report_summary(text="ضجيج")
        # process the press without delivering, then let the card's first post fail
        await h.app.process_update(h.updates.press(amina.person, summary, "✅ " + tr._("Send")))
        h.fake.inject("sendMessage", Fault.server_error())
        await h.deliver()
        chat_id = h.group(GROUP).chat_id
        assert len(h.fake.chats[chat_id].topics) == 1
        assert h.fake.texts(chat_id) == []
        clock.advance(3)
        await h.deliver()
        [ticket] = await h.store.tickets.for_resident(amina.person.id)
        card = h.group(GROUP).card(ticket.ref)
        # the retry reused the topic instead of opening a second one
        assert len(h.fake.chats[chat_id].topics) == 1
        assert len(h.fake.calls_to(chat_id, "createForumTopic")) == 1
        assert card["message_thread_id"] in h.fake.chats[chat_id].topics


async def test_messages_for_one_chat_keep_their_order_behind_a_fault(hc: BotHarness,
                                                                     clock: SimClock) -> None:
    h = hc
    amina = await h.onboard("Amina", "ar")
    ticket = await report(h, amina, "ar")
    group = h.group(GROUP)
    jan = h.staff(GROUP, "Jan")
    h.fake.inject("sendMessage", Fault.retry_after(5))
    await jan.press(group.card(ticket.ref), nl(h, "Claim"))  # "picked up" fails, waits 5 s
    await jan.reply(group.card(ticket.ref), "Eerste vraag")
    await jan.reply(group.card(ticket.ref), "Tweede vraag")
    header = h.tr("ar")._("💬 {partner} ({name}):",
                          partner=h.services.site.partner_name_in("woningcorporatie", "ar"),
                          name="Jan")
    assert not any(t.startswith(header) for t in h.fake.texts(amina.chat_id))
    clock.advance(5)
    await h.deliver()
    texts = h.fake.texts(amina.chat_id)[-3:]
    assert texts == [claimed_text(h, ticket, "ar"), header + "\nEerste vraag",
                     header + "\nTweede vraag"]


async def test_retry_after_is_never_cut_short(tmp_path: Path, site: SiteConfig) -> None:
    clock = Clock(fraction=0.9)
    async with BotHarness.start(tmp_path / "bot.db", site, clock=clock) as h:
        amina = await h.onboard("Amina", "ar")
        ticket = await report(h, amina, "ar")
        h.fake.inject("sendMessage", Fault.retry_after(1))
        await h.staff(GROUP, "Jan").press(h.group(GROUP).card(ticket.ref), nl(h, "Claim"))
        clock.advance(0.2)  # Telegram said: wait 1 s. Only 0.2 s have passed.
        await h.deliver()
        assert claimed_text(h, ticket, "ar") not in h.fake.texts(amina.chat_id)
