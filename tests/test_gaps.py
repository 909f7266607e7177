"""The query log: which questions the base could not answer, and how often."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from knowledge.gaps import QueryLog
from knowledge.model import Fact, Source
from knowledge.search import Hit, SearchIndex, SearchOutcome

FACT = Fact(
    key="ovda-airfield",
    claim="Ovda is the only airfield in Israel through which explosives may be flown.",
    sources=(Source(publisher="Example Daily", url="https://example.com/a"),),
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def miss(query: str) -> SearchOutcome:
    return SearchOutcome(query, (), (), None)


def answered(query: str) -> SearchOutcome:
    return SearchOutcome(query, (Hit(FACT, 90.0),), (), None)


def test_unanswered_queries_are_counted_most_asked_first() -> None:
    clock = Clock()
    log = QueryLog(None, clock=clock)
    for query in ["Bitcoin price", "weather in paris", "bitcoin  PRICE!"]:
        log.record(query, miss(query))
        clock.now += timedelta(minutes=1)
    log.record("ovda", answered("ovda"))
    top = log.top()
    assert [(q, n) for q, n, _ in top] == [("bitcoin  PRICE!", 2), ("weather in paris", 1)]
    assert top[0][2] == "2026-11-25T09:02:00+00:00"


def test_nothing_to_search_for_is_not_a_gap() -> None:
    log = QueryLog(None)
    log.record("", SearchOutcome("", (), (), "Nothing to search for: the query is empty."))
    assert log.top() == []


def test_old_misses_fall_out_of_the_window() -> None:
    clock = Clock()
    log = QueryLog(None, clock=clock)
    log.record("old question", miss("old question"))
    clock.now += timedelta(days=31)
    log.record("new question", miss("new question"))
    assert [q for q, _, _ in log.top(since_days=30)] == ["new question"]
    assert len(log.top(since_days=60)) == 2
    assert len(log.top(limit=1, since_days=60)) == 1


def test_log_is_appended_as_json_lines_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "facts.json.queries.jsonl"
    clock = Clock()
    log = QueryLog(path, clock=clock)
    log.record("bitcoin price", miss("bitcoin price"))
    log.record("ovda", answered("ovda"))
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(e["query"], e["answered"], e["results"]) for e in lines] == [
        ("bitcoin price", False, []),
        ("ovda", True, ["ovda-airfield"]),
    ]
    assert QueryLog(path, clock=clock).top() == log.top()


def test_torn_or_foreign_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "queries.jsonl"
    good = {"at": "2026-11-25T08:00:00+00:00", "query": "bitcoin price", "answered": False}
    path.write_text(json.dumps(good) + '\nnot json\n{"at": 1}\n{"query": "x", "answ', encoding="utf-8")
    assert [q for q, _, _ in QueryLog(path, clock=Clock()).top()] == ["bitcoin price"]


def test_unwritable_log_does_not_break_a_search(tmp_path: Path) -> None:
    log = QueryLog(tmp_path / "missing-folder" / "queries.jsonl")
    log.record("bitcoin price", miss("bitcoin price"))
    assert [q for q, _, _ in log.top()] == ["bitcoin price"]


def test_works_with_real_search_outcomes() -> None:
    index = SearchIndex([FACT])
    log = QueryLog(None)
    for query in ["ovda explosives", "weather in paris", "@everyone"]:
        log.record(query, index.search(query))
    assert [q for q, _, _ in log.top()] == ["weather in paris"]
