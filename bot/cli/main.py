"""buurtbot command line: run, demo, check-config."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.cli.site import check_site, site_path
from bot.config import (
    DEFAULT_SITE_CONFIG,
    EXAMPLE_SITE_CONFIG,
    ConfigError,
    Settings,
    default_letters,
    service_problems,
    settings_problems,
)
from bot.logsetup import Redactor, setup_logging
from bot.store.clock import Clock, RunningClock, utcnow

NO_TOKEN = """No bot token set.

To run the real bot:
  1. In Telegram, talk to @BotFather, send /newbot and follow the steps.
  2. Copy the token it gives you and set it:  export BUURTBOT_TOKEN='123456789:AAE...'
  3. Run again:  buurtbot run --config config/site.toml

To see the bot working without a token or network, run:  buurtbot demo
"""


def say_database(settings: Settings) -> None:
    """Which database a command uses, once, on stderr: a wrong one is the first thing to rule
    out when codes "do not work" or requests seem gone."""
    new = "" if settings.db.exists() else " (does not exist yet)"
    print(f"database: {settings.db}{new}", file=sys.stderr)


def load_settings() -> Settings | None:
    """Settings from the environment, or None after one line per bad variable."""
    try:
        return Settings()
    except ValidationError as exc:  # never print exc itself: it shows the values, token too
        for line in settings_problems(exc):
            print(line, file=sys.stderr)
        return None


def cmd_check_config(args: argparse.Namespace) -> int:
    path = Path(args.path)
    try:
        check_site(path)
    except ConfigError as exc:
        print(f"{path}: {len(exc.problems)} problem(s)", file=sys.stderr)
        for problem in exc.problems:
            print(f"{path}: {problem}", file=sys.stderr)
        return 1
    print(f"{path}: OK")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    if settings.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    say_database(settings)
    try:
        site = check_site(site_path(args.config, settings))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    problems = service_problems(site, settings)  # e.g. DeepL chosen, BUURTBOT_TRANSLATE_KEY unset
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 2
    from bot.app import build_application
    from bot.cli.serve import StartError, serve

    app = build_application(settings, site, clock=clock)
    try:
        asyncio.run(serve(app, poll_timeout=settings.poll_timeout,
                          retry_max=settings.retry_max))
    except StartError as exc:
        print(Redactor(settings.token.get_secret_value())(str(exc)), file=sys.stderr)
        return exc.exit_code
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    try:
        site = check_site(Path(args.config) if args.config else EXAMPLE_SITE_CONFIG)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    from bot.cli.demo import run_demo

    print("database: a temporary one, deleted when the demo ends", file=sys.stderr)
    return asyncio.run(run_demo(site))


def main(argv: list[str] | None = None, *, clock: Clock = utcnow) -> int:
    """The command line. `clock` is the one source of "now" for what the command does; tests
    pass a standing one (bot/store/clock.py)."""
    parser = argparse.ArgumentParser(prog="buurtbot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the bot against Telegram (needs BUURTBOT_TOKEN)")
    run.add_argument("--config", help=f"site TOML (default {DEFAULT_SITE_CONFIG.name}, "
                                      f"else the example)")
    demo = sub.add_parser("demo", help="play a scenario offline against a fake Telegram")
    demo.add_argument("--config", help="site TOML (default: the example)")
    check = sub.add_parser("check-config", help="validate a site TOML")
    check.add_argument("path")
    homes = sub.add_parser("import-homes", help="add or update homes from a CSV (or .xlsx) "
                                                "file")
    homes.add_argument("csv", help="columns: street,number,addition,building,stairwell,floor")
    homes.add_argument("--config", help="site TOML")
    codes = sub.add_parser("invite-codes", help="one invitation code per home: a CSV and a "
                                                "printable letter per home (PDF + PNG)")
    codes.add_argument("--building", required=True, help="building id from the site file")
    codes.add_argument("--bot", required=True, help="the bot's username (like "
                                                    "buurtbot_overvecht_bot), for the t.me link")
    codes.add_argument("--paper", choices=("a4", "a5"), default="a4",
                       help="paper size of the letters (default a4)")
    codes.add_argument("--out", help="folder for the CSV, PNG and PDF files "
                                     f"(default {default_letters()})")
    codes.add_argument("--config", help="site TOML")
    revoke = sub.add_parser("revoke-code", help="make an invitation code stop working")
    revoke.add_argument("code")
    plan = sub.add_parser("import-schedule", help="import the contractor's planning (CSV or "
                                                  ".xlsx)")
    plan.add_argument("csv", help="columns: address,date,start,end,work,notes")
    plan.add_argument("--config", help="site TOML")
    plan.add_argument("--allow-past", action="store_true",
                      help="accept work days before today (they are refused otherwise)")
    visits = sub.add_parser("import-visits", help="import home visits from paper or a "
                                                  "spreadsheet (CSV); referrals become requests")
    visits.add_argument("csv", help="columns: address,date,round,outcome,referred_to,notes")
    visits.add_argument("--yes", action="store_true", help="post the referrals without asking")
    visits.add_argument("--partner", help="the partner doing the visits, for the rounds the "
                                          "file starts (default: the housing corporation)")
    visits.add_argument("--kind", choices=["before", "during", "after"], default="before",
                        help="the kind of the rounds the file starts (default: before)")
    visits.add_argument("--config", help="site TOML")
    backup = sub.add_parser("backup", help="a consistent copy of the database, also while the "
                                           "bot runs (README: Backups and restore)")
    backup.add_argument("path", help="file to write, or a folder for a dated name "
                                     "(buurtbot-<UTC time>.db)")
    backup.add_argument("--db", help="the database to copy (default: BUURTBOT_DB, see README)")
    backup.add_argument("--force", action="store_true", help="overwrite an existing file")
    restore = sub.add_parser("restore", help="check a backup and put it in place of the "
                                             "database (stop the bot first)")
    restore.add_argument("backup", help="a file made by `buurtbot backup`")
    restore.add_argument("--db", help="the database to replace (default: BUURTBOT_DB)")
    restore.add_argument("--yes", action="store_true", help="do not ask (scripts)")
    report = sub.add_parser("report", help="the coordinator's figures: a table on the "
                                           "terminal, or --out figures.csv / figures.xlsx")
    report.add_argument("--building", help="one building (its id in the site file)")
    report.add_argument("--round", help="one visit round (its number)")
    report.add_argument("--from", dest="first", metavar="DATE", help="from this day (YYYY-MM-DD)")
    report.add_argument("--to", dest="last", metavar="DATE", help="to this day, included")
    report.add_argument("--out", metavar="FILE", help="write FILE ending in .csv or .xlsx")
    report.add_argument("--exact", action="store_true",
                        help="show counts under 5 (for the coordinator's own use only)")
    report.add_argument("--config", help="site TOML")
    args = parser.parse_args(argv)
    if args.command == "check-config":  # needs no settings
        setup_logging()
        return cmd_check_config(args)
    settings = load_settings()
    if settings is None:
        return 2
    if settings.clock_start is not None:  # a rehearsal or a crash test, never production
        print(f"clock: starts at {settings.clock_start.isoformat()} (BUURTBOT_CLOCK_START), "
              "not the real time", file=sys.stderr)
        clock = RunningClock(settings.clock_start)
    token, *keys = (secret.get_secret_value() if secret else None for secret in
                    (settings.token, settings.translate_key, settings.speech_key))
    setup_logging(logging.INFO, token, *keys)
    if args.command == "run":
        return cmd_run(args, settings, clock)
    if args.command in ("import-homes", "invite-codes", "revoke-code", "import-schedule"):
        from bot.cli.homes import run_homes_command

        say_database(settings)
        return asyncio.run(run_homes_command(args, settings, clock))
    if args.command == "import-visits":
        from bot.cli.visits import run_import_visits

        say_database(settings)
        return asyncio.run(run_import_visits(args, settings, clock))
    if args.command == "report":
        from bot.cli.report import run_report

        say_database(settings)
        return asyncio.run(run_report(args, settings, clock))
    if args.command in ("backup", "restore"):
        from bot.cli.backup import run_backup_command

        if args.db:  # made absolute as BUURTBOT_DB is, so every message names one file
            settings = settings.model_copy(update={"db": Path(args.db).expanduser().absolute()})
        say_database(settings)
        return asyncio.run(run_backup_command(args, settings, clock))
    if args.command is None:  # plain `buurtbot`: the real bot with a token, else the demo
        if settings.token is not None:
            args.config = None
            return cmd_run(args, settings, clock)
        print("No BUURTBOT_TOKEN set: playing the offline demo. "
              "See README.md to run the real bot.\n", file=sys.stderr)
        args.config = None
    return cmd_demo(args)


if __name__ == "__main__":
    sys.exit(main())
