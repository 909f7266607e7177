"""How a change reaches the disk: one at a time, the history synced before the file is replaced, then memory.

1. A write waits for the store's ``asyncio.Lock``, so writes happen one at a
   time, in order, and each one sees the previous one's result.
2. In a worker thread it runs the store's *plan* (validate against the current
   state, check versions), then fills a temp file with the new fact file and,
   in the same pass, appends each changed fact's history line
   (:mod:`knowledge.store.history`); the history is fsynced before the temp file
   is renamed into place (:mod:`knowledge.store.disk.storage`), so a fact file never
   holds a change its history lacks. Only the changed records are encoded, each
   once: its history line is made around the same text. The others are copied
   from the current file as bytes (:mod:`knowledge.store.disk.layout`), so the
   event loop never waits on a write for long.
3. Only when the file is durable does the event loop apply the change to
   memory (the store's ``on_saved``). If the disk refused, the caller gets
   :class:`WriteFailed` and memory is as it was. A caller that is cancelled
   meanwhile does not cancel the write: it finishes and is applied, so memory
   always matches the file.

This module also keeps the file's record ids (TinyDB's doc ids), which only the
file needs.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from knowledge.errors import WriteFailed
from knowledge.model import Fact, HistoryEntry
from knowledge.store.disk.atomic import describe_os_error
from knowledge.store.disk.journal import Appender
from knowledge.store.disk.layout import LayoutMismatch
from knowledge.store.disk.stamp import write_stamp
from knowledge.store.history import Stamp
from knowledge.store.loading import TABLE, Opened, encode

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Change:
    """One write: the new versions of facts, each after the version it replaces (None for a
    new fact), all with the same ``stamp``; or a ``note``, which changes the history only.

    No history entry is made for a fact: its line is made as its record is encoded for the
    file, around that text (:meth:`Stamp.line`), so an import of 100,000 facts encodes each
    once and never holds them encoded.
    """

    pairs: Sequence[tuple[Fact | None, Fact]] = ()
    stamp: Stamp | None = None
    note: HistoryEntry | None = None

    @property
    def facts(self) -> Iterator[Fact]:
        return (fact for _, fact in self.pairs)


# A write's plan runs on the worker thread under the lock: it validates against
# the current state and returns the caller's result and the change to persist
# (None when there is nothing to write).
Plan = Callable[[], tuple[T, Change | None]]


def _retrieve(task: asyncio.Task[Any]) -> None:
    # A write whose caller was cancelled still finishes; taking its error here keeps
    # asyncio from reporting it as never retrieved.
    if not task.cancelled() and (error := task.exception()) is not None:
        log.debug("a write whose caller had gone failed: %s", error)


class Writer:
    """The one writer of a database file: see the module docstring."""

    def __init__(self, opened: Opened, *, on_saved: Callable[[Change], Awaitable[None]]) -> None:
        self.path = opened.path
        self._storage = opened.storage
        self._lock_file = opened.lock
        self._history = opened.history
        self._facts = opened.facts  # the store's, read to write the file whole
        self.doc_ids = opened.doc_ids
        self._next_id = max(self.doc_ids.values(), default=0) + 1
        self._on_saved = on_saved
        # The file's, as of the last change applied to memory (the storage's moves on at the rename).
        self.fingerprint = opened.storage.fingerprint or ""
        self._write_lock = asyncio.Lock()
        # Held by the worker thread while it writes, and by close(): the writer lock is
        # never released mid-write, and no write starts once it is released.
        self._persisting = threading.Lock()
        self._closed = False

    def close(self, before_release: Callable[[], None] | None = None) -> None:
        """Release the writer lock once the write in progress is on disk; refuse later writes.

        ``before_release`` runs just before, while this process still holds the lock.
        """
        with self._persisting:
            if self._closed:
                return
            self._closed = True
            try:
                if before_release is not None:
                    before_release()
            finally:
                self._lock_file.release()

    async def write(self, plan: Plan[T]) -> T:
        if self._closed:
            raise self._closed_error()
        task = asyncio.ensure_future(self._serialised(plan))
        task.add_done_callback(_retrieve)
        return await asyncio.shield(task)

    async def _serialised(self, plan: Plan[T]) -> T:
        async with self._write_lock:
            result, change, new_ids = await asyncio.to_thread(self._plan_and_persist, plan)
            if change is not None:
                self.doc_ids.update(new_ids)
                self._next_id += len(new_ids)
                written = self._storage.fingerprint or ""
                await self._on_saved(change)
                self.fingerprint = written
            return result

    def _closed_error(self) -> RuntimeError:
        return RuntimeError(f"the fact store {self.path} is closed")

    def _plan_and_persist(self, plan: Plan[T]) -> tuple[T, Change | None, dict[str, int]]:
        """On the worker thread: validate, then the file and the history in one pass (the history synced
        before the rename). Memory is not touched."""
        with self._persisting:
            if self._closed:  # closed while this write waited its turn
                raise self._closed_error()
            result, change = plan()
            if change is None:
                return result, None, {}
            fresh = [fact.key for fact in change.facts if fact.key not in self.doc_ids]
            new_ids = {key: self._next_id + i for i, key in enumerate(fresh)}
            try:
                if change.note is not None:  # a note changes the history only
                    self._history.append([change.note])
                if change.pairs:
                    self._write_file(change, new_ids)
            except OSError as error:
                raise WriteFailed(str(self.path), describe_os_error(error)) from error
            if change.pairs:  # every record in the file was validated: the next open need not
                write_stamp(self.path, self._storage.fingerprint)
            return result, change, new_ids

    def _write_file(self, change: Change, new_ids: dict[str, int]) -> None:
        """Fill the new file and append the history in one pass, sync the history, then rename the
        file into place: patch the changed records in if the layout is known, else write it whole.

        Each changed fact is encoded once, for its record; its history line is made around that
        text. Records already in the file are encoded before the fill (a patch places them by
        position), new ones as they are written: an import of 100,000 facts is never held
        encoded whole. History lines go in the change's order. A fill that fails leaves no line.
        """
        stamp = change.stamp
        assert stamp is not None, "a change of facts has a stamp"
        changed = {fact.key: fact for fact in change.facts}
        if len(changed) != len(change.pairs):  # one record per key: a programming error, before any disk step
            raise ValueError("a change names the same fact twice")
        positions: dict[str, int] = {}  # of the changed records already in the file
        if wanted := len(changed) - len(new_ids):
            for position, key in enumerate(self.doc_ids):
                if key in changed:
                    positions[key] = position
                    if len(positions) == wanted:
                        break
        replaced = {positions[key]: (str(self.doc_ids[key]), encode(changed[key])) for key in positions}

        def appended(lines: Appender) -> Iterator[tuple[str, str]]:
            """The new records; on the way, every changed fact's history line, in the change's order."""
            for before, fact in change.pairs:
                doc_id = new_ids.get(fact.key)
                text = replaced[positions[fact.key]][1] if doc_id is None else encode(fact)
                lines.add(stamp.line(fact, text, None if before is None else encode(before)))
                if doc_id is not None:
                    yield str(doc_id), text

        if self._storage.layout is not None:
            try:
                with self._history.appending() as lines:
                    self._storage.patch_table(TABLE, replaced, appended(lines), before_replace=lines.sync)
                return
            except LayoutMismatch as error:  # its history lines were cut off with it
                log.warning("writing %s whole: %s", self.path, error)
        with self._history.appending() as lines:
            records = self._records(replaced, appended(lines))
            self._storage.write_tables({TABLE: records}, before_replace=lines.sync)

    def _records(
        self, replaced: dict[int, tuple[str, str]], appended: Iterator[tuple[str, str]]
    ) -> Iterator[tuple[str, str]]:
        for position, (key, doc_id) in enumerate(self.doc_ids.items()):
            yield replaced.get(position) or (str(doc_id), encode(self._facts[key]))
        yield from appended
