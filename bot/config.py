"""Settings from the environment and the site configuration from TOML.

Secrets and deployment settings (token, API URL, database path) come from the environment, so a
site file can be shared without leaking anything. Everything about the neighbourhood (partners,
categories, buildings) lives in the site TOML and is validated here, with errors that name the file,
the key and the problem.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.authority import MayAct, Rule

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SITE_CONFIG = ROOT / "config" / "site.toml"
EXAMPLE_SITE_CONFIG = ROOT / "config" / "overvecht.example.toml"

Kind = Literal["question", "nuisance", "help"]
SLUG = r"^[a-z][a-z0-9_]{0,30}$"


# What @BotFather hands out: the bot's id, a colon, and about 35 characters of secret. Lenient on
# the length, so a token of a slightly different shape still passes.
TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]{30,50}")
BAD_TOKEN = ("this is not a bot token (@BotFather gives one like 123456789:AAE..., digits, a colon "
             "and about 35 letters, digits, - or _)")


def _checkout(root: Path) -> bool:
    """Running from a source checkout (an editable install), not from an installed package."""
    return (root / "pyproject.toml").exists()


def data_home(root: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The folder for the bot's own files: <checkout>/data, else $XDG_DATA_HOME/buurtbot."""
    root, env = root or ROOT, os.environ if env is None else env
    if _checkout(root):
        return root / "data"
    xdg = env.get("XDG_DATA_HOME", "")
    # The XDG spec says to ignore a relative XDG_DATA_HOME.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else (
        Path(env.get("HOME") or Path.home()) / ".local" / "share")
    return base / "buurtbot"


