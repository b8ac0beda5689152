"""Collecting what happened: text, photos and voice notes, over as many messages as needed."""

from __future__ import annotations

from typing import Any

from telegram import Message

from bot.handlers import flow
from bot.handlers.common import Turn, inline
from bot.handlers.flow import Step
from bot.i18n.bidi import clean_user_text
from bot.render.labels import files_text
from bot.store.drafts import Draft

MAX_TEXT = 3000  # leaves room for the partner card around it within Telegram's 4096
MAX_ATTACHMENTS = 10


def parts(draft: Draft) -> tuple[list[str], list[dict[str, str]]]:
    return draft.data.setdefault("texts", []), draft.data.setdefault("attachments", [])


def has_content(draft: Draft) -> bool:
    texts, files = parts(draft)
    return bool(texts or files)


def description(draft: Draft) -> str:
    return "\n\n".join(parts(draft)[0])


def attachment_summary(turn: Turn, draft: Draft) -> str:
    return files_text(turn.tr, [f["type"] for f in parts(draft)[1]])


def next_buttons(turn: Turn, draft: Draft) -> Any:
    return inline(
        [turn.flow_button(draft, turn.tr._("Next") + " ➡️", "next")],
        [flow.cancel_button(turn, draft)],
    )


def step(prompt: str, reminder: str, then: str, *, says_kept: bool = True) -> Step:
    """The "tell us what happened" step of a flow: text, photos and voice notes over as many
    messages as needed, then Next goes to `then`. `prompt` and `reminder` are msgids (N_)."""
    async def ask(turn: Turn, draft: Draft) -> None:
        text = turn.tr._(prompt)
        if has_content(draft):
            if says_kept:
                text += "\n" + turn.tr._("What you sent before is kept. You can add more, "
                                         "or press Next.")
            await turn.say(text, next_buttons(turn, draft))
        else:
            await turn.say(text, inline([flow.cancel_button(turn, draft)]))

    async def press(turn: Turn, draft: Draft, value: str) -> None:
        if value == "next" and has_content(draft):
            await flow.advance(turn, draft, then)
            return
        await turn.say(turn.tr._(reminder))

    async def message(turn: Turn, draft: Draft, message: Message) -> None:
        await take(turn, draft, message)

    return Step(ask, press, message)


async def take(turn: Turn, draft: Draft, message: Message) -> bool:
    """Add one message to the draft; answer the resident either way. True when added."""
    tr = turn.tr
    texts, files = parts(draft)
    kind, value = _content(message)
    if kind == "file-photo":
        await turn.say(tr._("Please send the picture as a photo, not as a file. "
                            "A file can show where it was taken."))
        return False
    if kind is None:
        await turn.say(
            tr._("I cannot use this here. Please send text, a photo or a voice message."))
        return False
    if kind == "text":
        text = clean_user_text(value)
        if not text:
            await turn.say(tr._("Your message is empty. Please type a few words."))
            return False
        if len(text) + sum(map(len, texts)) > MAX_TEXT:
            await turn.say(tr._("That is too long. Please keep it shorter than {n} characters.",
                                n=MAX_TEXT))
            return False
        texts.append(text)  # words of danger: the router showed 112 first (emergency.py)
    else:
        if len(files) >= MAX_ATTACHMENTS:
            await turn.say(tr._("You have sent the most we can take ({n}). Please press Next.",
                                n=MAX_ATTACHMENTS), next_buttons(turn, draft))
            return False
        files.append({"type": kind, "file_id": value})
    caption = clean_user_text(message.caption or "")
    if caption and len(caption) + sum(map(len, texts)) > MAX_TEXT:
        files.pop()  # take the photo only together with its caption, or not at all
        await turn.say(tr._("That is too long. Please keep it shorter than {n} characters.",
                            n=MAX_TEXT))
        return False
    if caption:
        texts.append(caption)
    album = message.media_group_id
    repeat = album is not None and draft.data.get("album") == album
    draft.data["album"] = album
    await flow.save(turn, draft)
    if not repeat:  # one answer per album, not one per photo
        await turn.say(tr._("Thank you, I have added it. Send more, or press Next."),
                       next_buttons(turn, draft))
    return True


def _content(message: Message) -> tuple[str | None, str]:
    if message.text is not None:
        return "text", message.text
    if message.photo:
        return "photo", message.photo[-1].file_id
    if message.voice is not None:
        return "voice", message.voice.file_id
    if message.audio is not None:
        return "voice", message.audio.file_id
    doc = message.document
    if doc is not None and (doc.mime_type or "").startswith("image/"):
        return "file-photo", ""
    return None, ""
