"""`buurtbot import-visits FILE.csv [--yes] [--partner ID] [--kind KIND]`: home visits recorded
on paper or in a spreadsheet (bot/importers/visits.py).

Every row is checked first; a bad row stops the import with every bad row listed and nothing
written. The referrals in it become requests, posted as cards through the outbox (the running
bot delivers them): without --yes the command says what it will post and asks first.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from bot.cli.homes import bad_rows, cannot_import
from bot.cli.site import check_site, site_path
from bot.config import ConfigError, Settings, SiteConfig
from bot.domain.visits import RoundKind
from bot.importers.csvfile import CsvError
from bot.importers.visits import read_visits
from bot.services import outreach
from bot.store import Store
from bot.store.clock import Clock


async def run_import_visits(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    try:
        site = check_site(site_path(args.config, settings))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    partner = args.partner or site.question_partner
    if partner not in {p.id for p in site.partners}:
        print(f"--partner: no partner {partner!r} in the site file", file=sys.stderr)
        return 1
    store = await Store.open(settings.db, clock)
    try:
        return await _import(store, site, Path(args.csv), partner, RoundKind(args.kind),
                             args.yes)
    finally:
        await store.close()


async def _import(store: Store, site: SiteConfig, path: Path, partner: str, kind: RoundKind,
                  yes: bool) -> int:
    try:
        read = read_visits(path, site, await store.visits.homes_by_address())
    except (OSError, UnicodeDecodeError, CsvError) as exc:
        print(f"{path}: {cannot_import(exc)}", file=sys.stderr)
        return 1
    if bad_rows(path, list(read.errors)):
        return 1
    deps = outreach.Deps.standalone(store.db, site, store.visits.clock)
    fresh = await outreach.new_rows(deps, read.rows)
    referrals = Counter(p for row in fresh for p in row.partners)
    if referrals and not yes and not _confirmed(site, referrals):
        print(f"{path}: nothing imported", file=sys.stderr)
        return 1
    done = await outreach.import_visits(deps, read.rows, partner, kind)
    print(f"{path}: {done.visits} visits added, {done.known} already imported, "
          f"{len(done.rounds)} rounds started, {len(done.tickets)} referrals posted as requests")
    return 0


def _confirmed(site: SiteConfig, referrals: Counter[str]) -> bool:
    total = sum(referrals.values())
    each = ", ".join(f"{n} for {site.partner_name(p)}" for p, n in referrals.most_common())
    noun = "referral" if total == 1 else "referrals"
    verb = "will become a request" if total == 1 else "will become requests"
    print(f"{total} {noun} {verb}: {each}. Post them? [y/N] ", end="", flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes", "j", "ja")
