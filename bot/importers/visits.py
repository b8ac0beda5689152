"""Home visits from paper and spreadsheets: `buurtbot import-visits FILE.csv`.

Columns: address, date, round, outcome, referred_to, notes (the last two may be empty or
missing). `outcome` is spoken, not_home, refused, moved or empty (or the Dutch gesproken,
niet_thuis, weigert, verhuisd, leeg); `round` is the round's name, and a name not seen before
starts that round for the home's building; `referred_to` holds partner ids separated by spaces
(or commas), e.g. `dock werk_inkomen`, only for a resident who was spoken to; consent is assumed
for an imported referral and recorded as such. Every row is checked before anything is written:
every bad row is reported with its line number and nothing is half-imported. A row is known by
a hash of its normalised content, so a re-import of the same file changes and posts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.config import SiteConfig
from bot.domain.planning import split_address
from bot.domain.visits import (
    MAX_NOTES,
    MAX_REFERRALS,
    MAX_ROUND_NAME,
    Outcome,
    import_key,
    parse_day,
    referrals_allowed,
)
from bot.importers.csvfile import read_table
from bot.importers.planning import MAX_ADDRESS
from bot.services.outreach import ImportRow
from bot.store.homes import Home, address_key

REQUIRED = ("address", "date", "round", "outcome")
OPTIONAL = ("referred_to", "notes")
ALIASES = {"adres": "address", "datum": "date", "ronde": "round", "uitkomst": "outcome",
           "doorverwezen naar": "referred_to", "doorverwezen": "referred_to",
           "notities": "notes", "opmerkingen": "notes"}
OUTCOMES = {o.value: o for o in Outcome} | {
    "gesproken": Outcome.SPOKEN, "niet_thuis": Outcome.NOT_HOME, "niet thuis": Outcome.NOT_HOME,
    "weigert": Outcome.REFUSED, "verhuisd": Outcome.MOVED, "leeg": Outcome.EMPTY,
    "not home": Outcome.NOT_HOME}


@dataclass
class ReadVisits:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line 7: outcome: ..."


def read_visits(path: Path, site: SiteConfig, homes: dict[tuple[str, int, str], Home]
                ) -> ReadVisits:
    """Every row checked; raises OSError, UnicodeDecodeError or CsvError (bot/importers/
    csvfile.py) for a file that cannot be read at all."""
    table = read_table(path, REQUIRED, OPTIONAL, ALIASES)
    out = ReadVisits()
    partners = {p.id for p in site.partners if p.id != site.coordinator}
    for line, cells in table.rows:
        try:
            out.rows.append(_row(line, cells, homes, partners))
        except ValueError as exc:
            out.errors.append(f"line {line}: {exc}")
    return out


def _row(line: int, cells: dict[str, str], homes: dict[tuple[str, int, str], Home],
         partners: set[str]) -> ImportRow:
    text = cells.get("address", "")
    if len(text) > MAX_ADDRESS:
        raise ValueError(f"address: longer than {MAX_ADDRESS} characters")
    parts = split_address(text)  # one pass: a cell of spaces is as quick as a short one
    if parts is None:
        raise ValueError(f"address: {text!r} is not street + number")
    key = address_key(*parts)
    home = homes.get(key)
    if home is None:
        raise ValueError(f"address: {text!r} is not a known home "
                         "(import it with `buurtbot import-homes`)")
    try:
        day = parse_day(cells.get("date", ""))
    except ValueError:
        raise ValueError(f"date: {cells.get('date', '')!r} is not a date "
                         "(use 2027-03-12 or 12-03-2027)") from None
    name = " ".join(cells.get("round", "").split())
    if not name or len(name) > MAX_ROUND_NAME:
        raise ValueError(f"round: give the round's name (at most {MAX_ROUND_NAME} characters)")
    outcome = OUTCOMES.get(cells.get("outcome", "").strip().lower())
    if outcome is None:
        raise ValueError(f"outcome: {cells.get('outcome', '')!r} is not one of "
                         + ", ".join(o.value for o in Outcome))
    referred = tuple(cells.get("referred_to", "").replace(",", " ").lower().split())
    unknown = [p for p in referred if p not in partners]
    if unknown:
        raise ValueError(f"referred_to: no partner {', '.join(map(repr, unknown))} "
                         f"(use {', '.join(sorted(partners))})")
    if referred and not referrals_allowed(outcome):
        raise ValueError(f"referred_to: only a resident who was spoken to can be referred "
                         f"(outcome is {outcome.value})")
    if len(set(referred)) != len(referred) or len(referred) > MAX_REFERRALS:
        raise ValueError(f"referred_to: each partner once, at most {MAX_REFERRALS}")
    notes = " ".join(cells.get("notes", "").split())
    if len(notes) > MAX_NOTES:
        raise ValueError(f"notes: at most {MAX_NOTES} characters")
    return ImportRow(line, home, day, name, outcome, referred, notes,
                     import_key(key, day, name, outcome, referred, notes))
