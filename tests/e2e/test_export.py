""""Send me my data": the file holds everything the bot keeps about the resident (their requests
and what happened to them, the messages both ways with their machine translations, promises,
their home, their code attempts) and nothing about anyone else (another resident's words or id,
the team's internal notes, staff members' Telegram ids). Two residents, each export scanned for
the other's. Real Application, real SQLite, the fake Telegram and a fake translation service."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import SiteConfig, Translation
from bot.testing.fake_translate import FakeTranslateServer
from bot.testing.harness import BotHarness, ResidentChat, StaffMember
from tests.e2e.test_linking import codes

GROUP = "woningcorporatie"
STORY_AR = "جاري يشغل الموسيقى كل ليلة حتى الثالثة"
STORY_NL = "Mijn buurman draait elke nacht muziek tot drie uur"
REPLY_NL = "Wij komen morgen kijken."
REPLY_AR = "سنأتي غدًا لنرى."
ANSWER_AR = "أنا في البيت بعد الخامسة"
ANSWER_NL = "Ik ben thuis na vijf uur"
NOTE = "Intern: buurman Karel de Boer is eerder agressief geweest"
PIETS = "De lift in blok C staat al drie dagen stil"
PIET_ANSWER = "Ik woon op de achtste, met een rolstoel"
PIET_REPLY = "Wij bellen u vandaag nog over de lift."
HANDOVER = "Overdracht: meneer heeft schulden bij de huisbaas"
CANNED = {("ar", "nl", STORY_AR): STORY_NL, ("nl", "ar", REPLY_NL): REPLY_AR,
          ("ar", "nl", ANSWER_AR): ANSWER_NL}


@pytest.fixture
def server() -> Iterator[FakeTranslateServer]:
    with FakeTranslateServer(CANNED) as fake:
        yield fake


@pytest.fixture
async def th(tmp_path: Path, site: SiteConfig,
             server: FakeTranslateServer) -> AsyncIterator[BotHarness]:
    translated = site.model_copy(update={"translation": Translation(
        provider="libretranslate", url=server.url, timeout=0.3)})
    async with BotHarness.start(tmp_path / "bot.db", translated) as harness:
        yield harness


async def resident(h: BotHarness, name: str, last: str, lang: str) -> ResidentChat:
    chat = await h.onboard(name, lang)
    chat.person.last_name, chat.person.username = last, f"{name.lower()}_{last.lower()}"
    return chat


async def conversation(h: BotHarness, chat: ResidentChat, jan: StaffMember, lang: str,
                       story: str, reply: str, answer: str) -> Any:
    """A report with the first name, Jan's reply, the resident's answer, a team note, a
    promise and a wrong invitation code."""
    tr, gtr = h.tr(lang), h.tr("nl")
    ticket = await chat.report(text=story, anonymous=False, lang=lang)
    group = h.group(GROUP)
    await jan.reply(group.card(ticket.ref), reply)
    await chat.press(tr._("Answer"))
    await chat.send(answer)
    await jan.press(group.card(ticket.ref), gtr._("Add note"))
    await jan.reply(group.messages()[-1], NOTE + f" ({ticket.ref})")
    await jan.press(group.card(ticket.ref), "🤝 " + gtr._("Promise"))
    await jan.press_newest(gtr._("I will call"))
    await jan.press_newest(gtr._("Tomorrow"))
    await jan.press_newest(gtr._("in the morning").capitalize())
    await chat.send("QWERT23456")
    return ticket


async def export(h: BotHarness, chat: ResidentChat, lang: str) -> dict[str, Any]:
    """The file the resident gets from Privacy → Send me my data."""
    tr = h.tr(lang)
    await chat.tap_menu(tr._("Privacy"))
    await chat.press(tr._("Send me my data"))
    assert chat.new[-1]["caption"] == tr._("This is all we have stored about you.")
    [upload] = [u for u in h.fake.uploads
                if u.method == "sendDocument" and u.chat_id == chat.chat_id]
    data: dict[str, Any] = json.loads(upload.data.decode())
    return data


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(f"{m.get('text', '')}\n{m.get('translation', '')}" for m in messages)


async def test_each_export_has_all_of_its_own_and_nothing_of_the_others(
        th: BotHarness) -> None:
    h = th
    address = "Zambesidreef 12-B"
    code = (await codes(h))[address]
    jan = h.staff(GROUP, "Jan")
    amina = await resident(h, "Amina", "Haddad", "ar")
    await amina.send(code)
    mine = await conversation(h, amina, jan, "ar", STORY_AR, REPLY_NL, ANSWER_AR)
    piet = await resident(h, "Piet", "Vries", "nl")
    theirs = await conversation(h, piet, jan, "nl", PIETS, PIET_REPLY, PIET_ANSWER)
    await jan.press(h.group(GROUP).card(theirs.ref), h.tr("nl")._("Transfer"))  # with a note
    await jan.press_newest("Buurtbemiddeling")
    await jan.reply(h.group(GROUP).messages()[-1], HANDOVER)
    assert HANDOVER in "\n".join(h.group("buurtbemiddeling").texts())

    data = await export(h, amina, "ar")
    assert data["telegram_user_id"] == amina.person.id and data["language"] == "ar"
    [request] = data["requests"]
    assert request["ref"] == mine.ref and request["description"] == STORY_AR
    assert request["first_name"] == "Amina"
    # what happened, and who did it: the resident, the staff, the bot (never who on the staff)
    history = [(e["event"], e["by"]) for e in request["history"]]
    for step in (("created", "you"), ("claim", "staff"), ("reply", "staff"),
                 ("resident_message", "you"), ("note", "staff"), ("promise", "staff")):
        assert step in history
    assert all(set(e) <= {"at", "event", "by", "partner", "to", "reason", "answer", "consent",
                          "kind", "day", "part"} for e in request["history"])
    [promise] = request["promises"]
    assert (promise["kind"], promise["part"], promise["status"]) == ("call", "morning", "open")
    # the messages both ways, with the machine translations made for her
    to_her = texts(data["messages_to_you"])
    assert REPLY_NL in to_her and REPLY_AR in to_her
    staff_reply = next(m for m in data["messages_to_you"] if REPLY_NL in m.get("text", ""))
    assert staff_reply["translation"] == REPLY_AR and staff_reply["request"] == mine.ref
    from_her = texts(data["your_messages_to_partners"])
    assert ANSWER_AR in from_her and ANSWER_NL in from_her
    assert {t["text"] for t in data["translations"]} >= {STORY_NL, REPLY_AR, ANSWER_NL}
    assert len(data["wrong_code_attempts"]) == 1
    assert [f"{x['street']} {x['number']}-{x['addition']}" for x in data["homes"]] == [address]
    assert data["messages_in_your_chat_about_requests"]

    raw = json.dumps(data, ensure_ascii=False)
    for other in (str(piet.person.id), "Piet", "Vries", PIETS[:20], PIET_ANSWER[:20],
                  PIET_REPLY, theirs.ref, str(jan.person.id), "staff:", NOTE[:20]):
        assert other not in raw, other

    data = await export(h, piet, "nl")
    assert [r["description"] for r in data["requests"]] == [PIETS]
    [moved] = [e for e in data["requests"][0]["history"] if e["event"] == "transfer"]
    assert moved == {"at": moved["at"], "event": "transfer", "by": "staff",
                     "to": "buurtbemiddeling"}
    assert PIET_ANSWER in texts(data["your_messages_to_partners"])
    assert PIET_REPLY in texts(data["messages_to_you"])
    assert data["homes"] == [] and len(data["wrong_code_attempts"]) == 1
    raw = json.dumps(data, ensure_ascii=False)
    for other in (str(amina.person.id), "Amina", "Haddad", STORY_AR, STORY_NL, ANSWER_AR,
                  ANSWER_NL, REPLY_NL, REPLY_AR, mine.ref, str(jan.person.id), "staff:",
                  NOTE[:20], HANDOVER[:20]):
        assert other not in raw, other


async def test_an_export_after_delete_my_data_holds_nothing(th: BotHarness) -> None:
    h = th
    amina = await resident(h, "Amina", "Haddad", "ar")
    await conversation(h, amina, h.staff(GROUP, "Jan"), "ar", STORY_AR, REPLY_NL, ANSWER_AR)
    await h.store.privacy.erase(amina.person.id)
    data = await h.store.privacy.export(amina.person.id)
    assert data["requests"] == [] and "language" not in data
    assert not any(data[k] for k in ("messages_to_you", "your_messages_to_partners",
                                     "translations", "wrong_code_attempts", "homes",
                                     "messages_in_your_chat_about_requests"))
