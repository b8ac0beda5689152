"""The fake Bot API's vocabulary: errors, recorded calls, uploads, chat state, injectable faults
and the constants that say which methods send, which carry media and which parameters are JSON."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

JSONDict = dict[str, Any]
Params = dict[str, Any]


NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
# Sends that count towards Telegram's flood limits.
SEND_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendVoice", "sendDocument", "sendAudio", "sendVideo",
    "sendAnimation", "sendSticker", "sendVideoNote", "sendLocation", "sendContact",
    "copyMessage", "copyMessages", "forwardMessage",
})
MEDIA_METHODS = {
    "sendPhoto": "photo", "sendVoice": "voice", "sendDocument": "document", "sendAudio": "audio",
    "sendVideo": "video", "sendAnimation": "animation", "sendSticker": "sticker",
    "sendVideoNote": "video_note",
}
# Real file ids start with a type-specific prefix; mimicking it makes logs look familiar.
FILE_ID_PREFIX = {
    "photo": "AgACAgQ", "voice": "AwACAgQ", "document": "BQACAgQ", "sticker": "CAACAgQ",
    "video": "BAACAgQ", "audio": "CQACAgQ", "video_note": "DQACAgQ", "animation": "CgACAgQ",
}
CONTENT_KEYS = ("text", "entities", "photo", "voice", "document", "audio", "video", "animation",
                 "sticker", "video_note", "location", "contact", "caption", "caption_entities")
MEDIA_KEYS = ("photo", "voice", "document", "audio", "video", "animation")
# Parameters that are JSON objects on the wire; decoded if a caller passed them as strings.
JSON_PARAMS = ("reply_markup", "entities", "caption_entities", "reply_parameters", "commands",
                "scope", "menu_button", "link_preview_options", "message_ids")
BUTTON_ACTIONS = ("url", "callback_data", "web_app", "login_url", "switch_inline_query",
                   "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
                   "copy_text", "callback_game", "pay")
CHAT_ACTIONS = frozenset({"typing", "upload_photo", "record_video", "upload_video",
                           "record_voice", "upload_voice", "upload_document", "choose_sticker",
                           "find_location", "record_video_note", "upload_video_note"})
ADMIN_RIGHTS = ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
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
    # ChatFullInfo only (getChat): the primary invite link (shown to admins), and whether
    # joining needs an admin's approval (Telegram has that only for public groups)
    invite_link: str | None = None
    join_by_request: bool = False

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
    # a hang: the call waits this long (None: until FakeBotAPI.release_hangs) before it times
    # out, as a request does when Telegram never answers within the read timeout
    hang_s: float | None = None
    hangs: bool = False
    chat_id: int | None = None  # only a call to this chat meets it (None: any call)

    @classmethod
    def server_error(cls, code: int = 502) -> Fault:
        names = {500: "Internal Server Error", 503: "Service Unavailable", 504: "Gateway Timeout"}
        return cls(code, names.get(code, "Bad Gateway"))

    @classmethod
    def timeout(cls) -> Fault:
        return cls(0, "Timed out", is_timeout=True)

    @classmethod
    def hang(cls, seconds: float | None = None) -> Fault:
        """No answer for `seconds` (None: until released), then a timeout."""
        return cls(0, "Timed out (no answer)", is_timeout=True, hang_s=seconds, hangs=True)

    def in_chat(self, chat_id: int) -> Fault:
        """The same fault, met only by a call to `chat_id`."""
        return replace(self, chat_id=chat_id)

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


def chat_id_of(params: Params) -> int | None:
    raw = params.get("chat_id")
    if isinstance(raw, str) and raw.lstrip("-").isdigit():
        return int(raw)
    return raw if isinstance(raw, int) else None


def scope_key(scope: JSONDict | None) -> str:
    """("default"), ("chat:-100123"), ("chat_member:-100123:42"): readable keys for tests."""
    scope = scope or {"type": "default"}
    parts = [scope["type"]] + [str(scope[k]) for k in ("chat_id", "user_id") if k in scope]
    return ":".join(parts)

