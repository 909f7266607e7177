"""A write's history lines are made around its file records, in one pass, and synced before the rename.

Each changed fact is encoded once: its record in the fact file and the "after" of
its history line are the same text. The lines are appended while the temp file
fills, fsynced before it is renamed into place, and cut off again if anything
fails before the rename.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.store_facts import ALICE, BOB, record

from knowledge.errors import WriteFailed
from knowledge.store.changes import FactStore
from knowledge.store.disk import atomic, journal, storage
from knowledge.store.disk.journal import LineLog
from knowledge.store.disk.layout import LayoutMismatch
from knowledge.store.history import entry_from_json, entry_to_json
from knowledge.store.loading import HISTORY_SUFFIX

# More new facts than the history writes in one batch, so lines reach the file during the fill.
MANY = 700


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "facts.json"


def history_of(db: Path) -> Path:
    return db.with_name(db.name + HISTORY_SUFFIX)


def temp_files(db: Path) -> list[Path]:
    return list(db.parent.glob(f".{db.name}.*.tmp"))


def records_in_file(db: Path) -> dict[str, bytes]:
    """Each fact's record in the fact file as its bytes, by key (one record per line)."""
    found = {}
    for line in db.read_bytes().splitlines()[1:-1]:
        text = line.split(b": ", 1)[1].removesuffix(b",")
        found[json.loads(text)["key"]] = text
    return found


def after_text(line: bytes) -> bytes:
    """The "after" of a history line, as the bytes it holds."""
    return line.split(b', "after": ', 1)[1].rsplit(b', "version": ', 1)[0]


def last_lines(db: Path) -> dict[str, bytes]:
    """Each key's last history line."""
    return {json.loads(line)["key"]: line for line in history_of(db).read_bytes().splitlines()}


def _fail_temp_file_write_after(monkeypatch: pytest.MonkeyPatch, db: Path, seen: Callable[[], None]) -> None:
    """The disk fills up on the temp file's second write, once history lines have reached their file."""
    real_write = os.write
    writes = 0

    def full_later(fd: int, data: Any) -> int:
        nonlocal writes
        if not os.readlink(f"/proc/self/fd/{fd}").endswith(atomic.TEMP_SUFFIX):
            return real_write(fd, data)
        writes += 1
        if writes == 1:
            return real_write(fd, data)
        seen()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full_later)


