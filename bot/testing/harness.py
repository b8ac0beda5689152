"""Drive the real Application against the fake Bot API, one resident at a time.

    async with BotHarness.start(tmp_path / "bot.db") as h:
        amina = h.resident("Amina", "ar")
        await amina.send("/start")
        await amina.press("العربية")
        assert "مرحبا" in amina.last_text

Used by the tests and by `buurtbot demo`, so the demo shows exactly what the tests check.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.config import EXAMPLE_SITE_CONFIG, Settings, SiteConfig, load_site_config
from bot.content import Content
from bot.i18n import Translator, language_name
from bot.i18n.bidi import strip_controls
from bot.messaging.runtime import running
from bot.store.clock import Clock
from bot.testing.fake_api import FakeBotAPI, JSONDict
from bot.testing.moments import WORKDAY_11, workday_clock
from bot.testing.transcript import render_chat
from bot.testing.updates import Person, Updates

_ids = itertools.count(5550001)
__all__ = ["WORKDAY_11", "BotHarness", "GroupChat", "ResidentChat", "StaffMember",
           "workday_clock"]


class BotHarness:
    def __init__(self, app: Application, fake: FakeBotAPI) -> None:
        self.app = app
        self.fake = fake
        self.updates = Updates(fake, app.bot)
        # A restarted bot on the same fake Telegram: update and callback ids keep counting,
        # as Telegram's do, instead of starting again at 1.
        prior: Updates | None = getattr(fake, "updates_factory", None)
        if prior is not None:
            self.updates._next_update_id = prior._next_update_id
            self.updates._query_numbers = prior._query_numbers
        fake.updates_factory = self.updates  # type: ignore[attr-defined]

    @classmethod
    @asynccontextmanager
    async def start(cls, db: Path, site: SiteConfig | None = None, *,
                    clock: Clock | None = None, fake: FakeBotAPI | None = None,
                    forums: set[str] | None = None, groups: bool = True,
                    rate_limit: bool = False) -> AsyncIterator[BotHarness]:
        """The real Application on `db`. Every partner group exists in the fake Telegram with
        the bot as admin (`groups=False` leaves them out); `forums` names partners whose group
        has topics enabled. Without `clock` the bot and the fake Telegram share a standing
        clock at WORKDAY_11 (`h.clock`, moved by the test)."""
        site = site or load_site_config(EXAMPLE_SITE_CONFIG)
        clock = clock or workday_clock()
        if fake is None:
            fake = FakeBotAPI(clock=lambda: clock().timestamp())
            if groups:
                for partner in site.partners:
                    fake.add_group(partner.chat_id, partner.name,
                                   is_forum=partner.id in (forums or set()))
        settings = Settings(token=None, db=db, rate_limit=rate_limit)
        app = build_application(settings, site, request=fake, clock=clock, run_worker=False,
                                content=_content(tuple(site.languages)))
        async with running(app):
            harness = cls(app, fake)
            await harness.deliver()
            yield harness

    @property
    def services(self) -> Any:
        return self.app.bot_data["services"]

    @property
    def clock(self) -> Any:
        """The bot's clock (a SimClock unless the test passed another)."""
        return self.services.clock

    @property
    def store(self) -> Any:
        return self.services.store

    def tr(self, lang: str) -> Translator:
        """The bot's own translator, so tests check texts against the catalogs."""
        translator: Translator = self.services.i18n.get(lang)
        return translator

    async def onboard(self, name: str, lang: str, user_id: int | None = None) -> ResidentChat:
        """A resident who has opened the bot and picked their language."""
        chat = self.resident(name, lang, user_id)
        await chat.send("/start")
        await chat.press(language_name(lang))
        return chat

    def resident(self, name: str, language_code: str | None = None,
                 user_id: int | None = None) -> ResidentChat:
        person = Person(user_id or next(_ids), name, language_code=language_code)
        self.updates.register(person)
        return ResidentChat(self, person)

    async def feed(self, update: Update) -> None:
        """Process one update, then deliver what it put in the outbox (as the worker would)."""
        await self.app.process_update(update)
        await self.deliver()

    async def deliver(self) -> None:
        await self.services.delivery.drain()

    async def sweep(self) -> int:
        """One run of the follow-up sweep (the JobQueue does this every 30 s in production),
        then deliver what it queued."""
        handled = await self.services.sweeper.run()
        await self.deliver()
        return handled

    async def tick(self, hours: float, step_minutes: int = 15) -> None:
        """Walk the harness's clock forward, sweeping as the bot would."""
        steps = int(hours * 60 // step_minutes)
        for _ in range(steps):
            self.clock.advance(timedelta(minutes=step_minutes))
            await self.sweep()

    def group(self, partner_id: str) -> GroupChat:
        partner = self.services.site.partner(partner_id)
        return GroupChat(self, partner.chat_id)

    def staff(self, partner_id: str, name: str, user_id: int | None = None, *,
              admin: bool = False) -> StaffMember:
        """A member of the partner's group (`admin`: one of its administrators, as
        getChatAdministrators tells; for partners with may_act = "admins")."""
        group = self.group(partner_id)
        person = Person(user_id or next(_ids), name, language_code="nl")
        self.updates.register(person)
        self.fake.set_member(group.chat_id, person.id, "administrator" if admin else "member")
        return StaffMember(group, person)


def _matches(label: str, text: str) -> bool:
    visible = strip_controls(text)
    return label in text or label in visible


class ResidentChat:
    """One person's private chat with the bot, in the words a test would use."""

    def __init__(self, harness: BotHarness, person: Person) -> None:
        self.h = harness
        self.person = person
        self._seen = 0
        self.new: list[JSONDict] = []  # bot messages that arrived after the last action

    @property
    def chat_id(self) -> int:
        return self.person.private_chat

    async def _do(self, update: Update) -> list[JSONDict]:
        self._seen = len(self.h.fake.sent_to(self.chat_id))
        await self.h.feed(update)
        self.new = self.h.fake.sent_to(self.chat_id)[self._seen:]
        return self.new

    async def send(self, text: str) -> list[JSONDict]:
        return await self._do(self.h.updates.text(self.person, text))

    async def photo(self, caption: str | None = None) -> list[JSONDict]:
        return await self._do(self.h.updates.photo(self.person, caption))

    async def voice(self, *, anyway: bool = True) -> list[JSONDict]:
        """A voice message. One for an anonymous request is asked about first (a voice can be
        recognised: bot/handlers/limits.py); `anyway` presses "Send anyway", as a resident
        who means it does (tests/e2e/test_limits.py looks at the question itself)."""
        new = await self._do(self.h.updates.voice(self.person))
        label = self._tr(None)._("Send anyway")
        if anyway and any(_matches(label, str(b.get("text"))) for m in new
                          for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
                          for b in row):
            return await self.press(label)
        return new

    async def sticker(self) -> list[JSONDict]:
        return await self._do(self.h.updates.sticker(self.person))

    async def document(self, name: str = "photo.jpg", mime: str = "image/jpeg") -> list[JSONDict]:
        return await self._do(self.h.updates.document(self.person, name, mime))

    async def contact(self, phone: str) -> list[JSONDict]:
        return await self._do(self.h.updates.contact(self.person, phone))

    async def location(self) -> list[JSONDict]:
        return await self._do(self.h.updates.location(self.person, 52.11, 5.11))

    def message_with(self, label: str) -> JSONDict:
        """The newest bot message that shows a button with this label (exact or contained;
        bidi isolation marks are ignored, the eye does not see them either)."""
        for msg in reversed(self.h.fake.sent_to(self.chat_id)):
            for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if _matches(label, str(button.get("text"))):
                        return msg
        raise AssertionError(f"no button {label!r} in {self.person.first_name}'s chat; "
                             f"buttons now: {self.buttons()}")

    async def press(self, label: str) -> list[JSONDict]:
        msg = self.message_with(label)
        rows = msg["reply_markup"]["inline_keyboard"]
        texts = [b["text"] for row in rows for b in row]
        exact = label if label in texts else next(t for t in texts if _matches(label, t))
        return await self._do(self.h.updates.press(self.person, msg, exact))

    async def press_data(self, data: str, message_id: int | None = None) -> list[JSONDict]:
        last = self.h.fake.last_message(self.chat_id)
        mid = message_id or (int(last["message_id"]) if last else 1)
        return await self._do(self.h.updates.press_data(self.person, self.chat_id, mid, data))

    async def tap_menu(self, label: str) -> list[JSONDict]:
        """Press a reply-keyboard (main menu) button: Telegram sends its label as text."""
        labels = self.menu()
        exact = next((b for b in labels if label == b or label in b), None)
        if exact is None:
            raise AssertionError(f"no menu button {label!r}; menu: {labels}")
        return await self.send(exact)

    def menu(self) -> list[str]:
        """The reply keyboard the resident sees now (the latest one sent)."""
        for msg in reversed(self.h.fake.sent_to(self.chat_id)):
            kb = self.h.fake.reply_keyboard(self.chat_id, int(msg["message_id"]))
            if kb is not None:
                if kb.get("remove_keyboard"):
                    return []
                return [b["text"] if isinstance(b, dict) else b
                        for row in kb.get("keyboard", []) for b in row]
        return []

    def buttons(self) -> list[str]:
        """Inline buttons under the newest bot message that has any."""
        for msg in reversed(self.h.fake.sent_to(self.chat_id)):
            rows = (msg.get("reply_markup") or {}).get("inline_keyboard")
            if rows:
                return [b["text"] for row in rows for b in row]
        return []

    async def report(self, *, category: str = "noise", text: str = "Harde muziek elke nacht",
                     photo: bool = False, voice: bool = False, anonymous: bool = True,
                     lang: str | None = None) -> Any:
        """File a report the way a resident does (no building): returns the new ticket."""
        await self.report_summary(category=category, text=text, photo=photo, voice=voice,
                                  anonymous=anonymous, lang=lang)
        tr = self._tr(lang)
        await self.press(tr._("Send"))
        # anonymous with a name, a number or a voice in it: the hint before it goes
        # (tests/e2e/test_anonymity_hints.py); this helper files the report as written
        if any(_matches(tr._("Send anyway"), str(b.get("text"))) for m in self.new
               for row in (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in row):
            await self.press(tr._("Send anyway"))
        return (await self.h.store.tickets.for_resident(self.person.id))[0]

    async def report_summary(self, *, category: str = "noise",
                             text: str = "Harde muziek elke nacht", photo: bool = False,
                             voice: bool = False, anonymous: bool = True,
                             lang: str | None = None) -> JSONDict:
        """Everything of a report up to its summary, which is returned (Send not pressed yet)."""
        tr = self._tr(lang)
        label = self.h.services.site.category("nuisance", category).label
        await self.tap_menu(tr._("Report a problem"))
        await self.press(tr._(label))
        await self.send(text)
        if photo:
            await self.photo()
        if voice:
            await self.voice()
        await self.press(tr._("Next"))
        await self.press(tr._("Skip"))
        await self.press(tr._("Anonymous") if anonymous else tr._("With my first name"))
        return self.message_with(tr._("Send"))

    def _tr(self, lang: str | None) -> Translator:
        return self.h.tr(lang or self.person.language_code or "nl")

    @property
    def last_text(self) -> str:
        last = self.h.fake.last_message(self.chat_id)
        return "" if last is None else str(last.get("text", last.get("caption", "")))

    @property
    def new_text(self) -> str:
        return "\n".join(str(m.get("text", m.get("caption", ""))) for m in self.new)

    def transcript(self) -> str:
        return render_chat(self.h.fake, self.chat_id)


class GroupChat:
    """A partner group as its staff see it."""

    def __init__(self, harness: BotHarness, chat_id: int) -> None:
        self.h = harness
        self.chat_id = chat_id

    def messages(self) -> list[JSONDict]:
        return self.h.fake.sent_to(self.chat_id)

    def texts(self) -> list[str]:
        return self.h.fake.texts(self.chat_id)

    def card(self, ref: str) -> JSONDict:
        """The current card of a ticket (found by its reference)."""
        for msg in self.messages():
            if str(msg.get("text", "")).startswith(f"🆕 #{ref} "):
                return msg
        raise AssertionError(f"no card for {ref} in chat {self.chat_id}; texts: {self.texts()}")

    def buttons(self, msg: JSONDict) -> list[str]:
        rows = (msg.get("reply_markup") or {}).get("inline_keyboard", [])
        return [b["text"] for row in rows for b in row]

    def transcript(self, thread_id: int | None = None) -> str:
        return render_chat(self.h.fake, self.chat_id, thread_id=thread_id)


class StaffMember:
    """One staff member in a partner group."""

    def __init__(self, group: GroupChat, person: Person) -> None:
        self.group = group
        self.h = group.h
        self.person = person

    async def press(self, msg: JSONDict, label: str) -> None:
        rows = (msg.get("reply_markup") or {}).get("inline_keyboard", [])
        texts = [b["text"] for row in rows for b in row]
        exact = label if label in texts else next(
            (t for t in texts if _matches(label, t)), None)
        if exact is None:
            raise AssertionError(f"no button {label!r}; buttons: {texts}")
        await self.h.feed(self.h.updates.press(self.person, msg, exact, chat_id=self.group.chat_id))

    async def press_newest(self, label: str) -> None:
        """Press a button on the newest group message that has it (menus the bot just sent)."""
        for msg in reversed(self.group.messages()):
            if any(_matches(label, t) for t in self.group.buttons(msg)):
                await self.press(msg, label)
                return
        raise AssertionError(f"no button {label!r} in the group")

    async def reply(self, to: JSONDict, text: str) -> None:
        update = self.h.updates.text(self.person, text, chat_id=self.group.chat_id,
                                     reply_to=int(to["message_id"]),
                                     thread_id=to.get("message_thread_id"))
        await self.h.feed(update)

    async def say_in_topic(self, thread_id: int, text: str) -> None:
        await self.h.feed(self.h.updates.text(self.person, text, chat_id=self.group.chat_id,
                                              thread_id=thread_id))

    async def send(self, text: str) -> None:
        await self.h.feed(self.h.updates.text(self.person, text, chat_id=self.group.chat_id))

    async def photo_reply(self, to: JSONDict, caption: str | None = None) -> None:
        update = self.h.updates.photo(self.person, caption, chat_id=self.group.chat_id,
                                      reply_to=int(to["message_id"]),
                                      thread_id=to.get("message_thread_id"))
        await self.h.feed(update)


@functools.cache
def _content(languages: tuple[str, ...]) -> Content:
    """The FAQs and the danger matcher, read and compiled once per set of languages for all
    the harnesses of a test run (they only read it): about 36 ms a start otherwise."""
    return Content.load(list(languages))
