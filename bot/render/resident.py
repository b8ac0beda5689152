"""What residents are told when something happens to their request, in their own language."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import SiteConfig
from bot.domain.tickets import Ticket
from bot.i18n import Translator
from bot.render.callbacks import ADD_TO_REQUEST, FEEDBACK, TRANSFER_ANSWER, pack
from bot.render.quick import QuickReply
from bot.render.words import Readers


def claimed_text(notifier: Readers, ticket: Ticket) -> str:
    tr = notifier.resident_tr(ticket)
    partner = notifier.site.partner_name_in(ticket.partner_id, tr.lang)
    return "👋 " + tr._("{partner} has picked up your request {ref}. {name} is working on it.",
                       partner=partner, ref=ticket.ref, name=ticket.claimed_name or "")


def transferred_text(notifier: Readers, ticket: Ticket) -> str:
    tr = notifier.resident_tr(ticket)
    partner = notifier.site.partner_name_in(ticket.partner_id, tr.lang)
    return "🔁 " + tr._("Your request {ref} is now with {partner}. They can help you better. "
                       "They have all the information, you do not need to tell it again.",
                       ref=ticket.ref, partner=partner)


def transfer_question(notifier: Readers, ticket: Ticket, to_partner: str) -> str:
    """A help request goes to another organisation only if the resident says yes."""
    tr = notifier.resident_tr(ticket)
    site = notifier.site
    return "🔁 " + tr._("{partner} would like to pass your request {ref} on to {other}. They can "
                       "help you better. {other} will then see what you told us. Is that OK?",
                       partner=site.partner_name_in(ticket.partner_id, tr.lang), ref=ticket.ref,
                       other=site.partner_name_in(to_partner, tr.lang))


def transfer_question_markup(notifier: Readers, ticket: Ticket,
                             ask_id: int) -> InlineKeyboardMarkup:
    tr = notifier.resident_tr(ticket)
    return InlineKeyboardMarkup([
        [InlineKeyboardButton("✅ " + tr._("Yes, pass it on"),
                              callback_data=pack(TRANSFER_ANSWER, ask_id, "y"))],
        [InlineKeyboardButton("❌ " + tr._("No, keep it here"),
                              callback_data=pack(TRANSFER_ANSWER, ask_id, "n"))],
    ])


def transfer_kept(tr: Translator, site: SiteConfig, ticket: Ticket) -> str:
    return "👍 " + tr._("OK. Your request {ref} stays with {partner}. Nothing is passed on.",
                       ref=ticket.ref, partner=site.partner_name_in(ticket.partner_id, tr.lang))


def resolved_text(notifier: Readers, ticket: Ticket) -> str:
    tr = notifier.resident_tr(ticket)
    partner = notifier.site.partner_name_in(ticket.partner_id, tr.lang)
    return "✅ " + tr._("{partner} says your request {ref} is solved. Were you helped?",
                       partner=partner, ref=ticket.ref)


def resolved_markup(notifier: Readers, ticket: Ticket) -> InlineKeyboardMarkup:
    tr = notifier.resident_tr(ticket)
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("👍 " + tr._("Yes, I was helped"),
                             callback_data=pack(FEEDBACK, ticket.id, "y")),
        InlineKeyboardButton("👎 " + tr._("No"), callback_data=pack(FEEDBACK, ticket.id, "n")),
    ]])


def reply_header(notifier: Readers, ticket: Ticket, staff_name: str) -> str:
    tr = notifier.resident_tr(ticket)
    partner = notifier.site.partner_name_in(ticket.partner_id, tr.lang)
    return tr._("💬 {partner} ({name}):", partner=partner, name=staff_name)


def quick_reply_text(notifier: Readers, ticket: Ticket, staff_name: str, reply: QuickReply,
                     day: date | None) -> str:
    """A quick reply in the resident's language, under the same header as a typed reply."""
    tr = notifier.resident_tr(ticket)
    values = {"date": tr.date(day, "full")} if day else {}
    return f"{reply_header(notifier, ticket, staff_name)}\n{tr._(reply.text, **values)}"


def answer_markup(notifier: Readers, ticket: Ticket) -> InlineKeyboardMarkup:
    """One tap to answer: residents rarely use Telegram's "reply", so the button starts it."""
    tr = notifier.resident_tr(ticket)
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        "✍️ " + tr._("Answer"), callback_data=pack(ADD_TO_REQUEST, ticket.id))]])
