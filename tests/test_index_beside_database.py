"""The bot keeps its search index beside the database: loaded at start when it matches, saved on
a clean stop, never backed up or restored, and `ask` only ever reads it."""

from __future__ import annotations

from pathlib import Path

from knowledge.model import Actor
from knowledge.newsroom import DESK_FILES, index_path, open_knowledge
from knowledge.search.index import SearchIndex
from knowledge.store import snapshot
from knowledge.store.disk.fastload import SnapshotFacts
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
