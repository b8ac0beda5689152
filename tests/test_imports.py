"""Imports that check what they import: homes against the building's definition, files as Excel
saves them (semicolons, a byte order mark, UTF-16), header mistakes named, empty files refused,
past days refused, limits, a linear address parser, Excel-safe exports. Each case through the
command line, as the IT person or the contractor sees it."""

from __future__ import annotations

import re
import sqlite3
import time
import zipfile
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from bot.cli.main import main
from bot.domain.planning import split_address
from bot.importers import csvfile
from bot.importers.csvfile import CsvError, excel_safe, read_table
from bot.importers.homes import write_codes_csv
from bot.store.homes import Home
from bot.testing.moments import workday_clock  # 1 December 2026

HOMES = "street,number,addition,building,stairwell,floor\n"
PLAN = "address,date,start,end,work,notes\n"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.db"
    monkeypatch.setenv("BUURTBOT_DB", str(path))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    """Exit code, stderr lines after the database line, stdout."""
    code = main(list(argv), clock=workday_clock())
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert lines and lines[0].startswith("database: "), lines
    return code, lines[1:], out


def count(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(("row", "error"), [
    ("Tigrisdreef,5,,tigrisdreef,Z,3", "stairwell: 'Z' is not a stairwell of tigrisdreef (A, B)"),
    ("Tigrisdreef,5,,tigrisdreef,A,42",
     "floor: 42 is not a floor of tigrisdreef (0, the ground floor, to 9)"),
    ("Tigrisdreef,5,,tigrisdreef,A,10",
     "floor: 10 is not a floor of tigrisdreef (0, the ground floor, to 9)"),
    ("Tigrisdreef,5,,tigrisdreef,A,-3",
     "floor: -3 is not a floor of tigrisdreef (0, the ground floor, to 9)"),
    ("Tigrisdreef,0,,tigrisdreef,A,3", "number: 0 is not a house number (they start at 1)"),
    ("Tigrisdreef,999,,tigrisdreef,A,3",
     "address: Tigrisdreef 999 is not in building tigrisdreef "
     "(Tigrisdreef 1-181 in the site file)"),
    ("Zambesidreef,5,,tigrisdreef,A,3",
     "address: Zambesidreef 5 is not in building tigrisdreef "
     "(Tigrisdreef 1-181 in the site file)"),
    ("Tigrisdreef,12B,,tigrisdreef,A,3",
     "number: '12B' is not a whole number (put 'B' in the addition column)"),
    ("Tigrisdreef,-4,,tigrisdreef,A,3", "number: '-4' is not a whole number"),
    ("Tigrisdreef,5,,tigrisdreef,A,drie", "floor: 'drie' is not a whole number"),
])
def test_a_home_outside_its_building_is_a_numbered_error(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str], row: str,
        error: str) -> None:
    path = write(tmp_path, "homes.csv", HOMES + "Tigrisdreef,1,,tigrisdreef,A,0\n" + row + "\n")
    code, err, _ = run(capsys, "import-homes", str(path))
    assert (code, err) == (1, [f"{path}: line 3: {error}",
                               f"{path}: nothing imported (1 bad rows)"])
    assert count(db, "homes") == 0


def test_homes_inside_the_definition_import_with_the_site_files_spelling(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "homes.csv", HOMES + "tigrisdreef,181,b,tigrisdreef,b,9\n"
                                                "Tigrisdreef,1,,tigrisdreef,,0\n")
    assert run(capsys, "import-homes", str(path))[2] == f"{path}: 2 homes added, 0 updated\n"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT number, stairwell, floor FROM homes ORDER BY number"
                            ).fetchall() == [(1, "", 0), (181, "B", 9)]


def test_a_dutch_excel_homes_file_with_semicolons_a_bom_and_dutch_columns_imports(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "woningen.csv",
                 "Straat;Huisnummer;Toevoeging;Gebouw;Trappenhuis;Verdieping\r\n"
                 "Zambesidreef;12;B;zambesidreef;A;3\r\n;;;;;\r\n", "utf-8-sig")
    assert run(capsys, "import-homes", str(path))[2] == f"{path}: 1 homes added, 0 updated\n"


