"""Backups a newsroom can restore: ``bot.py backup`` while the bot writes, ``bot.py restore`` only when
it does not, checked first, keeping what it replaces (knowledge.store.snapshot)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.store_facts import ALICE, record

from bot import main
from knowledge.errors import StoreLocked
from knowledge.model import Actor
from knowledge.newsroom import DESK_FILES, open_knowledge
from knowledge.store import snapshot
from knowledge.store.changes import FactStore
from knowledge.store.snapshot import BadBackup

REPO = Path(__file__).resolve().parents[1]
WRITER = Path(__file__).parent / "helpers" / "desk_writer.py"
BACKUPS_DURING_WRITES = 8


def acknowledged(acks: Path) -> tuple[set[tuple[str, int]], set[int]]:
    """The fact versions and queue items the writer had acknowledged when this was read."""
    facts, items = set(), set()
    for line in acks.read_text().splitlines(keepends=True):
        if not line.endswith("\n"):
            break  # being written right now
        kind, *rest = line.split()
        if kind == "fact":
            facts.add((rest[0], int(rest[1])))
        else:
            items.add(int(rest[0]))
    return facts, items


def files_of(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path, with its SHA-256."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


async def desk_with_everything(db: Path) -> None:
    """A desk whose every file exists: history, queue, answers, query log and its key."""
    knowledge = open_knowledge(db)
    try:
        await knowledge.store.add(record("first-fact"), ALICE)
        knowledge.queue.suggest("Something is missing.", "https://example.com/missing", ALICE)
        knowledge.answers.record(1, 2, 3, knowledge.store.get("first-fact"))
        knowledge.gaps.record("zebra pancake", knowledge.index.search("zebra pancake"), 42)
    finally:
        knowledge.close()


async def test_a_backup_taken_during_writes_restores_every_acknowledged_write(tmp_path: Path) -> None:
    db, acks = tmp_path / "live" / "facts.json", tmp_path / "acks.txt"
    db.parent.mkdir()
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), str(db), str(acks)], cwd=REPO, stderr=subprocess.PIPE
    )
    try:
        taken = []
        for n in range(BACKUPS_DURING_WRITES):
            while len(acknowledged(acks)[0] if acks.exists() else ()) < 5 * (n + 1):
                assert writer.poll() is None, writer.stderr.read().decode() if writer.stderr else ""
                time.sleep(0.02)
            before = acknowledged(acks)  # every write acknowledged before this backup began
            taken.append((before, snapshot.take(db, tmp_path / "backups", DESK_FILES)))
        assert writer.poll() is None  # it wrote all along
    finally:
        writer.kill()
        writer.wait()

    for n, ((facts, items), backup) in enumerate(taken):
        restored = tmp_path / f"restored-{n}" / "facts.json"
        snapshot.restore(backup.folder, restored, DESK_FILES)
        knowledge = open_knowledge(restored, seed=None)  # validates the database, or refuses it
        try:
            for key, version in facts:
                fact = knowledge.store.get(key)
                assert fact.version >= version, key
                assert [e.version for e in knowledge.store.history(key)][-1] == fact.version, key
            for fact in knowledge.store.facts():  # the history covers the database copied before it
                assert knowledge.store.history(fact.key), fact.key
            assert items <= {item.id for item in knowledge.queue.items()}
            assert len(knowledge.store.facts()) == backup.facts
        finally:
            knowledge.close()


async def test_backup_copies_every_file_of_the_desk_with_a_manifest(tmp_path: Path) -> None:
    db = tmp_path / "desk" / "facts.json"
    await desk_with_everything(db)
    backup = snapshot.take(db, tmp_path / "backups", DESK_FILES)
    manifest = json.loads((backup.folder / "manifest.json").read_text())
    names = {entry["name"] for entry in manifest["files"]}
    assert names == {
        "facts.json",
        "facts.json.history.jsonl",
        "facts.json.queue.jsonl",
        "facts.json.answers.jsonl",
        "facts.json.queries.jsonl",
        "facts.json.queries.jsonl.key",
    }
    for entry in manifest["files"]:
        data = (backup.folder / entry["name"]).read_bytes()
        assert (entry["size"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    with FactStore.open(db) as store:
        assert manifest["facts"] == len(store.facts(include_retracted=True))
        assert manifest["version"] == sum(fact.version for fact in store.facts(include_retracted=True))
    assert backup.folder.name.startswith("facts.json-") and backup.folder.stat().st_mode & 0o077 == 0


async def test_a_line_being_appended_is_left_out_of_the_copy_not_torn(tmp_path: Path) -> None:
    db = tmp_path / "desk" / "facts.json"
    await desk_with_everything(db)
    queue = db.with_name("facts.json.queue.jsonl")
    whole = queue.read_bytes()
    with queue.open("ab") as out:
        out.write(b'{"event": "open", "id": 99, "subj')  # an append caught halfway
    backup = snapshot.take(db, tmp_path / "backups", DESK_FILES)
    assert (backup.folder / queue.name).read_bytes() == whole


async def test_restore_refuses_while_a_writer_holds_the_database_and_names_it(tmp_path: Path) -> None:
    db = tmp_path / "desk" / "facts.json"
    await desk_with_everything(db)
    backup = snapshot.take(db, tmp_path / "backups", DESK_FILES)
    with FactStore.open(db):
        before = files_of(db.parent)  # the lock file names this holder now
        with pytest.raises(StoreLocked, match=r"pid \d+ on "):
            snapshot.restore(backup.folder, db, DESK_FILES)
        assert files_of(db.parent) == before


async def test_restore_puts_the_backup_back_and_keeps_the_files_it_replaces(tmp_path: Path) -> None:
    db = tmp_path / "desk" / "facts.json"
    await desk_with_everything(db)
    backup = snapshot.take(db, tmp_path / "backups", DESK_FILES)
    with FactStore.open(db) as store:
        await store.add(record("after-the-backup"), Actor("7", "late"))
    replaced = {name: digest for name, digest in files_of(db.parent).items() if "/" not in name}
    replaced.pop("facts.json.lock")

    restored = snapshot.restore(backup.folder, db, DESK_FILES)

    assert restored.kept is not None and restored.kept.parent == db.parent
    assert files_of(restored.kept) == replaced  # moved aside whole, not deleted
    for entry in backup.files:
        assert files_of(db.parent)[entry["name"]] == entry["sha256"]
    with FactStore.open(db) as store:
        assert "after-the-backup" not in {fact.key for fact in store.facts()}
        assert store.get("first-fact")
    assert db.with_name("facts.json.queries.jsonl.key").stat().st_mode & 0o077 == 0


async def test_a_corrupted_backup_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    db = tmp_path / "desk" / "facts.json"
    await desk_with_everything(db)
    backup = snapshot.take(db, tmp_path / "backups", DESK_FILES)
    before = files_of(db.parent)
    history = backup.folder / "facts.json.history.jsonl"
    history.write_bytes(history.read_bytes()[:-20] + b"X" * 20)
    with pytest.raises(BadBackup, match=r"facts\.json\.history\.jsonl is not the file that was backed up"):
        snapshot.restore(backup.folder, db, DESK_FILES)
    assert files_of(db.parent) == before


async def test_a_backup_whose_database_does_not_validate_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "desk" / "facts.json"
    await desk_with_everything(db)
    backup = snapshot.take(db, tmp_path / "backups", DESK_FILES)
    before = files_of(db.parent)
    # A bad record, with a manifest made to match it: the checksums alone would pass.
    copy = backup.folder / "facts.json"
    copy.write_bytes(copy.read_bytes().replace(b'"claim": "', b'"claim": 7, "x": "', 1))
    manifest = json.loads((backup.folder / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["name"] == "facts.json":
            entry["size"], entry["sha256"] = (
                copy.stat().st_size,
                hashlib.sha256(copy.read_bytes()).hexdigest(),
            )
    (backup.folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BadBackup, match=r"its database facts\.json does not validate: .*claim"):
        snapshot.restore(backup.folder, db, DESK_FILES)
    assert files_of(db.parent) == before


def test_a_folder_without_a_manifest_is_refused_with_what_to_give(tmp_path: Path) -> None:
    with pytest.raises(BadBackup, match=r"has no manifest\.json; give the folder `bot\.py backup` made"):
        snapshot.restore(tmp_path, tmp_path / "db" / "facts.json", DESK_FILES)
    assert not (tmp_path / "db").exists()


async def test_a_backup_naming_a_file_the_desk_does_not_keep_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "desk" / "facts.json"
    await desk_with_everything(db)
    backup = snapshot.take(db, tmp_path / "backups", DESK_FILES)
    before = files_of(db.parent)
    manifest = json.loads((backup.folder / "manifest.json").read_text())
    manifest["files"][0]["suffix"] = ".bashrc"
    (backup.folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BadBackup, match="not a file of a fact desk this version knows"):
        snapshot.restore(backup.folder, db, DESK_FILES)
    assert files_of(db.parent) == before


async def test_the_command_line_backs_up_and_restores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "desk" / "facts.json"
    await desk_with_everything(db)
    assert main(["backup", str(tmp_path / "backups"), "--db", str(db)]) == 0
    [folder] = (tmp_path / "backups").iterdir()
    assert f"to {folder}." in capsys.readouterr().out
    with FactStore.open(db):
        assert main(["restore", str(folder), "--db", str(db)]) == 1
        assert f"is in use by another process (pid {os.getpid()} on " in capsys.readouterr().err
    assert main(["restore", str(folder), "--db", str(db)]) == 0
    assert "The files it replaced are kept in " in capsys.readouterr().out
