"""Site configuration: the example is valid; a wrong file names file, key and problem."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.cli import main
from bot.config import EXAMPLE_SITE_CONFIG, ConfigError, Settings, load_site_config

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
    path = example_with(tmp_path, 'languages = ["nl", "ar", "tr", "en"]',
                        'languages = ["nl", "ar", "tr", "en", "so"]')
    assert main(["check-config", str(path)]) == 1
    assert "languages: no catalog for so" in capsys.readouterr().err


def test_run_without_token_explains_and_points_to_demo(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("BUURTBOT_TOKEN", raising=False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "@BotFather" in err and "buurtbot demo" in err


def test_settings_from_environment_keep_the_token_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUURTBOT_TOKEN", "123456:SECRET")
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
