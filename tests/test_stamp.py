"""Validated once: a file the store wrote opens without its records being checked again, and anything
else (edited by hand, other rules, no stamp) is validated in full and refused in the same words."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from bench.synth import synthetic_records
from knowledge import model
from knowledge.errors import CorruptDatabase, KnowledgeError
from knowledge.model import parse_fact, stored_fact
from knowledge.store import loading
from knowledge.store.changes import SHIPPED_BASE, FactStore
from knowledge.store.disk import fastload, stamp
from knowledge.store.disk.layout import read_layout
from knowledge.store.loading import encode, fingerprint_of, read_base
from knowledge.store.transfer import load_document
from tests.helpers.store_facts import ALICE, record
from tests.test_store_faults import three_facts


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "facts.json"


def refuse_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: Any, **kwargs: Any) -> model.Fact:
        raise AssertionError("a record was validated again")

    monkeypatch.setattr(model, "parse_fact", refused)


def edit_in_place(db: Path, old: bytes, new: bytes) -> None:
    """A hand edit that keeps the file laid out one record per line, as the store writes it."""
    raw = db.read_bytes()
    assert raw.count(old) >= 1
    db.write_bytes(raw.replace(old, new, 1))
    assert read_layout(db.read_bytes(), "facts") is not None


def open_error(db: Path) -> str:
    with pytest.raises(CorruptDatabase) as caught:
        FactStore.open(db, seed=None)
    return str(caught.value)


def test_a_fact_rebuilt_without_checks_is_the_fact_validation_gave() -> None:
    records = [*load_document(SHIPPED_BASE), *synthetic_records(300, seed=5)]
    for raw in records:
        fact = parse_fact(raw)
        assert stored_fact(json.loads(encode(fact))) == fact


async def test_a_file_the_store_wrote_opens_without_validating_again(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await three_facts(db)
    with FactStore.open(db, seed=None) as store:
        before = store.facts(include_retracted=True)
    refuse_validation(monkeypatch)
    with FactStore.open(db, seed=None) as store:
        assert store.facts(include_retracted=True) == before
        # The layout is known at once: a write after the fast open patches and stamps again.
        await store.add(record("delta-fact"), ALICE)
        assert store.fingerprint == fingerprint_of(db)
    with FactStore.open(db, seed=None) as store:
        assert [f.key for f in store.facts()] == ["alpha-fact", "beta-fact", "gamma-fact", "delta-fact"]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (b'"status": "verified"', b'"status": "verifie!"', "status: must be one of"),  # same length
        (b'"url": "https://example.com/beta-fact"', b'"url": "javascript:alert(1)"', "must be an http"),
        (b'"claim": "Test fact alpha', b'"claim": "\\u0007Test fact alpha', "control character (U+0007)"),
    ],
)
async def test_a_record_edited_by_hand_in_place_is_validated_and_refused_as_without_a_stamp(
    db: Path, old: bytes, new: bytes, problem: str
) -> None:
    await three_facts(db)
    assert stamp.stamp_path(db).exists()
    edit_in_place(db, old, new)
    before = db.read_bytes()

    stamped = open_error(db)
    stamp.stamp_path(db).unlink()
    unstamped = open_error(db)

    assert problem in stamped
    assert stamped == unstamped
    assert db.read_bytes() == before


async def test_a_stamp_under_other_rules_does_not_vouch(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await three_facts(db)
    monkeypatch.setattr(stamp, "rules", lambda: "rules of another version")
    validated: list[str] = []
    real = model.parse_fact

    def counting(data: Any, **kwargs: Any) -> model.Fact:
        validated.append(data["key"])
        return real(data, **kwargs)

    monkeypatch.setattr(model, "parse_fact", counting)
    with FactStore.open(db, seed=None):
        pass
    assert validated == ["alpha-fact", "beta-fact", "gamma-fact"]


async def test_a_file_validated_once_is_stamped_so_the_next_open_trusts_it(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await three_facts(db)
    stamp.stamp_path(db).unlink()  # as a database from before stamps, or restored by hand
    fastload.snapshot_path(db).unlink()
    with FactStore.open(db, seed=None):
        pass
    assert stamp.stamp_path(db).exists()
    refuse_validation(monkeypatch)
    with FactStore.open(db, seed=None) as store:
        assert len(store) == 3


async def test_the_fingerprint_follows_every_saved_change_and_is_the_files_own(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        empty = store.fingerprint
        added = await store.add(record("alpha-fact"), ALICE)
        one = store.fingerprint
        assert one != empty and one == fingerprint_of(db)
        await store.note("alpha-fact", "corrections", ALICE, extra={"corrected": 1})
        assert store.fingerprint == one  # a note changes the history only
        await store.edit("alpha-fact", {"details": "More."}, expected_version=added.version, actor=ALICE)
        two = store.fingerprint
        assert two not in (empty, one) and two == fingerprint_of(db)
    with FactStore.open(db, seed=None) as store:
        assert store.fingerprint == two
    assert len(two) == 64 and int(two, 16) >= 0


async def test_a_hand_formatted_file_has_a_fingerprint_of_its_bytes(db: Path) -> None:
    await three_facts(db)
    document = json.loads(db.read_bytes())
    db.write_text(json.dumps(document, indent=2))
    assert read_layout(db.read_bytes(), "facts") is None
    with FactStore.open(db, seed=None) as store:
        assert store.fingerprint == fingerprint_of(db)
        await store.add(record("delta-fact"), ALICE)  # written whole, in the store's layout again
        assert store.fingerprint == fingerprint_of(db)
        assert read_layout(db.read_bytes(), "facts") is not None


async def test_a_reader_trusts_the_stamp_and_writes_nothing(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await three_facts(db)
    beside = {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in db.parent.iterdir()}
    refuse_validation(monkeypatch)
    base = read_base(db)
    assert [f.key for f in base.facts] == ["alpha-fact", "beta-fact", "gamma-fact"]
    assert base.fingerprint == fingerprint_of(db) and base.skipped == []
    assert {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in db.parent.iterdir()} == beside


async def test_a_reader_validates_a_file_edited_by_hand_skips_its_bad_record_and_stamps_nothing(
    db: Path,
) -> None:
    await three_facts(db)
    edit_in_place(db, b'"status": "verified"', b'"status": "verifie!"')
    stamped_at = os.stat(stamp.stamp_path(db)).st_mtime_ns
    base = read_base(db)
    assert [f.key for f in base.facts] == ["beta-fact", "gamma-fact"]
    assert len(base.skipped) == 1 and "status: must be one of" in str(base.skipped[0])
    assert os.stat(stamp.stamp_path(db)).st_mtime_ns == stamped_at


async def test_an_import_validates_each_record_once_and_stores_what_validation_would(db: Path) -> None:
    records = list(synthetic_records(40, seed=11))
    records[3] = records[3] | {"retracted_at": "2020-01-01T00:00:00+00:00", "retraction_reason": "Wrong."}
    with FactStore.open(db, seed=None) as store:
        await store.add(records[0], ALICE)
        changed = records[0] | {"claim": records[0]["claim"] + " Revised."}
        report = await store.import_records([changed, *records[1:]], ALICE)
        assert report.changed == [records[0]["key"]] and len(report.added) == 39
        for fact in store.facts(include_retracted=True):
            assert parse_fact(fact.to_dict()) == fact
        assert store.get(records[3]["key"]).retracted


# --- the snapshot: the same facts, read instead of the JSON while it matches the file ---


def refuse_json(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_validation(monkeypatch)

    def refused(*args: Any) -> None:
        raise AssertionError("the JSON was decoded")

    monkeypatch.setattr(loading, "trusted_facts", refused)


async def test_a_closed_store_leaves_a_snapshot_the_next_open_reads_instead_of_the_json(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await three_facts(db)
    with FactStore.open(db, seed=None) as store:
        before = store.facts(include_retracted=True)
        fingerprint = store.fingerprint
    assert fastload.snapshot_path(db).exists()
    refuse_json(monkeypatch)
    with FactStore.open(db, seed=None) as store:
        assert store.facts(include_retracted=True) == before
        assert store.fingerprint == fingerprint
        await store.add(record("delta-fact"), ALICE)  # the layout is known: patched and stamped
    assert [f.key for f in read_base(db).facts][-1] == "delta-fact"  # the snapshot written at close


async def test_a_snapshot_of_an_older_file_or_a_damaged_one_is_ignored(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await three_facts(db)
    old = fastload.snapshot_path(db).read_bytes()
    with FactStore.open(db, seed=None) as store:
        await store.retract("beta-fact", "Wrong.", ALICE)
    for left in (old, old[: len(old) // 2], b"not a snapshot"):
        fastload.snapshot_path(db).write_bytes(left)
        with FactStore.open(db, seed=None) as store:
            assert store.get("beta-fact").retracted
        assert read_base(db).facts[1].retracted


def damage_first_chunk(path: Path) -> None:
    """Spoil the first fact's key inside its chunk, in place: the directory still names it."""
    with path.open("r+b") as snapshot:
        raw = snapshot.read()
        snapshot.seek(raw.index(b"alpha-fact"))  # chunks come before the directory
        snapshot.write(b"alpha-fXct")


