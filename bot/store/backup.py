"""Backups and restores of the one SQLite file: the SQLite side of `buurtbot backup` and
`buurtbot restore` (bot/cli/backup.py says what the operator sees).

A backup is taken with SQLite's online backup API while the bot runs. The database is in WAL
mode, so the copy holds one read transaction for its whole length: every page comes from the
same snapshot (everything committed when it started, nothing of what the bot commits meanwhile),
and the bot's writes go on into the WAL undisturbed. Without that snapshot a paged backup starts
over at every commit of the bot and may never finish under load. Pages are copied in steps with
a short pause between them, so the copy never hogs the disk the bot writes to; a database not
in WAL mode (never buurtbot's own) is copied without the snapshot, SQLite restarting the copy
when it changes. The copy is written under a temporary name next to the target, switched to a
rollback journal (one self-contained file, nothing beside it), checked with integrity_check and
only then given its name, so the target is either absent or a complete, checked database.

Everything here is blocking sqlite3 work, run in a worker thread: the bot's event loop (in a
test, the same process) keeps going.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from bot.store.migrations import MIGRATIONS, NAMED_FROM

PAGES_PER_STEP = 256  # 1 MB at SQLite's default 4 KB pages
PAUSE = 0.005  # seconds between steps
# What SQLite may keep beside a database file: the write-ahead log, its index, a rollback journal.
COMPANIONS = ("-wal", "-shm", "-journal")
Progress = Callable[[int, int], None]


class BackupError(Exception):
    """A backup or restore that did not happen, in words for the operator."""


class TargetExists(BackupError):
    """The backup's file name is taken (and overwriting was not asked for)."""


class InUse(BackupError):
    """Something has the database open: the bot, or a backup of it."""


@dataclass(frozen=True)
class Summary:
    """What a database file holds, and whether this version of buurtbot can use it."""

    path: Path
    size: int = 0
    schema: int = 0  # PRAGMA user_version: the last migration applied
    requests: int = 0
    residents: int = 0
    last_request: str | None = None  # ISO UTC, as stored
    # Unusable by any buurtbot: not SQLite, damaged, not a buurtbot database.
    problems: tuple[str, ...] = ()
    # Usable by another version only: a newer schema, migrations this version does not have.
    incompatible: tuple[str, ...] = ()

    @property
    def restorable(self) -> bool:
        return not self.problems and not self.incompatible


async def backup_to(db: Path, target: Path, *, overwrite: bool = False,
                    pages: int = PAGES_PER_STEP, pause: float = PAUSE,
                    progress: Progress | None = None) -> Summary:
    """Copy the database at `db` to `target` (whose folder exists) while the bot may be
    writing to it, check the copy, and return what it holds. `progress(done, total)` is called
    in the worker thread after each step. Raises TargetExists when `target` exists and
    `overwrite` is false, BackupError when the copy fails or fails its check (nothing is left
    under `target` or beside it then)."""
    return await asyncio.to_thread(_backup, db.absolute(), target.absolute(), overwrite,
                                   pages, pause, progress)


async def check(path: Path, *, integrity: bool = True, live: bool = False) -> Summary:
    """What the database file at `path` holds, with every reason this buurtbot cannot restore
    it. A backup is read as an unchanging file (nothing is written beside it); `live=True` is
    for a database the bot uses, whose latest commits may still be in its WAL (open it only
    when nothing else has it open: that connection may fold the WAL in when it closes)."""
    return await asyncio.to_thread(_check, path.absolute(), integrity, live)


async def in_use(db: Path) -> bool:
    """Whether a connection has the database open (the bot, a backup). A WAL connection holds
    a shared lock on the file for as long as it is open, so an exclusive lock is refused while
    one exists, in this process or another. False for a missing or unreadable file."""
    return await asyncio.to_thread(_in_use, db.absolute())


async def put_in_place(backup: Path, db: Path, aside: Path) -> Path | None:
    """Make the file at `db` a copy of `backup`, keeping the database that was there as
    `aside` (returned; None when there was none). `db` names a complete database at every
    moment: the copy is written next to it and renamed over it. Raises InUse when something
    has `db` open."""
    return await asyncio.to_thread(_put_in_place, backup.absolute(), db.absolute(),
                                   aside.absolute())


