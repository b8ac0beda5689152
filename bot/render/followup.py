"""The words of follow-ups: nudges and escalations for staff (group language), reminders and
questions for residents (their language)."""

from __future__ import annotations

from datetime import date
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.promises import Promise
from bot.domain.tickets import Ticket
from bot.i18n import Translator
from bot.render.callbacks import PROMISE_ANSWER, pack
from bot.render.resident import resolved_markup
from bot.render.words import Readers


def part_label(tr: Translator, part: str) -> str:
    return {"morning": tr._("in the morning"), "afternoon": tr._("in the afternoon"),
            "evening": tr._("in the evening")}[part]


def mention(user_id: int, name: str) -> str:
    """An HTML mention: the staff member gets a notification even in a busy group."""
    return f'<a href="tg://user?id={user_id}">{escape(name)}</a>'


def claim_nudge(n: Readers, t: Ticket) -> str:
    tr = n.group_tr(n.partner_chat(t))
    return "⏰ " + tr._("#{ref} is waiting since {time} and nobody has it yet. Who picks it up?",
                       ref=t.ref, time=tr.datetime(t.created_at, "short"))


def escalation(n: Readers, t: Ticket) -> str:
    tr = n.group_tr(n.coordinator_chat)
    return "🚨 " + tr._("#{ref} for {partner} is still not picked up. It came in on {time}.",
                       ref=t.ref, partner=n.site.partner_name(t.partner_id),
                       time=tr.datetime(t.created_at, "short"))


def contact_reminder(n: Readers, t: Ticket) -> str:
    tr = n.group_tr(n.partner_chat(t))
    who = mention(t.claimed_by or 0, t.claimed_name or "?")
    return "⏰ " + who + " " + escape(tr._(
        "#{ref}: the resident has not heard from us yet. Please contact them today.", ref=t.ref))


def still_on_it(n: Readers, t: Ticket) -> str:
    tr = n.resident_tr(t)
    return "⏳ " + tr._("We are still working on your request {ref}. You are not forgotten.",
                       ref=t.ref)


def feedback_again(n: Readers, t: Ticket) -> str:
    tr = n.resident_tr(t)
    return tr._("Your request {ref} was solved. Were you helped? Please press a button.",
                ref=t.ref)


def feedback_markup(n: Readers, t: Ticket) -> InlineKeyboardMarkup:
    return resolved_markup(n, t)


def closed_unanswered(n: Readers, t: Ticket) -> str:
    tr = n.group_tr(n.partner_chat(t))
    return "⚪ " + tr._("#{ref} is closed: the resident did not answer.", ref=t.ref)


def promise_reminder(n: Readers, t: Ticket, p: Promise, *, today: date) -> str:
    """"today", "tomorrow" or "on <date>", decided when the reminder goes out (a reminder held
    over a weekend or a downtime must not say "tomorrow" on the day itself)."""
    tr = n.group_tr(n.partner_chat(t))
    when = part_label(tr, p.part)
    days = (p.day - today).days
    call = p.kind == "call"
    if days == 0:
        text = (tr._("#{ref}: today you call the resident, {part}.", ref=t.ref, part=when) if call
                else tr._("#{ref}: today you visit the resident, {part}.", ref=t.ref, part=when))
    elif days == 1:
        text = (tr._("#{ref}: tomorrow you call the resident, {part}.", ref=t.ref, part=when)
                if call else
                tr._("#{ref}: tomorrow you visit the resident, {part}.", ref=t.ref, part=when))
    else:
        day = tr.date(p.day, "full")
        text = (tr._("#{ref}: on {date} you call the resident, {part}.", ref=t.ref, date=day,
                     part=when) if call else
                tr._("#{ref}: on {date} you visit the resident, {part}.", ref=t.ref, date=day,
                     part=when))
    return "📌 " + mention(p.staff_id, p.staff_name) + " " + escape(text)


def promise_told(n: Readers, t: Ticket, kind: str, day: date, part: str) -> str:
    tr = n.resident_tr(t)
    partner = n.site.partner_name_in(t.partner_id, tr.lang)
    values = {"partner": partner, "date": tr.date(day, "full"), "part": part_label(tr, part)}
    if kind == "call":
        return "📞 " + tr._("{partner} will call you on {date}, {part}.", **values)
    return "🏠 " + tr._("{partner} will visit you on {date}, {part}.", **values)


def promise_question(n: Readers, t: Ticket, p: Promise) -> str:
    tr = n.resident_tr(t)
    partner = n.site.partner_name_in(t.partner_id, tr.lang)
    if p.kind == "call":
        return tr._("Did {partner} call you?", partner=partner)
    return tr._("Did {partner} visit you?", partner=partner)


def promise_markup(n: Readers, t: Ticket, promise_id: int) -> InlineKeyboardMarkup:
    tr = n.resident_tr(t)
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("👍 " + tr._("Yes"),
                             callback_data=pack(PROMISE_ANSWER, promise_id, "y")),
        InlineKeyboardButton("👎 " + tr._("No"),
                             callback_data=pack(PROMISE_ANSWER, promise_id, "n")),
    ]])


def card_link(tr: Translator, ticket: Ticket, chat_id: int, thread_id: int | None,
              card_id: int) -> InlineKeyboardMarkup | None:
    """A button to the card in its partner group, for the coordinator; Telegram's t.me/c links
    exist only for supergroups (ids -100...)."""
    if not str(chat_id).startswith("-100"):
        return None
    path = f"{thread_id}/{card_id}" if thread_id else str(card_id)
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        "🔗 " + tr._("Open #{ref}", ref=ticket.ref),
        url=f"https://t.me/c/{str(chat_id)[4:]}/{path}")]])
