"""The query log: which questions the base could not answer, and how often."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from simcord import ChannelHandle, MemberActor

from knowledge.desk.gaps import Gap, QueryLog
from knowledge.model import Fact, Source
from knowledge.search.index import Hit, SearchIndex, SearchOutcome
from tests.helpers.workflow import Clock

FACT = Fact(
    key="ovda-airfield",
    claim="Ovda is the only airfield in Israel through which explosives may be flown.",
    sources=(Source(publisher="Example Daily", url="https://example.com/a"),),
)


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
    top = log.ranked()
    assert [(g.query, g.times) for g in top] == [("bitcoin  PRICE!", 2), ("weather in paris", 1)]
    assert top[0].last_at == "2026-11-25T09:02:00+00:00"


def test_nothing_to_search_for_is_not_a_gap() -> None:
    log = QueryLog(None)
    log.record("", SearchOutcome("", (), (), "Nothing to search for: the query is empty."))
    assert log.ranked() == []


def test_old_misses_fall_out_of_the_window() -> None:
    clock = Clock()
    log = QueryLog(None, clock=clock)
    log.record("old question", miss("old question"))
    clock.now += timedelta(days=31)
    log.record("new question", miss("new question"))
    assert [g.query for g in log.ranked(since_days=30)] == ["new question"]
    assert len(log.ranked(since_days=60)) == 2
    assert len(log.ranked(limit=1, since_days=60)) == 1


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
    assert QueryLog(path, clock=clock).ranked() == log.ranked()


def test_torn_or_foreign_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "queries.jsonl"
    good = {"at": "2026-11-25T08:00:00+00:00", "query": "bitcoin price", "answered": False}
    path.write_text(json.dumps(good) + '\nnot json\n{"at": 1}\n{"query": "x", "answ', encoding="utf-8")
    assert [g.query for g in QueryLog(path, clock=Clock()).ranked()] == ["bitcoin price"]


def test_unwritable_log_does_not_break_a_search(tmp_path: Path) -> None:
    log = QueryLog(tmp_path / "missing-folder" / "queries.jsonl")
    log.record("bitcoin price", miss("bitcoin price"))
    assert [g.query for g in log.ranked()] == ["bitcoin price"]


def test_works_with_real_search_outcomes() -> None:
    index = SearchIndex([FACT])
    log = QueryLog(None)
    for query in ["ovda explosives", "weather in paris", "@everyone"]:
        log.record(query, index.search(query))
    assert [g.query for g in log.ranked()] == ["weather in paris"]


# --- ranked by people ----------------------------------------------------------------


def test_two_colleagues_outrank_one_reporter_asking_five_times() -> None:
    clock = Clock()
    log = QueryLog(None, clock=clock)
    for _ in range(5):
        log.record("bitcoin price", miss("bitcoin price"), asker=111)
        clock.now += timedelta(minutes=1)
    log.record("ovda runway length", miss("ovda runway length"), asker=222)
    log.record("Ovda runway length?", miss("Ovda runway length?"), asker=333)
    assert log.ranked() == [
        Gap("Ovda runway length?", people=2, times=2, last_at="2026-11-25T09:05:00+00:00"),
        Gap("bitcoin price", people=1, times=5, last_at="2026-11-25T09:04:00+00:00"),
    ]


def test_same_people_rank_by_times_then_most_recent() -> None:
    clock = Clock()
    log = QueryLog(None, clock=clock)
    log.record("older question", miss("older question"), asker=1)
    clock.now += timedelta(minutes=1)
    log.record("newer question", miss("newer question"), asker=1)
    clock.now += timedelta(minutes=1)
    log.record("asked twice", miss("asked twice"), asker=2)
    log.record("asked twice", miss("asked twice"), asker=2)
    assert [g.query for g in log.ranked()] == ["asked twice", "newer question", "older question"]


def test_askers_are_stored_hashed_with_a_key_kept_beside_the_log(tmp_path: Path) -> None:
    path = tmp_path / "facts.json.queries.jsonl"
    clock = Clock()
    log = QueryLog(path, clock=clock)
    log.record("ovda runway", miss("ovda runway"), asker=123456789012345678)
    log.record("ovda runway", miss("ovda runway"), asker=123456789012345678)
    log.record("ovda runway", miss("ovda runway"), asker=987654321098765432)
    text = path.read_text(encoding="utf-8")
    assert "123456789012345678" not in text and "987654321098765432" not in text
    askers = [json.loads(line)["asker"] for line in text.splitlines()]
    assert askers[0] == askers[1] != askers[2]
    key = path.with_name(path.name + ".key")
    assert key.stat().st_mode & 0o777 == 0o600
    # A restart reads the same key: the same person is still one person.
    again = QueryLog(path, clock=clock)
    again.record("ovda runway", miss("ovda runway"), asker=123456789012345678)
    assert again.ranked()[0][1:3] == (2, 4)
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[-1])["asker"] == askers[0]


def test_a_lost_key_only_makes_later_asks_count_as_new_people(tmp_path: Path) -> None:
    path = tmp_path / "queries.jsonl"
    QueryLog(path, clock=Clock()).record("ovda runway", miss("ovda runway"), asker=1)
    path.with_name(path.name + ".key").unlink()
    again = QueryLog(path, clock=Clock())
    again.record("ovda runway", miss("ovda runway"), asker=1)
    assert again.ranked()[0].people == 2


def test_lines_without_an_asker_count_as_one_unknown_person_per_query(tmp_path: Path) -> None:
    path = tmp_path / "queries.jsonl"
    old = [
        {"at": "2026-11-25T08:00:00+00:00", "query": "ovda runway", "answered": False},
        {"at": "2026-11-25T08:01:00+00:00", "query": "ovda runway", "answered": False},
        {"at": "2026-11-25T08:02:00+00:00", "query": "ovda runway", "answered": False},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in old), encoding="utf-8")
    log = QueryLog(path, clock=Clock())
    assert log.ranked() == [Gap("ovda runway", 1, 3, "2026-11-25T08:02:00+00:00")]
    log.record("ovda runway", miss("ovda runway"), asker=42)
    log.record("ovda runway", miss("ovda runway"))  # the old call, without an asker
    assert log.ranked()[0][1:3] == (2, 5)


def test_an_unwritable_key_still_counts_people_until_the_next_start(tmp_path: Path) -> None:
    log = QueryLog(tmp_path / "missing-folder" / "queries.jsonl")
    log.record("ovda runway", miss("ovda runway"), asker=1)
    log.record("ovda runway", miss("ovda runway"), asker=2)
    log.record("ovda runway", miss("ovda runway"), asker=1)
    assert log.ranked()[0][1:3] == (2, 3)


def test_a_search_after_a_line_cut_short_by_a_crash_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "queries.jsonl"
    good = {"at": "2026-11-25T08:00:00+00:00", "query": "bitcoin price", "answered": False}
    path.write_text(json.dumps(good) + '\n{"query": "x", "answ', encoding="utf-8")
    QueryLog(path, clock=Clock()).record("ovda runway", miss("ovda runway"))
    assert sorted(g.query for g in QueryLog(path, clock=Clock()).ranked()) == ["bitcoin price", "ovda runway"]


# --- through Discord: each asker counted once ---------------------------------------------


@pytest.mark.simcord(strict_sync=False)
async def test_factadmin_gaps_ranks_two_colleagues_above_one_reporter_asking_three_times(
    channel: ChannelHandle, staff: MemberActor, other_staff: MemberActor, manager: MemberActor
) -> None:
    for _ in range(3):
        await staff.slash(channel, "facts", query="zebra pancake telescope")
    for colleague in (staff, other_staff):
        await colleague.slash(channel, "facts", query="quantum marmalade")

    result = await manager.slash(channel, "factadmin gaps")

    lines = result.response.content.splitlines()
    assert "asked by the most people first" in lines[0]
    assert lines[1].startswith("1. “quantum marmalade” — asked by 2 people, 2×")
    assert lines[2].startswith("2. “zebra pancake telescope” — asked by 1 person, 3×")
