"""`buurtbot report`: the figures on the terminal, in a .csv and in an .xlsx (opened again with
openpyxl), counts under 5 as "<5" unless --exact, the filters, and one clear line for a bad
argument."""

from __future__ import annotations

import asyncio
import csv
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.cli.main import main
from bot.i18n import I18n, Translator
from bot.store import Store
from bot.store.clock import SimClock, iso

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 11, 0, tzinfo=AMS)


def nl() -> Translator:
    return I18n(["nl"], "nl", AMS).get("nl")


def seed(path: Path) -> None:
    """Zambesidreef: 20 homes, a round (12 visited, 8 spoken to, 6 referrals to Werk & Inkomen
    and 3 to DOCK in November), 7 homes linked; Gambiadreef: 3 homes, a round named like a
    formula (3 visited, 2 spoken to, 1 referral in October). Six noise reports in November,
    each claimed after an hour and answered after two; two help requests in October."""
    async def schema() -> None:
        await (await Store.open(path, SimClock(NOW))).close()

    asyncio.run(schema())
    at = iso(NOW)
    with sqlite3.connect(path) as conn:
        homes = [(i, "zambesidreef", "Zambesidreef", i) for i in range(1, 21)]
        homes += [(20 + i, "gambiadreef", "Gambiadreef", i) for i in range(1, 4)]
        conn.executemany("INSERT INTO homes (id, building, street, number) VALUES (?, ?, ?, ?)",
                         homes)
        conn.executemany("INSERT INTO residents (user_id, lang, created_at, updated_at)"
                         " VALUES (?, ?, ?, ?)",
                         [(100 + i, "ar" if i % 2 else "nl", at, at) for i in range(1, 8)])
        conn.executemany("INSERT INTO home_residents VALUES (?, ?, ?)",
                         [(i, 100 + i, at) for i in range(1, 8)])
        conn.executemany(
            "INSERT INTO visit_rounds (id, building, name, kind, partner_id, created_at)"
            " VALUES (?, ?, ?, 'before', 'dock', ?)",
            [(1, "zambesidreef", "Voorjaar 2027", at), (2, "gambiadreef", "=1+1", at)])
        visits = [(i, 1, i, "2026-11-02", "spoken" if i <= 8 else "not_home")
                  for i in range(1, 13)]
        visits += [(12 + i, 2, 20 + i, "2026-10-05", "spoken" if i <= 2 else "refused")
                   for i in range(1, 4)]
        conn.executemany("INSERT INTO visits (id, round_id, home_id, visited_on, outcome, source,"
                         " created_at) VALUES (?, ?, ?, ?, ?, 'import', ?)",
                         [(*v, at) for v in visits])
        referrals = [(i, "werk_inkomen") for i in range(1, 7)] + [(i, "dock") for i in (1, 2, 3)]
        referrals.append((13, "werk_inkomen"))
        conn.executemany("INSERT INTO visit_referrals (visit_id, partner_id, topic, consent,"
                         " created_at) VALUES (?, ?, 'money', 'import', ?)",
                         [(*r, at) for r in referrals])
        tickets = [(i, "nuisance", "noise", "woningcorporatie", "zambesidreef",
                    datetime(2026, 11, 2, 10, i, tzinfo=UTC)) for i in range(1, 7)]
        tickets += [(6 + i, "help", "money", "werk_inkomen", "gambiadreef",
                     datetime(2026, 10, 5, 10, tzinfo=UTC)) for i in (1, 2)]
        for tid, kind, category, partner, building, created in tickets:
            conn.execute(
                "INSERT INTO tickets (id, ref, draft_key, kind, category, partner_id, building,"
                " lang, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'nl',"
                " 'claimed', ?, ?)", (tid, f"M-{tid:04d}", f"d{tid}", kind, category, partner,
                                      building, iso(created), iso(created)))
            events = [("created", created), ("claim", created + timedelta(hours=1)),
                      ("reply", created + timedelta(hours=2))]
            conn.executemany("INSERT INTO ticket_events (ticket_id, at, actor, event)"
                             " VALUES (?, ?, 'staff:1', ?)",
                             [(tid, iso(moment), event) for event, moment in events])


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.db"
    monkeypatch.setenv("BUURTBOT_DB", str(path))
    seed(path)
    return path


