"""Crash during writes: a moderator process SIGKILLed at random moments loses nothing it acknowledged.

CI runs a few trials; the full count the issue asks for is

    FACTDESK_CRASH_TRIALS=50 python -m pytest tests/test_crash.py -s

``-s`` shows the tally (trials, writes acknowledged, writes lost).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.errors import FactNotFound
from knowledge.store.changes import FactStore

REPO = Path(__file__).resolve().parents[1]
MODERATOR = Path(__file__).parent / "helpers" / "crash_moderator.py"
TRIALS = int(os.environ.get("FACTDESK_CRASH_TRIALS", "10"))
SEED = 20261125


@dataclass(frozen=True, slots=True)
class Write:
    op: str
    key: str
    version: int
    claim: str


@dataclass(slots=True)
class Tally:
    trials: int = 0
    acknowledged: int = 0
    lost: set[str] = field(default_factory=set)


def run_until_killed(db: Path, trial: int, rng: random.Random) -> list[Write]:
    """Start a moderator process, SIGKILL it after a random moment; the writes it acknowledged."""
    proc = subprocess.Popen(
        [sys.executable, str(MODERATOR), str(db), f"crash{trial}", str(rng.randrange(1 << 30))],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        ready = proc.stdout.readline()
        assert ready == b"ready\n", proc.stderr.read().decode()
        try:
            proc.wait(timeout=rng.uniform(0.05, 0.6))
        except subprocess.TimeoutExpired:
            proc.kill()
        proc.wait()
        out, err = proc.stdout.read(), proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -9, f"the moderator process stopped by itself: {err.decode()}"
    # A line cut short by the kill was never fully printed, so never acknowledged.
    complete = out.split(b"\n")[:-1]
    return [Write(**json.loads(line)) for line in complete]


def lost_writes(db: Path, writes: list[Write]) -> list[str]:
    """Every acknowledged write not found, as it was acknowledged, in the reopened database."""
    lost = []
    with FactStore.open(db) as store:  # parses and validates every record, takes the writer lock
        history = {(entry.key, entry.version): entry for entry in store.history()}
        for write in writes:
            try:
                current = store.get(write.key)
            except FactNotFound:
                current = None
            saved = history.get((write.key, write.version))
            if (
                current is None
                or current.version < write.version
                or (current.version == write.version and current.claim != write.claim)
                or saved is None
                or (saved.after or {}).get("claim") != write.claim
            ):
                lost.append(f"{write.op} {write.key} v{write.version}")
        assert not list(db.parent.glob(f".{db.name}.*.tmp")), "a temp file survived reopening"
    return lost


def check_passes(db: Path) -> None:
    env = {**os.environ, "DISCORD_TOKEN": "", "DISCORD_GUILD_ID": ""}
    result = subprocess.run(
        [sys.executable, str(REPO / "bot.py"), "check", str(db)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sigkilled_moderator_loses_no_acknowledged_add_or_edit(tmp_path: Path) -> None:
    db = tmp_path / "facts.json"
    rng = random.Random(SEED)
    tally = Tally()
    acknowledged: list[Write] = []
    for trial in range(TRIALS):
        acknowledged += run_until_killed(db, trial, rng)
        tally.trials += 1

        json.loads(db.read_bytes())  # the file parses as it is, before anything repairs it
        check_passes(db)
        tally.lost |= set(lost_writes(db, acknowledged))
    tally.acknowledged = len(acknowledged)
    edits = sum(w.op == "edit" for w in acknowledged)

    print(
        f"\ncrash trials: {tally.trials} SIGKILLs, {tally.acknowledged} writes acknowledged "
        f"({tally.acknowledged - edits} adds, {edits} edits), {len(tally.lost)} writes lost"
    )
    assert sorted(tally.lost) == []
    assert edits > 0 and tally.acknowledged - edits > 0, "the trials must exercise both adds and edits"
