"""What the texts need to know about their readers: the site and each reader's language.

The outbox writer (bot/messaging/notify.py Notifier) has exactly this shape; the texts ask for
the shape, not the writer, so rendering never depends on how messages are sent.
"""

from __future__ import annotations

from typing import Protocol

from bot.config import SiteConfig
from bot.domain.tickets import Ticket
from bot.i18n import Translator


class Readers(Protocol):
    @property
    def site(self) -> SiteConfig: ...

    @property
    def coordinator_chat(self) -> int: ...

    def resident_tr(self, ticket: Ticket) -> Translator: ...

    def group_tr(self, chat_id: int) -> Translator: ...

    def partner_chat(self, ticket: Ticket) -> int: ...
