"""Where history is written: ``<db>.history.jsonl``, the append-only change log.

One JSON object per line, appended and fsynced by the writer before the fact
file is replaced (see :mod:`knowledge.store.writes`), never rewritten; the append
itself is :class:`knowledge.store.disk.journal.LineLog`'s, the rule every log beside the
database shares. Reads never write.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.model import FACT_ACTIONS, Actor, Fact, HistoryEntry
from knowledge.store.disk.journal import Appender, LineLog

log = logging.getLogger(__name__)

# The history log: lines written here always start with the key, so the index
# can be built without parsing every line.
_KEY_PREFIX = re.compile(rb'^\{"key": "(~?[a-z0-9-]+)"')


def entry_to_json(entry: HistoryEntry) -> str:
    data: dict[str, Any] = {
        "key": entry.key,
        "action": entry.action,
        "actor": entry.actor,
        "at": entry.at,
        "reason": entry.reason,
        "before": entry.before,
        "after": entry.after,
        "version": entry.version,
    }
    if entry.extra:
        data["extra"] = entry.extra
    return json.dumps(data)


@dataclass(frozen=True, slots=True)
class Stamp:
    """What the history entries of one change share: what was done, by whom, when and why."""

    action: str
    actor: str
    at: str
    reason: str | None = None
    # Their JSON, made once per change: `"action": ..., "actor": ..., "at": ..., "reason": ...`.
    _json: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        shared = {"action": self.action, "actor": self.actor, "at": self.at, "reason": self.reason}
        object.__setattr__(self, "_json", json.dumps(shared)[1:-1])

    def line(self, fact: Fact, encoded: str, before: str | None) -> bytes:
        """The history line of the change to ``fact``, made around ``encoded``, the JSON text its
        file record holds (and ``before``, the previous version's, None for a new fact).

        The same bytes as :func:`entry_to_json` of its entry, key first: a nested object is
        encoded as it is alone, so the record's text is its ``after``, encoded once for both.
        """
        before = "null" if before is None else before
        return (
            f'{{"key": {json.dumps(fact.key)}, {self._json}, "before": {before}, '
            f'"after": {encoded}, "version": {fact.version}}}'
        ).encode()


def entry_from_json(line: bytes) -> HistoryEntry | None:
    try:
        data = json.loads(line)
        return HistoryEntry(**data)
    except (ValueError, TypeError):
        return None


_NOTE_ACTION_RE = re.compile(r"^[a-z]+(?: [a-z]+){0,3}\Z")


def note_maker(
    key: str, action: str, actor: Actor, extra: Mapping[str, Any] | None
) -> Callable[[str, str | None], HistoryEntry]:
    """Check a note's action and extra now; the returned function makes the entry at its time, with its
    reason. Raises ``ValueError`` (a programming error: callers pass constants and counts)."""
    if action in FACT_ACTIONS or not _NOTE_ACTION_RE.match(action):
        raise ValueError(f"a note's action must be a few lowercase words, not a fact change: {action!r}")
    details = dict(extra or {})
    try:
        json.dumps(details, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"a note's extra must hold plain JSON values: {error}") from None

    def make(at: str, reason: str | None) -> HistoryEntry:
        return HistoryEntry(key=key, action=action, actor=actor.label, at=at, reason=reason, extra=details)

    return make


class HistoryLog:
    """The append-only change log, ``<db>.history.jsonl``, on a
    :class:`~knowledge.store.disk.journal.LineLog`.

    Crash ordering: a write appends its entries as it fills the new fact file
    and fsyncs them *before* it renames that file into place, so every
    acknowledged change has its entry. A refused write cuts its entries off
    again; a crash before the rename (or a cut-off the disk refused too) leaves
    entries for a change that never happened; they are kept — the log is never
    rewritten — and the store hides them: an entry counts only if the fact's stored version has reached the
    entry's version, and when the same key and version appear twice (the retry
    after a failed write) the later one wins. An append the disk refuses is cut
    off again, and a line cut short by a crash is skipped (the
    :class:`~knowledge.store.disk.journal.LineLog` rules).

    Appends run on the writer thread; reads (and the key -> line offsets index
    they build) run on the event loop. Reads never write.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = LineLog(path)
        self._offsets: dict[str, list[int]] = {}
        self._indexed_to = 0
        # The index is built by readers and forgotten by a refused append (which cuts the file back).
        self._index_lock = threading.Lock()

    def append(self, entries: Iterable[HistoryEntry]) -> None:
        """Append and fsync; raises ``OSError`` if the disk refuses (and nothing of it stays)."""
        if isinstance(entries, Sequence) and not entries:
            return
        with self.appending() as lines:
            for entry in entries:
                lines.add(entry_to_json(entry).encode())

    @contextlib.contextmanager
    def appending(self) -> Iterator[Appender]:
        """Lines appended as the block makes them (:meth:`LineLog.appending`): fsynced by
        :meth:`Appender.sync` or on leaving, cut off again if the block raises."""
        try:
            with self._file.appending() as lines:
                yield lines
        except BaseException:
            with self._index_lock:  # a reader may have indexed lines that are now cut off
                self._offsets, self._indexed_to = {}, 0
            raise

    def read(self, key: str | None = None) -> list[HistoryEntry]:
        """Entries as written, oldest first, for one key or all; unreadable lines skipped."""
        if key is None:
            lines: Iterable[bytes] = (line for _, line in self._file.lines())
            return self._entries(lines, None)
        with self._index_lock:
            self._catch_up()
            offsets = list(self._offsets.get(key, []))
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return []
        with handle:
            return self._entries((self._line_at(handle, offset) for offset in offsets), key)

    def _entries(self, lines: Iterable[bytes], key: str | None) -> list[HistoryEntry]:
        entries = []
        for line in lines:
            entry = entry_from_json(line)
            if entry is None:
                log.warning("skipped an unreadable line in %s: %.80r", self.path, line)
            elif key is None or entry.key == key:
                entries.append(entry)
        return entries

    @staticmethod
    def _line_at(handle: Any, offset: int) -> bytes:
        handle.seek(offset)
        return handle.readline()

    def _catch_up(self) -> None:
        """Index the complete lines appended since the last read."""
        for offset, line in self._file.lines(self._indexed_to):
            if match := _KEY_PREFIX.match(line):
                self._offsets.setdefault(match.group(1).decode(), []).append(offset)
            elif (entry := entry_from_json(line)) is not None:
                self._offsets.setdefault(entry.key, []).append(offset)
            self._indexed_to = offset + len(line)


def saved_entries(entries: Iterable[HistoryEntry], facts: Mapping[str, Fact]) -> list[HistoryEntry]:
    """The entries of ``entries`` whose change reached the fact file, and every note, oldest first.

    A change counts only if its fact's stored version has reached the entry's
    version; when the same key and version appear twice (the retry after a
    refused write) the later one wins. A note (:attr:`HistoryEntry.is_note`)
    changes no file but the history, so it counts once it is written.
    """
    entries = list(entries)
    last: dict[tuple[str, int | None], int] = {}
    for i, entry in enumerate(entries):
        if not entry.is_note:
            last[(entry.key, entry.version)] = i
    saved = []
    for i, entry in enumerate(entries):
        if entry.is_note:
            saved.append(entry)
            continue
        fact = facts.get(entry.key)
        if fact is None or last[(entry.key, entry.version)] != i:
            continue
        if entry.version is None or entry.version <= fact.version:
            saved.append(entry)
    return saved
