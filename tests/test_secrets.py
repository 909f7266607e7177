"""Secrets: the bot token appears in no log line (even at DEBUG) and no reply; `.env` is never committed."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from simcord import ChannelHandle, Env, MemberActor
from test_bot import clean_logging as clean_logging

from bot import Settings, setup_logging
from knowledge.store.changes import FactStore

REPO = Path(__file__).resolve().parents[1]
# Passes the token format check, so the bot really starts and tries to log in with it.
SENTINEL = "U0VOVElORUwtU0VOVElORUw.Sntnl0.sentinel-never-print-this-token-anywhere"
SECRET_PART = SENTINEL.rsplit(".", 1)[1]

pytestmark = pytest.mark.simcord(strict_sync=False)


def assert_no_secret(text: str, where: str) -> None:
    assert SENTINEL not in text, f"the token appears in {where}"
    assert SECRET_PART not in text, f"the token's secret part appears in {where}"


def test_failed_login_exits_2_without_traceback_or_token_even_at_debug(tmp_path: Path) -> None:
    db = tmp_path / "facts.json"
    env = {
        **os.environ,
        "DISCORD_TOKEN": SENTINEL,
        "LOG_LEVEL": "DEBUG",
        "FACTS_DB": str(db),
        "DISCORD_GUILD_ID": "",
        "NEWSROOM_GUILD_IDS": "1100000000000000001",
        "MODERATOR_ROLES": "",
    }
    # Offline, logging in fails to reach Discord; online, Discord refuses the made-up token.
    result = subprocess.run(
        [sys.executable, "bot.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )

    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Could not reach Discord" in result.stderr or "Discord refused the token" in result.stderr
    assert "Traceback" not in output
    assert "logging in using static token" in result.stderr  # start-up ran, logging at work
    assert "\x1b[" not in result.stderr  # stderr is a pipe here: plain lines, no colours
    assert "voice will NOT be supported" not in result.stderr  # the bot never uses voice
    assert_no_secret(output, "the bot's output")
    with FactStore.open(db) as store:  # start-up opened the database and let it go
        assert len(store) >= 28


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, token=SENTINEL, log_level="DEBUG")


@pytest.mark.usefixtures("clean_logging")
async def test_token_appears_in_no_log_line_and_no_reply_while_commands_run(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    manager: MemberActor,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    handled_errors: Callable[[], list[type[BaseException]]],
) -> None:
    assert simcord_env.bot.settings.token == SENTINEL
    setup_logging(simcord_env.bot.settings)  # production logging: DEBUG, to stderr
    caplog.set_level(logging.DEBUG)

    with caplog.at_level(logging.DEBUG):
        found = await staff.slash(channel, "facts", query="silk-way")
        await staff.click(found.response, label="Cite")
        await staff.slash(channel, "facts", query="zebra pancake telescope")
        await staff.autocomplete(channel, "facts", "query", "uvda")
        await staff.slash(channel, "timeline")
        await staff.slash(channel, "sources")
        await manager.slash(
            channel,
            "factadmin add",
            key="test-secret-fact",
            claim="A made-up fact added while the token is watched.",
            publisher="Example Wire",
            source_title="A report",
            source_url="https://example.com/report",
            published="2020",
        )
        form = await manager.slash(channel, "factadmin edit", key="test-secret-fact")
        await manager.submit_modal(form, {"claim": "A corrected made-up fact."})
        await manager.slash(channel, "factadmin history", key="test-secret-fact")
        await manager.slash(channel, "factadmin gaps")
        await manager.slash(channel, "factadmin export")

        def explode(query: str, *, limit: int = 5) -> None:
            raise RuntimeError("an unexpected failure, logged with its traceback")

        monkeypatch.setattr(simcord_env.bot.knowledge.index, "search", explode)
        await staff.slash(channel, "facts", query="anything")
    assert RuntimeError in handled_errors()

    err = capsys.readouterr()
    assert "unexpected failure" in err.err  # the production log did get the DEBUG-level run
    assert_no_secret(err.out + err.err, "the log output")
    for record in caplog.records:
        assert_no_secret(record.getMessage(), f"a log record of {record.name}")
        if record.exc_info:
            assert_no_secret(logging.Formatter().formatException(record.exc_info), "a logged traceback")
    sent = [{"path": r.path, "params": r.params, "json": r.json} for r in simcord_env.http_requests]
    assert_no_secret(json.dumps(sent, default=str), "a request the bot sent to Discord")
    for messages in simcord_env.backend.messages.values():
        for message in messages.values():
            assert_no_secret(json.dumps([message.content, message.embeds], default=str), "a reply")


def test_env_file_is_git_ignored() -> None:
    def ignored(path: str) -> bool:
        check = subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO, capture_output=True)
        assert check.returncode in (0, 1), check.stderr
        return check.returncode == 0

    assert ignored(".env")
    assert not ignored(".env.example")  # the documented template is committed
    tracked = subprocess.run(["git", "ls-files", ".env"], cwd=REPO, capture_output=True, text=True)
    assert tracked.stdout == ""
