"""Text on the printed letters: the fonts that ship with the bot, and lines that mix scripts.

Pillow draws a string with one font and does no font fallback, and no single font has Latin,
Arabic and Ge'ez (Tigrinya) letters. So a line is cut into runs, each drawn with the first of the
shipped fonts that has its characters (which characters a font has is read from its own cmap
table), and the runs are put in visual order with the rules of the Unicode bidi algorithm that a
sentence needs: in a right-to-left paragraph the runs go from right to left, a left-to-right
island ("QR", "Start") keeps its own order, and spaces and punctuation between scripts go with
the paragraph's direction. Each run is then shaped by libraqm (Pillow's RAQM layout), which joins
Arabic letters and lays out a right-to-left run itself.

Fonts (bot/assets/fonts, SIL Open Font License, see OFL.txt there): Noto Sans, Noto Naskh Arabic
(the book style most Arabic readers learnt to read) and Noto Sans Ethiopic, from Debian's
fonts-noto-core 20201225. They are in the repository because a fresh machine may have no fonts.
"""

from __future__ import annotations

import struct
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ImageDraw, ImageFont, features

FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"
LATIN = "NotoSans-Regular.ttf"
LATIN_BOLD = "NotoSans-Bold.ttf"
ARABIC = "NotoNaskhArabic-Regular.ttf"
ETHIOPIC = "NotoSansEthiopic-Regular.ttf"
RTL_FONTS = {ARABIC}
# Naskh letters look smaller than Latin ones of the same size: drawn a bit larger to match
SCALE = {ARABIC: 1.2}


class LayoutError(RuntimeError):
    """Text this machine's Pillow cannot lay out correctly."""


def raqm() -> bool:
    """Whether Pillow can shape text (Arabic joining, right-to-left runs): its wheels bundle
    libraqm but load FriBiDi from the system (Debian: libfribidi0)."""
    return bool(features.check("raqm"))


@cache
def codepoints(name: str) -> frozenset[int]:
    """The characters the font has a glyph for, from its cmap table (formats 4 and 12)."""
    data = (FONTS / name).read_bytes()
    tables = {data[12 + 16 * i:16 + 16 * i]: struct.unpack_from(">I", data, 20 + 16 * i)[0]
              for i in range(struct.unpack_from(">H", data, 4)[0])}
    cmap = tables[b"cmap"]
    found: set[int] = set()
    for i in range(struct.unpack_from(">H", data, cmap + 2)[0]):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        if (platform, encoding) in ((3, 1), (3, 10), (0, 3), (0, 4)):
            found |= _subtable(data, cmap + offset)
    return frozenset(found)


def _subtable(data: bytes, at: int) -> set[int]:
    fmt = struct.unpack_from(">H", data, at)[0]
    found: set[int] = set()
    if fmt == 12:
        for g in range(struct.unpack_from(">I", data, at + 12)[0]):
            start, end, _ = struct.unpack_from(">III", data, at + 16 + 12 * g)
            found.update(range(start, end + 1))
    elif fmt == 4:
        segs = struct.unpack_from(">H", data, at + 6)[0] // 2
        ends = struct.unpack_from(f">{segs}H", data, at + 14)
        starts = struct.unpack_from(f">{segs}H", data, at + 16 + 2 * segs)
        deltas = struct.unpack_from(f">{segs}h", data, at + 16 + 4 * segs)
        range_at = at + 16 + 6 * segs
        ranges = struct.unpack_from(f">{segs}H", data, range_at)
        for s, (start, end, delta, ro) in enumerate(zip(starts, ends, deltas, ranges,
                                                        strict=True)):
            for c in range(start, min(end, 0xFFFE) + 1):
                if ro == 0:
                    glyph = (c + delta) & 0xFFFF
                else:
                    glyph = struct.unpack_from(">H", data, range_at + 2 * s + ro
                                               + 2 * (c - start))[0]
                if glyph:
                    found.add(c)
    return found


def _engine(direction: str) -> str | None:
    """The direction for Pillow: without libraqm it takes none (only left-to-right text, which
    is all `layout` lets through then)."""
    return direction if raqm() else None


@cache
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if raqm() else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(FONTS / name), round(size * SCALE.get(name, 1.0)),
                              layout_engine=engine)


@dataclass(frozen=True)
class Run:
    text: str
    face: str  # font file name
    direction: str  # "ltr" or "rtl"
    width: float


@dataclass(frozen=True)
class Line:
    runs: tuple[Run, ...]  # in visual order, left to right
    size: int

    @property
    def width(self) -> float:
        return sum(r.width for r in self.runs)


