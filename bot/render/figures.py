"""The coordinator's figures in words and tables, in the reader's language: the tables an export
writes (bot/cli/report.py: a terminal table, CSV, XLSX), the `/figures` answer in the
coordinator group (monospace <pre> blocks that fit a phone), and the Monday casusoverleg digest.

Only counts and durations: no reference, name or address is ever part of a figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape

from babel.numbers import format_decimal

from bot.config import SiteConfig
from bot.domain.figures import (
    MASK,
    PCT_MASK,
    Cell,
    Digest,
    Figures,
    PartnerFigures,
    Spread,
    age_days,
    count_cell,
    half_up,
    percent_cell,
)
from bot.domain.tickets import Kind
from bot.i18n import Translator
from bot.render.card import kind_label
from bot.render.labels import lang_in

TELEGRAM_LIMIT = 4000  # under Telegram's 4096 characters, with room for the tags
LABEL_WIDTH = 20  # the row label in a block, on a phone


@dataclass(frozen=True)
class Column:
    header: str  # in an export
    short: str = ""  # in a /figures block (the header when empty)
    kind: str = "count"  # "label", "count", "pct" (belongs to the column before), "hours"
    joined: str = ""  # a /figures line for this column and the next one ("median / p90")


@dataclass
class Table:
    name: str  # a sheet name: short, no [ ] : * ? / \
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    total: list[Cell] | None = None  # the counts added up (percentages from the sums)


# -- building the tables ----------------------------------------------------------------------
def tables(tr: Translator, site: SiteConfig, figures: Figures, *, exact: bool) -> list[Table]:
    """Every table of a report, counts under 5 masked unless `exact`."""
    return [visits_table(tr, site, figures, exact=exact), kinds_table(tr, figures, exact=exact),
            categories_table(tr, site, figures, exact=exact),
            partners_table(tr, site, figures, exact=exact), reach_table(tr, site, figures,
                                                                        exact=exact)]


def _building(site: SiteConfig, building_id: str) -> str:
    building = site.building(building_id)
    return building.name if building else building_id


def _place(site: SiteConfig, building_id: str) -> tuple[int, str]:
    """Buildings in the site file's order (others after them, by id)."""
    ids = [b.id for b in site.buildings]
    return (ids.index(building_id), "") if building_id in ids else (len(ids), building_id)


def _pct(tr: Translator, header: str) -> Column:
    return Column(tr._("{what} %", what=header), "%", "pct")


def visits_table(tr: Translator, site: SiteConfig, f: Figures, *, exact: bool) -> Table:
    partners = f.referral_partners(p.id for p in site.partners)
    spoken = tr._("Spoken to")
    columns = [Column(tr._("Building"), kind="label"), Column(tr._("Round"), kind="label"),
               Column(tr._("Homes")), Column(tr._("Visited")), _pct(tr, tr._("Visited")),
               Column(spoken), _pct(tr, spoken)]
    for partner_id in partners:
        name = site.partner_name(partner_id)
        columns += [Column(tr._("Referrals to {partner}", partner=name), name),
                    _pct(tr, tr._("Referrals to {partner}", partner=name))]
    columns += [Column(tr._("Referrals, total"), tr._("Referrals")),
                _pct(tr, tr._("Referrals, total"))]
    table = Table("visits", tr._("Home visits per building and round"), columns)

    def row(homes: int, visited: int, spoken: int, referrals: dict[str, int]) -> list[Cell]:
        cells: list[Cell] = [count_cell(homes, exact), count_cell(visited, exact),
                             percent_cell(visited, homes, exact), count_cell(spoken, exact),
                             percent_cell(spoken, homes, exact)]
        for partner_id in [*partners, ""]:
            n = referrals.get(partner_id, 0) if partner_id else sum(referrals.values())
            cells += [count_cell(n, exact), percent_cell(n, spoken, exact)]
        return cells

    homes = visited = spoken_to = 0
    referred: dict[str, int] = {}
    for r in sorted(f.rounds, key=lambda r: _place(site, r.building)):  # keeps round order
        table.rows.append([_building(site, r.building), r.name,
                           *row(r.homes, r.visited, r.spoken, r.referrals)])
        homes, visited, spoken_to = homes + r.homes, visited + r.visited, spoken_to + r.spoken
        for partner_id, n in r.referrals.items():
            referred[partner_id] = referred.get(partner_id, 0) + n
    if f.rounds:
        table.total = [tr._("Total"), "", *row(homes, visited, spoken_to, referred)]
    return table


