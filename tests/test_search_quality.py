"""Search quality on the shipped base: the research desk's queries and our evaluation set.

The dev queries come from ``shared/research/queries-dev.tsv`` (beside the
checkout); each must rank its fact first. The evaluation set in
``tests/data/queries-eval.tsv`` must stay above a stated floor; its top-1 and
top-3 are printed (``pytest -s``) for the closing note.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from knowledge.model import parse_facts
from knowledge.search import SearchIndex

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = REPO / "tests" / "data"
NO_ANSWER = "-"
EVAL_TOP1_FLOOR = 0.90
EVAL_TOP3_FLOOR = 0.95


def read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]


def dev_queries() -> list[tuple[str, str]]:
    path = SHARED / "research" / "queries-dev.tsv"
    if not path.is_file():
        pytest.fail(f"Dev queries not found at {path}: check shared/ out beside the repository.")
    keys = dict(read_tsv(DATA / "dev_keys.tsv"))
    return [(query, keys[research_id]) for query, research_id in read_tsv(path)]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    document = json.loads((REPO / "knowledge" / "facts.json").read_text(encoding="utf-8"))
    facts, errors = parse_facts(document["facts"].values(), label="shipped fact")
    assert not errors, errors
    return SearchIndex(facts)


def test_every_dev_query_ranks_its_fact_first(index: SearchIndex) -> None:
    misses = []
    for query, key in dev_queries():
        outcome = index.search(query)
        got = [h.fact.key for h in outcome.results]
        if got[:1] != [key]:
            misses.append(f"{query!r}: expected {key}, got {got[:3]}")
    assert not misses, "dev queries that miss:\n" + "\n".join(misses)


def test_evaluation_set_meets_its_floor(index: SearchIndex) -> None:
    rows = read_tsv(DATA / "queries-eval.tsv")
    answerable = [(q, key, kind) for q, key, kind in rows if key != NO_ANSWER]
    off_topic = [q for q, key, _ in rows if key == NO_ANSWER]
    top1 = top3 = 0
    misses = []
    for query, key, kind in answerable:
        got = [h.fact.key for h in index.search(query).results]
        top1 += got[:1] == [key]
        top3 += key in got[:3]
        if got[:1] != [key]:
            misses.append(f"  [{kind}] {query!r}: expected {key}, got {got[:3]}")
    answered_off_topic = [q for q in off_topic if index.search(q).results]
    print(
        f"\nsearch eval: top-1 {top1}/{len(answerable)} ({top1 / len(answerable):.1%}), "
        f"top-3 {top3}/{len(answerable)} ({top3 / len(answerable):.1%}), "
        f"off-topic with no confident result {len(off_topic) - len(answered_off_topic)}/{len(off_topic)}"
    )
    print("\n".join(misses))
    assert len(answerable) >= 40 and len(off_topic) >= 5
    assert top1 / len(answerable) >= EVAL_TOP1_FLOOR, "\n".join(misses)
    assert top3 / len(answerable) >= EVAL_TOP3_FLOOR, "\n".join(misses)
    assert not answered_off_topic, f"off-topic queries given a confident answer: {answered_off_topic}"
