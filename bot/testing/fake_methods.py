"""The Bot API methods the fake answers, one ``_api_<name>`` handler each, like Telegram does."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.testing.fake_format import format_text
from bot.testing.fake_state import FakeState
from bot.testing.fake_types import (
    CHAT_ACTIONS,
    CONTENT_KEYS,
    MEDIA_KEYS,
    MEDIA_METHODS,
    QUERY_INVALID,
    ApiError,
    ChatState,
    JSONDict,
    Params,
    StoredFile,
    Upload,
    bad,
    chat_id_of,
    scope_key,
    utf16_len,
)

# The emoji a bot may react with (Telegram's ReactionTypeEmoji list)
REACTIONS = frozenset([
    "👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉", "🤩", "🤮",
    "💩", "🙏", "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳", "❤\u200d🔥", "🌚", "🌭", "💯", "🤣",
    "⚡", "🍌", "🏆", "💔", "🤨", "😐", "🍓", "🍾", "💋", "🖕", "😈", "😴", "😭", "🤓", "👻",
    "👨\u200d💻", "👀", "🎃", "🙈", "😇", "😨", "🤝", "✍", "🤗", "🫡", "🎅", "🎄", "☃", "💅",
    "🤪", "🗿", "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊", "😎", "👾", "🤷\u200d♂", "🤷",
    "🤷\u200d♀", "😡",
])


class FakeMethods(FakeState):
    """Bot API method handlers over the fake's state; FakeBotAPI dispatches to them by name."""

    # ------------------------------------------------------------------ Bot API: bot & chats
    def _api_getMe(self, p: Params) -> JSONDict:
        return dict(self.bot_user, can_join_groups=True, can_read_all_group_messages=False,
                    supports_inline_queries=False)

    def _api_setMyCommands(self, p: Params) -> bool:
        commands = p.get("commands") or []
        if len(commands) > 100:
            raise bad("BOT_COMMANDS_TOO_MUCH")
        for cmd in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(cmd.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[(scope_key(p.get("scope")), p.get("language_code") or "")] = list(commands)
        return True

    def _api_getMyCommands(self, p: Params) -> list[JSONDict]:
        return self.commands.get((scope_key(p.get("scope")), p.get("language_code") or ""), [])

    def _api_deleteMyCommands(self, p: Params) -> bool:
        self.commands.pop((scope_key(p.get("scope")), p.get("language_code") or ""), None)
        return True

    def _api_setChatMenuButton(self, p: Params) -> bool:
        self.menu_buttons[chat_id_of(p)] = p.get("menu_button") or {"type": "default"}
        return True

    def _api_getChatMenuButton(self, p: Params) -> JSONDict:
        return self.menu_buttons.get(chat_id_of(p), {"type": "commands"})

    def _set_profile(self, p: Params, key: str) -> bool:
        self.profile[(key, p.get("language_code") or "")] = p.get(key) or ""
        return True

    def _api_setMyDescription(self, p: Params) -> bool:
        return self._set_profile(p, "description")

    def _api_setMyShortDescription(self, p: Params) -> bool:
        return self._set_profile(p, "short_description")

    def _api_setMyName(self, p: Params) -> bool:
        return self._set_profile(p, "name")

    def _api_deleteWebhook(self, p: Params) -> bool:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_getWebhookInfo(self, p: Params) -> JSONDict:
        return {"url": "", "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    def _api_close(self, p: Params) -> bool:
        return True

    def _api_logOut(self, p: Params) -> bool:
        return True

    def _api_getChat(self, p: Params) -> JSONDict:
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts",
                               "premium_subscription", "gifts_from_channels"), False)
        chat = self._chat(p)
        info = dict(chat.chat, accent_color_id=0, max_reaction_count=11,
                    accepted_gift_types=gifts)
        if chat.invite_link and chat.bot_is_admin:  # Telegram shows it to admins only
            info["invite_link"] = chat.invite_link
        if chat.join_by_request:  # like every false flag, left out when false
            info["join_by_request"] = True
        return info

    def _api_getChatMember(self, p: Params) -> JSONDict:
        return self._member(self._chat(p), int(p["user_id"]))

    def _api_getChatAdministrators(self, p: Params) -> list[JSONDict]:
        chat = self._chat(p)
        if chat.is_private:
            raise bad("there are no administrators in the private chat")
        ids = [uid for uid, s in chat.members.items() if s in ("administrator", "creator")]
        ids += [self.bot_user["id"]] if chat.bot_is_admin else []
        return [self._member(chat, uid) for uid in ids]

    def _api_getChatMemberCount(self, p: Params) -> int:
        chat = self._chat(p)
        present = sum(s not in ("left", "kicked") for s in chat.members.values())
        return 2 if chat.is_private else 1 + present

    def _api_leaveChat(self, p: Params) -> bool:
        chat = self._chat(p)
        if chat.is_private:
            raise bad("chat member status can't be changed in private chats")
        chat.bot_status = "left"
        return True

    # ------------------------------------------------------------------ Bot API: messages
    @staticmethod
    def _text(p: Params) -> JSONDict:
        text, entities = format_text(str(p.get("text") or ""), p.get("parse_mode"),
                                     p.get("entities"))
        if not text.strip():
            raise bad("message text is empty")
        if utf16_len(text) > 4096:
            raise bad("message is too long")
        return {"text": text, "entities": entities or None}

    def _api_sendMessage(self, p: Params) -> JSONDict:
        chat = self._target(p)
        return self._send(chat, p, self._text(p))

    def _send_media(self, method: str, p: Params, files: dict[str, Upload]) -> JSONDict:
        kind = MEDIA_METHODS[method]
        chat = self._target(p)
        content = self._caption(p)
        stored = self._media_file(method, kind, p, files, chat.id)
        content[kind] = self._media_object(kind, stored, p)
        return self._send(chat, p, content)

    def _media_file(self, method: str, kind: str, p: Params, files: dict[str, Upload],
                    chat_id: int) -> StoredFile:
        ref = p.get(kind)
        upload = files.get(kind)
        if upload is None and isinstance(ref, str) and ref.startswith("attach://"):
            upload = files.get(ref.removeprefix("attach://"))
        if upload is not None:
            stored = self.register_file(kind, data=upload.data, file_name=upload.file_name,
                                        mime_type=upload.mime_type)
            upload.method, upload.chat_id, upload.file_id = method, chat_id, stored.file_id
            self.uploads.append(upload)
            return stored
        if not ref:
            raise bad(f"there is no {kind} in the request")
        if str(ref).startswith(("http://", "https://")):
            return self.register_file(kind, file_name=str(ref).rsplit("/", 1)[-1])
        stored = self.register_file(kind, file_id=str(ref))  # unknown ids are adopted leniently
        if stored.kind != kind and {stored.kind, kind} != {"photo", "document"}:
            raise bad(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored

    def _media_object(self, kind: str, stored: StoredFile, p: Params) -> Any:
        base: JSONDict = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                          "file_size": len(stored.data)}
        if kind == "photo":
            thumb = self.register_file("photo", file_id=stored.file_id + "-s")
            small = {"file_id": thumb.file_id, "file_unique_id": thumb.file_unique_id,
                     "file_size": len(thumb.data), "width": 90, "height": 68}
            return [small, dict(base, width=1280, height=960)]
        if kind in ("voice", "audio", "video", "animation", "video_note"):
            base["duration"] = int(p.get("duration") or 1)
        if kind in ("video", "animation", "sticker"):
            base.update(width=int(p.get("width") or 512), height=int(p.get("height") or 512))
        if kind == "video_note":
            base["length"] = int(p.get("length") or 240)
        if kind == "sticker":
            base.update(is_animated=False, is_video=False, type="regular")
        if kind != "sticker" and stored.mime_type:
            base["mime_type"] = stored.mime_type
        if kind in ("document", "audio", "video", "animation") and stored.file_name:
            base["file_name"] = stored.file_name
        return base

    def _api_sendLocation(self, p: Params) -> JSONDict:
        chat = self._target(p)
        location = {"latitude": p["latitude"], "longitude": p["longitude"]}
        return self._send(chat, p, {"location": location})

    def _api_sendContact(self, p: Params) -> JSONDict:
        chat = self._target(p)
        contact = {"phone_number": p["phone_number"], "first_name": p["first_name"]}
        return self._send(chat, p, {"contact": contact})

    def _api_copyMessage(self, p: Params) -> JSONDict:
        chat = self._target(p)
        copy = self._copy_one(chat, p, self._source(p, p.get("message_id"), "copy"))
        return {"message_id": copy["message_id"]}

    def _api_copyMessages(self, p: Params) -> list[JSONDict]:
        chat = self._target(p)
        # copyMessages has no caption parameter, only remove_caption.
        params = {k: v for k, v in p.items() if k != "caption"}
        if p.get("remove_caption"):
            params["caption"] = ""
        copies = []
        for message_id in p.get("message_ids") or []:
            try:  # like Telegram: messages that can't be found or copied are skipped
                src = self._source(p, message_id, "copy")
            except ApiError:
                continue
            copies.append({"message_id": self._copy_one(chat, params, src)["message_id"]})
        return copies

    def _api_forwardMessage(self, p: Params) -> JSONDict:
        chat = self._target(p)
        src = self._source(p, p.get("message_id"), "forward")
        content = {k: src[k] for k in CONTENT_KEYS if k in src}
        content["forward_origin"] = src.get("forward_origin") or {
            "type": "user", "sender_user": src["from"], "date": src["date"]}
        return self._store(chat, self.bot_user, content, thread_id=p.get("message_thread_id"))

    def _api_editMessageText(self, p: Params) -> JSONDict | bool:
        msg = self._editable(p)
        if msg is not None and "text" not in msg:
            raise bad("there is no text in the message to edit")
        changes = self._text(p)
        return True if msg is None else self._apply_edit(msg, changes, p)

    def _api_editMessageCaption(self, p: Params) -> JSONDict | bool:
        msg = self._editable(p)
        if msg is None:
            return True
        if not any(key in msg for key in MEDIA_KEYS):
            raise bad("there is no caption in the message to edit")
        changes = {"caption": None, "caption_entities": None, **self._caption(p)}
        return self._apply_edit(msg, changes, p)

    def _api_editMessageReplyMarkup(self, p: Params) -> JSONDict | bool:
        msg = self._editable(p)
        return True if msg is None else self._apply_edit(msg, {}, p)

    def _delete(self, chat: ChatState, message_id: int) -> None:
        msg = chat.messages.get(message_id)
        if msg is None:
            raise bad("message to delete not found")
        others = msg["from"]["id"] != self.bot_user["id"]
        if not chat.is_private and others and not chat.bot_is_admin:
            raise bad("message can't be deleted")
        del chat.messages[message_id]
        self.reply_keyboards.pop((chat.id, message_id), None)
        self.deleted.append((chat.id, message_id))

    def _api_deleteMessage(self, p: Params) -> bool:
        self._delete(self._chat(p), int(p.get("message_id") or 0))
        return True

    def _api_deleteMessages(self, p: Params) -> bool:
        chat = self._chat(p)
        for message_id in p.get("message_ids") or []:
            if int(message_id) in chat.messages:
                self._delete(chat, int(message_id))
        return True

    def _api_pinChatMessage(self, p: Params) -> bool:
        chat = self._chat(p)
        if not chat.is_private and not chat.bot_is_admin:
            raise bad("not enough rights to manage pinned messages in the chat")
        if int(p.get("message_id") or 0) not in chat.messages:
            raise bad("message to pin not found")
        chat.pinned = int(p["message_id"])
        return True

    def _api_setMessageReaction(self, p: Params) -> bool:
        """A bot sets at most one reaction, from Telegram's standard emoji; [] removes it."""
        chat = self._chat(p)
        message_id = int(p.get("message_id") or 0)
        if message_id not in chat.messages:
            raise bad("message to react not found")
        raw = p.get("reaction") or "[]"
        reaction = json.loads(raw) if isinstance(raw, str) else raw
        emoji = [r.get("emoji", "") for r in reaction if r.get("type") == "emoji"]
        if len(reaction) > 1 or len(emoji) != len(reaction) or any(
                e not in REACTIONS for e in emoji):
            raise bad("REACTION_INVALID")
        self.reactions[(chat.id, message_id)] = emoji
        return True

    def _api_unpinChatMessage(self, p: Params) -> bool:
        self._chat(p).pinned = None
        return True

    def _api_answerCallbackQuery(self, p: Params) -> bool:
        query_id = str(p.get("callback_query_id"))
        if self.callback_ids.get(query_id, True):  # unknown or already answered
            raise ApiError(400, QUERY_INVALID)
        self.callback_ids[query_id] = True
        self.alerts.append({"callback_query_id": query_id, "text": p.get("text"),
                            "show_alert": bool(p.get("show_alert")), "url": p.get("url")})
        return True

    def _api_sendChatAction(self, p: Params) -> bool:
        self._target(p)
        if p.get("action") not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        return True

    def _api_getFile(self, p: Params) -> JSONDict:
        stored = self.files.get(str(p.get("file_id")))
        if stored is None:
            raise bad("invalid file_id")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data), "file_path": stored.file_path}

    # ------------------------------------------------------------------ Bot API: forum topics
    def _api_createForumTopic(self, p: Params) -> JSONDict:
        chat = self._chat(p)
        if not chat.is_forum:
            raise bad("the chat is not a forum")
        if not (chat.bot_is_admin and chat.can_manage_topics):
            raise bad("not enough rights to create a topic")
        color = int(p.get("icon_color") or 7322096)
        return self._create_topic(chat, str(p.get("name") or ""), color,
                                  p.get("icon_custom_emoji_id"))

    def _api_editForumTopic(self, p: Params) -> bool:
        chat, thread = self._forum_topic(p)
        topic = chat.topics[thread]
        changes = {k: p[k] for k in ("name", "icon_custom_emoji_id") if p.get(k) is not None}
        if all(topic.get(k) == v for k, v in changes.items()):
            raise bad("TOPIC_NOT_MODIFIED")
        topic.update(changes)
        return True

    def _toggle_topic(self, p: Params, close: bool) -> bool:
        chat, thread = self._forum_topic(p)
        if (thread in chat.closed_topics) == close:
            raise bad("TOPIC_NOT_MODIFIED")
        (chat.closed_topics.add if close else chat.closed_topics.discard)(thread)
        return True

    def _api_closeForumTopic(self, p: Params) -> bool:
        return self._toggle_topic(p, close=True)

    def _api_reopenForumTopic(self, p: Params) -> bool:
        return self._toggle_topic(p, close=False)

    def _api_deleteForumTopic(self, p: Params) -> bool:
        chat, thread = self._forum_topic(p)
        del chat.topics[thread]
        in_topic = [k for k, m in chat.messages.items() if m.get("message_thread_id") == thread]
        for message_id in in_topic:
            del chat.messages[message_id]
        return True
