"""What a handler says directly (the reference after Send, a staff member's menu, the apology)
reaches its reader through a passing Bot API fault: tried again, not lost, and not turned into
"sorry, try again", which would invite a second report."""

from __future__ import annotations

import pytest

from bot.testing.fake_api import Fault
from bot.testing.harness import BotHarness

SORRY = "Sorry, something went wrong on our side. Please try again."


@pytest.mark.parametrize(("fault", "times"), [
    (Fault.server_error(502), 2), (Fault.timeout(), 2),
    # a 429 is waited out once here (with rate limiting on, PTB's limiter has waited before)
    (Fault.retry_after(1), 1)])
async def test_the_reference_reaches_the_resident_through_a_fault(
        h: BotHarness, fault: Fault, times: int) -> None:
    amina = await h.onboard("Amina", "ar")
    tr = h.tr("ar")
    await amina.report_summary(text="Harde muziek", lang="ar")
    h.fake.inject("sendMessage", fault, times=times)  # the first try (and the first retry)
    await amina.press(tr._("Send"))
    [ticket] = await h.store.tickets.for_resident(amina.person.id)
    assert tr._("Your number is {ref}. Keep it.", ref=ticket.ref) in amina.new_text
    assert tr._(SORRY) not in amina.new_text
    assert h.group("woningcorporatie").card(ticket.ref)  # and the card went out once
    assert len(await h.store.tickets.for_resident(amina.person.id)) == 1


async def test_a_staff_menu_reaches_the_group_through_a_fault(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    ticket = await amina.report(text="Harde muziek", lang="ar")
    group, gtr = h.group("woningcorporatie"), h.tr("nl")
    jan = h.staff("woningcorporatie", "Jan")
    await jan.press(group.card(ticket.ref), "✋ " + gtr._("Claim"))
    h.fake.inject("sendMessage", Fault.server_error(503), times=1)
    await jan.press(group.card(ticket.ref), "💬 " + gtr._("Quick reply"))
    assert gtr._("We will call you within 2 working days.") in " ".join(
        b for m in group.messages()[-1:] for b in group.buttons(m))


async def test_a_refusal_is_not_tried_again(h: BotHarness) -> None:
    amina = await h.onboard("Amina", "ar")
    await amina.report_summary(text="Harde muziek", lang="ar")
    h.fake.inject("sendMessage", Fault.forbidden("Forbidden: bot was blocked by the user"))
    calls = len(h.fake.calls)
    await amina.press(h.tr("ar")._("Send"))
    sends = [c for c in h.fake.calls[calls:] if c.method == "sendMessage"
             and str(c.params.get("chat_id")) == str(amina.chat_id)]
    assert len(sends) == 1  # blocked: once, not four times


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageText"])
async def test_a_fault_on_the_spinner_or_the_old_keyboard_does_not_stop_the_press(
        h: BotHarness, method: str) -> None:
    """Answering the press and dropping the used keyboard are courtesies: a passing fault there
    must not turn the resident's choice into "sorry, try again"."""
    amina = await h.onboard("Amina", "ar")
    tr = h.tr("ar")
    await amina.report_summary(text="Harde muziek", lang="ar")
    h.fake.inject(method, Fault.server_error(502), times=1)
    await amina.press(tr._("Send"))
    [ticket] = await h.store.tickets.for_resident(amina.person.id)
    assert tr._("Your number is {ref}. Keep it.", ref=ticket.ref) in amina.new_text
    assert tr._(SORRY) not in amina.new_text
