"""``bot.py status``: the desk's health, read without writing, with and without a running bot
(knowledge.health), and the heartbeat the running bot writes."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers.store_facts import ALICE, record
from simcord import Env

from bot import main
from knowledge.health import Heartbeat, read_status
from knowledge.newsroom import open_knowledge
from knowledge.store.changes import FactStore

REPO = Path(__file__).resolve().parents[1]
LATER = timedelta(minutes=10)

# Takes the writer lock, then leaves it to a child and exits: the lock file names a pid that is gone.
ORPHANED_LOCK = """
import os, sys, time
from pathlib import Path
from knowledge.store.disk.lock import WriterLock
lock = WriterLock.acquire(Path(sys.argv[1]))
if os.fork():
    os._exit(0)
print(os.getpid(), flush=True)
time.sleep(60)
"""


def files_of(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
async def desk(tmp_path: Path) -> Path:
    """A desk with a change by a moderator, an open suggestion and a correction to make."""
    db = tmp_path / "facts.json"
    knowledge = open_knowledge(db)
    try:
        fact = await knowledge.store.add(record("a-fact"), ALICE)
        knowledge.queue.suggest("Something is missing.", "https://example.com/missing", ALICE)
        knowledge.answers.record(1, 2, 3, fact)
        changed = await knowledge.store.edit("a-fact", {"claim": "Changed."}, expected_version=1, actor=ALICE)
        knowledge.answers.plan_corrections(changed)
    finally:
        knowledge.close()
    return db


def status(db: Path, *options: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["status", "--db", str(db), *options])
    return code, capsys.readouterr().out


def test_without_a_bot_status_reports_the_desk_and_writes_nothing(
    desk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files_of(desk.parent)
    code, out = status(desk, capsys=capsys)
    assert code == 0, out
    assert "29 facts (0 retracted)" in out
    assert "by alice (101): edit a-fact" in out
    assert "Open queue items:    1" in out
    assert "Pending corrections: 1" in out
    assert "Writer lock:         free" in out
    assert "Heartbeat:           none" in out
    assert files_of(desk.parent) == before


def test_the_json_form_says_the_same(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = status(desk, "--json", capsys=capsys)
    data = json.loads(out)
    assert code == 0 and data["healthy"] is True and data["problems"] == []
    assert (data["facts"], data["open_queue_items"], data["pending_corrections"]) == (29, 1, 1)
    assert data["last_change"]["by"] == "alice (101)" and data["lock_holder"] is None


def test_expect_bot_without_a_bot_is_a_problem(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = status(desk, "--expect-bot", capsys=capsys)
    assert code == 1 and "PROBLEM: no bot is running" in out


def test_a_live_bot_with_a_fresh_heartbeat_is_healthy(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FactStore.open(desk):
        Heartbeat(desk).beat(connected=True, ready=True)
        before = files_of(desk.parent)
        code, out = status(desk, "--expect-bot", capsys=capsys)
        assert files_of(desk.parent) == before
    assert code == 0, out
    assert f"Writer lock:         pid {os.getpid()} on " in out
    assert "connected to Discord, last heard from it 20" in out


def test_a_stale_heartbeat_under_a_held_lock_is_a_problem(desk: Path) -> None:
    with FactStore.open(desk):
        Heartbeat(desk).beat(connected=True, ready=True)
        state = read_status(desk, now=datetime.now(UTC) + LATER)
    assert not state.healthy
    assert "its event loop is stuck" in state.problems[0]


def test_a_stale_heartbeat_without_a_bot_is_only_history(desk: Path) -> None:
    Heartbeat(desk).beat(connected=True, ready=True)  # from a bot that has stopped since
    assert read_status(desk, now=datetime.now(UTC) + LATER).healthy


def test_a_bot_holding_the_lock_without_a_heartbeat_for_long_is_a_problem(desk: Path) -> None:
    with FactStore.open(desk):
        assert read_status(desk).healthy  # just started: not yet
        state = read_status(desk, now=datetime.now(UTC) + LATER)
    assert "has written no heartbeat" in state.problems[0]


def test_a_bot_disconnected_from_discord_for_long_is_a_problem(desk: Path) -> None:
    heartbeat, now = Heartbeat(desk), datetime.now(UTC)
    with FactStore.open(desk):
        heartbeat.beat(connected=True, ready=True, now=now - LATER)
        heartbeat.beat(connected=False, ready=True, now=now)
        state = read_status(desk, now=now)
    assert "has not been connected to Discord since" in state.problems[0]


def test_a_lock_held_for_a_pid_that_is_gone_is_a_problem(
    desk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", ORPHANED_LOCK, str(desk)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    child = int(holder.stdout.readline())
    holder.wait()  # the pid the lock file names is gone; its child still holds the lock
    try:
        code, out = status(desk, capsys=capsys)
    finally:
        os.kill(child, signal.SIGKILL)
    assert code == 1
    assert f"PROBLEM: the writer lock is held, but its holder (pid {holder.pid}) is not running" in out


def test_an_unreadable_database_is_a_problem(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    desk.write_bytes(b'{"facts": {"1": ')
    code, out = status(desk, "--json", capsys=capsys)
    data = json.loads(out)
    assert code == 1 and data["healthy"] is False
    assert str(desk) in data["problems"][0]


def test_a_missing_database_is_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = status(tmp_path / "facts.json", capsys=capsys)
    assert code == 1 and "there is no fact database" in out
    assert not any(tmp_path.iterdir())


@pytest.mark.simcord(strict_sync=False)
async def test_the_running_bot_writes_its_heartbeat(simcord_env: Env, facts_db: Path) -> None:
    await simcord_env.settle()
    beat = json.loads(facts_db.with_name("facts.json.heartbeat").read_text())
    assert beat["pid"] == os.getpid() and beat["ready"] is True and beat["connected"] is True
    assert read_status(facts_db, expect_bot=True).healthy


def test_a_bot_still_connecting_is_no_problem_until_it_takes_too_long(desk: Path) -> None:
    with FactStore.open(desk):
        Heartbeat(desk).beat(connected=False, ready=False)
        assert read_status(desk).healthy
        later = datetime.now(UTC) + LATER
        Heartbeat(desk).beat(connected=False, ready=False, now=later)
        state = read_status(desk, now=later)
    assert "has not been connected to Discord since it started" in state.problems[0]
