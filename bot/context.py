"""The typed context handlers receive: `context.services` holds everything a flow needs.

Resources are opened in post_init and closed in post_shutdown (bot/app.py); nothing happens at
import time and there are no module globals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext, ExtBot

from bot import translate
from bot.config import Settings, SiteConfig
from bot.content import Content
from bot.followup.engine import FollowUps
from bot.i18n import I18n
from bot.messaging.notify import Notifier
from bot.store import Store
from bot.store.clock import Clock

if TYPE_CHECKING:
    from bot.followup.sweep import Sweeper
    from bot.messaging.delivery import Delivery


@dataclass
class Services:
    settings: Settings
    site: SiteConfig
    i18n: I18n
    content: Content
    clock: Clock  # the one source of "now" (bot/store/clock.py)
    # every resident flow by name (bot/handlers/flows.py, handed over by bot/app.py); typed
    # loosely because flows are handlers and this module sits below them
    flows: dict[str, Any] = field(default_factory=dict)
    # False in tests and the demo: they deliver the outbox themselves, step by step.
    run_worker: bool = True
    _store: Store | None = field(default=None, repr=False)
    _delivery: Delivery | None = field(default=None, repr=False)
    _sweeper: Sweeper | None = field(default=None, repr=False)
    # machine translation and speech to text (bot/translate/; "none" unless the site says so)
    translator: translate.Translator = field(default_factory=translate.NoTranslator)
    transcriber: translate.Transcriber = field(default_factory=translate.NoTranscriber)

    @property
    def sweeper(self) -> Sweeper:
        if self._sweeper is None:
            raise RuntimeError("sweeper used before post_init made it")
        return self._sweeper

    @cached_property
    def notifier(self) -> Notifier:
        return Notifier(self.site, self.i18n)

    @cached_property
    def followups(self) -> FollowUps:
        return FollowUps(self.notifier.policy)

    @property
    def delivery(self) -> Delivery:
        if self._delivery is None:
            raise RuntimeError("delivery used before post_init started it")
        return self._delivery

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("store used before post_init opened it")
        return self._store


class BotContext(CallbackContext[ExtBot[None], dict, dict, dict]):
    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services

