"""Append-only line files: the one rule for durable appends, used by every log beside the fact database.

:class:`LineLog` is that rule. An append returns only once its lines are
fsynced (and, for a new file, the folder too), so an acknowledged line survives
a power cut. A crash mid-append can leave the last line cut short: reading
stops before it, and the next append starts on a fresh line so it cannot run
into it (the blank line that leaves is skipped too). An append the disk refuses
is cut off again, so a restart does not find what was never acknowledged. A
file can be rewritten whole, atomically, by :func:`knowledge.store.disk.atomic.replace_file`.

Two formats sit on it: :class:`Journal`, JSON events for the review queue and
the answer log, and :class:`knowledge.store.history.HistoryLog`, the fact history.

One process writes these files: they sit beside the fact database, whose writer
lock that process holds. Callers serialise their own appends.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from knowledge.errors import KnowledgeError, WriteFailed
from knowledge.store.disk.atomic import describe_os_error, fsync_folder, replace_file, write_all

log = logging.getLogger(__name__)

Event = dict[str, Any]

# Lines joined per write() call: few syscalls, yet the thread building them gives the GIL back often.
_BATCH = 256


class Appender:
    """The lines of one :meth:`LineLog.appending` block, written ``_BATCH`` at a time."""

    def __init__(self, fd: int, *, fresh_line: bool, sync: bool, folder: Path | None) -> None:
        self._fd = fd
        # After a line cut short, a fresh start (joined with newlines, an empty first line).
        self._batch: list[bytes] = [b""] if fresh_line else []
        self._sync = sync
        self._folder = folder  # a new file's, synced once with it
        self._synced = False

    def add(self, line: bytes) -> None:
        """Append ``line`` (without its newline)."""
        self._batch.append(line)
        self._synced = False
        if len(self._batch) >= _BATCH:
            self._write()

    def sync(self) -> None:
        """Write the lines added so far and, for a synced append, make them durable."""
        self._write()
        if self._sync and not self._synced:
            os.fsync(self._fd)
            if self._folder is not None:
                fsync_folder(self._folder)
                self._folder = None
        self._synced = True

    def _write(self) -> None:
        if self._batch:
            write_all(self._fd, b"\n".join(self._batch) + b"\n")
            self._batch.clear()


class LineLog:
    """The append-only file of lines at ``path``: see the module docstring. Errors are ``OSError``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def ends_mid_line(self) -> bool:
        """Whether the file ends in a line cut short (by a crash, or by an append going on now)."""
        try:
            with self.path.open("rb") as handle:
                return _ends_mid_line(handle.fileno())
        except FileNotFoundError:
            return False

    def lines(self, start: int = 0) -> Iterator[tuple[int, bytes]]:
        """Each complete line from byte ``start`` on, with its offset; blank lines left out.

        Stops before a line without its newline: cut short by a crash, or being
        appended right now by the writer thread.
        """
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return
        with handle:
            handle.seek(start)
            offset = start
            for line in handle:
                if not line.endswith(b"\n"):
                    return
                if line.strip():
                    yield offset, line
                offset += len(line)

    def append(self, lines: Iterable[bytes], *, sync: bool = True) -> None:
        """Append ``lines`` (each without its newline); on failure cut back and re-raise.

        With ``sync`` (the default) it returns once they are fsynced, and for a new
        file once the folder is too. Without, a power cut may lose them; only a log
        that is not worth an fsync on every line uses that (the query log).
        """
        with self.appending(sync=sync) as appender:
            for line in lines:
                appender.add(line)

    @contextlib.contextmanager
    def appending(self, *, sync: bool = True) -> Iterator[Appender]:
        """An append made line by line while the block runs: :meth:`append`'s rule, for a caller
        that makes its lines as it goes (the history, as the fact file is filled).

        Leaving the block writes the last lines and syncs as :meth:`append` does;
        :meth:`Appender.sync` does that earlier, at the point the caller chooses. If
        the block raises, even after that sync, everything it appended is cut off again.
        """
        size: int | None = None
        try:
            created = sync and not self.path.exists()
            with self.path.open("a+b") as out:
                fd = out.fileno()
                size = os.fstat(fd).st_size
                appender = Appender(
                    fd,
                    fresh_line=_ends_mid_line(fd, size),
                    sync=sync,
                    folder=self.path.parent if created else None,
                )
                yield appender
                appender.sync()
        except BaseException:  # a refused disk, or a line that could not be made: nothing stays
            self._cut_back(size)
            raise

    def _cut_back(self, size: int | None) -> None:
        """Cut a refused append off again, so a restart does not read what was never acknowledged."""
        if size is None:
            return  # nothing was written
        # If this fails too, whatever part of the lines is there is either complete or cut
        # short; the next append then starts on a fresh line.
        with contextlib.suppress(OSError):
            os.truncate(self.path, size)

    def rewrite(self, lines: Iterable[bytes]) -> None:
        """Replace the file with ``lines`` atomically; on ``OSError`` the old file is intact."""

        def fill(fd: int) -> None:
            batch: list[bytes] = []
            for line in lines:
                batch.append(line + b"\n")
                if len(batch) >= _BATCH:
                    write_all(fd, b"".join(batch))
                    batch.clear()
            write_all(fd, b"".join(batch))

        replace_file(self.path, fill)


def _ends_mid_line(fd: int, size: int | None = None) -> bool:
    size = os.fstat(fd).st_size if size is None else size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"


def _line(event: Mapping[str, Any]) -> bytes:
    # ASCII escapes: a lone surrogate in user text still makes a valid UTF-8 line.
    return json.dumps(event, separators=(",", ":")).encode()


class Journal:
    """A JSON-lines event journal at ``path`` (one event a line, on a :class:`LineLog`);
    ``path=None`` keeps nothing (events are only replayed from memory).

    A state rebuilt by replaying events can be written back small with
    :meth:`rewrite`, so a crash leaves either the old journal or the new one.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._file = None if path is None else LineLog(path)

    def _unreadable(self, error: OSError) -> KnowledgeError:
        return KnowledgeError(f"Cannot read {self.path} ({describe_os_error(error)}).")

    def replay(self) -> Iterator[Event]:
        """Every complete event, oldest first; a cut-short or unreadable line is skipped with a warning."""
        if self._file is None:
            return
        try:
            for _, line in self._file.lines():
                try:
                    event = json.loads(line)
                except ValueError:
                    event = None
                if not isinstance(event, dict):
                    log.warning("skipped an unreadable line in %s: %.80r", self.path, line)
                    continue
                yield event
            if self._file.ends_mid_line():
                log.warning("skipped a line cut short (by a crash?) at the end of %s", self.path)
        except OSError as error:
            raise self._unreadable(error) from error

    def append(self, event: Mapping[str, Any]) -> None:
        """Write ``event`` and fsync it; :class:`WriteFailed` (nothing acknowledged) if the disk refuses."""
        if self._file is None:
            return
        try:
            self._file.append([_line(event)])
        except OSError as error:
            raise WriteFailed(str(self.path), describe_os_error(error)) from error

    def rewrite(self, events: Iterable[Mapping[str, Any]]) -> None:
        """Replace the journal with ``events`` atomically; raises :class:`WriteFailed`, old journal intact."""
        if self._file is None:
            return
        try:
            self._file.rewrite(_line(event) for event in events)
        except OSError as error:
            raise WriteFailed(str(self.path), describe_os_error(error)) from error