def report(*argv: str) -> int:
    return main(["report", *argv], clock=SimClock(NOW))


def block(out: str, title: str) -> list[str]:
    """The lines of one table on the terminal: its title up to the blank line after it."""
    lines = out.split("\n")
    start = lines.index(title)
    end = lines.index("", start)
    return lines[start:end]


def cells(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def test_the_terminal_table_masks_counts_under_five(db: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    tr = nl()
    assert report() == 0
    out = capsys.readouterr().out
    visits = block(out, tr._("Home visits per building and round"))
    assert cells(visits[1])[:6] == [tr._("Building"), tr._("Round"), tr._("Homes"),
                                    tr._("Visited"), "%", tr._("Spoken to")]
    assert [cells(line)[:7] for line in visits[3:5]] == [
        ["Zambesidreef", "Voorjaar 2027", "20", "12", "60%", "8", "40%"],
        ["Gambiadreef", "=1+1", "<5", "<5", "*", "<5", "*"]]
    # DOCK 3 of 8 spoken to: masked, and so is its percentage; Werk & Inkomen 6 of 8: 75%
    assert cells(visits[3])[7:] == ["<5", "*", "6", "75%", "9", "113%"]
    assert cells(visits[-1])[:7] == [tr._("Total"), "23", "15", "65%", "10", "43%", "<5"]
    partners = block(out, tr._("Requests per partner"))
    assert cells(partners[3])[:6] == ["Woningcorporatie", "6", "2,0", "2,0", "–", "–"]
    assert cells(partners[4])[:2] == ["Werk & Inkomen", "<5"]
    reach = block(out, tr._("Reach: homes with at least one linked resident"))
    assert cells(reach[3]) == ["Zambesidreef", "20", "7", "35%", "<5", "<5"]
    assert tr._("{mask}: fewer than 5, not shown for privacy; {pct}: a percentage that would "
                "show such a number.", mask="<5", pct="*") in out


def test_exact_shows_every_count(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tr = nl()
    assert report("--exact") == 0
    out = capsys.readouterr().out
    visits = block(out, tr._("Home visits per building and round"))
    assert cells(visits[3])[7:] == ["3", "38%", "6", "75%", "9", "113%"]
    assert cells(visits[4])[:7] == ["Gambiadreef", "=1+1", "3", "3", "100%", "2", "67%"]
    assert "<5" not in out


def test_csv_is_one_file_of_tables_safe_for_excel(db: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    tr = nl()
    out = tmp_path / "figures.csv"
    assert report("--out", str(out)) == 0
    assert capsys.readouterr().out.startswith(f"{out}: 5 ")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte order mark: Excel reads the accents
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    title = rows.index([tr._("Home visits per building and round")])
    header = rows[title + 1]
    assert header[:7] == [tr._("Building"), tr._("Round"), tr._("Homes"), tr._("Visited"),
                          tr._("{what} %", what=tr._("Visited")), tr._("Spoken to"),
                          tr._("{what} %", what=tr._("Spoken to"))]
    assert rows[title + 2][:7] == ["Zambesidreef", "Voorjaar 2027", "20", "12", "60", "8", "40"]
    # the round named like a formula stays text; the masked counts are "<5"
    assert rows[title + 3][:4] == ["Gambiadreef", "'=1+1", "<5", "<5"]
    assert rows[title + 4][:3] == [tr._("Total"), "", "23"]


def test_xlsx_opens_with_a_sheet_per_table_and_numbers_as_numbers(
        db: Path, tmp_path: Path) -> None:
    tr = nl()
    out = tmp_path / "figures.xlsx"
    assert report("--out", str(out)) == 0
    book = load_workbook(out)
    sheet = book.worksheets[0]
    assert sheet.title == tr._("Home visits per building and round")[:31]
    assert len(book.worksheets) == 5
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    header = next(i for i, r in enumerate(values) if r[0] == tr._("Building"))
    assert values[header + 1][:7] == ["Zambesidreef", "Voorjaar 2027", 20, 12, 60, 8, 40]
    formula = sheet.cell(header + 3, 2)
    assert (formula.value, formula.data_type) == ("=1+1", "s")  # text, never run
    assert values[header + 2][2:4] == ["<5", "<5"]
    assert values[header + 3][:5] == [tr._("Total"), None, 23, 15, 65]
    assert sheet.cell(header + 4, 1).font.bold  # the total (1-based rows)
    partners = book.worksheets[3]
    rows = [[c.value for c in r] for r in partners.iter_rows()]
    at = next(i for i, r in enumerate(rows) if r[0] == "Woningcorporatie")
    assert rows[at][:4] == ["Woningcorporatie", 6, 2.0, 2.0]


def test_xlsx_exact(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "exact.xlsx"
    assert report("--out", str(out), "--exact") == 0
    values = [[c.value for c in r] for r in load_workbook(out).worksheets[0].iter_rows()]
    gambia = next(r for r in values if r[0] == "Gambiadreef")
    assert gambia[2:7] == [3, 3, 100, 2, 67]


def test_filters_by_building_round_and_period(db: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    tr = nl()
    title = tr._("Home visits per building and round")

    def names(out: str) -> list[str]:
        return [cells(line)[0] for line in block(out, title)[3:] if not line.startswith("-")]

    assert report("--building", "gambiadreef", "--exact") == 0
    out = capsys.readouterr().out
    assert names(out) == ["Gambiadreef", tr._("Total")]
    assert cells(block(out, tr._("Requests per kind"))[-1]) == [tr._("Total"), "2"]
    assert report("--round", "1", "--exact") == 0
    out = capsys.readouterr().out
    assert names(out)[0] == "Zambesidreef" and "Gambiadreef" not in out
    assert cells(block(out, tr._("Requests per kind"))[-1]) == [tr._("Total"), "6"]
    assert report("--from", "2026-11-01", "--to", "2026-11-30", "--exact") == 0
    out = capsys.readouterr().out
    assert names(out)[0] == "Zambesidreef" and "Gambiadreef" not in block(out, title)[3]
    assert cells(block(out, tr._("Requests per kind"))[-1]) == [tr._("Total"), "6"]
    assert report("--from", "2026-10-01", "--to", "2026-10-31", "--exact") == 0
    out = capsys.readouterr().out
    assert names(out)[0] == "Gambiadreef"
    assert cells(block(out, tr._("Requests per kind"))[-1]) == [tr._("Total"), "2"]


@pytest.mark.parametrize(("argv", "line"), [
    (["--from", "2026-13-01"],
     "report: --from: '2026-13-01' is not a date (write it as YYYY-MM-DD, e.g. 2026-12-31)"),
    (["--to", "1 december"],
     "report: --to: '1 december' is not a date (write it as YYYY-MM-DD, e.g. 2026-12-31)"),
    (["--from", "2026-12-01", "--to", "2026-11-01"],
     "report: --to 2026-11-01 is before --from 2026-12-01"),
    (["--out", "figures.pdf"], "report: --out: 'figures.pdf' must end in .csv or .xlsx "
                               "(without --out the table goes to the terminal)"),
    (["--round", "99"], "report: --round: there is no visit round 99"),
    (["--round", "one"], "report: --round: 'one' is not a round number"),
    (["--building", "nowhere"], "report: --building: no building 'nowhere' in the site file "
                                "(there are: zambesidreef, gambiadreef, tigrisdreef)"),
])
def test_a_bad_argument_is_one_clear_line(db: Path, capsys: pytest.CaptureFixture[str],
                                          argv: list[str], line: str) -> None:
    assert report(*argv) == 1
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert err[0].startswith("database: ")
    assert err[1:] == [line]
    assert captured.out == ""


def test_no_database_is_not_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.db"
    monkeypatch.setenv("BUURTBOT_DB", str(missing))
    assert report() == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"report: no database at {missing} (set BUURTBOT_DB)")
    assert not missing.exists()