def _connect(path: Path, mode: str, *, timeout: float = 5.0) -> sqlite3.Connection:
    """A connection by URI: mode=rw never creates a missing file (a typo must not make an
    empty database); mode=ro&immutable=1 reads a finished file without locks or a -shm."""
    return sqlite3.connect(f"{path.as_uri()}?mode={mode}", uri=True, isolation_level=None,
                           timeout=timeout)


def _backup(db: Path, target: Path, overwrite: bool, pages: int, pause: float,
            progress: Progress | None) -> Summary:
    if target.exists() and not overwrite:
        raise TargetExists(f"{target} exists")
    # mkstemp: a name nobody else uses, created private (0600): a backup holds personal data.
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f"{target.name}.", suffix=".partial")
    os.close(fd)
    partial = Path(name)
    try:
        try:
            _copy(db, partial, pages, pause, progress)
        except sqlite3.Error as exc:
            raise BackupError(f"copying {db} failed: {exc}") from None
        summary = _check(partial, True, False)
        if summary.problems:
            raise BackupError(f"the copy of {db} fails its check: {'; '.join(summary.problems)}")
        _fsync(partial)
        _publish(partial, target, overwrite)
        _fsync(target.parent)
        return replace(summary, path=target)
    finally:
        for leftover in (partial, *(Path(f"{partial}{s}") for s in COMPANIONS)):
            leftover.unlink(missing_ok=True)


