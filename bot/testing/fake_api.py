"""In-process fake of the Telegram Bot API, plugged into PTB as a ``BaseRequest``.

PTB funnels every Bot API call through ``BaseRequest.do_request(url, method, request_data)``
and turns the ``(status, json bytes)`` we return into results or exceptions exactly as it
does for real Telegram (400 -> BadRequest, 403 -> Forbidden, parameters.retry_after ->
RetryAfter, other codes -> NetworkError). Answering at this layer exercises PTB's real
serialisation and parsing code, with no network and no patching of PTB internals.

Layout: data classes and text-format parsing first, then ``FakeBotAPI`` (transport, faults,
limits, state set-up, query helpers) and finally the Bot API method handlers (``_api_<name>``).
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import math
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

JSONDict = dict[str, Any]
Params = dict[str, Any]

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
# Sends that count towards Telegram's flood limits.
_SEND_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendVoice", "sendDocument", "sendAudio", "sendVideo",
    "sendAnimation", "sendSticker", "sendVideoNote", "sendLocation", "sendContact",
    "copyMessage", "copyMessages", "forwardMessage",
})
_MEDIA_METHODS = {
    "sendPhoto": "photo", "sendVoice": "voice", "sendDocument": "document", "sendAudio": "audio",
    "sendVideo": "video", "sendAnimation": "animation", "sendSticker": "sticker",
    "sendVideoNote": "video_note",
}
# Real file ids start with a type-specific prefix; mimicking it makes logs look familiar.
FILE_ID_PREFIX = {
    "photo": "AgACAgQ", "voice": "AwACAgQ", "document": "BQACAgQ", "sticker": "CAACAgQ",
    "video": "BAACAgQ", "audio": "CQACAgQ", "video_note": "DQACAgQ", "animation": "CgACAgQ",
}
_CONTENT_KEYS = ("text", "entities", "photo", "voice", "document", "audio", "video", "animation",
                 "sticker", "video_note", "location", "contact", "caption", "caption_entities")
_MEDIA_KEYS = ("photo", "voice", "document", "audio", "video", "animation")
# Parameters that are JSON objects on the wire; decoded if a caller passed them as strings.
_JSON_PARAMS = ("reply_markup", "entities", "caption_entities", "reply_parameters", "commands",
                "scope", "menu_button", "link_preview_options", "message_ids")
_BUTTON_ACTIONS = ("url", "callback_data", "web_app", "login_url", "switch_inline_query",
                   "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
                   "copy_text", "callback_game", "pay")
_CHAT_ACTIONS = frozenset({"typing", "upload_photo", "record_video", "upload_video",
                           "record_voice", "upload_voice", "upload_document", "choose_sticker",
                           "find_location", "record_video_note", "upload_video_note"})
_ADMIN_RIGHTS = ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                 "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                 "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                 "can_delete_stories", "can_pin_messages", "can_manage_topics")


class ApiError(Exception):
    """Raised by handlers; turned into a Telegram-style error response."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


