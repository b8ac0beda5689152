"""What staff are told when they may not do something in their group (bot/domain/authority.py):
who may, in the group's language."""

from __future__ import annotations

from bot.domain.authority import MayAct, Rule
from bot.i18n import Translator


def who_may(tr: Translator, rule: Rule) -> str:
    if rule.may_act is MayAct.ADMINS:
        return tr._("Only the group's admins can do this.")
    if rule.may_act is MayAct.LISTED:
        return tr._("Only the team's listed staff can do this.")
    return tr._("Only members of this group can do this.")
