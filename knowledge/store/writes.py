"""How a change reaches the disk: one at a time, history first, then the fact file, then memory.

1. A write waits for the store's ``asyncio.Lock``, so writes happen one at a
   time, in order, and each one sees the previous one's result.
2. In a worker thread it runs the store's *plan* (validate against the current
   state, check versions), appends the history entries and fsyncs them
   (:mod:`knowledge.store.history`), then replaces the fact file atomically
   (:mod:`knowledge.store.disk.storage`). Only the changed records are encoded; the others
   are copied from the current file as bytes (:mod:`knowledge.store.disk.layout`), so the
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
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from knowledge.errors import WriteFailed
from knowledge.model import Fact, HistoryEntry
from knowledge.store.disk.atomic import describe_os_error
from knowledge.store.disk.layout import LayoutMismatch
from knowledge.store.disk.stamp import write_stamp
from knowledge.store.loading import TABLE, Opened, encode

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Change:
    """One write: the new versions of the facts it touches (none for a note) and their history.

    ``entries`` is read once, by the history append: an import of 100,000 facts passes
    a generator, so each entry's before/after records are made, encoded and dropped
    one at a time instead of all held at once.
    """

    facts: tuple[Fact, ...]
    entries: Iterable[HistoryEntry]


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
        """On the worker thread: validate, then history, then the file. Memory is not touched."""
        with self._persisting:
            if self._closed:  # closed while this write waited its turn
                raise self._closed_error()
            result, change = plan()
            if change is None:
                return result, None, {}
            changed = {fact.key: fact for fact in change.facts}
            fresh = [key for key in changed if key not in self.doc_ids]
            new_ids = {key: self._next_id + i for i, key in enumerate(fresh)}
            try:
                self._history.append(change.entries)
                if change.facts:  # a note changes the history only
                    self._write_file(changed, new_ids)
            except OSError as error:
                raise WriteFailed(str(self.path), describe_os_error(error)) from error
            if change.facts:  # every record in the file was validated: the next open need not
                write_stamp(self.path, self._storage.fingerprint)
            return result, change, new_ids

    def _write_file(self, changed: dict[str, Fact], new_ids: dict[str, int]) -> None:
        """Patch the changed records into the file if its layout is known, else write it whole.
        New records are encoded as they are written: an import of 100,000 facts is never held
        encoded whole."""

        def appended() -> Iterator[tuple[str, str]]:
            return ((str(doc_id), encode(changed[key])) for key, doc_id in new_ids.items())

        if self._storage.layout is not None:
            replaced = {}
            wanted = len(changed) - len(new_ids)
            for position, (key, doc_id) in enumerate(self.doc_ids.items()):
                if len(replaced) == wanted:
                    break
                if key in changed:
                    replaced[position] = (str(doc_id), encode(changed[key]))
            try:
                self._storage.patch_table(TABLE, replaced, appended())
                return
            except LayoutMismatch as error:
                log.warning("writing %s whole: %s", self.path, error)
        self._storage.write_tables({TABLE: self._records(changed, appended())})

    def _records(
        self, changed: dict[str, Fact], appended: Iterator[tuple[str, str]]
    ) -> Iterator[tuple[str, str]]:
        for key, doc_id in self.doc_ids.items():
            yield str(doc_id), encode(changed.get(key) or self._facts[key])
        yield from appended
