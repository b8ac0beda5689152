"""The coordinator's figures as use cases: a report for a period, a building or a round (for
`/figures` and `buurtbot report`), and the Monday casusoverleg digest planned as a due row.

A report is one consistent snapshot however long it takes to add up, read on a connection of
its own (Database.snapshot), so the bot's handlers are not held up meanwhile. Neither sends
anything: the handler and the command line show what they get, and the sweep sends the digest
(bot/followup/sweep.py `figures_digest`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import SiteConfig
from bot.domain.figures import (
    DIGEST_KIND,
    FigureRules,
    Figures,
    Scope,
)
from bot.domain.policy import Policy
from bot.store import Store
from bot.store import figures as figure_store
from bot.store.due import pending


class UnknownRound(LookupError):
    """--round names no visit round."""


@dataclass(frozen=True)
class Report:
    figures: Figures
    round_name: str | None  # the round asked for, by its name


def rules(site: SiteConfig) -> FigureRules:
    return FigureRules.of(site, Policy(site).week, [p.id for p in site.partners])


async def report(store: Store, site: SiteConfig, scope: Scope, now: datetime) -> Report:
    """Every figure of `scope`; UnknownRound when it names a round that does not exist."""
    async with store.db.snapshot() as tx:  # a reader of its own: handlers go on meanwhile
        name = None
        if scope.round_id is not None:
            name = await figure_store.round_name(tx, scope.round_id)
            if name is None:
                raise UnknownRound(scope.round_id)
        return Report(await figure_store.collect(tx, scope, rules(site), now), name)


async def plan_digest(store: Store, site: SiteConfig, now: datetime) -> datetime | None:
    """At start: the next Monday's digest, unless one is already planned (one that fell due
    while the bot was down is still pending: the sweep sends it, late, once, and plans the
    week after). Returns when the new one is due (None: one was planned already)."""
    async with store.db.transaction() as tx:
        if await pending(tx, DIGEST_KIND):
            return None
        return await figure_store.plan_next_digest(tx, now, site.zone)
