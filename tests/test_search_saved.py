"""An index kept on disk beside the database is used only while it matches what it was built from."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

from bench.eval import shipped_facts
from knowledge.search.config import SearchConfig
from knowledge.search.index import SearchIndex


def _keys(index: SearchIndex, query: str) -> list[str]:
    return [hit.fact.key for hit in index.search(query).results]


def test_a_saved_index_loads_and_answers_as_the_built_one(tmp_path: Path) -> None:
    facts = shipped_facts()
    path = tmp_path / "search.idx"
    built = SearchIndex.load(path, facts)  # nothing saved yet: built and saved
    assert path.exists()
    stamp = path.stat().st_mtime_ns
    loaded = SearchIndex.load(path, facts)
    assert path.stat().st_mtime_ns == stamp  # used as it was, not rebuilt
    for query in ("silk way", "harrop 2016", "israeli drones", "arms for oil", "ovda explosivs"):
        assert loaded.search(query) == built.search(query)


def test_a_changed_fact_or_config_rebuilds_the_saved_index(tmp_path: Path) -> None:
    facts = shipped_facts()
    path = tmp_path / "search.idx"
    SearchIndex.load(path, facts)
    harop = next(f for f in facts if f.key == "harop-drone-bus-strike-2016")
    renamed = dataclasses.replace(harop, aliases=(*harop.aliases, "Zebrafly"), version=harop.version + 1)
    changed = [renamed if f is harop else f for f in facts]
    assert _keys(SearchIndex.load(path, changed), "zebrafly")[:1] == [harop.key]
    strict = SearchIndex.load(path, changed, config=SearchConfig(answer_confidence=0.99))
    assert strict.config.answer_confidence == 0.99
    assert _keys(SearchIndex.load(path, changed), "zebrafly")[:1] == [harop.key]


def test_a_damaged_saved_index_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "search.idx"
    facts = shipped_facts()
    SearchIndex.load(path, facts)
    whole = path.read_bytes()
    older = pickle.dumps((1, "an index saved in the format before", {}), protocol=5)
    for damaged in (b"not an index", older, whole[: len(whole) // 2], whole[:-1] + b"!"):
        path.write_bytes(damaged)
        index = SearchIndex.load(path, facts)
        assert _keys(index, "harop")[0] == "harop-drone-bus-strike-2016"
        assert path.read_bytes() != damaged  # built again and saved


def test_a_reader_that_must_write_nothing_builds_without_saving(tmp_path: Path) -> None:
    path = tmp_path / "search.idx"
    index = SearchIndex.load(path, shipped_facts(), save=False)
    assert not path.exists()
    assert _keys(index, "harop")[0] == "harop-drone-bus-strike-2016"
