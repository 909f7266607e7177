"""The TinyDB storage under the fact store: read a database file, or replace it atomically.

Files beside the database ``<db>`` (default ``data/facts.json``), each with the
module that owns it:

- ``<db>``: the TinyDB document, one record per line (:mod:`knowledge.store.disk.layout`),
  replaced whole on every write by :func:`knowledge.store.disk.atomic.replace_file`;
- ``<db>.backups/``: the last good versions (:mod:`knowledge.store.disk.backups`);
- ``<db>.lock``: the one writer process (:mod:`knowledge.store.disk.lock`);
- ``<db>.history.jsonl``: the append-only history (:mod:`knowledge.store.history`);
- ``<db>.stamp``: the fingerprint of the file the store last wrote or validated
  (:mod:`knowledge.store.disk.stamp`).

:class:`AtomicJSONStorage` keeps TinyDB's ``Storage`` contract (``read`` and
``write`` of the whole document; ``TinyDB(path, storage=AtomicJSONStorage)``
works on it). The fact store does not use TinyDB's ``Table`` on top: every
``Table`` insert or update calls ``storage.read()`` and then ``storage.write()``
of the whole document, i.e. parses and re-encodes all 96 MB at 100,000 facts
for each change, and keeps documents as dicts the store would validate again.
The store keeps validated facts in memory instead and writes only the changed
records through :meth:`AtomicJSONStorage.patch_table`.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from knowledge.errors import CorruptDatabase
from knowledge.store.disk.atomic import remove_stale_temp_files, replace_file
from knowledge.store.disk.backups import BACKUPS_KEPT, Backups
from knowledge.store.disk.factfile import Unreadable, decode_json
from knowledge.store.disk.layout import Layout, LayoutMismatch, fill_patched, fill_whole

# Something run at a point of a write (see AtomicJSONStorage.write_tables).
Step = Callable[[], None]

__all__ = ["BACKUPS_KEPT", "AtomicJSONStorage", "ExternalChange", "Layout", "LayoutMismatch"]


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class ExternalChange(OSError):
    """The database file is not the one this process loaded or last wrote."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            errno.EBUSY,
            f"{path} was changed by another program after it was loaded; it was kept as it is. "
            "Restart the bot to load that version",
        )


