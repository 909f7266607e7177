"""The store under faults: corrupt files, a second process, refused and interrupted writes.

kill -9 in the middle of writes is tests/test_crash.py's (the one SIGKILL harness).
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.store_facts import ALICE, BOB, record

from knowledge.errors import CorruptDatabase, KnowledgeError, StoreLocked, WriteFailed
from knowledge.store.changes import FactStore
from knowledge.store.disk import atomic, lock

REPO = Path(__file__).resolve().parents[1]
HOLDER = (
    "import sys; from knowledge.store.changes import FactStore; "
    "store = FactStore.open(sys.argv[1], seed=None); print('ready', flush=True); sys.stdin.read()"
)


def snapshot(db: Path) -> tuple[bytes, int]:
    return db.read_bytes(), db.stat().st_mtime_ns


def temp_files(db: Path) -> list[Path]:
    return list(db.parent.glob(f".{db.name}.*.tmp"))


async def three_facts(db: Path) -> None:
    """A database written four times (create + three adds), so it has backups."""
    with FactStore.open(db, seed=None) as store:
        for key in ("alpha-fact", "beta-fact", "gamma-fact"):
            await store.add(record(key), ALICE)


# --- corrupt databases ---


async def test_truncated_database_is_refused_naming_the_file_and_a_backup(tmp_path: Path, db: Path) -> None:
    await three_facts(db)
    raw = db.read_bytes()
    db.write_bytes(raw[: len(raw) // 2])
    before = snapshot(db)
    with pytest.raises(CorruptDatabase) as caught:
        FactStore.open(db, seed=None)
    message = str(caught.value)
    assert str(db) in message
    assert "not valid JSON" in message and "cut short" in message
    assert caught.value.backup is not None and caught.value.backup in message
    assert snapshot(db) == before
    # The backup named really is the last good version before the final write.
    rescued = tmp_path / "rescued.json"
    rescued.write_bytes(Path(caught.value.backup).read_bytes())
    with FactStore.open(rescued, seed=None) as store:
        assert [f.key for f in store.facts()] == ["alpha-fact", "beta-fact"]


def _edit_document(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(db: Path) -> None:
        document = json.loads(db.read_text())
        change(document)
        db.write_text(json.dumps(document))

    return apply


HAND_EDITS: dict[str, tuple[Callable[[Path], None], str]] = {
    "wrong-type": (
        _edit_document(lambda d: d["facts"]["1"].update(claim=42)),
        "record 1 (`alpha-fact`): claim: must be text",
    ),
    "missing-sources": (
        _edit_document(lambda d: d["facts"]["2"].pop("sources")),
        "record 2 (`beta-fact`): sources: must be a list",
    ),
    "duplicate-keys": (
        _edit_document(lambda d: d["facts"]["3"].update(key="alpha-fact")),
        "record 3 (`alpha-fact`): key: is used again (first by record 1)",
    ),
    "bad-link": (
        _edit_document(lambda d: d["facts"]["1"]["sources"][0].update(url="javascript:alert(1)")),
        "sources[0].url: must be an http:// or https:// link",
    ),
    "other-table": (_edit_document(lambda d: d.update(_default={})), "a table other than `facts` (_default)"),
    "bad-record-id": (
        _edit_document(lambda d: d["facts"].update(first=d["facts"].pop("1"))),
        "record first (`alpha-fact`): its id must be a whole number",
    ),
    "not-an-object": (lambda db: db.write_text("[]"), "not a TinyDB document"),
    "empty-file": (lambda db: db.write_bytes(b""), "the file is empty"),
    "not-utf8": (lambda db: db.write_bytes(b'{"facts": {"1": "\xff"}}'), "not UTF-8 text"),
}


@pytest.mark.parametrize("case", list(HAND_EDITS))
async def test_hand_edited_database_is_refused_naming_the_problem(db: Path, case: str) -> None:
    await three_facts(db)
    damage, expected = HAND_EDITS[case]
    damage(db)
    before = snapshot(db)
    with pytest.raises(CorruptDatabase) as caught:
        FactStore.open(db, seed=None)
    assert expected in str(caught.value)
    assert str(db) in str(caught.value)
    assert caught.value.backup is not None
    assert snapshot(db) == before


def test_corrupt_database_without_backups_says_so(db: Path) -> None:
    db.write_text('{"facts": {"1": ')
    with pytest.raises(CorruptDatabase, match="No backup was found"):
        FactStore.open(db, seed=None)


# --- one writer ---


@pytest.fixture
def holder(db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the database open."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = proc.stdout.readline().strip() if proc.stdout else ""
        assert ready == "ready", proc.stderr.read() if proc.stderr else ""
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_second_process_is_refused_naming_the_holder(db: Path, holder: subprocess.Popen[str]) -> None:
    with pytest.raises(StoreLocked) as caught:
        FactStore.open(db, seed=None)
    message = str(caught.value)
    assert str(db) in message
    assert f"pid {holder.pid} on " in message
    assert "in use by another process" in message


def test_killed_holder_leaves_the_database_free(db: Path, holder: subprocess.Popen[str]) -> None:
    holder.kill()
    holder.wait()
    with FactStore.open(db, seed=None) as store:
        assert len(store) == 0


def test_the_same_database_cannot_be_opened_twice_in_one_process(db: Path) -> None:
    with FactStore.open(db, seed=None), pytest.raises(StoreLocked, match=f"pid {os.getpid()} "):
        FactStore.open(db, seed=None)


def test_a_folder_that_cannot_lock_is_refused_with_a_clear_message(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # NFS without a lock daemon answers flock with ENOLCK; that is no reason for a traceback.
    monkeypatch.setattr(lock.fcntl, "flock", _raise(OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))))
    with pytest.raises(KnowledgeError, match="lock") as caught:
        FactStore.open(db, seed=None)
    assert f"{db}.lock" in str(caught.value)
    monkeypatch.undo()
    with FactStore.open(db, seed=None) as store:
        assert len(store) == 0


# --- refused writes ---


def _raise(error: OSError) -> Callable[..., None]:
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    return fail


def _is_temp_file(fd: int) -> bool:
    return os.readlink(f"/proc/self/fd/{fd}").endswith(atomic.TEMP_SUFFIX)


def _fail_data_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up after part of the new file was written (encoded or copied)."""
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        if not _is_temp_file(fd):
            return real_write(fd, data)
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def full(*args: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", half_then_full)
    monkeypatch.setattr(os, "copy_file_range", full)


def _fail_temp_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder is read-only for us: the temp file cannot be created."""
    real = os.open

    def guarded(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith(atomic.TEMP_SUFFIX):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)


def _fail_history_sync(monkeypatch: pytest.MonkeyPatch) -> None:
    """The history entry reached the file but could not be synced (disk full)."""
    real = os.fsync

    def guarded(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".history.jsonl"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", guarded)


def _fail_replace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "replace", _raise(OSError(errno.EIO, os.strerror(errno.EIO))))


FAILURES = {
    "disk-full-while-writing": (_fail_data_write, "the disk is full"),
    "permission-denied-on-temp-file": (_fail_temp_file, "permission denied"),
    "disk-full-syncing-history": (_fail_history_sync, "the disk is full"),
    "replace-fails": (_fail_replace, "Input/output error"),
}


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("path", ["whole-write", "patch"])
async def test_refused_write_keeps_the_old_file_and_memory(
    db: Path, monkeypatch: pytest.MonkeyPatch, failure: str, path: str
) -> None:
    await three_facts(db)
    with FactStore.open(db, seed=None) as store:
        if path == "patch":  # once this process wrote the file, writes patch it
            await store.review("gamma-fact", ALICE)
        before, facts, history = snapshot(db), store.facts(), store.history()
        inject, reason = FAILURES[failure]
        inject(monkeypatch)
        with pytest.raises(WriteFailed) as caught:
            await store.edit("alpha-fact", {"status": "disputed"}, expected_version=1, actor=BOB)
        with pytest.raises(WriteFailed):
            await store.add(record("never-saved"), ALICE)
        monkeypatch.undo()

        assert reason in str(caught.value) and str(db) in str(caught.value)
        assert snapshot(db) == before
        assert temp_files(db) == []
        assert store.facts() == facts and store.get("alpha-fact").version == 1
        assert store.history() == history

        # Once the disk is fine again the same changes save, each recorded once.
        await store.edit("alpha-fact", {"status": "disputed"}, expected_version=1, actor=BOB)
        await store.add(record("never-saved"), ALICE)
        assert [e.action for e in store.history("alpha-fact")] == ["add", "edit"]
        assert [e.action for e in store.history("never-saved")] == ["add"]
    with FactStore.open(db, seed=None) as again:
        assert again.get("alpha-fact").status == "disputed"
        assert [e.action for e in again.history("never-saved")] == ["add"]


async def test_a_folder_sync_failing_after_the_rename_still_counts_the_saved_write(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Once os.replace is done every reader sees the new file: reporting "nothing was
    # changed" then would leave memory (and the search index) behind the file.
    await three_facts(db)
    with FactStore.open(db, seed=None) as store:
        monkeypatch.setattr(atomic, "fsync_folder", _raise(OSError(errno.EIO, os.strerror(errno.EIO))))
        fact = await store.edit("alpha-fact", {"status": "disputed"}, expected_version=1, actor=BOB)
        monkeypatch.undo()
        assert store.get("alpha-fact") == fact
        await store.review("alpha-fact", ALICE)  # and the next write patches the file as usual
    with FactStore.open(db, seed=None) as again:
        assert (again.get("alpha-fact").status, again.get("alpha-fact").version) == ("disputed", 3)


async def test_file_changed_by_another_program_is_not_overwritten(db: Path) -> None:
    await three_facts(db)
    with FactStore.open(db, seed=None) as store:
        document = json.loads(db.read_text())
        document["facts"]["1"]["claim"] = "Corrected by hand while the bot ran."
        db.write_text(json.dumps(document))
        by_hand = db.read_bytes()
        with pytest.raises(WriteFailed, match="changed by another program"):
            await store.add(record("after-hand-edit"), ALICE)
    assert db.read_bytes() == by_hand


# --- leftovers from crashes ---


async def test_stale_temp_files_are_removed_at_open(db: Path) -> None:
    await three_facts(db)
    stale = db.parent / f".{db.name}.0123456789ab{atomic.TEMP_SUFFIX}"
    stale.write_text('{"facts": {"1": {"key": "half-writ')
    unrelated = db.parent / "notes.tmp"
    unrelated.write_text("keep me")
    # The temp file of another database in the folder whose name starts like ours.
    neighbour = db.parent / f".{db.name}.staging.json.0123456789ab{atomic.TEMP_SUFFIX}"
    neighbour.write_text("being written by the other store")
    with FactStore.open(db, seed=None) as store:
        assert len(store) == 3
    assert not stale.exists() and unrelated.exists() and neighbour.exists()


async def test_history_line_cut_short_by_a_crash_is_skipped(db: Path) -> None:
    await three_facts(db)
    log = Path(f"{db}.history.jsonl")
    with log.open("ab") as out:
        out.write(b'{"key": "delta-fact", "action": "add", "act')
    with FactStore.open(db, seed=None) as store:
        assert len(store.history()) == 3
        await store.add(record("delta-fact"), ALICE)
        assert [e.action for e in store.history("delta-fact")] == ["add"]
        assert len(store.history()) == 4
