"""Every plural text reads right for every count, whatever the catalog's Plural-Forms header says.

The table below is the grammar, written out per CLDR plural category as a native speaker says it.
The category of a count comes from Babel's CLDR rules (`Locale.plural_form`), not from the
catalog's header; the text comes from the bot's own Translator. So a header whose indexes do not
match the msgstr[i] order (as when Babel 2.19 swapped Arabic "many" and "other") fails here.

Arabic: zero and one take the singular, two the dual, few (n % 100 in 3..10) the plural, many
(n % 100 in 11..99) the accusative singular ("11 يومًا"), other (100, 101, 102, 1000, ...) the
genitive singular ("100 يوم"). A feminine noun in -ة shows no alif for the accusative, and a noun
in a construct ("يوم عمل") takes no tanween, so there many and other are spelt alike.
Turkish keeps the noun singular after a number: one and other are the same text.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from bot.i18n import I18n, Translator
from bot.i18n.catalogs import LOCALES_DIR, po_path

LANGS = sorted(p.name for p in LOCALES_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())
COUNTS = range(1001)
OTHER_VALUES = {"first": "2 March", "last": "27 March"}  # the renovation line's dates

PLURALS: dict[str, dict[str, dict[str, str]]] = {
    "ar": {
        "How long: we delete a request {n} day after it is closed.": {
            "zero": "المدة: نحذف الطلب بعد {n} يوم من إغلاقه.",
            "one": "المدة: نحذف الطلب بعد {n} يوم من إغلاقه.",
            "two": "المدة: نحذف الطلب بعد يومين ({n}) من إغلاقه.",
            "few": "المدة: نحذف الطلب بعد {n} أيام من إغلاقه.",
            "many": "المدة: نحذف الطلب بعد {n} يومًا من إغلاقه.",
            "other": "المدة: نحذف الطلب بعد {n} يوم من إغلاقه.",
        },
        "Preview. This goes to {n} resident:": {
            "zero": "معاينة. سيصل هذا إلى {n} ساكن:",
            "one": "معاينة. سيصل هذا إلى ساكن واحد ({n}):",
            "two": "معاينة. سيصل هذا إلى ساكنَين ({n}):",
            "few": "معاينة. سيصل هذا إلى {n} سكان:",
            "many": "معاينة. سيصل هذا إلى {n} ساكنًا:",
            "other": "معاينة. سيصل هذا إلى {n} ساكن:",
        },
        "Sending to {n} resident.": {
            "zero": "جارٍ الإرسال إلى {n} ساكن.",
            "one": "جارٍ الإرسال إلى ساكن واحد ({n}).",
            "two": "جارٍ الإرسال إلى ساكنَين ({n}).",
            "few": "جارٍ الإرسال إلى {n} سكان.",
            "many": "جارٍ الإرسال إلى {n} ساكنًا.",
            "other": "جارٍ الإرسال إلى {n} ساكن.",
        },
        "Sending to {n} resident. You will see the progress here.": {
            "zero": "جارٍ الإرسال إلى {n} ساكن. سترى التقدم هنا.",
            "one": "جارٍ الإرسال إلى ساكن واحد ({n}). سترى التقدم هنا.",
            "two": "جارٍ الإرسال إلى ساكنَين ({n}). سترى التقدم هنا.",
            "few": "جارٍ الإرسال إلى {n} سكان. سترى التقدم هنا.",
            "many": "جارٍ الإرسال إلى {n} ساكنًا. سترى التقدم هنا.",
            "other": "جارٍ الإرسال إلى {n} ساكن. سترى التقدم هنا.",
        },
        "Your renovation: {n} work day between {first} and {last}.": {
            "zero": "التجديد: {n} يوم عمل بين {first} و{last}.",
            "one": "التجديد: يوم عمل واحد ({n}) بين {first} و{last}.",
            "two": "التجديد: يوما عمل ({n}) بين {first} و{last}.",
            "few": "التجديد: {n} أيام عمل بين {first} و{last}.",
            "many": "التجديد: {n} يوم عمل بين {first} و{last}.",
            "other": "التجديد: {n} يوم عمل بين {first} و{last}.",
        },
        "and {n} more": {
            "zero": "و{n} غيرها",
            "one": "وواحد غيره ({n})",
            "two": "واثنان غيرهما ({n})",
            "few": "و{n} غيرها",
            "many": "و{n} غيرها",
            "other": "و{n} غيرها",
        },
        "and {n} more building (see the table)": {
            "zero": "و{n} مبنى آخر (انظر الجدول)",
            "one": "و{n} مبنى آخر (انظر الجدول)",
            "two": "ومبنيان آخران ({n}) (انظر الجدول)",
            "few": "و{n} مبانٍ أخرى (انظر الجدول)",
            "many": "و{n} مبنى آخر (انظر الجدول)",
            "other": "و{n} مبنى آخر (انظر الجدول)",
        },
        "the oldest waits {n} day": {
            "zero": "الأقدم ينتظر منذ {n} يوم",
            "one": "الأقدم ينتظر منذ {n} يوم",
            "two": "الأقدم ينتظر منذ يومين ({n})",
            "few": "الأقدم ينتظر منذ {n} أيام",
            "many": "الأقدم ينتظر منذ {n} يومًا",
            "other": "الأقدم ينتظر منذ {n} يوم",
        },
        "waiting {n} day": {
            "zero": "ينتظر منذ {n} يوم",
            "one": "ينتظر منذ {n} يوم",
            "two": "ينتظر منذ يومين ({n})",
            "few": "ينتظر منذ {n} أيام",
            "many": "ينتظر منذ {n} يومًا",
            "other": "ينتظر منذ {n} يوم",
        },
        "{n} message will be sent again.": {
            "zero": "سيُعاد إرسال {n} رسالة.",
            "one": "سيُعاد إرسال {n} رسالة.",
            "two": "سيُعاد إرسال رسالتين ({n}).",
            "few": "سيُعاد إرسال {n} رسائل.",
            "many": "سيُعاد إرسال {n} رسالة.",
            "other": "سيُعاد إرسال {n} رسالة.",
        },
        "{n} open": {
            "zero": "{n} طلب مفتوح",
            "one": "{n} طلب مفتوح",
            "two": "طلبان مفتوحان ({n})",
            "few": "{n} طلبات مفتوحة",
            "many": "{n} طلبًا مفتوحًا",
            "other": "{n} طلب مفتوح",
        },
        "{n} photo": {
            "zero": "{n} صورة",
            "one": "{n} صورة",
            "two": "صورتان ({n})",
            "few": "{n} صور",
            "many": "{n} صورة",
            "other": "{n} صورة",
        },
        "{n} request is overdue:": {
            "zero": "{n} طلب متأخر:",
            "one": "{n} طلب متأخر:",
            "two": "طلبان متأخران ({n}):",
            "few": "{n} طلبات متأخرة:",
            "many": "{n} طلبًا متأخرًا:",
            "other": "{n} طلب متأخر:",
        },
        "{n} voice message": {
            "zero": "{n} رسالة صوتية",
            "one": "{n} رسالة صوتية",
            "two": "رسالتان صوتيتان ({n})",
            "few": "{n} رسائل صوتية",
            "many": "{n} رسالة صوتية",
            "other": "{n} رسالة صوتية",
        },
    },
    "tr": {
        "How long: we delete a request {n} day after it is closed.": {
            "one": "Ne kadar saklıyoruz: İstek kapandıktan {n} gün sonra sileriz.",
            "other": "Ne kadar saklıyoruz: İstek kapandıktan {n} gün sonra sileriz.",
        },
        "Preview. This goes to {n} resident:": {
            "one": "Önizleme. Bu mesaj {n} sakine gidecek:",
            "other": "Önizleme. Bu mesaj {n} sakine gidecek:",
        },
        "Sending to {n} resident.": {
            "one": "{n} sakine gönderiliyor.",
            "other": "{n} sakine gönderiliyor.",
        },
        "Sending to {n} resident. You will see the progress here.": {
            "one": "{n} sakine gönderiliyor. İlerlemeyi burada göreceksiniz.",
            "other": "{n} sakine gönderiliyor. İlerlemeyi burada göreceksiniz.",
        },
        "Your renovation: {n} work day between {first} and {last}.": {
            "one": "Tadilatınız: {first} ile {last} arasında {n} çalışma günü.",
            "other": "Tadilatınız: {first} ile {last} arasında {n} çalışma günü.",
        },
        "and {n} more": {
            "one": "ve {n} tane daha",
            "other": "ve {n} tane daha",
        },
        "and {n} more building (see the table)": {
            "one": "ve {n} bina daha (tabloya bakın)",
            "other": "ve {n} bina daha (tabloya bakın)",
        },
        "the oldest waits {n} day": {
            "one": "en eskisi {n} gündür bekliyor",
            "other": "en eskisi {n} gündür bekliyor",
        },
        "waiting {n} day": {
            "one": "{n} gündür bekliyor",
            "other": "{n} gündür bekliyor",
        },
        "{n} message will be sent again.": {
            "one": "{n} mesaj yeniden gönderilecek.",
            "other": "{n} mesaj yeniden gönderilecek.",
        },
        "{n} open": {
            "one": "{n} açık",
            "other": "{n} açık",
        },
        "{n} photo": {
            "one": "{n} fotoğraf",
            "other": "{n} fotoğraf",
        },
        "{n} request is overdue:": {
            "one": "Süresi geçen {n} istek var:",
            "other": "Süresi geçen {n} istek var:",
        },
        "{n} voice message": {
            "one": "{n} sesli mesaj",
            "other": "{n} sesli mesaj",
        },
    },
    "nl": {
        "How long: we delete a request {n} day after it is closed.": {
            "one": "Hoe lang: we wissen een aanvraag {n} dag nadat die is afgesloten.",
            "other": "Hoe lang: we wissen een aanvraag {n} dagen nadat die is afgesloten.",
        },
        "Preview. This goes to {n} resident:": {
            "one": "Voorbeeld. Dit gaat naar {n} bewoner:",
            "other": "Voorbeeld. Dit gaat naar {n} bewoners:",
        },
        "Sending to {n} resident.": {
            "one": "Versturen naar {n} bewoner.",
            "other": "Versturen naar {n} bewoners.",
        },
        "Sending to {n} resident. You will see the progress here.": {
            "one": "Versturen naar {n} bewoner. Je ziet de voortgang hier.",
            "other": "Versturen naar {n} bewoners. Je ziet de voortgang hier.",
        },
        "Your renovation: {n} work day between {first} and {last}.": {
            "one": "Je renovatie: {n} werkdag tussen {first} en {last}.",
            "other": "Je renovatie: {n} werkdagen tussen {first} en {last}.",
        },
        "and {n} more": {
            "one": "en nog {n}",
            "other": "en nog {n}",
        },
        "and {n} more building (see the table)": {
            "one": "en nog {n} gebouw (zie de tabel)",
            "other": "en nog {n} gebouwen (zie de tabel)",
        },
        "the oldest waits {n} day": {
            "one": "de oudste wacht {n} dag",
            "other": "de oudste wacht {n} dagen",
        },
        "waiting {n} day": {
            "one": "wacht al {n} dag",
            "other": "wacht al {n} dagen",
        },
        "{n} message will be sent again.": {
            "one": "{n} bericht wordt opnieuw verstuurd.",
            "other": "{n} berichten worden opnieuw verstuurd.",
        },
        "{n} open": {
            "one": "{n} open",
            "other": "{n} open",
        },
        "{n} photo": {
            "one": "{n} foto",
            "other": "{n} foto's",
        },
        "{n} request is overdue:": {
            "one": "{n} aanvraag is te laat:",
            "other": "{n} aanvragen zijn te laat:",
        },
        "{n} voice message": {
            "one": "{n} spraakbericht",
            "other": "{n} spraakberichten",
        },
    },
    "en": {
        "How long: we delete a request {n} day after it is closed.": {
            "one": "How long: we delete a request {n} day after it is closed.",
            "other": "How long: we delete a request {n} days after it is closed.",
        },
        "Preview. This goes to {n} resident:": {
            "one": "Preview. This goes to {n} resident:",
            "other": "Preview. This goes to {n} residents:",
        },
        "Sending to {n} resident.": {
            "one": "Sending to {n} resident.",
            "other": "Sending to {n} residents.",
        },
        "Sending to {n} resident. You will see the progress here.": {
            "one": "Sending to {n} resident. You will see the progress here.",
            "other": "Sending to {n} residents. You will see the progress here.",
        },
        "Your renovation: {n} work day between {first} and {last}.": {
            "one": "Your renovation: {n} work day between {first} and {last}.",
            "other": "Your renovation: {n} work days between {first} and {last}.",
        },
        "and {n} more": {
            "one": "and {n} more",
            "other": "and {n} more",
        },
        "and {n} more building (see the table)": {
            "one": "and {n} more building (see the table)",
            "other": "and {n} more buildings (see the table)",
        },
        "the oldest waits {n} day": {
            "one": "the oldest waits {n} day",
            "other": "the oldest waits {n} days",
        },
        "waiting {n} day": {
            "one": "waiting {n} day",
            "other": "waiting {n} days",
        },
        "{n} message will be sent again.": {
            "one": "{n} message will be sent again.",
            "other": "{n} messages will be sent again.",
        },
        "{n} open": {
            "one": "{n} open",
            "other": "{n} open",
        },
        "{n} photo": {
            "one": "{n} photo",
            "other": "{n} photos",
        },
        "{n} request is overdue:": {
            "one": "{n} request is overdue:",
            "other": "{n} requests are overdue:",
        },
        "{n} voice message": {
            "one": "{n} voice message",
            "other": "{n} voice messages",
        },
    },
    "pl": {
        "How long: we delete a request {n} day after it is closed.": {
            "one": "Jak długo: usuwamy sprawę {n} dzień po jej zamknięciu.",
            "few": "Jak długo: usuwamy sprawę {n} dni po jej zamknięciu.",
            "many": "Jak długo: usuwamy sprawę {n} dni po jej zamknięciu.",
            "other": "Jak długo: usuwamy sprawę {n} dnia po jej zamknięciu.",
        },
        "Preview. This goes to {n} resident:": {
            "one": "Podgląd. To trafi do {n} mieszkańca:",
            "few": "Podgląd. To trafi do {n} mieszkańców:",
            "many": "Podgląd. To trafi do {n} mieszkańców:",
            "other": "Podgląd. To trafi do {n} mieszkańca:",
        },
        "Sending to {n} resident.": {
            "one": "Wysyłanie do {n} mieszkańca.",
            "few": "Wysyłanie do {n} mieszkańców.",
            "many": "Wysyłanie do {n} mieszkańców.",
            "other": "Wysyłanie do {n} mieszkańców.",
        },
        "Sending to {n} resident. You will see the progress here.": {
            "one": "Wysyłanie do {n} mieszkańca. Postęp będzie widoczny tutaj.",
            "few": "Wysyłanie do {n} mieszkańców. Postęp będzie widoczny tutaj.",
            "many": "Wysyłanie do {n} mieszkańców. Postęp będzie widoczny tutaj.",
            "other": "Wysyłanie do {n} mieszkańca. Postęp będzie widoczny tutaj.",
        },
        "Your renovation: {n} work day between {first} and {last}.": {
            "one": "Remont: {n} dzień prac, od {first} do {last}.",
            "few": "Remont: {n} dni prac, od {first} do {last}.",
            "many": "Remont: {n} dni prac, od {first} do {last}.",
            "other": "Remont: {n} dnia prac, od {first} do {last}.",
        },
        "and {n} more": {
            "one": "i jeszcze {n}",
            "few": "i jeszcze {n}",
            "many": "i jeszcze {n}",
            "other": "i jeszcze {n}",
        },
        "and {n} more building (see the table)": {
            "one": "i jeszcze {n} budynek (szczegóły w tabeli)",
            "few": "i jeszcze {n} budynki (szczegóły w tabeli)",
            "many": "i jeszcze {n} budynków (szczegóły w tabeli)",
            "other": "i jeszcze {n} budynki (szczegóły w tabeli)",
        },
        "the oldest waits {n} day": {
            "one": "najstarsza czeka od {n} dnia",
            "few": "najstarsza czeka od {n} dni",
            "many": "najstarsza czeka od {n} dni",
            "other": "najstarsza czeka od {n} dni",
        },
        "waiting {n} day": {
            "one": "czeka {n} dzień",
            "few": "czeka {n} dni",
            "many": "czeka {n} dni",
            "other": "czeka {n} dnia",
        },
        "{n} message will be sent again.": {
            "one": "{n} wiadomość zostanie wysłana ponownie.",
            "few": "{n} wiadomości zostaną wysłane ponownie.",
            "many": "{n} wiadomości zostanie wysłanych ponownie.",
            "other": "{n} wiadomości zostanie wysłane ponownie.",
        },
        "{n} open": {
            "one": "{n} otwarta",
            "few": "{n} otwarte",
            "many": "{n} otwartych",
            "other": "{n} otwarte",
        },
        "{n} photo": {
            "one": "{n} zdjęcie",
            "few": "{n} zdjęcia",
            "many": "{n} zdjęć",
            "other": "{n} zdjęcia",
        },
        "{n} request is overdue:": {
            "one": "{n} sprawa po terminie:",
            "few": "{n} sprawy po terminie:",
            "many": "{n} spraw po terminie:",
            "other": "{n} sprawy po terminie:",
        },
        "{n} voice message": {
            "one": "{n} wiadomość głosowa",
            "few": "{n} wiadomości głosowe",
            "many": "{n} wiadomości głosowych",
            "other": "{n} wiadomości głosowej",
        },
    },
    "so": {
        "How long: we delete a request {n} day after it is closed.": {
            "one": "Muddada: codsiga waxaan tirtirnaa {n} maalin kadib marka la xiro.",
            "other": "Muddada: codsiga waxaan tirtirnaa {n} maalmood kadib marka la xiro.",
        },
        "Preview. This goes to {n} resident:": {
            "one": "Horudhac. Tan waxay gaaraysaa {n} qof oo deggan:",
            "other": "Horudhac. Tan waxay gaaraysaa {n} qof oo deggan:",
        },
        "Sending to {n} resident.": {
            "one": "Waxaa loo dirayaa {n} qof oo deggan.",
            "other": "Waxaa loo dirayaa {n} qof oo deggan.",
        },
        "Sending to {n} resident. You will see the progress here.": {
            "one": ("Waxaa loo dirayaa {n} qof oo deggan. Halkan ayaad ka arki "
                "doontaa sida ay u socoto."),
            "other": ("Waxaa loo dirayaa {n} qof oo deggan. Halkan ayaad ka arki "
                "doontaa sida ay u socoto."),
        },
        "Your renovation: {n} work day between {first} and {last}.": {
            "one": "Dayactirkaaga: {n} maalin oo shaqo ah, inta u dhexeysa {first} iyo {last}.",
            "other": "Dayactirkaaga: {n} maalmood oo shaqo ah, inta u dhexeysa {first} iyo {last}.",
        },
        "and {n} more": {
            "one": "iyo {n} kale",
            "other": "iyo {n} kale",
        },
        "and {n} more building (see the table)": {
            "one": "iyo {n} dhismo kale (eeg shaxda)",
            "other": "iyo {n} dhismo kale (eeg shaxda)",
        },
        "the oldest waits {n} day": {
            "one": "kan ugu qadiimsan wuxuu sugayaa {n} maalin",
            "other": "kan ugu qadiimsan wuxuu sugayaa {n} maalmood",
        },
        "waiting {n} day": {
            "one": "sugaya {n} maalin",
            "other": "sugaya {n} maalmood",
        },
        "{n} message will be sent again.": {
            "one": "{n} fariin ayaa mar kale la diri doonaa.",
            "other": "{n} fariimood ayaa mar kale la diri doonaa.",
        },
        "{n} open": {
            "one": "{n} furan",
            "other": "{n} furan",
        },
        "{n} photo": {
            "one": "{n} sawir",
            "other": "{n} sawir",
        },
        "{n} request is overdue:": {
            "one": "{n} codsi ayaa dib u dhacay:",
            "other": "{n} codsi ayaa dib u dhacay:",
        },
        "{n} voice message": {
            "one": "{n} fariin cod ah",
            "other": "{n} fariimood oo cod ah",
        },
    },
    "ti": {
        "How long: we delete a request {n} day after it is closed.": {
            "one": "ክንደይ ግዜ: ጠለብ ምስ ተዓጽወ፡ ድሕሪ {n} መዓልቲ ንድምስሶ።",
            "other": "ክንደይ ግዜ: ጠለብ ምስ ተዓጽወ፡ ድሕሪ {n} መዓልቲ ንድምስሶ።",
        },
        "Preview. This goes to {n} resident:": {
            "one": "ከምዚ ክመስል እዩ። ናብ {n} ተቐማጢ ይኸይድ:",
            "other": "ከምዚ ክመስል እዩ። ናብ {n} ተቐማጦ ይኸይድ:",
        },
        "Sending to {n} resident.": {
            "one": "ናብ {n} ተቐማጢ ይስደድ ኣሎ።",
            "other": "ናብ {n} ተቐማጦ ይስደድ ኣሎ።",
        },
        "Sending to {n} resident. You will see the progress here.": {
            "one": "ናብ {n} ተቐማጢ ይስደድ ኣሎ። ከመይ ይኸይድ ከም ዘሎ ኣብዚ ክትርእዩ ኢኹም።",
            "other": "ናብ {n} ተቐማጦ ይስደድ ኣሎ። ከመይ ይኸይድ ከም ዘሎ ኣብዚ ክትርእዩ ኢኹም።",
        },
        "Your renovation: {n} work day between {first} and {last}.": {
            "one": "ምሕዳስ ገዛኹም: ካብ {first} ክሳብ {last}፡ {n} መዓልቲ ስራሕ።",
            "other": "ምሕዳስ ገዛኹም: ካብ {first} ክሳብ {last}፡ {n} መዓልቲ ስራሕ።",
        },
        "and {n} more": {
            "one": "ከምኡውን {n} ተወሳኺ",
            "other": "ከምኡውን {n} ተወሳኺ",
        },
        "and {n} more building (see the table)": {
            "one": "ከምኡውን {n} ተወሳኺ ህንጻ (ሰሌዳ ርኣዩ)",
            "other": "ከምኡውን {n} ተወሳኺ ህንጻታት (ሰሌዳ ርኣዩ)",
        },
        "the oldest waits {n} day": {
            "one": "እቲ ዝነውሐ ዝጸንሐ {n} መዓልቲ ይጽበ ኣሎ",
            "other": "እቲ ዝነውሐ ዝጸንሐ {n} መዓልቲ ይጽበ ኣሎ",
        },
        "waiting {n} day": {
            "one": "{n} መዓልቲ ይጽበ ኣሎ",
            "other": "{n} መዓልቲ ይጽበ ኣሎ",
        },
        "{n} message will be sent again.": {
            "one": "{n} መልእኽቲ ደጊሙ ክስደድ እዩ።",
            "other": "{n} መልእኽትታት ደጊሞም ክስደዱ እዮም።",
        },
        "{n} open": {
            "one": "{n} ክፉት",
            "other": "{n} ክፉታት",
        },
        "{n} photo": {
            "one": "{n} ስእሊ",
            "other": "{n} ስእልታት",
        },
        "{n} request is overdue:": {
            "one": "{n} ጠለብ ግዜኡ ሓሊፉ:",
            "other": "{n} ጠለባት ግዜኦም ሓሊፉ:",
        },
        "{n} voice message": {
            "one": "{n} ናይ ድምጺ መልእኽቲ",
            "other": "{n} ናይ ድምጺ መልእኽትታት",
        },
    },
}


def plural_entries(lang: str) -> dict[str, str]:
    """singular msgid -> plural msgid, for each plural entry in the language's catalog."""
    with po_path(lang).open("rb") as fh:
        cat = read_po(fh, locale=lang)
    return {m.id[0]: m.id[1] for m in cat if m.id and m.pluralizable}


