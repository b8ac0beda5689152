"""`buurtbot demo`: the real bot, in-process, against a fake Telegram; no token, no network.

Three residents use the bot in their own language; each chat is printed as that person sees it.
Then a home visit: Fatima records it from her group, a warm referral reaches DOCK as a card and
Hodan reads in Somali who will contact her; the coordinator's /figures count it.
Time is an input: the demo plays on a fixed working day (bot/testing/moments.py), so it shows the
same thing at 3 a.m. on a Sunday as at 11:00 on a Tuesday.

Machine translation goes to the demo's stand-in translator: a small LibreTranslate-speaking
server on 127.0.0.1 (bot/testing/fake_translate.py) that knows the demo's own sentences
(bot/cli/demo_words.py), so the Arabic and Turkish words land on the Dutch cards in Dutch, and
the staff's Dutch answers reach Amina in Arabic and Mehmet in Turkish. It replaces whatever the
site file names (the speech service too), so the demo never reaches a real service.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from bot.cli.demo_words import (
    AMINA_QUESTION,
    AMINA_REPORT,
    DEMO_WORDS,
    FATIMA_ANSWER,
    FATIMA_REPLY,
    JOOST_REPLY,
    MEHMET_HELP,
)
from bot.config import SiteConfig, Speech, Translation
from bot.domain.visits import Outcome, RoundKind
from bot.i18n import language_name
from bot.render.labels import category_label
from bot.render.visits import kind_label, outcome_button
from bot.store.homes import NewHome
from bot.testing.fake_api import JSONDict
from bot.testing.fake_translate import FakeTranslateServer
from bot.testing.harness import WORKDAY_11, BotHarness, ResidentChat, workday_clock

WIDTH = 72
# The stand-in answers from 127.0.0.1 at once; the limit only matters if something is wrong.
STAND_IN_TIMEOUT = 2.0
STAND_IN = ("Translation: the demo's stand-in translator on 127.0.0.1 (canned sentences; "
            "configure LibreTranslate in the site file for real use)")


def banner(title: str) -> str:
    return f"\n{'=' * WIDTH}\n{title}\n{'=' * WIDTH}"


async def amina_reports_noise(h: BotHarness) -> ResidentChat:
    amina = await h.onboard("Amina", "ar")
    tr = h.tr("ar")
    await amina.tap_menu(tr._("Report a problem"))
    await amina.press(tr._("Noise"))
    await amina.send(AMINA_REPORT)
    await amina.photo()
    await amina.press(tr._("Next"))
    await amina.press("Zambesidreef")
    await amina.press("B")
    await amina.press(tr._("floor {n}", n=4).replace("\u2068", "").replace("\u2069", ""))
    await amina.press(tr._("Anonymous"))
    await amina.press(tr._("Send"))
    await amina.tap_menu(tr._("My requests"))
    return amina


async def mehmet_asks_help_with_debts(h: BotHarness) -> ResidentChat:
    mehmet = await h.onboard("Mehmet", "tr")
    tr = h.tr("tr")
    await mehmet.tap_menu(tr._("Ask for help"))
    await mehmet.press(tr._("Money and debts"))
    await mehmet.send(MEHMET_HELP)
    await mehmet.press(tr._("Next"))
    await mehmet.press(tr._("A phone call"))
    await mehmet.contact("+31612345678")
    await mehmet.press(language_name("tr"))
    await mehmet.press(tr._("Yes, share it"))
    return mehmet


async def els_asks_a_question(h: BotHarness) -> ResidentChat:
    els = await h.onboard("Els", "nl")
    tr = h.tr("nl")
    await els.tap_menu(tr._("Ask a question"))
    await els.send("logeerwoning")
    hits = els.buttons()
    if len(hits) > 1:
        await els.press(hits[0])
    await els.press(tr._("My question is not here"))
    await els.send("Mag mijn kat mee naar de logeerwoning?")
    await els.press(tr._("Next"))
    await els.press(tr._("Send"))
    return els


def newest(h: BotHarness, chat_id: int, since: int) -> JSONDict:
    """The first bot message in a chat after the first `since` ones: what a reply goes to."""
    sent = h.fake.sent_to(chat_id)
    if len(sent) <= since:
        raise RuntimeError(f"the demo expected a new message in chat {chat_id}")
    return sent[since]


async def resident_replies(h: BotHarness, resident: ResidentChat, to: JSONDict,
                           text: str) -> None:
    """The resident answers a message with Telegram's "reply" (swipe left on it)."""
    await h.feed(h.updates.text(resident.person, text, chat_id=resident.chat_id,
                                reply_to=int(to["message_id"])))


