"""Warning partner groups that outsiders could find or join (the group check, issue 13).

Residents' words, names and addresses are posted in the partner groups, so a group must be a
private supergroup that nobody joins unasked. When the check (at start-up, and when the bot is
added to a group) finds otherwise, the group itself and the coordinator group are told what to
change, each in its own language, through the outbox (so a passing fault loses nothing).

Once per state, not on every restart: the outbox's dedupe key holds the group, what is wrong
and a fingerprint of its public name and invite link, so a restart with nothing changed says
nothing again, a new name or a new link is said at once, and a state that lasts is said again
at the first start after the outbox forgot the message (sent rows go after a month,
bot/store/retention.py). Being added always says it (the key holds the update).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.render.groups import Exposure, privacy_warning

if TYPE_CHECKING:  # only the type: Services lives with the handlers' context
    from bot.context import Services


@dataclass(frozen=True)
class Exposed:
    """A group that is not private enough, and why (as getChat showed it)."""

    chat_id: int
    exposures: tuple[Exposure, ...]
    username: str | None = None
    invite_link: str | None = None

    @property
    def fingerprint(self) -> str:
        seen = "|".join([*self.exposures, self.username or "", self.invite_link or ""])
        return hashlib.sha256(seen.encode()).hexdigest()[:12]


async def warn_exposed(services: Services, groups: Sequence[Exposed], *,
                       occasion: str = "start") -> None:
    """One transaction: each group, and the coordinator group about it, told what to change.
    `occasion` "start" says each state once; anything else (the update that added the bot)
    says it each time."""
    if not groups:
        return
    notifier, site = services.notifier, services.site
    coordinator = notifier.coordinator_chat
    now = services.clock()
    async with services.store.db.transaction() as tx:
        for group in groups:
            key = f"privacy:{group.chat_id}:{group.fingerprint}"
            if occasion != "start":
                key += f":{occasion}"
            text = privacy_warning(notifier.group_tr(group.chat_id), group.exposures,
                                   username=group.username)
            await notifier.to_group(tx, now, None, group.chat_id, text, dedupe=key)
            partner = site.partner_in(group.chat_id)
            if partner is None or group.chat_id == coordinator:
                continue  # not a partner's group yet, or it is the coordinator's own
            about = privacy_warning(notifier.group_tr(coordinator), group.exposures,
                                    username=group.username, partner=partner.name)
            await notifier.to_group(tx, now, None, coordinator, about,
                                    dedupe=f"{key}:coordinator")
