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
from collections.abc import Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

from knowledge.model import Fact, Source
from knowledge.store.disk import stamp
from knowledge.store.disk.atomic import describe_os_error

log = logging.getLogger(__name__)

SUFFIX = ".fastload"
_FORMAT = 1
_FACT_ORDER = tuple(f.name for f in fields(Fact))  # Fact(*values) takes them in this order
_SOURCE_ORDER = tuple(f.name for f in fields(Source))
_SOURCES = _FACT_ORDER.index("sources")
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


def read_snapshot(db: Path, fingerprint: str) -> tuple[dict[str, Fact], dict[str, int]] | None:
    """The facts and doc ids of the file whose fingerprint is ``fingerprint``, if the snapshot
    holds them under this code's rules and Python; else None."""
    facts: dict[str, Fact] = {}
    doc_ids: dict[str, int] = {}
    try:
        frames = _frames(snapshot_path(db).read_bytes())
        if next(frames, None) != _header(fingerprint):
            return None
        while (chunk := next(frames)) is not None:
            for doc_id, values in chunk:
                row = list(values)
                row[_SOURCES] = tuple(Source(*source) for source in row[_SOURCES])
                fact = Fact(*row)
                facts[fact.key] = fact
                doc_ids[fact.key] = doc_id
    except (OSError, ValueError, EOFError, TypeError, StopIteration):
        return None
    return facts, doc_ids