def default_db(root: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """Never relative to the current folder: a command run from elsewhere must find the same
    database, or it silently makes a fresh one (and codes made there never work)."""
    return data_home(root, env) / "buurtbot.db"


def default_letters(root: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """Where invite-codes writes: <checkout>/letters, else letters/ next to the database."""
    root = root or ROOT
    return root / "letters" if _checkout(root) else data_home(root, env) / "letters"


class Settings(BaseSettings):
    """Deployment settings, read from BUURTBOT_* environment variables."""

    # An empty variable (`BUURTBOT_TOKEN=` in an env file) means "not set", not "empty string".
    model_config = SettingsConfigDict(env_prefix="BUURTBOT_", extra="ignore",
                                      env_ignore_empty=True)

    token: SecretStr | None = None
    # The token is appended to this URL, as python-telegram-bot's base_url expects.
    api_url: str = "https://api.telegram.org/bot"
    db: Path = Field(default_factory=default_db)
    config: Path | None = None
    # Pace sends under Telegram's limits (30/s overall, 20/min per group). Only tests turn it off.
    rate_limit: bool = True
    # Long-poll wait for getUpdates, in seconds.
    poll_timeout: int = Field(default=25, ge=0, le=50)
    # Longest wait, in seconds, between start-up attempts while Telegram cannot be reached
    # (1, 2, 4 ... up to this). Tests make it short.
    retry_max: float = Field(default=60, gt=0, le=3600)
    # Updates of different chats handled at once (bot/messaging/poller.py); each chat's own
    # stay in order. 1: one update at a time.
    lanes: int = Field(default=16, ge=1, le=64)
    # Rehearsals and the crash tests only: the bot's clock starts at this moment (ISO 8601 with
    # a zone) and runs at real speed, instead of the wall clock. Never set it in production.
    clock_start: AwareDatetime | None = None
    # Keys of the translation and speech-to-text services of the site file ([translation],
    # [speech]); here, not there, because they are secrets. Most self-hosted servers need none.
    translate_key: SecretStr | None = None
    speech_key: SecretStr | None = None

    @field_validator("translate_key", "speech_key", mode="before")
    @classmethod
    def _key(cls, value: Any) -> Any:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        text = "" if value is None else str(value).strip()  # a stray newline from copying it
        if any(ch.isspace() or not ch.isprintable() for ch in text):
            raise ValueError("a key has no spaces or line breaks inside (copy the key alone)")
        return text or None

    @field_validator("token", mode="before")
    @classmethod
    def _token(cls, value: Any) -> Any:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value is None:
            return None
        text = str(value).strip()  # a stray newline or space from copying it
        if not text:
            return None
        if not TOKEN_SHAPE.fullmatch(text):
            raise ValueError(BAD_TOKEN)  # never the value itself: it may be a real token
        return text

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"https?://[^/\s]+", value):
            raise ValueError("should be an http:// or https:// URL, "
                             "such as https://api.telegram.org/bot")
        return value

    @field_validator("db")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        # A relative BUURTBOT_DB means "from here"; made absolute so every message names one file.
        return value if str(value) == ":memory:" else value.expanduser().absolute()


def settings_problems(exc: ValidationError) -> list[str]:
    """One line per problem, naming the environment variable: pydantic's loc is the field name."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    lines = []
    for err in exc.errors(include_url=False):
        name = f"{prefix}{str(err['loc'][0]).upper()}" if err["loc"] else prefix.rstrip("_")
        lines.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
    return lines


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Partner(_Strict):
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1, max_length=60)
    chat_id: int
    language: str = "nl"
    # Public contact details residents may see (phone line, website, walk-in address).
    contact: str = ""
    # The name in a resident's language (language code -> name), where `name` means nothing to
    # them; a language without one shows `name`.
    names: dict[str, str] = Field(default_factory=dict)
    # Who of the group's members may act for the partner (claim, reply, promise, broadcast,
    # approve, the coordinator's commands): "members" (all), "admins" (the group's
    # administrators) or "listed" (the Telegram user ids in `staff`); bot/domain/authority.py.
    may_act: MayAct = MayAct.MEMBERS
    staff: list[int] = Field(default_factory=list)

    def name_in(self, lang: str) -> str:
        """The name a resident reading `lang` understands, else the display name."""
        return self.names.get(lang) or self.name

    @property
    def rule(self) -> Rule:
        """Who may act in this partner's group."""
        return Rule(self.may_act, frozenset(self.staff))

    @model_validator(mode="before")
    @classmethod
    def _may_act_known(cls, data: Any) -> Any:
        # Named here rather than by pydantic's enum message, so the error names the partner.
        if isinstance(data, dict) and "may_act" in data:
            value = data["may_act"]
            if value not in {m.value for m in MayAct}:
                raise ValueError(
                    f"partner {data.get('id')!r}: may_act is {value!r}; use \"members\" (every "
                    "member of the group), \"admins\" (the group's administrators) or "
                    "\"listed\" (the Telegram user ids in staff)")
        return data

    @model_validator(mode="after")
    def _staff_listed(self) -> Partner:
        if self.may_act is MayAct.LISTED and not self.staff:
            raise ValueError(f"partner {self.id!r}: may_act = \"listed\" needs staff = [...], "
                             "the Telegram user ids of who may act")
        if self.staff and self.may_act is not MayAct.LISTED:
            raise ValueError(f"partner {self.id!r}: staff is only used with may_act = "
                             f"\"listed\" (may_act is \"{self.may_act}\")")
        if any(uid <= 0 for uid in self.staff):
            raise ValueError(f"partner {self.id!r}: staff holds Telegram user ids, which are "
                             "positive numbers")
        return self

    @field_validator("names")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        for lang, name in value.items():
            if not name.strip() or len(name) > 60:
                raise ValueError(f"names.{lang}: a name of 1 to 60 characters")
        return value

    @field_validator("chat_id")
    @classmethod
    def _group_id(cls, value: int) -> int:
        if value >= 0:
            raise ValueError("a group chat id is negative (add the bot to the group to learn it)")
        return value


class Category(_Strict):
    id: str = Field(pattern=SLUG)
    emoji: str = Field(min_length=1, max_length=8)
    # English label; it is the gettext msgid, so every catalog must translate it.
    label: str = Field(min_length=1, max_length=40)
    partner: str
    # Shows 112 at once when chosen: acute danger is not a ticket.
    emergency: bool = False
    # Not offered in the menus: used by the bot itself (answers to renovation-day notices).
    hidden: bool = False


class Categories(_Strict):
    question: list[Category] = Field(min_length=1)
    nuisance: list[Category] = Field(min_length=1)
    help: list[Category] = Field(min_length=1)

    def of(self, kind: str) -> list[Category]:
        return list(getattr(self, kind))


class Building(_Strict):
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1, max_length=40)
    addresses: list[str] = Field(default_factory=list)
    phase: int = Field(ge=1, le=6)
    floors: int = Field(default=10, ge=0, le=30)
    stairwells: list[str] = Field(default_factory=list)
    # category id -> partner id, for a building whose cases go elsewhere
    routing: dict[str, str] = Field(default_factory=dict)


