"""Homes are known by address regardless of case, in the store as in both CSV readers."""

from __future__ import annotations

from pathlib import Path

from bot.config import EXAMPLE_SITE_CONFIG, load_site_config
from bot.importers.homes import read_homes_csv
from bot.importers.planning import read_planning
from bot.store import Store
from bot.store.homes import NewHome, address_key
from bot.testing.harness import workday_clock


async def test_reimport_with_other_case_updates_the_home_and_its_spelling(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "bot.db", workday_clock())
    try:
        assert await store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", 1, "b", "A", 3)]
                                        ) == (1, 0)
        assert await store.homes.upsert([NewHome("zambesidreef", "ZAMBESIDREEF", 1, "B", "C", 4)]
                                        ) == (0, 1)
        homes = await store.homes.in_building("zambesidreef")
        assert [(h.street, h.number, h.addition, h.stairwell, h.floor) for h in homes] == [
            ("ZAMBESIDREEF", 1, "B", "C", 4)]
    finally:
        await store.close()


async def test_a_database_with_an_address_twice_prefers_the_exact_spelling(
        tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "bot.db", workday_clock())
    try:  # as an import before addresses ignored case could leave it
        async with store.db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO homes (building, street, number, addition) VALUES (?, ?, ?, '')",
                [("zambesidreef", "Zambesidreef", 1), ("zambesidreef", "zambesidreef", 1)])
        assert await store.homes.upsert([NewHome("zambesidreef", "zambesidreef", 1, "", "B")]
                                        ) == (0, 1)
        homes = await store.homes.in_building("zambesidreef")
        assert sorted((h.street, h.stairwell) for h in homes) == [("Zambesidreef", ""),
                                                                  ("zambesidreef", "B")]
    finally:
        await store.close()


def test_address_key_folds_case_as_the_store_does() -> None:
    assert address_key("Zambesidreef", 1, "B") == address_key("zAMBESIDREEF", 1, "b")
    # SQLite's NOCASE folds A-Z only, so the readers must not call these the same either
    assert address_key("Émile Zolaplein", 1, "") != address_key("émile Zolaplein", 1, "")


async def test_both_readers_match_addresses_regardless_of_case(tmp_path: Path) -> None:
    site = load_site_config(EXAMPLE_SITE_CONFIG)
    homes = tmp_path / "homes.csv"
    homes.write_text("street,number,addition,building\nZambesidreef,1,b,zambesidreef\n"
                     "ZAMBESIDREEF,1,B,zambesidreef\n", encoding="utf-8")
    assert read_homes_csv(homes, site).errors == ["line 3: same address as line 2"]
    store = await Store.open(tmp_path / "bot.db", workday_clock())
    try:
        await store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", 1, "b")])
        plan = tmp_path / "plan.csv"
        plan.write_text("address,date,start,end,work,notes\n"
                        "zambesiDREEF 1-B,2026-03-03,08:00,16:00,kitchen,\n", encoding="utf-8")
        days, errors = await read_planning(plan, store.db)
        assert not errors and len(days) == 1
    finally:
        await store.close()


def test_the_buildings_addresses_are_matched_regardless_of_case(tmp_path: Path) -> None:
    site = load_site_config(EXAMPLE_SITE_CONFIG)  # tigrisdreef: "Tigrisdreef 1-181"
    homes = tmp_path / "homes.csv"
    homes.write_text("street,number,addition,building\ntIGRISDREEF,181,,tigrisdreef\n"
                     "TIGRISDREEF,182,,tigrisdreef\n", encoding="utf-8")
    result = read_homes_csv(homes, site)
    assert [(h.street, h.number) for h in result.homes] == [("tIGRISDREEF", 181)]
    assert result.errors == ["line 3: address: TIGRISDREEF 182 is not in building tigrisdreef "
                             "(Tigrisdreef 1-181 in the site file)"]
