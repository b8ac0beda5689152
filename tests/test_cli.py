"""The operator commands: a file that cannot be read or a bad site file is one clear line, not a
traceback, and nothing is imported."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot import config
from bot.cli.main import main
from bot.cli.site import check_site
from bot.config import EXAMPLE_SITE_CONFIG, ConfigError
from bot.content import CONTENT_DIR, Content
from bot.testing.moments import workday_clock

HOMES = "street,number,addition,building,stairwell,floor\n"
PLAN = "address,date,start,end,work,notes\n"


def problems(err: str, db: Path) -> list[str]:
    """stderr without the database line every store command starts with."""
    lines = err.splitlines()
    assert lines[0].startswith(f"database: {db}"), lines
    return lines[1:]


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.db"
    monkeypatch.setenv("BUURTBOT_DB", str(path))
    return path


def test_import_homes_from_a_missing_or_non_utf8_file(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.csv"
    assert main(["import-homes", str(missing)], clock=workday_clock()) == 1
    assert problems(capsys.readouterr().err, db) == [
        f"{missing}: cannot read: No such file or directory"]
    latin = tmp_path / "homes.csv"
    latin.write_bytes((HOMES + "Zambesidreef,1,,zambesidreef,A,1\n"
                       "Rüdesheimstraat,2,,zambesidreef,A,1\n").encode("latin-1"))
    assert main(["import-homes", str(latin)], clock=workday_clock()) == 1
    assert problems(capsys.readouterr().err, db) == [
        f"{latin}: cannot read: line 3 is not UTF-8 text (save the file as CSV UTF-8)"]
    assert count(db, "homes") == 0


def test_import_schedule_from_a_missing_or_non_utf8_file(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    homes = tmp_path / "homes.csv"
    homes.write_text(HOMES + "Zambesidreef,12,B,zambesidreef,A,3\n", encoding="utf-8")
    assert main(["import-homes", str(homes)], clock=workday_clock()) == 0
    capsys.readouterr()
    missing = tmp_path / "planning.csv"
    assert main(["import-schedule", str(missing)], clock=workday_clock()) == 1
    assert problems(capsys.readouterr().err, db) == [
        f"{missing}: cannot read: No such file or directory"]
    latin = tmp_path / "latin.csv"
    latin.write_bytes((PLAN + "Zambesidreef 12-B,2026-03-03,08:00,16:00,kitchen,\n"
                       "Zambesidreef 12-B,2026-03-04,08:00,16:00,bathroom,geen douche: "
                       "gebruik de logeerwoning\u2026\n").encode("cp1252"))
    assert main(["import-schedule", str(latin)], clock=workday_clock()) == 1
    assert problems(capsys.readouterr().err, db) == [
        f"{latin}: cannot read: line 3 is not UTF-8 text (save the file as CSV UTF-8)"]
    assert main(["import-schedule", str(tmp_path)], clock=workday_clock()) == 1  # a folder
    [line] = problems(capsys.readouterr().err, db)
    assert line.startswith(f"{tmp_path}: cannot read: ")
    assert count(db, "work_days") == 0


def test_demo_with_a_bad_site_file_says_why(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.toml"
    assert main(["demo", "--config", str(missing)], clock=workday_clock()) == 1
    assert capsys.readouterr().err.strip() == f"{missing}: file not found"
    bad = tmp_path / "bad.toml"
    bad.write_text("partners = [\n", encoding="utf-8")
    assert main(["demo", "--config", str(bad)], clock=workday_clock()) == 1
    assert "not valid TOML" in capsys.readouterr().err


def test_check_config_reports_a_language_without_faq(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    assert check_site(EXAMPLE_SITE_CONFIG, content) is not None
    Content.load(["nl", "tr"], content)
    (content / "faq" / "tr.toml").unlink()
    with pytest.raises(FileNotFoundError):  # what the bot would meet at start
        Content.load(["nl", "tr"], content)
    with pytest.raises(ConfigError) as err:
        check_site(EXAMPLE_SITE_CONFIG, content)
    assert err.value.problems == [
        f"languages: no FAQ for tr (expected {content / 'faq' / 'tr.toml'})"]


def test_invite_codes_go_to_the_letters_folder_and_say_where(
        tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.setattr(config, "ROOT", checkout)
    elsewhere = tmp_path / "elsewhere"  # the current folder gets nothing
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["invite-codes", "--building", "nope", "--bot", "b"], clock=workday_clock()) == 1
    assert problems(capsys.readouterr().err, db) == ["no building 'nope' in the site file"]
    assert not db.exists()  # a typo creates no database
    homes = tmp_path / "homes.csv"
    homes.write_text(HOMES + "Zambesidreef,12,B,zambesidreef,A,3\n", encoding="utf-8")
    assert main(["import-homes", str(homes)], clock=workday_clock()) == 0
    capsys.readouterr()
    assert main(["invite-codes", "--building", "zambesidreef", "--bot", "b"],
                clock=workday_clock()) == 0
    letters = checkout / "letters"
    assert f"written to {letters}: zambesidreef-codes.csv, " in capsys.readouterr().out
    assert (letters / "zambesidreef-codes.csv").exists()
    assert list(elsewhere.iterdir()) == []
