"""`buurtbot import-visits`: visits from paper and spreadsheets. Every bad row is reported with
its line number and nothing is half-imported; a name not seen before starts a round; referrals
become requests (consent recorded as "import") after a confirmation or --yes; the same file
imported twice changes and posts nothing."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.store import Store
from bot.store.homes import NewHome
from bot.testing.harness import BotHarness
from bot.testing.moments import workday_clock

HOMES = [NewHome("zambesidreef", "Zambesidreef", 12, "B", "A", 3),
         NewHome("zambesidreef", "Zambesidreef", 14, "", "A", 3),
         NewHome("zambesidreef", "Zambesidreef", 16, "", "B", 4)]
HEADER = "address,date,round,outcome,referred_to,notes\n"
GOOD = ("Zambesidreef 12-B,2027-03-02,Voorjaar 2027,not_home,,\n"
        "Zambesidreef 14,2027-03-02,Voorjaar 2027,spoken,dock werk_inkomen,wil hulp\n"
        "zambesidreef 16,03-03-2027,Voorjaar 2027,refused,,\n")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.db"
    monkeypatch.setenv("BUURTBOT_DB", str(path))

    async def add_homes() -> None:
        store = await Store.open(path, workday_clock())
        await store.homes.upsert(HOMES)
        await store.close()

    asyncio.run(add_homes())
    return path


def csv_file(tmp_path: Path, rows: str, name: str = "visits.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def answer(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_bad_rows_are_listed_with_their_line_numbers_and_nothing_is_written(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = csv_file(tmp_path, GOOD
                    + "Zambesidreef 99,2027-03-02,Voorjaar 2027,spoken,,\n"
                      "Zambesidreef 14,31-02-2027,Voorjaar 2027,spoken,,\n"
                      "Zambesidreef 14,2027-03-04,Voorjaar 2027,asleep,,\n"
                      "Zambesidreef 14,2027-03-04,Voorjaar 2027,spoken,dokc,\n"
                      "Zambesidreef 16,2027-03-04,Voorjaar 2027,not_home,dock,\n"
                      "Zambesidreef 16,2027-03-04,,spoken,,\n")
    assert main(["import-visits", str(path), "--yes"], clock=workday_clock()) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if ": line " in line]
    assert [line.split(": ")[1] for line in lines] == [f"line {n}" for n in range(5, 11)]
    assert "not a known home" in lines[0] and "not a date" in lines[1]
    assert "'asleep'" in lines[2] and "'dokc'" in lines[3]
    assert "spoken to" in lines[4] and "round" in lines[5]
    assert "nothing imported (6 bad rows)" in err
    for table in ("visit_rounds", "visits", "visit_referrals", "tickets", "outbox"):
        assert count(db, table) == 0, table


def test_the_import_asks_before_it_posts_referrals(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = csv_file(tmp_path, GOOD)
    answer(monkeypatch, "n\n")
    assert main(["import-visits", str(path)], clock=workday_clock()) == 1
    out = capsys.readouterr()
    assert ("2 referrals will become requests: 1 for DOCK, 1 for Werk & Inkomen. "
            "Post them? [y/N]") in out.out
    assert "nothing imported" in out.err
    assert count(db, "visits") == count(db, "tickets") == 0
    answer(monkeypatch, "")  # nobody there to answer: no
    assert main(["import-visits", str(path)], clock=workday_clock()) == 1
    assert count(db, "visits") == 0
    answer(monkeypatch, "j\n")
    assert main(["import-visits", str(path), "--partner", "woningcorporatie"],
                clock=workday_clock()) == 0
    assert ("3 visits added, 0 already imported, 1 rounds started, 2 referrals posted"
            in capsys.readouterr().out)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT building, name, kind, partner_id, starts_on, ends_on FROM"
                            " visit_rounds").fetchall() == [
            ("zambesidreef", "Voorjaar 2027", "before", "woningcorporatie", "2027-03-02",
             "2027-03-03")]
        assert conn.execute("SELECT x.partner_id, x.consent, t.partner_id, t.kind, t.category"
                            " FROM visit_referrals x JOIN tickets t ON t.id = x.ticket_id"
                            " ORDER BY x.id").fetchall() == [
            ("dock", "import", "dock", "help", "help_other"),
            ("werk_inkomen", "import", "werk_inkomen", "help", "money")]
        cards = conn.execute("SELECT chat_id FROM outbox WHERE method = 'card'").fetchall()
    assert len(cards) == 2  # in the outbox: the running bot posts them
    # a file without referrals asks nothing
    quiet = csv_file(tmp_path, "Zambesidreef 16,2027-03-09,Voorjaar 2027,spoken,,\n", "q.csv")
    answer(monkeypatch, "")
    assert main(["import-visits", str(quiet)], clock=workday_clock()) == 0
    assert "Post them?" not in capsys.readouterr().out


async def test_an_import_posted_twice_changes_nothing(h: BotHarness, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The running bot delivers what the command put in the outbox; a second run of the same
    file (with a row repeated in it, too) adds no visit and posts no card."""
    monkeypatch.setenv("BUURTBOT_DB", str(h.services.settings.db))
    await h.store.homes.upsert(HOMES)
    path = csv_file(tmp_path, GOOD + GOOD.splitlines(keepends=True)[1])

    def cli(*args: str) -> int:
        return main(list(args), clock=workday_clock())

    assert await asyncio.to_thread(cli, "import-visits", str(path), "--yes") == 0
    await h.deliver()
    tr = h.tr("nl")
    [card] = [m for m in h.group("dock").messages() if str(m.get("text", "")).startswith("🆕")]
    assert "🤝 " + tr._("Referred after a home visit by {partner}",
                       partner="Woningcorporatie") in str(card["text"])
    assert "Zambesidreef 14" in str(card["text"])
    assert h.group("werk_inkomen").texts()
    before = {t: await h.store.db.fetchone(f"SELECT count(*) FROM {t}")
              for t in ("visits", "visit_referrals", "tickets", "outbox", "visit_rounds")}
    assert before["visits"][0] == 3 and before["tickets"][0] == 2
    assert await asyncio.to_thread(cli, "import-visits", str(path), "--yes") == 0
    await h.deliver()
    after = {t: await h.store.db.fetchone(f"SELECT count(*) FROM {t}") for t in before}
    assert {t: tuple(r) for t, r in after.items()} == {t: tuple(r) for t, r in before.items()}
    assert len([m for m in h.group("dock").messages()
                if str(m.get("text", "")).startswith("🆕")]) == 1