async def partner_handles_amina(h: BotHarness, amina: ResidentChat) -> None:
    """The housing corporation's group: the card, a claim, a quick reply that reaches Amina in
    Arabic, Fatima's own words, Amina's question and Fatima's answer, each reaching the other
    in their own language, the resolution, and Amina's answer."""
    group = h.group("woningcorporatie")
    fatima = h.staff("woningcorporatie", "Fatima")
    ntr = h.tr(h.services.site.partner("woningcorporatie").language)
    ref = (await h.store.tickets.for_resident(amina.person.id))[0].ref
    await fatima.press(group.card(ref), ntr._("Claim"))
    await fatima.press(group.card(ref), ntr._("Quick reply"))
    await fatima.press_newest("…")  # "We will come by on …": pick a day
    days = [b for m in group.messages()[-1:] for b in group.buttons(m)]
    await fatima.press_newest(days[1])
    seen = len(h.fake.sent_to(amina.chat_id))
    await fatima.reply(group.card(ref), FATIMA_REPLY)
    reply = newest(h, amina.chat_id, seen)  # Fatima's words, as they reached Amina
    seen = len(h.fake.sent_to(group.chat_id))
    await resident_replies(h, amina, reply, AMINA_QUESTION)
    question = newest(h, group.chat_id, seen)  # Amina's question, as it reached the group
    await fatima.reply(question, FATIMA_ANSWER)
    await fatima.press(group.card(ref), ntr._("Resolve"))
    await amina.press("👍")


async def werk_inkomen_answers_mehmet(h: BotHarness, mehmet: ResidentChat) -> str:
    """Werk & Inkomen's group: Joost answers Mehmet on the card in Dutch (the first answer
    picks the request up); Mehmet reads it in Turkish. Returns the partner's id."""
    ticket = (await h.store.tickets.for_resident(mehmet.person.id))[0]
    joost = h.staff(ticket.partner_id, "Joost")
    await joost.reply(h.group(ticket.partner_id).card(ticket.ref), JOOST_REPLY)
    return str(ticket.partner_id)


HODAN_HOME = NewHome("zambesidreef", "Zambesidreef", 20, "", "B", 2)
VISIT_NOTE = "Wil Nederlands leren, kinderen op de basisschool. Liever via de bot."


async def hodan_links_her_home(h: BotHarness) -> ResidentChat:
    """Hodan reads Somali; she typed the code from her letter, so her chat knows her home."""
    await h.store.homes.upsert([HODAN_HOME])
    [home] = [x for x in await h.store.homes.in_building("zambesidreef") if x.number == 20]
    code = (await h.store.homes.codes_for([home]))[home.id]
    hodan = await h.onboard("Hodan", "so")
    await hodan.send(code)
    return hodan


async def fatima_visits_hodan(h: BotHarness) -> None:
    """Fatima starts the closing visits round from her group and records her visit at Hodan's:
    spoken to, a warm referral to DOCK for Dutch lessons, with Hodan's consent."""
    tr, site = h.tr("nl"), h.services.site
    fatima = h.staff("woningcorporatie", "Fatima")
    await fatima.send("/visit")
    await fatima.press_newest("🏢 Zambesidreef")
    await fatima.press_newest(kind_label(tr, RoundKind.AFTER).capitalize())
    await fatima.send("Nazorg 2026")
    await fatima.press_newest(tr._("Skip"))  # no dates
    await fatima.send("20")
    await fatima.press_newest("🏠 Zambesidreef 20")
    await fatima.press_newest(outcome_button(tr, Outcome.SPOKEN))
    await fatima.press_newest(tr._("Skip"))  # no notes for the team
    await fatima.press_newest(site.partner_name("dock"))
    await fatima.press_newest(category_label(tr, site, "help", "language"))
    await fatima.send(VISIT_NOTE)
    await fatima.press_newest("👍 " + tr._("Yes"))  # Hodan agreed that DOCK hears of it
    await fatima.press_newest("💬 " + tr._("Through the bot"))
    await fatima.press_newest("✅ " + tr._("Done, save the visit"))


