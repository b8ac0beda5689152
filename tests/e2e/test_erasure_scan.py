"""After "delete my data", nothing in the database ties the resident to their words: every table
and every column of the schema is scanned (not a list of known places) for their Telegram id,
names, username, phone number and what they wrote."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.store.due import schedule
from bot.testing.harness import BotHarness, ResidentChat

GROUP = "woningcorporatie"
STORY = "Mijn naam is Amina Haddad, bel me op 0612345678, de buren draaien elke nacht muziek"
ANSWER = "Ja graag, na vijf uur ben ik thuis"


async def everything(h: BotHarness) -> list[tuple[str, str, Any]]:
    """(table, column, value) of every cell in the database."""
    db = h.store.db
    cells = []
    for (table,) in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'"):
        columns = [r[1] for r in await db.fetchall(f"PRAGMA table_info({table})")]
        for row in await db.fetchall(f"SELECT * FROM {table}"):
            cells += [(table, column, value) for column, value in zip(columns, row, strict=True)]
    return cells


def traces(cells: list[tuple[str, str, Any]], amina: ResidentChat) -> list[str]:
    person = amina.person
    needles = [str(person.id), person.first_name, person.last_name or "", person.username or "",
               "0612345678", "06 12345678", STORY[:20], ANSWER[:20]]
    return [f"{table}.{column} = {str(value)[:80]!r} (has {needle!r})"
            for table, column, value in cells if value is not None
            for needle in needles if needle and needle in str(value)]


async def test_nothing_of_the_resident_is_left_after_erasure(h: BotHarness) -> None:
    amina = h.resident("Amina", "nl")
    amina.person.last_name, amina.person.username = "Haddad", "amina_h_1987"
    await amina.send("/start")
    await amina.press("Nederlands")
    ticket = await amina.report(text=STORY, lang="nl")  # anonymous
    jan, group = h.staff(GROUP, "Jan"), h.group(GROUP)
    await jan.reply(group.card(ticket.ref), "Kunnen we je morgen bellen?")
    await amina.press(h.tr("nl")._("Answer"))
    await amina.send(ANSWER)
    await jan.press(group.card(ticket.ref), h.tr("nl")._("Add note"))
    await jan.reply(group.messages()[-1], "Amina Haddad, 0612345678: bellen na vijf uur")
    # a handover whose note names her: the note travels in the new group's message
    await jan.press(group.card(ticket.ref), "🔁 " + h.tr("nl")._("Transfer"))
    await jan.press_newest(h.services.site.partner_name("buurtbemiddeling"))
    await jan.reply(group.messages()[-1], "Graag bemiddelen, Amina Haddad belt na vijf uur")
    assert "Amina Haddad" in " ".join(h.group("buurtbemiddeling").texts())
    # what a translator outage leaves planned for her chat: edit in the translation later
    # (bot/messaging/translating.py), about her request and about a notice with no request
    async with h.store.db.transaction() as tx:
        for ticket_id, key in ((ticket.id, "a"), (None, "b")):
            await schedule(tx, h.clock(), kind="text_translate", ticket_id=ticket_id,
                           due_at=h.clock() + timedelta(minutes=1), dedupe=f"text_translate:{key}",
                           chat=amina.chat_id, attempt=1)
    assert traces(await everything(h), amina)  # the scan finds them while they are there
    tr = h.tr("nl")
    await amina.tap_menu(tr._("Privacy"))
    await amina.press(tr._("Delete my data"))
    await amina.press(tr._("Yes, delete everything"))
    left = traces(await everything(h), amina)
    assert not left, "\n".join(left)
