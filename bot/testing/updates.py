"""Update factories, so a test reads like a conversation.

Every factory registers the person with the fake (so the bot may message them), stores
user messages in the fake's chat (so transcripts show them and copyMessage can copy them)
and returns a real ``telegram.Update`` parsed with ``Update.de_json`` against the bot the
Application uses, which keeps shortcuts such as ``update.message.reply_text`` working.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Update

from bot.testing.fake_api import FakeBotAPI, JSONDict, utf16_len


@dataclass
class Person:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    @property
    def private_chat(self) -> int:
        """In Telegram a private chat's id equals the user's id."""
        return self.id


class Updates:
    """``Updates(fake, bot)``; each method returns a ``telegram.Update``."""

    def __init__(self, fake: FakeBotAPI, bot: Bot) -> None:
        self.fake = fake
        self.bot = bot
        self._next_update_id = 1
        self._query_numbers = itertools.count(1)

    # ------------------------------------------------------------------ plumbing
    def raw(self, data: JSONDict) -> Update:
        """Turn a dict into an Update; fills in update_id when missing."""
        data = dict(data)
        update_id = int(data.setdefault("update_id", self._next_update_id))
        self._next_update_id = max(self._next_update_id, update_id + 1)
        query = data.get("callback_query")
        if query:  # so answerCallbackQuery for this query is accepted by the fake
            self.fake.register_callback_query(str(query["id"]))
        update = Update.de_json(data, self.bot)
        assert update is not None
        return update

    def queue(self, update: Update) -> Update:
        """Also deliver the update through getUpdates (for tests that run polling)."""
        self.fake.queue_update(update)
        return update

    def register(self, person: Person) -> JSONDict:
        return self.fake.register_user(person.id, person.first_name, person.last_name,
                                       person.username, person.language_code)

    def _message(self, person: Person, content: JSONDict, chat_id: int | None,
                 reply_to: int | None, thread_id: int | None) -> Update:
        self.register(person)
        target = person.private_chat if chat_id is None else chat_id
        msg = self.fake.store_user_message(target, person.id, content, reply_to=reply_to,
                                           thread_id=thread_id)
        return self.raw({"message": msg})

    def _file(self, kind: str, **extra: Any) -> JSONDict:
        stored = self.fake.register_file(kind, file_name=extra.get("file_name"),
                                         mime_type=extra.get("mime_type"))
        info = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data)}
        return {**info, **{k: v for k, v in extra.items() if v is not None}}

    # ------------------------------------------------------------------ messages
    def text(self, person: Person, text: str, *, chat_id: int | None = None,
             reply_to: int | None = None, thread_id: int | None = None) -> Update:
        content: JSONDict = {"text": text}
        if text.startswith("/"):
            # Telegram marks "/cmd" or "/cmd@botname" (the first word) as a bot_command.
            command = text.split(maxsplit=1)[0] if text.strip() else text
            entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            content["entities"] = [entity]
        return self._message(person, content, chat_id, reply_to, thread_id)

    def photo(self, person: Person, caption: str | None = None, *, chat_id: int | None = None,
              reply_to: int | None = None, thread_id: int | None = None) -> Update:
        dimensions = ((90, 68), (320, 240), (1280, 960))
        sizes = [self._file("photo", width=w, height=h) for w, h in dimensions]
        content: JSONDict = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return self._message(person, content, chat_id, reply_to, thread_id)

    def voice(self, person: Person, duration: int = 3, *, chat_id: int | None = None,
              reply_to: int | None = None, thread_id: int | None = None) -> Update:
        voice = self._file("voice", duration=duration, mime_type="audio/ogg")
        return self._message(person, {"voice": voice}, chat_id, reply_to, thread_id)

    def document(self, person: Person, file_name: str = "x.jpg", mime_type: str = "image/jpeg",
                 *, caption: str | None = None, chat_id: int | None = None,
                 reply_to: int | None = None, thread_id: int | None = None) -> Update:
        document = self._file("document", file_name=file_name, mime_type=mime_type)
        content: JSONDict = {"document": document}
        if caption:
            content["caption"] = caption
        return self._message(person, content, chat_id, reply_to, thread_id)

    def sticker(self, person: Person, emoji: str = "👍", *, chat_id: int | None = None,
                reply_to: int | None = None, thread_id: int | None = None) -> Update:
        sticker = self._file("sticker", width=512, height=512, is_animated=False, is_video=False,
                             type="regular", emoji=emoji)
        return self._message(person, {"sticker": sticker}, chat_id, reply_to, thread_id)

    def video_note(self, person: Person, duration: int = 5, *, chat_id: int | None = None,
                   reply_to: int | None = None, thread_id: int | None = None) -> Update:
        note = self._file("video_note", length=240, duration=duration)
        return self._message(person, {"video_note": note}, chat_id, reply_to, thread_id)

    def location(self, person: Person, lat: float, lon: float, *, chat_id: int | None = None,
                 reply_to: int | None = None, thread_id: int | None = None) -> Update:
        content = {"location": {"latitude": lat, "longitude": lon}}
        return self._message(person, content, chat_id, reply_to, thread_id)

    def contact(self, person: Person, phone_number: str, *, own: bool = True,
                first_name: str | None = None, chat_id: int | None = None) -> Update:
        """A shared contact; ``own=True`` is what a "share my phone number" button sends."""
        contact: JSONDict = {"phone_number": phone_number,
                             "first_name": first_name or person.first_name}
        if own:
            contact["user_id"] = person.id
        return self._message(person, {"contact": contact}, chat_id, None, None)

    # ------------------------------------------------------------------ buttons
    def press(self, person: Person, message: JSONDict | int, button: str, *,
              chat_id: int | None = None) -> Update:
        """Press an inline button, found by its visible text or its callback_data.

        ``message`` is a stored message dict or a message id (then ``chat_id`` defaults to
        the person's private chat). The message's *current* keyboard is used, as the user
        only ever sees the latest state.
        """
        if isinstance(message, dict):
            chat_id, message_id = int(message["chat"]["id"]), int(message["message_id"])
        else:
            chat_id, message_id = (person.private_chat if chat_id is None else chat_id), message
        current = self.fake.message(chat_id, message_id)
        if current is None:
            raise AssertionError(f"message {message_id} in chat {chat_id} does not exist")
        data = self._find_button(current, button)
        return self._callback(person, current, data)

    def press_data(self, person: Person, chat_id: int, message_id: int, data: str) -> Update:
        """A callback query with arbitrary data (forged, stale, or for a deleted message)."""
        current = self.fake.message(chat_id, message_id)
        if current is None:  # what Telegram sends when the bot can no longer see the message
            known = self.fake.chats.get(chat_id)
            chat = known.chat if known else {"id": chat_id, "type": "private"}
            current = {"chat": chat, "message_id": message_id, "date": 0}
        return self._callback(person, current, data)

    @staticmethod
    def _find_button(message: JSONDict, button: str) -> str:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        buttons = [b for row in rows for b in row]
        for candidate in buttons:
            if button in (candidate.get("text"), candidate.get("callback_data")):
                if "callback_data" not in candidate:
                    raise AssertionError(f"button {button!r} has no callback_data: {candidate}")
                return str(candidate["callback_data"])
        available = [f"{b.get('text')!r} -> {b.get('callback_data', b.get('url'))!r}"
                     for b in buttons]
        raise AssertionError(f"no button {button!r} on message {message['message_id']}; "
                             f"available: {available or 'no inline keyboard'}")

    def _callback(self, person: Person, message: JSONDict, data: str) -> Update:
        self.register(person)
        query_id = f"{person.id}{next(self._query_numbers):06d}"
        query = {"id": query_id, "from": self.fake.users[person.id], "message": message,
                 "chat_instance": f"ci{message['chat']['id']}", "data": data}
        return self.raw({"callback_query": query})

    # ------------------------------------------------------------------ membership
    def bot_added_to_group(self, person_who_added: Person, chat_id: int, *,
                           title: str | None = None) -> Update:
        """my_chat_member update: the bot goes from "left" to "member" in a group."""
        user = self.register(person_who_added)
        chat = self.fake.chats.get(chat_id)
        if chat is None:
            chat = self.fake.add_group(chat_id, title or f"Group {chat_id}", bot_status="left")
        chat.members.setdefault(person_who_added.id, "member")
        chat.bot_status = "member"
        bot_user = self.fake.bot_user
        update = {"my_chat_member": {
            "chat": dict(chat.chat), "from": user, "date": int(self.fake.clock()),
            "old_chat_member": {"status": "left", "user": bot_user},
            "new_chat_member": {"status": "member", "user": bot_user},
        }}
        return self.raw(update)