def stand_in(site: SiteConfig, server: FakeTranslateServer) -> SiteConfig:
    """The site with the stand-in as its translator (and speech service): never a real one."""
    return site.model_copy(update={
        "translation": Translation(provider="libretranslate", url=server.url,
                                   timeout=STAND_IN_TIMEOUT),
        "speech": Speech(provider="openai", url=server.url)})


def since(before: str, after: str) -> str:
    """What a chat shows now that it did not before (the whole chat if older lines changed)."""
    return after[len(before):].lstrip("\n") if after.startswith(before) else after


async def run_demo(site: SiteConfig) -> int:
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="buurtbot-demo-") as tmp, \
            FakeTranslateServer(DEMO_WORDS) as server:
        print(f"The demo plays on {WORKDAY_11:%A} {WORKDAY_11.day} {WORKDAY_11:%B %Y, %H:%M} "
              f"({WORKDAY_11.tzinfo}), whatever the time is now.")
        print(STAND_IN)
        async with BotHarness.start(Path(tmp) / "demo.db", stand_in(site, server),
                                    clock=workday_clock()) as h:
            scenes = [
                ("Amina (العربية) reports noise", amina_reports_noise),
                ("Mehmet (Türkçe) asks for help with debts", mehmet_asks_help_with_debts),
                ("Els (Nederlands) asks a question", els_asks_a_question),
            ]
            chats = []
            for title, scene in scenes:
                chat = await scene(h)
                chats.append(chat)
                print(banner(f"{title}: the chat as {chat.person.first_name} sees it"))
                print(chat.transcript())
            amina, mehmet = chats[0], chats[1]
            before = amina.transcript()
            await partner_handles_amina(h, amina)
            group = h.group("woningcorporatie")
            print(banner("The group of Woningcorporatie (Nederlands): Fatima claims, answers "
                         "and resolves"))
            print(group.transcript())
            print(banner("Amina's chat meanwhile, as she sees it (العربية)"))
            print(since(before, amina.transcript()))
            before = mehmet.transcript()
            partner = h.services.site.partner(await werk_inkomen_answers_mehmet(h, mehmet))
            print(banner(f"The group of {partner.name} ({language_name(partner.language)}): "
                         "Joost answers Mehmet"))
            print(h.group(partner.id).transcript())
            print(banner("Mehmet's chat meanwhile, as he sees it (Türkçe)"))
            print(since(before, mehmet.transcript()))
            hodan = await hodan_links_her_home(h)
            before = hodan.transcript()
            await fatima_visits_hodan(h)
            print(banner("A home visit: Fatima records it from her phone in her group"))
            print(h.group("woningcorporatie").transcript().split(FATIMA_ANSWER)[-1].lstrip("\n"))
            print(banner("The group of DOCK: the warm referral arrives as a card"))
            print(h.group("dock").transcript())
            print(banner("Hodan's chat, as she sees it (Soomaali)"))
            print(since(before, hodan.transcript()))
            coordinator = h.group(h.services.site.coordinator)
            await h.staff(h.services.site.coordinator, "Carla").send("/figures")
            print(banner("The coordinator's group: /figures (counts only, no names)"))
            print(coordinator.transcript())
            chats.append(hodan)
            tickets = [t for chat in chats
                       for t in await h.store.tickets.for_resident(chat.person.id)]
            print(banner("Stored requests and where they went"))
            for t in sorted(tickets, key=lambda t: t.id):
                anon = " anonymous" if t.anonymous else ""
                print(f"{t.ref}  {t.kind.value:<9} {t.category:<10} -> "
                      f"{t.partner_id:<17} {t.status.value}{anon}")
            if h.fake.unknown_methods:
                print(f"unexpected Bot API methods: {h.fake.unknown_methods}")
                return 1
    return 0
