"""Numbered, named, append-only schema migrations, recorded in PRAGMA user_version.

Never edit a migration that has shipped: add a new one (tests/test_migrations.py holds the
checksum of each). Each runs inside the caller's transaction, so a failed upgrade leaves the
database as it was. From migration 11 on, the database also records each migration's name and
checksum in schema_migrations, so two branches that both add "migration N" do not silently
collide: the second one is refused at start.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass

import aiosqlite


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationMismatch(RuntimeError):
    """The database ran a migration under this number that is not the code's one."""

    def __init__(self, number: int, recorded: str, code: str, same_name: bool) -> None:
        why = ("its SQL differs from the code's (edited after it shipped?)" if same_name
               else f"the code's migration {number} is {code!r} (two branches added it?)")
        super().__init__(f"database has migration {number} as {recorded!r}, but {why}")
        self.number, self.recorded, self.code = number, recorded, code


MIGRATIONS: tuple[Migration, ...] = (
    # 1: residents, tickets, their events, and flow drafts
    Migration(1, "residents_tickets_drafts", """
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
    """),
    # 2: abandoned drafts are cleared after a while; find them without a table scan
    Migration(2, "drafts_updated_index", """
    CREATE INDEX drafts_updated ON drafts(updated_at);
    """),
    # 3: partner side. Durable inbox (updates stored before they are confirmed to Telegram),
    # outbox (every message that must arrive, retried until it does), where each ticket lives in
    # each chat, claims, and a per-ticket pseudonym for anonymous reporters.
    Migration(3, "partner_side", """
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
    """),
    # 4: follow-ups. Deadlines on the ticket; everything due later is a row with a due time
    # (reminders, escalations, promise checks), swept by a repeating job; promises and their fate.
    Migration(4, "follow_ups", """
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
    """),
    # 5: homes and invitation codes: a letter's QR code links a resident's chat to their home.
    Migration(5, "homes_invite_codes", """
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
    """),
    # 6: the renovation schedule per home, as imported from the contractor's planning.
    Migration(6, "work_days", """
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
    """),
    # 7: broadcasts from the housing corporation to a building, a stairwell or everyone
    Migration(7, "broadcasts", """
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
    """),
    # 8: bulk messages (broadcasts) go after everything else, so a card or a reply is not stuck
    # behind thousands of announcements
    Migration(8, "outbox_bulk", """
    ALTER TABLE outbox ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;
    DROP INDEX outbox_due;
    CREATE INDEX outbox_due ON outbox(bulk, due_at, id) WHERE status = 'pending';
    """),
    # 9: homes are found by address regardless of case (store/homes.py address_key)
    Migration(9, "homes_address_nocase", """
    CREATE INDEX homes_address_nocase
        ON homes(street COLLATE NOCASE, number, addition COLLATE NOCASE);
    """),
    # 10: quiet hours hold the bot's own initiatives, not people. `initiative` marks what the bot
    # sends of its own accord (reminders, notices, broadcasts); what a person caused just now goes
    # at once (silently at night). What was pending at the upgrade keeps the old rule. Tickets
    # tell apart the bot's last own message (the one-a-day rule) from the resident's last news of
    # any kind ("we are still on it" after days without news).
    Migration(10, "quiet_hours_initiative", """
    ALTER TABLE outbox ADD COLUMN initiative INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE tickets ADD COLUMN resident_news_at TEXT;
    UPDATE tickets SET resident_news_at = resident_notified_at;
    """),
    # 11: the database records which named migrations it has. migrate() writes the rows: this one's
    # together with 1..10, applied before the table existed. applied_at stays NULL: migrate has no
    # clock, and the column lets a later caller that has one fill it in without a migration.
    Migration(11, "migration_names", """
    CREATE TABLE schema_migrations (
        number      INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        checksum    TEXT NOT NULL,
        applied_at  TEXT
    );
    """),
    # 12: the "we are still on it" due rows get a name that says so
    Migration(12, "due_still_on_it", """
    UPDATE due SET kind = 'still_on_it' WHERE kind = 'still';
    """),
    # 13: machine translations already made, so no text goes to the service twice. Keyed by the
    # text's sha256 (the cache looks texts up, it never lists them); user_id is the resident whose
    # case the words belong to (NULL: nobody's, a broadcast), so erasing a resident drops theirs.
    # Rows are per resident, so an erasure removes exactly the rows made for that resident.
    Migration(13, "translations_cache", """
    CREATE TABLE translations (
        id          INTEGER PRIMARY KEY,
        text_hash   TEXT NOT NULL,
        source      TEXT NOT NULL,
        target      TEXT NOT NULL,
        translated  TEXT NOT NULL,
        user_id     INTEGER,
        created_at  TEXT NOT NULL
    );
    CREATE UNIQUE INDEX translations_key
        ON translations(text_hash, source, target, IFNULL(user_id, 0));
    CREATE INDEX translations_user ON translations(user_id);
    CREATE INDEX translations_created ON translations(created_at);
    """),
    # 14: promises that older bots left open when their request was handed to another partner,
    # solved or withdrawn are cancelled, as a transfer, resolve or withdraw now does (otherwise
    # the new partner would be reminded of them and the resident asked about them)
    Migration(14, "cancel_stale_promises", """
    UPDATE promises SET status = 'cancelled'
     WHERE status = 'open' AND ticket_id IN (
        SELECT t.id FROM tickets t WHERE t.status NOT IN ('open', 'claimed')
            OR t.partner_id <> promises.partner_id);
    """),
    # 15: the history stays append-only, with one exception: erasing a resident's data removes
    # what was said (the text of notes and handovers) and keeps that something happened
    Migration(15, "events_erase_texts", """
    DROP TRIGGER ticket_events_append_only_u;
    CREATE TRIGGER ticket_events_append_only_u BEFORE UPDATE ON ticket_events
        WHEN NOT (NEW.id = OLD.id AND NEW.ticket_id = OLD.ticket_id AND NEW.at = OLD.at
                  AND NEW.actor = OLD.actor AND NEW.event = OLD.event
                  AND NEW.data = json_remove(OLD.data, '$.text', '$.note'))
        BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
    """),
    # 16: the language a ticket's description is written in, when it is not the resident's own
    # words (a renovation answer is written by the bot in the partner's language; NULL: the
    # resident's chosen language, or what the letters say): the card translates from this
    Migration(16, "ticket_description_lang", """
    ALTER TABLE tickets ADD COLUMN description_lang TEXT;
    """),
    # 17: a help request goes to another partner only with the resident's permission: the
    # question asked and its answer ('yes', 'no'; NULL while open; 'stale' when the request
    # changed before they answered). The note is the staff member's handover note.
    Migration(17, "transfer_asks", """
    CREATE TABLE transfer_asks (
        id          INTEGER PRIMARY KEY,
        ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
        from_partner TEXT NOT NULL,
        to_partner  TEXT NOT NULL,
        note        TEXT NOT NULL,
        actor       TEXT NOT NULL,
        actor_name  TEXT NOT NULL,
        asked_at    TEXT NOT NULL,
        answer      TEXT,
        answered_at TEXT
    );
    CREATE INDEX transfer_asks_ticket ON transfer_asks(ticket_id);
    """),
    # 18: retention over every table (bot/store/retention.py). A request nobody acted on for
    # retention_days is closed, its partner warned first: the warning row holds the last news
    # it was about and when the request closes unless someone acts. The indexes find the closed
    # requests whose content is still there, and a request's messages, without a table scan.
    # Requests erased by an older bot's retention kept the texts of notes and handovers in their
    # history, and in the resident's chat which message was about them: both go now.
    Migration(18, "retention", """
    CREATE TABLE retention_warnings (
        ticket_id   INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
        quiet_since TEXT NOT NULL,
        closes_at   TEXT NOT NULL,
        warned_at   TEXT NOT NULL
    );
    CREATE INDEX tickets_closed_content ON tickets(closed_at) WHERE resident_id IS NOT NULL;
    CREATE INDEX outbox_ticket ON outbox(ticket_id) WHERE ticket_id IS NOT NULL;
    UPDATE ticket_events SET data = json_remove(data, '$.text', '$.note')
     WHERE ticket_id IN (SELECT id FROM tickets WHERE resident_id IS NULL)
       AND (json_type(data, '$.text') IS NOT NULL OR json_type(data, '$.note') IS NOT NULL);
    DELETE FROM ticket_messages WHERE chat_id > 0
       AND ticket_id IN (SELECT id FROM tickets WHERE resident_id IS NULL);
    """),
    # 19: home visits (issue 12): rounds per building, each visit's outcome, and the warm
    # referrals made on the doorstep (each becomes a help request: ticket_id). Notes and
    # explanations are personal data (erasure, retention, export). visit_drafts: where a staff
    # member is in recording a visit, per chat, so a restart loses nothing.
    Migration(19, "visit_rounds", """
    CREATE TABLE visit_rounds (
        id          INTEGER PRIMARY KEY,
        building    TEXT NOT NULL,
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('before', 'during', 'after')),
        partner_id  TEXT NOT NULL,
        starts_on   TEXT,
        ends_on     TEXT,
        created_at  TEXT NOT NULL,
        UNIQUE (building, name)
    );
    CREATE TABLE visits (
        id           INTEGER PRIMARY KEY,
        round_id     INTEGER NOT NULL REFERENCES visit_rounds(id) ON DELETE CASCADE,
        home_id      INTEGER NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
        visited_on   TEXT NOT NULL,
        outcome      TEXT NOT NULL CHECK (outcome IN ('spoken', 'not_home', 'refused', 'moved',
                                                      'empty')),
        notes        TEXT NOT NULL DEFAULT '',
        visitor_id   INTEGER,
        visitor_name TEXT,
        no_consent   INTEGER NOT NULL DEFAULT 0,
        source       TEXT NOT NULL CHECK (source IN ('telegram', 'import')),
        import_key   TEXT UNIQUE,
        created_at   TEXT NOT NULL
    );
    CREATE INDEX visits_round_home ON visits(round_id, home_id);
    CREATE INDEX visits_home ON visits(home_id);
    CREATE TABLE visit_referrals (
        id          INTEGER PRIMARY KEY,
        visit_id    INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
        partner_id  TEXT NOT NULL,
        topic       TEXT NOT NULL,
        explanation TEXT NOT NULL DEFAULT '',
        consent     TEXT NOT NULL CHECK (consent IN ('verbal', 'import')),
        ticket_id   INTEGER REFERENCES tickets(id) ON DELETE SET NULL,
        created_at  TEXT NOT NULL
    );
    CREATE INDEX visit_referrals_visit ON visit_referrals(visit_id);
    CREATE INDEX visit_referrals_partner ON visit_referrals(partner_id);
    CREATE INDEX visit_referrals_ticket ON visit_referrals(ticket_id) WHERE ticket_id IS NOT NULL;
    CREATE TABLE visit_drafts (
        chat_id     INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        key         TEXT NOT NULL,
        step        TEXT NOT NULL,
        data        TEXT NOT NULL DEFAULT '{}',
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (chat_id, user_id)
    );
    CREATE INDEX visit_drafts_updated ON visit_drafts(updated_at);
    """),
    # 20: a broadcast waits for a second person (issue 13): 'waiting' until an authorised member
    # of its group who did not write it, or of the coordinator group, approves it ('sent'), or
    # someone stops it ('stopped'); who wrote it (created_by, composed_name), approved or
    # stopped it (staff key, first name) and when. Broadcasts from before went out at once.
    Migration(20, "broadcast_approval", """
    ALTER TABLE broadcasts ADD COLUMN status TEXT NOT NULL DEFAULT 'sent'
        CHECK (status IN ('waiting', 'sent', 'stopped'));
    ALTER TABLE broadcasts ADD COLUMN composed_name TEXT;
    ALTER TABLE broadcasts ADD COLUMN approved_by TEXT;
    ALTER TABLE broadcasts ADD COLUMN approved_name TEXT;
    ALTER TABLE broadcasts ADD COLUMN approved_at TEXT;
    ALTER TABLE broadcasts ADD COLUMN stopped_by TEXT;
    ALTER TABLE broadcasts ADD COLUMN stopped_name TEXT;
    ALTER TABLE broadcasts ADD COLUMN stopped_at TEXT;
    """),
    # 21: residents blocked by a coordinator (issue 13 §4), keyed by their Telegram id, with
    # the request they were found by, who blocked (first name) and when. Deleted on unblock
    # and with "delete my data" (bot/store/blocks.py, bot/store/retention.py).
    Migration(21, "blocks", """
    CREATE TABLE blocks (
        user_id     INTEGER PRIMARY KEY,
        ref         TEXT NOT NULL,
        blocked_by  TEXT NOT NULL,
        blocked_at  TEXT NOT NULL
    );
    """),
    # 22: the coordinator's figures (bot/store/figures.py, bench/report.py): requests by the
    # day they came in; each request's first contact, claim and resolve as one index seek
    # (ticket_id first); the rarer events (escalated, reopen, confirm) and an event's week
    # without reading the whole history (event first)
    Migration(22, "figures_indexes", """
    CREATE INDEX tickets_created ON tickets(created_at);
    CREATE INDEX ticket_events_figures ON ticket_events(ticket_id, event, at);
    CREATE INDEX ticket_events_kinds ON ticket_events(event, at, ticket_id, actor);
    """),
)

