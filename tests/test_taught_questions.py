"""Questions the desk teaches a fact (``asked_as``), and the picks that show which to teach: no Discord.

A pick is logged against the ask that offered it; gaps show picks; only a
moderator's ``teach`` changes what search answers.
"""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from handlers.admin_text import gaps_message, history_line
from handlers.forms import names_text, split_names
from knowledge.desk.gaps import Gap, Pick, QueryLog
from knowledge.errors import InvalidFact
from knowledge.model import MAX_ASKED_AS, MAX_QUESTION, parse_fact
from knowledge.newsroom import open_knowledge
from knowledge.search.index import Hit, SearchOutcome
from knowledge.store.changes import SHIPPED_BASE, FactStore
from tests.helpers.store_facts import ALICE, BOB, exported, record
from tests.helpers.workflow import SILK_WAY, Clock

# A real miss on the shipped base: no fact answers it, the Ovda flights fact is offered.
QUESTION = "why do planes fly at night to ovda"
REWORDED = "Why do the planes fly to Ovda at night?"
FACT = "silk-way-ovda-flights"


@pytest.fixture
def store(db: Path):
    with FactStore.open(db, seed=None) as opened:
        yield opened


def problems(error: pytest.ExceptionInfo[InvalidFact]) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in error.value.problems]


# --- the field ------------------------------------------------------------------


def test_asked_as_is_stored_and_read_back() -> None:
    fact = parse_fact(record("taught", asked_as=[" who flies at night ", "why ovda"]))
    assert fact.asked_as == ("who flies at night", "why ovda")
    assert parse_fact(fact.to_dict()) == fact
    assert "asked_as" not in parse_fact(record("untaught")).to_dict()  # left out when empty


@pytest.mark.parametrize(
    ("asked_as", "field", "message"),
    [
        ("one question", "asked_as", "must be a list of text"),
        (["x" * (MAX_QUESTION + 1)], "asked_as[0]", f"is {MAX_QUESTION + 1} characters; at most 200"),
        (["q"] * (MAX_ASKED_AS + 1), "asked_as", f"has {MAX_ASKED_AS + 1} entries; at most {MAX_ASKED_AS}"),
        (["two\nlines"], "asked_as[0]", "contains a line break; keep it on one line"),
        (["   "], "asked_as[0]", "must not be empty"),
        ([7], "asked_as[0]", "must be text"),
    ],
)
def test_bad_asked_as_is_refused_naming_the_field(asked_as: object, field: str, message: str) -> None:
    with pytest.raises(InvalidFact) as error:
        parse_fact(record("taught", asked_as=asked_as))
    [(named, said)] = problems(error)
    assert named == field
    assert said.startswith(message)


def test_the_same_question_twice_is_kept_once() -> None:
    fact = parse_fact(record("taught", asked_as=["Why Ovda", "why  ovda", "why ovda"]))
    assert fact.asked_as == ("Why Ovda", "why  ovda")  # as aliases: the same text, case aside, once


# --- teach ------------------------------------------------------------------------


async def test_teach_adds_the_question_attributed_in_the_history(store: FactStore, db: Path) -> None:
    await store.add(record("taught"), ALICE)
    fact = await store.teach("taught", "  why do planes fly at night ", BOB)
    assert fact.asked_as == ("why do planes fly at night",)
    assert (fact.version, fact.updated_by) == (2, BOB.label)
    entry = store.history("taught")[-1]
    assert (entry.action, entry.actor, entry.version) == ("teach", BOB.label, 2)
    assert entry.before is not None and "asked_as" not in entry.before
    assert entry.after is not None and entry.after["asked_as"] == ["why do planes fly at night"]
    assert history_line(entry).endswith("**teach** by bob (202) — now answers “why do planes fly at night”")
    store.close()
    with FactStore.open(db, seed=None) as again:
        assert again.get("taught").asked_as == ("why do planes fly at night",)


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("WHY  do planes fly at night", "`taught` already answers “WHY  do planes fly at night”"),
        ("why ovda", "“why ovda” was already taught to `other`"),
        ("", "must not be empty"),
        ("x" * (MAX_QUESTION + 1), f"is {MAX_QUESTION + 1} characters"),
        ("line\nbreak", "contains a line break"),
        ("\u202eevil", "contains a control character (U+202E)"),
    ],
)
async def test_a_bad_teaching_is_refused_and_changes_nothing(
    store: FactStore, question: str, message: str
) -> None:
    await store.add(record("taught"), ALICE)
    await store.add(record("other"), ALICE)
    await store.teach("taught", "why do planes fly at night", BOB)
    await store.teach("other", "Why Ovda", BOB)
    before, history = store.get("taught"), store.history()
    with pytest.raises(InvalidFact) as error:
        await store.teach("taught", question, BOB)
    [(field, said)] = problems(error)
    assert field == "asked_as"
    assert said.startswith(message)
    assert store.get("taught") == before
    assert store.history() == history


