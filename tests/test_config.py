"""Site configuration: the example is valid; a wrong file names file, key and problem."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from bot.cli.main import main
from bot.config import (
    EXAMPLE_SITE_CONFIG,
    ROOT,
    ConfigError,
    Settings,
    default_db,
    default_letters,
    load_site_config,
    settings_problems,
)
from bot.testing.moments import workday_clock

DESIGN_PARTNERS = {"woningcorporatie", "dock", "werk_inkomen", "buurtteam_sociaal",
                   "buurtteam_jeugd", "veiligheid", "buurtbemiddeling", "vrijwilligers",
                   "coordinator"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def example_with(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE_SITE_CONFIG.read_text(encoding="utf-8")
    assert old in text
    return write(tmp_path, text.replace(old, new, 1))


def test_example_has_every_partner_of_the_design() -> None:
    site = load_site_config(EXAMPLE_SITE_CONFIG)
    assert {p.id for p in site.partners} == DESIGN_PARTNERS
    assert site.timezone == "Europe/Amsterdam"
    assert site.languages[:3] == ["nl", "ar", "tr"]
    assert all(p.chat_id < 0 for p in site.partners)


def test_positive_chat_id_names_file_key_and_problem(tmp_path: Path) -> None:
    path = example_with(tmp_path, "chat_id = -1001000000003", "chat_id = 12345")
    with pytest.raises(ConfigError) as err:
        load_site_config(path)
    assert str(err.value) == (f"{path}: partners[2].chat_id: a group chat id is negative "
                              "(add the bot to the group to learn it)")


def test_unknown_partner_reference(tmp_path: Path) -> None:
    path = example_with(tmp_path, 'partner = "veiligheid"\nemergency',
                        'partner = "politie"\nemergency')
    with pytest.raises(ConfigError) as err:
        load_site_config(path)
    assert "categories.nuisance[5].partner: no partner with id 'politie'" in str(err.value)


def test_every_error_is_listed(tmp_path: Path) -> None:
    path = write(tmp_path, 'timezone = "Mars/Olympus"\nlanguages = []\n')
    with pytest.raises(ConfigError) as err:
        load_site_config(path)
    problems = "\n".join(err.value.problems)
    for key in ("timezone", "languages", "default_language", "coordinator", "partners",
                "categories"):
        assert key in problems


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_site_config(write(tmp_path, "partners = [\n"))
    with pytest.raises(ConfigError, match="file not found"):
        load_site_config(tmp_path / "nope.toml")


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    path = example_with(tmp_path, 'name = "Overvecht"', 'name = "Overvecht"\nlangauges = ["nl"]')
    with pytest.raises(ConfigError, match="langauges: Extra inputs are not permitted"):
        load_site_config(path)


def test_check_config_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(EXAMPLE_SITE_CONFIG)]) == 0
    assert capsys.readouterr().out.strip().endswith(": OK")
    bad = example_with(tmp_path, "phase = 4", "phase = 9")
    assert main(["check-config", str(bad)]) == 1
    assert "buildings[0].phase: Input should be less than or equal to 6" in capsys.readouterr().err


def test_language_without_catalog_is_refused(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = example_with(tmp_path, 'languages = ["nl", "ar", "tr", "pl", "so", "ti", "en"]',
                        'languages = ["nl", "ar", "tr", "pl", "so", "ti", "en", "ku"]')
    assert main(["check-config", str(path)]) == 1
    assert "languages: no catalog for ku" in capsys.readouterr().err


def test_run_without_token_explains_and_points_to_demo(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("BUURTBOT_TOKEN", raising=False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "@BotFather" in err and "buurtbot demo" in err


def test_settings_from_environment_keep_the_token_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUURTBOT_TOKEN", "123456789:AAsecretSECRETsecretSECRETsecret_123")
    monkeypatch.setenv("BUURTBOT_API_URL", "http://localhost:8081/bot")
    monkeypatch.setenv("BUURTBOT_DB", "/tmp/x.db")
    settings = Settings()
    assert isinstance(settings.token, SecretStr)
    assert "SECRET" not in repr(settings) and "SECRET" not in str(settings)
    assert settings.api_url == "http://localhost:8081/bot"
    assert str(settings.db) == "/tmp/x.db"


def test_example_is_plain_toml() -> None:
    raw = tomllib.loads(EXAMPLE_SITE_CONFIG.read_text(encoding="utf-8"))
    assert raw["default_language"] == "nl"


def test_a_bad_environment_variable_is_named(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BUURTBOT_POLL_TIMEOUT", "99")
    monkeypatch.setenv("BUURTBOT_RATE_LIMIT", "maybe")
    assert main(["revoke-code", "ABCDE23456"], clock=workday_clock()) == 2
    assert capsys.readouterr().err.splitlines() == [
        "BUURTBOT_RATE_LIMIT: Input should be a valid boolean, unable to interpret input",
        "BUURTBOT_POLL_TIMEOUT: Input should be less than or equal to 50",
    ]


@pytest.mark.parametrize("value", ["", "   ", "\n"])
def test_an_empty_token_is_no_token(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("BUURTBOT_TOKEN", value)
    assert Settings().token is None


def test_a_malformed_token_is_refused_without_echoing_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for bad in ("123456:TEST", "'123456789:AAsecretSECRETsecretSECRETsecret_123'",
                "AAsecretSECRETsecretSECRETsecret_123", "123456789:AA secret SECRET secret SEC"):
        monkeypatch.setenv("BUURTBOT_TOKEN", bad)
        with pytest.raises(ValidationError) as err:
            Settings()
        [line] = settings_problems(err.value)
        assert line.startswith("BUURTBOT_TOKEN: this is not a bot token")
        assert "TEST" not in line and "secret" not in line
    monkeypatch.setenv("BUURTBOT_TOKEN", " 123456789:AAsecretSECRETsecretSECRETsecret_123\n")
    token = Settings().token
    assert token is not None  # surrounding blanks from copying are dropped
    assert token.get_secret_value() == "123456789:AAsecretSECRETsecretSECRETsecret_123"


def test_the_api_url_must_be_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUURTBOT_API_URL", "localhost:8081/bot")
    with pytest.raises(ValidationError) as err:
        Settings()
    assert settings_problems(err.value) == [
        "BUURTBOT_API_URL: should be an http:// or https:// URL, "
        "such as https://api.telegram.org/bot"]


def test_the_database_never_depends_on_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BUURTBOT_DB", raising=False)
    assert Settings().db == ROOT / "data" / "buurtbot.db"  # this is a source checkout
    monkeypatch.setenv("BUURTBOT_DB", "here.db")  # an explicit relative path means "from here"
    assert Settings().db == tmp_path / "here.db"


def test_default_locations_in_a_checkout_and_installed(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "pyproject.toml").write_text("", encoding="utf-8")
    assert default_db(checkout, {}) == checkout / "data" / "buurtbot.db"
    assert default_letters(checkout, {}) == checkout / "letters"
    site_packages = tmp_path / "site-packages"  # an installed package: no pyproject.toml
    xdg = {"XDG_DATA_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")}
    assert default_db(site_packages, xdg) == tmp_path / "xdg" / "buurtbot" / "buurtbot.db"
    assert default_letters(site_packages, xdg) == tmp_path / "xdg" / "buurtbot" / "letters"
    home = {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": "relative/is/ignored"}
    assert default_db(site_packages, home) == (
        tmp_path / "home" / ".local" / "share" / "buurtbot" / "buurtbot.db")
