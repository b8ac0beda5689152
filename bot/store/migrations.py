"""Numbered, append-only schema migrations, recorded in PRAGMA user_version.

Never edit a migration that has shipped: add a new one. Each runs inside the caller's transaction,
so a failed upgrade leaves the database as it was.
"""

from __future__ import annotations

import sqlite3

import aiosqlite

MIGRATIONS: list[str] = [
    # 1: residents, tickets, their events, and flow drafts
    """
    CREATE TABLE residents (
        user_id     INTEGER PRIMARY KEY,
        lang        TEXT NOT NULL,
        consents    TEXT NOT NULL DEFAULT '{}',
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE tickets (
        id            INTEGER PRIMARY KEY,
        ref           TEXT UNIQUE,
        resident_id   INTEGER REFERENCES residents(user_id) ON DELETE SET NULL,
        draft_key     TEXT NOT NULL UNIQUE,
        kind          TEXT NOT NULL CHECK (kind IN ('question', 'nuisance', 'help')),
        category      TEXT NOT NULL,
        partner_id    TEXT NOT NULL,
        description   TEXT NOT NULL DEFAULT '',
        attachments   TEXT NOT NULL DEFAULT '[]',
        building      TEXT,
        location      TEXT,
        anonymous     INTEGER NOT NULL DEFAULT 0,
        first_name    TEXT,
        contact       TEXT,
        phone         TEXT,
        contact_lang  TEXT,
        lang          TEXT NOT NULL,
        status        TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        closed_at     TEXT
    );
    CREATE INDEX tickets_resident ON tickets(resident_id, created_at);
    CREATE INDEX tickets_status ON tickets(status, partner_id);
    CREATE TABLE ticket_events (
        id         INTEGER PRIMARY KEY,
        ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        at         TEXT NOT NULL,
        actor      TEXT NOT NULL,
        event      TEXT NOT NULL,
        data       TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);
    CREATE TRIGGER ticket_events_append_only_u BEFORE UPDATE ON ticket_events
        BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
    CREATE TABLE drafts (
        user_id     INTEGER PRIMARY KEY,
        key         TEXT NOT NULL,
        flow        TEXT NOT NULL,
        step        TEXT NOT NULL,
        data        TEXT NOT NULL DEFAULT '{}',
        updated_at  TEXT NOT NULL
    );
    """,
    # 2: abandoned drafts are cleared after a while; find them without a table scan
    """
    CREATE INDEX drafts_updated ON drafts(updated_at);
    """,
    # 3: partner side. Durable inbox (updates stored before they are confirmed to Telegram),
    # outbox (every message that must arrive, retried until it does), where each ticket lives in
    # each chat, claims, and a per-ticket pseudonym for anonymous reporters.
    """
    CREATE TABLE inbox (
        update_id   INTEGER PRIMARY KEY,
        payload     TEXT NOT NULL,
        received_at TEXT NOT NULL,
        done_at     TEXT
    );
    CREATE INDEX inbox_pending ON inbox(update_id) WHERE done_at IS NULL;
    CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY,
        dedupe_key  TEXT UNIQUE,
        chat_id     INTEGER NOT NULL,
        thread_id   INTEGER,
        ticket_id   INTEGER REFERENCES tickets(id) ON DELETE SET NULL,
        purpose     TEXT NOT NULL,
        method      TEXT NOT NULL,
        payload     TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'undeliverable')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        due_at      TEXT NOT NULL,
        last_error  TEXT,
        message_id  INTEGER,
        created_at  TEXT NOT NULL,
        sent_at     TEXT
    );
    CREATE INDEX outbox_due ON outbox(due_at, id) WHERE status = 'pending';
    CREATE INDEX outbox_chat ON outbox(chat_id, id) WHERE status = 'pending';
    CREATE TABLE ticket_messages (
        chat_id     INTEGER NOT NULL,
        message_id  INTEGER NOT NULL,
        ticket_id   INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        role        TEXT NOT NULL,
        PRIMARY KEY (chat_id, message_id)
    );
    CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, role);
    CREATE TABLE ticket_threads (
        ticket_id   INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        chat_id     INTEGER NOT NULL,
        thread_id   INTEGER,
        card_id     INTEGER,
        PRIMARY KEY (ticket_id, chat_id)
    );
    CREATE UNIQUE INDEX ticket_threads_topic ON ticket_threads(chat_id, thread_id)
        WHERE thread_id IS NOT NULL;
    CREATE TABLE staff_pending (
        chat_id     INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        ticket_id   INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        action      TEXT NOT NULL,
        data        TEXT NOT NULL DEFAULT '{}',
        created_at  TEXT NOT NULL,
        PRIMARY KEY (chat_id, user_id)
    );
    ALTER TABLE tickets ADD COLUMN claimed_by INTEGER;
    ALTER TABLE tickets ADD COLUMN claimed_name TEXT;
    ALTER TABLE tickets ADD COLUMN pseudonym TEXT;
    """,
    # 4: follow-ups. Deadlines on the ticket; everything due later is a row with a due time
    # (reminders, escalations, promise checks), swept by a repeating job; promises and their fate.
    """
    ALTER TABLE tickets ADD COLUMN claim_due TEXT;
    ALTER TABLE tickets ADD COLUMN contact_due TEXT;
    ALTER TABLE tickets ADD COLUMN resolve_due TEXT;
    ALTER TABLE tickets ADD COLUMN contacted_at TEXT;
    ALTER TABLE tickets ADD COLUMN resident_notified_at TEXT;
    CREATE INDEX tickets_resolve_due ON tickets(partner_id, resolve_due)
        WHERE status IN ('open', 'claimed');
    CREATE TABLE due (
        id          INTEGER PRIMARY KEY,
        ticket_id   INTEGER REFERENCES tickets(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        due_at      TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'done', 'cancelled')),
        data        TEXT NOT NULL DEFAULT '{}',
        dedupe_key  TEXT UNIQUE,
        created_at  TEXT NOT NULL,
        done_at     TEXT
    );
    CREATE INDEX due_pending ON due(due_at) WHERE status = 'pending';
    CREATE INDEX due_ticket ON due(ticket_id, kind);
    CREATE TABLE promises (
        id          INTEGER PRIMARY KEY,
        ticket_id   INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        partner_id  TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('call', 'visit')),
        day         TEXT NOT NULL,
        part        TEXT NOT NULL CHECK (part IN ('morning', 'afternoon', 'evening')),
        status      TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'kept', 'broken', 'unanswered', 'cancelled')),
        staff_id    INTEGER NOT NULL,
        staff_name  TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        answered_at TEXT
    );
    CREATE INDEX promises_partner ON promises(partner_id, status);
    CREATE TABLE digests (
        partner_id  TEXT NOT NULL,
        day         TEXT NOT NULL,
        PRIMARY KEY (partner_id, day)
    );
    """,
    # 5: homes and invitation codes: a letter's QR code links a resident's chat to their home.
    """
    CREATE TABLE homes (
        id          INTEGER PRIMARY KEY,
        building    TEXT NOT NULL,
        street      TEXT NOT NULL,
        number      INTEGER NOT NULL,
        addition    TEXT NOT NULL DEFAULT '',
        stairwell   TEXT NOT NULL DEFAULT '',
        floor       INTEGER,
        UNIQUE (street, number, addition)
    );
    CREATE INDEX homes_building ON homes(building, stairwell);
    CREATE TABLE invite_codes (
        code        TEXT PRIMARY KEY,
        home_id     INTEGER NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
        created_at  TEXT NOT NULL,
        revoked_at  TEXT
    );
    CREATE INDEX invite_codes_home ON invite_codes(home_id) WHERE revoked_at IS NULL;
    CREATE TABLE home_residents (
        home_id     INTEGER NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
        user_id     INTEGER NOT NULL REFERENCES residents(user_id) ON DELETE CASCADE,
        linked_at   TEXT NOT NULL,
        PRIMARY KEY (home_id, user_id)
    );
    CREATE INDEX home_residents_user ON home_residents(user_id);
    CREATE TABLE link_attempts (
        user_id     INTEGER NOT NULL,
        at          TEXT NOT NULL
    );
    CREATE INDEX link_attempts_user ON link_attempts(user_id, at);
    """,
    # 6: the renovation schedule per home, as imported from the contractor's planning.
    """
    CREATE TABLE work_days (
        id          INTEGER PRIMARY KEY,
        home_id     INTEGER NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
        work        TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        day         TEXT NOT NULL,
        start       TEXT NOT NULL,
        "end"       TEXT NOT NULL,
        notes       TEXT NOT NULL DEFAULT '',
        status      TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'cancelled')),
        changed_at  TEXT NOT NULL,
        UNIQUE (home_id, work, seq)
    );
    CREATE INDEX work_days_day ON work_days(day) WHERE status = 'planned';
    """,
    # 7: broadcasts from the housing corporation to a building, a stairwell or everyone
    """
    CREATE TABLE broadcasts (
        id          INTEGER PRIMARY KEY,
        chat_id     INTEGER NOT NULL,
        thread_id   INTEGER,
        building    TEXT,
        stairwell   TEXT,
        texts       TEXT NOT NULL,
        total       INTEGER NOT NULL,
        created_by  TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        done_at     TEXT
    );
    """,
    # 8: bulk messages (broadcasts) go after everything else, so a card or a reply is not stuck
    # behind thousands of announcements
    """
    ALTER TABLE outbox ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;
    DROP INDEX outbox_due;
    CREATE INDEX outbox_due ON outbox(bulk, due_at, id) WHERE status = 'pending';
    """,
    # 9: homes are found by address regardless of case (store/homes.py address_key)
    """
    CREATE INDEX homes_address_nocase
        ON homes(street COLLATE NOCASE, number, addition COLLATE NOCASE);
    """,
    # 10: quiet hours hold the bot's own initiatives, not people. `initiative` marks what the bot
    # sends of its own accord (reminders, notices, broadcasts); what a person caused just now goes
    # at once (silently at night). What was pending at the upgrade keeps the old rule. Tickets
    # tell apart the bot's last own message (the one-a-day rule) from the resident's last news of
    # any kind ("we are still on it" after days without news).
    """
    ALTER TABLE outbox ADD COLUMN initiative INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE tickets ADD COLUMN resident_news_at TEXT;
    UPDATE tickets SET resident_news_at = resident_notified_at;
    """,
]


async def migrate(conn: aiosqlite.Connection, target: int | None = None) -> int:
    """Apply every migration above the database's user_version (up to `target`)."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    goal = len(MIGRATIONS) if target is None else target
    for number in range(current + 1, goal + 1):
        for statement in _statements(MIGRATIONS[number - 1]):
            await conn.execute(statement)
        # PRAGMA takes no bound parameters; number is our own int.
        await conn.execute(f"PRAGMA user_version = {number:d}")
    return goal


def _statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if buf.strip() and sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out