@pytest.mark.parametrize(("text", "encoding", "error"), [
    ("", "utf-8", "the file is empty: expected a header line with address, date, start, end, "
                  "work, then one row per line"),
    ("\n\n;;;;\n", "utf-8", "the file is empty: expected a header line with address, date, "
                            "start, end, work, then one row per line"),
    (PLAN, "utf-8", "line 1: only a header, no rows below it"),
    (PLAN + ",,,,,\n\n", "utf-8", "line 1: only a header, no rows below it"),
    ("street,number,when\nZambesidreef 12B,1,2\n", "utf-8",
     "line 1: missing column address, date, start, end, work; expected address, date, start, "
     "end, work (and optionally notes), found 'street', 'number', 'when' (separated by "
     "commas)"),
    ("adres;dag;van;tot;klus\nZambesidreef 12B;3-3-2027;8:00;16:00;keuken\n", "utf-8",
     "line 1: missing column date, work; expected address, date, start, end, work (and "
     "optionally notes), found 'adres', 'dag', 'van', 'tot', 'klus' (separated by semicolons)"),
    ("address,date,date,start,end,work\nx,1,2,3,4,5\n", "utf-8",
     "line 1: column date appears more than once"),
    (PLAN + "Zambesidreef 12B,3-3-2027,8:00\x00\n", "utf-8",
     "line 2: a NUL character: this is not a text (CSV) file"),
    (PLAN + 'Zambesidreef 12B,2027-03-03,08:00,16:00,kitchen,"12 inch\nnext,row\n', "utf-8",
     'line 2: a quote (") opens a cell here and is never closed'),
    (PLAN + 'Zambesidreef 12B,2027-03-03,08:00,16:00,kitchen,"quoted" and not\n', "utf-8",
     "line 2: not valid CSV (',' expected after '\"')"),
    ("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "latin-1", "this is an old Excel workbook (.xls): in "
     "Excel choose Save as, then Excel workbook (.xlsx) or CSV UTF-8 (Opslaan als)"),
])
def test_a_planning_file_that_cannot_be_imported_says_why_in_one_line(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str], text: str, encoding: str,
        error: str) -> None:
    await_homes(tmp_path, capsys)
    path = write(tmp_path, "plan.csv", text, encoding)
    assert run(capsys, "import-schedule", str(path))[:2] == (1, [f"{path}: {error}"])
    assert count(db, "work_days") == 0


def await_homes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "homes.csv", HOMES + "Zambesidreef,12,B,zambesidreef,A,3\n")
    assert run(capsys, "import-homes", str(path))[0] == 0


@pytest.mark.parametrize(("text", "encoding"), [
    # Dutch Excel, "CSV UTF-8 (door komma's gescheiden)" with the Dutch list separator
    ("Adres;Datum;Begin;Eind;Werk;Opmerkingen\r\n"
     "Zambesidreef 12-B;3-3-2027;8:00;16:00;Keuken;Kastjes leeg, graag\r\n;;;;;\r\n",
     "utf-8-sig"),
    ("sep=;\r\naddress;date;start;end;work;notes\r\n"
     "Zambesidreef 12-B;03-03-2027;08:00:00;16:00:00;kitchen;\r\n", "utf-8"),
    # "Unicode text": UTF-16 with a byte order mark, tab-separated
    ("address\tdate\tstart\tend\twork\tnotes\r\nZambesidreef 12B\t2027-03-03\t08:00\t16:00\t"
     "kitchen\tgeen douche\u2026\r\n", "utf-16"),
    (PLAN + "Zambesidreef 12 b,2027-03-03,8.00,16.00,KITCHEN,\n", "utf-8-sig"),
    ("Planning blok A;;;;;\r\n;;;;;\r\nadres;datum;begin;eind;werkzaamheden;\r\n"  # a title
     "Zambesidreef 12-B;3-3-27;08:00;16:00;keuken;\r\n", "utf-8"),
])
def test_planning_files_as_excel_saves_them_import(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str], text: str,
        encoding: str) -> None:
    await_homes(tmp_path, capsys)
    path = write(tmp_path, "planning.csv", text, encoding)
    code, err, out = run(capsys, "import-schedule", str(path))
    assert (code, err) == (0, [])
    assert out == f"{path}: 1 added, 0 moved or changed, 0 cancelled, 0 unchanged\n"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT work, day, start, end FROM work_days").fetchall() == [
            ("kitchen", "2027-03-03", "08:00", "16:00")]


