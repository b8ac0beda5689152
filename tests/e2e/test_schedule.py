"""The contractor's planning: import with line-numbered errors, re-import diff, residents see it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.domain.policy import Policy
from bot.importers.planning import apply_planning, read_planning
from bot.store.homes import NewHome
from bot.testing.harness import BotHarness
from bot.testing.moments import workday_clock

HEADER = "address,date,start,end,work,notes\n"
NOW = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)


async def linked(h: BotHarness, lang: str, address: tuple[str, int, str]) -> object:
    await h.store.homes.upsert([NewHome("zambesidreef", *address, "A", 3)])
    homes = await h.store.homes.in_building("zambesidreef")
    codes = await h.store.homes.codes_for(homes)
    home = next(x for x in homes if (x.street, x.number, x.addition) == address)
    chat = await h.onboard("Amina" if lang == "ar" else "Piet", lang)
    await chat.send(codes[home.id])
    return chat


def planning(tmp_path: Path, rows: str, name: str = "plan.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


async def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(
        h: BotHarness, tmp_path: Path) -> None:
    await h.store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", 12, "B", "A", 3)])
    path = planning(tmp_path, "Zambesidreef 12-B,2026-03-03,08:00,16:00,kitchen,empty cupboards\n"
                              "Zambesidreef 99,2026-03-04,08:00,16:00,kitchen,\n"
                              "Zambesidreef 12-B,31-02-2026,08:00,16:00,bathroom,\n"
                              "Zambesidreef 12-B,2026-03-05,16:00,08:00,toilet,\n"
                              "Zambesidreef 12-B,2026-03-06,08:00,16:00,garden,\n")
    days, errors = await read_planning(path, h.store.db)
    assert [e.split(":")[0] for e in errors] == ["line 3", "line 4", "line 5", "line 6"]
    assert "not a known home" in errors[0] and "not a date" in errors[1]
    assert "start before it ends" in errors[2] and "garden" in errors[3]
    assert len(days) == 1
    rows = await h.store.db.fetchall("SELECT * FROM work_days")
    assert rows == []


async def test_reimport_detects_moved_added_and_cancelled_days(h: BotHarness,
                                                              tmp_path: Path) -> None:
    await h.store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", 12, "B", "A", 3),
                                NewHome("zambesidreef", "Zambesidreef", 14, "", "A", 3)])
    first = planning(tmp_path, "Zambesidreef 12-B,2026-03-03,08:00,16:00,kitchen,\n"
                               "Zambesidreef 12-B,2026-03-04,08:00,16:00,kitchen,\n"
                               "Zambesidreef 12-B,2026-03-05,08:00,12:00,toilet,\n"
                               "Zambesidreef 14,2026-03-03,08:00,16:00,windows,\n")
    days, errors = await read_planning(first, h.store.db)
    assert not errors
    diff = await apply_planning(h.store.db, days, NOW)
    assert (len(diff.added), len(diff.moved), len(diff.cancelled)) == (4, 0, 0)
    second = planning(tmp_path, "Zambesidreef 12-B,2026-03-03,08:00,16:00,kitchen,\n"
                                "Zambesidreef 12-B,2026-03-10,08:00,16:00,kitchen,\n"
                                "Zambesidreef 12-B,2026-03-06,08:00,16:00,heating,\n"
                                "Zambesidreef 14,2026-03-03,08:00,16:00,windows,\n", "two.csv")
    days, errors = await read_planning(second, h.store.db)
    diff = await apply_planning(h.store.db, days, NOW)
    assert [k[1] for k in diff.moved] == ["kitchen"]
    assert [k[1] for k in diff.added] == ["heating"]
    assert [k[1] for k in diff.cancelled] == ["toilet"]
    assert diff.unchanged == 2


async def test_the_resident_sees_the_schedule_in_their_language(h: BotHarness,
                                                                tmp_path: Path) -> None:
    amina = await linked(h, "ar", ("Zambesidreef", 12, "B"))
    path = planning(tmp_path, "Zambesidreef 12-B,2026-03-03,08:00,16:00,kitchen,empty cupboards\n"
                              "Zambesidreef 12-B,2026-03-04,08:00,16:00,bathroom,\n")
    days, _ = await read_planning(path, h.store.db)
    await apply_planning(h.store.db, days, NOW)
    tr = h.tr("ar")
    await amina.tap_menu(tr._("My renovation"))
    text = amina.last_text
    assert tr.ngettext("Your renovation: {n} work day between {first} and {last}.",
                       "Your renovation: {n} work days between {first} and {last}.", 2,
                       first=tr.date(datetime(2026, 3, 3), "long"),
                       last=tr.date(datetime(2026, 3, 4), "long")) in text
    assert tr._("kitchen") in text and tr._("bathroom") in text and "empty cupboards" in text


async def test_not_linked_yet_explains_the_letter(h: BotHarness) -> None:
    piet = await h.onboard("Piet", "nl")
    tr = h.tr("nl")
    await piet.tap_menu(tr._("My renovation"))
    expected = tr._("Your chat is not linked to your home yet. Scan the QR code in the letter "
                    "from the housing corporation, or type the code from that letter here.")
    assert expected in piet.last_text


def test_cli_import_schedule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BUURTBOT_DB", str(tmp_path / "bot.db"))
    homes = tmp_path / "homes.csv"
    homes.write_text("street,number,addition,building,stairwell,floor\n"
                     "Zambesidreef,12,B,zambesidreef,A,3\n", encoding="utf-8")
    assert main(["import-homes", str(homes)], clock=workday_clock()) == 0
    bad = planning(tmp_path, "Nowhere 1,2026-03-03,08:00,16:00,kitchen,\n", "bad.csv")
    assert main(["import-schedule", str(bad)], clock=workday_clock()) == 1
    assert "nothing imported" in capsys.readouterr().err
    good = planning(tmp_path, "Zambesidreef 12B,03-03-2027,08:00,16:00,kitchen,\n")
    assert main(["import-schedule", str(good)], clock=workday_clock()) == 0
    assert "1 added" in capsys.readouterr().out
    assert main(["import-schedule", str(good)], clock=workday_clock()) == 0
    assert "1 unchanged" in capsys.readouterr().out


async def test_reimport_reads_only_the_work_days_of_the_homes_in_the_file(
        h: BotHarness, tmp_path: Path) -> None:
    await h.store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", n, "", "A", 3)
                                for n in range(1, 602)])
    path = planning(tmp_path, "".join(f"Zambesidreef {n},2026-03-03,08:00,16:00,kitchen,\n"
                                      for n in range(1, 602)))
    days, _ = await read_planning(path, h.store.db)
    await apply_planning(h.store.db, days, NOW, Policy(h.services.site))
    statements: list[str] = []
    await h.store.db.conn.set_trace_callback(statements.append)
    try:  # 600 homes again (more than one chunk of ids), one of them moved; home 601 left alone
        again = planning(tmp_path, "".join(
            f"Zambesidreef {n},2026-03-{4 if n == 2 else 3:02},08:00,16:00,kitchen,\n"
            for n in range(1, 601)), "again.csv")
        days, _ = await read_planning(again, h.store.db)
        diff = await apply_planning(h.store.db, days, NOW, Policy(h.services.site))
    finally:
        await h.store.db.conn.set_trace_callback(None)
    assert (len(diff.added), len(diff.moved), len(diff.cancelled), diff.unchanged) == (
        0, 1, 0, 599)
    reads = [s for s in statements if s.startswith("SELECT") and "FROM work_days" in s]
    assert [s for s in reads if " WHERE " not in s] == []  # not every home's days
    assert [s for s in reads if s.startswith("SELECT id FROM")] == []  # no id per change
    assert len([s for s in reads if "WHERE home_id IN" in s]) == 2  # 500 + 100 homes
    notices = await h.store.db.fetchall(
        "SELECT count(*) FROM due WHERE kind = 'notice_change'")
    assert notices[0][0] == 1
