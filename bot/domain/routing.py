"""Which partner a ticket goes to: the category's partner, unless the building says otherwise."""

from __future__ import annotations

from bot.domain.site import RoutingSite


def route(site: RoutingSite, kind: str, category_id: str, building_id: str | None) -> str:
    building = site.building(building_id) if building_id else None
    if building and category_id in building.routing:
        return building.routing[category_id]
    category = site.category(kind, category_id)
    if category is None:
        # An old draft may name a category since removed from the config: keep the case alive.
        return site.question_partner if kind == "question" else site.coordinator
    return category.partner