def bad(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def utf16_len(text: str) -> int:
    """Telegram counts lengths and entity offsets in UTF-16 code units, not code points."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class ApiCall:
    """One recorded Bot API call (failed ones included, so tests can assert on retries)."""

    method: str
    params: Params
    chat_id: int | None
    ok: bool
    at: float
    error: str | None = None


@dataclass
class Upload:
    """A file that arrived as multipart data (i.e. not re-sent by file_id)."""

    method: str
    field: str
    file_name: str
    data: bytes
    mime_type: str
    chat_id: int | None = None
    file_id: str = ""


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class ChatState:
    chat: JSONDict
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    can_manage_topics: bool = True
    language: str | None = None
    messages: dict[int, JSONDict] = field(default_factory=dict)
    topics: dict[int, JSONDict] = field(default_factory=dict)
    closed_topics: set[int] = field(default_factory=set)
    next_id: int = 1  # message ids are per chat and shared by users and the bot
    pinned: int | None = None

    @property
    def id(self) -> int:
        return int(self.chat["id"])

    @property
    def is_private(self) -> bool:
        return bool(self.chat["type"] == "private")

    @property
    def is_forum(self) -> bool:
        return bool(self.chat.get("is_forum"))

    @property
    def bot_is_admin(self) -> bool:
        return self.bot_status in ("administrator", "creator")


@dataclass(frozen=True)
class Fault:
    """A canned failure for ``FakeBotAPI.inject``."""

    status: int
    description: str
    retry_after_s: int | None = None
    is_timeout: bool = False

    @classmethod
    def server_error(cls, code: int = 502) -> Fault:
        names = {500: "Internal Server Error", 503: "Service Unavailable", 504: "Gateway Timeout"}
        return cls(code, names.get(code, "Bad Gateway"))

    @classmethod
    def timeout(cls) -> Fault:
        return cls(0, "Timed out", is_timeout=True)

    @classmethod
    def retry_after(cls, seconds: int) -> Fault:
        return cls(429, f"Too Many Requests: retry after {seconds}", retry_after_s=seconds)

    @classmethod
    def bad_request(cls, description: str) -> Fault:
        return cls(400, _prefixed("Bad Request: ", description))

    @classmethod
    def forbidden(cls, description: str) -> Fault:
        return cls(403, _prefixed("Forbidden: ", description))


def _prefixed(prefix: str, text: str) -> str:
    return text if text.startswith(prefix) else prefix + text


def _chat_id_of(params: Params) -> int | None:
    raw = params.get("chat_id")
    if isinstance(raw, str) and raw.lstrip("-").isdigit():
        return int(raw)
    return raw if isinstance(raw, int) else None


def _scope_key(scope: JSONDict | None) -> str:
    """("default"), ("chat:-100123"), ("chat_member:-100123:42"): readable keys for tests."""
    scope = scope or {"type": "default"}
    parts = [scope["type"]] + [str(scope[k]) for k in ("chat_id", "user_id") if k in scope]
    return ":".join(parts)


# --------------------------------------------------------------------------- parse modes
# Telegram strips markup server-side and rejects malformed markup; doing the same lets tests
# catch "can't parse entities" bugs (unescaped user input) and keeps transcripts readable.
_HTML_TYPES = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
               "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
               "del": "strikethrough", "tg-spoiler": "spoiler", "span": "spoiler",
               "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
               "tg-emoji": "custom_emoji"}
_ATTR = r"""\s+[\w-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?"""
_TAG_RE = re.compile(rf"<(/?)([A-Za-z][\w-]*)((?:{_ATTR})*)\s*>")
_ATTR_RE = re.compile(r"([\w-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")
_CHARREF_RE = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_MD2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MD2_NAMES = {"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough",
              "||": "Spoiler", "`": "Code"}


def _parse_error(detail: str) -> ApiError:
    return bad(f"can't parse entities: {detail}")


def parse_html(src: str) -> tuple[str, list[JSONDict]]:
    out: list[str] = []
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[JSONDict] = []
    pos = offset = 0
    while pos < len(src):
        if src[pos] == "<":
            byte_at = len(src[:pos].encode())  # Telegram reports byte offsets in errors
            match = _TAG_RE.match(src, pos)
            name = match.group(2).lower() if match else ""
            if not match or name not in _HTML_TYPES:
                raise _parse_error(f'Unsupported start tag "{name}" at byte offset {byte_at}')
            if match.group(1):
                if not stack or stack[-1][0] != name:
                    expected = stack[-1][0] if stack else ""
                    raise _parse_error(f"Unmatched end tag at byte offset {byte_at}, "
                                       f'expected "</{expected}>", found "</{name}>"')
                entities.extend(_html_entity(*stack.pop(), offset))
            else:
                found = _ATTR_RE.findall(match.group(3))
                attrs = {m[0].lower(): m[1] or m[2] or m[3] for m in found}
                stack.append((name, offset, attrs))
            pos = match.end()
            continue
        ref = _CHARREF_RE.match(src, pos) if src[pos] == "&" else None
        char = html.unescape(ref.group()) if ref else src[pos]
        pos = ref.end() if ref else pos + 1
        out.append(char)
        offset += utf16_len(char)
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sorted(entities, key=lambda e: e["offset"])


def _html_entity(name: str, start: int, attrs: dict[str, str], end: int) -> list[JSONDict]:
    if end == start:
        return []  # Telegram drops empty entities
    entity: JSONDict = {"type": _HTML_TYPES[name], "offset": start, "length": end - start}
    if name == "a":
        entity["url"] = attrs.get("href", "")
    if name == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    if name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    return [entity]


def parse_markdown_v2(src: str) -> str:
    """Strips MarkdownV2 markup (entities are not produced) and enforces escaping rules."""
    out: list[str] = []
    open_marks: dict[str, int] = {}
    links = pos = 0
    while pos < len(src):
        char, pair = src[pos], src[pos:pos + 2]
        if char == "\\" and pos + 1 < len(src):
            out.append(src[pos + 1])
            pos += 2
            continue
        in_code = "`" in open_marks
        mark = pair if pair in ("__", "||") else char
        if mark in _MD2_NAMES and (not in_code or mark == "`"):
            if mark in open_marks:
                del open_marks[mark]
            else:
                open_marks[mark] = len(src[:pos].encode())
            pos += len(mark)
        elif in_code:
            out.append(char)
            pos += 1
        elif char == "[" or (pair == "![" and src.startswith("[", pos + 1)):
            links += 1
            pos += 1 if char == "[" else 2
        elif char == "]" and links and src.startswith("(", pos + 1) and ")" in src[pos:]:
            links -= 1
            pos = src.index(")", pos) + 1  # the URL is not part of the visible text
        elif char == ">" and (pos == 0 or src[pos - 1] == "\n"):
            pos += 1  # blockquote marker
        elif char in _MD2_RESERVED:
            raise _parse_error(f"Character '{char}' is reserved and must be escaped with "
                               "the preceding '\\'")
        else:
            out.append(char)
            pos += 1
    if open_marks:
        mark, at = next(iter(open_marks.items()))
        raise _parse_error(f"Can't find end of {_MD2_NAMES[mark]} entity at byte offset {at}")
    return "".join(out)


def parse_markdown(src: str) -> str:
    """Legacy Markdown: an odd number of markers (e.g. a username with '_') is an error."""
    out: list[str] = []
    open_at: int | None = None
    pos = 0
    while pos < len(src):
        char = src[pos]
        if char == "\\" and src[pos + 1:pos + 2] in ("_", "*", "`", "["):
            out.append(src[pos + 1])
            pos += 2
            continue
        if char in "*_`":
            open_at = None if open_at is not None else len(src[:pos].encode())
        else:
            out.append(char)
        pos += 1
    if open_at is not None:
        raise _parse_error(f"Can't find end of the entity starting at byte offset {open_at}")
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", "".join(out))


def format_text(text: str, parse_mode: str | None,
                entities: list[JSONDict] | None) -> tuple[str, list[JSONDict]]:
    if entities:  # explicit entities win over parse_mode, as in the Bot API
        return text, entities
    if parse_mode == "HTML":
        return parse_html(text)
    if parse_mode == "MarkdownV2":
        return parse_markdown_v2(text), []
    if parse_mode == "Markdown":
        return parse_markdown(text), []
    return text, []


def validate_markup(markup: JSONDict | None) -> JSONDict | None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            if "callback_data" in button:
                data = button["callback_data"]
                if not data or len(data.encode()) > 64:
                    raise bad("BUTTON_DATA_INVALID")
            elif "url" in button and not str(button["url"]).startswith(("http://", "https://", "tg://")):
                raise bad("BUTTON_URL_INVALID")
            elif not any(key in button for key in _BUTTON_ACTIONS):
                raise bad("text buttons are unallowed in the inline keyboard")
    return markup or None


def _content_view(msg: JSONDict) -> tuple[Any, ...]:
    """What 'message is not modified' compares: visible content plus inline keyboard."""
    return (msg.get("text"), msg.get("entities") or [], msg.get("caption"),
            msg.get("caption_entities") or [], msg.get("reply_markup"))


# --------------------------------------------------------------------------- the fake
class FakeBotAPI(BaseRequest):
    """Answers Bot API calls like Telegram does, keeps per-chat state and records every call."""

    def __init__(self, bot_id: int = 7000000001, bot_username: str = "buurtbot_test_bot",
                 bot_first_name: str = "Buurtbot", clock: Callable[[], float] | None = None,
                 *, enforce_limits: bool = False) -> None:
        self.clock: Callable[[], float] = clock or time.time
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
        self.callback_ids: dict[str, bool] = {}  # callback_query id -> already answered?
        self._faults: list[tuple[str, Fault]] = []
        self._sends: deque[tuple[float, int]] = deque()
        self._updates: list[JSONDict] = []
        self._waiter: asyncio.Event | None = None
        self._file_numbers = itertools.count(1)

    # ------------------------------------------------------------------ BaseRequest
    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open. PTB calls this for both request slots, so it must be idempotent."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if method == "GET":  # File.download_* goes through retrieve(): a GET of the file URL
            return self._download(url)
        name = url.rsplit("/", 1)[-1]
        params, files = self._decode(request_data)
        chat_id = _chat_id_of(params)
        fault = self._take_fault(name)
        if fault is not None:
            self.calls.append(
                ApiCall(name, params, chat_id, False, self.clock(), fault.description))
            if fault.is_timeout:
                raise TimedOut()
            err = ApiError(fault.status, fault.description, fault.retry_after_s)
            return self._error_response(err)
        try:
            result = await self._dispatch(name, params, files, chat_id)
        except ApiError as err:
            self.calls.append(ApiCall(name, params, chat_id, False, self.clock(), err.description))
            return self._error_response(err)
        self.calls.append(ApiCall(name, params, chat_id, True, self.clock()))
        return 200, json.dumps({"ok": True, "result": result}).encode()

    async def _dispatch(self, name: str, params: Params, files: dict[str, Upload],
                        chat_id: int | None) -> Any:
        if name == "getUpdates":
            return await self._get_updates(params)
        handler = getattr(self, f"_api_{name}", None)
        if handler is None and name not in _MEDIA_METHODS:
            self.unknown_methods.append(name)
            raise bad("method not found in fake")
        self._check_limits(name, chat_id)
        try:
            result = self._send_media(name, params, files) if handler is None else handler(params)
        except KeyError as missing:  # a required parameter was not sent
            raise bad(f"{missing.args[0]} is empty") from None
        if name in _SEND_METHODS and chat_id is not None:
            self._sends.append((self.clock(), chat_id))
        return result

    def _decode(self, request_data: RequestData | None) -> tuple[Params, dict[str, Upload]]:
        if request_data is None:
            return {}, {}
        params: Params = dict(request_data.parameters)
        for key in _JSON_PARAMS:
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        files: dict[str, Upload] = {}
        if request_data.contains_files:
            for part, (file_name, content, mime) in request_data.multipart_data.items():
                data = content.read() if hasattr(content, "read") else content
                files[part] = Upload("", part, file_name or part, bytes(data), mime)
        return params, files

    @staticmethod
    def _error_response(err: ApiError) -> tuple[int, bytes]:
        body: JSONDict = {"ok": False, "error_code": err.status, "description": err.description}
        if err.retry_after is not None:
            body["parameters"] = {"retry_after": err.retry_after}
        return err.status, json.dumps(body).encode()

    def _download(self, url: str) -> tuple[int, bytes]:
        for stored in self.files.values():
            if url.endswith("/" + stored.file_path):
                return 200, stored.data
        return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'

    # ------------------------------------------------------------------ faults and limits
    def inject(self, method: str, fault: Fault, times: int = 1) -> None:
        """Fail the next ``times`` calls of ``method`` ("*" = any method), FIFO."""
        self._faults.extend((method, fault) for _ in range(times))

    def _take_fault(self, name: str) -> Fault | None:
        for index, (method, fault) in enumerate(self._faults):
            if method in (name, "*"):
                del self._faults[index]
                return fault
        return None

    def _check_limits(self, name: str, chat_id: int | None) -> None:
        if not self.enforce_limits or name not in _SEND_METHODS or chat_id is None:
            return
        now = self.clock()
        while self._sends and now - self._sends[0][0] >= 60:
            self._sends.popleft()
        in_chat = [t for t, c in self._sends if c == chat_id]
        checks = [("global", 1.0, 30, [t for t, _ in self._sends]), ("chat", 1.0, 1, in_chat)]
        if chat_id < 0:
            checks.append(("group", 60.0, 20, in_chat))
        for kind, window, cap, stamps in checks:
            recent = [t for t in stamps if now - t < window]
            if len(recent) >= cap:
                self.limit_hits[kind] += 1
                # Retry once the send that fills the window has aged out of it.
                wait = max(1, math.ceil(window - (now - recent[-cap])))
                raise ApiError(429, f"Too Many Requests: retry after {wait}", wait)

    # ------------------------------------------------------------------ getUpdates
    def queue_update(self, update: Any) -> None:
        """Make an update (dict or telegram.Update) available to getUpdates / run_polling."""
        self._updates.append(update if isinstance(update, dict) else update.to_dict())
        if self._waiter is not None:
            self._waiter.set()

    async def _get_updates(self, params: Params) -> list[JSONDict]:
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        # Updates below offset count as confirmed; Telegram forgets them.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        if not self._updates and timeout > 0:
            # Capped wait: keeps polling loops from spinning without slowing tests down.
            self._waiter = asyncio.Event()
            try:
                await asyncio.wait_for(self._waiter.wait(), min(timeout, 0.2))
            except TimeoutError:
                pass
            finally:
                self._waiter = None
        return self._updates[:limit]

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
                if m["from"]["id"] == bot_id and any(k in m for k in _CONTENT_KEYS)]

    def last_message(self, chat_id: int) -> JSONDict | None:
        sent = self.sent_to(chat_id)
        return sent[-1] if sent else None

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        chat = self.chats.get(chat_id)
        return None if chat is None else chat.messages.get(message_id)

    def texts(self, chat_id: int) -> list[str]:
        """Text or caption of each bot message in the chat, for terse assertions."""
        return [str(m.get("text", m.get("caption", ""))) for m in self.sent_to(chat_id)]

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
        chat_id = _chat_id_of(params)
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
        return self._store(chat, self.bot_user, content, markup=markup, reply_to=reply,
                           thread_id=params.get("message_thread_id"))

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
            member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
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
        chat = self.chats.get(_chat_id_of({"chat_id": params.get("from_chat_id")}) or 0)
        if chat is None:
            raise bad("chat not found")
        msg = chat.messages.get(int(message_id or 0))
        if msg is None:
            raise bad(f"message to {verb} not found")
        if not any(key in msg for key in _CONTENT_KEYS):  # service messages
            raise bad("message can't be copied" if verb == "copy" else "message can't be forwarded")
        return msg

    def _copy_one(self, chat: ChatState, params: Params, src: JSONDict) -> JSONDict:
        # A copy is a brand-new bot message: no forward_origin, nothing about the sender.
        content = {k: src[k] for k in _CONTENT_KEYS if k in src}
        if "caption" in params and any(k in src for k in _MEDIA_KEYS):
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
        if _content_view(new) == _content_view(msg):
            raise bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        msg.clear()
        msg.update(new, edit_date=int(self.clock()))
        return msg

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
        self.commands[(_scope_key(p.get("scope")), p.get("language_code") or "")] = list(commands)
        return True

    def _api_getMyCommands(self, p: Params) -> list[JSONDict]:
        return self.commands.get((_scope_key(p.get("scope")), p.get("language_code") or ""), [])

    def _api_deleteMyCommands(self, p: Params) -> bool:
        self.commands.pop((_scope_key(p.get("scope")), p.get("language_code") or ""), None)
        return True

    def _api_setChatMenuButton(self, p: Params) -> bool:
        self.menu_buttons[_chat_id_of(p)] = p.get("menu_button") or {"type": "default"}
        return True

    def _api_getChatMenuButton(self, p: Params) -> JSONDict:
        return self.menu_buttons.get(_chat_id_of(p), {"type": "commands"})

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
        return dict(self._chat(p).chat, accent_color_id=0, max_reaction_count=11,
                    accepted_gift_types=gifts)

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
        kind = _MEDIA_METHODS[method]
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
        content = {k: src[k] for k in _CONTENT_KEYS if k in src}
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
        if not any(key in msg for key in _MEDIA_KEYS):
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

    def _api_unpinChatMessage(self, p: Params) -> bool:
        self._chat(p).pinned = None
        return True

    def _api_answerCallbackQuery(self, p: Params) -> bool:
        query_id = str(p.get("callback_query_id"))
        if self.callback_ids.get(query_id, True):  # unknown or already answered
            raise ApiError(400, _QUERY_INVALID)
        self.callback_ids[query_id] = True
        self.alerts.append({"callback_query_id": query_id, "text": p.get("text"),
                            "show_alert": bool(p.get("show_alert")), "url": p.get("url")})
        return True

    def _api_sendChatAction(self, p: Params) -> bool:
        self._target(p)
        if p.get("action") not in _CHAT_ACTIONS:
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
