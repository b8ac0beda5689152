"""Render a fake chat as plain text: what the person would see, for asserts and demos.

    > Amina: /start
    Welkom bij Buurtbot!
      [ Nederlands ] [ English ]

User messages start with "> Name:", bot messages are printed as-is (RTL text included,
terminals handle the direction), inline keyboards as "[ label ]" rows and reply keyboards
as "{ label }" rows, indented under the message they belong to.
"""

from __future__ import annotations

from bot.testing.fake_api import FakeBotAPI, JSONDict


def render_chat(fake: FakeBotAPI, chat_id: int, *, viewer_name: str | None = None,
                thread_id: int | None = None) -> str:
    """The chat in order. ``viewer_name`` replaces the name of the private chat's owner
    (e.g. "You"); ``thread_id`` limits a forum to one topic."""
    blocks: list[str] = []
    for msg in fake.messages(chat_id):
        if thread_id is not None and msg.get("message_thread_id") != thread_id:
            continue
        lines = _render_message(fake, msg, chat_id, viewer_name)
        lines += _keyboard_lines(msg.get("reply_markup"), "[ {} ]")
        lines += _reply_keyboard_lines(fake.reply_keyboard(chat_id, msg["message_id"]))
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _render_message(fake: FakeBotAPI, msg: JSONDict, chat_id: int,
                    viewer_name: str | None) -> list[str]:
    if "forum_topic_created" in msg:
        return [f"--- topic #{msg['message_id']}: {msg['forum_topic_created']['name']} ---"]
    body = describe(msg)
    origin = msg.get("forward_origin")
    if origin:
        sender = origin.get("sender_user", {}).get("first_name", "?")
        body = f"[forwarded from {sender}] {body}"
    if msg["from"]["id"] == fake.bot_user["id"]:
        return body.split("\n")
    name = msg["from"].get("first_name", "?")
    if viewer_name and msg["from"]["id"] == chat_id:
        name = viewer_name
    first, *rest = body.split("\n")
    return [f"> {name}: {first}"] + [f">   {line}" for line in rest]


def describe(msg: JSONDict) -> str:
    """One message's visible content: text, or a [media] marker followed by the caption."""
    if "text" in msg:
        return str(msg["text"])
    caption = msg.get("caption")
    marker = _media_marker(msg)
    return f"{marker} {caption}" if caption else marker


def _media_marker(msg: JSONDict) -> str:
    if "document" in msg:
        return f"[document {msg['document'].get('file_name', '')}]".replace(" ]", "]")
    if "voice" in msg:
        return f"[voice {msg['voice'].get('duration', 0)}s]"
    if "sticker" in msg:
        return f"[sticker {msg['sticker'].get('emoji', '')}]".replace(" ]", "]")
    if "location" in msg:
        loc = msg["location"]
        return f"[location {loc['latitude']}, {loc['longitude']}]"
    if "contact" in msg:
        return f"[contact {msg['contact']['phone_number']}]"
    for kind in ("photo", "video_note", "video", "audio", "animation"):
        if kind in msg:
            return f"[{kind.replace('_', ' ')}]"
    return "[message]"


def _keyboard_lines(markup: JSONDict | None, pattern: str) -> list[str]:
    rows = (markup or {}).get("inline_keyboard", [])
    return ["  " + " ".join(pattern.format(b.get("text", "")) for b in row) for row in rows]


def _reply_keyboard_lines(markup: JSONDict | None) -> list[str]:
    if not markup:
        return []
    if markup.get("remove_keyboard"):
        return ["  { keyboard removed }"]
    if markup.get("force_reply"):
        return ["  { reply... }"]
    rows = markup.get("keyboard", [])
    return ["  " + " ".join(f"{{ {_label(b)} }}" for b in row) for row in rows]


def _label(button: JSONDict | str) -> str:
    """Reply keyboard buttons may be plain strings or KeyboardButton dicts."""
    return button if isinstance(button, str) else str(button.get("text", ""))
