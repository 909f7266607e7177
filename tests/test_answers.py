"""Public answers and their corrections: what must change, the outbox across restarts, the window."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.desk.answers import (
    RESTORED,
    RETRACTED,
    UPDATED,
    AnswerLog,
    CorrectionReport,
    Shown,
    correction_kind,
)
from knowledge.errors import WriteFailed
from knowledge.model import Fact, Source
from tests.helpers.workflow import SILK_WAY, Clock

FACT = SILK_WAY
OTHER = Fact(
    key="ovda-airfield",
    claim="Ovda is the only airfield for explosives.",
    sources=(Source(publisher="Haaretz", url="https://example.com/b"),),
)
GUILD = 10
NEWS, DESK = 20, 21


def retracted(fact: Fact) -> Fact:
    return fact.evolve(
        version=fact.version + 1,
        retracted_at="2026-11-26T10:00:00+00:00",
        retracted_by="Mia",
        retraction_reason="The count was wrong.",
    )


def restored(fact: Fact) -> Fact:
    return fact.evolve(version=fact.version + 1, retracted_at=None, retracted_by=None, retraction_reason=None)


def three_answers(log: AnswerLog) -> None:
    log.record(GUILD, NEWS, 1001, FACT)
    log.record(GUILD, NEWS, 1002, FACT)
    log.record(GUILD, DESK, 1003, FACT)
    log.record(GUILD, DESK, 1004, OTHER)


# --- what must reach posted answers ----------------------------------------------


@pytest.mark.parametrize(
    ("new", "kind"),
    [
        (retracted(FACT), RETRACTED),
        (FACT.evolve(version=3, claim="Silk Way flew 93 times to Ovda."), UPDATED),
        (FACT.evolve(version=3, status="disputed"), UPDATED),
        (FACT.evolve(version=3, details="New context.", caveats="Counted by one source."), None),
        (FACT.evolve(version=3, sources=(*FACT.sources, Source("Reuters", "https://example.com/r"))), None),
        (FACT.evolve(version=3, reviewed_at="2026-11-26T10:00:00+00:00", tags=("aviation",)), None),
    ],
    ids=["retract", "claim", "status", "details", "source-added", "review"],
)
def test_what_counts_as_a_change_posted_answers_must_show(new: Fact, kind: str | None) -> None:
    assert correction_kind(Shown.of(FACT), new) == kind


def test_a_restoration_is_a_change_and_a_retracted_edit_is_an_update() -> None:
    gone = retracted(FACT)
    assert correction_kind(Shown.of(gone), restored(gone)) == RESTORED
    assert correction_kind(Shown.of(gone), gone.evolve(version=4, claim="Reworded.")) == UPDATED


# --- the correction plan ----------------------------------------------------------------


def test_a_retraction_plans_every_posted_card_of_that_fact(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    three_answers(log)
    new = retracted(FACT)
    plan = log.plan_corrections(new)
    assert [(c.answer.channel_id, c.answer.message_id, c.kind) for c in plan] == [
        (NEWS, 1001, RETRACTED),
        (NEWS, 1002, RETRACTED),
        (DESK, 1003, RETRACTED),
    ]
    assert {c.target.version for c in plan} == {3}
    assert log.pending() == plan


def test_an_edit_that_changes_nothing_shown_plans_nothing(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    three_answers(log)
    before = log.path.read_bytes()
    assert log.plan_corrections(FACT.evolve(version=3, caveats="One source only.")) == []
    assert log.pending() == []
    assert log.path.read_bytes() == before  # nothing journaled for a no-op


def test_claim_and_status_changes_plan_updates(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    three_answers(log)
    assert {c.kind for c in log.plan_corrections(FACT.evolve(version=3, status="disputed"))} == {UPDATED}
    assert len(log.pending()) == 3


def test_corrections_are_marked_one_by_one_and_reported_when_all_are_done(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    three_answers(log)
    first, second, third = log.plan_corrections(retracted(FACT))
    assert log.mark_done(first) is None
    assert log.mark_gone(second) is None  # deleted from the channel
    assert log.reports_due() == []
    report = log.mark_done(third)
    assert report == CorrectionReport("silk-way-ovda-flights", version=3, corrected=2, gone=1)
    assert log.reports_due() == [report]
    log.mark_reported(report)
    assert log.reports_due() == []
    assert [a.message_id for a in log.answers("silk-way-ovda-flights")] == [1001, 1003]
    assert {a.shown.retracted for a in log.answers("silk-way-ovda-flights")} == {True}


def test_a_restart_midway_finishes_the_rest(db: Path) -> None:
    clock = Clock()
    log = AnswerLog.beside(db, clock=clock)
    three_answers(log)
    first, *_ = log.plan_corrections(retracted(FACT))
    log.mark_done(first)

    again = AnswerLog.beside(db, clock=clock)  # the bot restarted
    rest = again.pending()
    assert [c.answer.message_id for c in rest] == [1002, 1003]
    assert again.mark_gone(rest[0]) is None
    assert again.mark_done(rest[1]) == CorrectionReport("silk-way-ovda-flights", 3, corrected=2, gone=1)
    assert AnswerLog.beside(db, clock=clock).reports_due() == [
        CorrectionReport("silk-way-ovda-flights", 3, corrected=2, gone=1)
    ]


def test_a_crash_before_the_plan_is_caught_up_on_start(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    three_answers(log)
    # The store saved the retraction, then the process died before the listener planned.
    again = AnswerLog.beside(db, clock=Clock())
    plan = again.reconcile([retracted(FACT), OTHER])
    assert [c.answer.message_id for c in plan] == [1001, 1002, 1003]
    before = again.path.read_bytes()
    assert AnswerLog.beside(db, clock=Clock()).reconcile([retracted(FACT), OTHER]) == plan
    assert again.path.read_bytes() == before  # the same plan again is not journaled again


def test_a_torn_last_line_is_skipped_and_the_rest_kept(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    three_answers(log)
    first, *_ = log.plan_corrections(retracted(FACT))
    log.mark_done(first)
    raw = log.path.read_bytes()
    log.path.write_bytes(raw[:-5])  # the 'corrected' line cut short by a crash

    again = AnswerLog.beside(db, clock=Clock())
    assert [c.answer.message_id for c in again.pending()] == [1001, 1002, 1003]  # 1001 edited again: harmless
    again.mark_done(again.pending()[0])
    assert [c.answer.message_id for c in AnswerLog.beside(db, clock=Clock()).pending()] == [1002, 1003]


def test_a_newer_change_replaces_the_unfinished_plan(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    three_answers(log)
    gone = retracted(FACT)
    first, second, _ = log.plan_corrections(gone)
    log.mark_done(first)
    # Restored before the outbox drained: only the card that already says Retracted must change back.
    plan = log.plan_corrections(restored(gone))
    assert [(c.answer.message_id, c.kind) for c in plan] == [(1001, RESTORED)]
    assert log.mark_done(second) is None  # superseded: the newer plan stands
    assert log.pending() == plan
    assert log.mark_done(plan[0]) == CorrectionReport("silk-way-ovda-flights", 4, corrected=2, gone=0)


def test_a_deleted_message_is_never_planned_again(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    log.record(GUILD, NEWS, 1001, FACT)
    (correction,) = log.plan_corrections(retracted(FACT))
    log.mark_gone(correction)
    assert log.plan_corrections(restored(retracted(FACT)).evolve(claim="Changed.")) == []


# --- the window ----------------------------------------------------------------------


def test_answers_older_than_the_window_are_not_corrected_and_pruned_on_load(db: Path) -> None:
    clock = Clock()
    log = AnswerLog.beside(db, clock=clock, window_days=90)
    log.record(GUILD, NEWS, 1001, FACT)
    clock.now += timedelta(days=60)
    log.record(GUILD, NEWS, 1002, FACT)
    clock.now += timedelta(days=31)
    assert [c.answer.message_id for c in log.plan_corrections(retracted(FACT))] == [1002]

    again = AnswerLog.beside(db, clock=clock, window_days=90)
    assert [a.message_id for a in again.answers()] == [1002]
    lines = [json.loads(line) for line in again.path.read_text().splitlines()]
    assert 1001 not in {e.get("message") for e in lines}  # compacted away
    assert [c.answer.message_id for c in again.pending()] == [1002]


def test_an_answer_is_corrected_until_the_last_second_of_its_window(db: Path) -> None:
    clock = Clock()
    log = AnswerLog.beside(db, clock=clock, window_days=90)
    log.record(GUILD, NEWS, 1001, FACT)
    clock.now += timedelta(days=90)
    assert [c.answer.message_id for c in log.plan_corrections(retracted(FACT))] == [1001]
    clock.now += timedelta(seconds=1)
    assert log.pending() == []
    assert AnswerLog.beside(db, clock=clock).answers() == []


def test_compaction_keeps_the_state(db: Path) -> None:
    clock = Clock()
    log = AnswerLog.beside(db, clock=clock)
    three_answers(log)
    first, second, _ = log.plan_corrections(retracted(FACT))
    log.mark_done(first)
    log.mark_gone(second)
    answers, pending = log.answers(), log.pending()
    log.compact()
    again = AnswerLog.beside(db, clock=clock)
    assert (again.answers(), again.pending()) == (answers, pending)
    assert again.mark_done(again.pending()[0]) == CorrectionReport("silk-way-ovda-flights", 3, 2, 1)


def test_a_refused_write_changes_nothing(tmp_path: Path) -> None:
    log = AnswerLog(tmp_path / "missing-folder" / "facts.json.answers.jsonl")
    with pytest.raises(WriteFailed):
        log.record(GUILD, NEWS, 1001, FACT)
    assert log.answers() == []


def test_retracted_and_restored_before_any_edit_leaves_nothing_to_do(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    three_answers(log)
    gone = retracted(FACT)
    log.plan_corrections(gone)
    assert log.plan_corrections(restored(gone)) == []
    assert (log.pending(), log.reports_due()) == ([], [])
    assert AnswerLog.beside(db, clock=Clock()).pending() == []


# --- any sequence of events: a reload, and a compaction, rebuild the same state -------------

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("post"), st.integers(1, 6), st.sampled_from(["a", "b"])),
        st.tuples(
            st.just("change"),
            st.sampled_from(["retract", "restore", "claim", "status", "details"]),
            st.sampled_from(["a", "b"]),
        ),
        st.tuples(st.just("done"), st.integers(0, 5), st.just("")),
        st.tuples(st.just("gone"), st.integers(0, 5), st.just("")),
        st.tuples(st.just("report"), st.just(0), st.just("")),
        st.tuples(st.just("days"), st.integers(1, 60), st.just("")),
        st.tuples(st.just("compact"), st.just(0), st.just("")),
    ),
    max_size=40,
)


def changed(fact: Fact, how: str) -> Fact:
    if how == "retract":
        return retracted(fact) if not fact.retracted else fact
    if how == "restore":
        return restored(fact) if fact.retracted else fact
    if how == "claim":
        return fact.evolve(version=fact.version + 1, claim=f"{fact.claim} Again.")
    if how == "status":
        status = "disputed" if fact.status == "verified" else "verified"
        return fact.evolve(version=fact.version + 1, status=status)
    return fact.evolve(version=fact.version + 1, details=f"Details {fact.version}.")


def state(log: AnswerLog) -> tuple[object, ...]:
    return (log.answers(), log.pending(), log.reports_due())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(OPS)
def test_any_history_reloads_and_compacts_to_the_same_state(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, Any, str]]
) -> None:
    db = tmp_path_factory.mktemp("answers") / "facts.json"
    clock = Clock()
    log = AnswerLog.beside(db, clock=clock)
    facts = {"a": FACT, "b": OTHER}
    message = 1000
    for op, n, which in ops:
        if op == "post":
            message += 1
            log.record(GUILD, NEWS + n % 2, message, facts[which])
        elif op == "change":
            facts[which] = changed(facts[which], n)
            log.plan_corrections(facts[which])
        elif op in ("done", "gone") and (pending := log.pending()):
            correction = pending[n % len(pending)]
            (log.mark_done if op == "done" else log.mark_gone)(correction)
        elif op == "report" and (due := log.reports_due()):
            log.mark_reported(due[0])
        elif op == "days":
            clock.now += timedelta(days=n)
        elif op == "compact":
            log.compact()
        assert state(AnswerLog.beside(db, clock=clock)) == state(log)
    log.compact()
    assert state(AnswerLog.beside(db, clock=clock)) == state(log)
    # Whatever remains pending really is a card that says something else now.
    for correction in log.pending():
        assert correction_kind(
            correction.answer.shown, facts["a" if correction.answer.key == FACT.key else "b"]
        )
