"""Storage: one SQLite file, accessed through one object per aggregate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.store.blocks import Blocks
from bot.store.clock import Clock
from bot.store.db import Database
from bot.store.drafts import Drafts
from bot.store.due import DueRows
from bot.store.homes import Homes
from bot.store.inbox import Inbox
from bot.store.outbox import Outbox
from bot.store.privacy import Privacy
from bot.store.promises import Promises
from bot.store.renovation import Renovation
from bot.store.residents import Residents
from bot.store.threads import Threads
from bot.store.tickets import Tickets
from bot.store.translations import Translations
from bot.store.visits import Visits


@dataclass
class Store:
    db: Database
    residents: Residents
    tickets: Tickets
    drafts: Drafts
    privacy: Privacy
    outbox: Outbox
    threads: Threads
    inbox: Inbox
    due: DueRows
    homes: Homes
    promises: Promises
    renovation: Renovation
    translations: Translations
    visits: Visits
    blocks: Blocks

    @classmethod
    async def open(cls, path: Path | str, clock: Clock) -> Store:
        db = await Database.open(path)
        return cls(
            db=db,
            residents=Residents(db, clock),
            tickets=Tickets(db, clock),
            drafts=Drafts(db, clock),
            privacy=Privacy(db, clock),
            outbox=Outbox(db, clock),
            threads=Threads(db, clock),
            inbox=Inbox(db, clock),
            due=DueRows(db),
            homes=Homes(db, clock),
            promises=Promises(db),
            renovation=Renovation(db),
            translations=Translations(db, clock),
            visits=Visits(db, clock),
            blocks=Blocks(db, clock),
        )

    async def close(self) -> None:
        await self.db.close()
