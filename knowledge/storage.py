"""Files under the fact store: the crash-safe TinyDB storage, the writer lock, the history log.

Every name here sits beside the database ``<db>`` (default ``data/facts.json``):

- ``<db>`` — the TinyDB document, one record per line, replaced whole by
  :class:`AtomicJSONStorage` on every write: the new content goes to
  ``.<name>.<random>.tmp`` in the same folder, is fsynced, replaces ``<db>``
  with ``os.replace`` and the folder is fsynced. A crash leaves either the old
  file or the new one, never a mix; a leftover temp file is removed the next
  time the store opens. The new content is either encoded whole or, once the
  storage knows where each record's line sits, copied from the current file
  with only the changed lines replaced.
- ``<db>.backups/`` — the last :data:`BACKUPS_KEPT` good versions. Just before a
  write replaces ``<db>``, the file being replaced is hard-linked there (copied
  if the file system has no hard links), so a backup costs no copying and is
  never the inode a later in-place edit of ``<db>`` could damage. Only files the
  store loaded and validated, or wrote itself, become backups: if ``<db>`` was
  changed by another program since, the write is refused instead.
- ``<db>.lock`` — held with ``flock`` by the one writer process, and says who
  it is (pid and host) so a second process can name it.
- ``<db>.history.jsonl`` — the append-only history, one JSON object per line,
  fsynced per append. See :class:`HistoryLog`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import socket
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from knowledge.errors import CorruptDatabase, KnowledgeError, StoreLocked
from knowledge.model import HistoryEntry, now_iso

log = logging.getLogger(__name__)

BACKUPS_KEPT = 5
TEMP_SUFFIX = ".tmp"
_TEMP_TOKEN = 6  # random bytes in a temp file's name
# Records joined per write() call: big enough to keep syscalls few, small enough
# that the thread serialising them gives the GIL back to the event loop often.
_BATCH = 256


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` survive a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def describe_os_error(error: OSError) -> str:
    """A reason a newsroom person can act on, with the system's own words after it."""
    plain = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the disk is read-only",
    }.get(error.errno or 0)
    detail = error.strerror or str(error)
    return f"{plain}: {detail}" if plain else detail


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


# The layout written here: one record per line, so a JSON error's line number
# points at the record, and a later write can copy unchanged records as bytes.
_SEPARATOR = b",\n"
_FOOTER = b"\n}}\n"
_COPY_CHUNK = 1 << 20


def _header(table: str) -> bytes:
    return b"{" + json.dumps(table).encode() + b": {\n"


def record_line(doc_id: str, text: str) -> bytes:
    """One record as it appears on its line: ``"<doc id>": <record JSON>``."""
    return f"{json.dumps(str(doc_id))}: {text}".encode()


def encode_document(table: str, records: Iterable[tuple[str, str]]) -> bytes:
    """A whole one-table document, laid out as the database file is: one record per line."""
    return _header(table) + _SEPARATOR.join(record_line(i, text) for i, text in records) + _FOOTER


def _document_size(table: str, lengths: Sequence[int]) -> int:
    return len(_header(table)) + sum(lengths) + len(_SEPARATOR) * max(0, len(lengths) - 1) + len(_FOOTER)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


# copy_file_range is Linux-only, and some file systems refuse it; then copy through memory.
_NO_COPY_RANGE = frozenset({errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP})


def _copy(source: int, target: int, offset: int, count: int) -> None:
    """Append ``count`` bytes of ``source`` from ``offset`` to ``target``, in the kernel where it can."""
    while count > 0:
        try:
            done = os.copy_file_range(source, target, count, offset)
        except (AttributeError, OSError) as error:
            if isinstance(error, OSError) and error.errno not in _NO_COPY_RANGE:
                raise
            done = len(chunk := os.pread(source, min(count, _COPY_CHUNK), offset))
            _write_all(target, chunk)
        if done == 0:
            raise OSError(errno.EIO, f"the database file ended {count} bytes early while it was copied")
        offset += done
        count -= done


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each record of the one table sits in the file this storage last wrote."""

    table: str
    lengths: array[int]  # bytes of each record's line, in file order


class LayoutMismatch(Exception):
    """The file is not laid out as recorded; write it whole instead."""


class RepeatedName(Exception):
    """A JSON object names the same field or record id twice."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{json.dumps(name)} appears twice in one JSON object, and a JSON reader silently keeps "
            "only the last of the two (a record pasted in under an id already taken?)"
        )


def unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for ``json.loads``: refuse what a plain load would silently drop."""
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise RepeatedName(name)
            seen.add(name)
    return document


class AtomicJSONStorage(Storage):
    """A TinyDB storage whose file is replaced atomically and never written by a read.

    ``TinyDB(path, storage=AtomicJSONStorage)`` works as with TinyDB's own
    ``JSONStorage`` (same document format), except that a missing file reads as
    empty without being created, and a file that does not parse raises
    :class:`CorruptDatabase` naming the newest backup. Writers must hold the
    writer lock (:class:`WriterLock`); the fact store does.
    """

    def __init__(self, path: str | Path, *, backups_kept: int = BACKUPS_KEPT) -> None:
        super().__init__()
        self.path = Path(path)
        self.backup_dir = self.path.with_name(self.path.name + ".backups")
        self.backups_kept = backups_kept
        # (inode, size, mtime) of the file as last read or written here: anything
        # else found at write time was written by another program.
        self._known: tuple[int, int, int] | None = None
        self.layout: Layout | None = None

    # --- reading ---

    def read(self) -> dict[str, Any] | None:
        try:
            with self.path.open("rb") as handle:
                st = os.fstat(handle.fileno())
                raw = handle.read()
        except FileNotFoundError:
            return None
        document = self.parse(raw)
        self._known = _identity(st)
        return document

    def parse(self, raw: bytes) -> dict[str, Any]:
        """The document in ``raw`` or :class:`CorruptDatabase` saying what is wrong with it."""
        if not raw.strip():
            raise self.corrupt("the file is empty")
        try:
            document = json.loads(raw, object_pairs_hook=unique_names)
        except RepeatedName as error:
            raise self.corrupt(str(error)) from None
        except UnicodeDecodeError as error:
            raise self.corrupt(f"it is not UTF-8 text (byte {error.start})") from None
        except json.JSONDecodeError as error:
            # A string still open at the end is reported where it starts, not at the end.
            ended = error.pos >= len(raw.rstrip()) or error.msg.startswith("Unterminated string")
            cut = " — the file ends too early, as if cut short" if ended else ""
            where = f"line {error.lineno}, column {error.colno}"
            raise self.corrupt(f"it is not valid JSON ({error.msg} at {where}{cut})") from None
        if not isinstance(document, dict):
            raise self.corrupt("it is not a TinyDB document (a JSON object holding a `facts` table)")
        return document

    def corrupt(self, problem: str) -> CorruptDatabase:
        """The error for this file, naming the newest backup (backups are good by construction)."""
        newest = self.newest_backup()
        return CorruptDatabase(str(self.path), problem, str(newest) if newest else None)

    # --- writing ---

    def write(self, data: Mapping[str, Mapping[str, Any]]) -> None:
        """TinyDB's interface: serialise record by record, then write atomically."""
        self.write_tables(
            {
                name: ((str(doc_id), json.dumps(doc)) for doc_id, doc in table.items())
                for name, table in data.items()
            }
        )

    def write_tables(self, tables: Mapping[str, Iterable[tuple[str, str]]]) -> None:
        """Replace the file with these tables of (doc id, record as JSON text), written whole.

        Records are encoded and written a batch at a time, so the thread doing
        it keeps giving the GIL back to the event loop. Raises ``OSError`` if
        the disk refuses; the previous file is then intact and no temp file is
        left behind.
        """

        def fill(fd: int) -> Layout | None:
            lengths: array[int] = array("Q")
            batch: list[bytes] = [b"{"]
            for t, (name, records) in enumerate(tables.items()):
                batch.append((b", " if t else b"") + _header(name)[1:])
                lengths = array("Q")
                for doc_id, text in records:
                    line = record_line(doc_id, text)
                    if lengths:
                        batch.append(_SEPARATOR)
                    batch.append(line)
                    lengths.append(len(line))
                    if len(batch) >= _BATCH:
                        _write_all(fd, b"".join(batch))
                        batch.clear()
                batch.append(b"\n}")
            batch.append(b"}\n")
            _write_all(fd, b"".join(batch))
            # Only a one-table file (the fact store's) gets a layout to patch later.
            return Layout(next(iter(tables)), lengths) if len(tables) == 1 else None

        self._replace(fill)

    def patch_table(
        self, table: str, replaced: Mapping[int, tuple[str, str]], appended: Sequence[tuple[str, str]]
    ) -> None:
        """Rewrite the file changing only some records: unchanged ones are copied as bytes.

        ``replaced`` maps a record's position in the file to its (doc id, JSON
        text); ``appended`` records go at the end. Needs the layout of a file
        this storage wrote (:attr:`layout`); raises :class:`LayoutMismatch` if
        the file does not match it, ``OSError`` if the disk refuses. Atomic
        like :meth:`write_tables`.
        """
        layout = self.layout
        if layout is None or layout.table != table:
            raise LayoutMismatch(f"no recorded layout for the `{table}` table")
        with self.path.open("rb") as current:
            source = current.fileno()
            if _identity(os.fstat(source)) != self._known:
                raise ExternalChange(self.path)
            if os.fstat(source).st_size != _document_size(table, layout.lengths):
                raise LayoutMismatch(f"{self.path} is not the size its recorded layout gives")

            def fill(fd: int) -> Layout:
                old = layout.lengths
                lengths = array("Q", old)
                header = _header(table)
                _write_all(fd, header)
                offset, done = len(header), 0  # where record `done` starts in the current file
                for position in sorted(replaced):
                    span = sum(old[done:position]) + len(_SEPARATOR) * (position - done)
                    _copy(source, fd, offset, span)
                    line = record_line(*replaced[position])
                    _write_all(fd, line + _SEPARATOR if position < len(old) - 1 else line)
                    lengths[position] = len(line)
                    offset += span + old[position] + len(_SEPARATOR)
                    done = position + 1
                if done < len(old):
                    _copy(source, fd, offset, sum(old[done:]) + len(_SEPARATOR) * (len(old) - 1 - done))
                for doc_id, text in appended:
                    line = record_line(doc_id, text)
                    _write_all(fd, _SEPARATOR + line if lengths else line)
                    lengths.append(len(line))
                _write_all(fd, _FOOTER)
                if os.fstat(fd).st_size != _document_size(table, lengths):
                    raise LayoutMismatch(f"the rewritten {self.path} is not the size its layout gives")
                return Layout(table, lengths)

            self._replace(fill)

    def _replace(self, fill: Callable[[int], Layout | None]) -> None:
        """Fill a temp file, sync it, keep a backup of the current file, and rename it over."""
        folder = self.path.parent
        tmp = folder / f"{temp_prefix(self.path)}{secrets.token_hex(_TEMP_TOKEN)}{TEMP_SUFFIX}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                layout = fill(fd)
                os.fsync(fd)
                known = _identity(os.fstat(fd))  # a rename keeps inode, size and mtime
            finally:
                os.close(fd)
            self._keep_backup()
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        # From the rename on, every reader sees the new file, so the write stands: failing
        # it now would leave the caller's memory behind the file.
        self.layout = layout
        self._known = known
        try:
            fsync_folder(folder)
        except OSError as error:
            log.warning(
                "%s was replaced but its folder could not be synced (%s); a power cut now could undo it",
                self.path,
                describe_os_error(error),
            )
        self._prune_backups()

    def remove_stale_temp_files(self) -> list[Path]:
        """Delete temp files a crashed writer left; call only while holding the writer lock."""
        # Exactly our names: `.facts.json.staging.json.<hex>.tmp` belongs to another database.
        ours = re.compile(
            re.escape(temp_prefix(self.path)) + f"[0-9a-f]{{{2 * _TEMP_TOKEN}}}" + re.escape(TEMP_SUFFIX)
        )
        removed = []
        for stale in self.path.parent.glob(f"{temp_prefix(self.path)}*{TEMP_SUFFIX}"):
            if not ours.fullmatch(stale.name):
                continue
            stale.unlink(missing_ok=True)
            removed.append(stale)
        if removed:
            log.info("removed %d temp file(s) left by an interrupted write: %s", len(removed), removed)
        return removed

    # --- backups ---

    def backups(self) -> list[Path]:
        """Backups, newest first."""
        if not self.backup_dir.is_dir():
            return []
        pattern = f"{self.path.stem}.*Z{self.path.suffix}"
        return sorted(self.backup_dir.glob(pattern), reverse=True)

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
        self.backup_dir.mkdir(exist_ok=True)
        stamp = datetime.now(UTC)
        while True:
            target = self.backup_dir / f"{self.path.stem}.{stamp:%Y%m%dT%H%M%S%f}Z{self.path.suffix}"
            try:
                os.link(self.path, target)
            except FileExistsError:
                stamp = stamp.replace(microsecond=(stamp.microsecond + 1) % 1_000_000)
                continue
            except OSError as error:
                if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                    raise
                shutil.copyfile(self.path, target)
            return

    def _prune_backups(self) -> None:
        for old in self.backups()[self.backups_kept :]:
            try:
                old.unlink()
            except OSError as error:
                # The write itself succeeded; an extra old backup only costs disk space.
                log.warning("could not remove old backup %s: %s", old, error)


class ExternalChange(OSError):
    """The database file is not the one this process loaded or last wrote."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            errno.EBUSY,
            f"{path} was changed by another program after it was loaded; it was kept as it is. "
            "Restart the bot to load that version",
        )


class WriterLock:
    """The one-writer rule across processes: an exclusive ``flock`` on ``<db>.lock``.

    The kernel drops the lock when the holder exits, even on ``kill -9``, so a
    crash never leaves the database locked; the pid and host written into the
    file only serve to name the holder.
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, db: Path) -> WriterLock:
        path = db.with_name(db.name + ".lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise KnowledgeError(
                f"Cannot open the fact database {db}: its lock file {path} cannot be created "
                f"({describe_os_error(error)})."
            ) from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 500, 0).decode(errors="replace").strip() or "a process that is starting"
            os.close(fd)
            raise StoreLocked(str(db), holder) from None
        except OSError as error:
            os.close(fd)
            raise KnowledgeError(
                f"Cannot open the fact database {db}: its lock file {path} cannot be locked "
                f"({describe_os_error(error)}); keep the database on a local disk, or on one "
                "whose network file system supports locks."
            ) from error
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}, since {now_iso()}\n".encode(), 0)
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


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