def test_an_excel_workbook_imports_with_its_row_numbers(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await_homes(tmp_path, capsys)
    book = Workbook()
    sheet = book.active
    sheet.append(["Planning blok A"])  # a title above the table, as contractors do
    sheet.append([])
    sheet.append(["Adres", "Datum", "Begin", "Eind", "Werk", "Opmerkingen"])
    sheet.append(["Zambesidreef 12-B", datetime(2027, 3, 3), dtime(8), dtime(16), "Keuken",
                  "Kastjes leeg"])
    sheet.append(["Zambesidreef 12-B", date(2027, 3, 4), "8:00", "16:00", "badkamer", None])
    path = tmp_path / "planning.xlsx"
    sheet.append(["Zambesidreef 12-B", date(2027, 3, 5), 8, "16:00", "kitchen", ""])
    book.save(path)
    code, err, _ = run(capsys, "import-schedule", str(path))
    assert (code, err) == (1, [f"{path}: line 6: start: '8' is not a time (use 08:00)",
                               f"{path}: nothing imported (1 bad rows)"])
    sheet.delete_rows(6)
    book.save(path)
    assert run(capsys, "import-schedule", str(path))[2] == (
        f"{path}: 2 added, 0 moved or changed, 0 cancelled, 0 unchanged\n")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT work, day, start, notes FROM work_days ORDER BY day"
                            ).fetchall() == [("kitchen", "2027-03-03", "08:00", "Kastjes leeg"),
                                             ("bathroom", "2027-03-04", "08:00", "")]


def test_a_zip_that_is_no_workbook_says_so(tmp_path: Path, db: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "homes.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    code, err, _ = run(capsys, "import-homes", str(path))
    assert code == 1 and err[0].startswith(f"{path}: this looks like a zip file but not an "
                                           "Excel workbook (")
    assert err[0].endswith("save it from Excel as .xlsx or CSV UTF-8")


@pytest.mark.parametrize(("address", "error"), [
    ("", "address: empty"),
    ("Zambesidreef", "address: 'Zambesidreef' has no street and house number "
                     "(like Zambesidreef 12-B)"),
    ("Zambesidreef" + " " * 4000 + "12", "address: longer than 120 characters"),
    (" " * 4000, "address: empty"),
    ("Nowhere 1", "address: 'Nowhere 1' is not a known home "
                  "(import it with `buurtbot import-homes`)"),
])
def test_a_bad_address_is_a_numbered_error_never_none(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str], address: str,
        error: str) -> None:
    await_homes(tmp_path, capsys)
    path = write(tmp_path, "plan.csv", PLAN + f'"{address}",2027-03-03,08:00,16:00,kitchen,\n')
    code, err, _ = run(capsys, "import-schedule", str(path))
    assert (code, err[0]) == (1, f"{path}: line 2: {error}")
    assert "None" not in err[0]


OLD_ADDRESS = re.compile(  # the pattern this replaced, for comparison
    r"^\s*(?P<street>.*?\D)\s*(?P<number>\d+)\s*[-\s]?\s*(?P<addition>[A-Za-z0-9]*)\s*$")


@given(st.text(alphabet="aB1 -.", max_size=14))
def test_the_linear_address_parser_reads_what_the_pattern_read(text: str) -> None:
    old = OLD_ADDRESS.match(text)
    expected = None
    if old and old["street"].strip():  # the pattern also took an empty street
        expected = (" ".join(old["street"].split()), int(old["number"]), old["addition"])
    assert split_address(text) == expected


@pytest.mark.parametrize("shape", ["{s}", "a{s}1{s}!", "Zambesidreef{s}12{s}B{s}x", "1{s}",
                                   "a{s}1x!", "{d}", "a{d}-{d} {d}x"])
def test_parsing_an_address_takes_linear_time(shape: str) -> None:
    text = shape.format(s=" " * 4000, d="1" * 4000)  # 4,000 spaces took the pattern 254 s
    started = time.perf_counter()
    for _ in range(10):
        split_address(text)
    assert time.perf_counter() - started < 1.0


