"""`buurtbot report`: the coordinator's figures for the municipality and the partners (its
arguments are in bot/cli/main.py).

    buurtbot report [--building ID] [--round ID] [--from DATE] [--to DATE] [--out FILE] [--exact]

A plain table on the terminal, or FILE ending in .csv (UTF-8, every text cell safe to open in
Excel) or .xlsx (one sheet per table, numbers as numbers). In the coordinator group's language.
What leaves the coordinator group shows counts under 5 as "<5" (bot/domain/figures.py);
--exact shows them all, for the coordinator's own use.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.cli.site import check_site, site_path
from bot.config import ConfigError, Settings, SiteConfig
from bot.domain.figures import Cell, Scope
from bot.i18n import I18n, Translator
from bot.importers.csvfile import excel_safe
from bot.render import figures as texts
from bot.render.figures import Table
from bot.services import figures as service
from bot.store import Store
from bot.store.clock import Clock

FORMATS = (".csv", ".xlsx")


class BadArgument(ValueError):
    """One line for the person at the terminal."""


def scope_of(args: argparse.Namespace, site: SiteConfig) -> Scope:
    first, last = _day(args.first, "--from"), _day(args.last, "--to")
    if first and last and last < first:
        raise BadArgument(f"--to {last} is before --from {first}")
    if args.building and site.building(args.building) is None:
        known = ", ".join(b.id for b in site.buildings) or "none"
        raise BadArgument(f"--building: no building {args.building!r} in the site file "
                          f"(there are: {known})")
    round_id = None
    if args.round is not None:
        if not str(args.round).isdigit():
            raise BadArgument(f"--round: {args.round!r} is not a round number")
        round_id = int(args.round)
    if args.out and Path(args.out).suffix.lower() not in FORMATS:
        raise BadArgument(f"--out: {args.out!r} must end in .csv or .xlsx "
                          "(without --out the table goes to the terminal)")
    return Scope(first, last, args.building, round_id)


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadArgument(f"{flag}: {text!r} is not a date (write it as YYYY-MM-DD, "
                          "e.g. 2026-12-31)") from None


async def run_report(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    try:
        site = check_site(site_path(args.config, settings))
        scope = scope_of(args, site)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    except BadArgument as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 1
    if not settings.db.exists():  # a report never creates an empty database
        print(f"report: no database at {settings.db} (set BUURTBOT_DB)", file=sys.stderr)
        return 1
    store = await Store.open(settings.db, clock)
    try:
        found = await service.report(store, site, scope, clock())
    except service.UnknownRound:
        print(f"report: --round: there is no visit round {scope.round_id}", file=sys.stderr)
        return 1
    finally:
        await store.close()
    lang = site.partner(site.coordinator).language  # the coordinator group's
    tr = I18n([lang], lang, site.zone).get(lang)
    tables = texts.tables(tr, site, found.figures, exact=args.exact)
    heading = [tr._("Figures"), texts.scope_text(tr, site, found.figures, found.round_name)]
    notes = texts.notes(tr, exact=args.exact)
    if not args.out:
        print("\n\n".join(["\n".join(heading), *(texts.grid(tr, t) for t in tables),
                           "\n".join(notes)]))
        return 0
    out = Path(args.out)
    try:
        if out.suffix.lower() == ".csv":
            write_csv(out, heading, tables, notes, tr)
        else:
            write_xlsx(out, heading, tables, notes)
    except OSError as exc:
        print(f"report: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"{out}: {len(tables)} tables ({'exact' if args.exact else 'counts under 5 as <5'})")
    return 0


def _rows(table: Table) -> list[list[Cell]]:
    return [*table.rows, *([table.total] if table.total else [])]


def write_csv(path: Path, heading: list[str], tables: list[Table], notes: list[str],
              tr: Translator) -> None:
    """All tables in one file, one after the other: title, header, rows, total, a blank line.
    With a byte order mark, so Excel reads the accents; every text cell made excel_safe."""
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerows([excel_safe(line)] for line in heading)
        for table in tables:
            out.writerow([])
            out.writerow([excel_safe(table.title)])
            out.writerow([excel_safe(c.header) for c in table.columns])
            out.writerows([_csv_cell(cell) for cell in row] for row in _rows(table))
        out.writerow([])
        out.writerows([excel_safe(line)] for line in notes)


def _csv_cell(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, int | float):
        return str(cell)
    return excel_safe(cell)


def write_xlsx(path: Path, heading: list[str], tables: list[Table], notes: list[str]) -> None:
    """One sheet per table: the heading, the title, a bold header, the rows and a bold total;
    numbers stay numbers, so the municipality can add them up."""
    book = Workbook()
    for blank in list(book.worksheets):  # the sheet a new book starts with
        book.remove(blank)
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, book.sheetnames))
        for line in [*heading, ""]:
            sheet.append([line])
        sheet.append([table.title])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=13)
        sheet.append([c.header for c in table.columns])
        header = sheet.max_row
        for cell in sheet[header]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in _rows(table):
            sheet.append([None if cell == "" else cell for cell in row])
        if table.total:
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        sheet.freeze_panes = sheet.cell(header + 1, 1)
        for i, column in enumerate(table.columns, start=1):
            letter = sheet.cell(header, i).column_letter
            sheet.column_dimensions[letter].width = 28 if column.kind == "label" else 14
        sheet.append([])
        for line in notes:
            sheet.append([line])
        _as_text(sheet)
    book.save(path)


def _as_text(sheet: Worksheet) -> None:
    """openpyxl stores a string starting with "=" as a formula: a round named by staff must
    never run as one, so every text cell is stored as text."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"


def _sheet_name(title: str, taken: list[str]) -> str:
    """Excel's rules: at most 31 characters, none of [ ] : * ? / \\, unique in the book."""
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    base, n = name, 2
    while name in taken:
        suffix = f" {n}"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    return name