def categories(lang: str) -> set[str]:
    return set(Locale.parse(lang).plural_form.tags) | {"other"}


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n(LANGS, "en", ZoneInfo("Europe/Amsterdam"))


@pytest.mark.parametrize("lang", LANGS)
def test_every_plural_entry_has_a_row_in_the_table(lang: str) -> None:
    assert lang in PLURALS, f"{lang}: add the language's plural texts to PLURALS in {__name__}"
    in_catalog = set(plural_entries(lang))
    rows = set(PLURALS[lang])
    assert in_catalog == rows, (
        f"{lang}: plural entries without a row in PLURALS: {sorted(in_catalog - rows)}; "
        f"rows in PLURALS for entries the catalog no longer has: {sorted(rows - in_catalog)}")
    wanted = categories(lang)
    wrong = {msgid: sorted(row) for msgid, row in PLURALS[lang].items() if set(row) != wanted}
    assert not wrong, f"{lang}: each row needs exactly the categories {sorted(wanted)}: {wrong}"


def test_the_table_has_no_language_without_a_catalog() -> None:
    assert set(PLURALS) <= set(LANGS), sorted(set(PLURALS) - set(LANGS))


def expected_text(tr: Translator, template: str, n: int) -> str:
    """The table's text with n (and the other inserts) filled in as the bot fills them."""
    return template.format(**{k: tr.insert(v) for k, v in {"n": n, **OTHER_VALUES}.items()})


