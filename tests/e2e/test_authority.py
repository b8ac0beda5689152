"""Authority that fits the partners: every staff button (each card step and composer step), every
staff command and a staff reply to a resident is decided by the chat AND the person, against the
rule each partner sets in the site file (may_act = "members", "admins" or "listed").

One table: every action × chat (the responsible partner's group, another partner's group, the
coordinator group, a group that is no partner's, a private chat) × role (a member under
"members", a listed id and an unlisted member under "listed", an admin and a non-admin under
"admins"). Allowed ones work; refused ones get a refusal (a popup for a press, a message for a
command or a reply) saying who may, and change nothing: the tables a press can touch are the same
before and after, and nothing is sent to anyone but the refusal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from bot.config import EXAMPLE_SITE_CONFIG, SiteConfig, load_site_config
from bot.domain.authority import Approval, MayAct, Rule, Verdict, approval, decide
from bot.domain.casework import Actor
from bot.domain.tickets import Kind, NewTicket, Status, Ticket
from bot.render.callbacks import BROADCAST, CARD, BroadcastStep, CardStep, pack
from bot.services import broadcast, casework, intake
from bot.testing.harness import BotHarness
from bot.testing.updates import Person

GROUP = "woningcorporatie"  # the noise reports' partner; may compose announcements
OTHER = "dock"
UNKNOWN_CHAT = -1009999999999  # a group the bot is in that is no partner's
COMPOSER = 8999  # writes the waiting announcements someone approves or stops
TABLES = ("tickets", "ticket_events", "promises", "outbox", "broadcasts", "drafts",
          "staff_pending", "due")
CHATS = ("responsible", "other", "coordinator", "unknown", "private")
TOMORROW = "20261202"  # the harness stands on Tuesday 1 December 2026, 11:00


@dataclass(frozen=True)
class Role:
    name: str
    rule: MayAct
    user_id: int
    admin: bool  # an administrator of every group (as getChatAdministrators says)
    allowed: bool


ROLES = (
    Role("member under members", MayAct.MEMBERS, 8005, False, True),
    Role("listed id under listed", MayAct.LISTED, 8001, False, True),
    Role("unlisted member under listed", MayAct.LISTED, 8002, False, False),
    Role("admin under admins", MayAct.ADMINS, 8003, True, True),
    Role("non-admin under admins", MayAct.ADMINS, 8004, False, False),
)
LISTED = [8001]


def with_rule(site: SiteConfig, rule: MayAct) -> SiteConfig:
    staff = LISTED if rule is MayAct.LISTED else []
    return site.model_copy(update={"partners": [
        p.model_copy(update={"may_act": rule, "staff": staff}) for p in site.partners]})


@dataclass
class World:
    """One harness under one rule, with what the actions need ready: tickets in each state,
    composer drafts, waiting announcements; each reused while refused presses leave it alone."""

    h: BotHarness
    resident_id: int
    tickets: dict[tuple[str, int], Ticket] = field(default_factory=dict)
    waiting: int | None = None
    made: int = 0

    def chat_id(self, chat: str, person: Person) -> int:
        site = self.h.services.site
        return {"responsible": site.partner(GROUP).chat_id,
                "other": site.partner(OTHER).chat_id,
                "coordinator": site.partner(site.coordinator).chat_id,
                "unknown": UNKNOWN_CHAT, "private": person.private_chat}[chat]

    async def ticket(self, state: str, user_id: int) -> Ticket:
        """A noise report (for the housing corporation), open or claimed by `user_id`."""
        key = (state, user_id if state == "claimed" else 0)
        if key not in self.tickets:
            self.made += 1
            t = await intake.submit(self.h.services, NewTicket(
                draft_key=f"auth-{self.made}", resident_id=self.resident_id, kind=Kind.NUISANCE,
                category="noise", partner_id=GROUP, lang="ar", description="Harde muziek"))
            if state == "claimed":
                await casework.claim(self.h.services, t.id, Actor(user_id, "P", 0, True))
            await self.h.deliver()
            self.tickets[key] = t
        return self.tickets[key]

    async def announcement(self) -> int:
        if self.waiting is None:
            site = self.h.services.site
            self.waiting = await broadcast.propose(
                self.h.services, Actor(COMPOSER, "Els", site.partner(GROUP).chat_id, False),
                target=broadcast.Target(), texts={"nl": "Let op"}, fallback="nl", versions={})
            await self.h.deliver()
        return self.waiting

    def used(self) -> None:
        """An allowed action changed what it acted on: the next one gets fresh ones."""
        self.tickets.clear()
        self.waiting = None


Setup = Callable[[World, int, int], Awaitable[str]]  # (world, user, chat) -> callback data


def card(step: str, *args: str, state: str = "open") -> Setup:
    async def setup(w: World, user_id: int, chat_id: int) -> str:
        t = await w.ticket(state, user_id)
        return pack(CARD, t.id, step, *args)
    return setup


def composer(step: str, draft: str | None = None) -> Setup:
    """A composer step, with the presser's draft in that chat at `draft` ("text": the first
    text written, the second language to come; "preview": ready to send)."""
    async def setup(w: World, user_id: int, chat_id: int) -> str:
        if draft is not None:
            data: dict[str, Any] = {"chat": chat_id, "building": "*", "stairwell": "*",
                                    "langs": ["nl", "ar"], "texts": {"nl": "Let op"}}
            if draft == "preview":
                data["texts"]["ar"] = ""
            await w.h.store.drafts.start(user_id, "broadcast", draft, **data)
        return pack(BROADCAST, step)
    return setup


def waiting(step: str) -> Setup:
    async def setup(w: World, user_id: int, chat_id: int) -> str:
        return pack(BROADCAST, step, await w.announcement())
    return setup


# Every CardStep and BroadcastStep, made pressable: (step, how to press it, its scope)
CARD_CASES: dict[str, Setup] = {
    CardStep.CLAIM: card(CardStep.CLAIM),
    CardStep.RELEASE: card(CardStep.RELEASE, state="claimed"),
    CardStep.RESOLVE: card(CardStep.RESOLVE, state="claimed"),
    CardStep.NOTE: card(CardStep.NOTE),
    CardStep.TRANSFER: card(CardStep.TRANSFER),
    CardStep.TRANSFER_TO: card(CardStep.TRANSFER_TO, OTHER),
    CardStep.QUICK_MENU: card(CardStep.QUICK_MENU, state="claimed"),
    CardStep.QUICK_SEND: card(CardStep.QUICK_SEND, "call2", state="claimed"),
    CardStep.HISTORY: card(CardStep.HISTORY),
    CardStep.PROMISE_MENU: card(CardStep.PROMISE_MENU, state="claimed"),
    CardStep.PROMISE_KIND: card(CardStep.PROMISE_KIND, "c", state="claimed"),
    CardStep.PROMISE_DAY: card(CardStep.PROMISE_DAY, "c", TOMORROW, state="claimed"),
    CardStep.PROMISE_PART: card(CardStep.PROMISE_PART, "c", TOMORROW, "m", state="claimed"),
}
BROADCAST_CASES: dict[str, Setup] = {
    BroadcastStep.TARGET: composer(f"{BroadcastStep.TARGET}:zambesidreef"),
    BroadcastStep.MODE: composer(f"{BroadcastStep.MODE}:zambesidreef:*:one"),
    BroadcastStep.SKIP: composer(BroadcastStep.SKIP, draft="text"),
    BroadcastStep.SEND: composer(BroadcastStep.SEND, draft="preview"),
    BroadcastStep.STOP: composer(BroadcastStep.STOP, draft="preview"),
    BroadcastStep.AGAIN: composer(BroadcastStep.AGAIN, draft="preview"),
    BroadcastStep.APPROVE: waiting(BroadcastStep.APPROVE),
    f"{BroadcastStep.STOP}:<id>": waiting(BroadcastStep.STOP),
}
COMMANDS = {"/retry": {"coordinator"}, "/overview": {"coordinator"},
            "/broadcast": {"responsible", "coordinator"}}


@pytest.mark.parametrize(("lines", "problem"), [
    ('may_act = "everyone"', "partners[1]: partner 'dock': may_act is 'everyone'; use "
                             '"members" (every member of the group), "admins" (the group\'s '
                             'administrators) or "listed" (the Telegram user ids in staff)'),
    ('may_act = "listed"', "partners[1]: partner 'dock': may_act = \"listed\" needs staff = "
                           "[...], the Telegram user ids of who may act"),
    ("staff = [12]", "partners[1]: partner 'dock': staff is only used with may_act = "
                     '"listed" (may_act is "members")'),
    ('may_act = "listed"\nstaff = [-5]', "partners[1]: partner 'dock': staff holds Telegram "
                                          "user ids, which are positive numbers"),
])
def test_check_config_names_the_partner_whose_rule_is_wrong(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: str, problem: str) -> None:
    path = tmp_path / "site.toml"
    path.write_text(EXAMPLE_SITE_CONFIG.read_text(encoding="utf-8").replace(
        'id = "dock"\n', f'id = "dock"\n{lines}\n'), encoding="utf-8")
    assert main(["check-config", str(path)]) == 1
    assert f"{path}: {problem}" in capsys.readouterr().err.splitlines()


def test_check_config_takes_each_rule(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(EXAMPLE_SITE_CONFIG.read_text(encoding="utf-8").replace(
        'id = "dock"\n', 'id = "dock"\nmay_act = "listed"\nstaff = [12, 13]\n').replace(
        'id = "coordinator"\n', 'id = "coordinator"\nmay_act = "admins"\n'), encoding="utf-8")
    assert main(["check-config", str(path)]) == 0
    site = load_site_config(path)
    assert site.partner("dock").rule == Rule(MayAct.LISTED, frozenset({12, 13}))
    assert site.partner("coordinator").rule == Rule(MayAct.ADMINS)
    assert site.partner("woningcorporatie").rule == Rule(MayAct.MEMBERS)


def test_the_rule_itself() -> None:
    listed = Rule(MayAct.LISTED, frozenset({7}))
    assert decide({"a"}, "a", listed, 7, False) is Verdict.ALLOWED
    assert decide({"a"}, "a", listed, 8, True) is Verdict.NOT_STAFF
    assert decide({"a"}, "b", listed, 7, False) is Verdict.ELSEWHERE  # the chat comes first
    assert decide({"a"}, None, None, 7, False) is Verdict.ELSEWHERE
    assert decide({"a"}, "a", Rule(MayAct.ADMINS), 8, True) is Verdict.ALLOWED
    assert decide({"a"}, "a", Rule(MayAct.ADMINS), 8, False) is Verdict.NOT_STAFF
    assert decide({"a"}, "a", Rule(), 8, False) is Verdict.ALLOWED
    assert approval("waiting", "staff:1", "staff:1") is Approval.OWN
    assert approval("waiting", "staff:1", "staff:2") is Approval.OK
    assert approval("sent", "staff:1", "staff:2") is Approval.SENT
    assert approval("stopped", "staff:1", "staff:2") is Approval.STOPPED
    assert approval(None, "staff:1", "staff:2") is Approval.GONE


def test_the_table_covers_every_step() -> None:
    assert set(CARD_CASES) == set(CardStep)
    assert {k.split(":")[0] for k in BROADCAST_CASES} == set(BroadcastStep)


async def snapshot(h: BotHarness) -> dict[str, list[tuple[Any, ...]]]:
    return {t: [tuple(r) for r in await h.store.db.fetchall(f"SELECT * FROM {t} ORDER BY rowid")]
            for t in TABLES}


def sent_count(h: BotHarness) -> int:
    """Every call that shows something to someone (answers to presses aside)."""
    return sum(1 for c in h.fake.calls if c.method != "answerCallbackQuery" and c.ok
               and not c.method.startswith("get"))


@dataclass
class Table:
    """The outcome of every case, checked as it runs; all failures are reported at once."""

    failures: list[str] = field(default_factory=list)
    allowed: int = 0
    refused: int = 0

    def check(self, ok: bool, case: str, why: str) -> None:
        if not ok:
            self.failures.append(f"{case}: {why}")


def nl(h: BotHarness, msgid: str, **values: Any) -> str:
    return h.tr("nl")._(msgid, **values)


def who_may(h: BotHarness, role: Role) -> str:
    return nl(h, "Only the group's admins can do this." if role.rule is MayAct.ADMINS
              else "Only the team's listed staff can do this.")


async def press_case(w: World, table: Table, role: Role, person: Person, step: str,
                     setup: Setup, chat: str, in_scope: set[str]) -> None:
    h = w.h
    chat_id = w.chat_id(chat, person)
    data = await setup(w, person.id, chat_id)
    await h.deliver()
    allowed = role.allowed and chat in in_scope
    # the tables are compared where nothing may change; an allowed press writes (or says) something
    before = {} if allowed else await snapshot(h)
    calls, alerts, writes = sent_count(h), len(h.fake.alerts), h.store.db.writes
    await h.feed(h.updates.press_data(person, chat_id, 1, data))
    after, answers = ({} if allowed else await snapshot(h)), h.fake.alerts[alerts:]
    case = f"{role.name} presses {step} in {chat}"
    answer = answers[-1] if answers else {}
    if chat == "private":  # a staff button in a private chat is an old button
        table.refused += 1
        table.check(after == before, case, "changed the database")
        table.check(answer.get("text") == nl(h, "This button is old. Here is where you are now."),
                    case, f"answered {answer}")
        return
    partner_group = chat != "unknown"
    if allowed:
        table.allowed += 1
        # every refusal is a popup (a card's "someone has it", "this has changed" too)
        table.check(answer.get("show_alert") is not True, case, f"refused: {answer}")
        table.check(h.store.db.writes > writes or sent_count(h) > calls, case, "did nothing")
        w.used()
        return
    table.refused += 1
    expected = (who_may(h, role) if partner_group and not role.allowed
                else nl(h, "This button does not work here."))
    table.check(answer.get("text") == expected and answer.get("show_alert") is True, case,
                f"answered {answer}, not a popup with {expected!r}")
    table.check(after == before, case, "changed the database")
    table.check(sent_count(h) == calls, case, "sent something")


async def command_case(w: World, table: Table, role: Role, person: Person, command: str,
                       chat: str, in_scope: set[str]) -> None:
    h = w.h
    chat_id = w.chat_id(chat, person)
    before, groups_before = await snapshot(h), len(h.fake.texts(chat_id))
    await h.feed(h.updates.text(person, command, chat_id=chat_id))
    after, said = await snapshot(h), h.fake.texts(chat_id)[groups_before:]
    case = f"{role.name} sends {command} in {chat}"
    table.check(after == before, case, "changed the database")
    if chat == "private":  # not a staff command there: the resident side answers
        table.refused += 1
        return
    elsewhere = (nl(h, "This command works in the coordinator group.") if command != "/broadcast"
                 else nl(h, "Broadcasts are sent from the housing corporation's group or the "
                            "coordinator group."))
    if chat not in in_scope:
        table.refused += 1
        table.check(said == [elsewhere], case, f"said {said}")
    elif not role.allowed:
        table.refused += 1
        table.check(said == [who_may(h, role)], case, f"said {said}")
    else:
        table.allowed += 1
        table.check(len(said) == 1 and said[0] not in (elsewhere, who_may(h, role)), case,
                    f"said {said}")


async def reply_case(w: World, table: Table, role: Role, person: Person) -> None:
    """A staff member's reply to the card: relayed to the resident only when they may act."""
    h = w.h
    ticket = await w.ticket("open", 0)
    group = h.group(GROUP)
    resident_before = len(h.fake.sent_to(w.resident_id))
    before = await snapshot(h)
    await h.feed(h.updates.text(person, "Wij bellen je morgen.", chat_id=group.chat_id,
                                reply_to=int(group.card(ticket.ref)["message_id"])))
    case = f"{role.name} replies to a card"
    got = h.fake.sent_to(w.resident_id)[resident_before:]
    if role.allowed:
        table.allowed += 1
        table.check(any("Wij bellen je morgen." in str(m.get("text")) for m in got), case,
                    "the resident did not get it")
        w.used()
        return
    table.refused += 1
    table.check(got == [] and await snapshot(h) == before, case, "it went out")
    table.check(group.texts()[-1] == who_may(h, role) + " "
                + nl(h, "The resident did not get this message."), case, group.texts()[-1])


