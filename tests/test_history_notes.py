"""Notes in a fact's history: things that happened without changing the fact (answers corrected)."""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from helpers.store_facts import ALICE, BOB, record

from knowledge.desk.answers import CorrectionReport
from knowledge.errors import FactNotFound, InvalidFact, StaleEdit, WriteFailed
from knowledge.store.changes import BOT, FactStore


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "facts.json"


async def test_corrections_are_recorded_in_the_history_without_changing_the_fact(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        await store.add(record("flights"), ALICE)
        edited = await store.edit("flights", {"status": "disputed"}, expected_version=1, actor=BOB)
        file_before = db.read_bytes()
        entry = await store.record_corrections(CorrectionReport("flights", 2, corrected=2, gone=1))
        assert entry is not None
        assert store.get("flights") == edited  # same fact, same version
        assert db.read_bytes() == file_before  # a note writes the history only
    with FactStore.open(db, seed=None) as again:
        *_, last = again.history("flights")
        assert [e.action for e in again.history("flights")] == ["add", "edit", "corrections"]
        assert (last.actor, last.version, last.before, last.after) == (BOT.label, None, None, None)
        assert last.extra == {"corrected": 2, "gone": 1, "version": 2}
        assert last.is_note and not again.history("flights")[1].is_note


async def test_a_report_recorded_again_after_a_crash_is_written_once(db: Path) -> None:
    # The answer log reports again on start when the bot died between the history and mark_reported.
    report = CorrectionReport("flights", 2, corrected=3, gone=0)
    with FactStore.open(db, seed=None) as store:
        await store.add(record("flights"), ALICE)
        await store.edit("flights", {"status": "disputed"}, expected_version=1, actor=BOB)
        assert await store.record_corrections(report) is not None
        assert await store.record_corrections(report) is None
        await store.edit("flights", {"status": "verified"}, expected_version=2, actor=BOB)
        # After a newer change the same counts are a new round of corrections.
        assert await store.record_corrections(CorrectionReport("flights", 3, 3, 0)) is not None
        assert [e.action for e in store.history("flights")].count("corrections") == 2


async def test_a_note_does_not_pass_for_the_change_that_made_an_edit_stale(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        await store.add(record("flights"), ALICE)
        await store.edit("flights", {"status": "disputed"}, expected_version=1, actor=BOB)
        await store.record_corrections(CorrectionReport("flights", 2, 1, 0))
        with pytest.raises(StaleEdit) as caught:
            await store.edit("flights", {"status": "attributed"}, expected_version=1, actor=ALICE)
        assert caught.value.change is not None and caught.value.change.actor == BOB.label


async def test_notes_are_never_taken_for_a_retry_of_each_other(db: Path) -> None:
    # Changes with the same key and version are deduplicated (a retried write); notes have no version.
    with FactStore.open(db, seed=None) as store:
        await store.add(record("flights"), ALICE)
        for n in range(3):
            await store.note("flights", "checked aloud", ALICE, extra={"round": n})
    with FactStore.open(db, seed=None) as again:
        assert [e.extra.get("round") for e in again.history("flights")] == [None, 0, 1, 2]


async def test_a_note_needs_an_existing_fact_or_a_subject_key(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        with pytest.raises(FactNotFound):
            await store.note("no-such-fact", "corrections", BOT)
        with pytest.raises(FactNotFound):  # `~` marks a subject, but this is not one
            await store.note("~", "corrections", BOT)
        with pytest.raises(FactNotFound):  # nor is a subject key with a line break after it
            await store.note("~thesaurus\n", "corrections", BOT)
        entry = await store.note("~thesaurus", "synonyms added", ALICE, extra={"words": ["ovda", "uvda"]})
        assert store.history("~thesaurus") == [entry]
        assert store.history() == [entry]


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("edit", {}),
        ("Corrections!", {}),
        ("corrections\n", {}),
        ("", {}),
        ("corrections", {"n": float("nan")}),
        ("x", {"s": {1}}),
    ],
)
async def test_a_note_refuses_a_fact_change_verb_or_extra_that_is_not_json(
    db: Path, action: str, extra: dict
) -> None:
    with FactStore.open(db, seed=None) as store:
        await store.add(record("flights"), ALICE)
        with pytest.raises(ValueError):
            await store.note("flights", action, BOT, extra=extra)
        with pytest.raises(InvalidFact):
            await store.note("flights", "corrections", BOT, reason="x" * 600)
        assert [e.action for e in store.history("flights")] == ["add"]


def _disk_full(_fd: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


async def _refused(store: FactStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", _disk_full)
    with pytest.raises(WriteFailed, match="the disk is full"):
        await store.record_corrections(CorrectionReport("flights", 1, 1, 0))
    monkeypatch.undo()
    # Cut back, not left for a restart to find.
    assert Path(f"{store.path}.history.jsonl").read_text().count("corrections") == 0


async def _cut_short_by_a_crash(store: FactStore, _monkeypatch: pytest.MonkeyPatch) -> None:
    with Path(f"{store.path}.history.jsonl").open("ab") as out:
        out.write(b'{"key": "flights", "action": "corrections", "actor": "fact desk (bot)", "at')


@pytest.mark.parametrize("damage", [_refused, _cut_short_by_a_crash])
async def test_a_note_never_acknowledged_is_not_found_and_the_next_one_is(
    db: Path, monkeypatch: pytest.MonkeyPatch, damage: Callable[..., Awaitable[None]]
) -> None:
    with FactStore.open(db, seed=None) as store:
        await store.add(record("flights"), ALICE)
        await damage(store, monkeypatch)
        assert [e.action for e in store.history("flights")] == ["add"]
        await store.record_corrections(CorrectionReport("flights", 1, 2, 0))
    with FactStore.open(db, seed=None) as again:
        assert [(e.action, e.extra.get("corrected")) for e in again.history("flights")] == [
            ("add", None),
            ("corrections", 2),
        ]


async def test_notes_and_changes_written_at_once_are_serialised(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        await store.add(record("flights"), ALICE)
        await asyncio.gather(
            *(store.note("flights", "checked aloud", ALICE, extra={"n": n}) for n in range(20)),
            *(store.review("flights", BOB) for _ in range(5)),
        )
        entries = store.history("flights")
        assert sorted(e.extra["n"] for e in entries if e.is_note) == list(range(20))
        assert [e.version for e in entries if not e.is_note] == [1, 2, 3, 4, 5, 6]
    with FactStore.open(db, seed=None) as again:
        assert again.history("flights") == entries
        assert again.get("flights").version == 6
