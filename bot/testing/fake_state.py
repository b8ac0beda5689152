"""The fake Bot API's world: users, chats and their messages, files, commands; how tests set it
up and look into it; and the internals the method handlers share (storing, copying, editing)."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from bot.testing.fake_format import content_view, format_text, validate_markup
from bot.testing.fake_types import (
    ADMIN_RIGHTS,
    CONTENT_KEYS,
    FILE_ID_PREFIX,
    MEDIA_KEYS,
    NOT_MODIFIED,
    ApiCall,
    ApiError,
    ChatState,
    Fault,
    JSONDict,
    Params,
    StoredFile,
    Upload,
    bad,
    chat_id_of,
    utf16_len,
)
from bot.testing.moments import WORKDAY_11


class FakeState:
    """Everything the fake remembers, and every call it was sent."""

    def __init__(self, bot_id: int = 7000000001, bot_username: str = "buurtbot_test_bot",
                 bot_first_name: str = "Buurtbot", clock: Callable[[], float] | None = None,
                 *, enforce_limits: bool = False) -> None:
        # Message dates come from the test's clock; alone, the fake stands at the tests' moment.
        self.clock: Callable[[], float] = clock or WORKDAY_11.timestamp
        self.bot_user: JSONDict = {"id": bot_id, "is_bot": True, "first_name": bot_first_name,
                                   "username": bot_username}
        self.enforce_limits = enforce_limits
        self.users: dict[int, JSONDict] = {}
        self.chats: dict[int, ChatState] = {}
        self.blocked: set[int] = set()
        self.files: dict[str, StoredFile] = {}
        self.calls: list[ApiCall] = []
        self.uploads: list[Upload] = []
        self.alerts: list[JSONDict] = []
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.profile: dict[tuple[str, str], str] = {}
        self.unknown_methods: list[str] = []
        self.limit_hits: Counter[str] = Counter()
        self.deleted: list[tuple[int, int]] = []
        self.reply_keyboards: dict[tuple[int, int], JSONDict] = {}
        self.silent: set[tuple[int, int]] = set()  # (chat, message) sent with disable_notification
        self.reactions: dict[tuple[int, int], list[str]] = {}  # (chat, message) -> the bot's emoji
        self.callback_ids: dict[str, bool] = {}  # callback_query id -> already answered?
        self._faults: list[tuple[str, Fault]] = []
        self._unhang = asyncio.Event()  # set by release_hangs: every hanging call times out
        self.hanging = 0  # calls hanging right now (Fault.hang), and the most at once
        self.most_hanging = 0
        self._sends: deque[tuple[float, int]] = deque()
        self._updates: list[JSONDict] = []
        self._waiter: asyncio.Event | None = None
        self.long_poll_cap: float | None = 0.2  # seconds a getUpdates waits at most (None: all)
        self._file_numbers = itertools.count(1)

    # ------------------------------------------------------------------ world set-up
    def register_user(self, user_id: int, first_name: str, last_name: str | None = None,
                      username: str | None = None, language_code: str | None = None) -> JSONDict:
        """Register a user (who has started the bot) and their private chat."""
        extra = {"last_name": last_name, "username": username, "language_code": language_code}
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        user.update({k: v for k, v in extra.items() if v is not None})
        self.users[user_id] = user
        chat = {"id": user_id, "type": "private", "first_name": first_name}
        chat.update({k: v for k, v in extra.items() if v is not None and k != "language_code"})
        if user_id in self.chats:
            self.chats[user_id].chat = chat
        else:
            self.chats[user_id] = ChatState(chat=chat)
        return user

    def add_group(self, chat_id: int, title: str, *, is_forum: bool = False,
                  members: dict[int, str] | None = None, bot_status: str = "administrator",
                  can_manage_topics: bool = True, language: str | None = None) -> ChatState:
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        chat: JSONDict = {"id": chat_id, "type": kind, "title": title}
        if is_forum:
            chat["is_forum"] = True
        state = ChatState(chat=chat, members=dict(members or {}), bot_status=bot_status,
                          can_manage_topics=can_manage_topics, language=language)
        self.chats[chat_id] = state
        return state

    def set_group_privacy(self, chat_id: int, *, basic: bool = False,
                          username: str | None = None, invite_link: str | None = None,
                          join_by_request: bool = False) -> ChatState:
        """Who can find or join a group, as getChat tells it: a basic group (not a
        supergroup), a public @username, the primary invite link, join requests. Telegram
        keeps a public group a supergroup and asks for join requests only in a public one."""
        if basic and username:
            raise AssertionError("a public group is always a supergroup")
        if join_by_request and not username:
            raise AssertionError("join requests (join_by_request) exist only in public groups")
        state = self.chats[chat_id]
        state.chat["type"] = "group" if basic else "supergroup"
        state.chat.pop("username", None)
        if username:
            state.chat["username"] = username
        state.invite_link, state.join_by_request = invite_link, join_by_request
        return state

    def add_topic(self, chat_id: int, name: str, icon_color: int = 7322096) -> int:
        """Create a forum topic without permission checks (test set-up); returns its thread id."""
        return int(self._create_topic(self.chats[chat_id], name, icon_color)["message_thread_id"])

    def block(self, user_id: int) -> None:
        self.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self.blocked.discard(user_id)

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        self.chats[chat_id].members[user_id] = status

    def store_user_message(self, chat_id: int, user_id: int, content: JSONDict, *,
                           reply_to: int | None = None, thread_id: int | None = None) -> JSONDict:
        """Store a message a user sent (used by the update factories)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise AssertionError(f"chat {chat_id} is not registered: call fake.add_group() first")
        if not chat.is_private:
            chat.members.setdefault(user_id, "member")  # writing in a group implies membership
        if thread_id is not None and chat.is_forum and thread_id not in chat.topics:
            raise AssertionError(
                f"thread {thread_id} does not exist in {chat_id}: {sorted(chat.topics)}")
        target = chat.messages.get(reply_to) if reply_to is not None else None
        if target is None and thread_id is not None and chat.is_forum:
            # Telegram: a message in a topic that replies to nothing replies to the topic's
            # "topic created" service message (whose id is the thread id)
            target = chat.messages.get(thread_id)
        return self._store(chat, self.users[user_id], content, thread_id=thread_id, reply_to=target)

    def register_file(self, kind: str, *, data: bytes = b"", file_name: str | None = None,
                      mime_type: str | None = None, file_id: str | None = None) -> StoredFile:
        """Create (or return the existing) stored file so getFile and downloads work."""
        if file_id is not None and file_id in self.files:
            return self.files[file_id]
        n = next(self._file_numbers)
        suffix = "." + file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else ""
        stored = StoredFile(
            file_id=file_id or f"{FILE_ID_PREFIX.get(kind, 'BQACAgQ')}fake{n:05d}",
            file_unique_id=f"AQADfake{n:05d}", kind=kind,
            data=data or f"fake {kind} #{n}".encode(), file_path=f"{kind}s/file_{n}{suffix}",
            file_name=file_name, mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def register_callback_query(self, query_id: str) -> None:
        self.callback_ids.setdefault(query_id, False)

    # ------------------------------------------------------------------ queries for tests
    def calls_to(self, chat_id: int, method: str | None = None) -> list[ApiCall]:
        return [c for c in self.calls if c.chat_id == chat_id and method in (None, c.method)]

    def messages(self, chat_id: int) -> list[JSONDict]:
        """Every stored message in the chat (user and bot), current state, oldest first."""
        chat = self.chats.get(chat_id)
        return [] if chat is None else [chat.messages[k] for k in sorted(chat.messages)]

    def sent_to(self, chat_id: int) -> list[JSONDict]:
        """Messages the bot sent to the chat, as they look now (after edits). Service
        messages such as "topic created" are left out: they are not something it said."""
        bot_id = self.bot_user["id"]
        return [m for m in self.messages(chat_id)
                if m["from"]["id"] == bot_id and any(k in m for k in CONTENT_KEYS)]

    def last_message(self, chat_id: int) -> JSONDict | None:
        sent = self.sent_to(chat_id)
        return sent[-1] if sent else None

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        chat = self.chats.get(chat_id)
        return None if chat is None else chat.messages.get(message_id)

    def texts(self, chat_id: int) -> list[str]:
        """Text or caption of each bot message in the chat, for terse assertions."""
        return [str(m.get("text", m.get("caption", ""))) for m in self.sent_to(chat_id)]

    def was_silent(self, chat_id: int, message_id: int) -> bool:
        """Sent with disable_notification: the phone showed it without a sound."""
        return (chat_id, message_id) in self.silent

    def reply_keyboard(self, chat_id: int, message_id: int) -> JSONDict | None:
        """Reply keyboards are not part of Telegram's Message object, so they are kept here."""
        return self.reply_keyboards.get((chat_id, message_id))

    # ------------------------------------------------------------------ shared internals
    def _store(self, chat: ChatState, sender: JSONDict, content: JSONDict, *,
               thread_id: int | None = None, reply_to: JSONDict | None = None,
               markup: JSONDict | None = None) -> JSONDict:
        message_id, chat.next_id = chat.next_id, chat.next_id + 1
        msg: JSONDict = {"message_id": message_id, "from": dict(sender), "chat": dict(chat.chat),
                         "date": int(self.clock())}
        if thread_id is not None:
            msg["message_thread_id"] = int(thread_id)
            msg["is_topic_message"] = chat.is_forum or None
        if reply_to is not None:  # Telegram never nests reply_to_message more than one level
            msg["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
        msg.update(content)
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        elif markup:
            self.reply_keyboards[(chat.id, message_id)] = markup
        chat.messages[message_id] = {k: v for k, v in msg.items() if v is not None}
        return chat.messages[message_id]

    def _chat(self, params: Params) -> ChatState:
        if params.get("chat_id") in (None, ""):
            raise bad("chat_id is empty")
        chat_id = chat_id_of(params)
        chat = self.chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise bad("chat not found")
        return chat

    def _target(self, params: Params) -> ChatState:
        """The chat a send goes to, with Telegram's membership/block/thread checks."""
        chat = self._chat(params)
        if chat.is_private and chat.id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not chat.is_private and chat.bot_status in ("left", "kicked"):
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.chat['type']} chat")
        thread = params.get("message_thread_id")
        if thread is not None:
            self._check_thread(chat, int(thread))
        return chat

    @staticmethod
    def _check_thread(chat: ChatState, thread: int) -> None:
        if thread not in (chat.topics if chat.is_forum else chat.messages):
            raise bad("message thread not found")
        if thread in chat.closed_topics and not (chat.bot_is_admin and chat.can_manage_topics):
            raise bad("TOPIC_CLOSED")

    @staticmethod
    def _reply_target(chat: ChatState, params: Params) -> JSONDict | None:
        reply = params.get("reply_parameters") or {}
        if reply.get("message_id") is None:
            return None
        target = chat.messages.get(int(reply["message_id"]))
        if target is None and not reply.get("allow_sending_without_reply"):
            raise bad("message to be replied not found")
        return target

    def _send(self, chat: ChatState, params: Params, content: JSONDict) -> JSONDict:
        markup = validate_markup(params.get("reply_markup"))
        reply = self._reply_target(chat, params)
        msg = self._store(chat, self.bot_user, content, markup=markup, reply_to=reply,
                          thread_id=params.get("message_thread_id"))
        if params.get("disable_notification"):  # delivered without a sound or a banner
            self.silent.add((chat.id, int(msg["message_id"])))
        return msg

    def _caption(self, params: Params) -> JSONDict:
        if not params.get("caption"):
            return {}
        text, entities = format_text(params["caption"], params.get("parse_mode"),
                                     params.get("caption_entities"))
        if utf16_len(text) > 1024:
            raise bad("message caption is too long")
        return {"caption": text, "caption_entities": entities or None} if text else {}

    def _user(self, user_id: int) -> JSONDict:
        if user_id == self.bot_user["id"]:
            return self.bot_user
        unknown = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        return self.users.get(user_id) or unknown

    def _member(self, chat: ChatState, user_id: int) -> JSONDict:
        if user_id == self.bot_user["id"]:
            status = chat.bot_status
        else:
            owner = chat.is_private and user_id == chat.id
            status = "member" if owner else chat.members.get(user_id, "left")
        member: JSONDict = {"status": status, "user": self._user(user_id)}
        if status == "creator":
            member["is_anonymous"] = False
        if status == "administrator":
            member.update(dict.fromkeys(ADMIN_RIGHTS, True))
            member.update(can_be_edited=False, is_anonymous=False)
            if user_id == self.bot_user["id"]:
                member["can_manage_topics"] = chat.can_manage_topics
        return member

    def _create_topic(self, chat: ChatState, name: str, icon_color: int,
                      emoji_id: str | None = None) -> JSONDict:
        # A topic's thread id is the id of its "topic created" service message.
        topic = {"name": name, "icon_color": icon_color, "icon_custom_emoji_id": emoji_id}
        topic = {k: v for k, v in topic.items() if v is not None}
        msg = self._store(chat, self.bot_user, {"forum_topic_created": topic})
        thread_id = msg["message_id"]
        msg.update(message_thread_id=thread_id, is_topic_message=True)
        chat.topics[thread_id] = dict(topic, message_thread_id=thread_id)
        return chat.topics[thread_id]

    def _forum_topic(self, params: Params) -> tuple[ChatState, int]:
        chat = self._chat(params)
        if not chat.is_forum:
            raise bad("the chat is not a forum")
        thread = int(params.get("message_thread_id") or 0)
        if thread not in chat.topics:
            raise bad("message thread not found")
        if not (chat.bot_is_admin and chat.can_manage_topics):
            raise bad("CHAT_ADMIN_REQUIRED")
        return chat, thread

    def _source(self, params: Params, message_id: Any, verb: str) -> JSONDict:
        """The message to copy/forward; ``verb`` is "copy" or "forward" for the error text."""
        chat = self.chats.get(chat_id_of({"chat_id": params.get("from_chat_id")}) or 0)
        if chat is None:
            raise bad("chat not found")
        msg = chat.messages.get(int(message_id or 0))
        if msg is None:
            raise bad(f"message to {verb} not found")
        if not any(key in msg for key in CONTENT_KEYS):  # service messages
            raise bad("message can't be copied" if verb == "copy" else "message can't be forwarded")
        return msg

    def _copy_one(self, chat: ChatState, params: Params, src: JSONDict) -> JSONDict:
        # A copy is a brand-new bot message: no forward_origin, nothing about the sender.
        content = {k: src[k] for k in CONTENT_KEYS if k in src}
        if "caption" in params and any(k in src for k in MEDIA_KEYS):
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption(params))
        return self._send(chat, params, content)

    def _editable(self, params: Params) -> JSONDict | None:
        if params.get("inline_message_id"):
            return None  # inline messages are not tracked; Telegram returns True for them
        msg = self._chat(params).messages.get(int(params.get("message_id") or 0))
        if msg is None:
            raise bad("message to edit not found")
        if msg["from"]["id"] != self.bot_user["id"]:
            raise bad("message can't be edited")
        return msg

    def _apply_edit(self, msg: JSONDict, changes: JSONDict, params: Params) -> JSONDict:
        # Omitting reply_markup in an edit removes the inline keyboard, as on Telegram.
        changes["reply_markup"] = validate_markup(params.get("reply_markup"))
        new = {k: v for k, v in {**msg, **changes}.items() if v is not None}
        if content_view(new) == content_view(msg):
            raise bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        msg.clear()
        msg.update(new, edit_date=int(self.clock()))
        return msg

