"""Translation and speech to text: each adapter over real HTTP against the fake services on
127.0.0.1, every failure mapped to its typed error within the timeout, the site file's
[translation] and [speech], the cache, and the start-up capability lines."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.config import (
    EXAMPLE_SITE_CONFIG,
    ConfigError,
    Settings,
    SiteConfig,
    load_site_config,
    service_problems,
    settings_problems,
)
from bot.store import Store
from bot.testing.fake_translate import FakeTranslateServer
from bot.testing.http_fake import free_port
from bot.testing.moments import workday_clock
from bot.translate import (
    DeepL,
    LibreTranslate,
    NoTranscriber,
    NoTranslator,
    OpenAITranscriber,
    QuotaExceeded,
    RateLimited,
    ServiceConfigError,
    TranslationUnavailable,
    UnsupportedLanguage,
    capabilities,
    make_transcriber,
    make_translator,
)
from bot.translate.cache import cached_translate

SHORT = 0.3  # the adapters' timeout here: long for 127.0.0.1, short for the suite
CANNED = {("ar", "nl", "الماء لا يعمل"): "Het water doet het niet",
          ("ar", "nl", "شكرا"): "Dank je", ("nl", "en", "Wij komen morgen"): "We come tomorrow"}
KEY = "2f9e-secret:fx"


@pytest.fixture
def server() -> Iterator[FakeTranslateServer]:
    with FakeTranslateServer(CANNED, transcripts={"ar": "الماء لا يعمل"}) as fake:
        yield fake


@pytest.fixture
async def clients(server: FakeTranslateServer) -> AsyncIterator[dict[str, Any]]:
    made = {"libre": LibreTranslate(server.url, timeout=SHORT),
            "deepl": DeepL(KEY, server.url, timeout=SHORT),
            "speech": OpenAITranscriber(server.url, "whisper-1", timeout=SHORT)}
    yield made
    for client in made.values():
        await client.aclose()


async def use(client: Any) -> Any:
    """The one call of each adapter that the failure tests break."""
    if isinstance(client, OpenAITranscriber):
        return await client.transcribe(b"OggS voice", "ar")
    return await client.translate(["شكرا"], "ar", "nl")


# -- adapters over HTTP --------------------------------------------------------------------
async def test_libretranslate_translates_a_list_in_order(
        server: FakeTranslateServer, clients: dict[str, Any]) -> None:
    out = await clients["libre"].translate(["الماء لا يعمل", "شكرا", "؟"], "ar", "nl")
    assert out == ["Het water doet het niet", "Dank je", "[nl] ؟"]
    [seen] = server.requests("/translate")
    assert seen.params == {"q": ["الماء لا يعمل", "شكرا", "؟"], "source": "ar", "target": "nl",
                           "format": "text"}  # no api_key when none is set


async def test_libretranslate_sends_the_api_key(server: FakeTranslateServer) -> None:
    server.libre_key = "lt-key"
    keyed, bare = LibreTranslate(server.url, "lt-key", SHORT), LibreTranslate(server.url)
    try:
        assert await keyed.translate(["شكرا"], "ar", "nl") == ["Dank je"]
        assert server.requests("/translate")[-1].params["api_key"] == "lt-key"
        with pytest.raises(TranslationUnavailable, match="BUURTBOT_TRANSLATE_KEY"):
            await bare.translate(["شكرا"], "ar", "nl")  # 400 "get an API key": not a language
    finally:
        await keyed.aclose()
        await bare.aclose()


async def test_deepl_uses_its_codes_and_the_auth_header(
        server: FakeTranslateServer, clients: dict[str, Any]) -> None:
    server.deepl_key = KEY
    assert await clients["deepl"].translate(["Wij komen morgen"], "nl", "en") == [
        "We come tomorrow"]
    [seen] = server.requests("/v2/translate")
    assert seen.headers["authorization"] == f"DeepL-Auth-Key {KEY}"
    assert seen.params == {"text": ["Wij komen morgen"], "source_lang": "NL",
                           "target_lang": "EN-GB"}
    server.deepl_key = "another"
    with pytest.raises(TranslationUnavailable, match="403"):
        await clients["deepl"].translate(["Wij komen morgen"], "nl", "en")


async def test_speech_sends_the_language_model_and_key(server: FakeTranslateServer) -> None:
    server.speech_key = "sp-key"
    speech = OpenAITranscriber(server.url, "large-v3", "sp-key", SHORT)
    try:
        assert await speech.transcribe(b"OggS voice", "ar") == "الماء لا يعمل"
        [seen] = server.requests("/v1/audio/transcriptions")
        assert seen.headers["authorization"] == "Bearer sp-key"
        assert seen.params == {"model": "large-v3", "language": "ar", "response_format": "json"}
        assert seen.files["file"] == ("voice.ogg", b"OggS voice", "audio/ogg")
        with pytest.raises(UnsupportedLanguage):
            await speech.transcribe(b"OggS voice", "ti")
    finally:
        await speech.aclose()


async def test_languages_in_the_sites_codes(server: FakeTranslateServer,
                                            clients: dict[str, Any]) -> None:
    server.pairs = {("ar", "nl"), ("nl", "ar"), ("nl", "en")}
    assert await clients["libre"].languages() == server.pairs
    # DeepL lists sources and targets apart: every source to every target, EN-GB -> en
    assert await clients["deepl"].languages() == {("ar", "nl"), ("ar", "en"), ("nl", "ar"),
                                                  ("nl", "en")}
    assert [s.params["type"] for s in server.requests("/v2/languages")] == ["source", "target"]


@pytest.mark.parametrize("which", ["libre", "deepl"])
async def test_a_pair_the_service_lacks_is_unsupported(
        server: FakeTranslateServer, clients: dict[str, Any], which: str) -> None:
    server.pairs = {("ar", "nl")}
    with pytest.raises(UnsupportedLanguage):
        await clients[which].translate(["Dank je"], "nl", "ar")


@pytest.mark.parametrize("fault", ["timeout", "429", "456", "500", "bad_json", "wrong_shape",
                                   "drop", "trickle", "down"])
@pytest.mark.parametrize("which", ["libre", "deepl", "speech"])
async def test_every_failure_is_a_typed_error_within_the_timeout(
        server: FakeTranslateServer, clients: dict[str, Any], which: str, fault: str) -> None:
    expected: dict[str, type[Exception]] = {"429": RateLimited, "456": QuotaExceeded}
    client = clients[which]
    if fault == "down":  # nothing listens: connection refused
        client.service.client.base_url = f"http://127.0.0.1:{free_port()}"
    else:
        server.fail(fault)
    started = time.monotonic()
    with pytest.raises(expected.get(fault, TranslationUnavailable)) as err:
        await use(client)
    assert time.monotonic() - started < SHORT + 0.5
    if fault == "429":
        assert isinstance(err.value, RateLimited) and err.value.retry_after == 2.0
    server.fail(None)  # and the next call works again (the client survived the fault)
    if fault != "down":
        assert await use(client)


@pytest.mark.parametrize("fault", ["timeout", "bad_json"])
async def test_languages_fail_typed_too(server: FakeTranslateServer, clients: dict[str, Any],
                                        fault: str) -> None:
    server.fail(fault)
    for which in ("libre", "deepl"):
        with pytest.raises(TranslationUnavailable):
            await clients[which].languages()


async def test_a_slow_answer_inside_the_timeout_arrives(
        server: FakeTranslateServer, clients: dict[str, Any]) -> None:
    server.latency = SHORT / 3
    assert await clients["libre"].translate(["شكرا"], "ar", "nl") == ["Dank je"]


async def test_none_translates_nothing() -> None:
    assert await NoTranslator().languages() == set()
    assert await NoTranslator().translate(["hoi"], "nl", "nl") == ["hoi"]
    with pytest.raises(UnsupportedLanguage):
        await NoTranslator().translate(["hoi"], "nl", "ar")
    with pytest.raises(UnsupportedLanguage):
        await NoTranscriber().transcribe(b"OggS", "ar")


# -- configuration -------------------------------------------------------------------------
def site_with(tmp_path: Path, sections: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(EXAMPLE_SITE_CONFIG.read_text(encoding="utf-8") + sections, encoding="utf-8")
    return path


def uncommented(provider: str, speech: str = "none") -> str:
    """The example's own commented sections, switched on."""
    text = EXAMPLE_SITE_CONFIG.read_text(encoding="utf-8")
    tail = text[text.index("# [translation]"):]
    lines = [line[2:] for line in tail.splitlines() if re.match(r"# (\[|\w+ = )", line)]
    on = "\n".join(lines).replace('provider = "none"', f'provider = "{provider}"', 1)
    return on.replace('provider = "none"', f'provider = "{speech}"', 1)


