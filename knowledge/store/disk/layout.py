"""The database file's layout, one record per line, and the byte patcher that relies on it.

The file is a TinyDB document written as ``{"facts": {\\n"1": {...},\\n"2": {...}\\n}}``:
one record per line, so a JSON error's line number points at the record and a
later write can copy unchanged records as bytes. :func:`fill_whole` encodes
every record; :func:`fill_patched` copies the current file and replaces only the
changed lines (``copy_file_range``, in the kernel where it can).

Why the patcher stays (bench/store.py, see bench/results/store.md): the first
write after loading encodes the whole file (1.6 s at 100,000 facts, 96 MB);
every later write patches and takes ~90 ms at 100,000 facts and ~13 ms at
10,000, so writing whole each time would make every write at 100k over ten
times slower. Both fills only produce bytes for a temp file: the atomic
replace itself is :func:`knowledge.store.disk.atomic.replace_file`.

The layout also gives the file its *fingerprint* (:attr:`Layout.fingerprint`):
a SHA-256 over the table name and each record line's length and CRC-32. Both
fills keep the CRCs of the lines they write (a patch computes only the changed
lines'), so a write costs no re-read of the file; :func:`read_layout` finds the
same layout, and so the same fingerprint, in a file's bytes.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import zlib
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from knowledge.store.disk.atomic import write_all

_SEPARATOR = b",\n"
_FOOTER = b"\n}}\n"
_COPY_CHUNK = 1 << 20
# Records joined per write() call: big enough to keep syscalls few, small enough
# that the thread serialising them gives the GIL back to the event loop often.
_BATCH = 256
# copy_file_range is Linux-only, and some file systems refuse it; then copy through memory.
_NO_COPY_RANGE = frozenset({errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP})


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each record of the one table sits in the file this storage last wrote."""

    table: str
    lengths: array[int]  # bytes of each record's line, in file order
    crcs: array[int] = field(default_factory=lambda: array("L"))  # CRC-32 of each line, in file order

    @property
    def fingerprint(self) -> str | None:
        """What the file holds, in 64 hex digits: equal layouts, equal bytes (None without the CRCs)."""
        if len(self.crcs) != len(self.lengths):
            return None
        digest = hashlib.sha256(_header(self.table))
        digest.update(array("Q", self.lengths).tobytes())
        digest.update(array("Q", self.crcs).tobytes())
        return digest.hexdigest()


class LayoutMismatch(Exception):
    """The file is not laid out as recorded; write it whole instead."""


def _header(table: str) -> bytes:
    return b"{" + json.dumps(table).encode() + b": {\n"


def record_line(doc_id: str, text: str) -> bytes:
    """One record as it appears on its line: ``"<doc id>": <record JSON>``."""
    return f"{json.dumps(str(doc_id))}: {text}".encode()


def encode_document(table: str, records: Iterable[tuple[str, str]]) -> bytes:
    """A whole one-table document, laid out as the database file is: one record per line."""
    return _header(table) + _SEPARATOR.join(record_line(i, text) for i, text in records) + _FOOTER


def read_layout(raw: bytes, table: str) -> Layout | None:
    """The layout of ``raw`` if it is a one-table file laid out as the store writes it, else None.

    JSON text never holds a raw line break, so each line between the header and
    the footer is one record; that it *is* one is for the caller to check (one
    line per record it decoded).
    """
    header = _header(table)
    end = len(raw) - len(_FOOTER)
    if end < len(header) or not (raw.startswith(header) and raw.endswith(_FOOTER)):
        return None
    lengths: array[int] = array("Q")
    crcs: array[int] = array("L")
    view = memoryview(raw)
    start = len(header)
    while start < end:  # the lines in place: no copy of a 96 MB file to measure it
        stop = raw.find(b"\n", start, end)
        last = stop == -1
        if last:
            stop = end
        elif raw[stop - 1 : stop] != b",":
            return None  # a line break inside a record: not our layout
        else:
            stop -= 1
        lengths.append(stop - start)
        crcs.append(zlib.crc32(view[start:stop]))
        if last:
            break
        start = stop + len(_SEPARATOR)
    else:
        if lengths:  # a separator with no record after it
            return None
    return Layout(table, lengths, crcs)


