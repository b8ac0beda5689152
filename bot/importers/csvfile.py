"""Reading the CSV (and Excel) files people bring, and writing CSVs that are safe in Excel.

Shared by the importers (homes, planning, visits). What a file from Excel can be, and what
`read_table` does with it:

- Dutch Excel's "CSV (gescheiden door lijstscheidingsteken)" separates with semicolons, the
  English one with commas, "Unicode text" with tabs: the delimiter is whichever makes the header
  line name the expected columns (an Excel `sep=;` first line is honoured too).
- "CSV UTF-8" starts with a byte order mark (dropped), "Unicode text" is UTF-16 with one (read).
  Plain "CSV" is Windows-1252: that raises UnicodeDecodeError with the position of the first byte
  that is not UTF-8, and the command line says "save the file as CSV UTF-8" (bot/cli/homes.py).
- Column names are matched whatever their capitals and spaces; Dutch names are accepted where the
  importer gives aliases. The header is the first row that names every required column (a title
  or blank rows above it are skipped); a header that lacks one names every expected column.
- Rows whose cells are all empty (Excel writes `;;;;;` for a row it once touched) are skipped; a
  file with no rows, or only a header, is an error, not "0 added".
- An Excel workbook (.xlsx) is read too: its first sheet, dates and times as in a CSV, rows
  numbered as Excel shows them. An old .xls is refused with what to save it as.
- Files over `MAX_BYTES` or with more than `MAX_ROWS` rows are refused before any row is read.

`CsvError` carries one line for the person who made the file, without the file name (the
command line puts that in front). `excel_safe` and `write_csv` are for files going the other way.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024  # a planning of 5,000 homes x 20 days is about 1 MB
MAX_ROWS = 200_000
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
ZIP = b"PK\x03\x04"  # an .xlsx workbook is a zip file
OLD_EXCEL = b"\xd0\xcf\x11\xe0"  # .xls, Excel 97-2003
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP
# "CSV injection"); tab and carriage return are in the list because Excel skips them first.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CsvError(Exception):
    """A file that cannot be imported, in one line a contractor understands."""


@dataclass
class Table:
    columns: list[str]  # the importer's column names that the file has, in the file's order
    rows: list[tuple[int, dict[str, str]]]  # (line the row starts on, column -> stripped cell)
    delimiter: str
    encoding: str
    unknown: list[str] = field(default_factory=list)  # header cells that name no column


def read_table(path: Path, required: Sequence[str], optional: Sequence[str] = (),
               aliases: Mapping[str, str] | None = None, *, max_bytes: int | None = None,
               max_rows: int | None = None) -> Table:
    """The file's rows as dicts keyed by the importer's column names (a missing optional column
    reads as ""). Raises OSError (cannot read), UnicodeDecodeError (neither UTF-8 nor UTF-16) or
    CsvError. The limits default to MAX_BYTES and MAX_ROWS."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    max_rows = MAX_ROWS if max_rows is None else max_rows
    size = path.stat().st_size
    if size > max_bytes:
        raise CsvError(f"the file is {_mb(size)}; the limit is {_mb(max_bytes)} "
                       "(split it into smaller files)")
    data = path.read_bytes()
    names = {_norm(c): c for c in (*required, *optional)}
    names.update({_norm(k): v for k, v in (aliases or {}).items()})
    if data.startswith(OLD_EXCEL):
        raise CsvError("this is an old Excel workbook (.xls): in Excel choose Save as, then "
                       "Excel workbook (.xlsx) or CSV UTF-8 (Opslaan als)")
    if data.startswith(ZIP):
        records, where, encoding, delimiter = _workbook(data), "in its first sheet", "xlsx", ""
    else:
        text, encoding = decode(data)
        if "\x00" in text:
            line = text[:text.index("\x00")].count("\n") + 1
            raise CsvError(f"line {line}: a NUL character: this is not a text (CSV) file")
        delimiter, records = _text(text, names)
        where = f"separated by {DELIMITERS[delimiter]}"
    header_line, header = _header(records, names, required)
    if not header:
        raise CsvError(f"the file is empty: expected a header line with {_list(required)}, "
                       "then one row per line")
    columns = _columns(header, names, required, optional, where, header_line)
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in records:
        if any(c.strip() for c in cells):
            if len(rows) == max_rows:
                raise CsvError(f"more than {max_rows:,} rows; the limit is {max_rows:,} "
                               "(split it into smaller files)")
            rows.append((line, _row(columns, cells)))
    if not rows:
        raise CsvError(f"line {header_line}: only a header, no rows below it")
    unknown = [h.strip() for h, c in zip(header, columns, strict=False)
               if c is None and h.strip()]
    return Table([c for c in columns if c is not None], rows, delimiter, encoding, unknown)


