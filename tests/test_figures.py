"""The coordinator's figures: rounding half up, masking under 5, totals that add counts, median
and p90, working-hours durations (a weekend, a holiday, a clock change), the Monday digest's
moments, and the figures of requests handled through the real bot."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import SiteConfig
from bot.domain.figures import (
    MASK,
    NEVER,
    PCT_MASK,
    ClaimRule,
    FigureRules,
    Figures,
    PartnerFigures,
    ReachCounts,
    RequestRows,
    RoundCounts,
    Scope,
    Spread,
    WorkClock,
    count_cell,
    digest_week,
    half_up,
    last_digest,
    median,
    next_digest,
    p90,
    percent,
    percent_cell,
    tally_requests,
    unix,
)
from bot.domain.worktime import WorkWeek
from bot.i18n import I18n
from bot.render import figures as texts
from bot.services import figures as service
from bot.testing.harness import BotHarness

AMS = ZoneInfo("Europe/Amsterdam")
WEEK = WorkWeek(AMS)


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=AMS)


# -- rounding and masking ------------------------------------------------------------------------
@pytest.mark.parametrize(("part", "whole", "expected"), [
    (1, 8, 13),  # 12.5 -> 13, where round() would give 12
    (1, 200, 1),  # 0.5 -> 1, where round() would give 0
    (3, 8, 38),  # 37.5 -> 38
    (5, 8, 63),  # 62.5 -> 63
    (1, 3, 33), (2, 3, 67), (0, 7, 0), (7, 7, 100),
    (1, 0, None),  # no whole: no percentage
])
def test_percentages_are_rounded_half_up(part: int, whole: int, expected: int | None) -> None:
    assert percent(part, whole) == expected


def test_half_up_with_decimals_never_tips_a_half_down() -> None:
    assert str(half_up(2.25, 1)) == "2.3"  # a float 2.25 is exact; 2.675 is not, so its repr
    assert str(half_up(2.675, 2)) == "2.68"  # goes in, not its binary value (2.67499...)
    assert str(half_up(0.05, 1)) == "0.1"


def test_counts_under_five_are_masked_unless_exact() -> None:
    assert [count_cell(n, exact=False) for n in (0, 1, 4, 5, 120)] == [0, MASK, MASK, 5, 120]
    assert [count_cell(n, exact=True) for n in (0, 1, 4, 5)] == [0, 1, 4, 5]
    # a percentage made from a masked count, above or below the line, is masked too
    assert percent_cell(3, 200, exact=False) == PCT_MASK
    assert percent_cell(3, 4, exact=False) == PCT_MASK
    assert percent_cell(50, 200, exact=False) == 25
    assert percent_cell(0, 200, exact=False) == 0
    assert percent_cell(3, 200, exact=True) == 2  # 1.5 -> 2


def figures(rounds: list[RoundCounts], reach: list[ReachCounts] | None = None) -> Figures:
    return Figures(Scope(), rounds, [], PartnerFigures(""), {}, {}, reach or [])


def test_the_totals_row_adds_the_counts_not_the_percentages(site: SiteConfig) -> None:
    tr = I18n(["en"], "en", AMS).get("en")
    found = figures([
        RoundCounts(1, "zambesidreef", "Voorjaar", 100, 80, 1, {"dock": 1}),
        RoundCounts(2, "gambiadreef", "Voorjaar", 10, 10, 9, {"dock": 3, "werk_inkomen": 6}),
    ])
    table = texts.visits_table(tr, site, found, exact=True)
    headers = [c.header for c in table.columns]
    assert headers[:7] == ["Building", "Round", "Homes", "Visited", "Visited %", "Spoken to",
                           "Spoken to %"]
    assert table.rows[0][:7] == ["Zambesidreef", "Voorjaar", 100, 80, 80, 1, 1]
    assert table.rows[1][:7] == ["Gambiadreef", "Voorjaar", 10, 10, 100, 9, 90]
    total = dict(zip(headers, table.total or [], strict=True))
    # 10 of 110 homes spoken to is 9%: not 91% (1% + 90%), nor their average 45.5%
    assert (total["Homes"], total["Spoken to"], total["Spoken to %"]) == (110, 10, 9)
    assert total["Referrals to DOCK"] == 4 and total["Referrals to DOCK %"] == 40
    assert total["Referrals to Werk & Inkomen"] == 6
    assert total["Referrals, total"] == 10 and total["Referrals, total %"] == 100
    # the same export with masking: 1 spoken to, 1 and 3 referrals become "<5", and what was
    # made from them "*"
    masked = texts.visits_table(tr, site, found, exact=False)
    row = dict(zip(headers, masked.rows[0], strict=True))
    assert (row["Spoken to"], row["Spoken to %"], row["Referrals to DOCK"],
            row["Referrals to DOCK %"]) == (MASK, PCT_MASK, MASK, PCT_MASK)
    assert dict(zip(headers, masked.rows[1], strict=True))["Referrals to Werk & Inkomen"] == 6


def test_reach_counts_homes_per_language_and_in_total(site: SiteConfig) -> None:
    tr = I18n(["en"], "en", AMS).get("en")
    table = texts.reach_table(tr, site, figures([], [
        ReachCounts("zambesidreef", 300, 120, {"ar": 70, "nl": 60}),
        ReachCounts("gambiadreef", 200, 10, {"tr": 10}),
    ]), exact=True)
    assert [c.header for c in table.columns] == [
        "Building", "Homes", "Homes with a linked resident", "Homes with a linked resident %",
        "Linked, Dutch", "Linked, Arabic", "Linked, Turkish"]
    assert table.rows == [["Zambesidreef", 300, 120, 40, 60, 70, 0],
                          ["Gambiadreef", 200, 10, 5, 0, 0, 10]]
    assert table.total == ["Total", 500, 130, 26, 60, 70, 10]


# -- median and p90 ------------------------------------------------------------------------------
def test_median_and_p90() -> None:
    assert median([]) is None and p90([]) is None
    assert median([5.0]) == 5.0 and p90([5.0]) == 5.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5  # unsorted in, the middle pair's mean out
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert p90([float(n) for n in range(1, 11)]) == 9.0  # nearest rank: the 9th of 10
    assert p90([float(n) for n in range(1, 21)]) == 18.0
    assert p90([float(n) for n in range(1, 12)]) == 10.0  # ceil(9.9) = the 10th of 11
    assert Spread.of([2.0, 1.0, 8.0]) == Spread(3, 2.0, 8.0)


# -- working hours -------------------------------------------------------------------------------
@pytest.mark.parametrize(("start", "end", "hours"), [
    (at(2026, 3, 6, 16), at(2026, 3, 9, 10), 2.0),  # Friday 16:00 -> Monday 10:00
    (at(2026, 3, 7, 12), at(2026, 3, 8, 18), 0.0),  # inside a weekend
    (at(2026, 3, 6, 20), at(2026, 3, 9, 8), 0.0),  # Friday evening to Monday before opening
    (at(2026, 3, 9, 10), at(2026, 3, 9, 11, 30), 1.5),
    (at(2026, 3, 9, 10), at(2026, 3, 11, 10), 16.0),
    (at(2026, 4, 24, 16), at(2026, 4, 28, 10), 2.0),  # King's Day (Monday 27 April) is off
    (at(2026, 3, 27, 16), at(2026, 3, 30, 10), 2.0),  # over the night clocks go forward
    (at(2026, 10, 23, 16), at(2026, 10, 26, 10), 2.0),  # and back
    (at(2026, 12, 24, 16), at(2026, 12, 28, 10), 2.0),  # Christmas
    (at(2026, 3, 9, 12), at(2026, 3, 9, 11), 0.0),  # an end before the start counts nothing
])
def test_working_hours_between_two_moments(start: datetime, end: datetime,
                                           hours: float) -> None:
    assert WorkClock(WEEK).hours(unix(start), unix(end)) == hours


@settings(max_examples=150, deadline=None)
@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
       st.integers(min_value=0, max_value=8 * 60))
def test_working_hours_agree_with_the_deadlines(start: datetime, minutes: int) -> None:
    """Whatever the moment, the hours between it and a deadline `h` working hours later are
    `h`: the figures and the deadlines count the same working time."""
    begin = start.replace(second=0, microsecond=0, tzinfo=UTC)
    end = WEEK.add_working_hours(begin, minutes / 60)
    assert WorkClock(WEEK).hours(unix(begin), unix(end)) * 60 == pytest.approx(minutes)


def test_a_clock_that_grows_backwards_keeps_what_it_counted() -> None:
    clock = WorkClock(WEEK)
    late = clock.worked(unix(at(2026, 12, 2, 12)))
    early = clock.worked(unix(at(2025, 1, 6, 9)))  # the tables grow back a whole year
    assert clock.worked(unix(at(2026, 12, 2, 12))) == late
    assert clock.worked(unix(at(2026, 12, 2, 13))) - late == 3600
    assert late > early


# -- the requests, tallied -----------------------------------------------------------------------
def test_per_partner_figures_claims_in_time_and_totals() -> None:
    now = at(2026, 3, 13, 12)  # Friday
    monday = at(2026, 3, 9, 9)
    h = 3600
    rows = RequestRows(
        kind=["nuisance", "nuisance", "nuisance", "help"],
        category=["noise", "noise", "unsafe", "money"],
        partner=["woningcorporatie", "woningcorporatie", "veiligheid", "werk_inkomen"],
        created=[unix(monday)] * 4,
        # Monday 09:00 -> 11:00 (2 h); none; Monday 21:00 (12 calendar, 8 working hours)
        first_response=[unix(monday) + 2 * h, NEVER, unix(monday) + 12 * h, NEVER],
        # claimed within 8 working hours; never, and now 4 working days late; the unsafe one
        # after 12 calendar hours (its deadline: 2 calendar hours); money claimed on Tuesday
        # 16:00 (15 working hours: late)
        first_claim=[unix(monday) + 1 * h, NEVER, unix(monday) + 12 * h,
                     unix(monday) + 31 * h],
        resolved=[unix(monday) + 48 * h, NEVER, NEVER, NEVER])
    rules = FigureRules(WEEK, lambda c: ClaimRule(2, True) if c == "unsafe" else ClaimRule(8),
                        ("woningcorporatie", "veiligheid", "werk_inkomen", "dock"))
    partners, total = tally_requests(rows, {}, {}, WorkClock(WEEK), rules, now.astimezone(UTC))
    assert [p.partner_id for p in partners] == ["woningcorporatie", "veiligheid", "werk_inkomen"]
    wonen, veilig, geld = partners
    assert (wonen.requests, wonen.first_response, wonen.resolution) == (
        2, Spread(1, 2.0, 2.0), Spread(1, 16.0, 16.0))  # Monday 09:00 to Wednesday 09:00
    assert (wonen.claim_decided, wonen.claimed_in_time) == (2, 1)
    assert (veilig.claim_decided, veilig.claimed_in_time) == (1, 0)
    assert veilig.first_response == Spread(1, 8.0, 8.0)  # working hours, whatever the rule
    assert (geld.claim_decided, geld.claimed_in_time) == (1, 0)
    assert (total.requests, total.claim_decided, total.claimed_in_time) == (4, 4, 1)
    assert total.first_response == Spread(2, 5.0, 8.0)


# -- the Monday digest ---------------------------------------------------------------------------
def test_the_digest_is_due_on_monday_at_nine_amsterdam_time() -> None:
    assert next_digest(at(2026, 12, 1, 11), AMS) == at(2026, 12, 7, 9).astimezone(UTC)
    assert next_digest(at(2026, 12, 7, 8, 59), AMS) == at(2026, 12, 7, 9).astimezone(UTC)
    assert next_digest(at(2026, 12, 7, 9), AMS) == at(2026, 12, 14, 9).astimezone(UTC)
    # summer time: still 09:00 on the wall clock
    assert next_digest(at(2026, 3, 27, 12), AMS) == at(2026, 3, 30, 9).astimezone(UTC)
    assert last_digest(at(2026, 12, 7, 9), AMS) == date(2026, 12, 7)
    assert last_digest(at(2026, 12, 7, 8), AMS) == date(2026, 11, 30)
    assert last_digest(at(2026, 12, 10, 15), AMS) == date(2026, 12, 7)
    assert digest_week(date(2026, 12, 7)) == Scope(date(2026, 11, 30), date(2026, 12, 6))
    assert Scope(date(2026, 11, 30), date(2026, 12, 6)).bounds(AMS) == (
        at(2026, 11, 30), at(2026, 12, 7))


# -- through the real bot --------------------------------------------------------------------------
async def test_requests_handled_in_the_bot_are_counted(h: BotHarness) -> None:
    """A week of requests, handled the way staff and residents do, then the figures."""
    gtr = h.tr("nl")
    wonen = h.group("woningcorporatie")
    jan = h.staff("woningcorporatie", "Jan")
    amina, piet = await h.onboard("Amina", "ar"), await h.onboard("Piet", "nl")
    helped = await amina.report(lang="ar")  # Tuesday 11:00
    h.clock.advance(hours=1)
    await jan.reply(wonen.card(helped.ref), "We komen morgen kijken.")  # claims it: 1 h
    h.clock.advance(hours=2)
    await jan.press(wonen.card(helped.ref), "✅ " + gtr._("Resolve"))  # 3 h after it came in
    await amina.press("👍")
    unhelped = await piet.report(lang="nl")  # Tuesday 14:00
    h.clock.advance(hours=4)  # Tuesday 18:00: after hours
    await jan.press(wonen.card(unhelped.ref), "✋ " + gtr._("Claim"))
    h.clock.advance(hours=16)  # Wednesday 10:00
    await jan.press(wonen.card(unhelped.ref), "✅ " + gtr._("Resolve"))
    await piet.press("👎")  # reopened
    found = await service.report(h.store, h.services.site, Scope(), h.clock())
    wonen_figures = next(p for p in found.figures.partners if p.partner_id == "woningcorporatie")
    assert wonen_figures.requests == 2
    assert wonen_figures.first_response == Spread(1, 1.0, 1.0)  # Piet got no reply
    # 3 working hours, and Tuesday 14:00 -> Wednesday 10:00 is 3 + 1 = 4
    assert wonen_figures.resolution == Spread(2, 3.5, 4.0)
    assert (wonen_figures.claim_decided, wonen_figures.claimed_in_time) == (2, 2)
    o = wonen_figures.outcomes
    assert (o.yes, o.no, o.silent, o.reopened, o.escalations) == (1, 1, 0, 1, 0)
    assert found.figures.kinds == {"nuisance": 2}
    assert found.figures.categories == {("nuisance", "noise"): 2}
    # a period that ends before them counts neither
    before = await service.report(h.store, h.services.site,
                                  Scope(last_day=date(2026, 11, 30)), h.clock())
    assert before.figures.total.requests == 0 and before.figures.partners == []
    assert (found.figures.total.requests, before.figures.rounds) == (2, [])


def test_many_rounds_are_split_over_messages_that_fit_telegram(site: SiteConfig) -> None:
    tr = I18n(["nl"], "nl", AMS).get("nl")
    rounds = [RoundCounts(i, "zambesidreef", f"Ronde {i}", 300, 200, 150,
                          {"dock": 10, "werk_inkomen": 12}) for i in range(60)]
    messages = texts.telegram(tr, site, figures(rounds), heading="Cijfers")
    assert len(messages) > 2 and all(len(m) <= 4096 for m in messages)
    joined = "".join(messages)
    assert all(f"Zambesidreef · Ronde {i}\n" in joined for i in range(60))
    assert all(m.count("<pre>") == m.count("</pre>") for m in messages)


@pytest.mark.parametrize("lang", ["nl", "ar", "tr", "pl", "so", "ti", "en"])
def test_the_charts_legend_fits_a_phone_in_every_language(lang: str, site: SiteConfig) -> None:
    """The legend is drawn a sentence a line, each shrunk to the width if it must: nothing
    runs off the picture's right edge (a long Dutch legend once did)."""
    from bot.render import chart

    tr = I18n(site.languages, "nl", site.zone).get(lang)
    room = chart.WIDTH - 2 * chart.MARGIN
    sentences = chart._sentences(tr._("Blue: homes spoken to. Orange: referrals to each "
                                      "partner."))
    assert len(sentences) == 2, sentences  # "Blue: ..." and "Orange: ..."
    for sentence in sentences:
        assert chart._line(sentence, 26, False, room).width <= room, (lang, sentence)
