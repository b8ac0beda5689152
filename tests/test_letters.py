"""Invitation letters a resident can follow: one page per home with three pictograms, the QR
code of the deep link, the link and the code in groups of five, and the letter's sentence in
Dutch and each site language in its own script (Arabic right to left with joined letters), all
15 mm from the paper's edge; `--bot` must be a bot's username."""

from __future__ import annotations

import shutil
import subprocess
from collections import deque
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno
from PIL import Image, ImageDraw, PdfParser

from bot.cli.main import main
from bot.i18n.catalogs import I18n
from bot.render import letter_text
from bot.render.letter import SENTENCE, Letters, Sentence, bilevel, deep_link, grouped, sentences
from bot.render.letter_text import (
    ARABIC,
    ETHIOPIC,
    LATIN,
    LayoutError,
    codepoints,
    draw_line,
    layout,
)
from bot.store.homes import NewHome
from bot.testing.harness import BotHarness
from bot.testing.moments import workday_clock

LONG_BOT = "abcdefghijklmnopqrstuvwxyz_12bot"  # 32 characters, Telegram's longest
AR = "امسح رمز QR بكاميرا هاتفك واضغط على «ابدأ» (Start): بعدها تصلك أخبار عن الأعمال في بيتك."
TI = "ነቲ QR ኮድ ብካሜራ ተሌፎንካ ስካን ግበሮ እሞ Start ጠውቕ፡ ሽዑ ብዛዕባ ኣብ ገዛኻ ዝካየድ ስራሓት ዜና ክበጽሓካ እዩ።"
NL = ("Scan de QR-code met de camera van je telefoon en druk op Start: dan krijg je nieuws over "
      "de werkzaamheden in je huis.")
PL = ("Zeskanuj kod QR aparatem w telefonie i naciśnij Start: wtedy dostaniesz wiadomości o "
      "pracach w twoim mieszkaniu.")
ALL = [Sentence("nl", NL, False), Sentence("ar", AR, True), Sentence("en", SENTENCE, False),
       Sentence("pl", PL, False), Sentence("so", "Ku sawir koodhka QR kamaradda taleefankaaga "
                                                 "oo riix Start: markaas waxaad heli doontaa war "
                                                 "ku saabsan shaqada gurigaaga.", False),
       Sentence("tr", "QR kodunu telefonunuzun kamerasıyla okutun ve Başlat'a (Start) basın: "
                      "böylece evinizdeki tadilat çalışmaları hakkında haber alırsınız.", False),
       Sentence("ti", TI, False)]


@pytest.fixture(scope="module")
def a4() -> Letters:
    return Letters(LONG_BOT, ALL, "a4")


@pytest.fixture(scope="module")
def a5() -> Letters:
    return Letters(LONG_BOT, ALL, "a5")


def ink_near_edge(page: Image.Image, dpi: int, mm: float = 10) -> list[str]:
    """The sides of the page with any ink (not white) within `mm` of the edge."""
    band = round(mm * dpi / 25.4)
    w, h = page.size
    boxes = {"top": (0, 0, w, band), "bottom": (0, h - band, w, h), "left": (0, 0, band, h),
             "right": (w - band, 0, w, h)}
    gray = page.convert("L")
    return [side for side, box in boxes.items() if gray.crop(box).getextrema()[0] < 250]


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_nothing_is_printed_within_10_mm_of_the_edge_even_with_long_names(
        paper: str, a4: Letters, a5: Letters) -> None:
    letters = a4 if paper == "a4" else a5
    page = letters.page("Burgemeester van Tuyll van Serooskerkenlaan 1001-BIS", "RCCC3XRV5Y")
    assert page.image.size == {"a4": (2480, 3508), "a5": (1748, 2480)}[paper]  # 300 dpi
    assert ink_near_edge(page.image, 300) == []
    assert ink_near_edge(bilevel(page.image), 300) == []
    # and there is ink just inside the 15 mm margin (20 mm for the tops of the letters)
    assert {"top", "left", "right"} <= set(ink_near_edge(page.image, 300, 20))
    absurd = letters.page("Zambesidreef " * 30 + "12-B", "RCCC3XRV5Y")  # cut short with …
    assert ink_near_edge(absurd.image, 300) == []


def test_sentences_that_do_not_fit_the_paper_are_refused() -> None:
    with pytest.raises(LayoutError, match="the sentence in 14 languages does not fit on A5 "
                                          r"\(try --paper a4\)"):
        Letters("buurtbot_bot", [Sentence("nl", NL * 2, False)] * 14, "a5")


def modules(page: Image.Image, box: tuple[int, int, int, int], count: int) -> list[list[bool]]:
    """Read the QR code off the page: the colour at the centre of each module."""
    x0, y0, x1, _ = box
    step = (x1 - x0) / count
    return [[page.getpixel((round(x0 + (c + 0.5) * step), round(y0 + (r + 0.5) * step))) == 0
             for c in range(count)] for r in range(count)]