async def test_a_retracted_fact_or_a_full_one_cannot_be_taught(store: FactStore) -> None:
    await store.add(record("gone"), ALICE)
    await store.retract("gone", "Wrong.", ALICE)
    with pytest.raises(InvalidFact, match="is retracted; restore it before teaching it a question"):
        await store.teach("gone", "a question", BOB)
    full = [f"question {i}" for i in range(MAX_ASKED_AS)]
    await store.add(record("full", asked_as=full), ALICE)
    with pytest.raises(InvalidFact, match=f"already has {MAX_ASKED_AS} questions"):
        await store.teach("full", "one more", BOB)
    assert store.get("full").asked_as == tuple(full)


async def test_taught_questions_travel_through_export_and_import(store: FactStore, tmp_path: Path) -> None:
    await store.add(record("taught"), ALICE)
    await store.teach("taught", "why do planes fly at night", BOB)
    document = await exported(store)
    [saved] = document["facts"].values()
    assert saved["asked_as"] == ["why do planes fly at night"]
    with FactStore.open(tmp_path / "elsewhere.json", seed=None) as other:
        report = await other.import_records(list(document["facts"].values()), ALICE)
        assert report.added == ["taught"]
        assert other.get("taught").asked_as == ("why do planes fly at night",)
        # An import that changes only the taught questions is a change, shown as one
        changed = dict(saved, asked_as=["why do planes fly at night", "who flies at night"])
        report = await other.import_records([changed], ALICE)
        assert report.changed == ["taught"]
        assert other.get("taught").asked_as == ("why do planes fly at night", "who flies at night")


async def test_an_edit_can_correct_or_remove_taught_questions(store: FactStore) -> None:
    await store.add(record("taught", asked_as=["one", "two"]), ALICE)
    fact = await store.edit("taught", {"asked_as": ["one"]}, expected_version=1, actor=BOB)
    assert fact.asked_as == ("one",)
    assert history_line(store.history("taught")[-1]).endswith("**edit** by bob (202) (asked_as)")


async def test_no_way_in_gives_two_facts_the_same_taught_question(store: FactStore) -> None:
    """Teach refuses a question another fact was taught; so do add, edit and import, or a moderator
    could make one question answer to two facts through the edit form or a file."""
    await store.add(record("taught", asked_as=["Why Ovda"]), ALICE)
    await store.add(record("other"), ALICE)
    before, history = store.facts(), store.history()
    clash = "“why  ovda” was already taught to `taught`"
    with pytest.raises(InvalidFact) as error:
        await store.add(record("third", asked_as=["why  ovda"]), ALICE)
    assert problems(error) == [("asked_as", f"{clash}; edit that fact first if it is wrong there")]
    with pytest.raises(InvalidFact, match=clash):
        await store.edit("other", {"asked_as": ["why  ovda"]}, expected_version=1, actor=BOB)
    with pytest.raises(InvalidFact, match=clash):
        await store.import_records([record("fourth", asked_as=["why  ovda"])], ALICE)
    with pytest.raises(InvalidFact, match="“same” was already taught to `fifth`"):  # within one file
        await store.import_records(
            [record("fifth", asked_as=["same"]), record("sixth", asked_as=["same"])], ALICE
        )
    assert store.facts() == before
    assert store.history() == history
    # Moving a question is one import that takes it from one fact and gives it to another
    moved = [dict(store.get("taught").to_dict(), asked_as=[]), record("other", asked_as=["why ovda"])]
    report = await store.import_records(moved, ALICE)
    assert sorted(report.changed) == ["other", "taught"]
    assert store.get("other").asked_as == ("why ovda",)


# --- what search answers -------------------------------------------------------------


def knowledge_at(tmp_path: Path):
    path = tmp_path / "facts.json"
    shutil.copyfile(SHIPPED_BASE, path)
    return open_knowledge(path)


async def test_search_answers_a_taught_question_and_close_ones_only_after_teaching(tmp_path: Path) -> None:
    knowledge = knowledge_at(tmp_path)
    try:
        for query in (QUESTION, REWORDED):
            outcome = knowledge.index.search(query)
            assert outcome.verdict == "none"
            assert FACT in [hit.fact.key for hit in outcome.suggestions]
            ask = knowledge.gaps.record(query, outcome, asker=1)
            assert ask is not None and knowledge.gaps.pick(ask, FACT, asker=2)
        # Picks alone change nothing
        assert knowledge.index.search(QUESTION).verdict == "none"
        await knowledge.store.teach(FACT, QUESTION, ALICE)
        for query in (QUESTION, REWORDED, QUESTION.upper()):
            outcome = knowledge.index.search(query)
            assert (outcome.verdict, outcome.results[0].fact.key) == ("answer", FACT), query
    finally:
        knowledge.close()


# --- picks in the query log ------------------------------------------------------------


