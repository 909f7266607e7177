"""What reporters asked that the base could not answer: the desk's to-do list.

Every searched query is appended as one JSON line to its own log file (never
the fact database); unanswered ones are also counted in memory so
``/factadmin gaps`` can list the most asked without reading the file again.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from knowledge.search import SearchOutcome
from knowledge.textnorm import normalise

log = logging.getLogger(__name__)

# Unanswered queries kept in memory; older ones stay in the file only.
MAX_REMEMBERED = 50_000


def _utc_now() -> datetime:
    return datetime.now(UTC)


class QueryLog:
    """Append-only log of searches; ``path=None`` keeps it in memory only."""

    def __init__(self, path: Path | None, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.path = path
        self._clock = clock
        # (when, normalised query, query as typed) for each unanswered search
        self._misses: deque[tuple[datetime, str, str]] = deque(maxlen=MAX_REMEMBERED)
        if path is not None and path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as error:
            log.warning("Could not read the query log %s: %s", path, error)
            return
        for line in lines:
            try:
                entry = json.loads(line)
                if entry["answered"]:
                    continue
                at = datetime.fromisoformat(entry["at"])
                query = str(entry["query"])
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line after a crash: skip it, keep the rest
            if at.tzinfo is None:
                at = at.replace(tzinfo=UTC)
            if key := normalise(query):
                self._misses.append((at, key, query))

    def record(self, query: str, outcome: SearchOutcome) -> None:
        """Note one search. Never raises: a full disk must not break a lookup."""
        if outcome.problem is not None or not (key := normalise(outcome.query)):
            return  # nothing was searched for, so nothing is missing from the base
        at = self._clock().replace(microsecond=0)  # as the file keeps it, so a reload agrees
        answered = bool(outcome.results)
        if not answered:
            self._misses.append((at, key, outcome.query))
        if self.path is None:
            return
        entry = {
            "at": at.isoformat(timespec="seconds"),
            "query": outcome.query,
            "answered": answered,
            "results": [h.fact.key for h in outcome.results[:3]],
            "suggestions": [h.fact.key for h in outcome.suggestions[:3]],
        }
        try:
            # A lone surrogate (possible in JSON, not in UTF-8) must not break the lookup either.
            with self.path.open("a", encoding="utf-8", errors="backslashreplace") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except (OSError, ValueError) as error:  # ValueError: text the disk encoding cannot hold
            log.warning("Could not append to the query log %s: %s", self.path, error)

    def top(self, limit: int = 10, since_days: int = 30) -> list[tuple[str, int, str]]:
        """The most asked unanswered queries: (query, times asked, last asked at), most first."""
        since = self._clock() - timedelta(days=since_days)
        counts: dict[str, list] = {}  # normalised -> [count, last at, latest wording]
        for at, key, query in self._misses:
            if at < since:
                continue
            seen = counts.get(key)
            if seen is None:
                counts[key] = [1, at, query]
            else:
                seen[0] += 1
                if at >= seen[1]:
                    seen[1], seen[2] = at, query
        ranked = sorted(counts.values(), key=lambda s: (-s[0], -s[1].timestamp(), s[2]))
        return [(query, count, at.isoformat(timespec="seconds")) for count, at, query in ranked[:limit]]