def test_a_4000_space_line_is_refused_at_once(tmp_path: Path, db: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    await_homes(tmp_path, capsys)
    path = write(tmp_path, "plan.csv", PLAN + "a" + " " * 4000 + "1" + " " * 4000
                 + "!,2027-03-03,08:00,16:00,kitchen,\n")
    started = time.perf_counter()
    code, err, _ = run(capsys, "import-schedule", str(path))
    assert time.perf_counter() - started < 1.0
    assert (code, err[0]) == (1, f"{path}: line 2: address: longer than 120 characters")


def test_a_day_in_the_past_is_refused_unless_allowed_or_unchanged(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await_homes(tmp_path, capsys)
    past = write(tmp_path, "plan.csv", PLAN + "Zambesidreef 12B,2026-11-30,08:00,16:00,kitchen,\n"
                                              "Zambesidreef 12B,2026-12-01,08:00,16:00,bathroom,\n"
                                              "Zambesidreef 12B,2026-12-02,08:00,16:00,toilet,\n")
    assert run(capsys, "import-schedule", str(past))[:2] == (1, [
        f"{past}: line 2: date: 2026-11-30 is in the past (today is 2026-12-01); if that is "
        "right, import with --allow-past", f"{past}: nothing imported (1 bad rows)"])
    assert count(db, "work_days") == 0
    code, _, out = run(capsys, "import-schedule", str(past), "--allow-past")
    assert (code, out) == (0, f"{past}: 3 added, 0 moved or changed, 0 cancelled, 0 unchanged\n")
    # the same planning exported again, days that are over included: nothing to refuse
    assert run(capsys, "import-schedule", str(past))[2] == (
        f"{past}: 0 added, 0 moved or changed, 0 cancelled, 3 unchanged\n")
    moved = write(tmp_path, "moved.csv",
                  PLAN + "Zambesidreef 12B,2026-11-27,08:00,16:00,kitchen,\n"
                         "Zambesidreef 12B,2026-12-01,08:00,16:00,bathroom,\n"
                         "Zambesidreef 12B,2026-12-02,08:00,16:00,toilet,\n")
    code, err, _ = run(capsys, "import-schedule", str(moved))
    assert (code, err[0]) == (1, f"{moved}: line 2: date: 2026-11-27 is in the past (today is "
                                 "2026-12-01); if that is right, import with --allow-past")


def test_a_day_that_is_over_and_left_out_is_cancelled_without_telling_anyone(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await_homes(tmp_path, capsys)
    both = write(tmp_path, "plan.csv", PLAN + "Zambesidreef 12B,2026-11-30,08:00,16:00,kitchen,\n"
                                              "Zambesidreef 12B,2026-12-03,08:00,16:00,toilet,\n")
    assert run(capsys, "import-schedule", str(both), "--allow-past")[0] == 0
    later = write(tmp_path, "later.csv", PLAN + "Zambesidreef 12B,2026-12-03,08:00,16:00,toilet,\n"
                                                "Zambesidreef 12B,2026-12-04,08:00,16:00,"
                                                "bathroom,\n")
    assert run(capsys, "import-schedule", str(later))[2] == (
        f"{later}: 1 added, 0 moved or changed, 1 cancelled, 1 unchanged\n")
    with sqlite3.connect(db) as conn:  # the added bathroom day is told; the kitchen day is not
        [(data,)] = conn.execute("SELECT data FROM due WHERE kind = 'notice_change'").fetchall()
    assert '"added"' in data


def test_files_over_the_size_or_row_limit_are_refused_before_reading(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    await_homes(tmp_path, capsys)
    rows = "".join(f"Zambesidreef 12B,2027-03-{d:02},08:00,16:00,kitchen,\n" for d in range(1, 6))
    path = write(tmp_path, "plan.csv", PLAN + rows)
    monkeypatch.setattr(csvfile, "MAX_ROWS", 4)
    assert run(capsys, "import-schedule", str(path))[:2] == (1, [
        f"{path}: more than 4 rows; the limit is 4 (split it into smaller files)"])
    monkeypatch.setattr(csvfile, "MAX_BYTES", 2 * 1024 * 1024)
    big = write(tmp_path, "big.csv", PLAN + "x" * (3 * 1024 * 1024))
    assert run(capsys, "import-schedule", str(big))[:2] == (1, [
        f"{big}: the file is 3.0 MB; the limit is 2.0 MB (split it into smaller files)"])
    homes = write(tmp_path, "homes.csv", HOMES + "x" * (3 * 1024 * 1024))
    assert run(capsys, "import-homes", str(homes))[:2] == (1, [
        f"{homes}: the file is 3.0 MB; the limit is 2.0 MB (split it into smaller files)"])
    assert count(db, "work_days") == 0


def test_read_table_gives_line_numbers_of_the_file_and_its_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "\n Address ; NOTES\n\"a\nb\";1\n;\nc;2\n", "utf-8-sig")
    table = read_table(path, ["address"], ["notes", "date"])
    assert (table.delimiter, table.encoding, table.columns) == (";", "utf-8-sig",
                                                                 ["address", "notes"])
    assert table.rows == [(3, {"address": "a\nb", "notes": "1"}),
                          (6, {"address": "c", "notes": "2"})]
    with pytest.raises(CsvError, match="line 1: missing column address"):
        read_table(write(tmp_path, "y.csv", "adres\nx\n"), ["address"])


@pytest.mark.parametrize(("folder", "error"), [
    ("homes.csv", "--out: {tmp}/homes.csv is a file, not a folder"),
    ("homes.csv/letters", "--out: cannot write in {tmp}/homes.csv/letters: Not a directory"),
])
def test_out_pointing_at_a_file_is_one_line(tmp_path: Path, db: Path,
                                            capsys: pytest.CaptureFixture[str], folder: str,
                                            error: str) -> None:
    await_homes(tmp_path, capsys)
    code, err, out = run(capsys, "invite-codes", "--building", "zambesidreef", "--bot",
                         "buurtbot_bot", "--out", str(tmp_path / folder))
    assert (code, err, out) == (1, [error.format(tmp=tmp_path)], "")
    assert count(db, "invite_codes") == 0


def test_out_in_a_folder_that_cannot_be_written_is_one_line(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    await_homes(tmp_path, capsys)
    folder = tmp_path / "letters"

    def refuse(*args: object, **kwargs: object) -> None:  # as a read-only disk does, even to root
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("bot.cli.homes.tempfile.TemporaryFile", refuse)
    code, err, _ = run(capsys, "invite-codes", "--building", "zambesidreef", "--bot",
                       "buurtbot_bot", "--out", str(folder))
    assert (code, err) == (1, [f"--out: cannot write in {folder}: Permission denied"])


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+31 6 1234", "'+31 6 1234"),
    ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("Zambesidreef 12-B", "Zambesidreef 12-B"), (3, "3"), (None, ""), ("", ""),
])
def test_exported_cells_are_safe_to_open_in_excel(value: object, cell: str) -> None:
    assert excel_safe(value) == cell


def test_the_codes_csv_escapes_formulas(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    home = Home(7, "zambesidreef", "=cmd|' /C calc'!A0", 1, "", "@A", None)
    write_codes_csv(path, [home], {7: "RCCC3XRV5Y"}, "buurtbot_bot")
    assert path.read_text(encoding="utf-8").splitlines() == [
        "address,building,stairwell,floor,code,link",
        "'=cmd|' /C calc'!A0 1,zambesidreef,'@A,,RCCC3XRV5Y,"
        "https://t.me/buurtbot_bot?start=RCCC3XRV5Y"]


@pytest.mark.parametrize("text", ["1{s}!", "12{s}a{s}x", "{s}12"])
def test_a_typed_house_number_takes_linear_time(text: str) -> None:
    """What a visitor types at "house number" (bot/domain/visits.py): a pasted run of spaces
    took the pattern 20 s for 2,000 and froze the bot while it did."""
    from bot.domain.visits import house_number

    started = time.perf_counter()
    assert house_number(text.format(s=" " * 4000)) == (None if "!" in text or "x" in text
                                                       else (12, ""))
    assert time.perf_counter() - started < 1.0


def test_a_visits_file_with_a_4000_space_address_is_refused_at_once(tmp_path: Path) -> None:
    """import-visits read the address with its own pattern, as slow as the planning's was."""
    from bot.config import EXAMPLE_SITE_CONFIG, load_site_config
    from bot.importers.visits import read_visits

    path = write(tmp_path, "visits.csv", "address,date,round,outcome\n"
                 "a" + " " * 500 + "1" + " " * 500 + "!,2027-03-03,Voorjaar,spoken\n")
    started = time.perf_counter()
    read = read_visits(path, load_site_config(EXAMPLE_SITE_CONFIG), {})
    assert read.errors == ["line 2: address: longer than 120 characters"]
    assert time.perf_counter() - started < 1.0
