"""While the bot runs, the search index and the fast-load snapshot are kept current: once the desk
has been idle after a write, a reader (`bot.py ask`, `status`) or a start after a crash uses them
instead of reading every fact and rebuilding the index, and a write racing the save never leaves
a saved file that a reader trusts for a state it does not hold."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from simcord import ChannelHandle, Env, MemberActor

import bot
from handlers.settings import SettingsError, load_settings
from knowledge.model import Actor, Fact, HistoryEntry
from knowledge.newsroom import Knowledge, index_path, open_knowledge
from knowledge.search.index import SearchIndex
from knowledge.store import loading
from knowledge.store.disk import stamp
from knowledge.store.disk.fastload import Snapshot, SnapshotFacts
from knowledge.store.disk.journal import Appender
from knowledge.store.history import HistoryLog
from knowledge.store.loading import fingerprint_of, read_base
from tests.helpers.store_facts import record
from tests.test_admin import add
from tests.test_index_beside_database import count_builds, refuse_comparing

ALICE = Actor("1", "alice")
ZEBRA = record("zebra-drone-fact", claim="A zebra drone flew over Ovda in 2021.")
YAK = record("yak-drone-fact", claim="A yak drone flew over Ovda in 2022.")


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait (the event loop running) until ``condition()``; fail after 10 s."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never {what}")


def snapshot_of(db: Path, fingerprint: str) -> bool:
    return Snapshot.open(db, fingerprint) is not None


async def kept(knowledge: Knowledge) -> None:
    """Until the facts as they are now are kept: the snapshot, written last, is of them."""
    await until(lambda: snapshot_of(knowledge.store.path, knowledge.store.fingerprint), "kept")


def kept_index(db: Path, monkeypatch: pytest.MonkeyPatch) -> SearchIndex:
    """``bot.py ask``'s index of ``db``, failing unless it is the one kept, used as it was saved:
    no fact indexed again, none compared."""
    indexed = count_builds(monkeypatch)
    refuse_comparing(monkeypatch)
    index = bot.read_only_index(db, explicit=True)
    assert indexed == []
    return index


def unread(path: Path) -> bytes:
    raise AssertionError(f"{path} was read")


@pytest.fixture
def running(facts_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Knowledge]:
    """The bot's knowledge, saved as soon as the desk is idle, with files settled at once (the
    bot waits 5 s, more than the 2 s a file takes to settle)."""
    monkeypatch.setattr(stamp, "SETTLED_NS", 0)
    knowledge = open_knowledge(facts_db, save_delay=0)
    yield knowledge
    monkeypatch.undo()  # closing reads the file and the history the test may have refused
    knowledge.close()


async def test_after_a_write_and_the_idle_delay_ask_reads_only_what_was_kept(
    running: Knowledge, facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await running.store.add(ZEBRA, ALICE)
    await kept(running)
    assert isinstance(read_base(facts_db).facts, SnapshotFacts)
    monkeypatch.setattr(loading, "read_bytes", unread)  # trusted by its status, as after a clean stop
    index = kept_index(facts_db, monkeypatch)  # while the bot still holds the database
    assert index.search("zebra drone").results[0].fact.key == "zebra-drone-fact"


async def test_a_start_after_a_crash_uses_what_was_kept_while_the_bot_ran(
    facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = open_knowledge(facts_db, save_delay=0)
    await knowledge.store.add(ZEBRA, ALICE)
    await kept(knowledge)
    knowledge.store.close()  # as a crash would: the index is not saved at the end
    indexed = count_builds(monkeypatch)
    reopened = open_knowledge(facts_db)
    try:
        assert indexed == []
        assert reopened.index.search("zebra drone").results[0].fact.key == "zebra-drone-fact"
    finally:
        reopened.close()


async def test_a_synonym_group_added_while_the_bot_runs_is_kept_with_the_index(
    running: Knowledge, facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await running.add_synonyms(["sandport", "ovda"], ALICE)

    def groups_kept() -> bool:
        note = SearchIndex.saved_note(index_path(facts_db))
        return isinstance(note, dict) and ["sandport", "ovda"] in note["groups"]

    await until(groups_kept, "kept the group")

    def refused(self: HistoryLog, key: str | None = None) -> list[HistoryEntry]:
        raise AssertionError("the history was read")

    monkeypatch.setattr(HistoryLog, "read", refused)
    index = bot.read_only_index(facts_db, explicit=True)
    assert index.search("sandport").results[0].fact.key == "ovda-explosives-airfield"


async def test_a_write_arriving_during_the_save_waits_for_it_and_is_not_claimed_by_it(
    facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = open_knowledge(facts_db)  # saved only when asked: this test drives it
    await knowledge.store.add(ZEBRA, ALICE)
    saved_as = knowledge.store.fingerprint
    events: list[str] = []
    persisted = threading.Event()
    save, appending = SearchIndex.save, HistoryLog.appending

    def slow_save(self: SearchIndex, path: Path, **kwargs: Any) -> None:
        events.append("save begins")
        persisted.wait(0.5)  # a write not held back reaches the disk meanwhile
        save(self, path, **kwargs)
        events.append("save ends")

    @contextlib.contextmanager
    def persisting(self: HistoryLog) -> Iterator[Appender]:
        events.append("a write persists")
        persisted.set()
        with appending(self) as lines:
            yield lines

    monkeypatch.setattr(SearchIndex, "save", slow_save)
    monkeypatch.setattr(HistoryLog, "appending", persisting)
    saving = asyncio.create_task(knowledge.keep())
    await until(lambda: events == ["save begins"], "began saving")
    await knowledge.store.add(YAK, ALICE)
    await saving
    assert events == ["save begins", "save ends", "a write persists"]
    monkeypatch.undo()

    try:
        # What was kept names the file before the write, so a reader of the file after it
        # trusts neither: it reads the file and builds the index, and finds the new fact.
        written = fingerprint_of(facts_db)
        assert written == knowledge.store.fingerprint != saved_as
        assert not snapshot_of(facts_db, written)
        indexed = count_builds(monkeypatch)
        index = bot.read_only_index(facts_db, explicit=True)
        assert "yak-drone-fact" in indexed
        assert index.search("yak drone").results[0].fact.key == "yak-drone-fact"

        await knowledge.keep()  # what the next idle moment does
        index = kept_index(facts_db, monkeypatch)
        assert index.search("yak drone").results[0].fact.key == "yak-drone-fact"
    finally:
        knowledge.close()


async def test_a_file_changed_behind_the_store_is_never_vouched_for_by_what_is_kept(
    facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = open_knowledge(facts_db)
    before = facts_db.read_bytes()
    await knowledge.store.add(ZEBRA, ALICE)
    facts_db.write_bytes(before)  # the older file put back by hand while the bot runs
    try:
        await knowledge.keep()
        base = read_base(facts_db)
        assert "zebra-drone-fact" not in [fact.key for fact in base.facts]
        indexed = count_builds(monkeypatch)
        index = SearchIndex.load(index_path(facts_db), base.facts, save=False, source=base.fingerprint)
        assert indexed  # the index kept holds the store's facts, not this file's: built again
        assert index.search("zebra drone").verdict == "none"
    finally:
        knowledge.close()


async def test_close_waits_for_a_snapshot_being_kept_and_keeps_the_last_write(
    facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = open_knowledge(facts_db)
    await knowledge.store.add(ZEBRA, ALICE)
    release = threading.Event()
    started = threading.Event()
    keep_snapshot = loading.keep_snapshot

    def held(db: Path, fingerprint: str | None, facts: dict[str, Fact], doc_ids: dict[str, int]) -> None:
        started.set()
        release.wait(10)
        keep_snapshot(db, fingerprint, facts, doc_ids)

    monkeypatch.setattr(loading, "keep_snapshot", held)
    saving = asyncio.create_task(knowledge.keep())
    await until(started.is_set, "began the snapshot")
    # The snapshot is written after the writer's turn: writes go on meanwhile.
    await asyncio.wait_for(knowledge.store.add(YAK, ALICE), timeout=10)
    threading.Timer(0.2, release.set).start()
    knowledge.close()  # waits for that snapshot, then keeps the facts as they are now
    await saving
    monkeypatch.undo()

    assert snapshot_of(facts_db, fingerprint_of(facts_db))
    index = kept_index(facts_db, monkeypatch)
    assert index.search("yak drone").results[0].fact.key == "yak-drone-fact"


@pytest.mark.simcord(strict_sync=False)
async def test_the_bot_keeps_the_index_after_a_moderators_write(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = simcord_env.bot.knowledge
    assert knowledge.save_delay == 0  # INDEX_SAVE_DELAY, as the tests' settings give it
    await add(manager, channel, "test-kept")
    await kept(knowledge)
    index = kept_index(knowledge.store.path, monkeypatch)
    assert index.search(record("test-kept")["claim"]).results[0].fact.key == "test-kept"


def test_index_save_delay_is_five_seconds_unless_set() -> None:
    assert load_settings({}).index_save_delay == 5.0
    assert load_settings({"INDEX_SAVE_DELAY": " 0 "}).index_save_delay == 0.0
    assert load_settings({"INDEX_SAVE_DELAY": "30"}).index_save_delay == 30.0


@pytest.mark.parametrize("value", ["-1", "3601", "nan", "inf", "soon"])
def test_an_index_save_delay_that_is_not_0_to_3600_seconds_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match=r"INDEX_SAVE_DELAY must be a number of seconds from 0 to 3600"):
        load_settings({"INDEX_SAVE_DELAY": value})


async def idle_saved_after_a_write(facts_db: Path, monkeypatch: pytest.MonkeyPatch) -> Knowledge:
    """The bot's knowledge after one write, once the idle save has finished (files settle at once)."""
    monkeypatch.setattr(stamp, "SETTLED_NS", 0)
    knowledge = open_knowledge(facts_db, save_delay=0)
    await knowledge.store.add(ZEBRA, ALICE)
    await kept(knowledge)
    await until(lambda: knowledge._saving is None, "finished the idle save")
    return knowledge


async def test_closing_right_after_the_idle_save_does_not_save_the_index_again(
    facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = await idle_saved_after_a_write(facts_db, monkeypatch)
    saves: list[Path] = []
    save = SearchIndex.save

    def counted(self: SearchIndex, path: Path, **kwargs: Any) -> None:
        saves.append(path)
        save(self, path, **kwargs)

    monkeypatch.setattr(SearchIndex, "save", counted)
    knowledge.close()
    assert saves == []  # 1.5 s at 100,000 facts, for an index already on disk as it is
    kept_index(facts_db, monkeypatch)  # and a reader still uses it as it was kept


async def test_closing_after_a_write_the_idle_save_has_not_seen_saves_the_index(
    facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = await idle_saved_after_a_write(facts_db, monkeypatch)
    knowledge.save_delay = None  # the next write is not kept while the bot runs
    await knowledge.store.add(YAK, ALICE)
    knowledge.close()
    index = kept_index(facts_db, monkeypatch)
    assert index.search("yak drone").results[0].fact.key == "yak-drone-fact"
