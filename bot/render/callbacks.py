"""Callback data: short, versioned, opaque: `v1:<scope>:<arg>:...`, never more than 64 bytes.

The data only says which button was pressed. Who pressed it, and whether they may, is always
decided from the update itself (effective_user / effective_chat), never from these strings.
"""

from __future__ import annotations

from dataclasses import dataclass

VERSION = "v1"
MAX_BYTES = 64  # Telegram's limit for callback_data, counted in UTF-8 bytes


@dataclass(frozen=True)
class Press:
    scope: str
    args: tuple[str, ...]

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if index < len(self.args) else default


def pack(scope: str, *args: str | int) -> str:
    data = ":".join([VERSION, scope, *map(str, args)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None) -> Press | None:
    """Parse callback data; None for anything we did not make (old versions, forgeries)."""
    if not data:
        return None
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != VERSION or not parts[1]:
        return None
    return Press(parts[1], tuple(parts[2:]))
