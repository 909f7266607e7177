"""Where history is written: ``<db>.history.jsonl``, the append-only change log.

One JSON object per line, appended and fsynced by the writer before the fact
file is replaced (see :mod:`knowledge.writes`), never rewritten. Reads never
write.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from knowledge.atomic import fsync_folder
from knowledge.model import Fact, HistoryEntry

log = logging.getLogger(__name__)

# Entries joined per write() call, so the writer thread gives the GIL back often.
_BATCH = 256


# The history log: lines written here always start with the key, so the index
# can be built without parsing every line.
_KEY_PREFIX = re.compile(rb'^\{"key": "([a-z0-9-]+)"')


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


def entry_from_json(line: bytes) -> HistoryEntry | None:
    try:
        data = json.loads(line)
        return HistoryEntry(**data)
    except (ValueError, TypeError):
        return None


class HistoryLog:
    """The append-only change log, ``<db>.history.jsonl``.

    Crash ordering: a write appends and fsyncs its entries *before* it replaces
    the fact file, so every acknowledged change has its entry. A crash (or a
    refused write) in between leaves entries for a change that never happened;
    they are kept — the log is never rewritten — and the store hides them: an
    entry counts only if the fact's stored version has reached the entry's
    version, and when the same key and version appear twice (the retry after a
    failed write) the later one wins. A line cut short by a crash is skipped,
    and the next append starts on a fresh line so it cannot run into it.

    Appends run on the writer thread; reads (and the key -> line offsets index
    they build) run on the event loop. Reads never write.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offsets: dict[str, list[int]] = {}
        self._indexed_to = 0
        self._torn = self._ends_mid_line()

    def _ends_mid_line(self) -> bool:
        try:
            with self.path.open("rb") as handle:
                handle.seek(0, os.SEEK_END)
                if handle.tell() == 0:
                    return False
                handle.seek(-1, os.SEEK_END)
                return handle.read(1) != b"\n"
        except FileNotFoundError:
            return False

    def append(self, entries: Sequence[HistoryEntry]) -> None:
        """Append and fsync; raises ``OSError`` if the disk refuses."""
        if not entries:
            return
        created = not self.path.exists()
        torn, self._torn = self._torn, True  # until this append is known to be complete
        with self.path.open("ab") as out:
            if torn:
                out.write(b"\n")
            for start in range(0, len(entries), _BATCH):
                batch = entries[start : start + _BATCH]
                out.write("".join(entry_to_json(e) + "\n" for e in batch).encode())
            out.flush()
            os.fsync(out.fileno())
        self._torn = False
        if created:
            fsync_folder(self.path.parent)

    def read(self, key: str | None = None) -> list[HistoryEntry]:
        """Entries as written, oldest first, for one key or all; unreadable lines skipped."""
        self._catch_up()
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return []
        with handle:
            if key is None:
                lines: Iterable[bytes] = (line for line in handle if line.endswith(b"\n"))
            else:
                lines = (self._line_at(handle, offset) for offset in self._offsets.get(key, []))
            entries = []
            for line in lines:
                if not line.strip():
                    continue  # the fresh start after a cut-short line
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
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return
        with handle:
            handle.seek(self._indexed_to)
            position = self._indexed_to
            for line in handle:
                if not line.endswith(b"\n"):
                    break  # being appended right now, or cut short by a crash
                if match := _KEY_PREFIX.match(line):
                    self._offsets.setdefault(match.group(1).decode(), []).append(position)
                elif (entry := entry_from_json(line)) is not None:
                    self._offsets.setdefault(entry.key, []).append(position)
                position += len(line)
            self._indexed_to = position


def saved_entries(entries: Iterable[HistoryEntry], facts: Mapping[str, Fact]) -> list[HistoryEntry]:
    """The entries of ``entries`` whose change reached the fact file, oldest first.

    An entry counts only if its fact's stored version has reached the entry's
    version; when the same key and version appear twice (the retry after a
    refused write) the later one wins.
    """
    entries = list(entries)
    last: dict[tuple[str, int | None], int] = {}
    for i, entry in enumerate(entries):
        last[(entry.key, entry.version)] = i
    saved = []
    for i, entry in enumerate(entries):
        fact = facts.get(entry.key)
        if fact is None or last[(entry.key, entry.version)] != i:
            continue
        if entry.version is None or entry.version <= fact.version:
            saved.append(entry)
    return saved