def kinds_table(tr: Translator, f: Figures, *, exact: bool) -> Table:
    table = Table("kinds", tr._("Requests per kind"),
                  [Column(tr._("Kind"), kind="label"), Column(tr._("Requests"))])
    for kind in Kind:
        if kind.value in f.kinds:
            table.rows.append([kind_label(tr, kind), count_cell(f.kinds[kind.value], exact)])
    table.total = [tr._("Total"), count_cell(sum(f.kinds.values()), exact)]
    return table


def categories_table(tr: Translator, site: SiteConfig, f: Figures, *, exact: bool) -> Table:
    table = Table("categories", tr._("Requests per category"),
                  [Column(tr._("Kind"), kind="label"), Column(tr._("Category"), kind="label"),
                   Column(tr._("Requests"))])
    order = {(k.value, c.id): i for i, (k, c) in enumerate(
        (k, c) for k in Kind for c in site.categories.of(k.value))}
    for kind, category in sorted(f.categories, key=lambda pair: (order.get(pair, 999), pair)):
        found = site.category(kind, category)
        table.rows.append([kind_label(tr, Kind(kind)), tr._(found.label) if found else category,
                           count_cell(f.categories[(kind, category)], exact)])
    table.total = [tr._("Total"), "", count_cell(sum(f.categories.values()), exact)]
    return table


def partner_columns(tr: Translator) -> list[Column]:
    hours = tr._("working hours")
    return [
        Column(tr._("Partner"), kind="label"), Column(tr._("Requests")),
        Column(tr._("First response, median ({unit})", unit=hours), kind="hours",
               joined=tr._("Response (med/p90)")),
        Column(tr._("First response, p90 ({unit})", unit=hours), kind="hours"),
        Column(tr._("Resolution, median ({unit})", unit=hours), kind="hours",
               joined=tr._("Solved (med/p90)")),
        Column(tr._("Resolution, p90 ({unit})", unit=hours), kind="hours"),
        Column(tr._("Claimed within the deadline %"), tr._("Claimed in time"), "pct"),
        Column(tr._("Promises kept")), Column(tr._("Promises broken")),
        Column(tr._("Promises unanswered")), Column(tr._("Escalations")),
        Column(tr._("Helped: yes")), Column(tr._("Helped: no")),
        Column(tr._("Helped: answered %"), tr._("Answered"), "pct"), Column(tr._("Reopened")),
    ]


def partner_row(label: str, p: PartnerFigures, *, exact: bool) -> list[Cell]:
    o, told = p.outcomes, p.promises
    return [label, count_cell(p.requests, exact), *_spread(p.first_response),
            *_spread(p.resolution),
            percent_cell(p.claimed_in_time, p.claim_decided, exact),
            count_cell(told.kept, exact), count_cell(told.broken, exact),
            count_cell(told.unanswered, exact), count_cell(o.escalations, exact),
            count_cell(o.yes, exact), count_cell(o.no, exact),
            percent_cell(o.yes + o.no, p.helped_asked, exact), count_cell(o.reopened, exact)]


def _spread(spread: Spread) -> list[Cell]:
    return [_hours(spread.median), _hours(spread.p90)]


def _hours(value: float | None) -> float | None:
    return None if value is None else float(half_up(value, 1))


def partners_table(tr: Translator, site: SiteConfig, f: Figures, *, exact: bool) -> Table:
    table = Table("partners", tr._("Requests per partner"), partner_columns(tr))
    table.rows = [partner_row(site.partner_name(p.partner_id), p, exact=exact)
                  for p in f.partners]
    table.total = partner_row(tr._("Total"), f.total, exact=exact)
    return table


def reach_table(tr: Translator, site: SiteConfig, f: Figures, *, exact: bool) -> Table:
    langs = [lang for lang in site.languages if any(lang in r.by_lang for r in f.reach)]
    langs += sorted({lang for r in f.reach for lang in r.by_lang} - set(langs))
    linked = tr._("Homes with a linked resident")
    columns = [Column(tr._("Building"), kind="label"), Column(tr._("Homes")),
               Column(linked, tr._("Linked")), _pct(tr, linked)]
    columns += [Column(tr._("Linked, {language}", language=lang_in(tr, lang)),
                       lang_in(tr, lang)) for lang in langs]
    table = Table("reach", tr._("Reach: homes with at least one linked resident"), columns)
    homes = linked_homes = 0
    per_lang: dict[str, int] = {}
    for r in sorted(f.reach, key=lambda r: _place(site, r.building)):
        table.rows.append([_building(site, r.building), count_cell(r.homes, exact),
                           count_cell(r.linked, exact), percent_cell(r.linked, r.homes, exact),
                           *(count_cell(r.by_lang.get(lang, 0), exact) for lang in langs)])
        homes, linked_homes = homes + r.homes, linked_homes + r.linked
        for lang in langs:
            per_lang[lang] = per_lang.get(lang, 0) + r.by_lang.get(lang, 0)
    if f.reach:
        table.total = [tr._("Total"), count_cell(homes, exact), count_cell(linked_homes, exact),
                       percent_cell(linked_homes, homes, exact),
                       *(count_cell(per_lang[lang], exact) for lang in langs)]
    return table


