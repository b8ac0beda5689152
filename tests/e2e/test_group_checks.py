"""Partner groups must be private: at start-up and when the bot is added, a group that outsiders
can find (a public @username) or join (an invite link without approval), or a basic group, is
told what to change in Telegram, in its own language, and so is the coordinator group; the log
says it too. A private supergroup hears nothing.

The fake Telegram answers getChat the way Telegram does (ChatFullInfo): the type, the
username, the primary invite link (to admins only) and join_by_request, which Telegram has only
for public groups (FakeBotAPI.set_group_privacy refuses anything else).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import SiteConfig
from bot.render.groups import Exposure, privacy_warning
from bot.testing.fake_api import FakeBotAPI
from bot.testing.harness import BotHarness
from bot.testing.updates import Person

LINK = "https://t.me/+AbCdEfGhIjKlMnOp"
HELLO = "👋 "


def fake_for(site: SiteConfig) -> FakeBotAPI:
    fake = FakeBotAPI()
    for partner in site.partners:
        fake.add_group(partner.chat_id, partner.name)
    return fake


def in_english(site: SiteConfig, partner_id: str) -> SiteConfig:
    """The site with one partner's group reading English (the coordinator stays Dutch)."""
    return site.model_copy(update={"partners": [
        p.model_copy(update={"language": "en"}) if p.id == partner_id else p
        for p in site.partners]})


def warned(h: BotHarness, chat_id: int) -> list[str]:
    return [t for t in h.fake.texts(chat_id) if t.startswith("⚠️ ")]


def expected(h: BotHarness, chat_id: int, *exposures: Exposure, username: str | None = None,
             about: str | None = None) -> str:
    """The warning as the bot composes it, in that chat's language."""
    tr = h.services.notifier.group_tr(chat_id)
    return privacy_warning(tr, exposures, username=username, partner=about)


@pytest.fixture
def coordinator(site: SiteConfig) -> int:
    return site.partner(site.coordinator).chat_id


