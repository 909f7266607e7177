"""Backup-test writer: keeps adding facts, edits, suggestions and logged lookups, and acknowledges each.

Usage: python tests/helpers/desk_writer.py DB ACKS

Writes to the desk at DB (holding its writer lock, as the bot does) until
killed, appending a line to ACKS once each write has returned: ``fact KEY
VERSION`` or ``item ID``. A line in ACKS is a write the desk acknowledged.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

from helpers.store_facts import ALICE, BOB, record  # noqa: E402

from knowledge.model import Actor  # noqa: E402
from knowledge.newsroom import open_knowledge  # noqa: E402


async def run(db: Path, acks: Path) -> None:
    knowledge = open_knowledge(db, seed=None)
    with acks.open("a", buffering=1) as out:
        i = 0
        while True:
            key = f"live-{i}"
            fact = await knowledge.store.add(record(key), ALICE)
            out.write(f"fact {fact.key} {fact.version}\n")
            if i % 2:
                earlier = knowledge.store.get(f"live-{i // 2}")
                fact = await knowledge.store.edit(
                    earlier.key, {"details": f"Edit {i}."}, expected_version=earlier.version, actor=BOB
                )
                out.write(f"fact {fact.key} {fact.version}\n")
            if i % 3 == 0:
                reporter = Actor(str(1000 + i), f"reporter{i}")  # one each: a person may have 5 open
                item = knowledge.queue.suggest(
                    f"Claim number {i} is missing.", f"https://example.com/s{i}", reporter
                )
                out.write(f"item {item.id}\n")
            knowledge.gaps.record(f"zebra pancake {i}", knowledge.index.search(f"zebra pancake {i}"), 303)
            i += 1


if __name__ == "__main__":
    asyncio.run(run(Path(sys.argv[1]), Path(sys.argv[2])))
