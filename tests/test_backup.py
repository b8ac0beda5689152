"""Backups and restore: `buurtbot backup` copies the database while the bot writes to it, and
`buurtbot restore` puts a checked copy back, keeping what it replaces. The central test takes
a backup in the middle of a burst of reports through the real bot and restores it."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import shutil
import sqlite3
import stat
import threading
from pathlib import Path

import aiosqlite
import pytest

from bot.cli import backup as cli
from bot.cli.main import main
from bot.store import Store
from bot.store.backup import backup_to, check, in_use
from bot.store.migrations import MIGRATIONS, migrate
from bot.testing.harness import BotHarness
from bot.testing.moments import workday_clock

STAMP = "2026-12-01T1000Z"  # the harness's moment, 11:00 in Amsterdam, in UTC
LINE = re.compile(r"backup: (?P<path>\S+) \(\d+\.\d kB, (?P<requests>\d+) requests, "
                  r"(?P<residents>\d+) residents, last request 2026-12-01 10:00 UTC, "
                  rf"schema {len(MIGRATIONS)}\) OK")


async def file_reports(db: Path, count: int) -> list[str]:
    """`count` reports filed through the real bot on `db`, by two residents: their refs."""
    refs = []
    async with BotHarness.start(db) as h:
        people = [await h.onboard("Amina", "ar"), await h.onboard("Joost", "nl")]
        for n in range(count):
            ticket = await people[n % 2].report()
            refs.append(ticket.ref)
    return refs


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with three reports, closed (the tests copy it)."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    assert len(asyncio.run(file_reports(path, 3))) == 3
    return path


@pytest.fixture
def db(tmp_path: Path, seed: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "buurtbot.db"
    path.parent.mkdir()
    shutil.copyfile(seed, path)
    monkeypatch.setenv("BUURTBOT_DB", str(path))
    return path


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.execute(sql).fetchall())
    finally:
        conn.close()


def consistent(path: Path) -> None:
    """A whole database: integrity ok, every ticket with its 'created' event, every outbox row
    a payload that parses, nothing referring to a ticket that is not there."""
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]
    assert rows(path, "PRAGMA foreign_key_check") == []
    assert rows(path, "SELECT id FROM tickets WHERE id NOT IN "
                      "(SELECT ticket_id FROM ticket_events WHERE event = 'created')") == []
    for (payload,) in rows(path, "SELECT payload FROM outbox"):
        assert isinstance(json.loads(str(payload)), dict)
    assert rows(path, "SELECT count(*) FROM tickets WHERE ref IS NULL") == [(0,)]


def err_lines(capsys: pytest.CaptureFixture[str]) -> tuple[str, list[str]]:
    out = capsys.readouterr()
    return out.out, out.err.splitlines()


class Terminal(io.StringIO):
    """A stdin someone types into."""

    def isatty(self) -> bool:
        return True


# -- backup ---------------------------------------------------------------------------------


async def test_a_backup_of_an_idle_database_holds_what_is_still_in_its_wal(
        h: BotHarness, tmp_path: Path) -> None:
    amina = await h.onboard("Amina", "ar")
    refs = [(await amina.report(text="Lawaai in de hal")).ref for _ in range(2)]
    db = tmp_path / "bot.db"
    wal = Path(f"{db}-wal")
    assert wal.stat().st_size > 0  # the bot's commits are in the WAL, not yet in the file
    target = tmp_path / "copy.db"
    summary = await backup_to(db, target)
    assert (summary.path, summary.requests, summary.residents) == (target, 2, 1)
    assert summary.schema == len(MIGRATIONS) and summary.restorable
    assert sorted(r for (r,) in rows(target, "SELECT ref FROM tickets")) == sorted(refs)
    consistent(target)
    # One private, self-contained file, and nothing left beside it.
    assert rows(target, "PRAGMA journal_mode") == [("delete",)]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.db"]


async def test_a_backup_taken_during_a_burst_of_reports_restores_every_confirmed_one(
        h: BotHarness, tmp_path: Path) -> None:
    """The backup runs on the same event loop as the bot, on its own connection in a worker
    thread, while residents keep filing reports: it holds its snapshot until three more reports
    have been confirmed, so the bot demonstrably went on writing meanwhile."""
    db, target = tmp_path / "bot.db", tmp_path / "nightly.db"
    people = [await h.onboard(name, lang) for name, lang in
              (("Amina", "ar"), ("Mehmet", "tr"), ("Joost", "nl"), ("Sara", "en"))]
    confirmed: list[str] = []
    during: list[str] = []
    copying, filed_meanwhile = threading.Event(), threading.Event()

    async def burst() -> None:
        """Reports until four were confirmed while the backup was copying (a copy that
        started over at each of them finishes only after the burst, with all of them)."""
        n = 0
        while len(during) < 4:
            ticket = await people[n % len(people)].report(text="Harde muziek in het trappenhuis")
            confirmed.append(ticket.ref)  # the resident has been told the reference
            if copying.is_set():
                during.append(ticket.ref)
                if len(during) >= 3:
                    filed_meanwhile.set()
            n += 1
            await asyncio.sleep(0)

    def hold(done_pages: int, total: int) -> None:  # in the backup's worker thread
        if not copying.is_set():
            copying.set()
            assert filed_meanwhile.wait(timeout=20), "no report got through during the backup"

    filing = asyncio.create_task(burst())
    while len(confirmed) < 5:
        await asyncio.sleep(0.01)
    before = list(confirmed)  # confirmed before the backup started
    summary = await backup_to(db, target, pages=4, pause=0.001, progress=hold)
    await filing
    final = await h.store.db.fetchall("SELECT ref FROM tickets")
    assert summary.requests < len(final)  # a snapshot: not what was filed while it ran

    # The bot still has its database open: a restore over it is refused, nothing changed.
    assert await in_use(db)
    assert await cli.restore(target, db, h.clock, yes=True) == 1
    assert len(await h.store.db.fetchall("SELECT ref FROM tickets")) == len(final)

    fresh = tmp_path / "restored" / "buurtbot.db"
    assert await cli.restore(target, fresh, h.clock, yes=True) == 0
    restored = {str(r) for (r,) in rows(fresh, "SELECT ref FROM tickets")}
    assert set(before) <= restored, sorted(set(before) - restored)
    assert len(restored) == summary.requests >= len(before)
    consistent(fresh)
    store = await Store.open(fresh, h.clock)  # the bot can run on it
    try:
        assert len(await store.tickets.for_resident(people[0].person.id)) >= 1
    finally:
        await store.close()


def test_backup_into_a_folder_gets_a_dated_name_and_never_overwrites(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    assert main(["backup", str(folder)], clock=workday_clock()) == 0
    out, err = err_lines(capsys)
    assert err == [f"database: {db}"]
    line = LINE.fullmatch(out.strip())
    assert line, out
    assert line["path"] == str(folder / f"buurtbot-{STAMP}.db")
    assert (line["requests"], line["residents"]) == ("3", "2")
    made = folder / f"buurtbot-{STAMP}.db"
    consistent(made)
    first = made.read_bytes()

    assert main(["backup", str(folder)], clock=workday_clock()) == 2  # same minute, same name
    _, err = err_lines(capsys)
    assert err[1:] == [f"backup: {made} exists: pass --force to overwrite it, or name another "
                       "file"]
    assert made.read_bytes() == first
    assert main(["backup", str(made), "--force"], clock=workday_clock()) == 0
    assert LINE.fullmatch(capsys.readouterr().out.strip())
    assert [p.name for p in folder.iterdir()] == [made.name]  # no partial files left


def test_backup_names_its_database_and_refuses_bad_paths(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "elsewhere.db"
    shutil.copyfile(db, other)
    target = tmp_path / "b.db"
    assert main(["backup", str(target), "--db", str(other)], clock=workday_clock()) == 0
    out, err = err_lines(capsys)
    assert err == [f"database: {other}"] and out.startswith(f"backup: {target} (")

    missing = tmp_path / "nope" / "x.db"
    assert main(["backup", str(missing)], clock=workday_clock()) == 2
    assert err_lines(capsys)[1][1:] == [
        f"backup: the folder {missing.parent} does not exist: create it first "
        f"(install -d -m 700 {missing.parent})"]
    meant = tmp_path / "backups"  # "backups/": a folder, even when it is not there
    assert main(["backup", f"{meant}/"], clock=workday_clock()) == 2
    assert err_lines(capsys)[1][1:] == [
        f"backup: the folder {meant} does not exist: create it first (install -d -m 700 {meant})"]
    assert not meant.exists()
    assert main(["backup", str(db)], clock=workday_clock()) == 2
    assert err_lines(capsys)[1][1:] == [
        f"backup: {db} is the database itself: name another file"]
    gone = tmp_path / "gone.db"
    assert main(["backup", str(target), "--force", "--db", str(gone)],
                clock=workday_clock()) == 2
    assert err_lines(capsys)[1] == [
        f"database: {gone} (does not exist yet)",
        f"backup: no database at {gone}: set BUURTBOT_DB or pass --db"]
    assert not gone.exists()  # a typo never makes an empty database
    with pytest.raises(SystemExit) as exit_:
        main(["backup"], clock=workday_clock())
    assert exit_.value.code == 2


def test_a_damaged_database_gives_no_backup_at_all(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = int(rows(db, "PRAGMA page_size")[0][0])
    with db.open("r+b") as f:  # wreck a page in the middle (the first one stays valid)
        f.seek(page * 3)
        f.write(b"\xff" * page)
    folder = tmp_path / "backups"
    folder.mkdir()
    assert main(["backup", str(folder)], clock=workday_clock()) == 1
    _, err = err_lines(capsys)
    assert err[1].startswith(f"backup: failed, nothing written to {folder}/buurtbot-{STAMP}.db:")
    assert "fails its check" in err[1] or "copying" in err[1]
    assert err[2].startswith("backup: check the free space")
    assert list(folder.iterdir()) == []


# -- restore --------------------------------------------------------------------------------


@pytest.fixture
def made(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A backup of the three-report database."""
    target = tmp_path / "backup.db"
    assert main(["backup", str(target)], clock=workday_clock()) == 0
    capsys.readouterr()
    return target


