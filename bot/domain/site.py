"""The parts of the site configuration the domain reads, as protocols.

The domain stays pure: it never imports bot.config. bot.config.SiteConfig has this shape (mypy
checks it wherever one is passed), and a test could hand in any object that has it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Protocol
from zoneinfo import ZoneInfo


class FollowUpRules(Protocol):
    @property
    def work_days(self) -> Sequence[str]: ...  # "mon" ... "sun"
    @property
    def work_start(self) -> time: ...
    @property
    def work_end(self) -> time: ...
    @property
    def extra_holidays(self) -> Sequence[date]: ...
    @property
    def quiet_start(self) -> time: ...
    @property
    def quiet_end(self) -> time: ...
    @property
    def still_on_it_days(self) -> int: ...
    @property
    def feedback_reminder_hours(self) -> int: ...


class DeadlineRules(Protocol):
    @property
    def claim(self) -> float: ...
    @property
    def first_contact(self) -> float: ...
    @property
    def resolve(self) -> float: ...
    @property
    def calendar(self) -> bool: ...


class PolicySite(Protocol):
    """What the follow-up policy needs: the working week, quiet hours and deadlines."""

    @property
    def followup(self) -> FollowUpRules: ...
    @property
    def zone(self) -> ZoneInfo: ...
    def deadline_rule(self, category_id: str) -> DeadlineRules: ...


class RoutedCategory(Protocol):
    @property
    def partner(self) -> str: ...


class RoutedBuilding(Protocol):
    @property
    def routing(self) -> Mapping[str, str]: ...


class RoutingSite(Protocol):
    """What routing needs: categories with their partner, buildings with their exceptions."""

    @property
    def question_partner(self) -> str: ...
    @property
    def coordinator(self) -> str: ...
    def category(self, kind: str, category_id: str) -> RoutedCategory | None: ...
    def building(self, building_id: str) -> RoutedBuilding | None: ...
