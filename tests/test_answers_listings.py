"""The answer log keeps the lists the bot posted (several that fit, suggestions under "No fact matches")
and plans a correction for each of their facts that changes, as it does for cards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.desk.answers import CARD, RETRACTED, SEVERAL, SUGGESTIONS, UPDATED, AnswerLog, Shown
from tests.helpers.workflow import Clock
from tests.test_answers import FACT, GUILD, NEWS, OTHER, retracted


def state(log: AnswerLog) -> tuple[object, ...]:
    return (log.answers(), log.pending(), log.reports_due())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "facts.json"


def test_a_list_is_kept_with_its_facts_its_question_and_who_asked(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    log.record_listing(GUILD, NEWS, 1001, [FACT, OTHER], form=SEVERAL, query="ovda", asker=77)
    [answer] = AnswerLog.beside(db, clock=Clock()).answers()
    assert (answer.form, answer.keys, answer.query, answer.asker) == (
        SEVERAL,
        (FACT.key, OTHER.key),
        "ovda",
        77,
    )
    assert AnswerLog.beside(db, clock=Clock()).answers(OTHER.key) == [answer]  # found by any of its facts


def test_each_changed_fact_of_a_list_gets_its_own_correction_and_report(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    log.record_listing(GUILD, NEWS, 1001, [FACT, OTHER], form=SUGGESTIONS, query="ovda", asker=77)
    log.record(GUILD, NEWS, 1002, FACT)
    [listed, card] = log.plan_corrections(retracted(FACT))
    reworded = OTHER.evolve(version=OTHER.version + 1, claim="Ovda takes explosives.")
    [other] = log.plan_corrections(reworded)
    assert (listed.key, listed.kind, other.key, other.kind) == (FACT.key, RETRACTED, OTHER.key, UPDATED)
    assert state(AnswerLog.beside(db, clock=Clock())) == state(log)

    assert log.mark_done(other) is not None  # the list was OTHER's only answer: its report is due
    assert log.mark_done(listed) is None  # FACT's card still waits
    report = log.mark_done(card)
    assert report is not None and report.corrected == 2
    [answer, _card] = log.answers()
    assert answer.shown_of(FACT.key) == Shown.of(retracted(FACT))
    assert answer.shown_of(OTHER.key) == Shown.of(reworded)
    assert log.plan_corrections(retracted(FACT)) == []  # the list shows the retraction now
    assert state(AnswerLog.beside(db, clock=Clock())) == state(log)
    log.compact()
    assert state(AnswerLog.beside(db, clock=Clock())) == state(log)


def test_a_deleted_list_is_gone_for_every_fact_that_waited_for_it(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    log.record_listing(GUILD, NEWS, 1001, [FACT, OTHER], form=SEVERAL, query="ovda", asker=77)
    [first] = log.plan_corrections(retracted(FACT))
    log.plan_corrections(retracted(OTHER))
    log.mark_gone(first)
    assert log.pending() == [] and log.answers() == []
    assert sorted((r.key, r.gone) for r in log.reports_due()) == [(OTHER.key, 1), (FACT.key, 1)]
    assert state(AnswerLog.beside(db, clock=Clock())) == state(log)


def test_a_list_turned_into_a_card_is_corrected_as_the_card(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    log.record_listing(GUILD, NEWS, 1001, [FACT, OTHER], form=SEVERAL, query="ovda", asker=77)
    log.plan_corrections(retracted(OTHER))
    log.record(GUILD, NEWS, 1001, FACT)  # the asker picked FACT: the message is its card now
    assert log.pending() == []
    [answer] = log.answers()
    assert answer.form == CARD and answer.keys == (FACT.key,)


def test_a_log_written_before_lists_were_kept_still_reads(db: Path) -> None:
    path = db.with_name(db.name + ".answers.jsonl")
    shown = {"version": 2, "status": "verified", "retracted": False, "claim": "x"}
    lines = [
        {"event": "posted", "guild": GUILD, "channel": NEWS, "message": 1001, "key": FACT.key, "shown": shown,
         "at": "2026-11-25T08:00:00+00:00"},
        {"event": "planned", "key": FACT.key, "shown": {**shown, "version": 3, "retracted": True},
         "messages": [[1001, "retracted"]]},
        {"event": "corrected", "message": 1001, "version": 3},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    log = AnswerLog.beside(db, clock=Clock())
    [answer] = log.answers()
    assert answer.form == CARD and answer.shown.retracted and log.pending() == []
    assert [(r.key, r.corrected) for r in log.reports_due()] == [(FACT.key, 1)]


def test_a_list_needs_a_list_form_and_a_fact(db: Path) -> None:
    log = AnswerLog.beside(db, clock=Clock())
    with pytest.raises(ValueError):
        log.record_listing(GUILD, NEWS, 1001, [FACT], form=CARD, query="q", asker=1)
    with pytest.raises(ValueError):
        log.record_listing(GUILD, NEWS, 1001, [], form=SEVERAL, query="q", asker=1)
    assert log.answers() == []
