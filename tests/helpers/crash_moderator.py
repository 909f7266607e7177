"""Crash-test moderator: adds and edits facts as the bot does, printing each write once it returned.

Usage: python tests/helpers/crash_moderator.py DB PREFIX SEED

Opens the database as the bot does (``open_knowledge``: shipped base as seed,
search index, query log), prints ``ready``, then loops until killed: add a
fact, then edit the claim of an earlier fact picked at random (seeded).
After each write returned it prints one JSON line ``{"op", "key", "version",
"claim"}``: an acknowledged write, which must survive a SIGKILL at any moment.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

from helpers.store_facts import ALICE, BOB, record  # noqa: E402

from knowledge.model import Fact  # noqa: E402
from knowledge.newsroom import open_knowledge  # noqa: E402


def acknowledge(op: str, fact: Fact) -> None:
    line = json.dumps({"op": op, "key": fact.key, "version": fact.version, "claim": fact.claim})
    print(line, flush=True)


def claim(key: str, version: int) -> str:
    # Hash digits, unlike any other claim, so `bot.py check` finds no near-duplicates among thousands.
    digest = hashlib.sha256(f"{key}/{version}".encode()).hexdigest()
    return "Crash trial note " + " ".join(digest[i : i + 8] for i in range(0, 48, 8)) + "."


async def run(db: Path, prefix: str, seed: int) -> None:
    rng = random.Random(seed)
    knowledge = open_knowledge(db)
    store = knowledge.store
    print("ready", flush=True)
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
    asyncio.run(run(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
