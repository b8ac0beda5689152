"""Homes and invitation codes: the letter's QR code (or the typed code) links a chat to a home."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PIL import Image

from bot.cli.main import main
from bot.config import EXAMPLE_SITE_CONFIG, load_site_config
from bot.importers.homes import read_homes_csv
from bot.store.homes import MAX_FAILED, NewHome, looks_like_code, new_code
from bot.testing.harness import BotHarness
from bot.testing.moments import workday_clock

HOMES = [NewHome("zambesidreef", "Zambesidreef", 12, "B", "A", 3),
         NewHome("zambesidreef", "Zambesidreef", 14, "", "A", 3)]


async def codes(h: BotHarness) -> dict[str, str]:
    await h.store.homes.upsert(HOMES)
    homes = await h.store.homes.in_building("zambesidreef")
    by_id = await h.store.homes.codes_for(homes)
    return {home.address: by_id[home.id] for home in homes}


async def test_the_qr_link_links_a_new_resident_and_asks_the_language(h: BotHarness) -> None:
    code = (await codes(h))["Zambesidreef 12-B"]
    amina = h.resident("Amina", "ar")
    await amina.send(f"/start {code}")
    tr = h.tr("ar")
    assert tr._("Welcome! This chat is now linked to your home: {address}.",
                address="Zambesidreef 12-B") in amina.new_text
    assert "العربية" in amina.buttons()[0]  # the language picker follows, Arabic first
    [home] = await h.store.homes.of_resident(amina.person.id)
    assert home.address == "Zambesidreef 12-B"


async def test_typing_the_code_works_too_and_two_residents_share_a_home(h: BotHarness) -> None:
    code = (await codes(h))["Zambesidreef 14"]
    ali = await h.onboard("Ali", "tr")
    fatma = await h.onboard("Fatma", "tr")
    await ali.send(code.lower()[:5] + " " + code.lower()[5:])  # spaces and lower case are fine
    await fatma.send(code)
    for person in (ali, fatma):
        [home] = await h.store.homes.of_resident(person.person.id)
        assert home.address == "Zambesidreef 14"
    assert h.tr("tr")._("Welcome! This chat is now linked to your home: {address}.",
                        address="Zambesidreef 14") in fatma.last_text


async def test_wrong_and_revoked_codes_and_the_attempt_limit(h: BotHarness) -> None:
    code = (await codes(h))["Zambesidreef 12-B"]
    assert await h.store.homes.revoke(code)
    piet = await h.onboard("Piet", "nl")
    tr = h.tr("nl")
    await piet.send(f"/start {code}")
    assert tr._("This code is not right. Please check the letter and try again.") in piet.last_text
    for _ in range(MAX_FAILED - 1):
        await piet.send("/start ABCDE23456")
    await piet.send("/start ABCDE23457")
    assert tr._("Too many wrong codes. Please try again in an hour.") in piet.last_text
    assert await h.store.homes.of_resident(piet.person.id) == []


async def test_codes_are_long_random_and_recognised() -> None:
    made = {new_code() for _ in range(2000)}
    assert len(made) == 2000
    assert all(looks_like_code(c) for c in made)
    assert not looks_like_code("BUURTBEWAK") and not looks_like_code("hallo")


async def test_export_shows_the_linked_home_and_delete_unlinks(h: BotHarness) -> None:
    code = (await codes(h))["Zambesidreef 12-B"]
    jan = await h.onboard("Jan", "nl")
    await jan.send(code)
    data = await h.store.privacy.export(jan.person.id)
    assert data["homes"][0]["street"] == "Zambesidreef"
    await h.store.privacy.erase(jan.person.id)
    assert await h.store.homes.of_resident(jan.person.id) == []


def test_homes_csv_reports_every_bad_row_with_its_line(tmp_path: Path) -> None:
    site = load_site_config(EXAMPLE_SITE_CONFIG)
    path = tmp_path / "homes.csv"
    path.write_text("street,number,addition,building,stairwell,floor\n"
                    "Zambesidreef,12,B,zambesidreef,A,3\n"
                    "Zambesidreef,x,,zambesidreef,A,3\n"
                    ",5,,zambesidreef,A,3\n"
                    "Zambesidreef,12,b,zambesidreef,A,3\n"
                    "Elders,1,,nowhere,,\n", encoding="utf-8")
    result = read_homes_csv(path, site)
    assert result.errors == [
        "line 3: number: 'x' is not a whole number",
        "line 4: street: empty",
        "line 5: same address as line 2",
        "line 6: building: no building with id 'nowhere' in the site file",
    ]


def test_cli_imports_homes_and_writes_codes_csv_png_and_pdf(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BUURTBOT_DB", str(tmp_path / "bot.db"))
    homes = tmp_path / "homes.csv"
    homes.write_text("street,number,addition,building,stairwell,floor\n"
                     + "".join(f"Zambesidreef,{n},,zambesidreef,A,{n % 10}\n"
                               for n in range(1, 11)), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("street,number,building\nZambesidreef,1,zambesidreef\nX,y,zambesidreef\n",
                   encoding="utf-8")
    assert main(["import-homes", str(bad)], clock=workday_clock()) == 1
    assert "nothing imported" in capsys.readouterr().err
    assert main(["import-homes", str(homes)], clock=workday_clock()) == 0
    out = tmp_path / "letters"
    assert main(["invite-codes", "--building", "zambesidreef", "--bot", "buurtbot_bot",
                 "--out", str(out)], clock=workday_clock()) == 0
    rows = list(csv.DictReader((out / "zambesidreef-codes.csv").open(encoding="utf-8")))
    assert len(rows) == 10 and len({r["code"] for r in rows}) == 10
    assert rows[0]["link"] == f"https://t.me/buurtbot_bot?start={rows[0]['code']}"
    assert Image.open(out / "zambesidreef-sheet-2.png").size == (1240, 1754)  # 8 per page
    assert (out / "zambesidreef-sheets.pdf").read_bytes().startswith(b"%PDF")
    # running it again gives the same codes: the letters already sent stay valid
    assert main(["invite-codes", "--building", "zambesidreef", "--bot", "buurtbot_bot",
                 "--out", str(out)], clock=workday_clock()) == 0
    again = list(csv.DictReader((out / "zambesidreef-codes.csv").open(encoding="utf-8")))
    assert [r["code"] for r in again] == [r["code"] for r in rows]
    assert main(["revoke-code", rows[0]["code"]], clock=workday_clock()) == 0
    assert main(["revoke-code", rows[0]["code"]], clock=workday_clock()) == 1
