"""The command-line side of backups: `buurtbot backup PATH` and `buurtbot restore BACKUP`.

Exit codes: 0 done; 2 a bad argument or path (nothing was touched); 1 the backup or restore
failed or was refused, with a line that says what to do. README.md "Backups and restore" has
the nightly schedule around these commands.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.store import Store
from bot.store.backup import (
    COMPANIONS,
    BackupError,
    InUse,
    Summary,
    TargetExists,
    backup_to,
    check,
    in_use,
    put_in_place,
)
from bot.store.clock import Clock

STOP_FIRST = ("stop the bot first (e.g. `systemctl stop buurtbot`), run the restore again, "
              "then start the bot")


async def run_backup_command(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    if args.command == "backup":
        return await backup(settings.db, args.path, clock, force=args.force)
    return await restore(Path(args.backup), settings.db, clock, yes=args.yes)


async def backup(db: Path, path: str | Path, clock: Clock, *, force: bool = False) -> int:
    """`path`: a file, or a folder (a dated name in it); "folder/" is always meant as one."""
    if not db.is_file():
        print(f"backup: no database at {db}: set BUURTBOT_DB or pass --db", file=sys.stderr)
        return 2
    target = Path(path).expanduser().absolute()
    folder = target if str(path).endswith(("/", os.sep)) else target.parent
    if target.is_dir():
        target = target / f"buurtbot-{stamp(clock)}.db"
    elif not folder.is_dir() or folder == target:
        print(f"backup: the folder {folder} does not exist: create it first "
              f"(install -d -m 700 {folder})", file=sys.stderr)
        return 2
    if _same(target, db) or target in {Path(f"{db}{s}") for s in COMPANIONS}:
        print(f"backup: {target} is the database itself: name another file", file=sys.stderr)
        return 2
    if target.exists() and not force:
        print(f"backup: {target} exists: pass --force to overwrite it, or name another file",
              file=sys.stderr)
        return 2
    try:
        summary = await backup_to(db, target, overwrite=force)
    except TargetExists:  # taken while the copy was made
        print(f"backup: {target} exists: pass --force to overwrite it, or name another file",
              file=sys.stderr)
        return 2
    except (BackupError, OSError) as exc:
        print(f"backup: failed, nothing written to {target}: {reason(exc)}", file=sys.stderr)
        print("backup: check the free space and permissions of that folder and run again; if "
              "the database itself fails its check, keep the last good backup and see README.md "
              "\"Backups and restore\"", file=sys.stderr)
        return 1
    print(f"backup: {target} ({size(summary.size)}, {describe(summary)}) OK")
    return 0


async def restore(backup_path: Path, db: Path, clock: Clock, *, yes: bool = False) -> int:
    source = backup_path.expanduser().absolute()
    if not source.is_file():
        print(f"restore: no file {source}", file=sys.stderr)
        return 2
    if _same(source, db):
        print(f"restore: {source} is the database itself: name a backup", file=sys.stderr)
        return 2
    summary = await check(source)
    if not summary.restorable:
        print(f"restore: {source} cannot be restored, nothing changed:", file=sys.stderr)
        for why in (*summary.problems, *summary.incompatible):
            print(f"restore:   {why}", file=sys.stderr)
        return 1
    print(f"restore: {source}: {describe(summary)}, integrity OK")
    aside = _aside(db, clock)
    if db.exists():
        if await in_use(db):
            print(f"restore: {db} is in use (the bot, or a backup, has it open): {STOP_FIRST}",
                  file=sys.stderr)
            return 1
        current = await check(db, integrity=False, live=True)
        now = describe(current) if not current.problems else "; ".join(current.problems)
        print(f"restore: it replaces {db} ({now}), which is kept as {aside}")
    else:
        print(f"restore: it becomes {db} (there is no database there yet)")
    print("restore: the bot must be stopped meanwhile; nothing else may use the database")
    if not yes and not confirmed():
        return 2 if not sys.stdin.isatty() else 1
    try:
        kept = await put_in_place(source, db, aside)
    except InUse:
        print(f"restore: {db} is in use (the bot has it open): {STOP_FIRST}", file=sys.stderr)
        return 1
    except (BackupError, OSError) as exc:
        print(f"restore: failed: {reason(exc)}", file=sys.stderr)
        print(f"restore: {db} is what it was before (or absent if it was); fix the cause and run "
              "again", file=sys.stderr)
        return 1
    try:
        store = await Store.open(db, clock)  # applies the migrations this version adds
        await store.close()
    except Exception as exc:  # the check passed, so this is unexpected: say how to go back
        print(f"restore: the restored {db} does not open: {exc}", file=sys.stderr)
        if kept is not None:
            print(f"restore: the previous database is {kept}: move it back to {db} to undo",
                  file=sys.stderr)
        return 1
    after = await check(db, integrity=False, live=True)
    print(f"restored: {db} from {source} ({describe(after, was=summary.schema)})")
    if kept is not None:
        print(f"restored: the database it replaced is kept as {kept} (delete it once the restore "
              "is found good)")
    return 0


def confirmed() -> bool:
    """Asked on a terminal; never assumed when nobody can answer (a script must say --yes)."""
    if not sys.stdin.isatty():
        print("restore: not restored: stdin is not a terminal, so nobody can confirm; pass "
              "--yes to restore without asking", file=sys.stderr)
        return False
    print("Restore this backup? Type yes to go on: ", end="", file=sys.stderr, flush=True)
    if sys.stdin.readline().strip().lower() in ("yes", "y"):
        return True
    print("restore: not restored, nothing changed", file=sys.stderr)
    return False


def stamp(clock: Clock) -> str:
    """The moment in a file name, from the injected clock, in UTC (Z): sortable, and the same
    whatever the machine's time zone or summer time."""
    return f"{clock().astimezone(UTC):%Y-%m-%dT%H%MZ}"


def _aside(db: Path, clock: Clock) -> Path:
    """Where the database a restore replaces is kept: a name not taken yet."""
    base = f"{db}.before-restore-{stamp(clock)}"
    candidate, n = Path(base), 1
    while candidate.exists():
        n += 1
        candidate = Path(f"{base}-{n}")
    return candidate


def describe(summary: Summary, *, was: int | None = None) -> str:
    """What a database holds, in one line: requests, residents, the newest request, schema
    (`was`: its schema before the migrations of a restore)."""
    last = ""
    if summary.last_request:
        moment = datetime.fromisoformat(summary.last_request).astimezone(UTC)
        last = f", last request {moment:%Y-%m-%d %H:%M} UTC"
    schema = (f"schema {was} → {summary.schema}: migrations applied"
              if was is not None and was != summary.schema else f"schema {summary.schema}")
    return f"{summary.requests:,} requests, {summary.residents:,} residents{last}, {schema}"


def size(n: int) -> str:
    if n < 1_000_000:
        return f"{n / 1000:.1f} kB"
    if n < 1_000_000_000:
        return f"{n / 1_000_000:.1f} MB"
    return f"{n / 1_000_000_000:.2f} GB"


def reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} ({exc.filename})" if exc.filename else exc.strerror
    return str(exc)


def _same(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False
