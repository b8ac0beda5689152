"""Every button label fits its row on a phone, in every language.

A phone shows about 30 Latin characters on a full-width button and less per button when a row
holds 2 or 3 (the gaps take room too); beyond that Telegram cuts the label with "…", and a
resident who reads slowly sees half an answer. Labels are collected from what the bot really
sends: the resident flows are played through the harness in each language and every keyboard
the fake Bot API receives is measured; keyboards shown only in other situations (the renovation
notice, the partner card) are rendered directly.

Width is counted in "phone characters": a Latin, Arabic or Turkish letter is 1, a wide (east
Asian) character 2, an emoji 2; combining marks, variation selectors, joiners and bidi controls 0.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import language_name
from bot.render.card import card_keyboard
from bot.render.keyboard import fitting_rows, label_width, room
from bot.render.notices import answer_buttons
from bot.testing.harness import BotHarness, ResidentChat

# The budget per label and the width of a label are the bot's own (bot/render/keyboard.py),
# so the rows the bot packs and the rows this test measures agree.
LANGS = ["nl", "ar", "tr", "pl", "so", "ti", "en"]
FAQ_DIR = Path(__file__).resolve().parent.parent / "content" / "faq"
budget = room
width = label_width


def test_a_long_label_gets_a_row_of_its_own() -> None:
    buttons = [("👪 Parenting and youth", "a"), ("Care", "b"), ("Money", "c"), ("D", "d")]
    assert [[b for b, _ in row] for row in fitting_rows(buttons, 2)] == [
        ["👪 Parenting and youth"], ["Care", "Money"], ["D"]]


def rows_of(markup: Any) -> list[list[str]]:
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [[b["text"] if isinstance(b, dict) else str(b) for b in row] for row in rows]


def too_wide(rows: list[list[str]]) -> list[str]:
    out = []
    for row in rows:
        room = budget(len(row))
        for label in row:
            if width(label) > room:
                out.append(f"{label!r}: {width(label)} > {room:g} (row of {len(row)})")
    return out


def sent_keyboards(h: BotHarness) -> list[list[list[str]]]:
    return [rows_of(c.params.get("reply_markup")) for c in h.fake.calls
            if c.params.get("reply_markup")]


async def play_resident_flows(h: BotHarness, lang: str) -> ResidentChat:
    """Every resident flow once: the menus, a report, a request for help, the FAQ, privacy."""
    tr = h.tr(lang)
    rep = await h.onboard("Rep", lang)
    await rep.report_summary(lang=lang, voice=True)
    await rep.press(tr._("Change"))
    await rep.press(tr._("Where"))
    await rep.press("Zambesidreef")
    await rep.press(rep.buttons()[0])  # a stairwell
    await rep.press(rep.buttons()[0])  # a floor
    await rep.press(tr._("Send"))  # anonymous with a voice message: the warning's buttons
    await rep.press(tr._("Send anyway"))
    await rep.tap_menu(tr._("My requests"))

    helper = await h.onboard("Hulp", lang)
    await helper.tap_menu(tr._("Ask for help"))
    await helper.press(tr._("Money and debts"))
    await helper.send("Ik heb schulden")
    await helper.press(tr._("Next"))
    await helper.press(tr._("A phone call"))
    await helper.send("06 12345678")
    await helper.press(language_name(lang))
    await helper.press(tr._("Yes, share it"))

    q = await h.onboard("Vraag", lang)
    await q.tap_menu(tr._("Ask a question"))
    await q.press(q.buttons()[0])  # a subject
    await q.press(q.buttons()[0])  # an answer
    await q.tap_menu(tr._("Privacy"))
    await q.press(tr._("Delete my data"))
    await q.tap_menu(tr._("Language"))
    await q.send("/start")
    return rep


@pytest.mark.parametrize("lang", LANGS)
async def test_every_button_fits_its_row(h: BotHarness, lang: str) -> None:
    rep = await play_resident_flows(h, lang)
    keyboards = sent_keyboards(h)
    assert len(keyboards) >= 15, "the flows did not run: nothing to measure"
    tr = h.tr(lang)
    keyboards.append(rows_of(answer_buttons(tr, 1).to_dict()))
    [ticket] = await h.store.tickets.for_resident(rep.person.id)
    keyboards.append(rows_of(card_keyboard(tr, ticket).to_dict()))
    problems = sorted({p for rows in keyboards for p in too_wide(rows)})
    assert not problems, f"{lang}: buttons cut off on a phone:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_every_faq_question_fits_its_button(lang: str) -> None:
    """FAQ answers are listed as buttons, one per row, labelled with the question."""
    raw = tomllib.loads((FAQ_DIR / f"{lang}.toml").read_text(encoding="utf-8"))
    rows = [[i["question"]] for sec in raw["section"] for i in sec["item"]]
    rows += [[f"{sec['emoji']} {sec['title']}"] for sec in raw["section"]]
    assert len(rows) > 20
    assert not too_wide(rows), too_wide(rows)


def test_the_measure_counts_emoji_and_wide_script_and_catches_a_long_label() -> None:
    assert width("OK") == 2
    assert width("👍 OK") == 5
    assert width("🛋️ Rust") == 7  # the variation selector shows nothing
    assert width("\u2066/cancel\u2069") == 7
    assert width("漢字") == 4
    # the renovation answer as it was (issue 14): cut off on a phone
    old = "🛋️ Çalışmalar sırasında dinlenecek bir yere ihtiyacım var"
    assert too_wide([[old]])
    assert too_wide([["🧾 Uitkeringen en toeslagen", "x"]])  # two to a row: less room each
    assert not too_wide([["🧾 Uitkeringen en toeslagen"]])
    assert not too_wide([["🛋️ Dinlenecek yer lazım"]])
