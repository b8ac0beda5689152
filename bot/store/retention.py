"""Retention: what the bot keeps, for how long, table by table (AVG/GDPR article 5: storage
limitation). One pass (`purge`, run by bot/services/retention.py every PURGE_EVERY from the job
queue) covers every table of the schema; a test scans every table and column after it
(tests/e2e/test_retention.py).

A request *expires* `retention_days` after it closed, or after `retention_days` without news if
it is still open (its partner is warned WARN_BEFORE ahead; bot/services/retention.py closes it).
"News" is anything a person did: an event whose actor is not the bot (a claim, a reply, a note,
a quick reply, a promise, the resident's message). The bot's own reminders, nudges and
escalations are not news: a request nobody touches does not stay alive by itself.

table              personal data in it             how long it is kept
-----------------  ------------------------------  ------------------------------------------------
residents          Telegram id, language,          while anything else of theirs is here. A
                   consents                        resident with no request left, no home, no
                                                   unfinished flow and nothing queued for them,
                                                   who chose their language longer than
                                                   retention_days ago, is erased like "delete my
                                                   data". Not told: nothing is left to tell, and
                                                   a message would be new data about someone who
                                                   left. Writing again starts fresh.
tickets            words, photos, place, first     content erased when the request expires
                   name, phone, contact wish,      (erase_content); the bare statistics stay:
                   the resident's id, the draft    reference, kind, category, partner, building,
                   key (wd:<day>:<user>:...)       status, dates, pseudonym, who handled it
ticket_events      texts of notes and handovers    texts removed when the request expires (the
                   (they may name the resident)    one change the append-only trigger allows);
                                                   *that* something happened stays, and who
ticket_messages    which message in the            the resident's rows go when the request
                   resident's chat was about       expires; the groups' rows stay (no resident
                   which request (ties an          data), so a reply to an old card still hears
                   anonymous report to them)       that the request is closed
ticket_threads     none (group, topic, card ids)   kept: old cards are edited through it
staff_pending      a staff member's id, a prompt   STAFF_PENDING_KEEP, and with its request
outbox             payloads (words relayed both    sent: OUTBOX_KEEP. The reader has the message;
                   ways, texts to residents), a    we need the copy only for replays (two days),
                   resident's chat id, dedupe      translation edits (hours) and a month of "did
                   keys with their id              it arrive?". Every message of an expiring
                                                   request goes with it, whatever its state. Never
                                                   sent (a blocked bot, a broken group): kept for
                                                   /retry while the request is open, else until
                                                   retention_days after it was written.
due                promise ids; a translation      every row of an expiring request; finished
                   edit's chat (a resident's id)   translation edits after OUTBOX_KEEP. Notices
                                                   and broadcast progress hold no person and stay
                                                   (their dedupe keys keep a notice from going
                                                   out twice)
promises           staff id and first name         kept for the partners' statistics (kept,
                                                   broken, unanswered); no resident data
transfer_asks      the handover note               with its request (bot/store/asks.py forget)
retention_warnings none (a request, two moments)   until the request expires
drafts             an unfinished flow's words      DRAFT_KEEP after its last step
inbox              the raw update (words, ids)     blanked once handled, the bare id two days
                                                   (bot/store/inbox.py purge, run here too)
translations       machine translations of a       retention_days after they were made (the
                   resident's words and of the     original is never stored, only its hash)
                   replies to them
link_attempts      a resident's id, when they      LINK_ATTEMPTS_KEEP (only the last hour counts)
                   typed a wrong code
blocks             a blocked resident's id, the    while the block lasts: /unblock deletes the
                   request they were found by,     row, nothing of it is kept. Not by age: a
                   who blocked (a first name)      person lifts a block, not time. It goes with
                                                   the resident ("delete my data", or erased as
                                                   quiet above): they start afresh, under the
                                                   limits like anyone. In their export: since
                                                   when and which request, not who blocked
home_residents     which resident lives where      while linked: notices and announcements reach
                                                   them through it; goes with "delete my data"
homes,             addresses, codes, the           kept: the corporation's registry, managed by
invite_codes,      contractor's planning           the imports; about nobody until linked
work_days
broadcasts         the announcement, the staff     kept: the corporation's own announcements
                   keys and first names of who     and who wrote, approved or stopped them
                   wrote, approved or stopped it   (staff act for their organisation)
visit_rounds       none (a building, a name, the   kept: the rounds' figures
                   partner, dates)
visits             the team's notes about a home,  notes blanked retention_days after the visit,
                   the visitor's id and first      and with "delete my data" of a resident linked
                   name                            to the home; the outcome and date stay (the
                                                   figures: about a home, not a person)
visit_referrals    the visitor's explanation       blanked retention_days after the visit, and
                                                   with "delete my data" as above; a referral's
                                                   request expires like any other, also one for
                                                   a home nobody linked (no resident id)
visit_drafts       an unfinished visit (notes,     visits.DRAFT_KEEP after its last step
                   explanation, a phone number)
digests,           none                            kept
schema_migrations

Each pass works in batches of BATCH requests and residents per transaction, so a first run on
a large database never holds the write lock for long.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiosqlite

from bot.domain.tickets import ACTIVE
from bot.store import asks, drafts, homes, outbox, threads, translations, visits
from bot.store.clock import iso, parse
from bot.store.privacy import erase_resident
from bot.store.tickets import add_event, erase_content

OUTBOX_KEEP = timedelta(days=30)
STAFF_PENDING_KEEP = timedelta(days=7)  # a long weekend or a holiday, and then some
LINK_ATTEMPTS_KEEP = timedelta(days=1)  # the limit counts the last hour (homes.WINDOW)
DRAFT_KEEP = timedelta(days=30)  # an unfinished flow is forgotten after this
WARN_BEFORE = timedelta(days=14)  # the partner hears this long before a quiet request closes
BATCH = 200

_ACTIVE = ", ".join(f"'{s.value}'" for s in sorted(ACTIVE))
# the last moment a person did something about an active request (the bot's own events aside)
_QUIET = (
    "SELECT t.id AS id, max(t.created_at, COALESCE((SELECT max(e.at) FROM ticket_events e"
    " WHERE e.ticket_id = t.id AND e.actor <> 'system'), '')) AS since"
    f" FROM tickets t WHERE t.status IN ({_ACTIVE})"
)


@dataclass
class Purged:
    """What one pass did: rows per table (or step), and the requests that expired in it."""

    counts: dict[str, int] = field(default_factory=dict)
    expired: list[int] = field(default_factory=list)  # content erased now (cards to edit)
    more: bool = False  # a batch was full: there is more to do

    def add(self, what: str, n: int) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + n

    def merge(self, other: Purged) -> None:
        for what, n in other.counts.items():
            self.add(what, n)
        self.expired += other.expired

    def __bool__(self) -> bool:
        return bool(self.counts)

    def summary(self) -> str:
        return ", ".join(f"{what} {n}" for what, n in sorted(self.counts.items()))


@dataclass(frozen=True)
class Quiet:
    """An active request nobody acted on since `since`."""

    ticket_id: int
    since: datetime


# -- quiet open requests ----------------------------------------------------------------------
async def to_warn(tx: aiosqlite.Connection, now: datetime, retention_days: int) -> list[Quiet]:
    """Active requests without news for retention_days minus WARN_BEFORE whose partner was not
    warned about this silence yet (news after a warning makes a new silence)."""
    edge = now - timedelta(days=retention_days) + WARN_BEFORE
    async with tx.execute(
        f"SELECT q.id, q.since FROM ({_QUIET}) q WHERE q.since <= ? AND NOT EXISTS"
        " (SELECT 1 FROM retention_warnings w WHERE w.ticket_id = q.id"
        " AND w.quiet_since = q.since) ORDER BY q.id", (iso(edge),)) as cur:
        rows = list(await cur.fetchall())
    return [Quiet(int(r[0]), _moment(r[1])) for r in rows]


async def remember_warning(tx: aiosqlite.Connection, quiet: Quiet, closes_at: datetime,
                           now: datetime) -> None:
    await tx.execute(
        "INSERT OR REPLACE INTO retention_warnings (ticket_id, quiet_since, closes_at, warned_at)"
        " VALUES (?, ?, ?, ?)", (quiet.ticket_id, iso(quiet.since), iso(closes_at), iso(now)))


async def to_close(tx: aiosqlite.Connection, now: datetime,
                   retention_days: int) -> list[Quiet]:
    """Active requests whose partner was warned, that nobody acted on since, and whose day
    has come (and that are still quiet for retention_days, should the setting have grown)."""
    edge = now - timedelta(days=retention_days)
    async with tx.execute(
        f"SELECT q.id, q.since FROM ({_QUIET}) q JOIN retention_warnings w ON w.ticket_id = q.id"
        " WHERE w.quiet_since = q.since AND w.closes_at <= ? AND q.since <= ? ORDER BY q.id",
        (iso(now), iso(edge))) as cur:
        rows = list(await cur.fetchall())
    return [Quiet(int(r[0]), _moment(r[1])) for r in rows]


def _moment(text: str) -> datetime:
    moment = parse(text)
    assert moment is not None
    return moment


# -- expiry of one batch of requests ----------------------------------------------------------
async def expire(tx: aiosqlite.Connection, ticket_ids: list[int], now: datetime,
                 purged: Purged | None = None) -> Purged:
    """Erase the content of these (closed) requests and every trace of it: the texts in their
    history, which message in the resident's chat was about them, their messages, due rows,
    staff prompts, permission questions and the warning. The card edits are the caller's."""
    purged = purged if purged is not None else Purged()
    if not ticket_ids:
        return purged
    marks = ", ".join("?" * len(ticket_ids))
    for ticket_id in ticket_ids:
        await erase_content(tx, ticket_id)
        await add_event(tx, ticket_id, "system", "erased", iso(now), reason="retention")
    cur = await tx.execute(
        f"UPDATE ticket_events SET data = json_remove(data, '$.text', '$.note')"
        f" WHERE ticket_id IN ({marks}) AND (json_type(data, '$.text') IS NOT NULL"
        f" OR json_type(data, '$.note') IS NOT NULL)", ticket_ids)
    purged.add("ticket_events texts", cur.rowcount)
    purged.add("ticket_messages", await threads.forget_tickets(tx, ticket_ids))
    purged.add("outbox", await outbox.forget_tickets(tx, ticket_ids))
    cur = await tx.execute(f"DELETE FROM due WHERE ticket_id IN ({marks})", ticket_ids)
    purged.add("due", cur.rowcount)
    await asks.forget(tx, ticket_ids)
    await tx.execute(f"DELETE FROM retention_warnings WHERE ticket_id IN ({marks})", ticket_ids)
    purged.add("tickets", len(ticket_ids))
    purged.expired += ticket_ids
    return purged


