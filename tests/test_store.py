"""The fact store's operations: what each write changes, what it refuses, and what it records."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.store_facts import ALICE, BOB, exported, record

from knowledge.errors import (
    AlreadyRetracted,
    DuplicateFact,
    FactNotFound,
    InvalidFact,
    KnowledgeError,
    NotRetracted,
    StaleEdit,
)
from knowledge.model import Fact, parse_fact
from knowledge.store.changes import FactStore
from knowledge.store.disk.journal import Appender
from knowledge.store.disk.storage import AtomicJSONStorage


def write_seed(path: Path, *records: dict) -> Path:
    path.write_text(json.dumps({"facts": {str(i): r for i, r in enumerate(records, start=1)}}))
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "facts.json"


@pytest.fixture
def store(db: Path):
    with FactStore.open(db, seed=None) as opened:
        yield opened


def snapshot(db: Path) -> tuple[bytes, int]:
    return db.read_bytes(), db.stat().st_mtime_ns


# --- opening ---


def test_missing_database_is_created_from_the_seed(tmp_path: Path, db: Path) -> None:
    seed = write_seed(tmp_path / "seed.json", record("first-fact"), record("second-fact"))
    with FactStore.open(db, seed=seed) as store:
        assert [f.key for f in store.facts()] == ["first-fact", "second-fact"]
        assert [(e.key, e.action, e.actor) for e in store.history()] == [
            ("first-fact", "import", "seed"),
            ("second-fact", "import", "seed"),
        ]
    document = json.loads(db.read_text())
    assert document["facts"]["2"]["key"] == "second-fact"


def test_missing_database_without_a_seed_starts_empty(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        assert len(store) == 0
    assert json.loads(db.read_text()) == {"facts": {}}


async def test_a_deleted_database_with_backups_is_not_replaced_by_the_seed(tmp_path: Path, db: Path) -> None:
    # Recreating it would hide the moderators' work, and the next writes would rotate
    # away the backups that still hold it.
    seed = write_seed(tmp_path / "seed.json", record("seeded"))
    with FactStore.open(db, seed=seed) as store:
        await store.add(record("moderated-one"), ALICE)
        await store.add(record("moderated-two"), ALICE)
    newest = AtomicJSONStorage(db).newest_backup()
    db.unlink()
    with pytest.raises(KnowledgeError) as caught:
        FactStore.open(db, seed=seed)
    assert str(db) in str(caught.value) and str(newest) in str(caught.value)
    assert not db.exists()

    shutil.copyfile(newest, db)  # what the message says to do
    with FactStore.open(db, seed=seed) as store:
        assert [f.key for f in store.facts()] == ["seeded", "moderated-one"]


def test_saved_facts_come_back_after_reopening(db: Path, store: FactStore) -> None:
    async def write() -> None:
        await store.add(record("kept-fact"), ALICE)
        await store.edit("kept-fact", {"status": "disputed"}, expected_version=1, actor=BOB)

    asyncio.run(write())
    store.close()
    with FactStore.open(db, seed=None) as again:
        fact = again.get("kept-fact")
    assert (fact.status, fact.version, fact.updated_by) == ("disputed", 2, BOB.label)


def test_reads_never_modify_the_file(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        asyncio.run(store.add(record("read-only"), ALICE))
    before = snapshot(db)
    with FactStore.open(db, seed=None) as store:
        store.get("read-only")
        store.facts(include_retracted=True)
        len(store)
        store.history()
        store.history("read-only")
        asyncio.run(store.export_json())
        with pytest.raises(FactNotFound):
            store.get("missing-key")
    assert snapshot(db) == before


# --- add ---


async def test_added_fact_gets_its_provenance_from_the_actor(store: FactStore) -> None:
    fact = await store.add(record("new-fact"), ALICE)
    assert (fact.added_by, fact.version, fact.updated_by) == (ALICE.label, 1, None)
    assert fact.added_at is not None
    assert store.get("new-fact") == fact


async def test_provenance_in_a_new_fact_is_refused_naming_the_field(store: FactStore) -> None:
    with pytest.raises(InvalidFact) as caught:
        await store.add(record("sneaky", added_by="someone else", version=7), ALICE)
    assert {p.field for p in caught.value.problems} == {"added_by", "version"}
    assert len(store) == 0


async def test_adding_an_existing_key_is_refused_even_when_retracted(store: FactStore) -> None:
    await store.add(record("taken"), ALICE)
    await store.retract("taken", "wrong figure", ALICE)
    assert store.key_taken("taken") and not store.key_taken("never-used")  # what the add form asks first
    with pytest.raises(DuplicateFact):
        await store.add(record("taken", claim="Another claim for the same key."), BOB)
    assert store.get("taken").claim == record("taken")["claim"]


INVALID_FIELDS = [
    ("key", {"key": "Not A Slug"}),
    ("claim", {"claim": "   "}),
    ("claim", {"claim": "x" * 1001}),
    ("claim", {"claim": "hidden\u202econtrol"}),
    ("details", {"details": 42}),
    ("status", {"status": "probably"}),
    ("aliases", {"aliases": "not a list"}),
    ("tags[0]", {"tags": [""]}),
    ("period", {"period": "2020-2010"}),
    ("sources", {"sources": []}),
    ("sources[0].url", {"sources": [{"publisher": "P", "url": "javascript:alert(1)"}]}),
    ("sources[0].url", {"sources": [{"publisher": "P", "url": "http://"}]}),
    ("sources[0].url", {"sources": [{"publisher": "P", "url": "https://[example.com/page"}]}),
    (
        "sources[0].published",
        {"sources": [{"publisher": "P", "url": "https://example.com", "published": "May"}]},
    ),
    ("sources[0].kind", {"sources": [{"publisher": "P", "url": "https://example.com", "kind": "rumour"}]}),
    ("colour", {"colour": "blue"}),
]


@pytest.mark.parametrize(
    ("field", "bad"), INVALID_FIELDS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(INVALID_FIELDS)]
)
async def test_each_invalid_field_is_refused_naming_it(
    db: Path, store: FactStore, field: str, bad: dict
) -> None:
    await store.add(record("existing"), ALICE)
    before = snapshot(db)
    with pytest.raises(InvalidFact) as caught:
        await store.add(record("bad-fact") | bad, ALICE)
    assert field in [p.field for p in caught.value.problems]
    assert field in str(caught.value)
    assert snapshot(db) == before
    assert [f.key for f in store.facts()] == ["existing"]


# --- edit ---


async def test_edit_makes_a_new_version_and_records_before_and_after(store: FactStore) -> None:
    await store.add(record("edited"), ALICE)
    fact = await store.edit(
        "edited",
        {"caveats": "Figures differ by source."},
        expected_version=1,
        actor=BOB,
        reason="added caveat",
    )
    assert (fact.version, fact.caveats, fact.updated_by) == (2, "Figures differ by source.", BOB.label)
    last = store.history("edited")[-1]
    assert (last.action, last.actor, last.reason, last.version) == ("edit", BOB.label, "added caveat", 2)
    assert "caveats" not in last.before
    assert last.after == fact.to_dict()


async def test_edit_with_a_stale_version_is_refused_and_nothing_changes(db: Path, store: FactStore) -> None:
    await store.add(record("contested"), ALICE)
    await store.edit("contested", {"status": "disputed"}, expected_version=1, actor=ALICE)
    before, history = snapshot(db), store.history()
    with pytest.raises(StaleEdit) as caught:
        await store.edit("contested", {"status": "verified"}, expected_version=1, actor=BOB)
    assert (caught.value.expected, caught.value.current) == (1, 2)
    assert store.get("contested").status == "disputed"
    assert snapshot(db) == before
    assert store.history() == history


async def test_a_refused_edit_names_who_changed_the_fact_and_when(store: FactStore) -> None:
    await store.add(record("contested"), ALICE)
    await store.edit("contested", {"status": "disputed"}, expected_version=1, actor=ALICE)
    [_, change] = store.history("contested")
    with pytest.raises(StaleEdit) as caught:
        await store.edit("contested", {"status": "verified"}, expected_version=1, actor=BOB)
    when = change.at[:16].replace("T", " ")
    assert f"was changed by someone else while you edited it (by {ALICE.label} at {when} UTC;" in str(
        caught.value
    )
    assert "version 1, it is now version 2" in str(caught.value)
    assert caught.value.change == change


async def test_a_refused_edit_says_the_fact_was_retracted_meanwhile(store: FactStore) -> None:
    await store.add(record("withdrawn"), ALICE)
    await store.retract("withdrawn", "Source withdrew the figure", ALICE)
    with pytest.raises(StaleEdit) as caught:
        await store.edit("withdrawn", {"status": "disputed"}, expected_version=1, actor=BOB)
    message = str(caught.value)
    assert "was retracted by someone else" in message
    assert f"by {ALICE.label} at" in message and ': "Source withdrew the figure";' in message


async def test_edit_cannot_touch_the_key_or_provenance(store: FactStore) -> None:
    await store.add(record("fixed-key"), ALICE)
    with pytest.raises(InvalidFact) as caught:
        await store.edit("fixed-key", {"key": "other-key", "added_by": "x"}, expected_version=1, actor=BOB)
    assert {p.field for p in caught.value.problems} == {"key", "added_by"}
    assert store.get("fixed-key").version == 1


async def test_edit_that_removes_an_optional_field(store: FactStore) -> None:
    await store.add(record("with-caveat", caveats="Old caveat."), ALICE)
    fact = await store.edit("with-caveat", {"caveats": None}, expected_version=1, actor=ALICE)
    assert fact.caveats is None


async def test_edit_with_an_invalid_value_is_refused_naming_the_field(db: Path, store: FactStore) -> None:
    await store.add(record("careful"), ALICE)
    before = snapshot(db)
    with pytest.raises(InvalidFact) as caught:
        await store.edit(
            "careful",
            {"sources": [{"publisher": "P", "url": "file:///etc/passwd"}]},
            expected_version=1,
            actor=BOB,
        )
    assert [p.field for p in caught.value.problems] == ["sources[0].url"]
    assert snapshot(db) == before


async def test_edit_that_changes_nothing_saves_nothing(db: Path, store: FactStore) -> None:
    await store.add(record("same"), ALICE)
    before = snapshot(db)
    fact = await store.edit("same", {"claim": record("same")["claim"]}, expected_version=1, actor=BOB)
    assert fact.version == 1
    assert snapshot(db) == before
    assert len(store.history("same")) == 1


async def test_editing_an_unknown_key_is_refused(store: FactStore) -> None:
    with pytest.raises(FactNotFound):
        await store.edit("nowhere", {"status": "verified"}, expected_version=1, actor=ALICE)


# --- cite ---


async def test_cite_adds_one_source(store: FactStore) -> None:
    await store.add(record("cited"), ALICE)
    source = {"publisher": "Second Wire", "url": "https://example.org/second", "published": "2021"}
    fact = await store.cite("cited", source, actor=BOB, expected_version=1)
    assert [s.publisher for s in fact.sources] == ["Example Wire", "Second Wire"]
    assert (fact.version, store.history("cited")[-1].action) == (2, "cite")


async def test_cite_refuses_a_bad_link_naming_it(store: FactStore) -> None:
    await store.add(record("cited"), ALICE)
    with pytest.raises(InvalidFact) as caught:
        await store.cite("cited", {"publisher": "P", "url": "data:text/html,hi"}, actor=BOB)
    assert [p.field for p in caught.value.problems] == ["source.url"]
    assert len(store.get("cited").sources) == 1


async def test_cite_refuses_an_eleventh_source_and_a_repeated_link(store: FactStore) -> None:
    sources = [{"publisher": f"Wire {i}", "url": f"https://example.com/s/{i}"} for i in range(10)]
    await store.add(record("full", sources=sources), ALICE)
    with pytest.raises(InvalidFact, match="already has 10 citations"):
        await store.cite("full", {"publisher": "One more", "url": "https://example.com/s/more"}, actor=BOB)
    with pytest.raises(InvalidFact, match="already cited"):
        await store.cite("full", {"publisher": "Again", "url": "https://example.com/s/3"}, actor=BOB)
    assert store.get("full").version == 1


async def test_cite_refuses_the_same_link_written_differently(store: FactStore) -> None:
    await store.add(record("cited"), ALICE)  # cites https://example.com/cited
    for same in ("HTTPS://Example.COM/cited", "https://example.com/cited/", "http://example.com/cited#top"):
        with pytest.raises(InvalidFact, match="already cited"):
            await store.cite("cited", {"publisher": "Again", "url": same}, actor=BOB)
    await store.cite("cited", {"publisher": "Other", "url": "https://example.com/cited?page=2"}, actor=BOB)
    assert len(store.get("cited").sources) == 2


async def test_cite_with_a_stale_version_is_refused(store: FactStore) -> None:
    await store.add(record("cited"), ALICE)
    await store.edit("cited", {"status": "attributed"}, expected_version=1, actor=ALICE)
    with pytest.raises(StaleEdit):
        await store.cite(
            "cited", {"publisher": "P", "url": "https://example.com/x"}, actor=BOB, expected_version=1
        )


# --- retract, restore, review ---


async def test_retracted_fact_is_hidden_from_facts_but_get_still_returns_it(store: FactStore) -> None:
    await store.add(record("kept"), ALICE)
    await store.add(record("withdrawn"), ALICE)
    fact = await store.retract("withdrawn", "Source corrected itself.", BOB)
    assert (
        fact.retracted
        and fact.retracted_by == BOB.label
        and fact.retraction_reason == "Source corrected itself."
    )
    assert [f.key for f in store.facts()] == ["kept"]
    assert [f.key for f in store.facts(include_retracted=True)] == ["kept", "withdrawn"]
    assert len(store) == 1
    assert store.get("withdrawn") == fact


async def test_retract_needs_a_reason_and_happens_once(store: FactStore) -> None:
    await store.add(record("withdrawn"), ALICE)
    with pytest.raises(InvalidFact) as caught:
        await store.retract("withdrawn", "  ", BOB)
    assert [p.field for p in caught.value.problems] == ["reason"]
    await store.retract("withdrawn", "Wrong date.", BOB)
    with pytest.raises(AlreadyRetracted):
        await store.retract("withdrawn", "Again.", BOB)


async def test_restore_shows_a_retracted_fact_again(store: FactStore) -> None:
    await store.add(record("back"), ALICE)
    with pytest.raises(NotRetracted):
        await store.restore("back", BOB)
    await store.retract("back", "Checking.", BOB)
    fact = await store.restore("back", BOB, reason="Checked: correct.")
    assert not fact.retracted and fact.retraction_reason is None and fact.version == 3
    assert len(store) == 1
    assert [(e.action, e.reason) for e in store.history("back")][-1] == ("restore", "Checked: correct.")


async def test_review_records_when_and_may_set_the_status(store: FactStore) -> None:
    await store.add(record("reviewed"), ALICE)
    fact = await store.review("reviewed", BOB)
    assert fact.reviewed_at is not None and fact.status == "verified" and fact.version == 2
    fact = await store.review("reviewed", BOB, status="disputed")
    assert (fact.status, fact.updated_by, fact.version) == ("disputed", BOB.label, 3)
    with pytest.raises(InvalidFact) as caught:
        await store.review("reviewed", BOB, status="maybe")
    assert [p.field for p in caught.value.problems] == ["status"]


# --- history and listeners ---


async def test_history_is_append_only_with_one_entry_per_change(db: Path, store: FactStore) -> None:
    log = Path(f"{db}.history.jsonl")
    await store.add(record("logged"), ALICE)
    earlier = log.read_bytes()
    await store.edit("logged", {"status": "attributed"}, expected_version=1, actor=BOB, reason="one source")
    await store.cite("logged", {"publisher": "P", "url": "https://example.com/p"}, actor=BOB)
    await store.retract("logged", "Doubts.", ALICE)
    await store.restore("logged", ALICE)
    await store.review("logged", BOB)
    with pytest.raises(StaleEdit):
        await store.edit("logged", {"status": "verified"}, expected_version=1, actor=BOB)
    assert log.read_bytes().startswith(earlier)
    entries = store.history("logged")
    assert [e.action for e in entries] == ["add", "edit", "cite", "retract", "restore", "review"]
    assert [e.version for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].before is None
    assert all(e.after == entries[i + 1].before for i, e in enumerate(entries[:-1]))
    assert entries[-1].after == store.get("logged").to_dict()
    assert len(log.read_text().splitlines()) == 6


async def test_history_of_an_unknown_key_is_refused(store: FactStore) -> None:
    with pytest.raises(FactNotFound):
        store.history("nowhere")


async def test_listeners_hear_every_saved_change_including_retractions(store: FactStore) -> None:
    heard: list[Fact] = []
    store.subscribe(heard.append)
    await store.add(record("heard"), ALICE)
    await store.retract("heard", "Gone.", ALICE)
    with pytest.raises(DuplicateFact):
        await store.add(record("heard"), ALICE)
    assert [(f.key, f.retracted) for f in heard] == [("heard", False), ("heard", True)]


async def test_a_failing_listener_does_not_undo_the_change(db: Path, store: FactStore) -> None:
    def broken(fact: Fact) -> None:
        raise RuntimeError("listener bug")

    store.subscribe(broken)
    fact = await store.add(record("still-saved"), ALICE)
    assert store.get("still-saved") == fact
    assert "still-saved" in db.read_text()


# --- concurrency ---


async def test_concurrent_edits_of_one_version_let_exactly_one_win(store: FactStore) -> None:
    await store.add(record("hot"), ALICE)
    results = await asyncio.gather(
        *(store.edit("hot", {"details": f"Edit {i}."}, expected_version=1, actor=BOB) for i in range(20)),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, Fact)]
    assert len(winners) == 1
    assert all(isinstance(r, StaleEdit) for r in results if not isinstance(r, Fact))
    assert store.get("hot") == winners[0]
    assert [e.action for e in store.history("hot")] == ["add", "edit"]


async def test_concurrent_adds_are_all_saved(db: Path, store: FactStore) -> None:
    await asyncio.gather(*(store.add(record(f"many-{i}"), ALICE) for i in range(50)))
    assert len(store) == 50
    stored = json.loads(db.read_text())["facts"]
    assert sorted(r["key"] for r in stored.values()) == sorted(f"many-{i}" for i in range(50))
    assert len(store.history()) == 50


async def test_a_cancelled_caller_still_leaves_memory_matching_the_file(db: Path, store: FactStore) -> None:
    heard: list[Fact] = []
    store.subscribe(heard.append)
    waiting = asyncio.ensure_future(store.add(record("cancelled"), ALICE))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    # The next write queues behind the first, so once it returns the first is settled.
    await store.add(record("after"), ALICE)
    assert [f.key for f in store.facts()] == ["cancelled", "after"]
    assert [f.key for f in heard] == ["cancelled", "after"]
    assert sorted(r["key"] for r in json.loads(db.read_text())["facts"].values()) == ["after", "cancelled"]


async def test_close_waits_for_the_write_on_disk_and_refuses_those_queued(
    db: Path, store: FactStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Closing releases the writer lock; a write that ran after that could meet another
    # process's writes to the same file.
    on_disk, go_on = threading.Event(), threading.Event()
    appending = store._history.appending

    @contextlib.contextmanager
    def slow_appending() -> Iterator[Appender]:
        on_disk.set()
        go_on.wait()
        with appending() as lines:
            yield lines

    monkeypatch.setattr(store._history, "appending", slow_appending)
    writing = asyncio.ensure_future(store.add(record("in-flight"), ALICE))
    await asyncio.to_thread(on_disk.wait)
    queued = asyncio.ensure_future(store.add(record("queued"), ALICE))
    await asyncio.sleep(0)
    threading.Timer(0.05, go_on.set).start()
    store.close()
    assert "in-flight" in db.read_text()

    finished, refused = await asyncio.gather(writing, queued, return_exceptions=True)
    assert isinstance(finished, Fact) and isinstance(refused, RuntimeError)
    with FactStore.open(db, seed=None) as again:
        assert [f.key for f in again.facts()] == ["in-flight"]


async def test_writes_after_close_are_refused(store: FactStore) -> None:
    store.close()
    with pytest.raises(RuntimeError, match="closed"):
        await store.add(record("late"), ALICE)


# --- import and export ---


async def test_import_merges_by_key_and_reports_what_it_did(store: FactStore) -> None:
    await store.add(record("same-one"), ALICE)
    await store.add(record("to-change"), ALICE)
    report = await store.import_records(
        [record("same-one"), record("to-change", status="disputed"), record("brand-new")], BOB
    )
    assert (report.added, report.changed, report.unchanged) == (["brand-new"], ["to-change"], ["same-one"])
    changed = store.get("to-change")
    assert (changed.status, changed.version, changed.updated_by) == ("disputed", 2, BOB.label)
    assert store.get("brand-new").added_by == BOB.label
    assert [(e.key, e.action) for e in store.history()[-2:]] == [
        ("to-change", "import"),
        ("brand-new", "import"),
    ]


async def test_import_with_one_bad_record_among_100_imports_nothing(db: Path, store: FactStore) -> None:
    await store.add(record("existing"), ALICE)
    before, history = snapshot(db), store.history()
    records = [record(f"bulk-{i}") for i in range(100)]
    records[56]["sources"][0]["url"] = "ftp://example.com/file"
    with pytest.raises(InvalidFact) as caught:
        await store.import_records(records, BOB)
    assert "import record 57" in str(caught.value)
    assert "sources[0].url" in str(caught.value)
    assert [f.key for f in store.facts()] == ["existing"]
    assert snapshot(db) == before
    assert store.history() == history


async def test_import_names_every_bad_record_and_repeated_keys(store: FactStore) -> None:
    records = [record("one"), record("two", claim=""), record("one"), {"claim": 5}]
    with pytest.raises(InvalidFact) as caught:
        await store.import_records(records, BOB)
    message = str(caught.value)
    assert "3 records are invalid" in message
    assert all(f"import record {i}" in message for i in (2, 3, 4))
    assert len(store) == 0


async def test_dry_run_import_reports_but_writes_nothing(db: Path, store: FactStore) -> None:
    await store.add(record("existing"), ALICE)
    before = snapshot(db)
    report = await store.import_records([record("existing"), record("would-add")], BOB, dry_run=True)
    assert (report.added, report.unchanged) == (["would-add"], ["existing"])
    assert snapshot(db) == before
    with pytest.raises(FactNotFound):
        store.get("would-add")


async def test_import_takes_content_from_the_file_but_never_provenance(store: FactStore) -> None:
    forged = record(
        "forged", added_by="the editor-in-chief", added_at="2001-01-01T00:00:00+00:00", version=99
    )
    await store.import_records([forged], BOB)
    fact = store.get("forged")
    assert (fact.added_by, fact.version) == (BOB.label, 1)
    assert fact.added_at != "2001-01-01T00:00:00+00:00"


async def test_a_retracted_fact_in_an_import_stays_hidden(store: FactStore) -> None:
    withdrawn = record(
        "withdrawn",
        retracted_at="2025-01-01T00:00:00+00:00",
        retracted_by="someone",
        retraction_reason="Wrong.",
    )
    report = await store.import_records([withdrawn], BOB)
    assert report.added == ["withdrawn"]
    assert store.facts() == []
    assert store.get("withdrawn").retraction_reason == "Wrong."


async def test_export_reads_back_through_import_unchanged(tmp_path: Path, store: FactStore) -> None:
    await store.add(record("exported", aliases=["Exp"], tags=["test"]), ALICE)
    await store.add(record("retired"), ALICE)
    await store.retract("retired", "Old.", ALICE)
    document = await exported(store)
    assert [parse_fact(r) for r in document["facts"].values()] == store.facts(include_retracted=True)
    report = await store.import_records(list(document["facts"].values()), BOB)
    assert (report.added, report.changed) == ([], [])
    with FactStore.open(tmp_path / "copy.json", seed=None) as copy:
        await copy.import_records(list(document["facts"].values()), BOB)
        assert [f.key for f in copy.facts()] == ["exported"]
        assert copy.get("retired").retracted


async def test_the_file_always_holds_exactly_what_memory_holds(tmp_path: Path, db: Path) -> None:
    """Writes patch changed records into the file; reading it back must give what memory holds."""
    rng = random.Random(5)
    with FactStore.open(db, seed=None) as store:
        for step in range(60):
            keys = [f.key for f in store.facts(include_retracted=True)]
            action = rng.choice(["add", "add", "edit", "retract", "import"] if keys else ["add"])
            if action == "add":
                await store.add(record(f"random-{step}"), ALICE)
            elif action == "edit":
                fact = store.get(rng.choice(keys))
                details = {"details": "x" * rng.randint(1, 300)}
                await store.edit(fact.key, details, expected_version=fact.version, actor=BOB)
            elif action == "retract" and not (fact := store.get(rng.choice(keys))).retracted:
                await store.retract(fact.key, "Random test.", BOB)
            elif action == "import":
                changed = record(rng.choice(keys), status="disputed", details=f"Step {step}.")
                await store.import_records([changed, record(f"imported-{step}")], BOB)
            assert json.loads(db.read_bytes()) == await exported(store)
        document = await exported(store)
    with FactStore.open(db, seed=None) as again:
        assert await exported(again) == document
