"""Who may act for a partner, and where. Pure: no telegram, no SQL, no site file.

Each partner's group sets in the site file who of its members may act for it (claim, release,
transfer, resolve, note, quick reply, promise, answer a resident, compose or approve an
announcement, the coordinator's commands): every member (the default), the group's
administrators, or the staff listed by their Telegram ids. Every press and every message that
would change something is decided from the chat it came from AND the person who sent it
(bot/handlers/staff.py Staff.authorised asks `decide`), never from callback data.

A broadcast reaches every linked resident, so it waits for a second person (`approval`): an
authorised member of the group it was written in who is not its writer, or an authorised member
of the coordinator group.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class MayAct(StrEnum):
    """Who of a partner group's members may act for the partner."""

    MEMBERS = "members"  # every member of the group (the default)
    ADMINS = "admins"  # the group's administrators and its creator, as Telegram says
    LISTED = "listed"  # the Telegram user ids listed in the site file (`staff`)


@dataclass(frozen=True)
class Rule:
    """A partner's rule: who may act in its group."""

    may_act: MayAct = MayAct.MEMBERS
    staff: frozenset[int] = frozenset()

    @property
    def needs_admins(self) -> bool:
        """Whether deciding needs to know who the group's administrators are."""
        return self.may_act is MayAct.ADMINS


class Verdict(StrEnum):
    ALLOWED = "allowed"
    ELSEWHERE = "elsewhere"  # not from a group where this can be done (another, unknown, private)
    NOT_STAFF = "not_staff"  # the right group, but this person may not act for it


def person_may(rule: Rule, user_id: int, is_admin: bool) -> bool:
    """Whether this member of the group may act under the group's rule."""
    if rule.may_act is MayAct.ADMINS:
        return is_admin
    if rule.may_act is MayAct.LISTED:
        return user_id in rule.staff
    return True


def decide(scope: Collection[str], chat_partner: str | None, rule: Rule | None, user_id: int,
           is_admin: bool) -> Verdict:
    """An action that belongs to the groups of the partners in `scope`, pressed or written in
    the group of `chat_partner` (None: not a partner group) by `user_id`, with `rule` the rule of
    that group: allowed, or why not."""
    if chat_partner is None or rule is None or chat_partner not in scope:
        return Verdict.ELSEWHERE
    return Verdict.ALLOWED if person_may(rule, user_id, is_admin) else Verdict.NOT_STAFF


class Approval(StrEnum):
    """What comes of pressing Approve (or Stop) under a waiting announcement."""

    OK = "ok"
    OWN = "own"  # its writer cannot be the second person
    SENT = "sent"  # approved before: it went out
    STOPPED = "stopped"  # someone stopped it: it did not go out
    GONE = "gone"  # no such announcement


WAITING, SENT, STOPPED = "waiting", "sent", "stopped"  # a broadcast's status
# An announcement nobody approves does not wait for ever: its groups are reminded after a day
# (in working hours), and after a week it lapses, unsent, and they are told.
APPROVAL_REMINDER = timedelta(days=1)
APPROVAL_LAPSES = timedelta(days=7)


def approval(status: str | None, composer_key: str, approver_key: str) -> Approval:
    """Whether `approver_key` may approve an announcement `composer_key` wrote (the chat and
    the group's rule were decided before, with `decide`)."""
    if status is None:
        return Approval.GONE
    if status == SENT:
        return Approval.SENT
    if status == STOPPED:
        return Approval.STOPPED
    if composer_key == approver_key:
        return Approval.OWN
    return Approval.OK


def stopping(status: str | None) -> Approval:
    """Whether a waiting announcement can still be stopped (by anyone who could approve it, and
    by its writer)."""
    if status is None:
        return Approval.GONE
    return {SENT: Approval.SENT, STOPPED: Approval.STOPPED}.get(status, Approval.OK)
