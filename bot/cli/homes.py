"""The command-line side of homes: import-homes, invite-codes, revoke-code."""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

from bot.cli.site import check_site, site_path
from bot.config import ConfigError, Settings, SiteConfig, default_letters
from bot.domain.policy import Policy
from bot.i18n.catalogs import I18n
from bot.importers.csvfile import CsvError
from bot.importers.homes import read_homes_csv, write_codes_csv, write_letters
from bot.importers.planning import apply_planning, read_planning
from bot.render.letter import Letters, bot_username, sentences
from bot.render.letter_text import LayoutError
from bot.store import Store
from bot.store.clock import Clock


async def run_homes_command(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    site = None
    if args.command != "revoke-code":
        try:
            site = check_site(site_path(args.config, settings))
        except ConfigError as exc:
            print(exc, file=sys.stderr)
            return 1
    if args.command == "invite-codes":
        assert site is not None
        problem = letters_problem(args, site)
        if problem:  # before the store opens: a typo must not create a database
            print(problem, file=sys.stderr)
            return 1
    store = await Store.open(settings.db, clock)
    try:
        if args.command == "import-homes":
            assert site is not None
            return await import_homes(store, Path(args.csv), site)
        if args.command == "invite-codes":
            assert site is not None
            return await invite_codes(store, args, site)
        if args.command == "import-schedule":
            assert site is not None
            today = store.homes.clock().astimezone(site.zone).date()
            return await import_schedule(store, Path(args.csv), Policy(site), today,
                                         args.allow_past)
        if await store.homes.revoke(args.code):
            print(f"{args.code}: revoked")
            return 0
        print(f"{args.code}: no active code like that", file=sys.stderr)
        return 1
    finally:
        await store.close()


async def import_homes(store: Store, path: Path, site: SiteConfig) -> int:
    try:
        result = read_homes_csv(path, site)
    except (OSError, UnicodeDecodeError, CsvError) as exc:
        print(f"{path}: {cannot_import(exc)}", file=sys.stderr)
        return 1
    if bad_rows(path, list(result.errors)):
        return 1
    added, updated = await store.homes.upsert(result.homes)
    print(f"{path}: {added} homes added, {updated} updated")
    return 0


def letters_problem(args: argparse.Namespace, site: SiteConfig) -> str | None:
    """What stops invite-codes before it starts, in one line: the building, the bot's name or
    the folder."""
    if site.building(args.building) is None:
        return f"no building {args.building!r} in the site file"
    try:
        args.bot = bot_username(args.bot)
    except ValueError as exc:
        return str(exc)
    # Absolute, so the message says where the letters are whatever folder this ran in.
    args.out = (Path(args.out).expanduser() if args.out else default_letters()).absolute()
    problem = writable(args.out)
    return f"--out: {problem}" if problem else None


def writable(folder: Path) -> str | None:
    """Why files cannot be written in `folder` (made if missing), else None. Tried for real:
    permissions alone say nothing to root or on a read-only disk."""
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return f"cannot write in {folder}: {exc.strerror or exc}"
    return None


async def invite_codes(store: Store, args: argparse.Namespace, site: SiteConfig) -> int:
    homes = await store.homes.in_building(args.building)
    if not homes:
        print(f"no homes in {args.building}: run `buurtbot import-homes` first",
              file=sys.stderr)
        return 1
    codes = await store.homes.codes_for(homes)
    languages = list(dict.fromkeys(["nl", *site.languages]))  # Dutch first, then the site's
    lines, missing = sentences(I18n(languages, site.default_language, site.zone).all())
    if missing:
        print(f"letters: no translation of the letter's sentence for {', '.join(missing)} in "
              "locales/ (left out)", file=sys.stderr)
    try:
        letters = Letters(args.bot, lines, args.paper)
    except LayoutError as exc:
        print(f"cannot make the letters: {exc}", file=sys.stderr)
        return 1
    out: Path = args.out
    csv_path = out / f"{args.building}-codes.csv"
    try:
        write_codes_csv(csv_path, homes, codes, args.bot)
        pdf, pngs = write_letters(out, args.building, homes, codes, letters)
    except OSError as exc:
        print(f"--out: cannot write in {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    pictures = pngs[0].name if len(pngs) == 1 else f"{pngs[0].name} to {pngs[-1].name}"
    print(f"{len(homes)} codes for {args.building}, written to {out}: {csv_path.name}, "
          f"{pdf.name} ({len(homes)} letters on {args.paper.upper()} to print), {pictures}")
    return 0


async def import_schedule(store: Store, path: Path, policy: Policy, today: date,
                          allow_past: bool = False) -> int:
    try:
        days, errors = await read_planning(path, store.db, progress=sys.stderr.isatty(),
                                           today=today, allow_past=allow_past)
    except (OSError, UnicodeDecodeError, CsvError) as exc:
        print(f"{path}: {cannot_import(exc)}", file=sys.stderr)
        return 1
    if bad_rows(path, list(errors)):
        return 1
    diff = await apply_planning(store.db, days, store.homes.clock(), policy)
    print(f"{path}: {len(diff.added)} added, {len(diff.moved)} moved or changed, "
          f"{len(diff.cancelled)} cancelled, {diff.unchanged} unchanged")
    return 0


def bad_rows(path: Path, errors: list[str]) -> bool:
    """Every bad row of a file, each on its line with its line number, then that nothing was
    imported; True when there were any (the command then ends with exit 1)."""
    for error in errors:
        print(f"{path}: {error}", file=sys.stderr)
    if errors:
        print(f"{path}: nothing imported ({len(errors)} bad rows)", file=sys.stderr)
    return bool(errors)


def cannot_import(exc: OSError | UnicodeDecodeError | CsvError) -> str:
    if isinstance(exc, CsvError):
        return str(exc)
    return f"cannot read: {unreadable(exc)}"


def unreadable(exc: OSError | UnicodeDecodeError) -> str:
    """Why a file could not be read, in one line (the readers decode the whole file at once,
    so the position of a bad byte is in the file)."""
    if isinstance(exc, UnicodeDecodeError):
        line = exc.object[:exc.start].count(b"\n") + 1
        return f"line {line} is not UTF-8 text (save the file as CSV UTF-8)"
    return exc.strerror or str(exc)
