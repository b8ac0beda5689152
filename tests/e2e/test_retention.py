"""Retention over every table: after `retention_days` nothing in the database ties a resident to
their words (every table and column of the schema is scanned, as after "delete my data"), for a
closed request and for an open one nobody acted on (its partner warned first, in the group's
language), and nothing younger is touched. Real Application, real SQLite, the fake Telegram;
the pass is the one the job queue runs (bot/services/retention.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date

from bot.config import SiteConfig
from bot.domain.tickets import Status, Ticket
from bot.services import retention
from bot.store import Store
from bot.store import retention as kept
from bot.store.retention import Purged
from bot.testing.harness import BotHarness, ResidentChat
from bot.testing.moments import AMSTERDAM, workday_clock
from tests.e2e.test_erasure_scan import everything
from tests.test_migrations import old_database

GROUP = "woningcorporatie"
STORY = "Mijn naam is Amina Haddad, bel me op 0612345678, de buren draaien elke nacht muziek"
ANSWER = "Ja graag, na vijf uur ben ik thuis"
NOTE = "Amina Haddad, 0612345678: bellen na vijf uur"
PIETS = "Piet de Vries hier, de lift op de derde staat weer stil"
DAY = timedelta(days=1)
YEAR = timedelta(days=365)  # retention_days in the example site
WARNING = ("#{ref} has had no news since {since}. On {date} it will be closed and its content "
           "erased, unless someone acts on it before then. A reply, a note or a claim keeps it "
           "open.")
CLOSED = "#{ref} is closed and its content is erased: there was no news since {since}."


async def onboarded(h: BotHarness, name: str = "Amina", last: str = "Haddad",
                    username: str = "amina_h_1987") -> ResidentChat:
    chat = h.resident(name, "nl")
    chat.person.last_name, chat.person.username = last, username
    await chat.send("/start")
    await chat.press("Nederlands")
    return chat


def traces(cells: list[tuple[str, str, Any]], chat: ResidentChat,
           words: tuple[str, ...]) -> list[str]:
    """Every cell with the resident's id, names, username or the start of their words."""
    person = chat.person
    needles = [str(person.id), person.first_name, person.last_name or "", person.username or "",
               *(w[:20] for w in words)]
    return [f"{table}.{column} = {str(value)[:80]!r} (has {needle!r})"
            for table, column, value in cells if value is not None
            for needle in needles if needle and needle in str(value)]


async def amina_left(h: BotHarness, amina: ResidentChat) -> list[str]:
    return traces(await everything(h), amina, (STORY, ANSWER, NOTE, "0612345678",
                                                 "06 12345678"))


async def run(h: BotHarness) -> Purged:
    """One retention pass, as the job queue runs it, then what it queued is delivered."""
    done = await retention.run(h.services)
    await h.deliver()
    return done


def working(h: BotHarness, moment: datetime) -> datetime:
    """The first moment in working hours from `moment` on (staff are told only then)."""
    moment_at_work: datetime = h.services.notifier.policy.staff_time(moment)
    return moment_at_work


def working_before(h: BotHarness, moment: datetime) -> datetime:
    """A moment in working hours before `moment` (16:00 of an earlier working day)."""
    day = moment.astimezone(AMSTERDAM).replace(hour=16, minute=0) - DAY
    while working(h, day) != day:
        day -= DAY
    return day


def closing_day(h: BotHarness, last_news: datetime, warned: datetime) -> datetime:
    """What the warning must promise: retention_days after the last news and at least two weeks
    after the warning, at the start of the next working day after that."""
    due = max(last_news + YEAR, warned + timedelta(days=14))
    next_day = due.astimezone(AMSTERDAM).replace(hour=0, minute=0, second=0) + DAY
    return working(h, next_day)


def warnings(h: BotHarness, ticket: Ticket) -> list[str]:
    return [t for t in h.group(GROUP).texts() if t.startswith("⏳ ") and f"#{ticket.ref}" in t]


async def count(h: BotHarness, sql: str, *params: Any) -> int:
    row = await h.store.db.fetchone(sql, params)
    return int(row[0])