def missed(query: str) -> SearchOutcome:
    return SearchOutcome(query, (), (Hit(SILK_WAY, 40.0),), None)


def several(query: str) -> SearchOutcome:
    hits = (Hit(SILK_WAY, 70.0), Hit(SILK_WAY.evolve(key="ovda-airfield"), 69.0))
    return SearchOutcome(query, hits, (), None, verdict="several")


def test_picks_are_counted_by_person_per_question_and_survive_a_reload(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "facts.json.queries.jsonl"
    log = QueryLog(path, clock=clock)
    first = log.record(QUESTION, missed(QUESTION), asker=1)
    second = log.record(QUESTION.upper(), missed(QUESTION.upper()), asker=2)
    assert first is not None and second is not None and first != second
    assert len(first) == 8  # small enough to ride in a button with a fact's key
    assert log.pick(first, FACT, asker=1)
    assert log.pick(first, FACT, asker=1)  # the same person twice is one person
    assert log.pick(second, FACT, asker=2)
    assert log.pick(second, "ovda-airfield", asker=2)
    clock.now += timedelta(minutes=1)
    expected = [
        Gap(
            QUESTION.upper(),
            people=2,
            times=2,
            last_at="2026-11-25T09:00:00+00:00",
            picks=(Pick(FACT, 2), Pick("ovda-airfield", 1)),
        )
    ]
    assert log.ranked() == expected
    assert log.picks_for(QUESTION) == expected[0].picks
    reloaded = QueryLog(path, clock=clock)
    assert reloaded.ranked() == expected
    assert reloaded.ask(first) == log.ask(first)
    assert reloaded.latest_ask(QUESTION) == log.ask(second)  # the same words, asked last
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line.get("pick") for line in lines] == [None, None, first, first, second, second]
    assert all(len(line["asker"]) == 16 and line["asker"] != "1" for line in lines)  # hashed, never the id


def test_a_several_answer_is_a_gap_whose_picks_count_and_an_answer_has_no_ask() -> None:
    log = QueryLog(None, clock=Clock())
    ask = log.record("ovda", several("ovda"), asker=1)
    assert ask is not None and log.pick(ask, "ovda-airfield", asker=1)
    assert log.record("silk way", SearchOutcome("silk way", (Hit(SILK_WAY, 90.0),), (), None)) is None
    assert log.ranked() == [Gap("ovda", 1, 1, "2026-11-25T09:00:00+00:00", (Pick("ovda-airfield", 1),))]


def test_a_pick_for_an_unknown_ask_is_not_logged(tmp_path: Path) -> None:
    path = tmp_path / "queries.jsonl"
    log = QueryLog(path, clock=Clock())
    assert not log.pick("AbCdEfGh", FACT, asker=1)
    assert not path.exists()
    assert log.ranked() == []


def test_old_log_lines_without_ids_still_count_as_gaps_without_picks(tmp_path: Path) -> None:
    path = tmp_path / "queries.jsonl"
    old = {"at": "2026-11-25T08:00:00+00:00", "query": QUESTION, "answered": False, "results": []}
    path.write_text(json.dumps(old) + "\n")
    log = QueryLog(path, clock=Clock())
    assert log.ranked() == [Gap(QUESTION, 1, 1, "2026-11-25T08:00:00+00:00")]
    assert log.latest_ask(QUESTION) is None


def test_gaps_message_shows_picks_and_what_was_taught() -> None:
    gaps = [
        Gap(QUESTION, 2, 3, "2026-11-25T09:00:00+00:00", (Pick(FACT, 2), Pick("ovda-airfield", 1))),
        Gap("harop price", 1, 1, "2026-11-24T09:00:00+00:00"),
    ]
    lines = gaps_message(gaps, since_days=30, taught={"harop price": "harop"}).splitlines()
    assert lines[1:] == [
        f"1. “{QUESTION}” — asked by 2 people, 3× (last 2026-11-25)",
        f"   ↳ picked: `{FACT}` (picked by 2 people), `ovda-airfield` (picked by 1 person)",
        "2. “harop price” — asked by 1 person, 1× (last 2026-11-24) · taught to `harop`",
        "`/factadmin teach` makes a question answer with the fact you choose.",
    ]


# --- the edit form's aliases box ---------------------------------------------------------


def test_the_aliases_box_holds_aliases_then_taught_questions() -> None:
    text = names_text(("uvda", "ovda"), ("why ovda", "who flies at night"))
    assert text == "uvda\novda\nasked as:\nwhy ovda\nwho flies at night"
    assert split_names(text) == (["uvda", "ovda"], ["why ovda", "who flies at night"])
    assert names_text((), ("why ovda",)) == "asked as:\nwhy ovda"
    assert split_names("uvda\n  Asked as:  \n") == (["uvda"], [])  # every question removed
    assert split_names("uvda\nwhy ovda") == (["uvda", "why ovda"], None)  # no line: questions untouched
