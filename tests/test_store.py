"""The store on a real SQLite file: migrations, pragmas, tickets, drafts, privacy, retention."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.tickets import Action, Attachment, IllegalTransition, Kind, NewTicket, Status
from bot.store import Store
from bot.store.clock import SimClock
from bot.store.migrations import MIGRATIONS


def Clock() -> SimClock:
    return SimClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


def new_ticket(key: str, user: int = 1, **kw: object) -> NewTicket:
    base: dict[str, object] = dict(draft_key=key, resident_id=user, kind=Kind.NUISANCE,
                                   category="noise", partner_id="woningcorporatie", lang="ar",
                                   description="loud music")
    base.update(kw)
    return NewTicket(**base)  # type: ignore[arg-type]


async def test_blank_database_migrates_to_current(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "a.db", Clock())
    try:
        row = await store.db.fetchone("PRAGMA user_version")
        assert row is not None and row[0] == len(MIGRATIONS)
        tables = {r[0] for r in await store.db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"residents", "tickets", "ticket_events", "drafts"} <= tables
        assert (await store.db.fetchone("PRAGMA journal_mode"))[0] == "wal"  # type: ignore[index]
        assert (await store.db.fetchone("PRAGMA foreign_keys"))[0] == 1  # type: ignore[index]
        assert (await store.db.fetchone("PRAGMA synchronous"))[0] == 2  # type: ignore[index]
    finally:
        await store.close()


async def test_a_failed_migration_changes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.store import migrations

    broken = migrations.Migration(len(MIGRATIONS) + 1, "broken", "CREATE TABLE x (a);\nBROKEN SQL;")
    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, broken))
    with pytest.raises(sqlite3.OperationalError):
        await Store.open(tmp_path / "f.db", Clock())
    conn = sqlite3.connect(tmp_path / "f.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'x'").fetchone()[0] == 0


@pytest.fixture
async def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    clock = Clock()
    s = await Store.open(tmp_path / "s.db", clock)
    s.clock = clock  # type: ignore[attr-defined]
    await s.residents.set_language(1, "ar")
    await s.residents.set_language(2, "nl")
    yield s
    await s.close()


async def test_create_is_idempotent_per_draft_and_clears_the_draft(store: Store) -> None:
    draft = await store.drafts.start(1, "report", "summary", texts=["x"])
    new = new_ticket(draft.key, attachments=[Attachment("photo", "F1")])
    first, created = await store.tickets.create(new)
    again, created_again = await store.tickets.create(new)
    assert created and not created_again and first.id == again.id
    assert first.ref == "M-0001" and first.status == Status.OPEN
    assert first.attachments == (Attachment("photo", "F1"),)
    assert await store.drafts.get(1) is None
    events = await store.tickets.events(first.id)
    assert [e["event"] for e in events] == ["created"]


async def test_refs_by_kind(store: Store) -> None:
    a, _ = await store.tickets.create(new_ticket("a"))
    b, _ = await store.tickets.create(new_ticket("b", kind=Kind.HELP, category="money"))
    c, _ = await store.tickets.create(new_ticket("c", kind=Kind.QUESTION, category="question"))
    assert (a.ref, b.ref, c.ref) == ("M-0001", "H-0002", "V-0003")


async def test_anonymous_ticket_never_stores_a_name(store: Store) -> None:
    t, _ = await store.tickets.create(new_ticket("k", anonymous=True, first_name="Amina"))
    assert t.first_name is None


async def test_apply_is_a_compare_and_set_through_the_workflow(store: Store) -> None:
    t, _ = await store.tickets.create(new_ticket("k"))
    claimed = await store.tickets.apply(t.id, Action.CLAIM, "staff:9")
    assert claimed.status == Status.CLAIMED
    with pytest.raises(IllegalTransition):
        await store.tickets.apply(t.id, Action.CLAIM, "staff:10")
    assert (await store.tickets.get(t.id)).status == Status.CLAIMED  # type: ignore[union-attr]
    events = await store.tickets.events(t.id)
    assert [(e["event"], e["actor"]) for e in events] == [("created", "resident"),
                                                          ("claim", "staff:9")]


async def test_events_are_append_only(store: Store) -> None:
    t, _ = await store.tickets.create(new_ticket("k"))
    with pytest.raises(sqlite3.IntegrityError):
        async with store.db.transaction() as tx:
            await tx.execute("UPDATE ticket_events SET actor = 'x' WHERE ticket_id = ?", (t.id,))


async def test_drafts_survive_reopening(tmp_path: Path) -> None:
    s = await Store.open(tmp_path / "d.db", Clock())
    await s.residents.set_language(5, "tr")
    d = await s.drafts.start(5, "help", "describe", texts=["borç"])
    await s.close()
    s = await Store.open(tmp_path / "d.db", Clock())
    again = await s.drafts.get(5)
    await s.close()
    assert again is not None and (again.key, again.step, again.data) == (d.key, "describe",
                                                                         {"texts": ["borç"]})


async def test_export_and_erase_touch_only_that_resident(store: Store) -> None:
    mine, _ = await store.tickets.create(new_ticket("m", phone="0612345678"))
    other, _ = await store.tickets.create(new_ticket("o", user=2, description="other's words"))
    data = await store.privacy.export(1)
    assert data["language"] == "ar" and [r["ref"] for r in data["requests"]] == [mine.ref]
    assert "other's words" not in str(data)

    assert await store.privacy.erase(1) == 1
    assert await store.residents.get(1) is None
    erased = await store.tickets.get(mine.id)
    assert erased is not None and erased.resident_id is None
    assert erased.description == "" and erased.phone is None
    assert erased.status == Status.WITHDRAWN
    untouched = await store.tickets.get(other.id)
    assert untouched is not None and untouched.description == "other's words"
    assert (await store.privacy.export(1))["requests"] == []


async def test_retention_erases_only_long_closed_requests(store: Store) -> None:
    old, _ = await store.tickets.create(new_ticket("old"))
    recent, _ = await store.tickets.create(new_ticket("new"))
    for t in (old, recent):
        await store.tickets.apply(t.id, Action.CLAIM, "s")
        await store.tickets.apply(t.id, Action.RESOLVE, "s")
    await store.tickets.apply(old.id, Action.CONFIRM, "resident")
    store.clock.now += timedelta(days=400)  # type: ignore[attr-defined]
    await store.tickets.apply(recent.id, Action.CONFIRM, "resident")
    assert await store.tickets.purge_expired(365) == 1
    assert (await store.tickets.get(old.id)).description == ""  # type: ignore[union-attr]
    assert (await store.tickets.get(recent.id)).description == "loud music"  # type: ignore[union-attr]


async def test_abandoned_drafts_are_forgotten(store: Store) -> None:
    await store.drafts.start(1, "report", "describe")
    store.clock.now += timedelta(days=31)  # type: ignore[attr-defined]
    await store.drafts.start(2, "report", "describe")
    assert await store.drafts.purge_older_than(30) == 1
    assert await store.drafts.get(1) is None and await store.drafts.get(2) is not None


async def test_a_snapshot_reads_on_its_own_while_handlers_write(store: Store) -> None:
    """The coordinator's figures read for a second over a big database: the bot's handlers
    must go on writing meanwhile, and the snapshot must not see what they wrote after it."""
    db = store.db
    async with db.transaction() as tx:
        await tx.execute("CREATE TABLE probe (n INTEGER)")
        await tx.execute("INSERT INTO probe VALUES (1)")
    async with db.snapshot() as snap:
        async with snap.execute("SELECT count(*) FROM probe") as cur:
            assert (await cur.fetchone())[0] == 1
        async with db.transaction() as tx:  # not held up by the open snapshot
            await tx.execute("INSERT INTO probe VALUES (2)")
        async with snap.execute("SELECT count(*) FROM probe") as cur:
            assert (await cur.fetchone())[0] == 1  # one consistent snapshot
        with pytest.raises(sqlite3.OperationalError):  # and read-only
            await snap.execute("INSERT INTO probe VALUES (3)")
    assert (await db.fetchone("SELECT count(*) FROM probe"))[0] == 2