async def test_the_example_sections_switched_on_build_the_adapters(tmp_path: Path) -> None:
    assert load_site_config(EXAMPLE_SITE_CONFIG).translation.provider == "none"  # off by default
    path = tmp_path / "site.toml"
    text = EXAMPLE_SITE_CONFIG.read_text(encoding="utf-8")
    path.write_text(text[:text.index("# [translation]")] + uncommented("libretranslate", "openai"),
                    encoding="utf-8")
    site = load_site_config(path)
    translator, speech = make_translator(site, Settings()), make_transcriber(site, Settings())
    try:
        assert isinstance(translator, LibreTranslate) and isinstance(speech, OpenAITranscriber)
        assert str(translator.service.client.base_url) == "http://127.0.0.1:5000"
        assert speech.model == "whisper-1"
    finally:
        await translator.aclose()
        await speech.aclose()


@pytest.mark.parametrize(("sections", "says"), [
    ('[translation]\nprovider = "google"\n',
     "translation.provider: Input should be 'libretranslate', 'deepl' or 'none'"),
    ('[translation]\nprovider = "libretranslate"\n',
     "translation: provider 'libretranslate' needs a url"),
    ('[speech]\nprovider = "openai"\n', "speech: provider 'openai' needs a url"),
    ('[speech]\nprovider = "openai"\nurl = "http://127.0.0.1:8080/v1"\n',
     "speech.url: give the server's address without /v1"),
    ('[translation]\nprovider = "deepl"\nurl = "api.deepl.com"\n',
     "translation.url: should be an http:// or https:// URL"),
], ids=["provider", "libre-url", "speech-url", "speech-v1", "not-http"])
def test_a_bad_section_names_its_key(tmp_path: Path, sections: str, says: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_site_config(site_with(tmp_path, sections))
    assert says in str(err.value)


def test_deepl_without_a_key_is_refused_at_start(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUURTBOT_TRANSLATE_KEY", raising=False)
    site = load_site_config(site_with(tmp_path, '[translation]\nprovider = "deepl"\n'))
    [problem] = service_problems(site, Settings())
    assert "BUURTBOT_TRANSLATE_KEY is not set" in problem
    with pytest.raises(ServiceConfigError, match="BUURTBOT_TRANSLATE_KEY"):
        make_translator(site, Settings())
    monkeypatch.setenv("BUURTBOT_TRANSLATE_KEY", f" {KEY}\n")  # blanks from copying: dropped
    settings = Settings()
    assert settings.translate_key is not None and settings.translate_key.get_secret_value() == KEY
    translator = make_translator(site, settings)
    assert isinstance(translator, DeepL)
    assert str(translator.service.client.base_url) == "https://api-free.deepl.com"  # ":fx"


def test_a_bad_key_variable_is_named_without_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUURTBOT_SPEECH_KEY", "sk-abc def")
    with pytest.raises(ValidationError) as err:
        Settings()
    [line] = settings_problems(err.value)
    assert line.startswith("BUURTBOT_SPEECH_KEY: a key has no spaces") and "abc" not in line


def test_partner_names_per_language(tmp_path: Path, site: SiteConfig) -> None:
    assert site.partner_name_in("woningcorporatie", "ar") == "شركة الإسكان"
    assert site.partner_name_in("woningcorporatie", "en") == "Woningcorporatie"  # no "en" name
    assert site.partner_name_in("gone", "ar") == "gone"
    assert all(set(p.names) == {"ar", "tr", "pl", "so", "ti"} for p in site.partners)
    text = EXAMPLE_SITE_CONFIG.read_text(encoding="utf-8").replace(' tr = "Gönüllüler"',
                                                                   ' ku = "Xwebexş"')
    (tmp_path / "site.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"partners\[7\].names: ku is not in languages"):
        load_site_config(tmp_path / "site.toml")


# -- the cache -----------------------------------------------------------------------------
@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "bot.db", workday_clock())
    yield opened
    await opened.close()


async def test_the_cache_never_sends_a_text_twice(
        store: Store, server: FakeTranslateServer, clients: dict[str, Any]) -> None:
    libre = clients["libre"]
    texts = ["شكرا", "الماء لا يعمل", "شكرا", " "]
    first = await cached_translate(store, libre, texts, "ar", "nl", 7)
    assert first == ["Dank je", "Het water doet het niet", "Dank je", " "]
    assert server.requests("/translate")[0].params["q"] == ["شكرا", "الماء لا يعمل"]
    assert await cached_translate(store, libre, texts[::-1], "ar", "nl", 8) == first[::-1]
    assert await cached_translate(store, libre, ["شكرا"], "ar", "ar", 7) == ["شكرا"]
    assert server.counts["/translate"] == 1
    await cached_translate(store, libre, ["شكرا", "جديد"], "ar", "nl", 7)
    assert server.requests("/translate")[-1].params["q"] == ["جديد"]  # only what is new


async def test_a_failed_translation_is_not_cached(
        store: Store, server: FakeTranslateServer, clients: dict[str, Any]) -> None:
    server.fail("500", times=1)
    with pytest.raises(TranslationUnavailable):
        await cached_translate(store, clients["libre"], ["شكرا"], "ar", "nl", 7)
    assert await cached_translate(store, clients["libre"], ["شكرا"], "ar", "nl", 7) == ["Dank je"]
    assert server.counts["/translate"] == 2


async def test_erasure_and_retention_drop_cached_translations(
        store: Store, clients: dict[str, Any]) -> None:
    for user_id, text in ((7, "شكرا"), (8, "شكرا"), (8, "الماء لا يعمل")):
        await cached_translate(store, clients["libre"], [text], "ar", "nl", user_id)
    await store.translations.remember({"k": "x"}, "ar", "nl", None)  # a broadcast: nobody's
    assert (await store.translations.count_for(7), await store.translations.count_for(8)) == (1, 1)
    await store.privacy.erase(8)
    assert (await store.translations.count_for(7), await store.translations.count_for(8)) == (1, 0)
    clock: Any = store.translations.clock
    clock.advance(timedelta(days=31))
    assert await store.translations.purge_expired(30) == 2
    assert await store.translations.lookup(["k"], "ar", "nl") == {}


# -- start-up lines ------------------------------------------------------------------------
async def test_capabilities_say_what_works_per_language(
        server: FakeTranslateServer, clients: dict[str, Any], site: SiteConfig) -> None:
    server.pairs = {("ar", "nl"), ("nl", "ar"), ("tr", "nl")}
    assert await capabilities(clients["libre"], site) == [
        "translation: libretranslate, 3 language pairs",
        "translation nl: nl groups read it as written",
        "translation ar: ar->nl yes, nl->ar yes",
        "translation tr: tr->nl yes, nl->tr NO",
        "translation pl: pl->nl NO, nl->pl NO",
        "translation so: so->nl NO, nl->so NO",
        "translation ti: ti->nl NO, nl->ti NO",
        "translation en: en->nl NO, nl->en NO",
    ]
    server.fail("timeout")
    [line] = await capabilities(clients["libre"], site)
    assert line.startswith("translation: libretranslate cannot tell its languages now")
    [off] = await capabilities(NoTranslator(), site)
    assert off.startswith("translation: off")


def test_the_fake_refuses_an_unknown_fault(server: FakeTranslateServer) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        server.fail("flaky")


# -- wired into the running bot ----------------------------------------------------------------
async def test_the_bot_starts_with_the_sites_translator_and_logs_what_it_offers(
        tmp_path: Path, server: FakeTranslateServer, caplog: pytest.LogCaptureFixture) -> None:
    from bot.config import Translation
    from bot.testing.harness import BotHarness

    base = load_site_config(EXAMPLE_SITE_CONFIG)
    site = base.model_copy(update={"translation": Translation(provider="libretranslate",
                                                              url=server.url, timeout=SHORT)})
    caplog.set_level("INFO", logger="bot.app")
    async with BotHarness.start(tmp_path / "bot.db", site) as h:
        assert h.services.translator.name == "libretranslate"
        assert h.services.transcriber.name == "none"
    said = [r.getMessage() for r in caplog.records if r.name == "bot.app"]
    assert any(line.startswith("translation ar: ar->nl ") for line in said), said


async def test_without_a_translator_the_bot_says_translation_is_off(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from bot.testing.harness import BotHarness

    caplog.set_level("INFO", logger="bot.app")
    async with BotHarness.start(tmp_path / "bot.db") as h:
        assert h.services.translator.name == "none"
    assert any("translation: off" in r.getMessage() for r in caplog.records)


def test_the_services_keys_never_reach_the_log() -> None:
    from bot.logsetup import Redactor

    redact = Redactor(None, "lt-0123456789abcdef", "sk-speech-key-42", None)
    line = redact("POST /translate api_key=lt-0123456789abcdef; Bearer sk-speech-key-42")
    assert "lt-0123456789abcdef" not in line and "sk-speech-key-42" not in line


def test_run_refuses_deepl_without_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli.main import main

    site = site_with(tmp_path, '\n[translation]\nprovider = "deepl"\n')
    monkeypatch.setenv("BUURTBOT_TOKEN", "123456789:AAFakeTokenForTheTranslateTestOnly_01")
    monkeypatch.setenv("BUURTBOT_DB", str(tmp_path / "bot.db"))
    monkeypatch.delenv("BUURTBOT_TRANSLATE_KEY", raising=False)
    assert main(["run", "--config", str(site)], clock=workday_clock()) == 2
    assert "BUURTBOT_TRANSLATE_KEY" in capsys.readouterr().err
    assert not (tmp_path / "bot.db").exists()  # refused before anything started
