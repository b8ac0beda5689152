"""Home visits in words: the staff's /visits overview and the steps of recording a visit (in the
group's language), the referral line on a card, and what a resident is told after a referral
(in theirs)."""

from __future__ import annotations

from html import escape

from bot.config import SiteConfig
from bot.domain.visits import Outcome, RoundKind
from bot.i18n import N_, Translator
from bot.render.letter import grouped
from bot.store.homes import Home
from bot.store.visits import Figures, ReferralOrigin, Round

OUTCOME_LABELS = {
    Outcome.SPOKEN: ("🗣", N_("spoken to")),
    Outcome.NOT_HOME: ("🚪", N_("not at home")),
    Outcome.REFUSED: ("✋", N_("does not want to talk")),
    Outcome.MOVED: ("📦", N_("moved out")),
    Outcome.EMPTY: ("🏚", N_("home is empty")),
}
KIND_LABELS = {
    RoundKind.BEFORE: N_("before the renovation"),
    RoundKind.DURING: N_("during the renovation"),
    RoundKind.AFTER: N_("closing visit after the renovation"),
}
MAX_NOT_HOME_SHOWN = 40  # the list to try again; longer lists say how many more


def outcome_label(tr: Translator, outcome: Outcome) -> str:
    return tr._(OUTCOME_LABELS[outcome][1])


def outcome_button(tr: Translator, outcome: Outcome) -> str:
    emoji, label = OUTCOME_LABELS[outcome]
    text = tr._(label)
    return f"{emoji} {text[:1].upper()}{text[1:]}"


def kind_label(tr: Translator, kind: RoundKind) -> str:
    return tr._(KIND_LABELS[kind])


def building_name(site: SiteConfig, building_id: str) -> str:
    building = site.building(building_id)
    return building.name if building else building_id


def round_title(tr: Translator, site: SiteConfig, round_: Round) -> str:
    return f"{building_name(site, round_.building)} · {round_.name}"


def round_dates(tr: Translator, round_: Round) -> str | None:
    if round_.starts_on and round_.ends_on:
        return tr._("{start} to {end}", start=tr.date(round_.starts_on, "medium"),
                    end=tr.date(round_.ends_on, "medium"))
    if round_.starts_on:
        return tr._("from {start}", start=tr.date(round_.starts_on, "medium"))
    return None


def overview(tr: Translator, site: SiteConfig, all_figures: list[Figures]) -> str:
    """/visits: per building and round what came of the visits (team only)."""
    if not all_figures:
        return "🏠 " + tr._("No visit rounds yet. Start one with /visit.")
    parts = ["🏠 " + tr._("Home visits")]
    for f in all_figures:
        parts.append(round_block(tr, site, f))
    return "\n\n".join(parts)


def round_block(tr: Translator, site: SiteConfig, f: Figures) -> str:
    r = f.round
    head = f"🏢 <b>{_e(round_title(tr, site, r))}</b>"
    sub = [kind_label(tr, r.kind), site.partner_name(r.partner_id)]
    dates = round_dates(tr, r)
    if dates:
        sub.append(dates)
    lines = [head, _e(" · ".join(sub)),
             _e(tr._("Visited: {visited} of {homes} homes", visited=f.visited, homes=f.homes)),
             _e("🗣 " + tr._("Spoken to: {n}", n=f.spoken)),
             _e("🚪 " + tr._("Not at home: {n}", n=len(f.not_home))),
             _e("✋ " + tr._("Did not want to talk: {n}", n=f.refused)),
             _e("📦 " + tr._("Moved: {moved} · Empty: {empty}", moved=f.moved, empty=f.empty))]
    if f.referrals:
        who = ", ".join(f"{site.partner_name(p)} {n}" for p, n in f.referrals.items())
        lines.append(_e("🤝 " + tr._("Referrals: {list}", list=who)))
    else:
        lines.append(_e("🤝 " + tr._("Referrals: none")))
    if f.no_consent:
        lines.append(_e("⚠️ " + tr._("Signal without consent: {n}", n=f.no_consent)))
    if f.not_home:
        shown = ", ".join(h.address for h in f.not_home[:MAX_NOT_HOME_SHOWN])
        more = len(f.not_home) - MAX_NOT_HOME_SHOWN
        if more > 0:
            shown += " " + tr.ngettext("and {n} more", "and {n} more", more)
        lines.append(_e("🔁 " + tr._("Try again (not at home): {addresses}", addresses=shown)))
    return "\n".join(lines)


def _e(text: str) -> str:
    return escape(text, quote=False)


def saved_text(tr: Translator, site: SiteConfig, home: Home, outcome: Outcome,
               referred: list[tuple[str, str]], no_consent: bool) -> str:
    """After a visit is recorded: what was saved, and the request each referral became."""
    lines = ["✅ " + tr._("Visit saved: {address}, {outcome}.", address=home.address,
                         outcome=outcome_label(tr, outcome))]
    for partner_id, ref in referred:
        lines.append("➡️ " + tr._("Passed on to {partner}: request {ref}",
                                 partner=site.partner_name(partner_id), ref=ref))
    if no_consent:
        lines.append("⚠️ " + tr._("Signal without consent: nothing was passed on for that."))
    return "\n".join(lines)


def code_text(tr: Translator, home: Home, code: str, link: str) -> str:
    """The home's invitation code, in groups of five so it is easy to read out or type."""
    return "\n".join([
        "🔑 " + tr._("Invitation code for {address}: {code}", address=home.address,
                     code=grouped(code)),
        tr._("The resident scans the QR code, or opens {link}, or types the code in a chat "
             "with the bot.", link=link)])


def referral_line(tr: Translator, site: SiteConfig, origin: ReferralOrigin) -> str:
    """The card's line saying the request comes from a home visit, and who made it."""
    partner = site.partner_name(origin.visiting_partner)
    if origin.visitor_name:
        return tr._("Referred after a home visit by {partner} ({name})", partner=partner,
                    name=origin.visitor_name)
    return tr._("Referred after a home visit by {partner}", partner=partner)


def resident_referred(tr: Translator, site: SiteConfig, visiting_partner: str, partner_id: str,
                      ref: str) -> str:
    """The resident, in their language, after a visitor passed them on with their consent."""
    return "🤝 " + tr._(
        "After the home visit, {visitor} passed your question on to {partner}, as you agreed. "
        "{partner} will contact you. Your number is {ref}.",
        visitor=site.partner_name_in(visiting_partner, tr.lang),
        partner=site.partner_name_in(partner_id, tr.lang), ref=ref)