# -- words around the tables ------------------------------------------------------------------
def period_text(tr: Translator, first: date | None, last: date | None) -> str:
    if first and last:
        return tr._("from {first} to {last}", first=tr.date(first, "medium"),
                    last=tr.date(last, "medium"))
    if first:
        return tr._("from {first}", first=tr.date(first, "medium"))
    if last:
        return tr._("until {last}", last=tr.date(last, "medium"))
    return tr._("everything so far")


def scope_text(tr: Translator, site: SiteConfig, f: Figures, round_name: str | None) -> str:
    bits = [period_text(tr, f.scope.first_day, f.scope.last_day)]
    if f.scope.building:
        bits.append(_building(site, f.scope.building))
    if round_name:
        bits.append(tr._("round {name}", name=round_name))
    return " · ".join(bits)


def notes(tr: Translator, *, exact: bool) -> list[str]:
    """What the figures mean, under every report."""
    lines = [
        tr._("First response: from the request to the first reply, quick reply or promise to "
             "the resident. Resolution: to the last time it was solved."),
        tr._("Hours are working hours (the site's working days and hours, holidays off): "
             "median and p90 (9 in 10 were faster)."),
        tr._("Percentages are rounded half up; the total adds up the counts."),
    ]
    if not exact:
        lines.append(tr._("{mask}: fewer than 5, not shown for privacy; {pct}: a percentage "
                          "that would show such a number.", mask=MASK, pct=PCT_MASK))
    return lines


# -- plain text: the terminal, and the blocks of /figures ------------------------------------
def cell_text(tr: Translator, cell: Cell, column: Column) -> str:
    if cell is None:
        return "–"
    if isinstance(cell, str):
        return cell
    if column.kind == "hours":
        return format_decimal(cell, format="#,##0.0", locale=tr.locale)
    if column.kind == "pct":
        return f"{cell}%"
    return format_decimal(cell, format="#,##0", locale=tr.locale)


def grid(tr: Translator, table: Table) -> str:
    """The table as aligned columns (a terminal, or anything monospace and wide)."""
    body = [*table.rows, *([table.total] if table.total else [])]
    cells = [[c.short or c.header for c in table.columns]]
    cells += [[cell_text(tr, cell, col) for cell, col in zip(row, table.columns, strict=True)]
              for row in body]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]

    def line(row: list[str]) -> str:
        return "  ".join(text.ljust(w) if col.kind == "label" else text.rjust(w)
                         for text, w, col in zip(row, widths, table.columns, strict=True))

    out = [table.title, line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells[1:-1]] if table.total else [line(r) for r in cells[1:]]
    if table.total:
        out += ["  ".join("-" * w for w in widths), line(cells[-1])]
    return "\n".join(line.rstrip() for line in out)


def blocks(tr: Translator, table: Table) -> list[str]:
    """The table for a phone, a piece per row: one line when the table has one count, else a
    block with a line per figure (its percentage beside it, a median with its p90); the total
    only when it adds up more than one row."""
    rows = [*table.rows, *([table.total] if table.total and len(table.rows) > 1 else [])]
    labels = [i for i, c in enumerate(table.columns) if c.kind == "label"]
    figures = [i for i, c in enumerate(table.columns) if c.kind != "label"]
    if len(figures) == 1:
        return [_clip(" · ".join(str(r[i]) for i in labels if r[i]), 26).ljust(26)
                + cell_text(tr, r[figures[0]], table.columns[figures[0]]).rjust(8) for r in rows]
    return ["\n".join([_clip(" · ".join(str(row[i]) for i in labels if row[i]), LABEL_WIDTH + 12),
                       *_figure_lines(tr, table, row)]) for row in rows]


