"""Crash-test moderator: adds and edits facts as the bot does, and SIGKILLs itself at a chosen disk step.

Usage: python tests/helpers/crash_moderator.py DB PREFIX SEED WRITE STEP

Opens the database as the bot does (``open_knowledge``: shipped base as seed,
search index, query log), then loops: add a fact, then edit the claim of an
earlier fact picked at random (seeded). After each write returned it prints
one JSON line ``{"op", "key", "version", "claim"}``: an acknowledged write,
which must survive the kill.

The kill is placed by count, not by clock: the steps that put bytes on the
disk or make them durable (``os.write``, ``os.copy_file_range``,
``os.fsync``, ``os.link``, ``os.replace``) are counted, and just before disk step STEP of
its WRITE-th write (0: opening, which creates the database the first time)
the process sends itself SIGKILL, as ``kill -9`` would. The same arguments
kill it at the same point every time, so a test can reach every step of a
write: new file written but its history not yet, history appended but not
synced, synced but the file not renamed, renamed but its folder not synced.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

from helpers.store_facts import ALICE, BOB, record  # noqa: E402

from knowledge.model import Fact  # noqa: E402
from knowledge.newsroom import open_knowledge  # noqa: E402

DISK_STEPS = ("write", "copy_file_range", "fsync", "link", "replace")


class Killer:
    """Counts the disk steps of each write; SIGKILLs this process just before step ``step`` of write
    ``write`` (write 0: opening, which creates the database on the first run). Before dying it
    says on stderr which step it died before, for the test's tally."""

    def __init__(self, write: int, step: int) -> None:
        self.write, self.step = write, step
        self.writes_done = 0  # writes finished (opening counts as write 0)
        self.steps = 0  # disk steps of the write in progress
        for name in DISK_STEPS:
            setattr(os, name, self._counted(name, getattr(os, name)))

    def _counted(self, name: str, step: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            self.steps += 1
            if self.writes_done == self.write and self.steps == self.step:
                sys.stderr.write(f"killed before {name} (step {self.step} of a write)\n")
                sys.stderr.flush()
                os.kill(os.getpid(), signal.SIGKILL)
            return step(*args, **kwargs)

        return run

    def done(self) -> None:
        self.writes_done += 1
        self.steps = 0
        if self.writes_done > self.write:  # that write had fewer steps: fail rather than run on
            sys.exit(f"write {self.write} ended before its disk step {self.step}")


def claim(key: str, version: int) -> str:
    # Hash digits, unlike any other claim, so `bot.py check` finds no near-duplicates among thousands.
    digest = hashlib.sha256(f"{key}/{version}".encode()).hexdigest()
    return "Crash trial note " + " ".join(digest[i : i + 8] for i in range(0, 48, 8)) + "."


async def run(db: Path, prefix: str, seed: int, killer: Killer) -> None:
    rng = random.Random(seed)
    knowledge = open_knowledge(db)
    killer.done()
    store = knowledge.store

    def acknowledge(op: str, fact: Fact) -> None:
        line = json.dumps({"op": op, "key": fact.key, "version": fact.version, "claim": fact.claim})
        print(line, flush=True)
        killer.done()

    added: list[str] = []
    for i in range(1_000_000):
        key = f"{prefix}-{i}"
        fact = await store.add(record(key, claim=claim(key, 1)), ALICE)
        added.append(fact.key)
        acknowledge("add", fact)
        earlier = store.get(rng.choice(added))
        fact = await store.edit(
            earlier.key,
            {"claim": claim(earlier.key, earlier.version + 1)},
            expected_version=earlier.version,
            actor=BOB,
            reason=f"crash trial edit {i}",
        )
        acknowledge("edit", fact)


if __name__ == "__main__":
    db, prefix, seed, write, step = sys.argv[1:]
    asyncio.run(run(Path(db), prefix, int(seed), Killer(int(write), int(step))))
