"""Homes in and invitation letters out: the homes CSV, the codes CSV and the printed letters.

Every bad row is reported with its line number and nothing is imported until the whole file is
right. A home must fit the building's definition in the site file: its street and number within
the building's `addresses`, a stairwell from `stairwells`, a floor from 0 (the ground floor) to
`floors`. Letters: one page per home (bot/render/letter.py), all in one PDF to print and a PNG
of each to look at or send.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.config import Building, SiteConfig
from bot.importers.csvfile import read_table, write_csv
from bot.render.letter import DPI, Letters, bilevel, deep_link, preview
from bot.render.letter_pdf import PdfPages
from bot.store.homes import Home, NewHome, address_key

__all__ = ["ImportResult", "deep_link", "read_homes_csv", "write_codes_csv", "write_letters"]

COLUMNS = ("street", "number", "building")
OPTIONAL = ("addition", "stairwell", "floor")
DUTCH = {"straat": "street", "straatnaam": "street", "huisnummer": "number", "nummer": "number",
         "toevoeging": "addition", "huisnummertoevoeging": "addition", "gebouw": "building",
         "complex": "building", "trappenhuis": "stairwell", "portiek": "stairwell",
         "trap": "stairwell", "verdieping": "floor", "etage": "floor"}
RANGE = re.compile(r"(\d+)(?:\s*-\s*(\d+))?")


@dataclass
class ImportResult:
    homes: list[NewHome]
    errors: list[str]


def read_homes_csv(path: Path, site: SiteConfig) -> ImportResult:
    """Raises OSError, UnicodeDecodeError (not UTF-8) or CsvError (the file as a whole: too big,
    empty, columns missing) before reading any row."""
    table = read_table(path, COLUMNS, OPTIONAL, DUTCH)
    homes, errors = [], []
    seen: dict[tuple[str, int, str], int] = {}
    for line, row in table.rows:
        home, error = _home(row, site)
        if error:
            errors.append(f"line {line}: {error}")
            continue
        assert home is not None
        key = address_key(home.street, home.number, home.addition)
        if key in seen:
            errors.append(f"line {line}: same address as line {seen[key]}")
            continue
        seen[key] = line
        homes.append(home)
    return ImportResult(homes, errors)


def _home(row: dict[str, str], site: SiteConfig) -> tuple[NewHome | None, str | None]:
    street, building_id = " ".join(row["street"].split()), row["building"]
    if not street:
        return None, "street: empty"
    number_text, addition = row["number"], row.get("addition", "")
    if not number_text.isascii() or not number_text.isdigit():
        hint = (f" (put {number_text.lstrip('0123456789').strip(' -')!r} in the addition "
                "column)" if number_text[:1].isdigit() and not addition else "")
        return None, f"number: {number_text!r} is not a whole number{hint}"
    number = int(number_text)
    if number < 1:
        return None, f"number: {number} is not a house number (they start at 1)"
    building = site.building(building_id)
    if building is None:
        return None, f"building: no building with id {building_id!r} in the site file"
    problem = _outside(building, street, number)
    if problem:
        return None, problem
    stairwell, problem = _stairwell(building, row.get("stairwell", ""))
    if problem:
        return None, problem
    floor, problem = _floor(building, row.get("floor", ""))
    if problem:
        return None, problem
    return NewHome(building.id, street, number, addition, stairwell, floor), None


def _outside(building: Building, street: str, number: int) -> str | None:
    """Why street + number is not one of the building's addresses (None when it is, or when
    the site file gives no addresses to check against)."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    for entry in building.addresses:
        name, _, spec = entry.strip().rpartition(" ")
        found = [RANGE.fullmatch(part.strip()) for part in spec.split(",")]
        if name and found and all(found):
            ranges.setdefault(name.strip().casefold(), []).extend(
                (int(m[1]), int(m[2] or m[1])) for m in found if m)
    if not ranges:
        return None
    if any(lo <= number <= hi for lo, hi in ranges.get(street.casefold(), [])):
        return None
    return (f"address: {street} {number} is not in building {building.id} "
            f"({'; '.join(building.addresses)} in the site file)")


def _stairwell(building: Building, text: str) -> tuple[str, str | None]:
    if not text or not building.stairwells:
        return text, None
    known = {s.casefold(): s for s in building.stairwells}
    if text.casefold() in known:
        return known[text.casefold()], None  # spelled as the site file does
    return text, (f"stairwell: {text!r} is not a stairwell of {building.id} "
                  f"({', '.join(building.stairwells)})")


def _floor(building: Building, text: str) -> tuple[int | None, str | None]:
    if not text:
        return None, None
    try:
        floor = int(text)
    except ValueError:
        return None, f"floor: {text!r} is not a whole number"
    if not 0 <= floor <= building.floors:
        return None, (f"floor: {floor} is not a floor of {building.id} "
                      f"(0, the ground floor, to {building.floors})")
    return floor, None


def write_codes_csv(path: Path, homes: list[Home], codes: dict[int, str], bot: str) -> None:
    """One row per home with its code and link, every cell safe to open in Excel."""
    write_csv(path, ["address", "building", "stairwell", "floor", "code", "link"],
              ([h.address, h.building, h.stairwell, "" if h.floor is None else h.floor,
                codes[h.id], deep_link(bot, codes[h.id])] for h in homes))


def write_letters(folder: Path, stem: str, homes: list[Home], codes: dict[int, str],
                  letters: Letters) -> tuple[Path, list[Path]]:
    """All letters in one PDF to print (300 dpi, black and white), and each as a PNG to look at
    or send (150 dpi); returns the PDF and the PNGs. The names are those of the earlier sheets
    (<stem>-sheets.pdf, <stem>-sheet-<n>.png), so scripts that print them keep working."""
    pdf, pngs = folder / f"{stem}-sheets.pdf", []
    with pdf.open("wb") as fh:
        pages = PdfPages(fh, DPI)
        for number, home in enumerate(homes, start=1):
            page = letters.page(home.address, codes[home.id]).image
            pages.add(bilevel(page))
            png = folder / f"{stem}-sheet-{number}.png"
            preview(page).save(png)
            pngs.append(png)
        pages.close()
    return pdf, pngs
