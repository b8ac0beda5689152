"""Abuse controls (issue 13 §4): requests per day and messages per minute per resident, told
kindly in their language; /block and /unblock in the coordinator group by a request's number,
never by name; one resident's flood does not hold up another's card; and a voice message for an
anonymous request is asked about before it goes (a voice can be recognised). On the injected
clock throughout."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import EXAMPLE_SITE_CONFIG, ConfigError, Limits, SiteConfig, load_site_config
from bot.domain.limits import BUSY, Refusal, fair_order, relay_slot, request_refusal
from bot.domain.tickets import Kind, NewTicket, Ticket
from bot.i18n import Translator
from bot.i18n.bidi import strip_controls
from bot.store.clock import SimClock
from bot.testing.fake_api import FakeBotAPI, JSONDict
from bot.testing.harness import WORKDAY_11, BotHarness, ResidentChat

GROUP = "woningcorporatie"


def limited_site(site: SiteConfig, *, per_day: int = 2, per_minute: int = 3) -> SiteConfig:
    return site.model_copy(update={"limits": Limits(requests_per_day=per_day,
                                                    relays_per_minute=per_minute)})


@pytest.fixture
async def lh(tmp_path: Path, site: SiteConfig) -> AsyncIterator[BotHarness]:
    """Two requests a day, three messages a minute."""
    async with BotHarness.start(tmp_path / "bot.db", limited_site(site)) as harness:
        yield harness


# -- what the resident reads --------------------------------------------------------------------
def danger(tr: Translator) -> list[str]:
    return ["🚨 " + tr._("Are you or someone else in danger right now? Call {number} now.",
                         number="112"),
            "👮 " + tr._("Police, not urgent: {number}.", number="0900-8844")]


def limited(tr: Translator) -> str:
    return "\n".join([
        "🙏 " + tr._("You have sent many new requests today. The team has them all and will "
                     "answer you."),
        tr._("To add something to a request that is still open, press {button}.",
             button="📋 " + tr._("My requests")),
        tr._("Within a day you can send new requests again."),
        "", *danger(tr)])


def blocked(tr: Translator) -> str:
    return "\n".join([
        "🙏 " + tr._("The bot cannot pass on new requests or messages from you at the moment."),
        tr._("Your earlier requests are kept."), "", *danger(tr)])


def sent(h: BotHarness, lang: str) -> str:
    partner = h.services.site.partner_name_in(GROUP, lang)
    return "✅ " + h.tr(lang)._("Sent to {partner}.", partner=partner)


def relays_in(h: BotHarness) -> list[str]:
    """The residents' words as they landed in the group, in order (headers left out)."""
    return [strip_controls(t.split("\n", 1)[1]) for t in h.group(GROUP).texts()
            if t.startswith("💬 ") and "\n" in t]


async def staff_answer(h: BotHarness, chat: ResidentChat, ticket: Ticket) -> JSONDict:
    """A staff reply the resident can reply to (their messages then go to the request)."""
    await h.staff(GROUP, "Jan").reply(h.group(GROUP).card(ticket.ref), "Vertel het maar")
    answer = h.fake.last_message(chat.chat_id)
    assert answer is not None
    return answer


async def write(h: BotHarness, chat: ResidentChat, to: JSONDict, text: str) -> str:
    """The resident replies to a bot message about their request; what the bot said back."""
    await chat._do(h.updates.text(chat.person, text, reply_to=int(to["message_id"])))
    return chat.new_text


async def another_request(h: BotHarness, chat: ResidentChat, key: str) -> None:
    """A request made meanwhile (an answer from another moment): it counts for the day. The
    resident's flow in progress stays as it was (making a ticket drops the maker's draft)."""
    draft = await h.store.drafts.get(chat.person.id)
    await h.store.tickets.create(NewTicket(
        draft_key=key, resident_id=chat.person.id, kind=Kind.QUESTION, category="question",
        partner_id=GROUP, lang="nl", description="Een vraag"))
    if draft is not None:
        await h.store.drafts.save(draft)