# -- a closed request ---------------------------------------------------------------------------
async def test_a_closed_request_leaves_nothing_of_the_resident_and_nothing_younger_goes(
        h: BotHarness) -> None:
    tr = h.tr("nl")
    amina = await onboarded(h)
    ticket = await amina.report(text=STORY, anonymous=False, lang="nl")
    jan, group = h.staff(GROUP, "Jan"), h.group(GROUP)
    await jan.reply(group.card(ticket.ref), "Kunnen we je morgen bellen?")
    await amina.press(tr._("Answer"))
    await amina.send(ANSWER)
    await jan.press(group.card(ticket.ref), tr._("Add note"))
    await jan.reply(group.messages()[-1], NOTE)
    await amina.send("ABCDE23456")  # a wrong invitation code: an attempt with her id
    await h.store.translations.remember({"k1": f"Vertaald: {NOTE}"}, "nl", "ar", amina.person.id)
    await jan.press(group.card(ticket.ref), "✅ " + tr._("Resolve"))
    await amina.press(tr._("Yes, I was helped"))
    closed = await h.store.tickets.get(ticket.id)
    assert closed.status == Status.CLOSED and closed.closed_at is not None
    assert await amina_left(h, amina)  # the scan finds her while she is there

    # a day short of retention_days the request is still whole
    h.clock.set(closed.closed_at + YEAR - DAY)
    await run(h)
    whole = await h.store.tickets.get(ticket.id)
    assert whole.description == STORY and whole.resident_id == amina.person.id
    assert NOTE in str(await h.store.tickets.events(ticket.id))
    assert await h.store.translations.count_for(amina.person.id) == 1

    # Piet writes just before the pass: everything of his stays as it is
    h.clock.set(closed.closed_at + YEAR + timedelta(hours=1))
    piet = await onboarded(h, "Piet", "de Vries", "pietdv")
    piets = await piet.report(text=PIETS, anonymous=False, lang="nl")
    await jan.reply(group.card(piets.ref), "We komen vandaag nog kijken")
    await piet.send("ZXCVB23456")
    await piet.tap_menu(tr._("Report a problem"))  # an unfinished report
    await h.store.translations.remember({"k2": "Piet de Vries"}, "nl", "ar", piet.person.id)
    his = traces(await everything(h), piet, (PIETS,))
    assert his

    h.clock.advance(minutes=5)
    done = await run(h)
    left = await amina_left(h, amina)
    assert not left, "\n".join(left)
    now_his = traces(await everything(h), piet, (PIETS,))
    assert now_his == his, "\n".join(sorted(set(his) ^ set(now_his)))
    assert done.counts["tickets"] == 1 and done.counts["residents"] == 1
    # the history keeps that a note was made, and the card shows the words gone
    events = await h.store.tickets.events(ticket.id)
    assert [e["event"] for e in events if e["event"] == "note"] == ["note"]
    assert events[-1]["event"] == "erased" and events[-1]["reason"] == "retention"
    assert STORY[:20] not in group.card(ticket.ref)["text"]
    assert PIETS[:20] in group.card(piets.ref)["text"]
    # a second pass finds nothing more of hers to do
    assert "tickets" not in (await run(h)).counts


async def test_a_resident_who_is_still_here_loses_only_the_expired_request(
        h: BotHarness) -> None:
    tr = h.tr("nl")
    amina = await onboarded(h)
    old = await amina.report(text=STORY, anonymous=False, lang="nl")
    jan, group = h.staff(GROUP, "Jan"), h.group(GROUP)
    await jan.reply(group.card(old.ref), "Kunnen we je morgen bellen?")
    await amina.press(tr._("Answer"))
    await amina.send(ANSWER)
    await jan.press(group.card(old.ref), "✅ " + tr._("Resolve"))
    await amina.press(tr._("Yes, I was helped"))
    h.clock.advance(YEAR + DAY)
    new = await amina.report(text=PIETS, anonymous=False, lang="nl")
    await jan.reply(group.card(new.ref), "We komen vandaag nog kijken")
    about = "SELECT count(*) FROM {} WHERE ticket_id = ? AND {} = ?"
    for table, column in (("ticket_messages", "chat_id"), ("outbox", "chat_id")):
        assert await count(h, about.format(table, column), old.id, amina.person.id)
    await run(h)
    left = [f"{table}.{column}" for table, column, value in await everything(h)
            for words in (STORY, ANSWER) if words[:20] in str(value)]
    assert not left, left
    for table, column in (("ticket_messages", "chat_id"), ("outbox", "chat_id")):
        assert not await count(h, about.format(table, column), old.id, amina.person.id)
        assert await count(h, about.format(table, column), new.id, amina.person.id)
    assert await h.store.residents.get(amina.person.id) is not None
    assert (await h.store.tickets.get(new.id)).description == PIETS


