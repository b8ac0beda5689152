"""Telegram's text formats as the fake Bot API applies them: HTML, MarkdownV2 and Markdown are
parsed (and malformed markup rejected) the way Telegram does, inline keyboards are validated."""

from __future__ import annotations

import html
import re
from typing import Any

from bot.testing.fake_types import BUTTON_ACTIONS, ApiError, JSONDict, bad, utf16_len

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
# a bare attribute too: Telegram's <blockquote expandable>
_ATTR_RE = re.compile(r"([\w-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")
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
            elif not any(key in button for key in BUTTON_ACTIONS):
                raise bad("text buttons are unallowed in the inline keyboard")
    return markup or None


def content_view(msg: JSONDict) -> tuple[Any, ...]:
    """What 'message is not modified' compares: visible content plus inline keyboard."""
    return (msg.get("text"), msg.get("entities") or [], msg.get("caption"),
            msg.get("caption_entities") or [], msg.get("reply_markup"))

