"""An append-only JSON-lines event journal: the durable record behind the review queue and the answer log.

Each event is one JSON object on one line. :meth:`Journal.append` returns only
once the line is fsynced (and, for a new file, the folder too), so an
acknowledged event survives a power cut. A crash mid-append can leave the last
line cut short: :meth:`Journal.replay` skips it and keeps the rest, and the
next append starts on a fresh line so it cannot run into it. A state that is
rebuilt by replaying events can be written back small with :meth:`Journal.rewrite`
(temp file, fsync, ``os.replace``, folder fsync), so a crash leaves either the
old journal or the new one.

One process writes a journal: it sits beside the fact database, whose writer
lock that process holds. Callers serialise their own appends.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from knowledge.atomic import describe_os_error, fsync_folder
from knowledge.errors import KnowledgeError, WriteFailed

log = logging.getLogger(__name__)

Event = dict[str, Any]


def _line(event: Mapping[str, Any]) -> bytes:
    # ASCII escapes: a lone surrogate in user text still makes a valid UTF-8 line.
    return (json.dumps(event, separators=(",", ":")) + "\n").encode()


class Journal:
    """The event journal at ``path``; ``path=None`` keeps nothing (events are only replayed from memory)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._torn = self._ends_mid_line()

    def _ends_mid_line(self) -> bool:
        if self.path is None:
            return False
        try:
            with self.path.open("rb") as handle:
                if handle.seek(0, os.SEEK_END) == 0:
                    return False
                handle.seek(-1, os.SEEK_END)
                return handle.read(1) != b"\n"
        except FileNotFoundError:
            return False
        except OSError as error:
            raise self._unreadable(error) from error

    def _unreadable(self, error: OSError) -> KnowledgeError:
        return KnowledgeError(f"Cannot read {self.path} ({describe_os_error(error)}).")

    def replay(self) -> Iterator[Event]:
        """Every complete event, oldest first; a cut-short or unreadable line is skipped with a warning."""
        if self.path is None:
            return
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return
        except OSError as error:
            raise self._unreadable(error) from error
        with handle:
            for line in handle:
                if not line.strip():
                    continue  # the fresh start written after a cut-short line
                if not line.endswith(b"\n"):
                    log.warning("skipped a line cut short (by a crash?) at the end of %s", self.path)
                    continue
                try:
                    event = json.loads(line)
                except ValueError:
                    event = None
                if not isinstance(event, dict):
                    log.warning("skipped an unreadable line in %s: %.80r", self.path, line)
                    continue
                yield event

    def append(self, event: Mapping[str, Any]) -> None:
        """Write ``event`` and fsync it; :class:`WriteFailed` (nothing acknowledged) if the disk refuses."""
        if self.path is None:
            return
        data = (b"\n" if self._torn else b"") + _line(event)
        size: int | None = None
        try:
            created = not self.path.exists()
            with self.path.open("ab") as out:
                size = out.tell()
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            if created:
                fsync_folder(self.path.parent)
        except OSError as error:
            self._undo(size)
            raise WriteFailed(str(self.path), describe_os_error(error)) from error
        self._torn = False

    def _undo(self, size: int | None) -> None:
        """Cut a refused append off again, so a restart does not replay what was never acknowledged."""
        if size is None:
            return  # nothing was written
        try:
            os.truncate(self.path, size)
        except OSError:
            # Whatever part of the line is there, the next append starts on a fresh line
            # (an empty one, if it was not needed, is skipped by replay).
            self._torn = True

    def rewrite(self, events: Iterable[Mapping[str, Any]]) -> None:
        """Replace the journal with ``events`` atomically; raises :class:`WriteFailed`, old journal intact."""
        if self.path is None:
            return
        temp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.tmp")
        try:
            with temp.open("wb") as out:
                out.writelines(_line(event) for event in events)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.path)
            fsync_folder(self.path.parent)
        except OSError as error:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
            raise WriteFailed(str(self.path), describe_os_error(error)) from error
        self._torn = False
