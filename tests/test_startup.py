"""Start-up like a service: the real `python -m bot` process against a local fake Telegram.

A rejected or malformed token, or a bad variable: one line, exit code 2, and the token nowhere in
the output. A Bot API that is down at first: one line per attempt, no traceback, and the bot
comes up by itself when Telegram returns; a signal meanwhile stops it cleanly. Every command says
which database it uses. Only 127.0.0.1; every wait is bounded, and back-off is made short with
BUURTBOT_RETRY_MAX.
"""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from telegram.error import InvalidToken

from bot.app import build_application
from bot.cli.serve import StartUp, Stop, take_down
from bot.config import EXAMPLE_SITE_CONFIG, Settings, load_site_config
from bot.logsetup import setup_logging
from bot.store import Store
from bot.store.clock import SimClock
from bot.testing.fake_api import FakeBotAPI, Fault
from bot.testing.http_fake import FakeTelegramServer, free_port
from bot.testing.moments import WORKDAY_11

ROOT = Path(__file__).resolve().parent.parent
RUN = ("run", "--config", "config/overvecht.example.toml")
TOKEN = "123456789:AAFakeTokenForTheStartupTestsOnly_012"
SECRET = TOKEN.partition(":")[2]
RUNNING = "buurtbot is running as"  # logged by bot/serve.py once it polls
RETRY = "; trying again in "  # the end of every start-up attempt's line
REJECTED = "BUURTBOT_TOKEN was rejected by Telegram"
CLOCK_LINE = (f"clock: starts at {WORKDAY_11.isoformat()} (BUURTBOT_CLOCK_START), "
              "not the real time")