async def test_a_private_supergroup_is_not_warned(
        tmp_path: Path, site: SiteConfig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.handlers.groups")
    async with BotHarness.start(tmp_path / "bot.db", site) as h:
        for partner in site.partners:
            assert warned(h, partner.chat_id) == []
    assert "not private" not in caplog.text


async def test_a_public_group_is_warned_at_start_up_in_its_language_and_the_coordinators(
        tmp_path: Path, site: SiteConfig, coordinator: int,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.handlers.groups")
    site = in_english(site, "dock")
    fake = fake_for(site)
    dock = site.partner("dock").chat_id
    fake.set_group_privacy(dock, username="dock_overvecht")
    async with BotHarness.start(tmp_path / "bot.db", site, fake=fake) as h:
        [text] = warned(h, dock)
        assert text == expected(h, dock, Exposure.PUBLIC, username="dock_overvecht")
        assert "@dock_overvecht" in text and "Group type, Private" in text  # English
        assert warned(h, coordinator) == [expected(
            h, coordinator, Exposure.PUBLIC, username="dock_overvecht", about="DOCK")]
        assert h.services.notifier.group_tr(coordinator).lang == "nl"
        for partner in site.partners:  # nobody else
            if partner.chat_id not in (dock, coordinator):
                assert warned(h, partner.chat_id) == []
    assert f"partner dock (DOCK, chat {dock}) is not private: public (@dock_overvecht)" \
        in caplog.text


async def test_an_invite_link_anyone_can_use_is_warned(tmp_path: Path, site: SiteConfig,
                                                       coordinator: int) -> None:
    fake = fake_for(site)
    group = site.partner("werk_inkomen").chat_id
    fake.set_group_privacy(group, invite_link=LINK)
    async with BotHarness.start(tmp_path / "bot.db", site, fake=fake) as h:
        assert warned(h, group) == [expected(h, group, Exposure.OPEN_LINK)]
        assert warned(h, coordinator) == [expected(
            h, coordinator, Exposure.OPEN_LINK,
            about=site.partner("werk_inkomen").name)]


async def test_a_public_group_that_asks_for_join_requests_is_warned_for_being_public_only(
        tmp_path: Path, site: SiteConfig) -> None:
    """Join requests are the one way a link is not open to anyone who has it; Telegram has
    them only in public groups, and anyone can still read a public group's messages."""
    fake = fake_for(site)
    group = site.partner("veiligheid").chat_id
    fake.set_group_privacy(group, username="veilig_ovv", invite_link=LINK, join_by_request=True)
    async with BotHarness.start(tmp_path / "bot.db", site, fake=fake) as h:
        assert warned(h, group) == [expected(h, group, Exposure.PUBLIC, username="veilig_ovv")]

        fake.set_group_privacy(group, username="veilig_ovv", invite_link=LINK)  # requests off
    async with BotHarness.start(tmp_path / "bot.db", site, fake=fake) as h:
        assert warned(h, group)[-1] == expected(h, group, Exposure.PUBLIC, Exposure.OPEN_LINK,
                                                username="veilig_ovv")


async def test_a_basic_group_is_told_how_to_become_a_supergroup(
        tmp_path: Path, site: SiteConfig, coordinator: int) -> None:
    fake = fake_for(site)
    group = site.partner("buurtteam_sociaal").chat_id
    fake.set_group_privacy(group, basic=True)
    async with BotHarness.start(tmp_path / "bot.db", in_english(site, "buurtteam_sociaal"),
                                fake=fake) as h:
        [text] = warned(h, group)
        assert text == expected(h, group, Exposure.BASIC)
        assert "Topics" in text and "new chat id" in text  # how to upgrade, and what follows
        assert warned(h, coordinator) == [expected(h, coordinator, Exposure.BASIC,
                                                   about="Buurtteam Sociaal")]


async def test_the_bot_does_not_see_the_link_when_it_is_no_admin(
        tmp_path: Path, site: SiteConfig) -> None:
    fake = fake_for(site)
    group = site.partner("dock").chat_id
    fake.set_group_privacy(group, invite_link=LINK).bot_status = "member"
    async with BotHarness.start(tmp_path / "bot.db", site, fake=fake) as h:
        assert warned(h, group) == []  # Telegram shows the primary link to admins only


async def test_a_restart_says_nothing_new_but_a_change_is_said_at_once(
        tmp_path: Path, site: SiteConfig, coordinator: int) -> None:
    fake = fake_for(site)
    group = site.partner("dock").chat_id
    fake.set_group_privacy(group, invite_link=LINK)
    db = tmp_path / "bot.db"
    async with BotHarness.start(db, site, fake=fake) as h:
        assert len(warned(h, group)) == 1
    async with BotHarness.start(db, site, fake=fake) as h:  # nothing changed
        assert len(warned(h, group)) == 1 and len(warned(h, coordinator)) == 1
    fake.set_group_privacy(group, username="dock_ovv", invite_link=LINK)  # made public
    async with BotHarness.start(db, site, fake=fake) as h:
        assert warned(h, group)[1:] == [expected(h, group, Exposure.PUBLIC, Exposure.OPEN_LINK,
                                                 username="dock_ovv")]
        assert len(warned(h, coordinator)) == 2
    fake.set_group_privacy(group)  # fixed: private, no link the bot can see
    async with BotHarness.start(db, site, fake=fake) as h:
        assert len(warned(h, group)) == 2 and len(warned(h, coordinator)) == 2


async def test_a_partner_group_is_checked_when_the_bot_is_added(
        h: BotHarness, site: SiteConfig, coordinator: int) -> None:
    group = site.partner("dock").chat_id
    h.fake.set_group_privacy(group, username="dock_ovv")
    admin = Person(5559101, "Marieke", language_code="nl")
    await h.feed(h.updates.bot_added_to_group(admin, group))
    greeting, text = h.fake.texts(group)
    assert greeting.startswith(HELLO)
    assert text == expected(h, group, Exposure.PUBLIC, username="dock_ovv")
    assert warned(h, coordinator)[-1] == expected(h, coordinator, Exposure.PUBLIC,
                                                  username="dock_ovv", about="DOCK")
    h.fake.chats[group].bot_status = "left"  # removed, and added again: told again
    await h.feed(h.updates.bot_added_to_group(admin, group))
    assert len(warned(h, group)) == 2


async def test_an_unknown_group_is_checked_when_the_bot_is_added_and_only_it_is_told(
        h: BotHarness, coordinator: int) -> None:
    before = warned(h, coordinator)
    new = -1009876500001
    h.fake.add_group(new, "Nieuwe groep", bot_status="left")
    h.fake.set_group_privacy(new, basic=True)
    await h.feed(h.updates.bot_added_to_group(Person(5559102, "Marieke"), new))
    greeting, text = h.fake.texts(new)
    assert str(new) in greeting
    assert text == expected(h, new, Exposure.BASIC)
    assert warned(h, coordinator) == before  # not a partner's group (yet)


async def test_a_private_group_added_hears_only_the_greeting(h: BotHarness,
                                                            site: SiteConfig) -> None:
    group = site.partner("buurtbemiddeling").chat_id
    h.fake.chats[group].bot_status = "left"
    await h.feed(h.updates.bot_added_to_group(Person(5559103, "Marieke"), group))
    [greeting] = h.fake.texts(group)
    assert greeting.startswith(HELLO)
