"""The snapshot beside the database: its validated facts as plain tuples, which load several times
faster than the JSON they were written as.

``<db>.fastload`` holds every fact of the fact file (:mod:`marshal`: strings, numbers
and tuples only) under a header naming the file's fingerprint, the validation rules
(:func:`knowledge.store.disk.stamp.rules`, the digest the stamp names) and the Python
version that wrote it. It is used only when all three match the file on disk and
the code reading it; anything
else (no snapshot, an older one, a damaged one) and the file itself is read, exactly
as without a snapshot. A cache, never the only copy of anything: written by the
writer without an fsync, when a store opens or closes a file the snapshot does not
match; readers only read it.
"""

from __future__ import annotations

import logging
import marshal
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any, overload

from knowledge.model import Fact, Source
from knowledge.store.disk import stamp
from knowledge.store.disk.atomic import describe_os_error

log = logging.getLogger(__name__)

SUFFIX = ".fastload"
_FORMAT = 1
_FACT_ORDER = tuple(f.name for f in fields(Fact))  # Fact(*values) takes them in this order
_SOURCE_ORDER = tuple(f.name for f in fields(Source))
_SOURCES = _FACT_ORDER.index("sources")
_KEY = _FACT_ORDER.index("key")
_VERSION = _FACT_ORDER.index("version")
_RETRACTED_AT = _FACT_ORDER.index("retracted_at")
_CHUNK = 2048  # facts per marshalled chunk


def snapshot_path(db: Path) -> Path:
    return db.with_name(db.name + SUFFIX)


def _header(fingerprint: str) -> tuple[Any, ...]:
    return (_FORMAT, tuple(sys.version_info[:2]), marshal.version, stamp.rules(), fingerprint)


def _row(fact: Fact) -> tuple[Any, ...]:
    values = [getattr(fact, name) for name in _FACT_ORDER]
    values[_SOURCES] = tuple(tuple(getattr(s, name) for name in _SOURCE_ORDER) for s in fact.sources)
    return tuple(values)


def _framed(value: Any) -> bytes:
    blob = marshal.dumps(value)
    return len(blob).to_bytes(8, "little") + blob


def write_snapshot(db: Path, fingerprint: str, facts: Iterable[tuple[int, Fact]]) -> None:
    """Keep ``facts`` (doc id, fact), the facts of the file whose fingerprint is ``fingerprint``.

    Written a chunk of facts at a time, each framed by its length, so 100,000 facts never
    sit in memory twice. Never fails the caller: a missing snapshot only makes the next
    open read the file.
    """
    path = snapshot_path(db)
    temp = path.with_name(path.name + ".tmp")  # one writer holds the lock: one temp name serves
    try:
        with temp.open("wb") as out:
            out.write(_framed(_header(fingerprint)))
            chunk: list[tuple[int, tuple[Any, ...]]] = []
            for doc_id, fact in facts:
                chunk.append((doc_id, _row(fact)))
                if len(chunk) == _CHUNK:
                    out.write(_framed(tuple(chunk)))
                    chunk.clear()
            out.write(_framed(tuple(chunk)))
            out.write(_framed(None))  # the end: a snapshot cut short is never taken for a whole one
        os.replace(temp, path)
    except (OSError, ValueError) as error:
        why = describe_os_error(error) if isinstance(error, OSError) else str(error)
        log.warning("could not write %s (%s); the next start reads the database itself", path, why)


def _frames(data: bytes) -> Iterator[Any]:
    view, offset = memoryview(data), 0
    while offset < len(data):
        size = int.from_bytes(view[offset : offset + 8], "little")
        offset += 8
        if size <= 0 or offset + size > len(data):
            raise ValueError("a frame runs past the end")
        yield marshal.loads(view[offset : offset + size])
        offset += size


def _fact(values: tuple[Any, ...]) -> Fact:
    row = list(values)
    row[_SOURCES] = tuple(Source(*source) for source in row[_SOURCES])
    return Fact(*row)


def read_rows(db: Path, fingerprint: str) -> list[tuple[int, tuple[Any, ...]]] | None:
    """The (doc id, row) of each fact of the file whose fingerprint is ``fingerprint``, if the
    snapshot holds them under this code's rules and Python; else None. :class:`SnapshotFacts`
    makes facts of them."""
    rows: list[tuple[int, tuple[Any, ...]]] = []
    try:
        frames = _frames(snapshot_path(db).read_bytes())
        if next(frames, None) != _header(fingerprint):
            return None
        while (chunk := next(frames)) is not None:
            rows.extend(chunk)
    except (OSError, ValueError, EOFError, TypeError, StopIteration):
        return None
    return rows


def read_snapshot(db: Path, fingerprint: str) -> tuple[dict[str, Fact], dict[str, int]] | None:
    """The facts and doc ids of the file whose fingerprint is ``fingerprint``, if the snapshot
    holds them under this code's rules and Python; else None."""
    rows = read_rows(db, fingerprint)
    if rows is None:
        return None
    facts: dict[str, Fact] = {}
    doc_ids: dict[str, int] = {}
    try:
        for doc_id, values in rows:
            fact = _fact(values)
            facts[fact.key] = fact
            doc_ids[fact.key] = doc_id
    except TypeError:
        return None
    return facts, doc_ids


class SnapshotFacts(Sequence[Fact]):
    """The facts of a snapshot, in file order, each made from its row only when it is first read.

    A reader that needs every fact's key, version and retraction (the search index's
    fingerprint) but only a few whole facts (the ones a query finds) skips making 100,000
    :class:`Fact` objects: :meth:`identities` reads the rows, :meth:`fact_by_key` makes one.
    """

    def __init__(self, rows: list[tuple[int, tuple[Any, ...]]]) -> None:
        self._rows = [values for _, values in rows]
        self._made: dict[int, Fact] = {}
        self._positions: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, at: int) -> Fact: ...
    @overload
    def __getitem__(self, at: slice) -> list[Fact]: ...
    def __getitem__(self, at: int | slice) -> Fact | list[Fact]:
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(len(self._rows)))]
        position = range(len(self._rows))[at]  # negative indices, and IndexError past the end
        fact = self._made.get(position)
        if fact is None:
            fact = self._made[position] = _fact(self._rows[position])
        return fact

    def identities(self) -> Iterator[tuple[str, int, bool]]:
        """Each fact's key, version and whether it is retracted, without making the facts."""
        positions: dict[str, int] = {}
        for position, row in enumerate(self._rows):
            positions[row[_KEY]] = position
            yield row[_KEY], row[_VERSION], row[_RETRACTED_AT] is not None
        self._positions = positions  # read anyway: fact_by_key need not read them again

    def fact_by_key(self, key: str) -> Fact:
        if self._positions is None:
            self._positions = {row[_KEY]: position for position, row in enumerate(self._rows)}
        return self[self._positions[key]]
