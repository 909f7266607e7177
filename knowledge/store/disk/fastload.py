"""The snapshot beside the database: its validated facts as plain tuples, which load several times
faster than the JSON they were written as.

``<db>.fastload`` holds every fact of the fact file (:mod:`marshal`: strings, numbers
and tuples only) under a header naming the file's fingerprint, the validation rules
(:func:`knowledge.store.disk.stamp.rules`, the digest the stamp names) and the Python
version that wrote it, in chunks of 64 facts, then a directory (each fact's key, where
each chunk starts) and a trailer that finds it: a reader that needs a few facts
(``bot.py ask``) reads the directory and those facts' chunks only. It is used only when
the header matches the file on disk and the code reading it and the trailer and
directory are whole; anything
else (no snapshot, an older one, a damaged one) and the file itself is read, exactly
as without a snapshot. A cache, never the only copy of anything: written by the
writer without an fsync, when a store opens or closes a file the snapshot does not
match, and when the running bot keeps it after writes (``FactStore.keep``); readers only
read it.
"""

from __future__ import annotations

import logging
import marshal
import os
import sys
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO, overload

from knowledge.model import Fact, Source
from knowledge.store.disk import stamp
from knowledge.store.disk.atomic import describe_os_error

log = logging.getLogger(__name__)

SUFFIX = ".fastload"
_FORMAT = 2
_FACT_ORDER = tuple(f.name for f in fields(Fact))  # Fact(*values) takes them in this order
_SOURCE_ORDER = tuple(f.name for f in fields(Source))
_SOURCES = _FACT_ORDER.index("sources")
_KEY = _FACT_ORDER.index("key")
_VERSION = _FACT_ORDER.index("version")
_RETRACTED_AT = _FACT_ORDER.index("retracted_at")
# Facts per marshalled chunk: a reader that needs one fact decodes the 64 around it (0.1 ms), and
# the writer never holds more than one chunk's rows beyond the facts themselves.
_CHUNK = 64
_END = b"fastload"  # the trailer: where the directory starts, then this
_TRAILER = 8 + len(_END)


def snapshot_path(db: Path) -> Path:
    return db.with_name(db.name + SUFFIX)


def _header(fingerprint: str) -> tuple[Any, ...]:
    return (_FORMAT, tuple(sys.version_info[:2]), marshal.version, stamp.rules(), fingerprint)


# Each a tuple of the fields named, read in C: 100,000 facts are made rows at every close.
_fact_values = attrgetter(*_FACT_ORDER)
_source_values = attrgetter(*_SOURCE_ORDER)


def _row(fact: Fact) -> tuple[Any, ...]:
    values = list(_fact_values(fact))
    values[_SOURCES] = tuple(map(_source_values, fact.sources))
    return tuple(values)


def _framed(value: Any) -> bytes:
    blob = marshal.dumps(value)
    return len(blob).to_bytes(8, "little") + blob


def write_snapshot(db: Path, fingerprint: str, facts: Iterable[tuple[int, Fact]]) -> None:
    """Keep ``facts`` (doc id, fact), the facts of the file whose fingerprint is ``fingerprint``.

    Written a chunk of facts at a time, each framed by its length, so 100,000 facts never
    sit in memory twice; then the directory (each fact's key, where each chunk starts) and
    the trailer that finds it. Never fails the caller: a missing snapshot only makes the next
    open read the file.
    """
    path = snapshot_path(db)
    temp = path.with_name(path.name + ".tmp")  # one writer holds the lock: one temp name serves
    keys: list[str] = []
    starts: array[int] = array("Q")
    try:
        with temp.open("wb") as out:
            written = out.write(_framed(_header(fingerprint)))
            chunk: list[tuple[int, tuple[Any, ...]]] = []
            for doc_id, fact in facts:
                chunk.append((doc_id, _row(fact)))
                keys.append(fact.key)
                if len(chunk) == _CHUNK:
                    starts.append(written)
                    written += out.write(_framed(tuple(chunk)))
                    chunk.clear()
            if chunk:
                starts.append(written)
                written += out.write(_framed(tuple(chunk)))
            starts.append(written)  # where the last chunk ends: the directory
            out.write(_framed((tuple(keys), starts.tobytes())))
            out.write(written.to_bytes(8, "little") + _END)  # a snapshot cut short has no trailer
        os.replace(temp, path)
    except (OSError, ValueError) as error:
        why = describe_os_error(error) if isinstance(error, OSError) else str(error)
        log.warning("could not write %s (%s); the next start reads the database itself", path, why)