class QuickReplyConfig(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]{1,8}$")
    # English text, the gettext msgid: every catalog must translate it. "{date}" asks for a date.
    text: str = Field(min_length=1, max_length=300)


class DeadlineRule(_Strict):
    """Hours to claim, to first contact with the resident, and to resolve; counted in working
    hours unless `calendar` (urgent categories)."""

    claim: float = Field(default=8, gt=0)
    first_contact: float = Field(default=16, gt=0)
    resolve: float = Field(default=80, gt=0)
    calendar: bool = False


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _office_week() -> list[Weekday]:
    return ["mon", "tue", "wed", "thu", "fri"]


class FollowUp(_Strict):
    work_days: list[Weekday] = Field(default_factory=_office_week, min_length=1)
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)
    extra_holidays: list[date] = Field(default_factory=list)
    # Nothing bot-initiated reaches residents in these hours: it waits until the morning.
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    # A resident with no news for this many days gets a short "we are still on it".
    still_on_it_days: int = Field(default=5, ge=1, le=60)
    # "Were you helped?": one reminder after this many hours; no answer after twice that closes.
    feedback_reminder_hours: int = Field(default=48, ge=1, le=24 * 14)
    # Local time of the daily overdue digest in each partner group (working days).
    digest_at: time = time(9, 0)

    @model_validator(mode="after")
    def _order(self) -> FollowUp:
        if self.work_start >= self.work_end:
            raise ValueError("work_start must be before work_end")
        return self


class Limits(_Strict):
    """What one resident may send (bot/domain/limits.py): new requests in any 24 hours, and
    messages to their requests in any 60 seconds (more are kept and go out a little later,
    never lost). Emergencies are never limited."""

    requests_per_day: int = Field(default=5, ge=1, le=100)
    relays_per_minute: int = Field(default=6, ge=1, le=20)


def _service_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.match(r"https?://[^/\s]+", value):
        raise ValueError("should be an http:// or https:// URL, such as http://127.0.0.1:5000")
    if re.search(r"/v[12]/?$", value):
        raise ValueError("give the server's address without /v1 or /v2: the bot adds the path")
    return value.rstrip("/")


class Translation(_Strict):
    """Machine translation between residents and partner groups; off unless set."""

    provider: Literal["libretranslate", "deepl", "none"] = "none"
    # LibreTranslate: your server (needed). DeepL: left out, the key says free or pro endpoint.
    url: str | None = None
    timeout: float = Field(default=3.0, gt=0, le=30)

    _url = field_validator("url")(_service_url)

    @model_validator(mode="after")
    def _needs_url(self) -> Translation:
        if self.provider == "libretranslate" and self.url is None:
            raise ValueError("provider 'libretranslate' needs a url: the address of your "
                             "LibreTranslate server, such as http://127.0.0.1:5000")
        return self


class Speech(_Strict):
    """Speech to text for voice messages (OpenAI-compatible API); off unless set."""

    provider: Literal["openai", "none"] = "none"
    url: str | None = None
    model: str = Field(default="whisper-1", min_length=1, max_length=200)
    timeout: float = Field(default=20.0, gt=0, le=120)

    _url = field_validator("url")(_service_url)

    @model_validator(mode="after")
    def _needs_url(self) -> Speech:
        if self.provider == "openai" and self.url is None:
            raise ValueError("provider 'openai' needs a url: the address of your whisper-server "
                             "or speaches, such as http://127.0.0.1:8080")
        return self


