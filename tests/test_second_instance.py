"""Second instance: a second `python bot.py` on a database a running bot holds is refused; the first runs on.

The first bot is the real ``bot.main`` in its own process with only Discord's
two network steps (log in, connect) replaced, so it stays up offline. The
second is ``python bot.py`` untouched: it must stop at the database lock,
before it ever tries the network, so no network is needed to see its message.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.errors import StoreLocked
from knowledge.store.changes import FactStore

REPO = Path(__file__).resolve().parents[1]
# Shaped like a bot token so it passes the format check; it is not one.
FAKE_TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB"
RUNNING_BOT = """
import asyncio, sys
import bot
from handlers.app import FactBot

async def login_offline(self, token):
    await self.setup_hook()  # what Client.login does once Discord accepts the token

async def connected(self, *, reconnect=True):
    print("ready", flush=True)
    await asyncio.Event().wait()

async def published(self):
    return 0  # publishing commands is network too

FactBot.login = login_offline
FactBot.connect = connected
FactBot.publish_commands = published
sys.exit(bot.main([]))
"""


def bot_environment(db: Path) -> dict[str, str]:
    # Set, even if empty, so a developer's .env (never overriding these) cannot leak in.
    return {
        **os.environ,
        "DISCORD_TOKEN": FAKE_TOKEN,
        "FACTS_DB": str(db),
        "DISCORD_GUILD_ID": "",
        "NEWSROOM_GUILD_IDS": "1100000000000000001",
        "MODERATOR_ROLES": "",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
def first_bot(db: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNING_BOT],
        cwd=REPO,
        env=bot_environment(db),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        ready = proc.stdout.readline().strip()
        assert ready == "ready", proc.stderr.read()
        yield proc
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_second_bot_is_refused_before_connecting_and_the_first_keeps_running(
    db: Path, first_bot: subprocess.Popen[str]
) -> None:
    second = subprocess.run(
        [sys.executable, "bot.py"],
        cwd=REPO,
        env=bot_environment(db),
        capture_output=True,
        text=True,
        timeout=60,
    )

    output = second.stdout + second.stderr
    assert second.returncode == 1, output
    assert "in use by another process" in second.stderr, output
    assert f"pid {first_bot.pid} on " in second.stderr
    assert str(db) in second.stderr
    assert "stop that one first" in second.stderr
    assert "Traceback" not in output
    assert FAKE_TOKEN not in output

    assert first_bot.poll() is None, "the first bot stopped"
    with pytest.raises(StoreLocked, match=f"pid {first_bot.pid} "):
        FactStore.open(db)  # and it still holds the database

    first_bot.send_signal(signal.SIGTERM)
    assert first_bot.wait(timeout=30) == 0
    with FactStore.open(db) as store:
        assert len(store) >= 28  # created from the shipped base by the first bot, intact