@pytest.mark.parametrize("rule", list(MayAct))
async def test_every_action_by_chat_and_role(tmp_path: Path, site: SiteConfig,
                                             rule: MayAct) -> None:
    async with BotHarness.start(tmp_path / "bot.db", with_rule(site, rule)) as h:
        h.fake.add_group(UNKNOWN_CHAT, "Elsewhere")
        resident = await h.onboard("Amina", "ar")
        w, table = World(h, resident.person.id), Table()
        for role in (r for r in ROLES if r.rule is rule):
            person = Person(role.user_id, f"Staff {role.user_id}", language_code="nl")
            h.updates.register(person)
            for chat_id in [*(p.chat_id for p in h.services.site.partners), UNKNOWN_CHAT]:
                h.fake.set_member(chat_id, person.id, "administrator" if role.admin else "member")
            for chat in CHATS:
                for step, setup in CARD_CASES.items():
                    await press_case(w, table, role, person, step, setup, chat,
                                     {"responsible", "coordinator"})
                for step, setup in BROADCAST_CASES.items():
                    await press_case(w, table, role, person, step, setup, chat,
                                     {"responsible", "coordinator"})
                for command, scope in COMMANDS.items():
                    await command_case(w, table, role, person, command, chat, scope)
            await reply_case(w, table, role, person)
        assert table.failures == [], "\n".join(table.failures)
        assert table.allowed > 0 and (table.refused > 0)