class SiteConfig(_Strict):
    name: str = "Overvecht"
    timezone: str = "Europe/Amsterdam"
    languages: list[str] = Field(min_length=1)
    default_language: str
    coordinator: str
    question_partner: str
    retention_days: int = Field(default=365, ge=30, le=3650)
    partners: list[Partner] = Field(min_length=1)
    categories: Categories
    buildings: list[Building] = Field(default_factory=list)
    quick_replies: list[QuickReplyConfig] = Field(default_factory=list)
    followup: FollowUp = Field(default_factory=FollowUp)
    # "default" plus optional per-category rules, e.g. [deadlines.unsafe]
    deadlines: dict[str, DeadlineRule] = Field(default_factory=lambda: {"default": DeadlineRule()})
    translation: Translation = Field(default_factory=Translation)
    speech: Speech = Field(default_factory=Speech)
    limits: Limits = Field(default_factory=Limits)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _references(self) -> SiteConfig:
        ids = [p.id for p in self.partners]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"partners: duplicate id {', '.join(dupes)}")
        if self.default_language not in self.languages:
            raise ValueError(f"default_language {self.default_language!r} is not in languages")
        cat_ids = [c.id for k in ("question", "nuisance", "help") for c in self.categories.of(k)]
        dupes = sorted({i for i in cat_ids if cat_ids.count(i) > 1})
        if dupes:
            raise ValueError(
                f"categories: duplicate id {', '.join(dupes)} (ids are unique over all kinds)"
            )
        known = set(ids)
        refs = [("coordinator", self.coordinator), ("question_partner", self.question_partner)]
        for kind in ("question", "nuisance", "help"):
            for i, cat in enumerate(self.categories.of(kind)):
                refs.append((f"categories.{kind}[{i}].partner", cat.partner))
        for i, b in enumerate(self.buildings):
            refs += [(f"buildings[{i}].routing.{c}", p) for c, p in b.routing.items()]
        for where, pid in refs:
            if pid not in known:
                raise ValueError(f"{where}: no partner with id {pid!r}")
        if "default" not in self.deadlines:
            raise ValueError("deadlines: a [deadlines.default] rule is needed")
        unknown = sorted(set(self.deadlines) - set(cat_ids) - {"default"})
        if unknown:
            raise ValueError(f"deadlines: no category with id {', '.join(unknown)}")
        return self

    @model_validator(mode="after")
    def _partner_names(self) -> SiteConfig:
        for i, partner in enumerate(self.partners):
            unknown = sorted(set(partner.names) - set(self.languages))
            if unknown:
                raise ValueError(f"partners[{i}].names: {', '.join(unknown)} is not in languages")
        return self

    def deadline_rule(self, category_id: str) -> DeadlineRule:
        return self.deadlines.get(category_id) or self.deadlines["default"]

    # -- lookups -------------------------------------------------------------------------
    def partner(self, partner_id: str) -> Partner:
        for partner in self.partners:
            if partner.id == partner_id:
                return partner
        raise KeyError(f"no partner {partner_id!r} in the site config")

    def partner_in(self, chat_id: int) -> Partner | None:
        """The partner whose group this chat is, if any."""
        return next((p for p in self.partners if p.chat_id == chat_id), None)

    def partner_name(self, partner_id: str) -> str:
        """Display name, also for tickets of a partner since removed from the config."""
        return next((p.name for p in self.partners if p.id == partner_id), partner_id)

    def partner_name_in(self, partner_id: str, lang: str) -> str:
        """The name a resident reading `lang` understands, else the display name."""
        partner = next((p for p in self.partners if p.id == partner_id), None)
        return partner.name_in(lang) if partner is not None else partner_id

    def category(self, kind: str, category_id: str) -> Category | None:
        return next((c for c in self.categories.of(kind) if c.id == category_id), None)

    def building(self, building_id: str) -> Building | None:
        return next((b for b in self.buildings if b.id == building_id), None)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def service_problems(site: SiteConfig, settings: Settings) -> list[str]:
    """What the site file's services need from the environment, checked at start."""
    if site.translation.provider == "deepl" and settings.translate_key is None:
        return ["translation.provider is 'deepl', but BUURTBOT_TRANSLATE_KEY is not set "
                "(DeepL needs your authentication key)"]
    return []


class ConfigError(Exception):
    """A site file that cannot be used; `problems` lists every error, one line each."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_site_config(path: Path) -> SiteConfig:
    """Read and validate a site TOML; raise ConfigError naming file, key and problem."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(path, ["file not found"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from exc
    try:
        return SiteConfig.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = _loc(tuple(err["loc"]))
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {msg}" if where else msg)
        raise ConfigError(path, problems) from exc
