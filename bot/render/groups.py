"""The words of the group check: a partner group that outsiders could find or join is told
what to change in Telegram, in its own language, and so is the coordinator group."""

from __future__ import annotations

from enum import StrEnum

from bot.i18n import Translator


class Exposure(StrEnum):
    """Why a group is not private enough for residents' requests (bot/handlers/groups.py)."""

    BASIC = "basic"  # a basic group: no topics, and its chat id changes once it is upgraded
    PUBLIC = "public"  # a @username: anyone can find the group and read along
    OPEN_LINK = "open_link"  # its invite link lets anyone who has it in, without approval


# For the log at start-up (English, like the other lines of the group check)
IN_THE_LOG = {
    Exposure.BASIC: "a basic group, not a supergroup (turn on Topics, or 'Chat history for "
                    "new members: Visible'; then put its new chat id in the site file)",
    Exposure.PUBLIC: "public (@{username}): anyone can find it and read along (make it "
                     "private: Group type -> Private)",
    Exposure.OPEN_LINK: "its invite link lets anyone who has it join without approval (share "
                        "it only with staff; invite with a link that asks for approval)",
}


def privacy_warning(tr: Translator, exposures: tuple[Exposure, ...], *,
                    username: str | None = None, partner: str | None = None) -> str:
    """The group's own warning, or (with `partner`) the coordinator group's about it."""
    if partner is None:
        head = tr._("This group is not private enough for residents' requests. Please change "
                    "this in Telegram:")
    else:
        head = tr._("The group of {partner} is not private enough for residents' requests. "
                    "Please change this in Telegram:", partner=partner)
    lines = ["⚠️ " + head]
    for exposure in exposures:
        lines.append("• " + _what_to_change(tr, exposure, username))
    return "\n\n".join(lines)


def _what_to_change(tr: Translator, exposure: Exposure, username: str | None) -> str:
    if exposure == Exposure.BASIC:
        return tr._(
            "It is a basic group. Make it a supergroup: Telegram does this when you turn on "
            "a setting that only supergroups have, such as Topics, or \"Chat history for new "
            "members: Visible\" (group info, Edit). The group then gets a new chat id: put it "
            "in the site file (the bot's start-up log shows it).")
    if exposure == Exposure.PUBLIC:
        return tr._(
            "It is public (@{username}): anyone can find it and read the messages. Make it "
            "private: group info, Edit, Group type, Private.", username=username or "")
    return tr._(
        "Anyone who has its invite link can join without approval. Share that link only with "
        "staff. To invite someone, make a new link with \"Request admin approval\" (group "
        "info, Edit, Invite links), and revoke a link that others may have.")
