"""Wiring: settings from the environment, start-up failures, logging that never shows the token."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import discord
import pytest

from bot import ROOT, HideSecret, SettingsError, load_settings, main, token_problem
from handlers.app import FactBot
from knowledge.store.changes import FactStore

# Shaped like a real token so it passes the format check; it is not one.
FAKE_TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_defaults_when_nothing_is_set() -> None:
    settings = load_settings({})
    assert settings.token is None
    assert settings.facts_db == ROOT / "data" / "facts.json"
    assert settings.newsroom_guild_ids == ()
    assert settings.moderator_roles == ()
    assert settings.log_level == "INFO"
    assert settings.log_file is None
    assert settings.correction_pace == 1.0


def test_every_setting_is_read_and_cleaned() -> None:
    settings = load_settings(
        {
            "DISCORD_TOKEN": f"  {FAKE_TOKEN}\n",
            "FACTS_DB": "/srv/facts/live.json",
            "NEWSROOM_GUILD_IDS": " 123456789012345678 , 323456789012345678,",
            "DISCORD_GUILD_ID": " 123456789012345678 ",
            "MODERATOR_ROLES": "Fact desk, 223456789012345678 ,,Fact desk",
            "LOG_LEVEL": "debug",
            "LOG_FILE": " /var/log/factdesk/bot.log ",
            "CORRECTION_PACE": " 2.5 ",
        }
    )
    assert settings.token == FAKE_TOKEN
    assert settings.facts_db == Path("/srv/facts/live.json")
    assert settings.newsroom_guild_ids == (123456789012345678, 323456789012345678)
    assert settings.moderator_roles == ("Fact desk", "223456789012345678")
    assert settings.log_level == "DEBUG"
    assert settings.log_file == Path("/var/log/factdesk/bot.log")
    assert settings.correction_pace == 2.5


def test_relative_database_and_log_paths_are_inside_the_project_folder() -> None:
    settings = load_settings({"FACTS_DB": "other/facts.json", "LOG_FILE": "logs/bot.log"})
    assert settings.facts_db == ROOT / "other" / "facts.json"
    assert settings.log_file == ROOT / "logs" / "bot.log"


@pytest.mark.parametrize("value", ["fast", "-1", "61", "nan", "inf", "1e400"])
def test_a_correction_pace_that_is_not_0_to_60_seconds_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match=r"CORRECTION_PACE must be a number of seconds from 0 to 60"):
        load_settings({"CORRECTION_PACE": value})


def test_a_correction_pace_of_zero_edits_without_pausing() -> None:
    assert load_settings({"CORRECTION_PACE": "0"}).correction_pace == 0.0


@pytest.mark.parametrize("value", ["my-server", "12345", "1234567890123456789012", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨"])
@pytest.mark.parametrize("name", ["NEWSROOM_GUILD_IDS", "DISCORD_GUILD_ID"])
def test_malformed_guild_id_is_refused_with_how_to_find_it(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=rf"{name}.*Copy Server ID"):
        load_settings({name: f"123456789012345678,{value}"})


def test_the_older_discord_guild_id_counts_as_a_newsroom_server() -> None:
    assert load_settings({"DISCORD_GUILD_ID": "123456789012345678"}).newsroom_guild_ids == (
        123456789012345678,
    )


def test_bot_will_not_start_without_knowing_the_newsroom_server(
    environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", FAKE_TOKEN)
    monkeypatch.setenv("NEWSROOM_GUILD_IDS", "")
    for command in ([], ["sync"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "NEWSROOM_GUILD_IDS is not set" in err
        assert "Copy Server ID" in err
    assert not Path(environment["FACTS_DB"]).exists()


def test_unknown_log_level_is_refused() -> None:
    with pytest.raises(SettingsError, match="LOG_LEVEL must be one of DEBUG, INFO"):
        load_settings({"LOG_LEVEL": "verbose"})


def test_settings_never_show_the_token() -> None:
    settings = load_settings({"DISCORD_TOKEN": FAKE_TOKEN})
    assert FAKE_TOKEN not in repr(settings)


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (None, "not set"),
        ("Bot " + FAKE_TOKEN, "starts with 'Bot '"),
        ("paste-your-token-here", "does not look like a bot token"),
        (FAKE_TOKEN, None),
    ],
)
def test_token_problem(token: str | None, problem: str | None) -> None:
    found = token_problem(token)
    assert (found is None) if problem is None else (problem in found)


def test_secret_is_hidden_in_messages_arguments_and_tracebacks() -> None:
    handler_filter = HideSecret("s3cret-token")
    try:
        raise ValueError("bad s3cret-token")
    except ValueError as error:
        record = logging.LogRecord(
            "x", logging.DEBUG, __file__, 1, "login with %s", ("s3cret-token",), (type(error), error, None)
        )
    assert handler_filter.filter(record)
    assert record.getMessage() == "login with [token hidden]"
    assert "s3cret-token" not in record.exc_text
    assert "bad [token hidden]" in record.exc_text


@pytest.fixture
def clean_logging() -> Iterator[None]:
    """main() installs logging on the root logger; put it back after the test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    discord_level = logging.getLogger("discord").level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("discord").setLevel(discord_level)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """A clean environment; a developer's real .env (never overriding these) cannot leak in."""
    values = {
        "DISCORD_TOKEN": "",
        "FACTS_DB": str(tmp_path / "facts.json"),
        "DISCORD_GUILD_ID": "",
        "NEWSROOM_GUILD_IDS": "1100000000000000001",
        "MODERATOR_ROLES": "",
        "LOG_LEVEL": "INFO",
        "LOG_FILE": "",
        "CORRECTION_PACE": "",
        "INDEX_SAVE_DELAY": "",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.mark.parametrize("token", ["", "not a token", "Bot " + FAKE_TOKEN])
def test_missing_or_malformed_token_exits_2_with_how_to_make_one(
    token: str,
    environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", token)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "Reset Token" in err
    assert "DISCORD_TOKEN=" in err and ".env" in err
    if token:
        assert token not in err


def test_refused_token_exits_2_without_traceback_or_token_even_at_debug(
    environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clean_logging: None,
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", FAKE_TOKEN)
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")

    async def refuse(self: discord.http.HTTPClient, token: str) -> None:
        logging.getLogger("discord.http").warning("login attempt with %s", token)
        logging.getLogger("factdesk").debug("token was %s", token)
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(discord.http.HTTPClient, "static_login", refuse)
    assert main([]) == 2
    out = capsys.readouterr()
    assert "Discord refused the token" in out.err
    assert "Reset Token" in out.err
    assert "Traceback" not in out.err + out.out
    assert FAKE_TOKEN not in out.err + out.out
    assert "token was [token hidden]" in out.err  # the debug line was logged, without the token
    assert logging.getLogger("discord").getEffectiveLevel() == logging.INFO


@pytest.fixture
def offline_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """A well-formed token that Discord accepts: login runs only what follows acceptance."""
    monkeypatch.setenv("DISCORD_TOKEN", FAKE_TOKEN)

    async def login_offline(self: FactBot, token: str) -> None:
        await self.setup_hook()  # what Client.login does once Discord accepts the token

    async def published(self: FactBot) -> int:
        return len(self.tree.get_commands())

    monkeypatch.setattr(FactBot, "login", login_offline)
    monkeypatch.setattr(FactBot, "publish_commands", published)


def test_database_in_use_stops_start_up_with_a_clear_message(
    environment: dict[str, str],
    offline_login: None,
    capsys: pytest.CaptureFixture[str],
    clean_logging: None,
) -> None:
    with FactStore.open(Path(environment["FACTS_DB"])):
        assert main([]) == 1
    err = capsys.readouterr().err
    assert "in use by another process" in err
    assert environment["FACTS_DB"] in err
    assert "Traceback" not in err


def test_sigterm_stops_the_bot_and_releases_the_database(
    environment: dict[str, str], offline_login: None, monkeypatch: pytest.MonkeyPatch, clean_logging: None
) -> None:
    async def connected_until_stopped(self: FactBot, *, reconnect: bool = True) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # what systemd or docker stop sends
        await asyncio.sleep(60)

    monkeypatch.setattr(FactBot, "connect", connected_until_stopped)

    def unhandled(signum: int, frame: object) -> None:
        raise AssertionError("SIGTERM reached the default handler: the bot did not catch it")

    previous = signal.signal(signal.SIGTERM, unhandled)  # instead of killing the test run
    try:
        assert main([]) == 0
    finally:
        signal.signal(signal.SIGTERM, previous)
    with FactStore.open(Path(environment["FACTS_DB"])) as store:  # the lock was released
        assert len(store) >= 28


def test_corrupt_database_stops_start_up_and_is_left_as_it_was(
    environment: dict[str, str],
    offline_login: None,
    capsys: pytest.CaptureFixture[str],
    clean_logging: None,
) -> None:
    db = Path(environment["FACTS_DB"])
    db.write_text('{"facts": {"1": {"key": "half', encoding="utf-8")
    assert main([]) == 1
    err = capsys.readouterr().err
    assert str(db) in err
    assert "Traceback" not in err
    assert db.read_text(encoding="utf-8") == '{"facts": {"1": {"key": "half'
