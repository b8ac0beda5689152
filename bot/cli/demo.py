"""`buurtbot demo`: the real bot, in-process, against a fake Telegram; no token, no network.

Three residents use the bot in their own language; each chat is printed as that person sees it.
Time is an input: the demo plays on a fixed working day (bot/testing/moments.py), so it shows the
same thing at 3 a.m. on a Sunday as at 11:00 on a Tuesday.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from bot.config import SiteConfig
from bot.i18n import language_name
from bot.testing.harness import WORKDAY_11, BotHarness, ResidentChat, workday_clock

WIDTH = 72


def banner(title: str) -> str:
    return f"\n{'=' * WIDTH}\n{title}\n{'=' * WIDTH}"


async def amina_reports_noise(h: BotHarness) -> ResidentChat:
    amina = await h.onboard("Amina", "ar")
    tr = h.tr("ar")
    await amina.tap_menu(tr._("Report a problem"))
    await amina.press(tr._("Noise"))
    await amina.send("موسيقى عالية كل ليلة بعد منتصف الليل في الطابق الرابع")
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
    await mehmet.send("Elektrik faturasını ödeyemiyorum. Mektupları anlamıyorum.")
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


async def partner_handles_amina(h: BotHarness, amina: ResidentChat) -> list[str]:
    """The housing corporation's group: the card, a claim, a quick reply that reaches Amina in
    Arabic, the resolution, and Amina's answer."""
    group = h.group("woningcorporatie")
    fatima = h.staff("woningcorporatie", "Fatima")
    ntr = h.tr(h.services.site.partner("woningcorporatie").language)
    before = len(h.fake.sent_to(amina.chat_id))
    ref = (await h.store.tickets.for_resident(amina.person.id))[0].ref
    await fatima.press(group.card(ref), ntr._("Claim"))
    await fatima.press(group.card(ref), ntr._("Quick reply"))
    await fatima.press_newest("…")  # "We will come by on …": pick a day
    days = [b for m in group.messages()[-1:] for b in group.buttons(m)]
    await fatima.press_newest(days[1])
    await fatima.reply(group.card(ref), "Wij nemen ook een geluidsmeter mee.")
    await fatima.press(group.card(ref), ntr._("Resolve"))
    await amina.press("👍")
    return [str(m.get("text", "")) for m in h.fake.sent_to(amina.chat_id)[before:]]


async def run_demo(site: SiteConfig) -> int:
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="buurtbot-demo-") as tmp:
        print(f"The demo plays on {WORKDAY_11:%A} {WORKDAY_11.day} {WORKDAY_11:%B %Y, %H:%M} "
              f"({WORKDAY_11.tzinfo}), whatever the time is now.")
        async with BotHarness.start(Path(tmp) / "demo.db", site, clock=workday_clock()) as h:
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
            later = await partner_handles_amina(h, chats[0])
            group = h.group("woningcorporatie")
            print(banner("The group of Woningcorporatie: Fatima claims, answers and resolves"))
            print(group.transcript())
            print(banner("What Amina receives meanwhile, in Arabic"))
            print("\n".join(later))
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