async def _closed_long_ago(tx: aiosqlite.Connection, before: datetime, limit: int) -> list[int]:
    async with tx.execute(
        "SELECT id FROM tickets WHERE resident_id IS NOT NULL AND closed_at < ?"
        " ORDER BY closed_at LIMIT ?", (iso(before), limit)) as cur:
        return [int(r[0]) for r in await cur.fetchall()]


async def _quiet_residents(tx: aiosqlite.Connection, before: datetime,
                           limit: int) -> list[int]:
    """Residents with nothing left here but their language, chosen before `before`."""
    async with tx.execute(
        "SELECT r.user_id FROM residents r WHERE r.updated_at < ?"
        " AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.resident_id = r.user_id)"
        " AND NOT EXISTS (SELECT 1 FROM home_residents h WHERE h.user_id = r.user_id)"
        " AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.user_id = r.user_id)"
        " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.chat_id = r.user_id"
        " AND o.status <> 'sent') ORDER BY r.user_id LIMIT ?", (iso(before), limit)) as cur:
        return [int(r[0]) for r in await cur.fetchall()]


# -- the pass -----------------------------------------------------------------------------------
async def purge(tx: aiosqlite.Connection, now: datetime, retention_days: int, *,
                limit: int = BATCH) -> Purged:
    """One batch of the retention pass, inside the caller's transaction: requests closed
    longer than retention_days ago expire (at most `limit`), then everything kept for a
    fixed time, then residents with nothing left. `more` says a batch was full: call again
    in a new transaction. Quiet open requests are closed by bot/services/retention.py first
    (it warns their partner), and then expire here like any other closed request."""
    purged = Purged()
    cutoff = now - timedelta(days=retention_days)
    expiring = await _closed_long_ago(tx, cutoff, limit)
    # referrals after a home visit for a home nobody linked have no resident id, but content
    expiring += await visits.unowned_closed_before(tx, cutoff, limit - len(expiring))
    await expire(tx, expiring, now, purged)
    purged.add("outbox", await outbox.purge(tx, sent_before=now - OUTBOX_KEEP,
                                            stale_before=cutoff))
    cur = await tx.execute(
        "DELETE FROM due WHERE kind IN ('text_translate', 'card_translate')"
        " AND status <> 'pending' AND COALESCE(done_at, due_at) < ?", (iso(now - OUTBOX_KEEP),))
    purged.add("due", cur.rowcount)
    purged.add("staff_pending", await threads.purge_pending(tx, now - STAFF_PENDING_KEEP))
    purged.add("link_attempts", await homes.purge_attempts(tx, now - LINK_ATTEMPTS_KEEP))
    purged.add("translations", await translations.purge_before(tx, cutoff))
    purged.add("drafts", await drafts.purge_before(tx, now - DRAFT_KEEP))
    purged.add("visits", await visits.purge(tx, cutoff, now - visits.DRAFT_KEEP))
    leaving = await _quiet_residents(tx, cutoff, limit)
    for user_id in leaving:
        await erase_resident(tx, user_id, now)
    purged.add("residents", len(leaving))
    purged.more = len(expiring) == limit or len(leaving) == limit
    return purged
