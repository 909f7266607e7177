"""The review queue: flags and suggestions, attributed, limited, durable across restarts and crashes."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.desk.review_queue import (
    AlreadyQueued,
    AlreadyResolved,
    BeingAccepted,
    Flag,
    ItemNotFound,
    ReviewPost,
    ReviewQueue,
    Suggestion,
    TooManyOpen,
    TooManyRecent,
)
from knowledge.errors import AlreadyRetracted, InvalidFact, KnowledgeError, WriteFailed
from knowledge.model import Actor
from knowledge.newsroom import open_knowledge
from tests.helpers.workflow import SILK_WAY, Clock

FACT = SILK_WAY.evolve(version=3)
OTHER = FACT.evolve(key="ovda-airfield", claim="Ovda is an airfield.")
ANA = Actor("111", "Ana")
BEN = Actor("222", "Ben")
MOD = Actor("999", "Moderator Mia")


def test_a_flag_is_attributed_and_open(db: Path) -> None:
    queue = ReviewQueue.beside(db, clock=Clock())
    item = queue.flag(FACT, "  The count is 93 since the 2024 update.  ", ANA)
    assert item.id == 1
    assert item.subject == Flag("silk-way-ovda-flights", 3, "The count is 93 since the 2024 update.")
    assert (item.kind, item.status, item.reporter, item.created_at) == (
        "flag",
        "open",
        ANA,
        "2026-11-25T09:00:00+00:00",
    )
    assert queue.open_items() == [item]
    assert queue.path == db.with_name("facts.json.queue.jsonl")


def test_a_suggestion_keeps_its_link_and_optional_source_fields(db: Path) -> None:
    queue = ReviewQueue.beside(db)
    item = queue.suggest(
        "Silk Way\nflew to Ovda   in 2023.", "https://example.com/report", ANA, publisher="", title="A report"
    )
    assert item.subject == Suggestion(
        claim="Silk Way flew to Ovda in 2023.",
        url="https://example.com/report",
        publisher=None,
        title="A report",
    )
    assert item.kind == "suggestion"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/a", "url: must be an http:// or https:// link"),
        ("https://localhost/a", "url: must name a web host"),
        ("https://example.com/a b", "url: must not contain spaces"),
        ("", "url: must not be empty"),
    ],
)
def test_a_suggested_link_is_checked_like_any_source(db: Path, url: str, message: str) -> None:
    queue = ReviewQueue.beside(db)
    with pytest.raises(InvalidFact) as caught:
        queue.suggest("Silk Way flew to Ovda.", url, ANA)
    assert message in str(caught.value)
    assert queue.items() == []
    assert not queue.path.exists()


def test_bad_input_names_every_field_and_changes_nothing(db: Path) -> None:
    queue = ReviewQueue.beside(db)
    with pytest.raises(InvalidFact) as caught:
        queue.suggest("", "https://example.com/a", ANA, publisher="x" * 201)
    assert "claim: must not be empty" in str(caught.value)
    assert "publisher: is 201 characters" in str(caught.value)
    with pytest.raises(InvalidFact, match="problem: must not be empty"):
        queue.flag(FACT, "   ", ANA)
    assert queue.items() == []


def test_the_queue_survives_a_restart(db: Path) -> None:
    clock = Clock()
    queue = ReviewQueue.beside(db, clock=clock)
    flag = queue.flag(FACT, "Outdated.", ANA)
    suggestion = queue.suggest("A missing fact.", "https://example.com/new", BEN, publisher="Reuters")
    queue.mark_posted(flag.id, 555, 777)
    queue.dismiss(suggestion.id, MOD, "Not about our beat.")

    again = ReviewQueue.beside(db, clock=clock)
    assert again.items() == queue.items()
    assert again.get(flag.id).post == ReviewPost(555, 777)
    resolved = again.get(suggestion.id)
    assert (resolved.status, resolved.resolved_by, resolved.reason) == (
        "dismissed",
        MOD,
        "Not about our beat.",
    )
    assert again.flag(OTHER, "Wrong.", ANA).id == 3  # ids continue after a restart


def test_a_torn_last_line_is_skipped_and_the_rest_kept(db: Path) -> None:
    queue = ReviewQueue.beside(db, clock=Clock())
    queue.flag(FACT, "Outdated.", ANA)
    queue.flag(OTHER, "Wrong.", BEN)
    raw = queue.path.read_bytes()
    queue.path.write_bytes(raw[: -len(raw.splitlines(keepends=True)[-1]) // 2])  # crash mid-append

    again = ReviewQueue.beside(db, clock=Clock())
    assert [item.subject.key for item in again.items()] == ["silk-way-ovda-flights"]
    again.flag(OTHER, "Wrong again.", BEN)  # the next append starts on a fresh line
    third = ReviewQueue.beside(db)
    assert [item.subject.problem for item in third.items()] == ["Outdated.", "Wrong again."]


def test_resolving_twice_is_refused_and_names_who_did_it(db: Path) -> None:
    queue = ReviewQueue.beside(db, clock=Clock())
    item = queue.flag(FACT, "Outdated.", ANA)
    queue.accept(item.id, MOD, "Edited to version 4.")
    with pytest.raises(AlreadyResolved, match=r"#1 was already accepted by Moderator Mia \(999\)"):
        ReviewQueue.beside(db).dismiss(item.id, BEN, "Duplicate.")
    assert ReviewQueue.beside(db).get(item.id).status == "accepted"


def test_two_moderators_resolving_at_once_one_wins(db: Path) -> None:
    queue = ReviewQueue.beside(db)
    item = queue.flag(FACT, "Outdated.", ANA)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press(moderator: Actor) -> None:
        barrier.wait()
        try:
            queue.dismiss(item.id, moderator, "Not wrong.")
            outcomes.append("resolved")
        except AlreadyResolved:
            outcomes.append("refused")

    threads = [threading.Thread(target=press, args=(m,)) for m in (MOD, BEN)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "resolved"]
    events = [json.loads(line)["event"] for line in queue.path.read_text().splitlines()]
    assert events == ["opened", "resolved"]


def test_while_one_moderator_accepts_an_item_others_are_told_who_and_a_failed_accept_frees_it(
    db: Path,
) -> None:
    queue = ReviewQueue.beside(db)
    item = queue.suggest("Silk Way flew to Ovda.", "https://example.com/report", ANA)
    who = r"Moderator Mia \(999\) is already accepting review item #1"
    with pytest.raises(WriteFailed), queue.accepting(item.id, MOD):
        with pytest.raises(BeingAccepted, match=who), queue.accepting(item.id, BEN):
            pass
        with pytest.raises(BeingAccepted, match=who):
            queue.dismiss(item.id, BEN, "No.")
        with pytest.raises(BeingAccepted, match=who):
            queue.open_item(item.id)
        raise WriteFailed("facts.json", "disk full")  # the fact that accepting meant was not saved
    assert queue.open_item(item.id).is_open  # free again, and nothing was recorded
    with queue.accepting(item.id, BEN):
        assert queue.accept(item.id, BEN, "Added.").status == "accepted"
    with pytest.raises(AlreadyResolved):
        queue.open_item(item.id)
    assert [i.status for i in ReviewQueue.beside(db).items()] == ["accepted"]


def test_dismissing_needs_a_reason_and_unknown_items_are_named(db: Path) -> None:
    queue = ReviewQueue.beside(db)
    item = queue.flag(FACT, "Outdated.", ANA)
    with pytest.raises(InvalidFact, match="reason: must not be empty"):
        queue.dismiss(item.id, MOD, " ")
    assert queue.get(item.id).is_open
    with pytest.raises(ItemNotFound, match="no review item #42"):
        queue.accept(42, MOD)
    with pytest.raises(ItemNotFound):
        queue.mark_posted(42, 1, 2)


def test_one_person_cannot_flood_the_queue(db: Path) -> None:
    clock = Clock()
    queue = ReviewQueue.beside(db, clock=clock, max_open=2, max_per_hour=3)
    first = queue.flag(FACT, "Outdated.", ANA)
    second = queue.flag(OTHER, "Wrong.", ANA)
    with pytest.raises(TooManyOpen, match="already have 2 items waiting"):
        queue.suggest("A missing fact.", "https://example.com/new", ANA)
    queue.suggest("Another fact.", "https://example.com/other", BEN)  # others are not held back

    queue.dismiss(first.id, MOD, "Fine as it is.")
    clock.now += timedelta(minutes=10)
    third = queue.suggest("A missing fact.", "https://example.com/new", ANA)  # third within the hour
    queue.dismiss(second.id, MOD, "Fine.")
    queue.dismiss(third.id, MOD, "Not for us.")  # nothing open now, yet the hourly limit holds
    with pytest.raises(TooManyRecent, match="after 10:00 UTC") as caught:
        queue.flag(FACT, "Still outdated.", ANA)
    assert isinstance(caught.value, KnowledgeError)
    clock.now = datetime(2026, 11, 25, 10, 0, 1, tzinfo=UTC)
    queue.flag(FACT, "Still outdated.", ANA)


def test_the_same_open_report_is_not_queued_twice(db: Path) -> None:
    queue = ReviewQueue.beside(db)
    flag = queue.flag(FACT, "Outdated.", ANA)
    with pytest.raises(AlreadyQueued, match="already flagged `silk-way-ovda-flights` \\(review item #1\\)"):
        queue.flag(FACT, "Really outdated.", ANA)
    queue.flag(FACT, "Outdated for me too.", BEN)  # a colleague's flag is a second voice
    queue.suggest("A fact.", "https://Example.com/page/", ANA)
    with pytest.raises(AlreadyQueued, match="already suggested by Ana"):
        queue.suggest("The same fact.", "https://example.com/page#top", BEN)
    queue.accept(flag.id, MOD)
    queue.flag(FACT, "Outdated again after the edit.", ANA)


def test_a_refused_write_changes_nothing(tmp_path: Path) -> None:
    queue = ReviewQueue(tmp_path / "missing-folder" / "facts.json.queue.jsonl")
    with pytest.raises(WriteFailed, match="Nothing was changed"):
        queue.flag(FACT, "Outdated.", ANA)
    assert queue.items() == []


def test_a_queue_in_memory_works_without_a_file() -> None:
    queue = ReviewQueue(None)
    item = queue.flag(FACT, "Outdated.", ANA)
    assert queue.accept(item.id, MOD).status == "accepted"


def test_a_retracted_fact_cannot_be_flagged() -> None:
    queue = ReviewQueue(None)
    gone = FACT.evolve(
        retracted_at="2026-11-25T08:00:00+00:00", retracted_by="Mia", retraction_reason="Wrong."
    )
    with pytest.raises(AlreadyRetracted, match="already retracted"):
        queue.flag(gone, "Outdated.", ANA)
    assert queue.items() == []


def test_the_desk_opens_the_queue_and_the_answer_log_beside_the_database(facts_db: Path) -> None:
    knowledge = open_knowledge(facts_db)
    try:
        fact = knowledge.store.facts()[0]
        knowledge.queue.flag(fact, "Outdated.", ANA)
        knowledge.answers.record(1, 2, 3, fact)
    finally:
        knowledge.close()
    again = open_knowledge(facts_db)
    try:
        assert [item.subject.key for item in again.queue.open_items()] == [fact.key]
        assert [answer.key for answer in again.answers.answers()] == [fact.key]
    finally:
        again.close()


def test_an_unreadable_queue_is_named_and_the_database_is_released(facts_db: Path) -> None:
    facts_db.with_name(facts_db.name + ".queue.jsonl").mkdir()  # not a file: cannot be read
    with pytest.raises(KnowledgeError, match=r"Cannot read .*facts\.json\.queue\.jsonl"):
        open_knowledge(facts_db)
    facts_db.with_name(facts_db.name + ".queue.jsonl").rmdir()
    open_knowledge(facts_db).close()  # the writer lock was released


# --- any sequence of reports and resolutions reloads to the same queue -----------------------

PEOPLE = [ANA, BEN, MOD]
QUEUE_OPS = st.lists(
    st.tuples(
        st.sampled_from(["flag", "suggest", "accept", "dismiss", "post", "later"]),
        st.integers(0, 5),
        st.sampled_from(PEOPLE),
    ),
    max_size=30,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(QUEUE_OPS)
def test_any_history_reloads_to_the_same_queue(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int, Actor]]
) -> None:
    db = tmp_path_factory.mktemp("queue") / "facts.json"
    clock = Clock()
    queue = ReviewQueue.beside(db, clock=clock, max_open=3, max_per_hour=4)
    facts = [FACT, OTHER, FACT.evolve(key="third-fact")]
    for op, n, who in ops:
        try:
            if op == "flag":
                queue.flag(facts[n % 3], f"Wrong in way {n}.", who)
            elif op == "suggest":
                queue.suggest(f"Missing fact {n}.", f"https://example.com/{n}", who)
            elif op == "later":
                clock.now += timedelta(minutes=20 * n)
            elif items := queue.items():
                item = items[n % len(items)]
                if op == "post":
                    queue.mark_posted(item.id, 5, 100 + n)
                elif op == "accept":
                    queue.accept(item.id, who)
                else:
                    queue.dismiss(item.id, who, f"Reason {n}.")
        except KnowledgeError:
            pass  # a refusal (limit, duplicate, already resolved) must change nothing, checked below
        assert ReviewQueue.beside(db, clock=clock).items() == queue.items()
    for person in PEOPLE:
        assert sum(i.is_open and i.reporter == person for i in queue.items()) <= 3