def test_the_printed_qr_code_is_the_link_with_the_code(a4: Letters) -> None:
    page = a4.page("Zambesidreef 12-B", "RCCC3XRV5Y")
    link = f"https://t.me/{LONG_BOT}?start=RCCC3XRV5Y"
    assert deep_link(LONG_BOT, "RCCC3XRV5Y") == link
    expected = segno.make(link, error="m", micro=False)  # no QR decoder is installed: compare
    assert page.qr_modules == len(expected.matrix)    # the printed modules with the encoder's
    assert modules(bilevel(page.image).convert("L"), page.qr_box, page.qr_modules) == [
        [bool(bit) for bit in row] for row in expected.matrix]
    other = a4.page("Zambesidreef 12-B", "VSTT7YFBQD")
    assert modules(bilevel(other.image).convert("L"), other.qr_box, other.qr_modules) != (
        modules(bilevel(page.image).convert("L"), page.qr_box, page.qr_modules))
    x0, y0, x1, y1 = page.qr_box  # a quiet zone of 4 modules stays white around it
    q = 4 * (x1 - x0) // page.qr_modules
    for strip in ((x0 - q, y0 - q, x1 + q, y0), (x0 - q, y1, x1 + q, y1 + q),
                  (x0 - q, y0, x0, y1), (x1, y0, x1 + q, y1)):
        assert page.image.crop(strip).getextrema()[0] == 255


def test_the_code_is_printed_in_groups_of_five() -> None:
    assert grouped("RCCC3XRV5Y") == "RCCC3 XRV5Y"


async def test_the_code_typed_as_printed_links_the_home(h: BotHarness) -> None:
    await h.store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", 12, "B", "A", 3)])
    homes = await h.store.homes.in_building("zambesidreef")
    code = (await h.store.homes.codes_for(homes))[homes[0].id]
    amina = await h.onboard("Amina", "ar")
    await amina.send(grouped(code))
    assert h.tr("ar")._("Welcome! This chat is now linked to your home: {address}.",
                        address="Zambesidreef 12-B") in amina.last_text


def components(image: Image.Image) -> int:
    """How many separate blobs of ink the image has (4-connected)."""
    w, h = image.size
    ink = {(x, y) for y in range(h) for x in range(w) if image.getpixel((x, y)) < 128}
    seen: set[tuple[int, int]] = set()
    count = 0
    for start in ink:
        if start in seen:
            continue
        count += 1
        todo = deque([start])
        seen.add(start)
        while todo:
            x, y = todo.popleft()
            for n in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                if n in ink and n not in seen:
                    seen.add(n)
                    todo.append(n)
    return count


def drawn(text: str, rtl: bool) -> Image.Image:
    line = layout(text, 80, rtl=rtl)
    image = Image.new("L", (round(line.width) + 40, 200), 255)
    draw_line(ImageDraw.Draw(image), line, 20, 130)
    return image


def test_arabic_letters_are_joined() -> None:
    # three beh: joined, one stroke on the baseline and three dots; apart, six blobs
    assert components(drawn("ببب", rtl=True)) == 4
    assert components(drawn("ب ب ب", rtl=True)) == 6


def test_arabic_reads_from_right_to_left_with_latin_islands_in_their_own_order() -> None:
    runs = layout(AR, 60, rtl=True).runs  # left to right on the page
    assert runs[-1].text.startswith("امسح") and runs[-1].direction == "rtl"  # the first word
    assert [r.text for r in runs if r.face == LATIN] == ["(Start)", "QR"]  # QR comes first,
    assert runs[0].text.endswith("بيتك.")  # rightmost; the sentence ends at the left
    assert [r.face for r in runs[-2:]] == [LATIN, ARABIC]  # "QR" right after "امسح رمز"
    ltr = layout("Bel 0900-8844 of typ مرحبا hier", 60).runs
    assert [r.text for r in ltr] == ["Bel 0900-8844 of typ ", "مرحبا", " hier"]
    assert ltr[1].direction == "rtl"


def test_every_character_of_every_sentence_has_a_glyph_in_the_shipped_fonts() -> None:
    for sentence in ALL:
        for run in layout(sentence.text, 40, rtl=sentence.rtl).runs:
            assert all(ord(ch) in codepoints(run.face) or ch == " " for ch in run.text), (
                sentence.lang, run)
    assert {r.face for r in layout(TI, 40).runs} == {ETHIOPIC, LATIN}


def test_without_libraqm_arabic_is_refused_not_printed_backwards(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(letter_text, "raqm", lambda: False)
    with pytest.raises(LayoutError, match="libfribidi0"):
        layout(AR, 40, rtl=True)
    assert layout(NL, 40).width > 0  # Latin needs no shaping


def po(lang: str, entries: dict[str, str]) -> str:
    body = "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in entries.items())
    return (f'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n"Content-Type: text/plain; '
            f'charset=UTF-8\\n"\n\n{body}')


def test_the_sentence_goes_through_gettext_in_each_site_language(tmp_path: Path) -> None:
    for lang, text in (("nl", NL), ("ar", AR), ("ti", TI), ("tr", None)):
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.po").write_text(po(lang, {SENTENCE: text} if text else {}),
                                            encoding="utf-8")
    i18n = I18n(["nl", "ar", "ti", "tr"], "nl", ZoneInfo("Europe/Amsterdam"), locales_dir=tmp_path)
    lines, missing = sentences(i18n.all())
    assert [(s.lang, s.text, s.rtl) for s in lines] == [
        ("nl", NL, False), ("ar", AR, True), ("ti", TI, False)]
    assert missing == ["tr"]  # left out rather than printed in English