class Snapshot:
    """One snapshot file, open: its facts' keys in file order at once, their rows a chunk at a time.

    Only the header, the trailer and the directory are read when it is opened; a chunk is
    read and decoded when a row in it is first asked for, so a reader that needs a few facts
    reads a few kilobytes of the 77 MB a snapshot of 100,000 facts takes. The open file is
    the snapshot as it was opened: the writer replaces it by renaming a new one over it.
    """

    def __init__(self, file: BinaryIO, keys: tuple[str, ...], starts: array[int]) -> None:
        self.keys = keys
        self._file = file
        self._starts = starts
        self._chunks: dict[int, tuple[tuple[int, tuple[Any, ...]], ...]] = {}
        weakref.finalize(self, file.close)

    @classmethod
    def open(cls, db: Path, fingerprint: str) -> Snapshot | None:
        """The snapshot of the file whose fingerprint is ``fingerprint``, if it was written under
        this code's rules and Python and is whole; else None."""
        try:
            file = snapshot_path(db).open("rb", buffering=0)
        except OSError:
            return None
        try:
            size = os.fstat(file.fileno()).st_size
            header = _frame_at(file, 0, size)
            trailer = _read_at(file, size - _TRAILER, _TRAILER) if size >= _TRAILER else b""
            if header != _header(fingerprint) or len(trailer) != _TRAILER or trailer[8:] != _END:
                file.close()
                return None
            directory = int.from_bytes(trailer[:8], "little")
            keys, packed = _frame_at(file, directory, size - _TRAILER)
            starts: array[int] = array("Q")
            starts.frombytes(packed)
            chunks = -(-len(keys) // _CHUNK)
            if len(starts) != chunks + 1 or starts[-1] != directory or list(starts) != sorted(starts):
                file.close()
                return None
        except (OSError, ValueError, EOFError, TypeError):
            file.close()
            return None
        return cls(file, keys, starts)

    def __len__(self) -> int:
        return len(self.keys)

    def row(self, position: int) -> tuple[int, tuple[Any, ...]]:
        """The (doc id, row) of the fact at ``position`` in file order. Raises
        :class:`DamagedSnapshot` if its chunk cannot be read whole."""
        number, at = divmod(position, _CHUNK)
        chunk = self._chunks.get(number)
        if chunk is None:
            chunk = self._chunks[number] = self._chunk(number)
        return chunk[at]

    def rows(self) -> list[tuple[int, tuple[Any, ...]]]:
        """Every (doc id, row), in file order. Raises :class:`DamagedSnapshot` as :meth:`row` does."""
        found: list[tuple[int, tuple[Any, ...]]] = []
        for number in range(len(self._starts) - 1):
            found.extend(self._chunks.get(number) or self._chunk(number))
        return found

    def _chunk(self, number: int) -> tuple[tuple[int, tuple[Any, ...]], ...]:
        start, end = self._starts[number], self._starts[number + 1]
        keys = self.keys[number * _CHUNK : (number + 1) * _CHUNK]
        try:
            chunk = _frame_at(self._file, start, end)
            whole = (
                isinstance(chunk, tuple)
                and len(chunk) == len(keys)
                and all(row[1][_KEY] == key for row, key in zip(chunk, keys, strict=True))
            )
        except (OSError, ValueError, EOFError, TypeError, IndexError):
            whole = False
        if not whole:
            raise DamagedSnapshot(f"{self._file.name}: chunk {number} cannot be read")
        return chunk


class DamagedSnapshot(Exception):
    """A chunk of a snapshot that opened whole cannot be read: its reader falls back to the file."""


def _frame_at(file: BinaryIO, offset: int, end: int) -> Any:
    """The value framed at ``offset``, if its frame ends at or before ``end``."""
    size = int.from_bytes(_read_at(file, offset, 8), "little")
    if size <= 0 or offset + 8 + size > end:
        raise ValueError("a frame runs past its end")
    blob = _read_at(file, offset + 8, size)
    if len(blob) != size:
        raise ValueError("a frame is cut short")
    return marshal.loads(blob)


def _read_at(file: BinaryIO, offset: int, size: int) -> bytes:
    file.seek(offset)
    return file.read(size)


def _fact(values: tuple[Any, ...]) -> Fact:
    row = list(values)
    row[_SOURCES] = tuple(Source(*source) for source in row[_SOURCES])
    return Fact(*row)


def read_snapshot(db: Path, fingerprint: str) -> tuple[dict[str, Fact], dict[str, int]] | None:
    """The facts and doc ids of the file whose fingerprint is ``fingerprint``, if the snapshot
    holds them under this code's rules and Python; else None."""
    snapshot = Snapshot.open(db, fingerprint)
    if snapshot is None:
        return None
    facts: dict[str, Fact] = {}
    doc_ids: dict[str, int] = {}
    try:
        for doc_id, values in snapshot.rows():
            fact = _fact(values)
            facts[fact.key] = fact
            doc_ids[fact.key] = doc_id
    except (DamagedSnapshot, TypeError):
        return None
    return facts, doc_ids


class SnapshotFacts(Sequence[Fact]):
    """The facts of a snapshot, in file order, each made from its row only when it is first read.

    A reader that needs only a few whole facts (the ones a query finds) skips reading and
    making 100,000 :class:`Fact` objects: :meth:`fact_by_key` reads one chunk of rows and
    makes one fact; :meth:`identities` (each fact's key, version and retraction) reads them
    all. Should a chunk turn out damaged, ``whole_file()`` (the facts by key, read from the
    database file itself) answers instead, as if there had been no snapshot.
    """

    def __init__(self, snapshot: Snapshot, whole_file: Callable[[], dict[str, Fact]]) -> None:
        self._snapshot = snapshot
        self._whole_file = whole_file
        self._fallback: dict[str, Fact] | None = None
        self._made: dict[int, Fact] = {}
        self._positions: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self._snapshot)

    @overload
    def __getitem__(self, at: int) -> Fact: ...
    @overload
    def __getitem__(self, at: slice) -> list[Fact]: ...
    def __getitem__(self, at: int | slice) -> Fact | list[Fact]:
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(len(self)))]
        position = range(len(self))[at]  # negative indices, and IndexError past the end
        fact = self._made.get(position)
        if fact is None:
            fact = self._made[position] = self._make(position)
        return fact

    def _make(self, position: int) -> Fact:
        if self._fallback is None:
            try:
                return _fact(self._snapshot.row(position)[1])
            except (DamagedSnapshot, TypeError):
                self._fallback = self._whole_file()
        return self._fallback[self._snapshot.keys[position]]

    def identities(self) -> Iterator[tuple[str, int, bool]]:
        """Each fact's key, version and whether it is retracted, without making the facts."""
        try:
            rows = [values for _, values in self._snapshot.rows()]
        except DamagedSnapshot:
            yield from ((f.key, f.version, f.retracted) for f in self)
            return
        for row in rows:
            yield row[_KEY], row[_VERSION], row[_RETRACTED_AT] is not None

    def fact_by_key(self, key: str) -> Fact:
        if self._positions is None:
            self._positions = dict(zip(self._snapshot.keys, range(len(self)), strict=True))
        return self[self._positions[key]]