async def test_a_snapshot_damaged_inside_a_chunk_is_read_around_from_the_file(db: Path) -> None:
    await three_facts(db)
    with FactStore.open(db, seed=None) as store:
        expected = store.facts(include_retracted=True)
    damage_first_chunk(fastload.snapshot_path(db))
    base = read_base(db)
    assert isinstance(base.facts, fastload.SnapshotFacts)  # the header, trailer and directory are whole
    assert list(base.facts) == expected
    assert base.facts.fact_by_key("beta-fact") == expected[1]


async def test_a_damaged_chunk_of_a_file_changed_since_is_an_error_not_an_old_fact(db: Path) -> None:
    await three_facts(db)
    base = read_base(db)
    damage_first_chunk(fastload.snapshot_path(db))  # the snapshot the reader opened
    with FactStore.open(db, seed=None) as store:
        await store.add(record("delta-fact"), ALICE)
    with pytest.raises(KnowledgeError, match="changed while it was read"):
        base.facts[0]


async def test_a_snapshot_does_not_vouch_for_a_file_edited_by_hand(db: Path) -> None:
    await three_facts(db)
    edit_in_place(db, b'"status": "verified"', b'"status": "verifie!"')
    assert "status: must be one of" in open_error(db)


# --- the file's status: a reader trusts a settled file the stamp names, and nothing that changed ---


