"""Wiring of the domain: one open store, its search index and the query log."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

from knowledge.gaps import QueryLog
from knowledge.search import SearchIndex
from knowledge.store import SHIPPED_BASE, FactStore


@dataclass(slots=True)
class Knowledge:
    """The open store, the search index kept in step with it, and the query log."""

    store: FactStore
    index: SearchIndex
    gaps: QueryLog

    def close(self) -> None:
        self.store.close()


def open_knowledge(
    path: str | Path, *, seed: Path | None = SHIPPED_BASE, log_queries: bool = True
) -> Knowledge:
    """Open the database at ``path`` and build the search index once.

    The index is then updated on every committed write, so no query re-reads
    the database or rebuilds the index.
    """
    store = FactStore.open(path, seed=seed)
    index = SearchIndex(store.facts())
    store.subscribe(index.upsert)
    # The index is as long-lived as the store and, at 100,000 facts, makes a full
    # collection cost ~40 ms on the event loop; move it out of the collector's way
    # as the store does with the facts (Store.close unfreezes).
    gc.freeze()
    gaps = QueryLog(Path(f"{store.path}.queries.jsonl") if log_queries else None)
    return Knowledge(store=store, index=index, gaps=gaps)