class AtomicJSONStorage(Storage):
    """A TinyDB storage whose file is replaced atomically and never written by a read.

    Works as TinyDB's own ``JSONStorage`` (same document format), except that a
    missing file reads as empty without being created, and a file that does not
    parse raises :class:`CorruptDatabase` naming the newest backup. Writers must
    hold the writer lock (:class:`knowledge.store.disk.lock.WriterLock`); the fact store does.
    """

    def __init__(self, path: str | Path, *, backups_kept: int = BACKUPS_KEPT) -> None:
        super().__init__()
        self.path = Path(path)
        self._backups = Backups(self.path, kept=backups_kept)
        self.backup_dir = self._backups.folder
        # (inode, size, mtime) of the file as last read or written here: anything
        # else found at write time was written by another program.
        self._known: tuple[int, int, int] | None = None
        self.layout: Layout | None = None
        # The fingerprint of the file as last loaded or written here (see knowledge.store.disk.layout).
        self.fingerprint: str | None = None

    # --- reading ---

    def read(self) -> dict[str, Any] | None:
        raw = self.read_bytes()
        return None if raw is None else self.parse(raw)

    def read_bytes(self) -> bytes | None:
        """The file's bytes (None if there is no file), remembered as the version this storage loaded."""
        try:
            with self.path.open("rb") as handle:
                st = os.fstat(handle.fileno())
                raw = handle.read()
        except FileNotFoundError:
            return None
        self._known = _identity(st)
        return raw

    def remember(self, layout: Layout | None, fingerprint: str) -> None:
        """What the loader found in the file :meth:`read_bytes` returned: its layout (so the
        next write can patch it) and its fingerprint."""
        self.layout = layout
        self.fingerprint = fingerprint

    def parse(self, raw: bytes) -> dict[str, Any]:
        """The document in ``raw`` or :class:`CorruptDatabase` saying what is wrong with it."""
        try:
            document = decode_json(raw)
        except Unreadable as error:
            raise self.corrupt(f"the file {error.problem}") from None
        if not isinstance(document, dict):
            raise self.corrupt("it is not a TinyDB document (a JSON object holding a `facts` table)")
        return document

    def corrupt(self, problem: str) -> CorruptDatabase:
        """The error for this file, naming the newest backup (backups are good by construction)."""
        newest = self.newest_backup()
        return CorruptDatabase(str(self.path), problem, str(newest) if newest else None)

    # --- writing: all three end in _replace ---

    def write(self, data: Mapping[str, Mapping[str, Any]]) -> None:
        """TinyDB's interface: serialise record by record, then write atomically."""
        self.write_tables(
            {
                name: ((str(doc_id), json.dumps(doc)) for doc_id, doc in table.items())
                for name, table in data.items()
            }
        )

    def write_tables(
        self, tables: Mapping[str, Iterable[tuple[str, str]]], *, before_replace: Step | None = None
    ) -> None:
        """Replace the file with these tables of (doc id, record as JSON text), written whole.

        ``before_replace`` runs once the new file is on disk, before the rename (the
        writer syncs the history there). Raises ``OSError`` if the disk refuses; the
        previous file is then intact and no temp file is left behind.
        """
        self._replace(lambda fd: fill_whole(fd, tables), before_replace)

    def patch_table(
        self,
        table: str,
        replaced: Mapping[int, tuple[str, str]],
        appended: Iterable[tuple[str, str]],
        *,
        before_replace: Step | None = None,
    ) -> None:
        """Rewrite the file changing only some records: unchanged ones are copied as bytes.

        ``replaced`` maps a record's position in the file to its (doc id, JSON
        text); ``appended`` records go at the end. Needs the layout of a file
        this storage wrote (:attr:`layout`); raises :class:`LayoutMismatch` if
        the file does not match it, ``OSError`` if the disk refuses. Atomic,
        and ``before_replace`` as in :meth:`write_tables`.
        """
        layout = self.layout
        if layout is None or layout.table != table:
            raise LayoutMismatch(f"no recorded layout for the `{table}` table")
        with self.path.open("rb") as current:
            source = current.fileno()
            if _identity(os.fstat(source)) != self._known:
                raise ExternalChange(self.path)
            try:
                self._replace(lambda fd: fill_patched(fd, source, layout, replaced, appended), before_replace)
            except LayoutMismatch as error:
                raise LayoutMismatch(f"{self.path}: {error}") from None

    def _replace(self, fill: Callable[[int], Layout | None], before_replace: Step | None) -> None:
        """Fill a temp file, run ``before_replace``, keep a backup of the current file, rename
        the temp file over it."""

        def fill_and_know(fd: int) -> tuple[Layout | None, tuple[int, int, int]]:
            layout = fill(fd)
            # The file's identity once written (fsync and rename keep inode, size and mtime).
            return layout, _identity(os.fstat(fd))

        def prepared() -> None:
            if before_replace is not None:
                before_replace()
            self._keep_backup()

        layout, known = replace_file(self.path, fill_and_know, before_replace=prepared)
        # From the rename on, every reader sees the new file, so the write stands: failing
        # it now would leave the caller's memory behind the file.
        self.layout = layout
        self.fingerprint = layout.fingerprint if layout is not None else None
        self._known = known
        self._backups.prune()

    def remove_stale_temp_files(self) -> list[Path]:
        """Delete temp files a crashed writer left; call only while holding the writer lock."""
        return remove_stale_temp_files(self.path)

    # --- backups ---

    def backups(self) -> list[Path]:
        """Backups, newest first."""
        return self._backups.list()

    def newest_backup(self) -> Path | None:
        found = self.backups()
        return found[0] if found else None

    def _keep_backup(self) -> None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return
        if self._known is not None and _identity(st) != self._known:
            raise ExternalChange(self.path)
        self._backups.keep()