def _fail_history_sync(monkeypatch: pytest.MonkeyPatch, db: Path, seen: Callable[[], None]) -> None:
    real = os.fsync

    def guarded(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(HISTORY_SUFFIX):
            seen()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", guarded)


@pytest.mark.parametrize("fail", [_fail_temp_file_write_after, _fail_history_sync])
async def test_a_streamed_write_that_fails_before_the_rename_leaves_no_line_no_temp_file_and_the_old_file(
    db: Path, monkeypatch: pytest.MonkeyPatch, fail: Callable[..., None]
) -> None:
    with FactStore.open(db, seed=None) as store:
        await store.add(record("first-fact"), ALICE)
        before_file, before_history = db.read_bytes(), history_of(db).read_bytes()
        facts = store.facts()
        grown: list[int] = []  # the history's size when the failure struck

        fail(monkeypatch, db, lambda: grown.append(history_of(db).stat().st_size))
        with pytest.raises(WriteFailed, match="the disk is full"):
            await store.import_records([record(f"new-{i}") for i in range(MANY)], BOB)
        monkeypatch.undo()

        assert grown and grown[0] > len(before_history), "no history line had reached the file"
        assert history_of(db).read_bytes() == before_history
        assert db.read_bytes() == before_file
        assert temp_files(db) == []
        assert store.facts() == facts

        # The same import, once the disk is fine, is recorded once.
        await store.import_records([record(f"new-{i}") for i in range(MANY)], BOB)
    assert len(history_of(db).read_bytes().splitlines()) == 1 + MANY


async def test_an_edits_history_line_holds_the_version_before_it(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        first = await store.add(record("edited-fact"), ALICE)
        second = await store.edit(
            "edited-fact", {"claim": "A claim made over."}, expected_version=1, actor=BOB, reason="typo"
        )
        entry = store.history("edited-fact")[-1]
    assert (entry.action, entry.actor, entry.reason, entry.version) == ("edit", BOB.label, "typo", 2)
    assert entry.before == first.to_dict()
    assert entry.after == second.to_dict()


async def test_each_history_line_holds_as_after_the_very_record_of_the_fact_file(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        await store.import_records([record(f"fact-{i}") for i in range(MANY)], ALICE)
        await store.edit("fact-3", {"status": "disputed"}, expected_version=1, actor=BOB, reason="doubts")
        await store.import_records(
            [record("fact-5", claim="The fifth fact, restated."), record("extra")], BOB
        )
    in_file, lines = records_in_file(db), last_lines(db)
    assert in_file.keys() == lines.keys() and len(in_file) == MANY + 1
    for key, text in in_file.items():
        assert after_text(lines[key]) == text, key


async def test_history_lines_read_as_the_entries_they_stand_for_in_the_same_bytes(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        await store.add(record("plain-fact"), ALICE)
        await store.edit("plain-fact", {"claim": "Ünïcode claim, “quoted”."}, expected_version=1, actor=BOB)
        await store.retract("plain-fact", "withdrawn: a note\nwith a line break", BOB)
    lines = history_of(db).read_bytes().splitlines()
    assert len(lines) == 3
    for line in lines:
        entry = entry_from_json(line)
        assert entry is not None
        assert entry_to_json(entry).encode() == line


async def test_one_import_writes_its_history_lines_in_the_imports_order(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        for key in ("old-a", "old-b"):
            await store.add(record(key), ALICE)
        changed = [
            record("new-1"),
            record("old-b", claim="Old b, changed."),
            record("new-2"),
            record("old-a", claim="Old a, changed."),
        ]
        await store.import_records(changed, BOB)
        imported = [e.key for e in store.history() if e.action == "import"]
    assert imported == ["new-1", "old-b", "new-2", "old-a"]


async def test_a_patch_refused_mid_fill_writes_the_file_whole_and_each_line_once(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FactStore.open(db, seed=None) as store:
        await store.add(record("first-fact"), ALICE)
        await store.review("first-fact", ALICE)  # this process wrote the file: the next write patches it
        patched = storage.fill_patched
        refused: list[int] = []

        def refuse_once(fd: int, source: int, layout: Any, replaced: Any, appended: Iterator[Any]) -> Any:
            if refused:
                return patched(fd, source, layout, replaced, appended)
            refused.append(sum(1 for _ in appended))  # its lines were made, batches of them written
            raise LayoutMismatch("the rewritten file is not the size its layout gives")

        await store.edit("first-fact", {"status": "disputed"}, expected_version=2, actor=BOB)
        monkeypatch.setattr(storage, "fill_patched", refuse_once)
        await store.import_records([record(f"new-{i}") for i in range(MANY)], BOB)
        assert refused == [MANY]
    keys = [json.loads(line)["key"] for line in history_of(db).read_bytes().splitlines()]
    assert keys == ["first-fact"] * 3 + [f"new-{i}" for i in range(MANY)]
    in_file, lines = records_in_file(db), last_lines(db)
    assert all(after_text(lines[key]) == text for key, text in in_file.items())


def test_an_append_block_that_fails_after_its_sync_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "lines.log"
    log = LineLog(path)
    log.append([b"kept"])
    with pytest.raises(OSError, match="rename refused"), log.appending() as lines:
        lines.add(b"made")
        lines.sync()
        assert path.read_bytes() == b"kept\nmade\n"
        raise OSError(errno.EIO, "rename refused")
    assert path.read_bytes() == b"kept\n"


async def test_a_history_created_by_a_write_is_synced_with_its_folder_before_the_rename(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps: list[str] = []
    real_sync, real_replace = journal.fsync_folder, os.replace

    def sync_folder(folder: Path) -> None:
        steps.append("history folder synced")
        real_sync(folder)

    def replace(source: Any, target: Any) -> None:
        steps.append(f"{Path(target).name} replaced")
        real_replace(source, target)

    with FactStore.open(db, seed=None) as store:  # no seed: no history yet
        assert not history_of(db).exists()
        monkeypatch.setattr(journal, "fsync_folder", sync_folder)
        monkeypatch.setattr(os, "replace", replace)
        await store.add(record("first-fact"), ALICE)
    assert steps[:2] == ["history folder synced", f"{db.name} replaced"]
    with FactStore.open(db, seed=None) as again:
        assert [e.key for e in again.history()] == ["first-fact"]