def _figure_lines(tr: Translator, table: Table, row: list[Cell]) -> list[str]:
    out, columns, skip = [], table.columns, set()
    for i, column in enumerate(columns):
        if column.kind == "label" or i in skip:
            continue
        label, text = column.short or column.header, cell_text(tr, row[i], column)
        if column.joined and i + 1 < len(columns):  # a median and its p90: "2,0 / 8,5 h"
            skip.add(i + 1)
            label = column.joined
            text = f"{text} / {cell_text(tr, row[i + 1], columns[i + 1])}"
        if column.kind == "hours" and row[i] is not None:
            text = tr._("{hours} h", hours=text)
        if i + 1 < len(columns) and _follows(table, i + 1):
            skip.add(i + 1)
            text = text.rjust(6) + cell_text(tr, row[i + 1], columns[i + 1]).rjust(6)
        out.append("  " + _clip(label, LABEL_WIDTH).ljust(LABEL_WIDTH) + text.rjust(6))
    return out


def _follows(table: Table, i: int) -> bool:
    """A percentage that sits beside the count before it (a pct column after a count)."""
    return (table.columns[i].kind == "pct" and i > 0
            and table.columns[i - 1].kind == "count" and table.columns[i].short == "%")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def telegram(tr: Translator, site: SiteConfig, figures: Figures, *, heading: str,
             round_name: str | None = None) -> list[str]:
    """/figures (and the digest's figures): HTML messages, each under Telegram's limit."""
    parts = [f"📊 <b>{escape(heading)}</b>\n{escape(scope_text(tr, site, figures, round_name))}"]
    for table in tables(tr, site, figures, exact=True):
        if not table.rows:
            parts.append(f"<b>{escape(table.title)}</b>\n" + escape(tr._("Nothing yet.")))
            continue
        parts += _pre(f"<b>{escape(table.title)}</b>\n", blocks(tr, table))
    parts.append("<i>" + escape("\n".join(notes(tr, exact=True))) + "</i>")
    return pack(parts)


def _pre(title: str, pieces: list[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """A table as monospace parts that each fit in a message: as many rows as fit, the title
    on the first (sixty rounds do not fit in one message)."""
    parts: list[str] = []
    current: list[str] = []
    for piece in pieces:
        body = "\n".join([*current, piece])
        if current and len(title) + len(escape(body)) + 11 > limit:
            parts.append(f"{title}<pre>{escape(chr(10).join(current))}</pre>")
            title, current = "", [piece]
        else:
            current.append(piece)
    parts.append(f"{title}<pre>{escape(chr(10).join(current))}</pre>")
    return parts


def pack(parts: Sequence[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts joined into as few messages as fit; a part is never cut (each is far shorter)."""
    messages: list[str] = []
    for part in parts:
        if messages and len(messages[-1]) + 2 + len(part) <= limit:
            messages[-1] += "\n\n" + part
        else:
            messages.append(part)
    return messages


# -- the Monday digest -----------------------------------------------------------------------
def digest(tr: Translator, site: SiteConfig, d: Digest, now: datetime) -> list[str]:
    """The casusoverleg digest: what is open per partner (how many, the oldest's age), the
    week's broken promises and escalations, then the week's figures."""
    first, last = d.figures.scope.first_day, d.figures.scope.last_day
    assert first is not None and last is not None
    head = "🗓 <b>" + escape(tr._("Casusoverleg: the week from {first} to {last}",
                                   first=tr.date(first, "medium"),
                                   last=tr.date(last, "medium"))) + "</b>"
    lines = [head, "", "<b>" + escape(tr._("Open now, per partner")) + "</b>"]
    cases = {c.partner_id: c for c in d.open_cases}
    for partner in _partners(site, cases):
        c = cases[partner]
        days = age_days(c.oldest, now)
        lines.append("• " + escape(site.partner_name(partner)) + ": " + escape(
            tr.ngettext("{n} open", "{n} open", c.count) + ", " + tr.ngettext(
                "the oldest waits {n} day", "the oldest waits {n} days", days)))
    if not cases:
        lines.append(escape(tr._("Nothing open.")))
    lines += ["", _per_partner_line(tr, site, tr._("Broken promises this week"), d.broken),
              _per_partner_line(tr, site, tr._("Escalations this week"), d.escalations)]
    return pack(["\n".join(lines), *telegram(tr, site, d.figures,
                                             heading=tr._("Figures of the week"))])


def _partners(site: SiteConfig, present: Iterable[str]) -> list[str]:
    ids = set(present)
    known = [p.id for p in site.partners if p.id in ids]
    return known + sorted(ids - set(known))


def _per_partner_line(tr: Translator, site: SiteConfig, label: str,
                      counts: dict[str, int]) -> str:
    if not counts:
        return f"<b>{escape(label)}</b>: " + escape(tr._("none"))
    bits = [f"{site.partner_name(p)} {counts[p]}" for p in _partners(site, counts)]
    return f"<b>{escape(label)}</b>: " + escape(", ".join(bits))