@pytest.mark.parametrize("lang", LANGS)
def test_plural_texts_follow_the_cldr_category_of_every_count(lang: str, i18n: I18n) -> None:
    tr = i18n.get(lang)
    assert tr.lang == lang
    rule = Locale.parse(lang).plural_form
    plurals = plural_entries(lang)
    mismatches: dict[tuple[str, str], list[str]] = {}
    checked = 0
    for singular, row in PLURALS.get(lang, {}).items():
        if singular not in plurals:
            continue  # reported by test_every_plural_entry_has_a_row_in_the_table
        for n in COUNTS:
            category = rule(n)
            if category not in row:
                continue  # likewise
            got = tr.ngettext(singular, plurals[singular], n, **OTHER_VALUES)
            expected = expected_text(tr, row[category], n)
            checked += 1
            if got != expected:
                mismatches.setdefault((singular, category), []).append(
                    f"{lang} {singular!r} n={n} ({category}): got {got!r}, expected {expected!r}")
    assert checked, f"{lang}: nothing was checked"
    if mismatches:
        total = sum(len(found) for found in mismatches.values())
        first = [found[0] + (f" (and {len(found) - 1} more n)" if len(found) > 1 else "")
                 for found in mismatches.values()]
        pytest.fail(f"{total} of {checked} plural texts differ from the table; check the "
                    "catalog's Plural-Forms header against its msgstr[i] order. First per entry "
                    "and category:\n" + "\n".join(first[:8]), pytrace=False)