async def test_each_table_keeps_what_is_younger_than_its_period(h: BotHarness) -> None:
    """The fixed periods: code attempts a day, a staff prompt nobody answered a week, sent
    messages and unfinished flows a month; an open request with news keeps all of it."""
    tr = h.tr("nl")
    start = h.clock()
    piet = await onboarded(h, "Piet", "de Vries", "pietdv")
    ticket = await piet.report(text=PIETS, anonymous=False, lang="nl")
    await piet.send("ZXCVB23456")
    jan = h.staff(GROUP, "Jan")
    await jan.press(h.group(GROUP).card(ticket.ref), "✋ " + tr._("Claim"))
    await jan.press(h.group(GROUP).card(ticket.ref), tr._("Add note"))  # never typed
    await piet.tap_menu(tr._("Ask a question"))
    await piet.tap_menu(tr._("Report a problem"))  # an unfinished report
    tables = {
        "link_attempts": "SELECT count(*) FROM link_attempts",
        "staff_pending": "SELECT count(*) FROM staff_pending",
        "drafts": "SELECT count(*) FROM drafts",
        "outbox": "SELECT count(*) FROM outbox WHERE status = 'sent'",
    }
    first = {name: await count(h, sql) for name, sql in tables.items()}
    assert all(first.values()), first

    async def after(delta: timedelta) -> dict[str, int]:
        h.clock.set(start + delta)
        await run(h)
        return {name: await count(h, sql) for name, sql in tables.items()}

    assert await after(DAY - timedelta(minutes=5)) == first
    assert await after(DAY + timedelta(minutes=5)) == {**first, "link_attempts": 0}
    assert await after(timedelta(days=7, minutes=-5)) == {**first, "link_attempts": 0}
    assert await after(timedelta(days=7, minutes=5)) == {**first, "link_attempts": 0,
                                                         "staff_pending": 0}
    # a reply three weeks on is younger than a month when the first messages go
    h.clock.set(start + timedelta(days=21))
    await jan.reply(h.group(GROUP).card(ticket.ref), "Morgen komt de monteur")
    later = await count(h, "SELECT count(*) FROM outbox WHERE status = 'sent' AND sent_at >= ?",
                        (start + timedelta(days=21)).isoformat(timespec="seconds"))
    assert later
    assert await after(timedelta(days=30) - timedelta(minutes=5)) == {
        **first, "link_attempts": 0, "staff_pending": 0, "outbox": first["outbox"] + later}
    assert await after(timedelta(days=30, minutes=5)) == {
        "link_attempts": 0, "staff_pending": 0, "drafts": 0, "outbox": later}
    # the request itself had news (the claim): it is open and whole
    open_ = await h.store.tickets.get(ticket.id)
    assert open_.status == Status.CLAIMED and open_.description == PIETS
    assert await h.store.residents.get(piet.person.id) is not None


# -- an open request nobody acts on ----------------------------------------------------------------
@pytest.fixture
async def turkish(tmp_path: Path, site: SiteConfig) -> AsyncIterator[BotHarness]:
    """The housing corporation's group reads Turkish here, so its dates are Turkish."""
    partners = [p.model_copy(update={"language": "tr"}) if p.id == GROUP else p
                for p in site.partners]
    async with BotHarness.start(tmp_path / "bot.db",
                                site.model_copy(update={"partners": partners})) as harness:
        yield harness