# -- requests per day ---------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["ar", "nl"])
async def test_a_resident_at_the_days_limit_is_told_kindly_in_their_language(
        lh: BotHarness, lang: str) -> None:
    chat = await lh.onboard("Amina" if lang == "ar" else "Els", lang)
    for _ in range(2):
        await chat.report(lang=lang)
    tr = lh.tr(lang)
    await chat.tap_menu(tr._("Report a problem"))
    assert chat.new_text == limited(tr)  # with the 112 line: danger is never limited
    assert tr._("What is the problem? Choose one.") not in chat.new_text
    assert await lh.store.drafts.get(chat.person.id) is None
    await chat.tap_menu(tr._("Ask for help"))
    assert chat.new_text == limited(tr)
    assert len(await lh.store.tickets.for_resident(chat.person.id)) == 2
    assert sum(t.startswith("🆕 ") for t in lh.group(GROUP).texts()) == 2
    # a question to a person is a request too; reading the answers is not
    await chat.tap_menu(tr._("Ask a question"))
    await chat.press(tr._("My question is not here"))
    assert chat.new_text == limited(tr)
    # a day later they may again
    lh.clock.advance(timedelta(hours=24, seconds=1))
    await chat.tap_menu(tr._("Report a problem"))
    assert tr._("What is the problem? Choose one.") in chat.new_text


async def test_an_open_request_can_still_be_added_to_at_the_limit(lh: BotHarness) -> None:
    els = await lh.onboard("Els", "nl")
    first = await els.report(lang="nl")
    await els.report(lang="nl")
    tr = lh.tr("nl")
    await els.tap_menu(tr._("My requests"))
    await els.press("✍️ " + first.ref)
    await els.send("Het is weer begonnen")
    assert sent(lh, "nl") in els.new_text
    assert relays_in(lh)[-1] == "Het is weer begonnen"