async def test_a_new_admin_may_act_at_once_and_a_former_one_not_after_a_member_update(
        tmp_path: Path, site: SiteConfig) -> None:
    """Who the admins are is remembered a few minutes; a press by someone not in the list
    asks Telegram again, and a chat_member update makes it ask again for anyone."""
    async with BotHarness.start(tmp_path / "bot.db", with_rule(site, MayAct.ADMINS)) as h:
        amina = await h.onboard("Amina", "ar")
        ticket = await amina.report()
        g, tr = h.group(GROUP), h.tr("nl")
        sam = h.staff(GROUP, "Sam")
        await sam.press(g.card(ticket.ref), "📜 " + tr._("History"))
        assert h.fake.alerts[-1]["text"] == tr._("Only the group's admins can do this.")
        h.fake.set_member(g.chat_id, sam.person.id, "administrator")  # made admin
        h.clock.advance(seconds=10)
        await sam.press(g.card(ticket.ref), "✋ " + tr._("Claim"))
        assert h.fake.alerts[-1]["text"] == tr._("You have it now.")
        asked = sum(c.method == "getChatAdministrators" for c in h.fake.calls)
        h.fake.set_member(g.chat_id, sam.person.id, "member")  # and no longer
        await sam.press(g.card(ticket.ref), "📜 " + tr._("History"))  # remembered: still admin
        assert sum(c.method == "getChatAdministrators" for c in h.fake.calls) == asked
        await h.feed(h.updates.raw({"chat_member": {
            "chat": dict(h.fake.chats[g.chat_id].chat), "from": h.fake.users[sam.person.id],
            "date": int(h.fake.clock()),
            "old_chat_member": {"status": "administrator", "user": h.fake.users[sam.person.id],
                                "can_be_edited": False, "is_anonymous": False,
                                **dict.fromkeys(ADMIN_RIGHTS, True)},
            "new_chat_member": {"status": "member", "user": h.fake.users[sam.person.id]}}}))
        await sam.press(g.card(ticket.ref), "↩️ " + tr._("Release"))
        assert h.fake.alerts[-1]["text"] == tr._("Only the group's admins can do this.")
        assert (await h.store.tickets.get(ticket.id)).status == Status.CLAIMED


ADMIN_RIGHTS = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                "can_restrict_members", "can_promote_members", "can_change_info",
                "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories")
