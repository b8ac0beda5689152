"""The invitation letter: one printed page per home that a resident can follow in any language.

From top to bottom: the home's address; three pictograms (open the camera, scan the code, press
Start); the QR code for https://t.me/<bot>?start=<code>; that link written out; the code in
groups of five with a keyboard, for typing; then one sentence per language, Dutch first, each in
its own script (Arabic right-aligned, right to left, its letters joined). Everything stays
15 mm from the paper's edge, so a printer that cannot print the outer 5 mm loses nothing.

Pages are greyscale at 300 dpi; `Letters` draws what all letters of a building share once and
each home's page on a copy of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import segno
from PIL import Image, ImageDraw

from bot.i18n.catalogs import N_, SOURCE_LANGUAGE, Translator
from bot.render import letter_icons as icons
from bot.render.letter_text import (
    LayoutError,
    Line,
    ascent,
    descent,
    draw_line,
    fit,
    layout,
    line_height,
    wrap,
)

DPI = 300
LINK, CODE = 13, 30  # points, on A4
PAPER = {"a4": (210, 297), "a5": (148, 210)}  # millimetres, portrait
MARGIN_MM = 15
SENTENCE = N_("Scan the QR code with the camera of your phone and press Start: then you get "
              "news about the works in your home.")
# Telegram: 5-32 characters, letters, digits and underscores, a bot's ending in "bot"
USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]")


def bot_username(text: str) -> str:
    """The bot's username from `--bot` (an "@" in front is fine). Raises ValueError with one
    line for a link or anything Telegram would not accept as a bot's username."""
    name = text.strip().removeprefix("@")
    if "/" in name or ":" in name or name.lower().startswith(("t.me", "telegram.")):
        raise ValueError(f"--bot: {text!r} is a link; give the bot's username, like "
                         "buurtbot_overvecht_bot")
    if not USERNAME.fullmatch(name):
        raise ValueError(f"--bot: {text!r} is not a bot username (5 to 32 letters, digits or "
                         "_, starting with a letter and ending in 'bot', like "
                         "buurtbot_overvecht_bot)")
    return name


def deep_link(bot: str, code: str) -> str:
    return f"https://t.me/{bot.lstrip('@')}?start={code}"


def grouped(code: str) -> str:
    """RCCC3XRV5Y as RCCC3 XRV5Y: easier to read out and to type (spaces are ignored there)."""
    return " ".join(code[i:i + 5] for i in range(0, len(code), 5))


@dataclass(frozen=True)
class Sentence:
    lang: str
    text: str
    rtl: bool


def sentences(translators: Iterable[Translator]) -> tuple[list[Sentence], list[str]]:
    """The letter's sentence in each language, and the languages left out because their
    catalog does not translate it yet (they would repeat the English)."""
    out: list[Sentence] = []
    missing: list[str] = []
    for tr in translators:
        text = tr._(SENTENCE)
        if text == SENTENCE and tr.lang != SOURCE_LANGUAGE:
            missing.append(tr.lang)
        elif all(s.text != text for s in out):
            out.append(Sentence(tr.lang, text, tr.rtl))
    return out, missing


def mm(value: float) -> int:
    return round(value * DPI / 25.4)


def pt(value: float) -> int:
    return round(value * DPI / 72)


@dataclass(frozen=True)
class Page:
    image: Image.Image  # mode "L", DPI dots per inch
    qr_box: tuple[int, int, int, int]  # the QR code's modules, quiet zone excluded
    qr_modules: int  # modules per side


