"""An import given its records to keep (``bot.py import``) empties the list as it validates it, and
imports exactly what it would have; one that is not (the Discord upload, which imports the same list
after its dry run) leaves the list as it was."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from helpers.store_facts import ALICE, record

from knowledge.errors import InvalidFact
from knowledge.store.changes import FactStore, validated_records


def test_consumed_records_give_the_same_facts_and_leave_the_list_empty() -> None:
    records = [record(f"fact-{n}") for n in range(5)]
    kept = copy.deepcopy(records)
    facts = validated_records(records, consume=True)
    assert records == []
    assert facts == validated_records(kept)
    assert kept == [record(f"fact-{n}") for n in range(5)]  # not consumed: left as it was


def test_consumed_records_with_a_bad_one_are_refused_naming_it() -> None:
    records = [record("good-fact"), record("bad-link"), record("good-again")]
    records[1]["sources"][0]["url"] = "ftp://example.com/x"
    with pytest.raises(InvalidFact) as caught:
        validated_records(copy.deepcopy(records), consume=True)
    with pytest.raises(InvalidFact) as plain:
        validated_records(records)
    assert str(caught.value) == str(plain.value)
    assert "import record 2 (`bad-link`)" in str(caught.value)


async def test_a_dry_run_then_the_import_of_the_same_list_imports_it(tmp_path: Path) -> None:
    records = [record("first-fact"), record("second-fact")]
    with FactStore.open(tmp_path / "db.json", seed=None) as store:
        plan = await store.import_records(records, ALICE, dry_run=True)
        report = await store.import_records(records, ALICE)
        assert plan.added == report.added == ["first-fact", "second-fact"]
        consumed = [record("third-fact")]
        await store.import_records(consumed, ALICE, consume=True)
        assert consumed == [] and [f.key for f in store.facts()] == [
            "first-fact",
            "second-fact",
            "third-fact",
        ]