async def test_the_limit_at_send_keeps_the_draft_and_an_emergency_goes_anyway(
        lh: BotHarness) -> None:
    els = await lh.onboard("Els", "nl")
    tr = lh.tr("nl")
    await els.report(lang="nl")
    # a noise report begun at one of two, while another request is made meanwhile
    summary = await els.report_summary(category="noise", text="Harde muziek", lang="nl")
    send = summary["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await another_request(lh, els, "meanwhile-1")
    await els.press(tr._("Send"))
    assert els.new_text == limited(tr)
    assert len(await lh.store.tickets.for_resident(els.person.id)) == 2
    draft = await lh.store.drafts.get(els.person.id)
    assert draft is not None and draft.flow == "report"  # nothing of it lost
    lh.clock.advance(timedelta(hours=24, seconds=1))
    await els.press_data(send, int(summary["message_id"]))  # Send, pressed again
    assert tr._("Thank you. Your report is sent.") in els.new_text
    # an unsafe situation is never limited: begun in time, it goes past the limit
    await els.tap_menu(tr._("Report a problem"))
    await els.press(tr._("Unsafe situation"))
    assert danger(tr)[0] in els.new_text  # the danger notice shows, as always
    await another_request(lh, els, "meanwhile-2")
    await els.send("Er wordt gevochten in het portiek")
    await els.press(tr._("Next"))
    await els.press(tr._("Skip"))
    await els.press(tr._("With my first name"))
    await els.press(tr._("Send"))
    assert tr._("Thank you. Your report is sent.") in els.new_text
    unsafe = (await lh.store.tickets.for_resident(els.person.id))[0]
    assert unsafe.category == "unsafe"
    assert lh.group("veiligheid").card(unsafe.ref)


# -- messages per minute ------------------------------------------------------------------------
async def test_messages_over_the_limit_are_kept_and_all_arrive_later_in_order(
        lh: BotHarness) -> None:
    amina = await lh.onboard("Amina", "ar")
    ticket = await amina.report(lang="ar")
    to = await staff_answer(lh, amina, ticket)
    tr = lh.tr("ar")
    partner = lh.services.site.partner_name_in(GROUP, "ar")
    said = [await write(lh, amina, to, f"رسالة {i}") for i in range(1, 7)]
    assert said[:3] == [sent(lh, "ar")] * 3
    assert said[3] == "⏳ " + tr._("You are sending many messages in a short time. They all "
                                  "arrive, in the right order, but a little later.")
    assert said[4:] == ["✅ " + tr._("Kept for {partner}. It is sent a little later.",
                                    partner=partner)] * 2  # told once, not every time
    assert relays_in(lh) == ["رسالة 1", "رسالة 2", "رسالة 3"]
    assert (await lh.store.outbox.counts()).get("pending") == 3  # kept, not lost
    lh.clock.advance(59)
    await lh.deliver()
    assert len(relays_in(lh)) == 3  # within the minute nothing more goes
    lh.clock.advance(1)
    await lh.deliver()
    assert relays_in(lh) == [f"رسالة {i}" for i in range(1, 7)]
    # the seventh, a moment later, waits for the next free moment (the same run: not told)
    lh.clock.advance(1)
    assert (await write(lh, amina, to, "رسالة 7")).startswith("✅ ")
    lh.clock.advance(58)  # one minute after the fourth to sixth went
    await lh.deliver()
    assert relays_in(lh)[-1] == "رسالة 6"
    lh.clock.advance(1)
    await lh.deliver()
    assert relays_in(lh)[-1] == "رسالة 7"
    # a new run, long after, is told again
    lh.clock.advance(600)
    said = [await write(lh, amina, to, f"رسالة {i}") for i in range(8, 12)]
    assert said[:3] == [sent(lh, "ar")] * 3 and said[3].startswith("⏳ ")
    lh.clock.advance(60)
    await lh.deliver()
    assert relays_in(lh) == [f"رسالة {i}" for i in range(1, 12)]
    assert "pending" not in await lh.store.outbox.counts()


async def test_a_block_also_stops_what_was_held_back_for_the_group(lh: BotHarness) -> None:
    amina = await lh.onboard("Amina", "ar")
    ticket = await amina.report(lang="ar")
    to = await staff_answer(lh, amina, ticket)
    for i in range(1, 7):
        await write(lh, amina, to, f"رسالة {i}")
    assert relays_in(lh) == ["رسالة 1", "رسالة 2", "رسالة 3"]  # 4 to 6 are held back
    await lh.staff("coordinator", "Noor").send(f"/block {ticket.ref}")
    lh.clock.advance(120)
    await lh.deliver()
    assert relays_in(lh) == ["رسالة 1", "رسالة 2", "رسالة 3"]  # not passed on after the block
    assert "pending" not in await lh.store.outbox.counts()
    assert [m["text"] for m in lh.fake.messages(amina.chat_id) if m["text"].startswith("رسالة")
            ] == [f"رسالة {i}" for i in range(1, 7)]  # her own chat keeps every message


async def test_a_calm_resident_is_never_held(lh: BotHarness) -> None:
    els = await lh.onboard("Els", "nl")
    ticket = await els.report(lang="nl")
    to = await staff_answer(lh, els, ticket)
    for i in range(6):
        assert await write(lh, els, to, f"bericht {i}") == sent(lh, "nl")
        lh.clock.advance(20)  # three a minute
    assert len(relays_in(lh)) == 6


# -- /block and /unblock ------------------------------------------------------------------------
def gtr(h: BotHarness) -> Translator:
    return h.tr("nl")  # the coordinator group speaks Dutch here


async def test_block_and_unblock_by_reference_never_by_name(h: BotHarness) -> None:
    amina = h.resident("Amina", "ar")
    amina.person.last_name, amina.person.username = "Haddad", "amina_h"
    await amina.send("/start")
    await amina.press("العربية")
    ticket = await amina.report(lang="ar")  # anonymous: the reference still blocks the chat
    to = await staff_answer(h, amina, ticket)
    noor, coordinator = h.staff("coordinator", "Noor"), h.group("coordinator")
    await noor.send(f"/block {ticket.ref}")
    g = gtr(h)
    assert coordinator.texts()[-1] == "\n".join([
        "🚫 " + g._("Blocked the resident of {ref}.", ref=ticket.ref),
        g._("Their new requests and messages are not passed on until /unblock {ref}.",
            ref=ticket.ref)])
    shown = " ".join(coordinator.texts())
    for secret in (str(amina.person.id), "Amina", "Haddad", "amina_h"):
        assert secret not in shown
    block = await h.store.blocks.get(amina.person.id)
    assert block is not None and (block.ref, block.blocked_by) == (ticket.ref, "Noor")
    assert block.blocked_at == h.clock()
    # their messages and new requests are not passed on; they are told neutrally
    in_group = len(h.group(GROUP).texts())
    tr = h.tr("ar")
    assert await write(h, amina, to, "رسالة") == blocked(tr)
    await amina.tap_menu(tr._("Report a problem"))
    assert amina.new_text == blocked(tr)
    assert len(h.group(GROUP).texts()) == in_group
    assert len(await h.store.tickets.for_resident(amina.person.id)) == 1
    # twice: said so; the lowercase reference with # works too
    await noor.send(f"/block #{ticket.ref.lower()}")
    assert coordinator.texts()[-1] == g._("The resident of {ref} is already blocked.",
                                          ref=ticket.ref)
    await noor.send(f"/unblock {ticket.ref}")
    assert coordinator.texts()[-1] == "✅ " + g._("Unblocked the resident of {ref}.",
                                                 ref=ticket.ref)
    assert await h.store.blocks.get(amina.person.id) is None  # nothing of it kept
    assert await write(h, amina, to, "رسالة") == sent(h, "ar")
    await noor.send(f"/unblock {ticket.ref}")
    assert coordinator.texts()[-1] == g._("The resident of {ref} is not blocked.",
                                          ref=ticket.ref)


async def test_block_works_only_in_the_coordinator_group(h: BotHarness) -> None:
    els = await h.onboard("Els", "nl")
    ticket = await els.report(lang="nl")
    jan = h.staff(GROUP, "Jan")
    for command in ("block", "unblock"):
        await jan.send(f"/{command} {ticket.ref}")
        assert h.group(GROUP).texts()[-1] == gtr(h)._(
            "This command works in the coordinator group.")
    assert await h.store.blocks.get(els.person.id) is None


@pytest.mark.parametrize("command", ["block", "unblock"])
async def test_block_without_or_with_a_bad_reference_explains_itself(h: BotHarness,
                                                                    command: str) -> None:
    g, noor, coordinator = gtr(h), h.staff("coordinator", "Noor"), h.group("coordinator")
    how = (g._("Send /block with the number of one of their requests, for example: "
               "/block M-0024. Nobody sees who the resident is.") if command == "block" else
           g._("Send /unblock with the number of the request, for example: /unblock M-0024."))
    for text in (f"/{command}", f"/{command} Amina", f"/{command} M-1 M-2"):
        await noor.send(text)
        assert coordinator.texts()[-1] == how
    await noor.send(f"/{command} M-0999")
    assert coordinator.texts()[-1] == "\n".join([g._("There is no request {ref}.",
                                                     ref="M-0999"), how])
    assert await h.store.db.fetchall("SELECT * FROM blocks") == []


async def test_a_block_is_in_the_export_and_goes_with_delete_my_data(h: BotHarness) -> None:
    els = await h.onboard("Els", "nl")
    ticket = await els.report(lang="nl")
    await h.staff("coordinator", "Noor").send(f"/block {ticket.ref}")
    exported = await h.store.privacy.export(els.person.id)
    assert exported["blocked"] == {"since": h.clock().isoformat(), "request": ticket.ref}
    assert "Noor" not in str(exported)  # not who blocked
    tr = h.tr("nl")
    await els.tap_menu(tr._("Privacy"))
    await els.press(tr._("Delete my data"))
    await els.press(tr._("Yes, delete everything"))
    assert await h.store.db.fetchall("SELECT * FROM blocks") == []


# -- fairness in a group ------------------------------------------------------------------------
class GroupLimits(FakeBotAPI):
    """Telegram's limits for the groups only (1 a second per chat, 20 a minute per group), so
    the residents' own flows answer at once on the standing clock."""

    def _check_limits(self, name: str, chat_id: int | None) -> None:
        if chat_id is not None and chat_id < 0:
            super()._check_limits(name, chat_id)


async def test_another_residents_card_goes_before_a_floods_backlog(tmp_path: Path,
                                                                   site: SiteConfig) -> None:
    clock = SimClock(WORKDAY_11)
    fake = GroupLimits(enforce_limits=True, clock=clock.timestamp)
    for partner in site.partners:
        fake.add_group(partner.chat_id, partner.name)
    # no per-resident limit here: the outbox's order alone
    loose = limited_site(site, per_day=5, per_minute=20)
    async with BotHarness.start(tmp_path / "bot.db", loose, clock=clock, fake=fake) as h:
        amina = await h.onboard("Amina", "nl")
        ticket = await amina.report(text="Ze dealen", lang="nl")
        to = await staff_answer(h, amina, ticket)
        clock.advance(60)
        for i in range(1, 16):  # a burst: the group takes one a second
            await write(h, amina, to, f"bericht {i:02d}")
        bram = await h.onboard("Bram", "nl")
        card = await bram.report(text="Harde muziek", lang="nl")
        for _ in range(120):
            if not (await h.store.outbox.counts()).get("pending"):
                break
            clock.advance(1)
            await h.deliver()
        texts = h.group(GROUP).texts()
        at = next(i for i, t in enumerate(texts) if t.startswith(f"🆕 #{card.ref} "))
        before = [t for t in texts[:at] if "bericht " in t]
        assert len(before) == BUSY  # after five of Amina's, not after all fifteen
        assert relays_in(h) == [f"bericht {i:02d}" for i in range(1, 16)]  # in order, once
        assert "pending" not in await h.store.outbox.counts()


# -- a voice message for an anonymous request ------------------------------------------------------
def voice_warning(tr: Translator) -> str:
    return "\n".join([
        "⚠️ " + tr._("You chose anonymous. But this can tell the organisation who you are:"), "",
        "• 🎤 " + tr._("your voice in the voice message: people can recognise a voice"), "",
        tr._("Send the voice message anyway? You can also type your message instead.")])


async def test_a_voice_added_to_an_anonymous_request_is_asked_about_first(
        h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket = await amina.report(lang="ar")  # anonymous
    tr, group = h.tr("ar"), h.group(GROUP)
    in_group = len(group.messages())
    await amina.tap_menu(tr._("My requests"))
    await amina.press("✍️ " + ticket.ref)
    await amina.voice(anyway=False)
    assert amina.last_text == voice_warning(tr)
    assert amina.buttons() == ["✅ " + tr._("Send anyway"), "🗑️ " + tr._("Don't send")]
    assert len(group.messages()) == in_group  # nothing went yet
    await amina.press(tr._("Don't send"))
    assert tr._("OK. The voice message was not sent.") in amina.new_text
    assert len(group.messages()) == in_group
    # a reply with a voice message is asked about the same way; "Send anyway" sends it
    to = await staff_answer(h, amina, ticket)
    await amina._do(h.updates.voice(amina.person, reply_to=int(to["message_id"])))
    assert amina.last_text == voice_warning(tr)
    in_group = len(group.messages())
    warning = amina.message_with(tr._("Send anyway"))
    anyway = warning["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await amina.press(tr._("Send anyway"))
    assert sent(h, "ar") in amina.new_text
    landed = group.messages()[in_group:]
    assert len(landed) == 1 and "voice" in landed[0]
    await amina.press_data(anyway, int(warning["message_id"]))  # a second tap: not twice
    assert len(group.messages()) == in_group + 1


async def test_a_voice_for_a_request_with_a_name_goes_at_once(h: BotHarness) -> None:
    els = await h.onboard("Els", "nl")
    ticket = await els.report(lang="nl", anonymous=False)
    to = await staff_answer(h, els, ticket)
    await els._do(h.updates.voice(els.person, reply_to=int(to["message_id"])))
    assert els.new_text == sent(h, "nl")
    assert "voice" in h.group(GROUP).messages()[-1]


# -- the rules themselves -----------------------------------------------------------------------
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_relay_slots_pace_and_keep_order() -> None:
    slots: list[tuple[datetime, bool]] = []
    told = []
    for _ in range(8):  # eight at once, three a minute
        relay = relay_slot(slots, T0, 3)
        slots.append((relay.at, relay.late))
        told.append(relay.tell)
    assert [at for at, _ in slots] == [T0] * 3 + [T0 + timedelta(seconds=60)] * 3 + [
        T0 + timedelta(seconds=120)] * 2
    assert told == [False] * 3 + [True] + [False] * 4
    # long after a run that waited, a new run is told again
    later = T0 + timedelta(minutes=10)
    burst = [(later, False)] * 3
    assert relay_slot(burst, later, 3).tell
    assert relay_slot([*slots[-3:]], later, 3).late is False


def test_requests_refused_when_blocked_or_at_the_limit_never_an_emergency() -> None:
    assert request_refusal(blocked=False, opened=4, per_day=5) is None
    assert request_refusal(blocked=False, opened=5, per_day=5) == Refusal.LIMITED
    assert request_refusal(blocked=False, opened=9, per_day=5, emergency=True) is None
    assert request_refusal(blocked=True, opened=0, per_day=5, emergency=True) == Refusal.BLOCKED


def test_fair_order_puts_busy_residents_after_the_others() -> None:
    heads = [("a-relay", 1, 10), ("b-card", 2, 11), ("staff", None, 12)]
    assert fair_order(heads, {1: BUSY - 1}) == ["a-relay", "b-card", "staff"]  # queue order
    assert fair_order(heads, {1: BUSY}) == ["b-card", "staff", "a-relay"]
    assert fair_order([*heads, ("c", 3, 9)], {1: BUSY + 3, 3: BUSY}) == [
        "b-card", "staff", "c", "a-relay"]  # the least busy first


def test_limits_are_checked_in_the_site_file(tmp_path: Path) -> None:
    site = load_site_config(EXAMPLE_SITE_CONFIG)
    assert (site.limits.requests_per_day, site.limits.relays_per_minute) == (5, 6)
    bad = tmp_path / "site.toml"
    text = EXAMPLE_SITE_CONFIG.read_text(encoding="utf-8")
    bad.write_text(text.replace("requests_per_day = 5", "requests_per_day = 0"),
                   encoding="utf-8")
    with pytest.raises(ConfigError, match=r"limits\.requests_per_day"):
        load_site_config(bad)
