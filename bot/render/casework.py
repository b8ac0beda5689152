"""The words of casework: what staff are told when they act on a request (alerts, confirmations
in their group, a handover, a resident's message), and what a resident is told after answering.

Group texts are in the language of the group that reads them; the services call these inside
their transaction (bot/services/), with the ticket as it is after the change.
"""

from __future__ import annotations

from datetime import date

from bot.config import SiteConfig
from bot.domain.casework import Outcome
from bot.domain.promises import Promise
from bot.domain.tickets import Ticket
from bot.i18n import Translator
from bot.render.card import who
from bot.render.followup import part_label
from bot.render.quick import QuickReply
from bot.render.words import Readers


def refusal(tr: Translator, outcome: Outcome, holder: str) -> tuple[str, bool]:
    """Why a card button did nothing, and whether it is worth a popup (a double tap is not)."""
    texts = {
        Outcome.ALREADY_YOURS: tr._("You already have this."),
        Outcome.TAKEN: tr._("{name} already has this.", name=holder),
        Outcome.CHANGED: tr._("This request has changed in the meantime."),
        Outcome.NOT_OWNER: tr._("Only {name} or the coordinator can do this.", name=holder),
        Outcome.DAY_PASSED: tr._("That day has passed. Choose another day."),
        Outcome.TIME_PASSED: tr._("That time of day has passed. Choose another."),
    }
    return texts[outcome], outcome != Outcome.ALREADY_YOURS


def note_saved(n: Readers, chat_id: int, t: Ticket) -> str:
    return "📝 " + n.group_tr(chat_id)._("Note saved for #{ref}.", ref=t.ref)


def handover(n: Readers, chat_id: int, from_partner: str, name: str, note: str) -> str:
    """What the new partner's group reads under the card it just got."""
    return "🤝 " + n.group_tr(chat_id)._("Handover from {partner} ({name}): {note}",
                                        partner=from_partner, name=name, note=note)


def transfer_asked(n: Readers, chat_id: int, t: Ticket, to_partner: str) -> str:
    tr = n.group_tr(chat_id)
    return "⏳ " + tr._("#{ref}: we asked the resident if it may go to {partner}. It stays with "
                       "you until they answer.", ref=t.ref, partner=n.site.partner_name(to_partner))


def transfer_refused(n: Readers, t: Ticket, to_partner: str) -> str:
    tr = n.group_tr(n.partner_chat(t))
    return "🔒 " + tr._("#{ref}: the resident does not want it passed on to {partner}. It stays "
                       "with you.", ref=t.ref, partner=n.site.partner_name(to_partner))


def transfer_unanswered(n: Readers, t: Ticket, to_partner: str) -> str:
    tr = n.group_tr(n.partner_chat(t))
    return "⏳ " + tr._("#{ref}: the resident has not answered yet whether it may go to "
                       "{partner}. Call them, or keep helping them yourself.", ref=t.ref,
                       partner=n.site.partner_name(to_partner))


def quick_sent(n: Readers, chat_id: int, reply: QuickReply, day: date | None) -> str:
    """The quick reply as the sender's group reads it (the resident got it in their language)."""
    tr = n.group_tr(chat_id)
    shown = tr._(reply.text, **({"date": tr.date(day, "full")} if day else {}))
    return "✅ " + tr._("Sent to the resident: {text}", text=shown)


def from_resident(n: Readers, chat_id: int, t: Ticket) -> str:
    """The header above a resident's message in the partner's group."""
    tr = n.group_tr(chat_id)
    return tr._("💬 {who} (#{ref}):", who=who(tr, t), ref=t.ref)


def topic_hint(n: Readers, chat_id: int, t: Ticket) -> str:
    """The first message under a card in its own forum topic: how to write to the resident."""
    tr = n.group_tr(chat_id)
    return "ℹ️ " + tr._("To write to the resident, reply to the card or to their message. 👌 "
                       "under your message means the resident has it. Other messages in this "
                       "topic stay within the team.")


def voice_words(n: Readers, chat_id: int, t: Ticket) -> str:
    """The header above a resident's voice message written out by the computer."""
    tr = n.group_tr(chat_id)
    return tr._("🎤 {who} (#{ref}), voice message written out by the computer:", who=who(tr, t),
                ref=t.ref)


def voice_not_written(n: Readers, chat_id: int, t: Ticket) -> str:
    tr = n.group_tr(chat_id)
    return tr._("🎤 #{ref}: the computer could not write out this voice message. Please "
                "listen to it.", ref=t.ref)


def feedback_told(n: Readers, t: Ticket, helped: bool) -> str:
    tr = n.group_tr(n.partner_chat(t))
    if helped:
        return "🟢 " + tr._("The resident says they were helped. #{ref} is closed.", ref=t.ref)
    return "🔴 " + tr._("The resident says they were NOT helped. #{ref} is open again.",
                       ref=t.ref)


def promise_saved(n: Readers, chat_id: int, t: Ticket, day: date, part: str) -> str:
    tr = n.group_tr(chat_id)
    return "🤝 " + tr._("Promise saved for #{ref}: {day}, {part}. The resident knows.",
                       ref=t.ref, day=tr.date(day, "full"), part=part_label(tr, part))


def promise_broken(n: Readers, t: Ticket, promise: Promise) -> str:
    tr = n.group_tr(n.partner_chat(t))
    what = tr._("call") if promise.kind == "call" else tr._("visit")
    return "🔴 " + tr._("#{ref}: the resident says the promised {what} did not happen.",
                       ref=t.ref, what=what)


def promise_broken_alarm(n: Readers, t: Ticket) -> str:
    """For the coordinator: a broken promise is a trust problem, not only the partner's."""
    return "🚨 " + n.group_tr(n.coordinator_chat)._(
        "#{ref} ({partner}): a promise to the resident was broken.", ref=t.ref,
        partner=n.site.partner_name(t.partner_id))


def answer_thanks(tr: Translator, site: SiteConfig, outcome: Outcome, t: Ticket | None,
                  good: bool) -> str:
    """What a resident reads after answering "were you helped?" or "did they call?"."""
    if outcome == Outcome.OLD or t is None:
        return tr._("This button is old. Here is where you are now.")
    if outcome == Outcome.ANSWERED:
        return tr._("Thank you, we already have your answer.")
    if good:
        return tr._("Thank you for telling us.")
    return tr._("We are sorry. We have told {partner}; they will look at it again.",
                partner=site.partner_name_in(t.partner_id, tr.lang))