Records = Iterator[tuple[int, list[str]]]  # (line the row starts on, its cells)
TITLE_ROWS = 10  # rows above the header that may hold a title ("Planning blok A") or blanks


def _header(records: Records, names: Mapping[str, str],
            required: Sequence[str]) -> tuple[int, list[str]]:
    """The first row that names every required column, within the first rows of the file;
    else the first row that is not blank (to say what is missing), or (0, []) for none."""
    first: tuple[int, list[str]] = (0, [])
    for count, (line, cells) in enumerate(records):
        if not any(c.strip() for c in cells):
            continue
        if not first[1]:
            first = (line, cells)
        found = {names.get(_norm(c)) for c in cells}
        if all(r in found for r in required):
            return line, cells
        if count >= TITLE_ROWS:
            break
    return first


def _text(text: str, names: Mapping[str, str]) -> tuple[str, Records]:
    """The delimiter, and the rows of CSV text with the line each starts on."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((i for i, x in enumerate(lines) if x.strip(" \t;,")), len(lines))
    delimiter, skip = _delimiter(lines[first] if first < len(lines) else "", names)
    offset = first + skip  # lines above the header (blank, or Excel's sep= hint)

    def records() -> Records:
        # strict: a quote that is never closed is an error, not the rest of the file in one cell
        reader = csv.reader(io.StringIO("\n".join(lines[offset:]), newline=""),
                            delimiter=delimiter, strict=True)
        line = offset + 1
        try:
            for cells in reader:
                yield line, cells
                line = offset + reader.line_num + 1
        except csv.Error as exc:
            why = ("a quote (\") opens a cell here and is never closed"
                   if "end of data" in str(exc) else f"not valid CSV ({exc})")
            raise CsvError(f"line {line}: {why}") from None

    return delimiter, records()


def _workbook(data: bytes) -> Records:
    """The rows of an Excel workbook's first sheet, numbered as Excel shows them, each cell as
    the text it would be in a CSV: dates as 2027-03-12, times as 08:00, 12.0 as 12."""
    from openpyxl import load_workbook  # only for workbooks: it takes a moment to import

    try:
        book = load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CsvError(f"this looks like a zip file but not an Excel workbook ({exc}): save it "
                       "from Excel as .xlsx or CSV UTF-8") from None
    sheet = book.worksheets[0]
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, [_cell(v) for v in row]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()[:5] if isinstance(value, time) else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _row(columns: list[str | None], cells: list[str]) -> dict[str, str]:
    row = {c: "" for c in columns if c is not None}
    for column, cell in zip(columns, cells, strict=False):
        if column is not None:
            row[column] = cell.strip()
    return row


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (with or without a byte order mark), or UTF-16
    with one (Excel's "Unicode text"). Raises UnicodeDecodeError for anything else."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    return data.decode("utf-8"), "utf-8"


def _delimiter(line: str, names: Mapping[str, str]) -> tuple[str, int]:
    """The delimiter that makes the header name the most known columns (ties: the one that
    splits it most), and 1 when the line is Excel's `sep=X` hint instead of the header."""
    if line.lower().startswith("sep=") and len(line) >= 5:
        return line[4], 1

    def score(d: str) -> tuple[int, int]:
        cells = next(csv.reader([line], delimiter=d), [])
        return sum(_norm(c) in names for c in cells), len(cells)

    return max(DELIMITERS, key=score), 0


def _columns(header: list[str], names: Mapping[str, str], required: Sequence[str],
             optional: Sequence[str], where: str, line: int) -> list[str | None]:
    columns = [names.get(_norm(h)) for h in header]
    missing = [c for c in required if c not in columns]
    twice = sorted({c for c in columns if c is not None and columns.count(c) > 1})
    if twice:
        raise CsvError(f"line {line}: column {', '.join(twice)} appears more than once")
    if missing:
        found = ", ".join(repr(h.strip()) for h in header if h.strip()) or "nothing"
        expected = _list(required) + (f" (and optionally {_list(optional)})" if optional else "")
        raise CsvError(f"line {line}: missing column {_list(missing)}; expected {expected}, "
                       f"found {found} ({where})")
    return columns


def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").replace("_", " ").split()).casefold()


def _list(names: Iterable[str]) -> str:
    return ", ".join(names)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def excel_safe(value: object) -> str:
    """The cell as text a spreadsheet shows as it is: one that would start a formula gets a
    leading apostrophe, which Excel hides and never runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A UTF-8 CSV with every cell made `excel_safe`."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow([excel_safe(h) for h in header])
        out.writerows([excel_safe(v) for v in row] for row in rows)
