"""The TinyDB storage on its own: atomic replacement, rolling backups, reads that never write."""

from __future__ import annotations

import errno
import json
import os
from array import array
from pathlib import Path

import pytest
from tinydb import Query, TinyDB

from knowledge.store.disk import atomic, storage
from knowledge.store.disk.storage import BACKUPS_KEPT, AtomicJSONStorage


def test_tinydb_works_on_the_storage_in_its_own_format(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        db.table("facts").insert({"key": "one", "n": 1})
        db.table("facts").insert({"key": "two", "n": 2})
    assert json.loads(path.read_text()) == {
        "facts": {"1": {"key": "one", "n": 1}, "2": {"key": "two", "n": 2}}
    }
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        assert db.table("facts").search(Query().n == 2) == [{"key": "two", "n": 2}]


def test_reading_never_creates_or_touches_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with TinyDB(missing, storage=AtomicJSONStorage) as db:
        assert db.table("facts").all() == []
        assert len(db.table("facts")) == 0
    assert not missing.exists()

    present = tmp_path / "present.json"
    present.write_text('{"facts": {"1": {"key": "one"}}}')
    before = present.read_bytes(), present.stat().st_mtime_ns
    with TinyDB(present, storage=AtomicJSONStorage) as db:
        db.table("facts").all()
        db.table("other").all()
        db.tables()
    assert (present.read_bytes(), present.stat().st_mtime_ns) == before


def test_each_write_keeps_the_replaced_version_as_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    store = AtomicJSONStorage(path)
    versions = []
    for n in range(BACKUPS_KEPT + 3):
        store.write({"facts": {"1": {"n": n}}})
        versions.append(path.read_bytes())
    backups = store.backups()
    assert len(backups) == BACKUPS_KEPT
    # Newest first: the version before the current one, then older ones.
    assert [b.read_bytes() for b in backups] == versions[-2 : -2 - BACKUPS_KEPT : -1]


def test_a_backup_survives_an_in_place_edit_of_the_database(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    store = AtomicJSONStorage(path)
    store.write({"facts": {"1": {"n": 1}}})
    store.write({"facts": {"1": {"n": 2}}})
    with path.open("r+b") as handle:
        handle.truncate(5)
    assert json.loads(store.newest_backup().read_bytes()) == {"facts": {"1": {"n": 1}}}


def test_a_failed_write_leaves_the_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.json"
    store = AtomicJSONStorage(path)
    store.write({"facts": {"1": {"n": 1}}})
    before = path.read_bytes()

    def no_sync(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", no_sync)
    with pytest.raises(OSError):
        store.write({"facts": {"1": {"n": 2}}})
    assert path.read_bytes() == before
    assert list(tmp_path.glob(f"*{atomic.TEMP_SUFFIX}")) == []


def test_written_file_has_one_record_per_line(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    AtomicJSONStorage(path).write({"facts": {"1": {"key": "a"}, "2": {"key": "b"}}})
    assert path.read_text().splitlines() == ['{"facts": {', '"1": {"key": "a"},', '"2": {"key": "b"}', "}}"]


def _records(texts: dict[int, str]) -> list[tuple[str, str]]:
    return [(str(doc_id), json.dumps({"text": text})) for doc_id, text in texts.items()]


@pytest.mark.parametrize(
    ("count", "replaced", "appended"),
    [
        (0, [], 2),
        (1, [0], 0),
        (1, [0], 1),
        (5, [0], 0),
        (5, [4], 0),
        (5, [4], 3),
        (5, [1, 3], 1),
        (5, [0, 1, 2, 3, 4], 0),
        (5, [], 0),
        (200, [7, 8, 150, 199], 5),
    ],
)
def test_patching_changed_records_gives_the_same_bytes_as_a_whole_write(
    tmp_path: Path, count: int, replaced: list[int], appended: int
) -> None:
    texts = {i + 1: f"record {i} " * (i % 7) for i in range(count)}
    patched = AtomicJSONStorage(tmp_path / "patched.json")
    patched.write_tables({"facts": _records(texts)})

    for position in replaced:
        texts[position + 1] = f"changed {position}" * (position % 3 + 1)
    new = {count + 1 + i: f"new {i}" for i in range(appended)}
    records = _records(texts)
    patched.patch_table("facts", {p: records[p] for p in replaced}, _records(new))

    whole = AtomicJSONStorage(tmp_path / "whole.json")
    whole.write_tables({"facts": records + _records(new)})
    assert patched.path.read_bytes() == whole.path.read_bytes()
    assert patched.layout == whole.layout
    assert json.loads(patched.path.read_bytes())["facts"] == {
        str(k): {"text": v} for k, v in (texts | new).items()
    }


def test_a_patch_against_a_wrong_layout_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    store = AtomicJSONStorage(tmp_path / "db.json")
    store.write_tables({"facts": _records({1: "a", 2: "b"})})
    before = store.path.read_bytes()
    store.layout = storage.Layout("facts", array("Q", [3, 3]))
    with pytest.raises(storage.LayoutMismatch):
        store.patch_table("facts", {0: ("1", '"x"')}, [])
    assert store.path.read_bytes() == before
    assert list(tmp_path.glob(f"*{atomic.TEMP_SUFFIX}")) == []
