"""Turning stored choices into words, in whichever language is asked (resident's or partner's)."""

from __future__ import annotations

import json
from typing import Any

from babel.core import Locale, UnknownLocaleError

from bot.config import SiteConfig
from bot.domain.tickets import Status, Ticket
from bot.i18n import N_, Translator, language_name


def category_label(tr: Translator, site: SiteConfig, kind: str, category_id: str) -> str:
    category = site.category(kind, category_id)
    if category is None:
        return category_id
    return f"{category.emoji} {tr._(category.label)}"


def files_text(tr: Translator, kinds: list[str]) -> str:
    """"2 photos, 1 voice message" from the attachment kinds."""
    photos, voices = kinds.count("photo"), kinds.count("voice")
    bits = []
    if photos:
        bits.append(tr.ngettext("{n} photo", "{n} photos", photos))
    if voices:
        bits.append(tr.ngettext("{n} voice message", "{n} voice messages", voices))
    return ", ".join(bits)


def floor_label(tr: Translator, floor: str) -> str:
    return tr._("ground floor") if floor == "0" else tr._("floor {n}", n=floor)


def place_text(tr: Translator, site: SiteConfig, place: dict[str, Any]) -> str:
    """Where something is: a building with stairwell and floor, the resident's home, or words."""
    if place.get("home"):
        return tr._("at my home")
    bits: list[str] = []
    building = site.building(place["building"]) if place.get("building") else None
    if building:
        bits.append(tr.insert(building.name))
    if place.get("stairwell"):
        bits.append(tr._("stairwell {name}", name=place["stairwell"]))
    if place.get("floor") is not None:
        bits.append(floor_label(tr, str(place["floor"])))
    if place.get("text"):
        bits.append(tr.insert(place["text"]))
    # Arabic script has its own comma; a Latin one looks like a stray mark in a RTL sentence.
    separator = "، " if tr.rtl else ", "
    return separator.join(bits) if bits else tr._("not given")


def ticket_place(tr: Translator, site: SiteConfig, ticket: Ticket) -> str:
    place = json.loads(ticket.location) if ticket.location else {}
    if ticket.building:
        place["building"] = ticket.building
    return place_text(tr, site, place)


def status_label(tr: Translator, status: Status) -> str:
    return {
        Status.OPEN: tr._("waiting to be picked up"),
        Status.CLAIMED: tr._("someone is working on it"),
        Status.RESOLVED: tr._("solved, waiting for your answer"),
        Status.CLOSED: tr._("closed"),
        Status.WITHDRAWN: tr._("stopped"),
    }[status]


def contact_label(tr: Translator, contact: str | None) -> str:
    return {
        "message": tr._("a message here"),
        "phone": tr._("a phone call"),
        "visit": tr._("a home visit"),
    }.get(contact or "", tr._("not given"))


def lang_label(lang: str | None) -> str:
    if not lang:
        return "-"
    try:
        return language_name(lang)
    except (ValueError, UnknownLocaleError):  # a language the resident typed, not a code
        return lang


def lang_in(tr: Translator, lang: str) -> str:
    """The language named in the reader's language: "Arabisch" for a Dutch group."""
    try:
        return Locale.parse(lang).get_display_name(tr.locale) or lang
    except (ValueError, UnknownLocaleError):
        return lang


WORK_LABELS = {
    "kitchen": N_("kitchen"), "bathroom": N_("bathroom"), "toilet": N_("toilet"),
    "windows": N_("windows"), "electrics": N_("electrics"), "heating": N_("heating"),
    "other": N_("other work"),
}


def work_label(tr: Translator, work: str) -> str:
    """The kind of work on a renovation day ("kitchen"), in the reader's language."""
    return tr._(WORK_LABELS.get(work, "other work"))