class Letters:
    """Every letter of one building: the shared parts drawn once, a page per home."""

    def __init__(self, bot: str, lines: list[Sentence], paper: str = "a4") -> None:
        """Raises LayoutError when the sentences cannot be laid out (no libraqm for Arabic) or
        do not fit on the paper."""
        self.bot, self.paper = bot, paper
        width, height = PAPER[paper]
        self.size = (mm(width), mm(height))
        self.k = width / 210  # A5 is A4 scaled down
        self.left, self.right = mm(MARGIN_MM), self.size[0] - mm(MARGIN_MM)
        self.bottom = self.size[1] - mm(MARGIN_MM)
        self.template = Image.new("L", self.size, 255)
        draw = ImageDraw.Draw(self.template)
        steps_top = mm(MARGIN_MM + 17 * self.k)
        self._steps(draw, steps_top, mm(44 * self.k))
        self.qr_top = steps_top + mm(50 * self.k)
        self.qr_side = mm(64 * self.k)
        self.link_top = self.qr_top + self.qr_side + mm(2 * self.k)
        link = layout("https://t.me/", pt(LINK * self.k))
        self.code_top = self.link_top + line_height([link])
        code = layout("RCCC3", pt(CODE * self.k), bold=True)
        self.text_top = self.code_top + line_height([code]) + mm(6 * self.k)
        self._sentences(draw, lines)

    def _steps(self, draw: ImageDraw.ImageDraw, top: int, height: int) -> None:
        gap = mm(12 * self.k)
        box_w = (self.right - self.left - 2 * gap) / 3
        for i, icon in enumerate((icons.camera, icons.scan, icons.start)):
            x0 = self.left + i * (box_w + gap)
            draw.rounded_rectangle((x0, top, x0 + box_w, top + height), radius=mm(4 * self.k),
                                   outline=0, width=max(2, mm(0.35)))
            icon(draw, x0 + box_w / 2, top + height * 0.54, height * 0.78)
            badge = mm(9 * self.k)
            icons.badge(draw, x0 + badge * 0.8, top + badge * 0.8, badge, i + 1)
            if i < 2:
                icons.arrow(draw, x0 + box_w + gap / 2, top + height / 2, gap * 0.8)

    def _sentences(self, draw: ImageDraw.ImageDraw, lines: list[Sentence]) -> None:
        """One paragraph per language below the code, at the largest size that fits, with a
        thin rule between languages."""
        sizes = list(range(pt(6 * self.k), pt(15 * self.k) + 1))
        low, high, best = 0, len(sizes) - 1, None
        while low <= high:  # the largest size that fits: fitting shrinks as the size grows
            mid = (low + high) // 2
            fitted = self._paragraphs(lines, sizes[mid])
            if fitted is None:
                high = mid - 1
            else:
                best, low = fitted, mid + 1
        if best is None:
            raise LayoutError(f"the sentence in {len(lines)} languages does not fit on "
                              f"{self.paper.upper()}" + (" (try --paper a4)"
                                                         if self.paper != "a4" else ""))
        blocks, gap = best
        y = self.text_top
        for n, (sentence, paragraph, pitch) in enumerate(blocks):
            if n:
                draw.line((self.left, y + gap // 2, self.right, y + gap // 2), fill=0,
                          width=max(1, mm(0.2)))
                y += gap
            for line in paragraph:
                x = self.right - line.width if sentence.rtl else self.left
                draw_line(draw, line, x, y + (pitch + ascent(line) - descent(line)) // 2)
                y += pitch

    def _paragraphs(self, lines: list[Sentence], size: int
                    ) -> tuple[list[tuple[Sentence, list[Line], int]], int] | None:
        """The paragraphs at this size with their line pitch, and the gap between them; None
        when they do not fit between the code and the bottom margin."""
        width, space, gap = self.right - self.left, self.bottom - self.text_top, size
        blocks = []
        for sentence in lines:
            paragraph = wrap(sentence.text, size, width, sentence.rtl)
            blocks.append((sentence, paragraph, line_height(paragraph)))
            space -= blocks[-1][2] * len(paragraph) + (gap if len(blocks) > 1 else 0)
            if space < 0:
                return None
        return blocks, gap

    def page(self, address: str, code: str) -> Page:
        image = self.template.copy()
        draw = ImageDraw.Draw(image)
        width = self.right - self.left
        heading = fit(address, width, pt(22 * self.k), pt(12 * self.k), bold=True,
                      shorten=True)
        draw_line(draw, heading, self.left, mm(MARGIN_MM) + ascent(heading))
        box, modules = self._qr(image, deep_link(self.bot, code))
        link = fit(deep_link(self.bot, code), width, pt(LINK * self.k), pt(6 * self.k))
        self._centred(draw, link, self.link_top)
        typed = fit(grouped(code), width, pt(CODE * self.k), pt(16 * self.k), bold=True)
        key = mm(14 * self.k)
        x = (self.left + self.right - typed.width - key * 1.4) / 2
        baseline = self.code_top + ascent(typed)
        icons.keyboard(draw, x + key / 2, baseline - ascent(typed) * 0.36, key)
        draw_line(draw, typed, x + key * 1.4, baseline)
        return Page(image, box, modules)

    def _centred(self, draw: ImageDraw.ImageDraw, line: Line, top: int) -> None:
        draw_line(draw, line, (self.left + self.right - line.width) / 2, top + ascent(line))

    def _qr(self, image: Image.Image, link: str) -> tuple[tuple[int, int, int, int], int]:
        qr = segno.make(link, error="m", micro=False)
        matrix = qr.matrix
        modules = len(matrix)
        scale = self.qr_side // (modules + 8)  # whole pixels per module, 4 modules quiet zone
        dots = Image.new("L", (modules, modules), 255)
        dots.putdata([0 if bit else 255 for row in matrix for bit in row])
        side = modules * scale
        x0 = (self.left + self.right - side) // 2
        y0 = self.qr_top + (self.qr_side - side) // 2
        image.paste(dots.resize((side, side), Image.Resampling.NEAREST), (x0, y0))
        return (x0, y0, x0 + side, y0 + side), modules


def bilevel(page: Image.Image) -> Image.Image:
    """The page in black and white only, for the PDF: sharp text and QR modules at 300 dpi."""
    return page.point(lambda v: 255 if v >= 160 else 0).convert("1", dither=Image.Dither.NONE)


def preview(page: Image.Image) -> Image.Image:
    """The page at 150 dpi, to look at on a screen."""
    return page.reduce(2)  # a box filter: as sharp as LANCZOS for this, ten times faster
