"""The bot keeps its search index beside the database: loaded at start when it matches, saved on
a clean stop, never backed up or restored, and `ask` only ever reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot
from knowledge.desk.synonyms import SynonymStore
from knowledge.model import Actor, Fact, HistoryEntry
from knowledge.newsroom import DESK_FILES, index_path, open_knowledge
from knowledge.search import wordforms
from knowledge.search.config import SearchConfig
from knowledge.search.index import SearchIndex
from knowledge.search.wordforms import Thesaurus
from knowledge.store import loading, snapshot
from knowledge.store.changes import FactStore
from knowledge.store.disk import stamp
from knowledge.store.disk.fastload import SnapshotFacts
from knowledge.store.history import HistoryLog
from knowledge.store.loading import read_base
from tests.helpers.store_facts import record

ALICE = Actor("1", "alice")
ZEBRA = record("zebra-drone-fact", claim="A zebra drone flew over Ovda in 2021.")


async def test_a_clean_stop_keeps_the_index_and_the_next_start_uses_it(facts_db: Path) -> None:
    knowledge = open_knowledge(facts_db)
    await knowledge.store.add(
        record("zebra-drone-fact", claim="A zebra drone flew over Ovda in 2021."), ALICE
    )
    knowledge.close()
    saved = index_path(facts_db)
    stamp = saved.stat().st_mtime_ns

    reopened = open_knowledge(facts_db)
    try:
        assert saved.stat().st_mtime_ns == stamp  # loaded as saved: it matched every fact, so no rebuild
        assert reopened.index.search("zebra drone").results[0].fact.key == "zebra-drone-fact"
    finally:
        reopened.close()


async def test_an_index_left_stale_by_a_crash_is_rebuilt_not_used(facts_db: Path) -> None:
    knowledge = open_knowledge(facts_db)  # saves the index it built
    await knowledge.store.add(
        record("zebra-drone-fact", claim="A zebra drone flew over Ovda in 2021."), ALICE
    )
    knowledge.store.close()  # as a crash would: the index on disk predates the new fact

    reopened = open_knowledge(facts_db)
    try:
        assert reopened.index.search("zebra drone").results[0].fact.key == "zebra-drone-fact"
    finally:
        reopened.close()


def test_a_backup_leaves_the_index_out_and_a_restore_moves_it_aside(facts_db: Path, tmp_path: Path) -> None:
    open_knowledge(facts_db).close()
    assert index_path(facts_db).exists()
    taken = snapshot.take(facts_db, tmp_path / "backups", DESK_FILES)
    assert not any(entry["name"].endswith(".search-index") for entry in taken.files)

    restored = snapshot.restore(taken.folder, facts_db, DESK_FILES)
    assert not index_path(facts_db).exists()
    assert restored.kept is not None and (restored.kept / index_path(facts_db).name).exists()


async def test_a_reader_makes_only_the_facts_it_reads_and_never_uses_a_stale_index(facts_db: Path) -> None:
    knowledge = open_knowledge(facts_db)
    await knowledge.store.add(ZEBRA, ALICE)  # written in the store's layout
    knowledge.close()  # keeps the index, the fast-load snapshot and the stamp
    base = read_base(facts_db)
    assert isinstance(base.facts, SnapshotFacts)  # rows: a fact is made when it is read
    lazy = SearchIndex.load(index_path(facts_db), base.facts, save=False)
    eager = SearchIndex(list(read_base(facts_db).facts))
    for query in ("silk way flights", "israeli drones", "zebra drone", "no such thing at all"):
        assert lazy.search(query) == eager.search(query)
        assert lazy.explain(query) == eager.explain(query)
    assert len(lazy) == len(eager)

    knowledge = open_knowledge(facts_db)
    await knowledge.store.add(record("yak-drone-fact", claim="A yak drone flew over Ovda in 2022."), ALICE)
    knowledge.store.close()  # the saved index now predates the new fact
    base = read_base(facts_db)
    assert isinstance(base.facts, SnapshotFacts)
    stale = SearchIndex.load(index_path(facts_db), base.facts, save=False)
    assert stale.search("yak drone").results[0].fact.key == "yak-drone-fact"


def count_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of the facts indexed from now on: none while a saved index is used as it is."""
    indexed: list[str] = []
    upsert = SearchIndex.upsert

    def counted(self: SearchIndex, fact: Fact) -> None:
        indexed.append(fact.key)
        upsert(self, fact)

    monkeypatch.setattr(SearchIndex, "upsert", counted)
    return indexed


def refuse_comparing(monkeypatch: pytest.MonkeyPatch) -> None:
    def compared(self: SnapshotFacts) -> None:
        raise AssertionError("every fact was read to compare it")

    monkeypatch.setattr(SnapshotFacts, "identities", compared)