def settled_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat a file as settled at once (the store waits SETTLED_NS after its last change)."""
    monkeypatch.setattr(stamp, "SETTLED_NS", 0)


def clock_past(status: list[int], folder: Path) -> None:
    """Wait until a change made now gets a newer change time than ``status`` records: what
    SETTLED_NS guarantees, on a file system whose clock ticks every few milliseconds."""
    probe = folder / "probe"
    for _ in range(1000):
        probe.write_bytes(b"x")
        if os.stat(probe).st_ctime_ns > status[4]:
            return
    raise AssertionError("the file system's clock did not move")


async def stamped_with_status(db: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    await three_facts(db)
    assert "file" not in json.loads(stamp.stamp_path(db).read_bytes())  # just written: not settled
    settled_now(monkeypatch)
    FactStore.open(db, seed=None).close()  # the writer's open records the status of what it read
    status = json.loads(stamp.stamp_path(db).read_bytes())["file"]
    assert status == stamp.file_status(db)
    monkeypatch.undo()
    return status


async def test_a_reader_trusts_a_settled_file_by_its_status_without_reading_it(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await stamped_with_status(db, monkeypatch)
    fingerprint = fingerprint_of(db)
    refuse_json(monkeypatch)

    def unread(*args: Any) -> bytes:
        raise AssertionError("the database file was read")

    monkeypatch.setattr(loading, "read_bytes", unread)
    base = read_base(db)
    assert [f.key for f in base.facts] == ["alpha-fact", "beta-fact", "gamma-fact"]
    assert base.fingerprint == fingerprint and base.skipped == []


async def test_a_file_changed_in_place_with_its_size_and_time_kept_is_not_trusted(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status = await stamped_with_status(db, monkeypatch)
    clock_past(status, db.parent)
    before = os.stat(db)
    with db.open("r+b") as handle:  # the same inode, the same size
        raw = handle.read()
        handle.seek(raw.index(b'"status": "verified"'))
        handle.write(b'"status": "verifie!"')
    os.utime(db, ns=(before.st_atime_ns, before.st_mtime_ns))  # its modification time put back
    after = os.stat(db)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    assert stamp.unchanged_fingerprint(db) is None
    base = read_base(db)
    assert [f.key for f in base.facts] == ["beta-fact", "gamma-fact"]
    assert len(base.skipped) == 1 and "status: must be one of" in str(base.skipped[0])


async def test_a_file_replaced_by_a_copy_with_its_times_kept_is_not_trusted(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status = await stamped_with_status(db, monkeypatch)
    clock_past(status, db.parent)
    copy = db.with_name("restored.json")
    copy.write_bytes(db.read_bytes().replace(b'"status": "verified"', b'"status": "verifie!"', 1))
    os.utime(copy, ns=(status[3], status[3]))
    os.replace(copy, db)  # as a restore that keeps times would
    assert stamp.unchanged_fingerprint(db) is None
    assert [f.key for f in read_base(db).facts] == ["beta-fact", "gamma-fact"]


def test_a_status_is_settled_only_if_unchanged_during_the_read_and_old_enough(db: Path) -> None:
    db.write_bytes(b"{}")
    now = stamp.file_status(db)
    assert stamp.settled_status(now, now) is None  # changed just now: a same-tick change could hide
    assert now is not None
    old = [*now[:4], now[4] - 2 * stamp.SETTLED_NS]
    assert stamp.settled_status(old, old) == old
    assert stamp.settled_status(old, [*old[:3], old[3] + 1, old[4]]) is None  # changed while read
    assert stamp.settled_status(None, None) is None
