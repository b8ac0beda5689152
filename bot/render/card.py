"""The ticket card in a partner group: everything staff need, in the group's language.

HTML so the reference stands out; every inserted value is escaped, and the resident's words are
bidi-isolated so Arabic text cannot reorder the Dutch around it. For anonymous tickets nothing that
identifies the resident is on the card: only the per-ticket pseudonym.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import SiteConfig
from bot.domain.tickets import Kind, Status, Ticket
from bot.i18n import Translator
from bot.i18n.bidi import isolate, strip_controls
from bot.render.callbacks import CARD, CardStep, pack
from bot.render.labels import category_label, files_text, lang_in, ticket_place
from bot.render.translated import Words, translated_html
from bot.render.visits import referral_line
from bot.store.visits import ReferralOrigin

# the card must stay under Telegram's 4096 characters with everything around the description
MAX_DESCRIPTION_CHARS = 2500


def kind_label(tr: Translator, kind: Kind) -> str:
    return {Kind.NUISANCE: tr._("Report"), Kind.HELP: tr._("Help request"),
            Kind.QUESTION: tr._("Question")}[kind]


def staff_status(tr: Translator, status: Status) -> str:
    return {
        Status.OPEN: "🟡 " + tr._("Open, nobody has it yet"),
        Status.CLAIMED: "🟢 " + tr._("Picked up"),
        Status.RESOLVED: "🔵 " + tr._("Solved, waiting for the resident"),
        Status.CLOSED: "⚪ " + tr._("Closed"),
        Status.WITHDRAWN: "⚫ " + tr._("Stopped by the resident"),
    }[status]


def who(tr: Translator, ticket: Ticket) -> str:
    """How staff see the resident: a pseudonym when anonymous, else the first name only."""
    if ticket.anonymous or not ticket.first_name:
        name = tr._("Resident {code}", code=ticket.pseudonym or "?")
        return name + (" (" + tr._("anonymous") + ")" if ticket.anonymous else "")
    return ticket.first_name


def deadline_line(tr: Translator, ticket: Ticket, now: datetime) -> str | None:
    """What staff must do by when; overdue stands out at a glance."""
    if ticket.status == Status.OPEN and ticket.claim_due:
        due, text = ticket.claim_due, tr._("Pick up before {time}",
                                           time=tr.datetime(ticket.claim_due, "short"))
    elif ticket.status == Status.CLAIMED and ticket.resolve_due:
        due, text = ticket.resolve_due, tr._("Solve before {time}",
                                             time=tr.datetime(ticket.resolve_due, "short"))
    else:
        return None
    if now >= due:
        return "🔴 " + text + " · " + tr._("overdue")
    return "⏰ " + text


def card_text(tr: Translator, site: SiteConfig, ticket: Ticket, *, moved_to: str | None = None,
              unreachable: bool = False, now: datetime | None = None,
              words: Words | None = None, referral: ReferralOrigin | None = None) -> str:
    """`referral`: the request is a warm referral after a home visit (bot/store/visits.py)."""
    e = escape
    files = _files(tr, ticket)
    # a referral for a home nobody linked: the visitor's choice of language, if any
    unlinked = referral is not None and ticket.resident_id is None
    lang = (lang_in(tr, ticket.contact_lang) if ticket.contact_lang else tr._("language not known")
            ) if unlinked else lang_in(tr, ticket.lang)  # in the staff's language
    lines = [
        f"🆕 <b>#{e(ticket.ref)}</b> · "
        f"{e(category_label(tr, site, ticket.kind.value, ticket.category))}",
        *([f"🤝 <b>{e(referral_line(tr, site, referral))}</b>"] if referral else []),
        f"📂 {e(kind_label(tr, ticket.kind))} · {e(staff_status(tr, ticket.status))}",
        f"📍 {e(ticket_place(tr, site, ticket))}",
        f"👤 {e(who(tr, ticket))} · 🗣 {e(lang)}",
        f"📞 {e(staff_contact(tr, ticket.contact))}"
        + (f" · {e(ticket.phone)}" if ticket.phone and not ticket.anonymous else "")
        + (f" · {e(lang_in(tr, ticket.contact_lang))}"
           if ticket.contact_lang and not unlinked else ""),
    ]
    if ticket.description:
        lines += description_lines(tr, ticket.description, words)
    if files:
        lines.append(f"📎 {e(files)}")
    if ticket.claimed_name and ticket.status == Status.CLAIMED:
        lines.append("🙋 " + e(tr._("{name} has it", name=ticket.claimed_name)))
    deadline = deadline_line(tr, ticket, now or ticket.updated_at) if not moved_to else None
    if deadline:
        lines.append(e(deadline))
    if moved_to:
        lines.append("🔁 " + e(tr._("Handed over to {partner}", partner=moved_to)))
    if unreachable:
        lines.append("⚠️ " + e(tr._("The resident cannot be reached through the bot.")))
    return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    return text[:limit] + ("…" if len(text) > limit else "")


def description_lines(tr: Translator, description: str, words: Words | None) -> list[str]:
    """The resident's words as written; for a group of another language also the machine
    translation (labelled, naming the source language), the original kept in a folded quote
    (bot/render/translated.py, as for relays)."""
    if words is None:
        return [f"💬 {escape(isolate(_cut(description, MAX_DESCRIPTION_CHARS)))}"]
    return [translated_html(tr, source_lang=words.source, translation=words.translation,
                            original=description, missing=words.missing, lead="💬 ",
                            limit=MAX_DESCRIPTION_CHARS)]


def staff_contact(tr: Translator, contact: str | None) -> str:
    return {
        "phone": tr._("wants a phone call"),
        "visit": tr._("wants a home visit"),
    }.get(contact or "", tr._("answer through the bot"))


def _files(tr: Translator, ticket: Ticket) -> str:
    return strip_controls(files_text(tr, [a.type for a in ticket.attachments]))


def card_keyboard(tr: Translator, ticket: Ticket, *, here: bool = True) -> InlineKeyboardMarkup:
    """Buttons for the ticket's state; `here` is False on a card the ticket moved away from,
    which keeps no buttons (its history is the new partner's now)."""
    t = ticket.id

    def b(label: str, action: CardStep) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=pack(CARD, t, action))

    if not here:  # the request is with another partner now: nothing to press here any more
        return InlineKeyboardMarkup([])
    history = b("📜 " + tr._("History"), CardStep.HISTORY)
    rows: list[list[InlineKeyboardButton]]
    if ticket.status == Status.OPEN:
        rows = [[b("✋ " + tr._("Claim"), CardStep.CLAIM)],
                [b("🔁 " + tr._("Transfer"), CardStep.TRANSFER), history]]
    elif ticket.status == Status.CLAIMED:
        rows = [[b("💬 " + tr._("Quick reply"), CardStep.QUICK_MENU),
                 b("🤝 " + tr._("Promise"), CardStep.PROMISE_MENU)],
                [b("✅ " + tr._("Resolve"), CardStep.RESOLVE)],
                [b("📝 " + tr._("Add note"), CardStep.NOTE),
                 b("↩️ " + tr._("Release"), CardStep.RELEASE)],
                [b("🔁 " + tr._("Transfer"), CardStep.TRANSFER), history]]
    else:
        rows = [[history]]
    return InlineKeyboardMarkup(rows)
