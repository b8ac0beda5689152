"""Outreach: home visit rounds, recording a visit, and the warm referrals made on the doorstep.

Recording a visit is one transaction: the visit, its referrals, and for each referral the help
request it becomes, routed exactly as intake routes a resident's own request (the card to the
partner's group through the outbox, the deadlines, nudges, escalation and everything later as
due rows), and the message telling a linked resident who will contact them. A repeat (a double
tap, a replayed update, a re-imported file) records nothing and posts nothing twice: the
staff member's draft is taken as a compare-and-set, an imported row is known by its hash.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.config import SiteConfig
from bot.domain.tickets import Kind, NewTicket, Ticket
from bot.domain.visits import (
    Consent,
    Outcome,
    ReferralWish,
    RoundKind,
    check_visit,
    general_category,
    made,
    ticket_category,
    without_consent,
)
from bot.followup.engine import FollowUps
from bot.i18n import I18n
from bot.messaging.notify import Notifier
from bot.render.visits import resident_referred
from bot.services import intake
from bot.store import visits as store
from bot.store.clock import Clock
from bot.store.db import Database
from bot.store.homes import Home
from bot.store.visits import NewReferral, NewVisit, Round

if TYPE_CHECKING:  # only the type: Services lives with the handlers' context
    from bot.context import Services


@dataclass(frozen=True)
class Deps:
    """What outreach needs: the bot's services, or the command line's own (import-visits)."""

    db: Database
    site: SiteConfig
    i18n: I18n
    notifier: Notifier
    followups: FollowUps
    clock: Clock

    @classmethod
    def of(cls, services: Services) -> Deps:
        return cls(services.store.db, services.site, services.i18n, services.notifier,
                   services.followups, services.clock)

    @classmethod
    def standalone(cls, db: Database, site: SiteConfig, clock: Clock) -> Deps:
        i18n = I18n(site.languages, site.default_language, site.zone)
        notifier = Notifier(site, i18n)
        return cls(db, site, i18n, notifier, FollowUps(notifier.policy), clock)


@dataclass(frozen=True)
class Contact:
    """How the partner reaches the resident of a referral (when no chat is linked, or besides
    it): "phone" (with the number), "visit", or None (through the bot); their language when the
    visitor knows it and no linked chat says it."""

    how: str | None = None
    phone: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class Draft:
    """The staff member's unfinished visit it is recorded from (taken once)."""

    chat_id: int
    user_id: int
    key: str


@dataclass
class Recorded:
    visit_id: int
    home: Home
    tickets: list[Ticket] = field(default_factory=list)
    no_consent: bool = False


async def start_round(deps: Deps, building: str, name: str, kind: RoundKind, partner_id: str,
                      starts_on: date | None = None,
                      ends_on: date | None = None) -> tuple[Round, bool]:
    """The round of this name in the building (made now: True)."""
    async with deps.db.transaction() as tx:
        return await store.start_round(tx, deps.clock(), building, name, kind, partner_id,
                                       starts_on, ends_on)


async def record_visit(deps: Deps, round_: Round, home: Home, visit: NewVisit,
                       wishes: Sequence[ReferralWish], *, contact: Contact = Contact(),
                       draft: Draft | None = None,
                       description_lang: str | None = None) -> Recorded | None:
    """Record a visit with its referrals in one transaction; None when the draft was already
    taken (the visit is recorded). Raises VisitProblem for referrals that do not fit."""
    check_visit(visit.outcome, wishes)
    now = deps.clock()
    async with deps.db.transaction() as tx:
        if draft is not None and not await store.take_draft(tx, draft.chat_id, draft.user_id,
                                                            draft.key):
            return None
        return await _record(deps, tx, now, round_, home, visit, wishes, contact,
                             description_lang, initiative=False)


async def _record(deps: Deps, tx: aiosqlite.Connection, now: datetime, round_: Round,
                  home: Home, visit: NewVisit, wishes: Sequence[ReferralWish], contact: Contact,
                  description_lang: str | None, *, initiative: bool) -> Recorded:
    referrals = tuple(NewReferral(w.partner_id, w.topic, w.explanation, w.consent)
                      for w in made(wishes) if w.consent is not None)
    full = replace(visit, referrals=referrals,
                   no_consent=visit.no_consent or without_consent(wishes))
    visit_id, referral_ids = await store.insert_visit(tx, now, full)
    recorded = Recorded(visit_id, home, no_consent=full.no_consent)
    residents = await store.linked_residents(tx, home.id)
    resident = residents[0] if len(residents) == 1 else None
    for referral_id, referral in zip(referral_ids, referrals, strict=True):
        ticket = await _referral_ticket(deps, tx, now, round_, home, referral_id, referral,
                                        resident, contact, description_lang, initiative)
        recorded.tickets.append(ticket)
    return recorded


