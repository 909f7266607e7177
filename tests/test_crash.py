"""Crash during writes: a moderator process SIGKILLed mid-write loses nothing it acknowledged.

The one kill -9 harness of the suite. Each trial starts
``helpers/crash_moderator.py`` on the same database; it adds and edits facts as
the bot does and kills itself just before a chosen disk step (by count, so
each trial dies at the same point every run). The trials' kill points are
spread so that every kind of step of a write is hit: the new file's bytes,
its fsync, the history append made as the file filled and its fsync, the
backup link, the rename and the folder's fsync. After each kill, the file must parse as it is, pass
``bot.py check``'s rules, open, and hold every write acknowledged so far, with
its history entry.

CI runs a dozen trials; more, with the tally shown:

    FACTDESK_CRASH_TRIALS=50 python -m pytest tests/test_crash.py -s
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from knowledge.duplicates import duplicate_warnings
from knowledge.errors import FactNotFound
from knowledge.store.changes import FactStore
from knowledge.store.transfer import check_file

REPO = Path(__file__).resolve().parents[1]
MODERATOR = Path(__file__).parent / "helpers" / "crash_moderator.py"
TRIALS = int(os.environ.get("FACTDESK_CRASH_TRIALS", "12"))
SEED = 20261125
# Every write takes at least this many disk steps (an add 10, an edit 11; creating the database 7).
STEPS = 10


@dataclass(frozen=True, slots=True)
class Write:
    op: str
    key: str
    version: int
    claim: str


@dataclass(frozen=True, slots=True)
class Trial:
    writes: list[Write]
    killed_at: str  # the disk step the process died before, as it said on stderr


def kill_point(trial: int) -> tuple[int, int]:
    """(write, step): trial N dies in its Nth write (the first, while creating the database), each
    trial at the next step of a write, so ten trials in a row hit every step once."""
    return trial, (trial + 5) % STEPS + 1


def run_until_killed(db: Path, trial: int) -> Trial:
    """Run a moderator process until it kills itself; the writes it acknowledged."""
    write, step = kill_point(trial)
    result = subprocess.run(
        [sys.executable, str(MODERATOR), str(db), f"crash{trial}", str(SEED + trial), str(write), str(step)],
        cwd=REPO,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == -9, f"the moderator process stopped by itself: {result.stderr.decode()}"
    # A line cut short by the kill was never fully printed, so never acknowledged.
    complete = result.stdout.split(b"\n")[:-1]
    killed_at = result.stderr.decode().rsplit("killed before ", 1)[-1].strip()
    return Trial([Write(**json.loads(line)) for line in complete], killed_at)


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


def test_sigkilled_moderator_loses_no_acknowledged_add_or_edit(tmp_path: Path) -> None:
    db = tmp_path / "facts.json"
    acknowledged: list[Write] = []
    lost: set[str] = set()
    killed_at: Counter[str] = Counter()
    for trial in range(TRIALS):
        outcome = run_until_killed(db, trial)
        acknowledged += outcome.writes
        killed_at[outcome.killed_at] += 1

        if not db.exists():  # the first trial dies before the new database is in place
            assert not acknowledged
            continue
        json.loads(db.read_bytes())  # the file parses as it is, before anything repairs it
        found = check_file(db, warn=duplicate_warnings)  # what `bot.py check` runs
        assert found.errors == [], found.errors
        lost |= set(lost_writes(db, acknowledged))
    edits = sum(w.op == "edit" for w in acknowledged)

    print(
        f"\ncrash trials: {TRIALS} SIGKILLs, {len(acknowledged)} writes acknowledged "
        f"({len(acknowledged) - edits} adds, {edits} edits), {len(lost)} writes lost; "
        f"killed before: {dict(sorted(killed_at.items()))}"
    )
    assert sorted(lost) == []
    assert edits > 0 and len(acknowledged) - edits > 0, "the trials must exercise both adds and edits"
    steps = {step.split(" ", 1)[0] for step in killed_at}
    assert {"write", "fsync", "link", "replace"} <= steps, f"some kinds of disk step were never hit: {steps}"