async def test_an_open_request_nobody_acts_on_is_warned_about_then_closed_and_erased(
        turkish: BotHarness) -> None:
    h = turkish
    amina = await onboarded(h)
    ticket = await amina.report(text=STORY, anonymous=False, lang="nl")
    created = ticket.created_at
    # the bot's own follow-ups (nudges, the escalation, "we are still on it") are no news
    for days in (1, 3, 6, 100, 340):
        h.clock.set(created + timedelta(days=days))
        await h.sweep()
    assert await count(h, "SELECT count(*) FROM ticket_events WHERE actor = 'system'")
    warn_from = created + YEAR - timedelta(days=14)

    h.clock.set(working_before(h, warn_from))
    await run(h)
    assert warnings(h, ticket) == []

    h.clock.set(working(h, warn_from))
    warned_at = h.clock()
    done = await run(h)
    assert done.counts["warned"] == 1
    closes = closing_day(h, created, warned_at)
    gtr = h.tr("tr")
    local = AMSTERDAM
    since_tr = format_date(created.astimezone(local).date(), "long", locale="tr")
    date_tr = format_date(closes.astimezone(local).date(), "full", locale="tr")
    assert date_tr != format_date(closes.astimezone(local).date(), "full", locale="en")
    assert warnings(h, ticket) == ["⏳ " + gtr._(WARNING, ref=ticket.ref, since=since_tr,
                                                date=date_tr)]
    await run(h)  # told once
    assert len(warnings(h, ticket)) == 1

    h.clock.set(working_before(h, closes))
    await run(h)
    still = await h.store.tickets.get(ticket.id)
    assert still.status == Status.OPEN and still.description == STORY

    h.clock.set(closes + timedelta(hours=2))
    done = await run(h)
    assert done.counts["closed"] == 1
    gone = await h.store.tickets.get(ticket.id)
    assert gone.status == Status.WITHDRAWN and gone.description == ""
    assert gone.resident_id is None
    assert h.group(GROUP).texts()[-1] == "🗑️ " + gtr._(CLOSED, ref=ticket.ref,
                                                      since=since_tr)
    # every message about it went (the warning and "we are still on it" are younger than a
    # month): only the card edit and the notice just sent are left
    closed_at = h.clock().isoformat(timespec="seconds")
    assert not await count(h, "SELECT count(*) FROM outbox WHERE ticket_id = ? AND"
                              " created_at < ?", ticket.id, closed_at)
    events = await h.store.tickets.events(ticket.id)
    withdraw = next(e for e in events if e["event"] == "withdraw")
    assert withdraw["actor"] == "system" and withdraw["reason"] == "retention"
    card = h.group(GROUP).card(ticket.ref)
    assert STORY[:20] not in card["text"]
    assert gtr._("Claim") not in " ".join(h.group(GROUP).buttons(card))
    left = await amina_left(h, amina)
    assert not left, "\n".join(left)
    # the resident was not messaged about it: nothing of theirs is left to talk about
    assert await h.store.residents.get(amina.person.id) is None


async def test_acting_on_a_warned_request_keeps_it_open_and_starts_the_clock_again(
        h: BotHarness) -> None:
    tr = h.tr("nl")
    amina = await onboarded(h)
    ticket = await amina.report(text=STORY, anonymous=False, lang="nl")
    h.clock.set(working(h, ticket.created_at + YEAR - timedelta(days=14)))
    await run(h)
    [warning] = warnings(h, ticket)
    first_close = closing_day(h, ticket.created_at, h.clock())

    h.clock.set(working(h, h.clock() + 3 * DAY))
    jan = h.staff(GROUP, "Jan")
    await jan.press(h.group(GROUP).card(ticket.ref), "✋ " + tr._("Claim"))
    claimed_at = h.clock()
    h.clock.set(first_close + timedelta(hours=2))
    done = await run(h)
    assert "closed" not in done.counts
    kept_open = await h.store.tickets.get(ticket.id)
    assert kept_open.status == Status.CLAIMED and kept_open.description == STORY

    # the new silence gets its own warning, with its own day
    h.clock.set(working(h, claimed_at + YEAR - timedelta(days=14)))
    await run(h)
    assert len(warnings(h, ticket)) == 2
    second = closing_day(h, claimed_at, h.clock())
    day = format_date(second.astimezone(AMSTERDAM).date(), "full", locale="nl")
    assert day in warnings(h, ticket)[-1] and warnings(h, ticket)[-1] != warning
    # the resident's own message is news too
    h.clock.set(working(h, h.clock() + DAY))
    await amina.press(tr._("Answer"))
    await amina.send(ANSWER)
    assert ANSWER in h.group(GROUP).texts()[-1]
    h.clock.set(second + timedelta(hours=2))
    assert "closed" not in (await run(h)).counts
    assert (await h.store.tickets.get(ticket.id)).description == STORY


