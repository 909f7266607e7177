"""Logs a service can keep: plain lines unless stderr is a terminal, an optional rotating LOG_FILE,
the token hidden in both, and no warning about voice, which the bot never uses."""

from __future__ import annotations

import dataclasses
import io
import logging
import logging.handlers
import re
import sys
from pathlib import Path

import discord
import pytest
from test_bot import FAKE_TOKEN
from test_bot import clean_logging as clean_logging
from test_bot import environment as environment
from test_bot import offline_login as offline_login

import bot
from bot import Settings, main, setup_logging
from handlers.app import create_bot

# discord.py's line layout, without colours: [2026-12-05 01:02:03] [WARNING ] factdesk: ...
PLAIN_LINE = re.compile(r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[[A-Z]+ *\] [\w.]+: .*")

pytestmark = pytest.mark.usefixtures("clean_logging")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def log_through(settings: Settings, stream: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(sys, "stderr", stream)
    setup_logging(settings)
    logging.getLogger("factdesk").warning("Leaving server %s", 42)
    return stream.getvalue()


def test_log_lines_are_plain_when_stderr_is_not_a_terminal_even_in_a_container(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # discord.py colours any stream in a container; a pipe or journald must get plain lines.
    monkeypatch.setattr(discord.utils, "is_docker", lambda: True)
    out = log_through(settings, io.StringIO(), monkeypatch)
    assert "\x1b[" not in out
    assert PLAIN_LINE.fullmatch(out.strip()), out
    assert out.strip().endswith("[WARNING ] factdesk: Leaving server 42")


def test_log_lines_are_coloured_on_a_terminal(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    out = log_through(settings, Terminal(), monkeypatch)
    assert "\x1b[" in out and "Leaving server 42" in out


def test_log_file_gets_plain_lines_without_the_token_and_is_rotated_at_its_size_cap(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_file = tmp_path / "logs" / "factdesk.log"  # its folder is made
    settings = dataclasses.replace(settings, token=FAKE_TOKEN, log_file=log_file)
    monkeypatch.setattr(bot, "LOG_FILE_BYTES", 2_000)  # rotate after a few lines, not 10 MB
    log_through(settings, io.StringIO(), monkeypatch)
    logging.getLogger("factdesk").info("logging in with %s", FAKE_TOKEN)

    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert all(PLAIN_LINE.fullmatch(line) for line in lines), lines
    assert lines[-1].endswith("factdesk: logging in with [token hidden]")
    assert FAKE_TOKEN not in log_file.read_text(encoding="utf-8")

    for n in range(200):
        logging.getLogger("factdesk").info("line %d of a long day", n)
    kept = sorted(path.name for path in log_file.parent.iterdir())
    assert kept == ["factdesk.log", *(f"factdesk.log.{n}" for n in range(1, bot.LOG_FILE_BACKUPS + 1))]
    assert all(path.stat().st_size <= 2_000 for path in log_file.parent.iterdir())


def test_a_log_file_that_cannot_be_written_stops_start_up_naming_it(
    environment: dict[str, str],
    offline_login: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LOG_FILE", str(tmp_path))  # a folder, not a file
    assert main([]) == 2
    err = capsys.readouterr().err
    assert f"LOG_FILE: cannot write the log to {tmp_path}" in err
    assert not Path(environment["FACTS_DB"]).exists()  # refused before the database was opened


def test_no_warning_about_voice_at_start(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # As in a fresh process: discord.py warns once per process, then clears these flags itself.
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    with caplog.at_level(logging.WARNING):
        create_bot(settings)
    assert not [r.getMessage() for r in caplog.records if "voice" in r.getMessage()]
