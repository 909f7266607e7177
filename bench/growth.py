"""How fast the files beside the database grow: bytes per history entry, per logged lookup, per answer.

Usage: python bench/growth.py [--json]

Works on a scratch copy of the shipped base: edits and reviews every fact once
(as a moderator would, with a Discord name and ID), runs every query of
bench/eval/queries.tsv as a lookup by a Discord user, and records a public
answer per fact; then divides each file's growth by what was written to it.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.model import Actor  # noqa: E402
from knowledge.newsroom import open_knowledge  # noqa: E402

MODERATOR = Actor("123456789012345678", "Desk Editor")
QUERIES = ROOT / "bench" / "eval" / "queries.tsv"


def size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


async def measure(folder: Path) -> dict[str, float]:
    db = folder / "facts.json"
    knowledge = open_knowledge(db)
    history = db.with_name(db.name + ".history.jsonl")
    queries = db.with_name(db.name + ".queries.jsonl")
    answers = db.with_name(db.name + ".answers.jsonl")
    try:
        facts = knowledge.store.facts()
        start = size(history)
        for fact in facts:
            details = (fact.details or "") + " Checked against the original filing."
            await knowledge.store.edit(
                fact.key, {"details": details}, expected_version=fact.version, actor=MODERATOR
            )
        edits = size(history) - start
        start = size(history)
        for fact in facts:
            await knowledge.store.review(fact.key, MODERATOR)
        reviews = size(history) - start
        with QUERIES.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        for i, row in enumerate(rows):
            knowledge.gaps.record(
                row["query"], knowledge.index.search(row["query"]), 900_000_000_000_000_000 + i
            )
        for i, fact in enumerate(knowledge.store.facts()):
            knowledge.answers.record(
                1_100_000_000_000_000_001, 1_200_000_000_000_000_001, 1_300_000_000_000_000_000 + i, fact
            )
        return {
            "facts": len(facts),
            "fact_record_bytes": size(db) / len(facts),
            "history_bytes_per_edit": edits / len(facts),
            "history_bytes_per_review": reviews / len(facts),
            "lookups": len(rows),
            "query_log_bytes_per_lookup": size(queries) / len(rows),
            "answer_log_bytes_per_answer": size(answers) / len(facts),
        }
    finally:
        knowledge.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = asyncio.run(measure(Path(folder)))
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    f = {name: f"{value:.0f}" for name, value in figures.items()}
    print("| what | bytes |\n| --- | --- |")
    print(
        f"| one fact in the database (average of {figures['facts']}) | {figures['fact_record_bytes']:.0f} |"
    )
    print(f"| one history entry: an edit (the fact before and after) | {f['history_bytes_per_edit']} |")
    print(f"| one history entry: a review | {figures['history_bytes_per_review']:.0f} |")
    print(f"| one logged lookup (average of {figures['lookups']}) | {f['query_log_bytes_per_lookup']} |")
    print(f"| one public answer recorded for corrections | {figures['answer_log_bytes_per_answer']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