def _copy(db: Path, partial: Path, pages: int, pause: float,
          progress: Progress | None) -> None:
    src = _connect(db, "rw")
    try:
        src.execute("PRAGMA busy_timeout=5000")
        wal = str(src.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"
        if wal:  # one read transaction: the snapshot every step copies from
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        dst = sqlite3.connect(partial, isolation_level=None)
        try:
            def step(_status: int, remaining: int, total: int) -> None:
                if progress is not None:
                    progress(total - remaining, total)
                if remaining and pause > 0:
                    time.sleep(pause)  # a pause, not a reading of the clock

            src.backup(dst, pages=pages, progress=step)
            # The copy took the source's WAL mode with its first page; one file is what a
            # backup should be (nothing to forget when it is copied elsewhere).
            dst.execute("PRAGMA journal_mode=DELETE").fetchone()
        finally:
            dst.close()
        if wal:
            src.execute("COMMIT")
    finally:
        src.close()


def _publish(partial: Path, target: Path, overwrite: bool) -> None:
    """Give the checked copy its name, atomically; never over an existing file unless asked."""
    if overwrite:
        os.replace(partial, target)
        return
    try:
        os.link(partial, target)  # fails if the name is taken, even if it was taken just now
    except FileExistsError:
        raise TargetExists(f"{target} exists") from None
    except OSError:  # a file system without hard links (some network shares, FAT)
        if target.exists():
            raise TargetExists(f"{target} exists") from None
        os.replace(partial, target)


def _check(path: Path, integrity: bool, live: bool) -> Summary:
    if not path.is_file():
        return Summary(path, problems=("no such file",))
    size = path.stat().st_size
    problems: list[str] = []
    wal = Path(f"{path}-wal")
    if not live and wal.exists() and wal.stat().st_size > 0:
        problems.append(f"{wal.name} lies beside it: this is a copy of a database in use, not a "
                        "backup made by `buurtbot backup` (its last changes are in that file)")
    try:
        conn = _connect(path, "rw" if live else "ro&immutable=1")
    except sqlite3.Error as exc:
        return Summary(path, size, problems=(*problems, f"cannot be opened: {exc}"))
    try:
        return _inspect(conn, path, size, integrity, problems)
    except sqlite3.DatabaseError as exc:
        return Summary(path, size, problems=(*problems, f"not a readable SQLite database: {exc}"))
    finally:
        conn.close()


def _inspect(conn: sqlite3.Connection, path: Path, size: int, integrity: bool,
             problems: list[str]) -> Summary:
    if integrity:
        found = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(5)").fetchall()]
        if found != ["ok"]:
            return Summary(path, size, problems=(*problems, "integrity_check: "
                                                 + "; ".join(found)))
    schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {str(r[0]) for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    if not {"schema_migrations", "tickets", "residents"} <= tables:
        return Summary(path, size, schema, problems=(
            *problems, "not a buurtbot database (it has no schema_migrations, tickets and "
                       "residents tables)"))
    recorded = {int(r[0]): (str(r[1]), str(r[2])) for r in conn.execute(
        "SELECT number, name, checksum FROM schema_migrations").fetchall()}
    incompatible = _incompatible(schema, recorded)
    missing = sorted(set(range(1, min(schema, len(MIGRATIONS)) + 1)) - set(recorded))
    if missing and schema >= NAMED_FROM:
        problems.append("schema_migrations lacks migration(s) "
                        + ", ".join(str(n) for n in missing))
    requests, last = conn.execute("SELECT count(*), max(created_at) FROM tickets").fetchone()
    residents = int(conn.execute("SELECT count(*) FROM residents").fetchone()[0])
    return Summary(path, size, schema, int(requests), residents, last, tuple(problems),
                   tuple(incompatible))


def _incompatible(schema: int, recorded: dict[int, tuple[str, str]]) -> list[str]:
    known = len(MIGRATIONS)
    newest = max([schema, *recorded])
    if newest > known:
        return [f"it was made by a newer buurtbot (schema {newest}; this version knows up to "
                f"{known}): restore it with the version that made it, or a newer one"]
    out = []
    for number, (name, checksum) in sorted(recorded.items()):
        ours = MIGRATIONS[number - 1]
        if name != ours.name:
            out.append(f"its migration {number} is {name!r}, this version's is {ours.name!r} "
                       "(made by another branch of buurtbot)")
        elif checksum != ours.checksum:
            out.append(f"its migration {number} ({name}) differs from this version's")
    return out


def _take_alone(conn: sqlite3.Connection) -> None:
    """Take the file for this connection alone, or raise OperationalError (busy) at once.
    EXCLUSIVE before the first read: the connection wants the file to itself (and keeps no
    -shm); refused while any other connection holds its shared lock."""
    conn.execute("PRAGMA busy_timeout=0")
    conn.execute("PRAGMA locking_mode=EXCLUSIVE").fetchone()
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("COMMIT")


def _in_use(db: Path) -> bool:
    if not db.is_file():
        return False
    conn = _connect(db, "rw", timeout=0)
    try:
        _take_alone(conn)
        return False
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return True
        raise
    except sqlite3.DatabaseError:  # not a database at all: nothing can be running on it
        return False
    finally:
        conn.close()


def _settle(db: Path) -> None:
    """Fold the WAL into the database file and leave it self-contained (one file that can be
    set aside), with the file to ourselves; InUse when something has it open."""
    conn = _connect(db, "rw", timeout=0)
    try:
        _take_alone(conn)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        conn.execute("PRAGMA journal_mode=DELETE").fetchone()
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise InUse(f"{db} is in use") from None
        raise
    except sqlite3.DatabaseError:
        pass  # a damaged file (perhaps why it is restored): set aside as it is, WAL and all
    finally:
        conn.close()


def _put_in_place(backup: Path, db: Path, aside: Path) -> Path | None:
    db.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=db.parent, prefix=f"{db.name}.", suffix=".restoring")
    os.close(fd)
    incoming = Path(name)
    try:
        shutil.copyfile(backup, incoming)
        if db.exists():  # the bot's own file keeps its owner and permissions
            with contextlib.suppress(OSError):
                stat = db.stat()
                shutil.copymode(db, incoming)
                os.chown(incoming, stat.st_uid, stat.st_gid)
        _fsync(incoming)
        kept: Path | None = None
        if db.exists():
            _settle(db)
            try:
                os.link(db, aside)  # db stays in place until the backup replaces it
            except FileExistsError:
                raise BackupError(f"{aside} exists already") from None
            except OSError:
                shutil.copy2(db, aside)
            kept = aside
        for suffix in ("-wal", "-journal"):  # left by a damaged or crashed database
            companion = Path(f"{db}{suffix}")
            if companion.exists():
                if kept is None:
                    raise BackupError(f"{companion} lies there without its database: move it "
                                      "away and run again")
                os.replace(companion, Path(f"{kept}{suffix}"))
        os.replace(incoming, db)
        Path(f"{db}-shm").unlink(missing_ok=True)  # an index of the old WAL; nobody has it open
        _fsync(db.parent)
        return kept
    finally:
        incoming.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Flush a file, or a folder's entries (a rename), to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
