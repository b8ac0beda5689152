"""The retention pass, as the job queue runs it every PURGE_EVERY (bot/app.py): what is kept
how long is bot/store/retention.py, table by table; this adds what needs words and cards.

1. Open requests nobody acted on for retention_days minus WARN_BEFORE: the partner's group is
   told, in its language, on which day the request closes unless someone acts before then.
2. Warned requests whose day has come, still untouched: withdrawn by the bot (its open promises
   cancelled with it), their content erased, the card edited and the group told.
3. The store's pass, batch by batch: closed requests expire (their cards are edited, as bulk
   messages, so old cards never hold up the day's work), and everything kept for a fixed time.

Steps 1 and 2 happen in working hours only, as every nudge to staff does; the day named in the
warning is a working day, and a pass runs at least every six hours, so it holds.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain.tickets import Action
from bot.render import retention as texts
from bot.store import retention
from bot.store.outbox import Method, enqueue
from bot.store.retention import WARN_BEFORE, Purged, Quiet
from bot.store.threads import chats_with_card
from bot.store.tickets import fetch, move

if TYPE_CHECKING:  # only the type: Services lives with the handlers' context
    from bot.context import Services

MAX_BATCHES = 500  # per pass: 100,000 requests at BATCH = 200, each batch its own transaction


async def run(services: Services) -> Purged:
    """One whole pass; what it did, per table."""
    now, days = services.clock(), services.site.retention_days
    db = services.store.db
    done = Purged()
    if services.notifier.policy.staff_time(now) <= now:
        async with db.transaction() as tx:
            done.add("warned", await warn_quiet(services, tx, now, days))
        async with db.transaction() as tx:
            done.merge(await close_quiet(services, tx, now, days))
    for _ in range(MAX_BATCHES):  # the rest, if ever, in the next pass
        async with db.transaction() as tx:
            batch = await retention.purge(tx, now, days, limit=retention.BATCH)
            for ticket_id in batch.expired:
                for chat_id in await chats_with_card(tx, ticket_id):
                    await enqueue(tx, now, chat_id=chat_id, method=Method.CARD_EDIT,
                                  purpose="card", ticket_id=ticket_id, bulk=True)
        done.merge(batch)
        if not batch.more:
            break
    done.add("inbox", await services.store.inbox.purge())
    return done


def closing_day(services: Services, quiet: Quiet, now: datetime, days: int) -> datetime:
    """When a quiet request closes: retention_days after its last news, and never sooner than
    WARN_BEFORE after the warning; at the start of the next working day after that, so the
    day the group is told is the day it happens."""
    policy = services.notifier.policy
    due = max(quiet.since + timedelta(days=days), now + WARN_BEFORE)
    next_day = due.astimezone(policy.zone).date() + timedelta(days=1)
    return policy.staff_time(datetime.combine(next_day, time(0), tzinfo=policy.zone))


async def warn_quiet(services: Services, tx: aiosqlite.Connection, now: datetime,
                     days: int) -> int:
    notifier = services.notifier
    warned = 0
    for quiet in await retention.to_warn(tx, now, days):
        ticket = await fetch(tx, quiet.ticket_id)
        closes_at = closing_day(services, quiet, now, days)
        await retention.remember_warning(tx, quiet, closes_at, now)
        await notifier.to_partner(tx, now, ticket,
                                  texts.quiet_warning(notifier, ticket, quiet.since, closes_at))
        warned += 1
    return warned


async def close_quiet(services: Services, tx: aiosqlite.Connection, now: datetime,
                      days: int) -> Purged:
    notifier = services.notifier
    closing = await retention.to_close(tx, now, days)
    for quiet in closing:
        await move(tx, await fetch(tx, quiet.ticket_id), Action.WITHDRAW, "system", now,
                   reason="retention")
    purged = await retention.expire(tx, [q.ticket_id for q in closing], now)
    purged.expired = []  # their cards are edited here, at once, not as bulk
    for quiet in closing:
        ticket = await fetch(tx, quiet.ticket_id)
        await notifier.refresh_cards(tx, now, ticket)
        await notifier.to_partner(tx, now, ticket, texts.quiet_closed(notifier, ticket,
                                                                      quiet.since))
    purged.add("closed", len(closing))
    return purged
