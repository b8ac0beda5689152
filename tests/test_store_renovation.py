"""The renovation's store (bot/store/renovation.py) on a real SQLite file: work days written in
the caller's transaction, read back as WorkDay, and who lives where they happen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from bot.domain.planning import CANCELLED, PLANNED, WorkDay
from bot.store import Store, renovation
from bot.store.clock import SimClock
from bot.store.homes import NewHome
from bot.store.residents import Reader

NOW = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "bot.db", SimClock(NOW))
    await store.homes.upsert([NewHome("zambesidreef", "Zambesidreef", 12, "B", "A", 3),
                              NewHome("zambesidreef", "Zambesidreef", 14, "", "A", 3)])
    yield store
    await store.close()


async def home_ids(store: Store) -> tuple[int, int]:
    homes = await store.homes.in_building("zambesidreef")
    return homes[0].id, homes[1].id


def day(home_id: int, d: int, work: str = "kitchen", notes: str = "") -> WorkDay:
    return WorkDay(home_id, work, date(2026, 3, d), time(8, 0), time(16, 0), notes)


async def test_homes_by_address_folds_case_like_the_store(store: Store) -> None:
    twelve, fourteen = await home_ids(store)
    assert await store.renovation.homes_by_address() == {
        ("zambesidreef", 12, "b"): twelve, ("zambesidreef", 14, ""): fourteen}


async def test_a_saved_day_reads_back_and_moves_in_place(store: Store) -> None:
    home, _ = await home_ids(store)
    async with store.db.transaction() as tx:
        first = await renovation.save_day(tx, NOW, (home, "kitchen", 1), day(home, 3, notes="a"))
        second = await renovation.save_day(tx, NOW, (home, "kitchen", 2), day(home, 4))
    assert first != second
    async with store.db.transaction() as tx:
        wd = await renovation.work_day(tx, first)
        assert wd == WorkDay(home, "kitchen", date(2026, 3, 3), time(8, 0), time(16, 0), "a",
                             PLANNED, id=first)
        # re-planned under the same key: same row, same id
        moved = await renovation.save_day(tx, NOW, (home, "kitchen", 1), WorkDay(
            home, "kitchen", date(2026, 3, 10), time(9, 0), time(12, 0), "b", id=first))
        assert moved == first
        again = await renovation.work_day(tx, first)
        assert again is not None and (again.day, again.start, again.end, again.notes) == (
            date(2026, 3, 10), time(9, 0), time(12, 0), "b")
        assert await renovation.work_day(tx, 999) is None


async def test_cancelled_days_are_kept_but_not_planned(store: Store) -> None:
    home, other = await home_ids(store)
    async with store.db.transaction() as tx:
        first = await renovation.save_day(tx, NOW, (home, "kitchen", 1), day(home, 3))
        await renovation.save_day(tx, NOW, (home, "toilet", 1), day(home, 5, "toilet"))
        await renovation.save_day(tx, NOW, (other, "windows", 1), day(other, 2, "windows"))
        await renovation.cancel_day(tx, NOW, first)
    async with store.db.transaction() as tx:
        days = await renovation.days_of_homes(tx, {home})
        assert sorted(days) == [(home, "kitchen", 1), (home, "toilet", 1)]  # not the other home
        assert days[(home, "kitchen", 1)].status == CANCELLED
        assert await renovation.first_planned_day(tx, home) == date(2026, 3, 5)
        assert await renovation.first_planned_day(tx, 999) is None


async def test_days_of_many_homes_are_read_in_chunks(store: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    home, other = await home_ids(store)
    monkeypatch.setattr(renovation, "CHUNK", 1)
    async with store.db.transaction() as tx:
        await renovation.save_day(tx, NOW, (home, "kitchen", 1), day(home, 3))
        await renovation.save_day(tx, NOW, (other, "kitchen", 1), day(other, 4))
        assert set(await renovation.days_of_homes(tx, {home, other})) == {
            (home, "kitchen", 1), (other, "kitchen", 1)}


async def test_writes_belong_to_the_callers_transaction(store: Store) -> None:
    home, _ = await home_ids(store)
    with pytest.raises(RuntimeError):
        async with store.db.transaction() as tx:
            await renovation.save_day(tx, NOW, (home, "kitchen", 1), day(home, 3))
            raise RuntimeError("the notices could not be planned")
    async with store.db.transaction() as tx:
        assert await renovation.days_of_homes(tx, {home}) == {}


async def test_residents_see_the_planned_days_of_their_own_homes(store: Store) -> None:
    home, other = await home_ids(store)
    await store.residents.set_language(1, "ar")
    await store.residents.set_language(2, "nl")
    codes = await store.homes.codes_for(await store.homes.in_building("zambesidreef"))
    assert await store.homes.link(1, codes[home]) is not None
    assert await store.homes.link(2, codes[other]) is not None
    async with store.db.transaction() as tx:
        late = await renovation.save_day(tx, NOW, (home, "kitchen", 2), day(home, 9))
        early = await renovation.save_day(tx, NOW, (home, "kitchen", 1), day(home, 3))
        gone = await renovation.save_day(tx, NOW, (home, "toilet", 1), day(home, 5, "toilet"))
        theirs = await renovation.save_day(tx, NOW, (other, "windows", 1), day(other, 4))
        await renovation.cancel_day(tx, NOW, gone)
        assert await renovation.residents_of(tx, home) == [Reader(1, "ar")]
    assert [d.id for d in await store.renovation.days_of_resident(1)] == [early, late]
    assert await store.renovation.days_of_resident(3) == []
    found = await store.renovation.day_of_resident(early, 1)
    assert found is not None and found.home.address == "Zambesidreef 12-B"
    assert found.work_day.day == date(2026, 3, 3)
    cancelled = await store.renovation.day_of_resident(gone, 1)
    assert cancelled is not None and cancelled.work_day.status == CANCELLED
    assert await store.renovation.day_of_resident(theirs, 1) is None  # not the resident's home
