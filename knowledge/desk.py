"""Wiring of the domain: one open store, its search index, the query log, the review queue, the
log of public answers and the synonym groups moderators added."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from knowledge.answers import AnswerLog
from knowledge.gaps import QueryLog
from knowledge.queue import ReviewQueue
from knowledge.search import SearchIndex
from knowledge.store import SHIPPED_BASE, FactStore
from knowledge.synonyms_store import SynonymStore

T = TypeVar("T")


@dataclass(slots=True)
class Knowledge:
    """The open store, the search index kept in step with it, and the logs kept beside the store."""

    store: FactStore
    index: SearchIndex
    gaps: QueryLog
    queue: ReviewQueue
    answers: AnswerLog
    synonyms: SynonymStore
    _derived: dict[str, Any] = field(default_factory=dict)

    def derived(self, name: str, build: Callable[[], T]) -> T:
        """``build()``'s result, computed from the whole base once and kept until the next write.

        For listings that autocomplete asks for on every keystroke but that
        only a write can change (publishers, sorted keys).
        """
        if name not in self._derived:
            self._derived[name] = build()
        return self._derived[name]

    def _forget_derived(self, _fact: object) -> None:
        self._derived.clear()

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
    gaps = QueryLog(Path(f"{store.path}.queries.jsonl") if log_queries else None)
    try:
        # Beside the database, written only by this process, which holds its writer lock.
        queue = ReviewQueue.beside(store.path)
        answers = AnswerLog.beside(store.path)
        synonyms = SynonymStore(store)  # replayed from the store's history (see its module)
    except BaseException:
        store.close()
        raise
    knowledge = Knowledge(
        store=store, index=index, gaps=gaps, queue=queue, answers=answers, synonyms=synonyms
    )
    store.subscribe(knowledge._forget_derived)
    return knowledge
