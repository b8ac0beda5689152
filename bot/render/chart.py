"""The figures as a picture for the coordinator group: per building the homes spoken to and the
referrals per partner, then the requests per partner, as horizontal bars (long names fit, and a
phone shows them full width). Drawn with Pillow and the fonts the letters use
(bot/assets/fonts, laid out by bot/render/letter_text.py, so Arabic labels join too).

Counts only: the chart shows exactly what /figures writes, never a name or an address.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from babel.numbers import format_decimal
from PIL import Image, ImageDraw

from bot.config import SiteConfig
from bot.domain.figures import Figures
from bot.i18n import Translator
from bot.render.letter_text import LayoutError, Line, draw_line, fit, layout

WIDTH = 1080  # a phone shows the photo full width: 1080 px is sharp on any of them
MARGIN = 48
LABEL = 400  # the labels' column; the bars start after it
ROW = 60
TEXT = 34
MAX_BUILDINGS = 10  # the ones with the most homes spoken to; the rest are counted below
SPOKEN = (31, 78, 121)
REFERRAL = (224, 123, 0)
REQUESTS = (46, 125, 50)
GREY = (90, 90, 90)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    colour: tuple[int, int, int]
    indent: bool = False  # a referral, under the homes spoken to


@dataclass(frozen=True)
class Group:
    title: str
    bars: list[Bar]
    requests: bool = False  # the requests' group, on a scale of its own


def chart(tr: Translator, site: SiteConfig, figures: Figures, subtitle: str) -> bytes:
    """The PNG: a title, then one group of bars per building and one for the requests."""
    groups = _groups(tr, site, figures)
    legend = _sentences(tr._("Blue: homes spoken to. Orange: referrals to each partner."))
    height = (MARGIN * 2 + 150 + 36 * len(legend)
              + sum(70 + ROW * max(len(g.bars), 1) for g in groups))
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    y = MARGIN + 46
    _text(draw, tr._("Figures"), MARGIN, y, 46, tr, bold=True)
    y += 50
    _text(draw, subtitle, MARGIN, y, 28, tr, fill=GREY)
    y += 40
    for sentence in legend:  # a sentence a line: a long legend still fits a phone
        _text(draw, sentence, MARGIN, y + 8, 26, tr, fill=GREY, width=WIDTH - 2 * MARGIN,
              align=True)
        y += 36
    y -= 16
    for group in groups:
        # visits and requests each on their own scale: thousands of requests must not shrink
        # a building's bars to nothing
        top = max((b.value for g in groups if g.requests == group.requests for b in g.bars),
                  default=0)
        y += 64
        _text(draw, group.title, MARGIN, y, 36, tr, bold=True)
        y += 16
        if not group.bars:
            _text(draw, tr._("Nothing yet."), MARGIN, y + 40, TEXT, tr, fill=GREY)
            y += ROW
        for bar in group.bars:
            _bar(draw, bar, y, top, tr)
            y += ROW
    out = io.BytesIO()
    image.crop((0, 0, WIDTH, min(height, y + MARGIN))).save(out, "PNG", optimize=True)
    return out.getvalue()


def _groups(tr: Translator, site: SiteConfig, figures: Figures) -> list[Group]:
    spoken: dict[str, int] = {}
    referrals: dict[str, dict[str, int]] = {}
    for r in figures.rounds:
        spoken[r.building] = spoken.get(r.building, 0) + r.spoken
        mine = referrals.setdefault(r.building, {})
        for partner_id, n in r.referrals.items():
            mine[partner_id] = mine.get(partner_id, 0) + n
    order = [p.id for p in site.partners]
    groups = []
    ranked = sorted(spoken, key=lambda b: (-spoken[b], b))
    for building in ranked[:MAX_BUILDINGS]:
        bars = [Bar(tr._("Spoken to"), spoken[building], SPOKEN)]
        mine = referrals[building]
        bars += [Bar(site.partner_name(p), mine[p], REFERRAL, indent=True)
                 for p in sorted(mine, key=lambda p: (order.index(p) if p in order else 99, p))]
        found = site.building(building)
        groups.append(Group(found.name if found else building, bars))
    if len(ranked) > MAX_BUILDINGS:
        rest = len(ranked) - MAX_BUILDINGS
        groups.append(Group(tr.ngettext("and {n} more building (see the table)",
                                        "and {n} more buildings (see the table)", rest), []))
    requests = [Bar(site.partner_name(p.partner_id), p.requests, REQUESTS)
                for p in figures.partners if p.requests]
    groups.append(Group(tr._("Requests per partner"), requests, requests=True))
    return groups


def _bar(draw: ImageDraw.ImageDraw, bar: Bar, y: int, top: int, tr: Translator) -> None:
    baseline = y + 40
    x = MARGIN + (28 if bar.indent else 0)
    _text(draw, bar.label, x, baseline, TEXT, tr, width=LABEL - x - 12)
    room = WIDTH - MARGIN - LABEL - 110  # the value is written after the bar
    length = 0 if top <= 0 else max(round(room * bar.value / top), 4 if bar.value else 0)
    draw.rectangle((LABEL, y + 10, LABEL + length, y + ROW - 8), fill=bar.colour)
    _text(draw, format_decimal(bar.value, locale=tr.locale), LABEL + length + 12, baseline,
          TEXT, tr)


def _sentences(text: str) -> list[str]:
    """The legend's sentences (". " or the Ge'ez full stop end one), each kept whole."""
    return [part.strip() for part in re.split(r"(?<=[.።])\s+", text) if part.strip()]


def _text(draw: ImageDraw.ImageDraw, text: str, x: int, baseline: int, size: int,
          tr: Translator, *, bold: bool = False, fill: tuple[int, int, int] = (0, 0, 0),
          width: int | None = None, align: bool = False) -> None:
    """A line at `x` (right-aligned in a right-to-left language, unless it is a label in
    the labels' column), shrunk to `width` when given (`fit`, down to 22 px, then cut with
    "…")."""
    line = _line(text, size, bold, width)
    if tr.rtl and (width is None or align):
        x = max(WIDTH - MARGIN - round(line.width), MARGIN)
    draw_line(draw, line, x, baseline, fill=f"#{fill[0]:02x}{fill[1]:02x}{fill[2]:02x}")


def _line(text: str, size: int, bold: bool, width: int | None) -> Line:
    try:
        if width is not None:
            return fit(text, width, size, 22, bold=bold, shorten=True)
        return layout(text, size, bold=bold)
    except LayoutError:  # no libraqm for Arabic here: the Latin letters and digits only
        plain = "".join(ch for ch in text if ord(ch) < 0x0590) or "?"
        return layout(plain, size, bold=bold)
