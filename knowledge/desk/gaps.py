"""What reporters asked that the base could not answer: the desk's to-do list.

Every searched query is appended as one JSON line to its own log file (never
the fact database); unanswered ones are also counted in memory so
``/factadmin gaps`` can list the most asked without reading the file again.

Gaps rank by how many different people asked, then how often, then how
recently: one reporter asking five times is one person's question, two
colleagues asking once each is the desk's. To count people the log keeps who
asked, but not as a Discord id: it stores a keyed hash (HMAC-SHA256, 64 bits)
of the id, with a random key kept in its own file beside the log
(``<log>.key``, readable by the bot's user only). The log on its own, shared in
a bug report or a backup, says nothing about who asked what; deleting the key
file forgets it for good (later asks by the same person then count as a new
person). Lines without an asker (written before askers were logged, or by a
caller that passes none) count together as one person per query: someone
asked, and more than that is not known.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from knowledge.search.index import SearchOutcome
from knowledge.search.textnorm import normalise
from knowledge.store.disk.atomic import replace_file, write_all
from knowledge.store.disk.journal import LineLog

log = logging.getLogger(__name__)

# Unanswered queries kept in memory; older ones stay in the file only.
MAX_REMEMBERED = 50_000


KEY_SUFFIX = ".key"
_KEY_BYTES = 32
_ASKER_HEX = 16  # 64 bits: no two of a newsroom's people collide


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Gap(NamedTuple):
    """An unanswered question: as last typed, by how many people, how often, and when last."""

    query: str
    people: int
    times: int
    last_at: str


def _asker_key(path: Path | None) -> bytes:
    """The key askers are hashed with: read from ``path``, else made there (0600), else in memory."""
    if path is None:
        return secrets.token_bytes(_KEY_BYTES)
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(key) == _KEY_BYTES:
            return key
        log.warning("The asker key %s is not %d bytes; using a new one", path, _KEY_BYTES)
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as error:
        log.warning("Could not read the asker key %s (%s); using a new one", path, error)
    key = secrets.token_bytes(_KEY_BYTES)
    try:
        replace_file(path, lambda fd: write_all(fd, f"{key.hex()}\n".encode()), mode=0o600)
    except OSError as error:
        # Counting still works until the next start, when the same people count again.
        log.warning("Could not save the asker key %s: %s", path, error)
    return key


class QueryLog:
    """Append-only log of searches; ``path=None`` keeps it in memory only."""

    def __init__(self, path: Path | None, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.path = path
        self._clock = clock
        self._key_path = None if path is None else path.with_name(path.name + KEY_SUFFIX)
        self._key: bytes | None = None  # read or made on the first ask with an asker
        # (when, normalised query, query as typed, hashed asker or None) for each unanswered search
        self._misses: deque[tuple[datetime, str, str, str | None]] = deque(maxlen=MAX_REMEMBERED)
        if path is not None and path.exists():
            self._load(path)

    def _hashed(self, asker: int | str) -> str:
        if self._key is None:
            self._key = _asker_key(self._key_path)
        return hmac.new(self._key, str(asker).encode(), hashlib.sha256).hexdigest()[:_ASKER_HEX]

    def _load(self, path: Path) -> None:
        try:
            lines = [line for _, line in LineLog(path).lines()]  # a torn last line after a crash is left out
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
                asker = entry.get("asker")
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # a line some other program wrote: skip it, keep the rest
            if at.tzinfo is None:
                at = at.replace(tzinfo=UTC)
            if key := normalise(query):
                self._misses.append((at, key, query, asker if isinstance(asker, str) else None))

    def record(self, query: str, outcome: SearchOutcome, asker: int | str | None = None) -> None:
        """Note one search by ``asker`` (a Discord user id; stored hashed). Never raises: a full
        disk must not break a lookup."""
        if outcome.problem is not None or not (key := normalise(outcome.query)):
            return  # nothing was searched for, so nothing is missing from the base
        at = self._clock().replace(microsecond=0)  # as the file keeps it, so a reload agrees
        answered = bool(outcome.results)
        hashed = None if asker is None else self._hashed(asker)
        if not answered:
            self._misses.append((at, key, outcome.query, hashed))
        if self.path is None:
            return
        entry = {
            "at": at.isoformat(timespec="seconds"),
            "query": outcome.query,
            "answered": answered,
            "results": [h.fact.key for h in outcome.results[:3]],
            "suggestions": [h.fact.key for h in outcome.suggestions[:3]],
        }
        if hashed is not None:
            entry["asker"] = hashed
        # A lone surrogate (possible in JSON, not in UTF-8) must not break the lookup either.
        line = json.dumps(entry, ensure_ascii=False).encode("utf-8", "backslashreplace")
        try:
            # Not fsynced: a search must not wait on the disk, and a lost line is one lost count.
            LineLog(self.path).append([line], sync=False)
        except OSError as error:
            log.warning("Could not append to the query log %s: %s", self.path, error)

    def record_unmatched(self, outcomes: Iterable[SearchOutcome], asker: int | str | None = None) -> None:
        """Note the claims Check facts found "Not in the base" as questions nobody could answer.

        Only those: a claim the base answers, or several facts fit, is no gap; a
        claim the message repeats is searched, and so counted, once. Never raises.
        """
        for outcome in outcomes:
            if outcome.verdict == "none":
                self.record(outcome.query, outcome, asker=asker)

    def ranked(self, limit: int = 10, since_days: int = 30) -> list[Gap]:
        """The unanswered queries most worth researching: most people first, then most asked, then latest."""
        since = self._clock() - timedelta(days=since_days)
        counts: dict[str, list] = {}  # normalised -> [askers, times, last at, latest wording]
        for at, key, query, asker in self._misses:
            if at < since:
                continue
            seen = counts.get(key)
            if seen is None:
                counts[key] = seen = [set(), 0, at, query]
            seen[0].add(asker)  # None, the unknown askers, counts once
            seen[1] += 1
            if at >= seen[2]:
                seen[2], seen[3] = at, query
        ranked = sorted(counts.values(), key=lambda s: (-len(s[0]), -s[1], -s[2].timestamp(), s[3]))
        return [
            Gap(query, len(askers), times, at.isoformat(timespec="seconds"))
            for askers, times, at, query in ranked[:limit]
        ]