async def test_ask_uses_the_index_saved_from_the_same_file_without_comparing_every_fact(
    facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = open_knowledge(facts_db)
    await knowledge.store.add(ZEBRA, ALICE)
    knowledge.close()
    indexed = count_builds(monkeypatch)
    refuse_comparing(monkeypatch)
    index = bot.read_only_index(facts_db, explicit=True)
    assert indexed == []
    assert index.search("zebra drone").results[0].fact.key == "zebra-drone-fact"


async def test_an_index_saved_from_another_file_or_config_is_not_used_by_its_source(
    facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = open_knowledge(facts_db)
    knowledge.close()
    with FactStore.open(facts_db) as store:  # a change the saved index never saw
        await store.add(ZEBRA, ALICE)
    base = read_base(facts_db)
    indexed = count_builds(monkeypatch)
    index = SearchIndex.load(index_path(facts_db), base.facts, save=False, source=base.fingerprint)
    assert "zebra-drone-fact" in indexed  # built again: the file is not the one it was saved from
    assert index.search("zebra drone").results[0].fact.key == "zebra-drone-fact"

    open_knowledge(facts_db).close()  # saved from this file now
    base = read_base(facts_db)
    indexed.clear()
    strict = SearchConfig(answer_confidence=0.99)
    other = SearchIndex.load(
        index_path(facts_db), base.facts, config=strict, save=False, source=base.fingerprint
    )
    assert indexed and other.config == strict


async def test_an_index_closed_mid_write_is_not_saved_as_built_from_the_file_it_lags(
    facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = open_knowledge(facts_db)
    before = facts_db.read_bytes()
    opened_as = knowledge.store.fingerprint
    ovda = knowledge.store.get("ovda-explosives-airfield")
    await knowledge.store.edit(
        ovda.key, {"aliases": [*ovda.aliases, "Zebrafly"]}, expected_version=ovda.version, actor=ALICE
    )
    # As if closed while a write was applied to memory and the index but the store's fingerprint
    # had not moved yet: the index holds the new alias, the fingerprint still names the old file.
    monkeypatch.setattr(FactStore, "fingerprint", property(lambda self: opened_as))
    knowledge.close()
    monkeypatch.undo()
    facts_db.write_bytes(before)  # that older file put back by hand, byte for byte
    base = read_base(facts_db)
    assert base.fingerprint == opened_as
    index = SearchIndex.load(index_path(facts_db), base.facts, save=False, source=base.fingerprint)
    assert index.search("zebrafly").verdict == "none"


async def test_retracted_facts_do_not_make_a_reader_rebuild_the_index(
    facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = open_knowledge(facts_db)
    await knowledge.store.retract("ovda-explosives-airfield", "Withdrawn for the test.", ALICE)
    knowledge.close()
    base = read_base(facts_db)
    assert any(fact.retracted for fact in base.facts)
    indexed = count_builds(monkeypatch)
    index = SearchIndex.load(index_path(facts_db), base.facts, save=False)  # compared fact by fact
    assert indexed == []
    assert all(hit.fact.key != "ovda-explosives-airfield" for hit in index.search("ovda explosives").results)


def count_compiled(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The thesaurus groups compiled from now on (none while a saved, compiled one is used)."""
    wordforms.shipped_thesaurus.cache_clear()
    compiled: list[tuple[str, ...]] = []
    add = Thesaurus._add

    def counted(self: Thesaurus, members: tuple[str, ...], broader: tuple[str, ...]) -> None:
        compiled.append(members)
        add(self, members, broader)

    monkeypatch.setattr(Thesaurus, "_add", counted)
    return compiled


async def test_the_thesaurus_saved_with_the_index_is_used_only_for_the_same_groups(
    facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_knowledge(facts_db).close()
    compiled = count_compiled(monkeypatch)
    same = bot.read_only_index(facts_db, explicit=True)
    assert compiled == []  # the shipped groups, compiled when the index was saved
    assert same.thesaurus.groups() == list(wordforms.shipped_groups())
    assert same.search("sandport").verdict == "none"

    knowledge = open_knowledge(facts_db)
    await knowledge.add_synonyms(["sandport", "ovda"], ALICE)  # while the bot runs: nothing saved yet
    added = bot.read_only_index(facts_db, explicit=True)
    assert ("sandport", "ovda") in compiled
    assert added.search("sandport").results[0].fact.key == "ovda-explosives-airfield"
    knowledge.close()

    compiled.clear()
    shipped = list(wordforms.shipped_groups())
    edited = SearchIndex.load(index_path(facts_db), [], thesaurus=shipped[1:], save=False)
    assert compiled and edited.thesaurus.groups() == shipped[1:]  # a changed thesaurus file


async def test_ask_takes_the_moderators_groups_kept_with_the_index_while_the_history_is_unchanged(
    facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stamp, "SETTLED_NS", 0)  # a history is settled at once (the bot waits 2 s)
    knowledge = open_knowledge(facts_db)
    await knowledge.add_synonyms(["sandport", "ovda"], ALICE)
    knowledge.close()  # keeps the groups and the history file's status with the index
    read = HistoryLog.read

    def refused(self: HistoryLog, key: str | None = None) -> list[HistoryEntry]:
        raise AssertionError("the history was read")

    monkeypatch.setattr(HistoryLog, "read", refused)
    kept = bot.read_only_index(facts_db, explicit=True)
    assert kept.search("sandport").results[0].fact.key == "ovda-explosives-airfield"

    monkeypatch.setattr(HistoryLog, "read", read)
    with FactStore.open(facts_db) as store:  # the bot again, removing the group: the history grows
        await SynonymStore(store).remove_group(["sandport", "ovda"], ALICE)
    monkeypatch.setattr(HistoryLog, "read", refused)
    with pytest.raises(AssertionError, match="the history was read"):
        bot.read_only_index(facts_db, explicit=True)
    monkeypatch.setattr(HistoryLog, "read", read)
    assert bot.read_only_index(facts_db, explicit=True).search("sandport").verdict == "none"


async def test_after_a_clean_stop_ask_trusts_the_settled_file_without_reading_it(
    facts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stamp, "SETTLED_NS", 0)  # a file is settled at once (the bot waits 2 s)
    knowledge = open_knowledge(facts_db)
    await knowledge.store.add(ZEBRA, ALICE)  # the stamp of a write names no status: too recent
    knowledge.close()

    def unread(path: Path) -> bytes:
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr(loading, "read_bytes", unread)
    index = bot.read_only_index(facts_db, explicit=True)
    assert index.search("zebra drone").results[0].fact.key == "zebra-drone-fact"