def test_restore_keeps_the_database_it_replaces(
        db: Path, made: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(db) as conn:  # after the backup: a changed report
        conn.execute("UPDATE tickets SET description = 'na de backup' WHERE ref = 'M-0001'")
    conn.close()
    assert main(["restore", str(made), "--yes"], clock=workday_clock()) == 0
    out, err = err_lines(capsys)
    aside = Path(f"{db}.before-restore-{STAMP}")
    assert err == [f"database: {db}"]
    assert out.splitlines() == [
        f"restore: {made}: 3 requests, 2 residents, last request 2026-12-01 10:00 UTC, "
        f"schema {len(MIGRATIONS)}, integrity OK",
        f"restore: it replaces {db} (3 requests, 2 residents, last request 2026-12-01 10:00 UTC, "
        f"schema {len(MIGRATIONS)}), which is kept as {aside}",
        "restore: the bot must be stopped meanwhile; nothing else may use the database",
        f"restored: {db} from {made} (3 requests, 2 residents, last request 2026-12-01 10:00 "
        f"UTC, schema {len(MIGRATIONS)})",
        f"restored: the database it replaced is kept as {aside} (delete it once the restore is "
        "found good)"]
    assert rows(db, "SELECT description FROM tickets WHERE ref = 'M-0001'") != [("na de backup",)]
    assert rows(aside, "SELECT description FROM tickets WHERE ref = 'M-0001'") == [
        ("na de backup",)]
    consistent(db)
    consistent(aside)
    assert sorted(p.name for p in db.parent.iterdir()) == sorted([db.name, aside.name])
    # A second restore in the same minute keeps that one too, under the next free name.
    assert main(["restore", str(made), "--yes"], clock=workday_clock()) == 0
    assert Path(f"{aside}-2").is_file() and aside.is_file()


def test_restore_applies_the_migrations_of_this_version(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.db"

    async def make() -> None:
        async with aiosqlite.connect(old, isolation_level=None) as conn:
            await conn.execute("BEGIN")
            await migrate(conn, target=len(MIGRATIONS) - 1)
            await conn.execute("COMMIT")
    asyncio.run(make())
    db = tmp_path / "fresh" / "buurtbot.db"
    assert main(["restore", str(old), "--db", str(db), "--yes"], clock=workday_clock()) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"restore: it becomes {db} (there is no database there yet)"
    assert out[-1] == (f"restored: {db} from {old} (0 requests, 0 residents, schema "
                       f"{len(MIGRATIONS) - 1} → {len(MIGRATIONS)}: migrations applied)")
    assert rows(db, "PRAGMA user_version") == [(len(MIGRATIONS),)]


@pytest.mark.parametrize("content", [b"", b"not a database at all, just words\n" * 300])
def test_restore_refuses_what_is_not_a_buurtbot_backup(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(content)
    before = db.read_bytes()
    assert main(["restore", str(bogus), "--yes"], clock=workday_clock()) == 1
    _, err = err_lines(capsys)
    assert err[1] == f"restore: {bogus} cannot be restored, nothing changed:"
    assert ("not a buurtbot database" in err[2] if not content
            else "not a readable SQLite database" in err[2]), err
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]


def test_restore_refuses_a_damaged_backup(
        made: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = int(rows(made, "PRAGMA page_size")[0][0])
    with made.open("r+b") as f:
        f.seek(page * 3)
        f.write(b"\x00\x13" * (page // 2))
    assert main(["restore", str(made), "--yes"], clock=workday_clock()) == 1
    _, err = err_lines(capsys)
    assert err[1].endswith("cannot be restored, nothing changed:")
    assert "integrity_check" in err[2] or "malformed" in err[2], err


def test_restore_refuses_a_newer_schema_or_another_branchs_migration(
        made: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    newer, known = len(MIGRATIONS) + 1, len(MIGRATIONS)
    branch = made.with_name("branch.db")
    shutil.copyfile(made, branch)
    with sqlite3.connect(made) as conn:
        conn.execute("INSERT INTO schema_migrations (number, name, checksum) "
                     "VALUES (?, 'from_the_future', 'x')", (newer,))
        conn.execute(f"PRAGMA user_version = {newer}")
    conn.close()
    assert main(["restore", str(made), "--yes"], clock=workday_clock()) == 1
    _, err = err_lines(capsys)
    assert err[1:] == [
        f"restore: {made} cannot be restored, nothing changed:",
        f"restore:   it was made by a newer buurtbot (schema {newer}; this version knows up to "
        f"{known}): restore it with the version that made it, or a newer one"]
    with sqlite3.connect(branch) as conn:
        conn.execute("UPDATE schema_migrations SET name = 'someone_elses' WHERE number = ?",
                     (known,))
    conn.close()
    assert main(["restore", str(branch), "--yes"], clock=workday_clock()) == 1
    _, err = err_lines(capsys)
    assert err[2] == (f"restore:   its migration {known} is 'someone_elses', this version's is "
                      f"{MIGRATIONS[-1].name!r} (made by another branch of buurtbot)")
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]


def test_restore_refuses_while_the_database_is_open(
        made: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bot = sqlite3.connect(db, isolation_level=None)  # as the running bot holds it
    bot.execute("PRAGMA journal_mode=WAL")
    bot.execute("SELECT count(*) FROM tickets").fetchone()
    try:
        assert main(["restore", str(made), "--yes"], clock=workday_clock()) == 1
        _, err = err_lines(capsys)
        assert err[1] == (f"restore: {db} is in use (the bot, or a backup, has it open): "
                          f"{cli.STOP_FIRST}")
        assert not Path(f"{db}.before-restore-{STAMP}").exists()
    finally:
        bot.close()
    assert main(["restore", str(made), "--yes"], clock=workday_clock()) == 0


def test_restore_asks_on_a_terminal_and_never_assumes_yes(
        made: Path, db: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    before = db.read_bytes()
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))  # piped: nobody to ask
    assert main(["restore", str(made)], clock=workday_clock()) == 2
    assert err_lines(capsys)[1][-1] == (
        "restore: not restored: stdin is not a terminal, so nobody can confirm; pass --yes to "
        "restore without asking")
    monkeypatch.setattr("sys.stdin", Terminal("no\n"))
    assert main(["restore", str(made)], clock=workday_clock()) == 1
    assert err_lines(capsys)[1][-1] == ("Restore this backup? Type yes to go on: "  # typed: no
                                        "restore: not restored, nothing changed")
    assert db.read_bytes() == before and sorted(os.listdir(db.parent)) == [db.name]
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    assert main(["restore", str(made)], clock=workday_clock()) == 0
    assert Path(f"{db}.before-restore-{STAMP}").is_file()


def test_restore_of_a_missing_file_or_the_database_itself(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["restore", str(tmp_path / "nope.db"), "--yes"], clock=workday_clock()) == 2
    assert err_lines(capsys)[1][1:] == [f"restore: no file {tmp_path / 'nope.db'}"]
    assert main(["restore", str(db), "--yes"], clock=workday_clock()) == 2
    assert err_lines(capsys)[1][1:] == [f"restore: {db} is the database itself: name a backup"]


async def test_check_reads_a_backup_without_writing_beside_it(made: Path) -> None:
    folder = sorted(os.listdir(made.parent))
    summary = await check(made)
    assert summary.restorable and summary.requests == 3
    assert sorted(os.listdir(made.parent)) == folder