def pdf_pages(path: Path) -> int:
    return len(PdfParser.PdfParser(str(path)).pages)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.db"
    monkeypatch.setenv("BUURTBOT_DB", str(path))
    return path


def test_invite_codes_write_one_letter_per_home(tmp_path: Path, db: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    homes = tmp_path / "homes.csv"
    homes.write_text("street,number,addition,building,stairwell,floor\n"
                     + "".join(f"Zambesidreef,{n},,zambesidreef,A,{n % 10}\n"
                               for n in range(1, 4)), encoding="utf-8")
    assert main(["import-homes", str(homes)], clock=workday_clock()) == 0
    capsys.readouterr()
    out = tmp_path / "letters"
    assert main(["invite-codes", "--building", "zambesidreef", "--bot", "@" + LONG_BOT,
                 "--out", str(out), "--paper", "a5"], clock=workday_clock()) == 0
    said = capsys.readouterr()
    assert said.out == (f"3 codes for zambesidreef, written to {out}: zambesidreef-codes.csv, "
                        "zambesidreef-sheets.pdf (3 letters on A5 to print), "
                        "zambesidreef-sheet-1.png to zambesidreef-sheet-3.png\n")
    pdf = out / "zambesidreef-sheets.pdf"
    assert pdf_pages(pdf) == 3
    parsed = PdfParser.PdfParser(str(pdf))
    page = parsed.read_indirect(parsed.pages[0])
    assert [round(float(v)) for v in page[b"MediaBox"]] == [0, 0, 420, 595]  # A5 in points
    for n in (1, 2, 3):
        preview = Image.open(out / f"zambesidreef-sheet-{n}.png")
        assert preview.size == (874, 1240)  # A5 at 150 dpi
        assert ink_near_edge(preview, 150) == []
    csv_rows = (out / "zambesidreef-codes.csv").read_text(encoding="utf-8").splitlines()
    assert len(csv_rows) == 4 and csv_rows[1].endswith(f"https://t.me/{LONG_BOT}?start="
                                                       + csv_rows[1].split(",")[4])
    if shutil.which("pdftoppm"):  # what a printer gets: the PDF rasterised by poppler
        subprocess.run(["pdftoppm", "-r", "100", "-f", "2", "-l", "2", "-png", str(pdf),
                        str(tmp_path / "printed")], check=True)
        [printed] = tmp_path.glob("printed*.png")
        assert ink_near_edge(Image.open(printed), 100) == []


@pytest.mark.parametrize("name", ["buurtbot_overvecht_bot", "@buurtbot_overvecht_bot", LONG_BOT,
                                  "BuurtBot"])
def test_bot_usernames_telegram_accepts_are_taken(tmp_path: Path, db: Path, name: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    homes = tmp_path / "homes.csv"
    homes.write_text("street,number,building\nZambesidreef,1,zambesidreef\n", encoding="utf-8")
    assert main(["import-homes", str(homes)], clock=workday_clock()) == 0
    assert main(["invite-codes", "--building", "zambesidreef", "--bot", name, "--out",
                 str(tmp_path / "out")], clock=workday_clock()) == 0
    assert f"https://t.me/{name.lstrip('@')}?start=" in (
        tmp_path / "out" / "zambesidreef-codes.csv").read_text(encoding="utf-8")


LINK = ("--bot: {!r} is a link; give the bot's username, like buurtbot_overvecht_bot")
NAME = ("--bot: {!r} is not a bot username (5 to 32 letters, digits or _, starting with a "
        "letter and ending in 'bot', like buurtbot_overvecht_bot)")


@pytest.mark.parametrize(("name", "error"), [
    ("https://t.me/buurtbot_overvecht_bot", LINK), ("t.me/buurtbot_overvecht_bot", LINK),
    ("tg://resolve?domain=buurtbot_bot", LINK), ("buurtbot_overvecht", NAME), ("b", NAME),
    ("bot", NAME), (LONG_BOT + "x", NAME), ("a" + LONG_BOT, NAME), ("1buurtbot", NAME),
    ("buurt bot", NAME), ("buurt-bot", NAME), ("", NAME),
])
def test_a_link_or_a_bad_username_is_one_line_and_exit_1(
        db: Path, name: str, error: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invite-codes", "--building", "zambesidreef", "--bot", name],
                clock=workday_clock()) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[1:] == [error.format(name)]
    assert not db.exists()  # refused before anything was made