def document_size(table: str, lengths: Sequence[int]) -> int:
    return len(_header(table)) + sum(lengths) + len(_SEPARATOR) * max(0, len(lengths) - 1) + len(_FOOTER)


def _copy(source: int, target: int, offset: int, count: int) -> None:
    """Append ``count`` bytes of ``source`` from ``offset`` to ``target``, in the kernel where it can."""
    while count > 0:
        try:
            done = os.copy_file_range(source, target, count, offset)
        except (AttributeError, OSError) as error:
            if isinstance(error, OSError) and error.errno not in _NO_COPY_RANGE:
                raise
            done = len(chunk := os.pread(source, min(count, _COPY_CHUNK), offset))
            write_all(target, chunk)
        if done == 0:
            raise OSError(errno.EIO, f"the database file ended {count} bytes early while it was copied")
        offset += done
        count -= done


def fill_whole(fd: int, tables: Mapping[str, Iterable[tuple[str, str]]]) -> Layout | None:
    """Write these tables of (doc id, record JSON) to ``fd``, a batch of records at a time.

    Returns the layout of a one-table file (the fact store's), None otherwise.
    """
    lengths: array[int] = array("Q")
    crcs: array[int] = array("L")
    batch: list[bytes] = [b"{"]
    for t, (name, records) in enumerate(tables.items()):
        batch.append((b", " if t else b"") + _header(name)[1:])
        lengths, crcs = array("Q"), array("L")
        for doc_id, text in records:
            line = record_line(doc_id, text)
            if lengths:
                batch.append(_SEPARATOR)
            batch.append(line)
            lengths.append(len(line))
            crcs.append(zlib.crc32(line))
            if len(batch) >= _BATCH:
                write_all(fd, b"".join(batch))
                batch.clear()
        batch.append(b"\n}")
    batch.append(b"}\n")
    write_all(fd, b"".join(batch))
    return Layout(next(iter(tables)), lengths, crcs) if len(tables) == 1 else None


def fill_patched(
    fd: int,
    source: int,
    layout: Layout,
    replaced: Mapping[int, tuple[str, str]],
    appended: Iterable[tuple[str, str]],
) -> Layout:
    """Write to ``fd`` the file ``source`` (laid out as ``layout``) with some records changed.

    ``replaced`` maps a record's position to its new (doc id, JSON text);
    ``appended`` records go at the end. Raises :class:`LayoutMismatch` if the
    result is not the size the new layout gives.
    """
    table, old = layout.table, layout.lengths
    if os.fstat(source).st_size != document_size(table, old):
        raise LayoutMismatch("the file is not the size its recorded layout gives")
    lengths, crcs = array("Q", old), array("L", layout.crcs)
    header = _header(table)
    write_all(fd, header)
    offset, done = len(header), 0  # where record `done` starts in the current file
    for position in sorted(replaced):
        span = sum(old[done:position]) + len(_SEPARATOR) * (position - done)
        _copy(source, fd, offset, span)
        line = record_line(*replaced[position])
        write_all(fd, line + _SEPARATOR if position < len(old) - 1 else line)
        lengths[position] = len(line)
        if crcs:
            crcs[position] = zlib.crc32(line)
        offset += span + old[position] + len(_SEPARATOR)
        done = position + 1
    if done < len(old):
        _copy(source, fd, offset, sum(old[done:]) + len(_SEPARATOR) * (len(old) - 1 - done))
    pending: list[bytes] = []  # new records, written _BATCH at a time
    for doc_id, text in appended:
        line = record_line(doc_id, text)
        pending.append(_SEPARATOR + line if lengths else line)
        if len(crcs) == len(lengths):
            crcs.append(zlib.crc32(line))
        lengths.append(len(line))
        if len(pending) == _BATCH:
            write_all(fd, b"".join(pending))
            pending.clear()
    write_all(fd, b"".join(pending) + _FOOTER)
    if os.fstat(fd).st_size != document_size(table, lengths):
        raise LayoutMismatch("the rewritten file is not the size its layout gives")
    return Layout(table, lengths, crcs if len(crcs) == len(lengths) else array("L"))
