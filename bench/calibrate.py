"""Choose the search thresholds on the evaluation set, in the open (issue 11).

    python bench/calibrate.py

Tries every combination of the grid below on ``bench/eval/queries.tsv`` and
prints the best few. A combination is admissible only if it answers no query
with the wrong fact, gives no broad word one fact as *the* answer, answers at
most 2 % of the hard negatives and keeps every dev query; among those, the most
top-1 correct wins, then the widest safety margin (fewest negatives answered).
The chosen values are then written into ``knowledge/search.py`` by hand, so a
change of threshold is a reviewed commit.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.eval import evaluate, read_queries, shipped_facts  # noqa: E402
from knowledge import search  # noqa: E402

# The first DECIDING settings only change the verdict, so each is tried on one ranking.
DECIDING = 4
GRID = {
    "ANSWER_CONFIDENCE": (0.7, 0.75, 0.78, 0.8, 0.82, 0.85),
    "SEVERAL_MARGIN": (0.02, 0.04, 0.06, 0.1),
    "LONG_ANSWER_CONFIDENCE": (0.65, 0.7, 0.75, 0.8),
    "_LONG_QUERY": (5, 6, 7),
    "_UNKNOWN_SHARE": (0.6, 0.8, 1.0, 1.3),
    "_LEAST_SHARE": (0.2, 0.3, 0.4, 0.5, 0.6),
    "_TAG_CONFIDENCE": (0.9, 1.0),
}


def judge_all(index, queries, ranked, values):  # type: ignore[no-untyped-def]
    def cached(query: str) -> search.SearchOutcome:
        parsed, hits = ranked[query]
        if hits is None:
            return search.SearchOutcome(query, (), (), parsed, "none")
        return index._outcome(parsed, hits, 5)

    t = evaluate(cached, queries)
    overall, negative = t["overall"], t["negative"]
    safe = (
        overall.confident_wrong == 0
        and t["broad"].broad_answered == 0
        and t["dev"].top1 == t["dev"].answerable
    )
    admissible = safe and negative.negatives_answered <= 0.02 * negative.negatives
    worst = min(
        t[c].top1 / t[c].answerable for c in ("question", "paraphrase", "multilingual", "typo", "broad")
    )
    return (admissible, overall.top1, round(worst, 2), -negative.negatives_answered, values, safe)


def main() -> int:
    queries = read_queries()
    index = search.SearchIndex(shipped_facts())
    results = []
    reading, deciding = list(GRID)[DECIDING:], list(GRID)[:DECIDING]
    for read_values in itertools.product(*(GRID[name] for name in reading)):
        for name, value in zip(reading, read_values, strict=True):
            setattr(search, name, value)
        search._OWN_WEIGHT[search._TAG] = search._TAG_CONFIDENCE
        # Reading and ranking depend only on the first group of settings: done once per combination.
        ranked = {}
        for item in queries:
            parsed = index._parse(item.query, search._clean(item.query), prefix_last=False)
            ranked[item.query] = (
                parsed,
                None if isinstance(parsed, str) else index._rank(parsed, budget=2000, rerank=40),
            )
        for decide_values in itertools.product(*(GRID[name] for name in deciding)):
            for name, value in zip(deciding, decide_values, strict=True):
                setattr(search, name, value)
            results.append(judge_all(index, queries, ranked, (*decide_values, *read_values)))
    results.sort(reverse=True)
    print("admissible top-1 worst-category negatives-answered", *deciding, *reading)
    for admissible, top1, worst, negatives, values, _ in results[:10]:
        print(admissible, top1, f"{worst:.2f}", -negatives, *values)
    print("safe (no confident-wrong, broad or dev miss), fewest negatives answered:")
    safe = sorted((r for r in results if r[5]), key=lambda r: (r[3], r[1]), reverse=True)
    for admissible, top1, worst, negatives, values, _ in safe[:10]:
        print(admissible, top1, f"{worst:.2f}", -negatives, *values)
    return 0


if __name__ == "__main__":
    sys.exit(main())
