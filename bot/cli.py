"""buurtbot command line: run, demo, check-config."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.config import (
    DEFAULT_SITE_CONFIG,
    EXAMPLE_SITE_CONFIG,
    ConfigError,
    Settings,
    SiteConfig,
    load_site_config,
)
from bot.content import CONTENT_DIR, faq_path
from bot.i18n.catalogs import po_path
from bot.logsetup import setup_logging

NO_TOKEN = """No bot token set.

To run the real bot:
  1. In Telegram, talk to @BotFather, send /newbot and follow the steps.
  2. Copy the token it gives you and set it:  export BUURTBOT_TOKEN='123456:ABC...'
  3. Run again:  buurtbot run --config config/site.toml

To see the bot working without a token or network, run:  buurtbot demo
"""


def site_path(arg: str | None, settings: Settings) -> Path:
    if arg:
        return Path(arg)
    if settings.config:
        return settings.config
    return DEFAULT_SITE_CONFIG if DEFAULT_SITE_CONFIG.exists() else EXAMPLE_SITE_CONFIG


def check_site(path: Path, content_dir: Path = CONTENT_DIR) -> SiteConfig:
    """Load the site file and check that every offered language has a catalog and a FAQ."""
    site = load_site_config(path)
    problems = []
    missing = [lang for lang in site.languages if lang != "en" and not po_path(lang).exists()]
    if missing:
        problems.append(f"languages: no catalog for {', '.join(missing)} "
                        f"(expected {po_path(missing[0])})")
    no_faq = [lang for lang in site.languages if not faq_path(lang, content_dir).exists()]
    if no_faq:
        problems.append(f"languages: no FAQ for {', '.join(no_faq)} "
                        f"(expected {faq_path(no_faq[0], content_dir)})")
    if problems:
        raise ConfigError(path, problems)
    return site


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


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    try:
        site = check_site(site_path(args.config, settings))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    from bot.app import build_application
    from bot.serve import serve

    app = build_application(settings, site)
    asyncio.run(serve(app, poll_timeout=settings.poll_timeout))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    try:
        site = check_site(Path(args.config) if args.config else EXAMPLE_SITE_CONFIG)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    from bot.demo import run_demo

    return asyncio.run(run_demo(site))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="buurtbot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the bot against Telegram (needs BUURTBOT_TOKEN)")
    run.add_argument("--config", help=f"site TOML (default {DEFAULT_SITE_CONFIG.name}, "
                                      f"else the example)")
    demo = sub.add_parser("demo", help="play a scenario offline against a fake Telegram")
    demo.add_argument("--config", help="site TOML (default: the example)")
    check = sub.add_parser("check-config", help="validate a site TOML")
    check.add_argument("path")
    homes = sub.add_parser("import-homes", help="add or update homes from a CSV file")
    homes.add_argument("csv", help="columns: street,number,addition,building,stairwell,floor")
    homes.add_argument("--config", help="site TOML")
    codes = sub.add_parser("invite-codes", help="one invitation code per home: CSV + QR sheets")
    codes.add_argument("--building", required=True, help="building id from the site file")
    codes.add_argument("--bot", required=True, help="the bot's username, for the t.me link")
    codes.add_argument("--out", default=".", help="folder for the CSV, PNG and PDF files")
    codes.add_argument("--config", help="site TOML")
    revoke = sub.add_parser("revoke-code", help="make an invitation code stop working")
    revoke.add_argument("code")
    plan = sub.add_parser("import-schedule", help="import the contractor's planning (CSV)")
    plan.add_argument("csv", help="columns: address,date,start,end,work,notes")
    plan.add_argument("--config", help="site TOML")
    args = parser.parse_args(argv)
    setup_logging()
    if args.command == "check-config":
        return cmd_check_config(args)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"environment: {exc}", file=sys.stderr)
        return 1
    if args.command == "run":
        return cmd_run(args, settings)
    if args.command in ("import-homes", "invite-codes", "revoke-code", "import-schedule"):
        from bot.homes_cli import run_homes_command

        return asyncio.run(run_homes_command(args, settings))
    if args.command is None:  # plain `buurtbot`: the real bot with a token, else the demo
        if settings.token is not None:
            args.config = None
            return cmd_run(args, settings)
        print("No BUURTBOT_TOKEN set: playing the offline demo. "
              "See README.md to run the real bot.\n", file=sys.stderr)
        args.config = None
    return cmd_demo(args)


if __name__ == "__main__":
    sys.exit(main())
