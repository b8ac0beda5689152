"""Homes in and invitation letters out: the CSV import and the printable QR sheets.

Every bad row is reported with its line number and nothing is imported until the whole file is
right. Sheets: A4 pages (PNG, and all pages in one PDF) with one QR code per home for the deep link
https://t.me/<bot>?start=<code>, to go into the letters residents already receive.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from bot.config import SiteConfig
from bot.store.homes import Home, NewHome, address_key

PAGE = (1240, 1754)  # A4 at 150 dpi
GRID = (2, 4)


@dataclass
class ImportResult:
    homes: list[NewHome]
    errors: list[str]


def read_homes_csv(path: Path, site: SiteConfig) -> ImportResult:
    """Raises OSError or UnicodeDecodeError (not UTF-8) before reading any row."""
    homes, errors = [], []
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in ("street", "number", "building") if c not in header]
    if missing:
        return ImportResult([], [f"line 1: missing column(s): {', '.join(missing)}"])
    seen: dict[tuple[str, int, str], int] = {}
    for line, row in enumerate(reader, start=2):
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
    street = (row.get("street") or "").strip()
    building = (row.get("building") or "").strip()
    if not street:
        return None, "street: empty"
    try:
        number = int((row.get("number") or "").strip())
    except ValueError:
        return None, f"number: {row.get('number')!r} is not a whole number"
    if site.building(building) is None:
        return None, f"building: no building with id {building!r} in the site file"
    floor_text = (row.get("floor") or "").strip()
    try:
        floor = int(floor_text) if floor_text else None
    except ValueError:
        return None, f"floor: {floor_text!r} is not a whole number"
    return NewHome(building, street, number, (row.get("addition") or "").strip(),
                   (row.get("stairwell") or "").strip(), floor), None


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


def write_codes_csv(path: Path, homes: list[Home], codes: dict[int, str], bot: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["address", "building", "stairwell", "floor", "code", "link"])
        for h in homes:
            out.writerow([h.address, h.building, h.stairwell, "" if h.floor is None else h.floor,
                          codes[h.id], deep_link(bot, codes[h.id])])


def write_sheets(folder: Path, stem: str, homes: list[Home], codes: dict[int, str],
                 bot: str) -> list[Path]:
    """PNG pages plus one PDF with all pages; returns the files written."""
    per_page = GRID[0] * GRID[1]
    pages = [_page(homes[i:i + per_page], codes, bot) for i in range(0, len(homes), per_page)]
    written = []
    for number, page in enumerate(pages, start=1):
        path = folder / f"{stem}-sheet-{number}.png"
        page.save(path)
        written.append(path)
    if pages:
        pdf = folder / f"{stem}-sheets.pdf"
        pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=150)
        written.append(pdf)
    return written


def _page(homes: list[Home], codes: dict[int, str], bot: str) -> Image.Image:
    page = Image.new("RGB", PAGE, "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=30)
    small = ImageFont.load_default(size=22)
    cell_w, cell_h = PAGE[0] // GRID[0], PAGE[1] // GRID[1]
    for index, home in enumerate(homes):
        x, y = (index % GRID[0]) * cell_w, (index // GRID[0]) * cell_h
        qr = segno.make(deep_link(bot, codes[home.id]), error="m")
        image = _qr_image(qr)
        page.paste(image.convert("RGB"), (x + 30, y + 30))
        tx = x + 30 + image.width + 20
        draw.text((tx, y + 40), home.address, fill="black", font=font)
        draw.text((tx, y + 90), codes[home.id], fill="black", font=font)
        draw.text((tx, y + 140), f"t.me/{bot.lstrip('@')}", fill="black", font=small)
        draw.rectangle((x + 5, y + 5, x + cell_w - 5, y + cell_h - 5), outline="#bbbbbb")
    return page


def _qr_image(qr: segno.QRCode) -> Image.Image:
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=7, border=2)
    buf.seek(0)
    return Image.open(buf)