# The first migration recorded in schema_migrations (it creates the table).
NAMED_FROM = 11


async def migrate(conn: aiosqlite.Connection, target: int | None = None) -> int:
    """Apply every migration above the database's user_version (up to `target`)."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    await _check_recorded(conn)
    goal = len(MIGRATIONS) if target is None else target
    for number in range(current + 1, goal + 1):
        for statement in _statements(MIGRATIONS[number - 1].sql):
            await conn.execute(statement)
        await _record(conn, number)
        # PRAGMA takes no bound parameters; number is our own int.
        await conn.execute(f"PRAGMA user_version = {number:d}")
    return goal


async def _check_recorded(conn: aiosqlite.Connection) -> None:
    """Refuse a database whose recorded migrations are not the code's ones of the same number."""
    async with conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                            " AND name = 'schema_migrations'") as cur:
        if await cur.fetchone() is None:
            return
    async with conn.execute("SELECT number, name, checksum FROM schema_migrations") as cur:
        rows = list(await cur.fetchall())
    for number, name, checksum in ((int(r[0]), str(r[1]), str(r[2])) for r in rows):
        # A number beyond the code's is a newer database: left alone, as user_version always was.
        if number > len(MIGRATIONS):
            continue
        ours = MIGRATIONS[number - 1]
        if (name, checksum) != (ours.name, ours.checksum):
            raise MigrationMismatch(number, name, ours.name, same_name=name == ours.name)


async def _record(conn: aiosqlite.Connection, number: int) -> None:
    """Write the schema_migrations row of a just-applied migration (with the back-fill of those
    applied before the table existed, when this is the migration that creates it)."""
    if number < NAMED_FROM:
        return
    done = MIGRATIONS[:number] if number == NAMED_FROM else MIGRATIONS[number - 1:number]
    await conn.executemany(
        "INSERT INTO schema_migrations (number, name, checksum) VALUES (?, ?, ?)",
        [(m.number, m.name, m.checksum) for m in done])


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

