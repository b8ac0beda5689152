"""The demo's canned translations: what its stand-in translator (bot/testing/fake_translate.py)
answers for the sentences the demo's people write, written by people, not by a machine.

Keyed by (source, target, text) with the text exactly as the person typed it, the way the bot
asks the service for it. A text that is not here comes back from the stand-in as "[nl] <text>",
so a sentence added to the demo without its translation shows at once. A real site configures
LibreTranslate (or DeepL) in its site file instead; nothing here is used outside the demo.
"""

from __future__ import annotations

# Amina (Arabic) reports noise; it lands on the card of Woningcorporatie (Dutch).
AMINA_REPORT = "موسيقى عالية كل ليلة بعد منتصف الليل في الطابق الرابع"
# Mehmet (Turkish) asks for help with debts; it lands on the card of Werk & Inkomen (Dutch).
MEHMET_HELP = "Elektrik faturasını ödeyemiyorum. Mektupları anlamıyorum."
# Fatima (Woningcorporatie, Dutch) answers Amina in her own words, after a quick reply that
# said which day they come.
FATIMA_REPLY = "Wij nemen ook een geluidsmeter mee."
# Amina answers Fatima's message: "At what time are you coming?"
AMINA_QUESTION = "في أي ساعة ستأتون؟"
# Fatima answers that.
FATIMA_ANSWER = "We komen tussen 10 en 12 uur 's ochtends."
# Joost (Werk & Inkomen, Dutch) answers Mehmet on his card.
JOOST_REPLY = "We bellen je morgen om 10 uur. Leg de brieven alvast klaar."

DEMO_WORDS: dict[tuple[str, str, str], str] = {
    ("ar", "nl", AMINA_REPORT):
        "Elke nacht na middernacht harde muziek op de vierde verdieping.",
    ("tr", "nl", MEHMET_HELP):
        "Ik kan de elektriciteitsrekening niet betalen. Ik begrijp de brieven niet.",
    ("nl", "ar", FATIMA_REPLY):
        "سنحضر معنا أيضًا جهازًا لقياس مستوى الصوت.",
    ("ar", "nl", AMINA_QUESTION):
        "Hoe laat komen jullie?",
    ("nl", "ar", FATIMA_ANSWER):
        "سنأتي بين الساعة العاشرة صباحًا والثانية عشرة ظهرًا.",
    ("nl", "tr", JOOST_REPLY):
        "Yarın saat 10'da sizi arayacağız. Mektupları şimdiden hazırlayın.",
}
