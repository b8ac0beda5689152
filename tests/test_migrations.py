"""Migrations: what shipped stays as it shipped; a database knows which named ones it has."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from bot.followup.sweep import HANDLERS
from bot.store import Store, migrations
from bot.store.migrations import MIGRATIONS, Migration, MigrationMismatch, migrate
from bot.testing.harness import workday_clock

# Every shipped migration: number -> (name, sha256 of its SQL). A database that ran one of these
# got exactly this SQL, so a row here is never changed: a new migration adds a new row.
SHIPPED: dict[int, tuple[str, str]] = {
    1: ("residents_tickets_drafts",
        "159710bf1c202697be0f3caf63b83e1683d6de6b9baed6105e9bfd848cadd560"),
    2: ("drafts_updated_index",
        "69c284f162d1cc1f888f36ac7c8111491566e5bbe6fae4dd4c429d93aba41a1a"),
    3: ("partner_side", "595ef1ca50c6eafa9ad1942c048698df181baba2361b58822ac5f38d5e05f641"),
    4: ("follow_ups", "6eddfca954ac432fa2d04d22fffd024f04cf0aaeb3ad137310edd10f7a3b2610"),
    5: ("homes_invite_codes", "d1e0961f6322650346bbc3019ead355e7c5875d60b4ba587320d2b15d51a46f1"),
    6: ("work_days", "05363536aa3d89a826d9078510ff797bb277cdb73fc63f1fdc75b0741fac8dbc"),
    7: ("broadcasts", "6bb014ca9589152ffcd33535133166706a7d41bbace533068a4f7d77f49dea4a"),
    8: ("outbox_bulk", "c3ebc7da2caa1edd10ea906d7bf842da5cd955d0b4eb31e7f5829b425d980e99"),
    9: ("homes_address_nocase",
        "3634f0ce480f1e896a9c1ed729bfb6f641e8aadb294a05afd05dec3a58b62664"),
    10: ("quiet_hours_initiative",
         "6fd396347c01cb95f4793abaa758693c678fdb072b8b9bffce068857fecc7f42"),
    11: ("migration_names", "43e089a57aacfe0175e3b35bb5def0f2d0895be92dc03cc2ae4f409e108fe12e"),
    12: ("due_still_on_it", "d3c99a0298444a3eda5d1297f35e7c74c61c49b1004a39f4522fc6cbc30bb064"),
    13: ("translations_cache",
         "69720d761c7eb7e2bf7dd5fd87a0912b254a50abd9f4ff091dafd4d2884bfb13"),
    14: ("cancel_stale_promises",
         "769b23e75ba8fde1378f6b777ac1a34fa65b2bcd11a9f8aa543bdd58f260d3b7"),
    15: ("events_erase_texts", "60b2725f748af4dd955130bffa06437700b229dc06efac004a3abb3f41592343"),
    16: ("ticket_description_lang",
         "94ee241f352c49e0e60a02872aba0f6df4d8844ea3ed8592151b298d4e896f2e"),
    17: ("transfer_asks", "e4dc5fd1ac34aba0c8bbfc253588942cd9264ec6299135b495146db713c52158"),
    18: ("retention", "451f92717a67d6a68539c72f01fb4ef88eaf5d10564fa6ceafa59445bde18344"),
    19: ("visit_rounds", "135e907306994731074b9d03e7d67f269dee134f955ca1ede449e12f463dc08e"),
    20: ("broadcast_approval", "16d85dbe78f503937c845b7d1e62aa5cad3eccc216ea03d6bfcf8a57e70cbb77"),
    21: ("blocks", "f40c5621902cc6c930d18844ec003a427dc8a18210d44407f56ce3699f360b97"),
    22: ("figures_indexes", "0d2f882d5da937151d9b10d6999ddd6ea8c87ce6b97256040a21cacf90e7b588"),
}


def test_shipped_migrations_are_never_edited() -> None:
    code = {m.number: (m.name, m.checksum) for m in MIGRATIONS}
    for number, shipped in SHIPPED.items():
        assert code.get(number) == shipped, (
            f"migration {number} ({shipped[0]}) was changed or removed: never edit a migration "
            f"that has shipped: add a new one")


def test_every_migration_has_a_checksum_row() -> None:
    for m in MIGRATIONS:
        assert m.number in SHIPPED, (
            f"migration {m.number} ({m.name}) has no row yet: add it to SHIPPED in "
            f"tests/test_migrations.py: {m.number}: ({m.name!r}, {m.checksum!r}),")


def test_migrations_are_numbered_one_to_n_without_gaps() -> None:
    # migrate() finds migration N at position N - 1; a gap or a repeat would run the wrong one.
    assert [m.number for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert len({m.name for m in MIGRATIONS}) == len(MIGRATIONS), "two migrations share a name"


def recorded(path: Path) -> list[tuple[int, str, str, str | None]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT number, name, checksum, applied_at FROM schema_migrations"
                            " ORDER BY number").fetchall()


def expected_rows() -> list[tuple[int, str, str, None]]:
    return [(m.number, m.name, m.checksum, None) for m in MIGRATIONS]


async def test_blank_database_records_every_migration_name(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "a.db", workday_clock())
    await store.close()
    assert recorded(tmp_path / "a.db") == expected_rows()


async def old_database(path: Path, version: int) -> None:
    """A database left at `version` by an older bot, with a resident and a ticket in it."""
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await conn.execute("BEGIN")
        await migrate(conn, target=version)
        await conn.execute("COMMIT")
        await conn.execute("INSERT INTO residents VALUES (7, 'tr', '{}', 'x', 'x')")
        await conn.execute(
            "INSERT INTO tickets (id, ref, resident_id, draft_key, kind, category, partner_id,"
            " lang, status, created_at, updated_at) VALUES (1, 'M-0001', 7, 'k', 'nuisance',"
            " 'noise', 'dock', 'tr', 'open', '2026-01-01T00:00:00+00:00',"
            " '2026-01-01T00:00:00+00:00')")


@pytest.mark.parametrize("start", range(1, len(MIGRATIONS)))  # every older version
async def test_older_database_upgrades_and_back_fills_names(tmp_path: Path, start: int) -> None:
    path = tmp_path / "old.db"
    await old_database(path, start)
    store = await Store.open(path, workday_clock())
    try:
        assert (await store.db.fetchone("PRAGMA user_version"))[0] == len(MIGRATIONS)  # type: ignore[index]
        ticket = await store.tickets.get(1)
        assert ticket is not None and ticket.ref == "M-0001" and ticket.resident_id == 7
        assert (await store.residents.get(7)).lang == "tr"  # type: ignore[union-attr]
        assert await store.db.integrity_ok()
    finally:
        await store.close()
    assert recorded(path) == expected_rows()


def snapshot(path: Path) -> tuple[int, list[str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0], list(conn.iterdump())


@pytest.mark.parametrize(("column", "value", "says"), [
    ("name", "other_branch_thing", "'other_branch_thing', but the code's migration 11 is "
                                   "'migration_names'"),
    ("checksum", "0" * 64, "'migration_names', but its SQL differs"),
], ids=["other-name", "other-sql"])
async def test_a_database_with_another_migration_under_a_number_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, column: str, value: str, says: str,
) -> None:
    path = tmp_path / "other.db"
    await (await Store.open(path, workday_clock())).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"UPDATE schema_migrations SET {column} = ? WHERE number = 11", (value,))
    # A pending migration that must not run on a database that is not what the code thinks.
    later = Migration(len(MIGRATIONS) + 1, "later", "CREATE TABLE later (a);")
    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, later))
    before = snapshot(path)
    with pytest.raises(MigrationMismatch, match=f"database has migration 11 as {says}"):
        await Store.open(path, workday_clock())
    assert snapshot(path) == before


async def test_still_on_it_rows_of_an_older_database_keep_working(tmp_path: Path) -> None:
    """Migration 12 renames the due kind "still": a pending row written by an older bot is
    swept under its new name, not left behind."""
    path = tmp_path / "old.db"
    await old_database(path, 11)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO due (ticket_id, kind, due_at, status, data, created_at)"
                     " VALUES (1, 'still', '2026-01-06T00:00:00+00:00', 'pending', '{}',"
                     " '2026-01-01T00:00:00+00:00')")
    store = await Store.open(path, workday_clock())
    try:
        rows = await store.db.fetchall("SELECT kind FROM due")
        assert [r[0] for r in rows] == ["still_on_it"]
    finally:
        await store.close()
    assert "still_on_it" in HANDLERS and "still" not in HANDLERS


async def test_promises_left_open_by_an_older_bot_are_cancelled(tmp_path: Path) -> None:
    """Migration 14: a promise of a request that moved to another partner or was solved is
    cancelled; one still in the hands of the partner that made it stays open."""
    path = tmp_path / "old.db"
    await old_database(path, 13)  # ticket 1: open, with DOCK
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO tickets (id, ref, resident_id, draft_key, kind, category,"
                     " partner_id, lang, status, created_at, updated_at) VALUES (2, 'M-0002', 7,"
                     " 'k2', 'nuisance', 'noise', 'dock', 'tr', 'resolved', 'x', 'x')")
        promise = ("INSERT INTO promises (id, ticket_id, partner_id, kind, day, part, staff_id,"
                   " staff_name, created_at) VALUES (?, ?, ?, 'call', '2026-01-02', 'morning',"
                   " 5, 'Jan', 'x')")
        conn.execute(promise, (1, 1, "woningcorporatie"))  # made before the transfer to DOCK
        conn.execute(promise, (2, 1, "dock"))  # DOCK's own: still open
        conn.execute(promise, (3, 2, "dock"))  # the request is solved
    store = await Store.open(path, workday_clock())
    try:
        rows = await store.db.fetchall("SELECT id, status FROM promises ORDER BY id")
    finally:
        await store.close()
    assert [tuple(r) for r in rows] == [(1, "cancelled"), (2, "open"), (3, "cancelled")]


async def test_the_history_stays_append_only_but_for_erasing_what_was_said(
        tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    await old_database(path, len(MIGRATIONS))
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO ticket_events (ticket_id, at, actor, event, data) VALUES"
                     " (1, 'x', 'staff:5', 'note', '{\"text\": \"bel 06\", \"name\": \"Jan\"}')")
        conn.execute("UPDATE ticket_events SET data = json_remove(data, '$.text', '$.note')")
        assert conn.execute("SELECT data FROM ticket_events").fetchone()[0] == '{"name":"Jan"}'
        for change in ("event = 'claim'", "actor = 'someone'", "data = '{\"text\": \"new\"}'"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(f"UPDATE ticket_events SET {change}")