def _strong(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNM"


def _faces(text: str, chain: tuple[str, ...], rtl: bool) -> list[str]:
    """The font for each character: letters and digits take the first font of the chain that
    has them; spaces and punctuation go with a neighbour, the one in the paragraph's direction
    first (so the space between an Arabic word and "QR" belongs to the Arabic run)."""
    def first(ch: str) -> str:
        return next((f for f in chain if ord(ch) in codepoints(f)), chain[0])

    strong = [first(ch) if _strong(ch) else None for ch in text]
    before_of: list[str | None] = []
    after_of: list[str | None] = []
    for seq, out in ((strong, before_of), (strong[::-1], after_of)):
        seen = None
        for f in seq:
            out.append(seen)
            seen = f or seen
    after_of.reverse()
    faces = []
    for i, ch in enumerate(text):
        face = strong[i]
        if face is not None:
            faces.append(face)
            continue
        before, after = before_of[i], after_of[i]
        options = sorted({f for f in (before, after) if f},
                         key=lambda f: ((f in RTL_FONTS) != rtl, f != before))
        faces.append(next((f for f in options if ord(ch) in codepoints(f)), first(ch)))
    return faces


def layout(text: str, size: int, rtl: bool = False, bold: bool = False) -> Line:
    """One line of text as runs in visual order. Raises LayoutError for a right-to-left script
    when Pillow has no libraqm (its letters would come out unjoined and backwards)."""
    chain = (LATIN_BOLD if bold else LATIN, ARABIC, ETHIOPIC)
    if rtl:
        chain = (ARABIC, chain[0], ETHIOPIC)
    faces = _faces(text, chain, rtl)
    pieces: list[tuple[str, str]] = []
    for ch, face in zip(text, faces, strict=True):
        if pieces and pieces[-1][1] == face:
            pieces[-1] = (pieces[-1][0] + ch, face)
        else:
            pieces.append((ch, face))
    if not raqm() and any(f in RTL_FONTS for _, f in pieces):
        raise LayoutError("this Pillow cannot shape Arabic text: it needs libraqm and FriBiDi "
                          "(on Debian or Ubuntu: apt-get install libfribidi0)")
    return Line(tuple(_visual(pieces, size, rtl)), size)


def _visual(pieces: list[tuple[str, str]], size: int, rtl: bool) -> list[Run]:
    """Runs in visual order: runs against the paragraph's direction keep their own order as a
    group, and the groups follow the paragraph's direction."""
    def against(i: int) -> bool:
        text, face = pieces[i]
        if any(_strong(c) for c in text):
            return (face in RTL_FONTS) != rtl
        # only spaces or punctuation: against the paragraph when both sides are
        left = next((j for j in range(i - 1, -1, -1) if any(map(_strong, pieces[j][0]))), None)
        right = next((j for j in range(i + 1, len(pieces)) if any(map(_strong, pieces[j][0]))),
                     None)
        return (left is not None and right is not None and (pieces[left][1] in RTL_FONTS) != rtl
                and (pieces[right][1] in RTL_FONTS) != rtl)

    groups: list[list[Run]] = []
    last = None
    for i, (text, face) in enumerate(pieces):
        flag = against(i)
        direction = "rtl" if (rtl != flag) else "ltr"
        run = Run(text, face, direction,
                  font(face, size).getlength(text, direction=_engine(direction)))
        if groups and last == flag and flag:
            groups[-1].append(run)
        else:
            groups.append([run])
        last = flag
    if rtl:
        groups.reverse()
    return [run for group in groups for run in (reversed(group) if not rtl else group)]


def wrap(text: str, size: int, width: float, rtl: bool = False,
         bold: bool = False) -> list[Line]:
    """Greedy wrapping at spaces, in reading order; a word wider than the line gets a line."""
    lines: list[Line] = []
    current: list[str] = []
    for word in text.split():
        trial = layout(" ".join([*current, word]), size, rtl, bold)
        if current and trial.width > width:
            lines.append(layout(" ".join(current), size, rtl, bold))
            current = [word]
        else:
            current.append(word)
    if current:
        lines.append(layout(" ".join(current), size, rtl, bold))
    return lines


def line_height(lines: Iterable[Line]) -> int:
    """Baseline to baseline for these lines: the tallest font they use, plus a little air."""
    height = 0
    for line in lines:
        for run in line.runs:
            ascent, descent = font(run.face, line.size).getmetrics()
            height = max(height, ascent + descent)
    return round(height * 1.08)


def ascent(line: Line) -> int:
    return max((font(r.face, line.size).getmetrics()[0] for r in line.runs), default=0)


def descent(line: Line) -> int:
    return max((font(r.face, line.size).getmetrics()[1] for r in line.runs), default=0)


def draw_line(draw: ImageDraw.ImageDraw, line: Line, x: float, baseline: float,
              fill: int | str = 0) -> None:
    """Draw the runs from the left edge x, all on one baseline."""
    for run in line.runs:
        draw.text((x, baseline), run.text, font=font(run.face, line.size), fill=fill,
                  anchor="ls", direction=_engine(run.direction))
        x += run.width


def fit(text: str, width: float, size: int, smallest: int, bold: bool = False,
        shorten: bool = False) -> Line:
    """The line at the largest size from `size` down to `smallest` that is at most `width`
    wide; at `smallest` when none is, cut short with "…" if `shorten` (else wider)."""
    for s in range(size, smallest - 1, -1):
        line = layout(text, s, bold=bold)
        if line.width <= width:
            return line
    if shorten and line.width > width:  # from an estimate, then a character at a time
        text = text[:max(1, int(len(text) * width / line.width))]
        line = layout(text.rstrip() + "…", smallest, bold=bold)
        while len(text) > 1 and line.width > width:
            text = text[:-1]
            line = layout(text.rstrip() + "…", smallest, bold=bold)
    return line
