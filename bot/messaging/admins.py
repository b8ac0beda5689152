"""Who the administrators of a partner group are, for a partner whose rule is `may_act =
"admins"` (bot/domain/authority.py).

Telegram tells with getChatAdministrators (ChatMember objects, status "creator" or
"administrator"). The answer is remembered per group for FRESH on the bot's clock, so a busy
group does not ask at every press. It is asked again sooner when Telegram says the group's
members changed (my_chat_member / chat_member updates: `forget`), and on a miss: someone who is
not in the list remembered may have been made an admin since, so a press by a non-admin asks
once more (at most once per MISS_FLOOR, so a double tap or a stream of presses does not ask at
every tap). When Telegram cannot be asked, the last list known holds, else nobody is an admin:
a refused press can be pressed again, a wrongly allowed one cannot be undone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.messaging.direct import surely
from bot.store.clock import Clock

log = logging.getLogger(__name__)
FRESH = timedelta(minutes=5)
MISS_FLOOR = timedelta(seconds=5)
ADMIN_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


@dataclass(frozen=True)
class _Seen:
    at: datetime
    ids: frozenset[int]


class Admins:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._seen: dict[int, _Seen] = {}

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        now = self.clock()
        seen = self._seen.get(chat_id)
        if seen is not None and now - seen.at < FRESH and (
                user_id in seen.ids or now - seen.at < MISS_FLOOR):
            return user_id in seen.ids
        try:
            members = await surely(lambda: bot.get_chat_administrators(chat_id),
                                   "who the group's admins are")
        except TelegramError as exc:
            log.warning("could not ask Telegram who the admins of chat %s are (%s); %s", chat_id,
                        exc, "using the last list known" if seen else "nobody counts as admin")
            return seen is not None and user_id in seen.ids
        ids = frozenset(m.user.id for m in members if m.status in ADMIN_STATUSES)
        self._seen[chat_id] = _Seen(now, ids)
        return user_id in ids

    def forget(self, chat_id: int) -> None:
        """The group's members changed: ask Telegram again at the next press."""
        self._seen.pop(chat_id, None)