async def _referral_ticket(deps: Deps, tx: aiosqlite.Connection, now: datetime, round_: Round,
                           home: Home, referral_id: int, referral: NewReferral,
                           resident: tuple[int, str] | None, contact: Contact,
                           description_lang: str | None, initiative: bool) -> Ticket:
    """The referral as a help request for the resident's home, created and routed the way
    intake does it (bot/services/intake.py), so every follow-up rule applies to it."""
    site = deps.site
    place = {"stairwell": home.stairwell or None, "floor": home.floor, "text": home.address}
    new = NewTicket(
        draft_key=f"{store.REFERRAL_KEY}{referral_id}",
        resident_id=resident[0] if resident else None, kind=Kind.HELP,
        category=ticket_category(site.categories.help, referral.partner_id, referral.topic),
        partner_id=referral.partner_id,
        lang=resident[1] if resident else (contact.lang or site.default_language),
        description=referral.explanation, building=home.building,
        location=json.dumps({k: v for k, v in place.items() if v is not None}),
        contact=contact.how or (None if resident else "visit"),
        phone=contact.phone if contact.how == "phone" else None,
        contact_lang=None if resident else contact.lang,
        description_lang=description_lang if referral.explanation else None,
    )
    ticket, created = await intake.create(deps.notifier, deps.followups, tx, new, now)
    if created and ticket.resident_id is not None:
        text = resident_referred(deps.notifier.resident_tr(ticket), site, round_.partner_id,
                                 ticket.partner_id, ticket.ref)
        if initiative:  # an import: the bot's own message, not in the resident's night
            await deps.notifier.remind_resident(tx, now, ticket, text)
        else:  # the visitor just did this with them at the door
            await deps.notifier.to_resident(tx, now, ticket, text)
    await store.link_ticket(tx, referral_id, ticket.id)
    return ticket


# -- import from paper and spreadsheets ---------------------------------------------------------
@dataclass(frozen=True)
class ImportRow:
    """One valid row of an import file (bot/importers/visits.py reads and checks them)."""

    line: int
    home: Home
    day: date
    round_name: str
    outcome: Outcome
    partners: tuple[str, ...]
    notes: str
    key: str


@dataclass
class Imported:
    visits: int = 0
    known: int = 0  # rows imported before (same hash): nothing changes
    rounds: list[Round] = field(default_factory=list)  # started by this import
    tickets: list[Ticket] = field(default_factory=list)


async def new_rows(deps: Deps, rows: Sequence[ImportRow]) -> list[ImportRow]:
    """The rows not imported before (and each only once, should the file repeat a row)."""
    async with deps.db.transaction() as tx:
        known = await store.known_import_keys(tx, [r.key for r in rows])
    seen: set[str] = set()
    fresh = []
    for row in rows:
        if row.key not in known and row.key not in seen:
            seen.add(row.key)
            fresh.append(row)
    return fresh


async def import_visits(deps: Deps, rows: Sequence[ImportRow], partner_id: str,
                        kind: RoundKind = RoundKind.BEFORE) -> Imported:
    """Write every new row in one transaction: the rounds a name not seen before starts (for
    the home's building, done by `partner_id`, dated by its rows), the visits, and their
    referrals as requests (consent assumed for an import, and recorded as such)."""
    out = Imported()
    now = deps.clock()
    async with deps.db.transaction() as tx:
        known = await store.known_import_keys(tx, [r.key for r in rows])
        rounds = await store.rounds_by_name(tx)
        for row in rows:
            if row.key in known:
                out.known += 1
                continue
            known.add(row.key)
            round_ = rounds.get((row.home.building, row.round_name.casefold()))
            if round_ is None:
                days = [r.day for r in rows if r.home.building == row.home.building
                        and r.round_name.casefold() == row.round_name.casefold()]
                round_, _ = await store.start_round(tx, now, row.home.building, row.round_name,
                                                    kind, partner_id, min(days), max(days))
                rounds[(row.home.building, row.round_name.casefold())] = round_
                out.rounds.append(round_)
            wishes = [ReferralWish(p, general_category(deps.site.categories.help, p),
                                   consent=Consent.IMPORT) for p in row.partners]
            visit = NewVisit(round_.id, row.home.id, row.day, row.outcome, notes=row.notes,
                             source="import", import_key=row.key)
            check_visit(row.outcome, wishes)
            done = await _record(deps, tx, now, round_, row.home, visit, wishes, Contact(),
                                 None, initiative=True)
            out.visits += 1
            out.tickets += done.tickets
    return out


