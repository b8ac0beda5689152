"""How much of a phone's width a button label takes, and rows of buttons that fit.

A phone shows about 26-30 Latin characters on a full-width button (issue 14 measured it), and
less per button when a row is shared: each button keeps its own padding. ROOM is the budget per
label by how many buttons share its row, with a margin for larger text settings and narrower
phones. Wide letters and emoji take two places; combining marks and format characters none.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TypeVar

ROOM = {1: 30, 2: 20, 3: 13, 4: 10}  # phone characters per label, by buttons in its row

Button = TypeVar("Button", bound=tuple[str, str])


def room(buttons_in_row: int) -> float:
    return ROOM.get(buttons_in_row, 30 / max(buttons_in_row, 1))


def label_width(label: str) -> int:
    total = 0
    for ch in label:
        cat = unicodedata.category(ch)
        if cat in ("Mn", "Me", "Cf") or "\ufe00" <= ch <= "\ufe0f":
            continue
        emoji = cat == "So" and ord(ch) >= 0x2300
        total += 2 if emoji or unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def fitting_rows(buttons: Sequence[Button], per_row: int) -> list[list[Button]]:
    """The buttons in order, at most `per_row` a row, and fewer where a label would be cut off
    at that share of the row (a long translation gets a row of its own)."""
    rows: list[list[Button]] = []
    row: list[Button] = []
    for button in buttons:
        wider = [*row, button]
        if row and (len(wider) > per_row
                    or any(label_width(label) > room(len(wider)) for label, _ in wider)):
            rows.append(row)
            wider = [button]
        row = wider
    if row:
        rows.append(row)
    return rows
