"""Crash-test writer: adds and edits facts in a loop and prints each write once it is acknowledged.

Usage: python tests/helpers/store_writer.py DB PREFIX

Prints ``ready`` once the store is open, then ``add KEY VERSION`` or
``edit KEY VERSION`` after each write returned, until killed. A test kills it
with SIGKILL and checks every printed write survived.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

from helpers.store_facts import ALICE, BOB, record  # noqa: E402

from knowledge.store.changes import FactStore  # noqa: E402


async def run(db: Path, prefix: str) -> None:
    with FactStore.open(db, seed=None) as store:
        print("ready", flush=True)
        i = 0
        while True:
            key = f"{prefix}-{i}"
            fact = await store.add(record(key), ALICE)
            print(f"add {fact.key} {fact.version}", flush=True)
            if i % 2:
                earlier = store.get(f"{prefix}-{i // 2}")
                fact = await store.edit(
                    earlier.key, {"details": f"Edit {i}."}, expected_version=earlier.version, actor=BOB
                )
                print(f"edit {fact.key} {fact.version}", flush=True)
            i += 1


if __name__ == "__main__":
    asyncio.run(run(Path(sys.argv[1]), sys.argv[2]))