def env_for(tmp_path: Path, api_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUURTBOT_")}
    env.update(BUURTBOT_TOKEN=TOKEN, BUURTBOT_DB=str(tmp_path / "bot.db"),
               BUURTBOT_RATE_LIMIT="false", BUURTBOT_POLL_TIMEOUT="1",
               BUURTBOT_RETRY_MAX="0.2", PYTHONUNBUFFERED="1",
               BUURTBOT_CLOCK_START=WORKDAY_11.isoformat())
    if api_url is not None:
        env["BUURTBOT_API_URL"] = api_url
    env.update(extra)
    return env


def run_bot(env: dict[str, str], *args: str, cwd: Path = ROOT) -> tuple[int, list[str]]:
    """`python -m bot ARGS` to the end: exit code and its output (stdout and stderr) as lines."""
    proc = subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    lines = proc.stdout.splitlines()
    if lines[:1] == [CLOCK_LINE]:  # the injected clock says so first, once settings are read
        lines = lines[1:]
    return proc.returncode, lines


def assert_no_token(text: str) -> None:
    assert TOKEN not in text and SECRET not in text
    assert "Traceback" not in text


def wait_for(check: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{log.read_text()}")
        time.sleep(0.05)


@pytest.fixture
def bot_log(tmp_path: Path) -> Path:
    return tmp_path / "bot.log"


@pytest.fixture
def spawn(bot_log: Path) -> Iterator[Callable[[dict[str, str]], subprocess.Popen[bytes]]]:
    """`python -m bot run` in the background, output to bot_log; killed if a test fails."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str]) -> subprocess.Popen[bytes]:
        with bot_log.open("wb") as out:
            procs.append(subprocess.Popen([sys.executable, "-m", "bot", *RUN], cwd=ROOT,
                                          env=env, stdout=out, stderr=subprocess.STDOUT))
        return procs[-1]

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


# ----------------------------------------------------------------------------- tokens
@pytest.mark.parametrize(("path", "reason"), [
    ("/bot", "401 Unauthorized): check it with @BotFather"),
    # a self-hosted Bot API URL without the /bot Telegram expects: 404, like a bad token
    ("/", "404 Not Found): check it with @BotFather, and that BUURTBOT_API_URL"),
])
def test_a_rejected_token_is_one_line_and_never_printed(
        tmp_path: Path, path: str, reason: str) -> None:
    with FakeTelegramServer() as server:
        server.unauthorized = path == "/bot"
        code, lines = run_bot(env_for(tmp_path, f"http://127.0.0.1:{server.port}{path}"), *RUN)
    assert code == 2, lines
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"database: {tmp_path / 'bot.db'}")
    assert lines[1].startswith(f"{REJECTED} ({reason}")
    assert_no_token("\n".join(lines))


def test_a_malformed_token_is_one_line_without_it(tmp_path: Path) -> None:
    code, lines = run_bot(env_for(tmp_path, BUURTBOT_TOKEN="123456:not-a-real-token"), *RUN)
    assert code == 2
    [line] = lines
    assert line.startswith("BUURTBOT_TOKEN: this is not a bot token (@BotFather gives one like")
    assert "not-a-real-token" not in line


def test_an_empty_token_is_no_token(tmp_path: Path) -> None:
    env = env_for(tmp_path, BUURTBOT_TOKEN="")
    code, lines = run_bot(env, "run")
    assert code == 2
    assert lines[0] == "No bot token set." and "@BotFather" in "\n".join(lines)
    code, lines = run_bot(env)  # plain `buurtbot`: the offline demo
    assert code == 0, "\n".join(lines)
    assert lines[0].startswith("No BUURTBOT_TOKEN set: playing the offline demo.")
    assert "database: a temporary one, deleted when the demo ends" in lines
    # the whole demo played: Amina's report was claimed, answered, resolved and confirmed
    assert any(line.startswith("M-0001  nuisance") and line.endswith("closed anonymous")
               for line in lines), "\n".join(lines)


def test_a_bad_variable_is_named_in_one_line(tmp_path: Path) -> None:
    code, lines = run_bot(env_for(tmp_path, BUURTBOT_POLL_TIMEOUT="99"), *RUN)
    assert code == 2
    assert lines == ["BUURTBOT_POLL_TIMEOUT: Input should be less than or equal to 50"]


# ----------------------------------------------------------------------------- Telegram away
def test_an_api_that_is_down_at_first_is_waited_for(
        tmp_path: Path, bot_log: Path,
        spawn: Callable[[dict[str, str]], subprocess.Popen[bytes]]) -> None:
    port = free_port()  # nothing listens yet: connections are refused
    proc = spawn(env_for(tmp_path, f"http://127.0.0.1:{port}/bot"))
    wait_for(lambda: bot_log.read_text().count(RETRY) >= 2, 15, "two refused attempts", bot_log)
    fake = FakeBotAPI()  # up now, but failing each step of start-up once or twice
    for partner in load_site_config(EXAMPLE_SITE_CONFIG).partners:
        fake.add_group(partner.chat_id, partner.name)
    fake.inject("getMe", Fault.server_error(502), times=2)
    fake.inject("deleteWebhook", Fault.timeout())  # the connection closes without an answer
    fake.inject("getChat", Fault.server_error(502))  # the group check: not "cannot see the group"
    fake.inject("setMyCommands", Fault.server_error(503))  # in post_init, after the store opened
    with FakeTelegramServer(fake, port=port):
        wait_for(lambda: RUNNING in bot_log.read_text(), 15, "the bot to run", bot_log)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    text = bot_log.read_text()
    assert_no_token(text)
    attempts = [line for line in text.splitlines() if RETRY in line]
    warnings = [line for line in text.splitlines() if " WARNING " in line or " ERROR " in line]
    assert warnings == attempts  # one line per failed attempt, nothing else
    where = f"Telegram at 127.0.0.1:{port}"
    refused = [a for a in attempts if f"cannot reach {where} during getMe (httpx." in a]
    assert len(refused) >= 2
    assert attempts[len(refused):] == [a for a in attempts[len(refused):] if where in a]
    tail = [a.split("bot.cli.serve: start-up: ", 1)[1].split(RETRY)[0]
            for a in attempts[len(refused):]]
    assert tail == [f"{where} answered 'Bad Gateway' during getMe"] * 2 + [
        f"cannot reach {where} during deleteWebhook (httpx.RemoteProtocolError: "
        "Server disconnected without sending a response.)",
        f"{where} answered 'Bad Gateway' during post_init (partner groups, command menus)",
        f"{where} answered 'Service Unavailable' during post_init "
        "(partner groups, command menus)"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_the_back_off_stops_cleanly(
        tmp_path: Path, bot_log: Path, sig: signal.Signals,
        spawn: Callable[[dict[str, str]], subprocess.Popen[bytes]]) -> None:
    # RETRY_MAX 30: the first wait is a whole second, so the signal lands in it
    proc = spawn(env_for(tmp_path, f"http://127.0.0.1:{free_port()}/bot",
                         BUURTBOT_RETRY_MAX="30"))
    wait_for(lambda: RETRY in bot_log.read_text(), 15, "a refused attempt", bot_log)
    proc.send_signal(sig)
    assert proc.wait(15) == 0
    text = bot_log.read_text()
    assert_no_token(text)
    assert "trying again in 1 s" in text and "KeyboardInterrupt" not in text


async def test_a_failed_attempt_closes_the_store_before_the_next(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process: post_init opened the store, then setMyCommands failed; the retry opens a new
    one, so the first must be closed (and the last when the bot stops)."""
    events: list[str] = []
    opened, closed = Store.open, Store.close

    async def open_(path: Path | str, clock: SimClock) -> Store:
        events.append("open")
        return await opened(path, clock)

    async def close_(store: Store) -> None:
        events.append("close")
        await closed(store)

    monkeypatch.setattr(Store, "open", open_)
    monkeypatch.setattr(Store, "close", close_)
    fake = FakeBotAPI()
    fake.inject("setMyCommands", Fault.server_error(503), times=2)
    settings = Settings(token=SecretStr(TOKEN), db=tmp_path / "bot.db", rate_limit=False)
    app = build_application(settings, load_site_config(EXAMPLE_SITE_CONFIG), request=fake,
                            clock=SimClock(datetime(2026, 12, 1, 10, tzinfo=UTC)),
                            run_worker=False)
    assert await StartUp(app, Stop(), retry_max=0.01).run()
    assert events == ["open", "close", "open", "close", "open"]
    await take_down(app)
    assert events[-1] == "close"


# ----------------------------------------------------------------------------- output
def test_the_log_filter_redacts_the_token_everywhere(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # setup_logging replaces it
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    root = logging.getLogger()
    root.addHandler(handler)
    before = {h: list(h.filters) for h in root.handlers}
    try:
        setup_logging(token=TOKEN)  # a filter on every root handler, this one too
        later = logging.getLogger("telegram.ext.made_later")  # a logger created afterwards
        try:
            try:
                raise InvalidToken("Unauthorized")
            except InvalidToken as exc:  # what Bot.initialize does with getMe's InvalidToken
                raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.") from exc
        except InvalidToken:
            later.exception("start-up failed: %s", f"https://api.telegram.org/bot{TOKEN}/getMe")
        other = "987654321:" + "x" * 35  # token-shaped: another bot's, or an old one
        logging.getLogger("asyncio").error("secret %s, other %s, url %s", SECRET, other,
                                           "http://h/bot42:short/getMe")
        handler.handle(logging.makeLogRecord({"msg": "stack", "stack_info": f"at {TOKEN}"}))
    finally:
        root.removeHandler(handler)
        for other_handler, filters in before.items():  # pytest's own handlers live on
            other_handler.filters[:] = filters
    text = out.getvalue()
    assert TOKEN not in text and SECRET not in text
    assert other not in text and "42:short" not in text
    assert "The token `<redacted>` was rejected by the server." in text
    assert "https://api.telegram.org/bot<redacted>/getMe" in text
    assert "url http://h/bot<redacted>/getMe" in text and "at <redacted>" in text
    assert "Traceback" in text and "Unauthorized" in text  # the rest stays readable
    try:
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    except InvalidToken as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)  # what an uncaught crash prints
    assert "The token `<redacted>`" in capsys.readouterr().err


def test_every_command_names_its_database_whatever_the_folder(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    del env["BUURTBOT_DB"]
    default = ROOT / "data" / "buurtbot.db"
    existed = default.exists()
    code, lines = run_bot(env, "invite-codes", "--building", "nope", "--bot", "b", cwd=tmp_path)
    assert code == 1
    assert lines[0].removesuffix(" (does not exist yet)") == f"database: {default}"
    assert lines[1:] == ["no building 'nope' in the site file"]
    assert list(tmp_path.iterdir()) == []  # nothing made in the current folder
    assert default.exists() == existed  # nor in the checkout
    env["BUURTBOT_DB"] = "relative.db"  # explicit and relative: from here, printed absolute
    code, lines = run_bot(env, "revoke-code", "ABCDE23456", cwd=tmp_path)
    assert code == 1
    assert lines == [f"database: {tmp_path / 'relative.db'} (does not exist yet)",
                     "ABCDE23456: no active code like that"]


def test_sigterm_ends_a_long_poll_at_once(
        tmp_path: Path, bot_log: Path,
        spawn: Callable[[dict[str, str]], subprocess.Popen[bytes]]) -> None:
    """A service manager (systemd, Docker) sends SIGTERM and kills after 10 s: the bot must not
    wait out its 25 s long poll first."""
    fake = FakeBotAPI()
    fake.long_poll_cap = None  # getUpdates waits its whole timeout, as Telegram does
    for partner in load_site_config(EXAMPLE_SITE_CONFIG).partners:
        fake.add_group(partner.chat_id, partner.name)
    port = free_port()
    with FakeTelegramServer(fake, port=port):
        proc = spawn(env_for(tmp_path, f"http://127.0.0.1:{port}/bot",
                             BUURTBOT_POLL_TIMEOUT="25"))
        wait_for(lambda: RUNNING in bot_log.read_text(), 15, "the bot to run", bot_log)
        time.sleep(1.0)  # the first long poll starts right after "running": inside it now
        asked = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        took = time.monotonic() - asked
    assert took < 5, f"stopping took {took:.1f} s: it waited for the long poll"
    assert "Traceback" not in bot_log.read_text()
