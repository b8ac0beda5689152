"""Quick replies: canned messages staff pick with one tap, delivered in the resident's language.

This is how a Dutch-speaking staff member talks to an Arabic-speaking resident without a shared
language. Sites add their own in the site file (`[[quick_replies]]`, English text as msgid).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import SiteConfig
from bot.i18n import N_


@dataclass(frozen=True)
class QuickReply:
    id: str
    text: str  # English msgid; "{date}" is filled with a date the staff member picks
    needs_date: bool = False


BUILT_IN = (
    QuickReply("call2", N_("We will call you within 2 working days.")),
    QuickReply("photo", N_("Can you send a photo? Reply to this message with the photo.")),
    QuickReply("visit", N_("We will come by on {date}."), needs_date=True),
    QuickReply("kamer", N_("Please come to the Buurtkamer. We can talk there.")),
    QuickReply("busy", N_("We are working on it. You will hear from us.")),
    QuickReply("more", N_("Can you tell us a bit more? Reply to this message.")),
)


def quick_replies(site: SiteConfig) -> list[QuickReply]:
    extra = [QuickReply(q.id, q.text, "{date}" in q.text) for q in site.quick_replies]
    return [*BUILT_IN, *extra]


def find(site: SiteConfig, reply_id: str) -> QuickReply | None:
    return next((q for q in quick_replies(site) if q.id == reply_id), None)
