"""The command-line side of homes: import-homes, invite-codes, revoke-code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.site import check_site, site_path
from bot.config import ConfigError, Settings, default_letters
from bot.domain.policy import Policy
from bot.importers.homes import read_homes_csv, write_codes_csv, write_sheets
from bot.importers.planning import apply_planning, read_planning
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
    if (args.command == "invite-codes" and site is not None
            and site.building(args.building) is None):
        # before the store opens: a typo must not create a database
        print(f"no building {args.building!r} in the site file", file=sys.stderr)
        return 1
    store = await Store.open(settings.db, clock)
    try:
        if args.command == "import-homes":
            assert site is not None
            try:
                result = read_homes_csv(Path(args.csv), site)
            except (OSError, UnicodeDecodeError) as exc:
                print(f"{args.csv}: cannot read: {unreadable(exc)}", file=sys.stderr)
                return 1
            if result.errors:
                for error in result.errors:
                    print(f"{args.csv}: {error}", file=sys.stderr)
                print(f"{args.csv}: nothing imported ({len(result.errors)} bad rows)",
                      file=sys.stderr)
                return 1
            added, updated = await store.homes.upsert(result.homes)
            print(f"{args.csv}: {added} homes added, {updated} updated")
            return 0
        if args.command == "invite-codes":
            return await invite_codes(store, args)
        if args.command == "import-schedule":
            assert site is not None
            return await import_schedule(store, Path(args.csv), Policy(site))
        if await store.homes.revoke(args.code):
            print(f"{args.code}: revoked")
            return 0
        print(f"{args.code}: no active code like that", file=sys.stderr)
        return 1
    finally:
        await store.close()


async def invite_codes(store: Store, args: argparse.Namespace) -> int:
    homes = await store.homes.in_building(args.building)
    if not homes:
        print(f"no homes in {args.building}: run `buurtbot import-homes` first",
              file=sys.stderr)
        return 1
    codes = await store.homes.codes_for(homes)
    # Absolute, so the message says where the letters are whatever folder this ran in.
    out = (Path(args.out) if args.out else default_letters()).absolute()
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / f"{args.building}-codes.csv"
    write_codes_csv(csv_path, homes, codes, args.bot)
    files = [csv_path, *write_sheets(out, args.building, homes, codes, args.bot)]
    print(f"{len(homes)} codes for {args.building}, written to {out}: "
          + ", ".join(f.name for f in files))
    return 0


async def import_schedule(store: Store, path: Path, policy: Policy) -> int:
    try:
        days, errors = await read_planning(path, store.db, progress=sys.stderr.isatty())
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{path}: cannot read: {unreadable(exc)}", file=sys.stderr)
        return 1
    if errors:
        for error in errors:
            print(f"{path}: {error}", file=sys.stderr)
        print(f"{path}: nothing imported ({len(errors)} bad rows)", file=sys.stderr)
        return 1
    diff = await apply_planning(store.db, days, store.homes.clock(), policy)
    print(f"{path}: {len(diff.added)} added, {len(diff.moved)} moved or changed, "
          f"{len(diff.cancelled)} cancelled, {diff.unchanged} unchanged")
    return 0


def unreadable(exc: OSError | UnicodeDecodeError) -> str:
    """Why a file could not be read, in one line (the readers decode the whole file at once,
    so the position of a bad byte is in the file)."""
    if isinstance(exc, UnicodeDecodeError):
        line = exc.object[:exc.start].count(b"\n") + 1
        return f"line {line} is not UTF-8 text (save the file as CSV UTF-8)"
    return exc.strerror or str(exc)
