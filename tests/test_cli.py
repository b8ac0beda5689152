"""The operator commands: a file that cannot be read or a bad site file is one clear line, not a
traceback, and nothing is imported."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import config
from bot.cli.demo import STAND_IN, WIDTH, run_demo
from bot.cli.demo_words import (
    AMINA_QUESTION,
    AMINA_REPORT,
    DEMO_WORDS,
    FATIMA_ANSWER,
    FATIMA_REPLY,
    JOOST_REPLY,
    MEHMET_HELP,
)
from bot.cli.main import main
from bot.cli.site import check_site
from bot.config import EXAMPLE_SITE_CONFIG, ConfigError, load_site_config
from bot.content import CONTENT_DIR, Content
from bot.store import clock
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


@pytest.fixture(scope="module")
def demo() -> Iterator[str]:
    """What `buurtbot demo` prints, played once for the tests below, with the wall clock
    forbidden as in every test (conftest.py; a module fixture starts before that one)."""
    out, root = io.StringIO(), logging.getLogger()
    level = root.level
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.setattr(clock, "wall_clock_allowed", False)
        code = asyncio.run(run_demo(load_site_config(EXAMPLE_SITE_CONFIG)))
    root.setLevel(level)  # the demo quiets the log; the other tests keep theirs
    assert code == 0, out.getvalue()
    yield out.getvalue()


def section(out: str, title: str) -> str:
    """The text under the demo's banner whose title starts with `title`, up to the next one."""
    rule = "=" * WIDTH
    lines = out.splitlines()
    starts = [i for i in range(1, len(lines) - 1)
              if lines[i - 1] == rule and lines[i + 1] == rule]
    for n, i in enumerate(starts):
        if lines[i].startswith(title):
            end = starts[n + 1] - 1 if n + 1 < len(starts) else len(lines)
            return "\n".join(lines[i + 2:end])
    raise AssertionError(f"no section {title!r} in the demo; titles: "
                         f"{[lines[i] for i in starts]}")


def test_the_demo_names_its_stand_in_translator_and_shows_the_cards_in_dutch(demo: str) -> None:
    assert STAND_IN in demo.splitlines()[:3]
    assert "127.0.0.1" in STAND_IN and "LibreTranslate" in STAND_IN
    group = section(demo, "The group of Woningcorporatie")
    # Amina's Arabic report on the card, in Dutch, labelled, the original kept below
    assert "🌐 Automatisch vertaald uit het Arabisch:" in group
    assert DEMO_WORDS["ar", "nl", AMINA_REPORT] in group
    assert AMINA_REPORT in group
    # Mehmet's Turkish on the card of Werk & Inkomen
    work = section(demo, "The group of Werk & Inkomen")
    assert "🌐 Automatisch vertaald uit het Turks:" in work
    assert DEMO_WORDS["tr", "nl", MEHMET_HELP] in work
    # every text the demo sent to the stand-in had a canned translation: it marks any other
    # with "[nl] " (or the target's code), which would show a sentence added without one
    assert not any(f"[{code}] " in demo for code in ("nl", "ar", "tr", "en"))


def test_in_the_demo_fatima_s_words_reach_amina_in_arabic(demo: str) -> None:
    amina = section(demo, "Amina's chat meanwhile")
    assert DEMO_WORDS["nl", "ar", FATIMA_REPLY] in amina
    assert DEMO_WORDS["nl", "ar", FATIMA_ANSWER] in amina
    assert FATIMA_REPLY in amina  # the original stays at hand
    assert "Automatisch vertaald" not in amina  # Amina reads no Dutch label


def test_in_the_demo_joost_s_words_reach_mehmet_in_turkish(demo: str) -> None:
    mehmet = section(demo, "Mehmet's chat meanwhile")
    assert DEMO_WORDS["nl", "tr", JOOST_REPLY] in mehmet
    assert JOOST_REPLY in mehmet


def test_in_the_demo_amina_s_question_reaches_the_group_in_dutch(demo: str) -> None:
    group = section(demo, "The group of Woningcorporatie")
    assert DEMO_WORDS["ar", "nl", AMINA_QUESTION] in group
    assert AMINA_QUESTION in group  # the original stays at hand


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
    assert main(["invite-codes", "--building", "zambesidreef", "--bot", "buurtbot_bot"],
                clock=workday_clock()) == 0
    letters = checkout / "letters"
    assert f"written to {letters}: zambesidreef-codes.csv, " in capsys.readouterr().out
    assert (letters / "zambesidreef-codes.csv").exists()
    assert list(elsewhere.iterdir()) == []
