"""Callback data: short, versioned, opaque: `v1:<code>:<arg>:...`, never more than 64 bytes.

Every kind of button is a named `Button` in the registry below, with the chat it belongs in;
bot/app.py routes each one by its `pattern`. The data only says which button was pressed. Who
pressed it, and whether they may, is always decided from the update itself (effective_user /
effective_chat), never from these strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

VERSION = "v1"
MAX_BYTES = 64  # Telegram's limit for callback_data, counted in UTF-8 bytes
CODE = re.compile(r"^[a-z]{1,4}$")  # a code costs bytes in every button: keep it short


@dataclass(frozen=True)
class Button:
    """One kind of button: its code in the data, what it is, and the chat it works in."""

    code: str
    name: str
    # "staff": a staff member's button, in a partner group or in their private chat with the bot
    chat: Literal["private", "group", "staff"]

    @property
    def pattern(self) -> str:
        """The regular expression a CallbackQueryHandler matches this button's data with."""
        return rf"^{VERSION}:{self.code}(:|$)"


REGISTRY: dict[str, Button] = {}


def button(code: str, name: str, chat: Literal["private", "group", "staff"]) -> Button:
    if not CODE.match(code) or code in REGISTRY:
        raise ValueError(f"callback code {code!r} is malformed or taken")
    REGISTRY[code] = Button(code, name, chat)
    return REGISTRY[code]


# Residents, in their private chat with the bot
LANGUAGE = button("lang", "pick a language", "private")
FLOW_STEP = button("f", "a choice in a report, help request or question flow", "private")
FAQ = button("faq", "browse the questions and answers", "private")
PRIVACY = button("priv", "privacy: my data, delete my data", "private")
UNFINISHED = button("m", "go on with an unfinished request, or start anew", "private")
FEEDBACK = button("fb", "were you helped? yes or no", "private")
ADD_TO_REQUEST = button("add", "add something to one of my requests", "private")
PROMISE_ANSWER = button("pr", "did they call or visit as promised? yes or no", "private")
WORK_DAY = button("wd", "an answer under a renovation-day notice", "private")
TRANSFER_ANSWER = button("ta", "may we pass your request on to another partner? yes or no",
                         "private")
# Partner staff, in their group
CARD = button("t", "a button on a ticket card (claim, transfer, resolve, ...)", "group")
BROADCAST = button("bc", "a step of the announcement composer", "group")
# Partner staff, in their group or in a private chat with the bot (members of a partner group)
VISIT = button("vis", "a step of recording a home visit", "staff")


class CardStep(StrEnum):
    """What a button on a ticket card does: `v1:t:<ticket id>:<step>[:<arg>...]`."""

    CLAIM = "claim"
    RELEASE = "free"
    RESOLVE = "done"
    NOTE = "note"
    TRANSFER = "xfer"  # asks to which partner
    TRANSFER_TO = "xto"  # the partner chosen
    QUICK_MENU = "qr"
    QUICK_SEND = "qs"
    HISTORY = "hist"
    PROMISE_MENU = "pm"
    PROMISE_KIND = "pk"  # I will call / we will visit (and "pick a date")
    PROMISE_DAY = "pd"
    PROMISE_PART = "pp"  # morning, afternoon, evening: the promise is made


class BroadcastStep(StrEnum):
    """The announcement composer's buttons: `v1:bc:<step>[:<arg>...]`."""

    TARGET = "t"  # which building (or everyone)
    MODE = "m"  # which stairwell, and one text per language or one for all
    SKIP = "skip"  # no text in this language: use the first one
    SEND = "go"  # the announcement now waits for a second person to approve it
    STOP = "no"  # the draft, or with a broadcast id: a waiting announcement
    AGAIN = "again"  # translate again what failed, then preview again
    APPROVE = "ok"  # `ok:<broadcast id>`: the second person approves, and it goes out


class VisitStep(StrEnum):
    """Recording a home visit: `v1:vis:<draft key or ->:<step>[:<arg>]`."""

    START = "go"  # record a visit in this round (from /visits, or "next visit")
    ROUND = "r"  # the round chosen
    NEW_ROUND = "nr"  # start a round: building, kind, name, dates
    BUILDING = "b"
    KIND = "k"
    SKIP = "s"  # no dates, no notes
    HOME = "h"  # the address, among the homes with the typed house number
    OUTCOME = "o"
    PARTNER = "p"  # refer to this partner
    TOPIC = "t"
    CONSENT = "c"  # y / n
    CONTACT = "ct"  # phone / visit / bot
    LANG = "l"  # the resident's language, or "-"
    SAVE = "ok"
    STOP = "no"
    CODE = "code"  # show the home's invitation code and QR


@dataclass(frozen=True)
class Press:
    button: Button
    args: tuple[str, ...]

    @property
    def scope(self) -> str:
        return self.button.code

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if index < len(self.args) else default


def pack(kind: Button, *args: str | int) -> str:
    data = ":".join([VERSION, kind.code, *map(str, args)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None) -> Press | None:
    """Parse callback data; None for anything we did not make (old versions, forgeries)."""
    if not data:
        return None
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != VERSION or parts[1] not in REGISTRY:
        return None
    return Press(REGISTRY[parts[1]], tuple(parts[2:]))