async def test_a_late_warning_still_gives_the_partner_two_weeks(h: BotHarness) -> None:
    """The bot was down through the warning window: the request is not closed at once, the
    partner still gets two weeks."""
    amina = await onboarded(h)
    ticket = await amina.report(text=STORY, anonymous=False, lang="nl")
    h.clock.set(working(h, ticket.created_at + YEAR + 3 * DAY))
    warned_at = h.clock()
    done = await run(h)
    assert done.counts["warned"] == 1 and "closed" not in done.counts
    closes = closing_day(h, ticket.created_at, warned_at)
    assert closes >= warned_at + timedelta(days=14)
    day = format_date(closes.astimezone(AMSTERDAM).date(), "full", locale="nl")
    assert day in warnings(h, ticket)[0]
    h.clock.set(working_before(h, closes))
    assert "closed" not in (await run(h)).counts
    h.clock.set(closes + timedelta(hours=1))
    assert (await run(h)).counts["closed"] == 1


async def test_nothing_is_warned_or_closed_outside_working_hours(h: BotHarness) -> None:
    amina = await onboarded(h)
    ticket = await amina.report(text=STORY, anonymous=False, lang="nl")
    night = (ticket.created_at + YEAR).astimezone(AMSTERDAM).replace(hour=23)
    h.clock.set(night)
    done = await run(h)
    assert "warned" not in done.counts and warnings(h, ticket) == []
    h.clock.set(working(h, night))
    assert (await run(h)).counts["warned"] == 1


async def test_a_large_backlog_goes_in_batches(h: BotHarness,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    tr = h.tr("nl")
    jan, group = h.staff(GROUP, "Jan"), h.group(GROUP)
    refs = []
    for n in range(5):
        chat = await onboarded(h, f"Bewoner{n}", "X", f"user{n}")
        t = await chat.report(text=f"Verhaal nummer {n}", anonymous=False, lang="nl")
        await jan.press(group.card(t.ref), "✋ " + tr._("Claim"))
        await jan.press(group.card(t.ref), "✅ " + tr._("Resolve"))
        await chat.press(tr._("Yes, I was helped"))
        refs.append(t.id)
    monkeypatch.setattr(kept, "BATCH", 2)
    h.clock.advance(YEAR + DAY)
    done = await run(h)
    assert done.counts["tickets"] == 5 and done.counts["residents"] == 5
    for ticket_id in refs:
        assert (await h.store.tickets.get(ticket_id)).description == ""


# -- databases of older bots --------------------------------------------------------------------
async def test_requests_erased_by_an_older_bot_lose_their_note_texts_and_chat_links(
        tmp_path: Path) -> None:
    """Migration 18: the retention of older bots erased a request's fields but kept the texts
    of notes in its history and, in the resident's chat, which message was about it."""
    path = tmp_path / "old.db"
    await old_database(path, 17)  # ticket 1: open, resident 7
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO tickets (id, ref, resident_id, draft_key, kind, category,"
                     " partner_id, lang, status, created_at, updated_at, closed_at) VALUES"
                     " (2, 'M-0002', NULL, 'erased:2', 'nuisance', 'noise', 'dock', 'tr',"
                     " 'closed', 'x', 'x', 'x')")
        event = ("INSERT INTO ticket_events (ticket_id, at, actor, event, data) VALUES"
                 " (?, 'x', 'staff:5', 'note', ?)")
        conn.execute(event, (1, '{"text": "bel Ayse op 06", "name": "Jan"}'))
        conn.execute(event, (2, '{"text": "bel Fatma op 06", "name": "Jan"}'))
        link = "INSERT INTO ticket_messages VALUES (?, ?, ?, 'resident')"
        conn.execute(link, (7, 10, 1))
        conn.execute(link, (8, 11, 2))
        conn.execute(link, (-100, 12, 2))  # the group's row stays
    store = await Store.open(path, workday_clock())
    try:
        rows = await store.db.fetchall("SELECT ticket_id, data FROM ticket_events ORDER BY id")
        links = await store.db.fetchall("SELECT chat_id, ticket_id FROM ticket_messages"
                                        " ORDER BY message_id")
    finally:
        await store.close()
    assert [(r[0], r[1]) for r in rows] == [(1, '{"text": "bel Ayse op 06", "name": "Jan"}'),
                                            (2, '{"name":"Jan"}')]
    assert [tuple(r) for r in links] == [(7, 1), (-100, 2)]
