"""The stamp beside the database: the file this store last wrote or validated, and under which rules.

``<db>.stamp`` holds the fingerprint of the fact file
(:attr:`knowledge.store.disk.layout.Layout.fingerprint`) and a digest of the
validation rules (the source of :mod:`knowledge.model`). When both match the
file found on disk and the code that reads it, every record in the file passed
those rules before this store wrote it, so opening it does not validate them
again (:func:`knowledge.store.loading.load`). No stamp, an unreadable one, a
file edited by hand, cut short, or restored from a backup, or code whose rules
changed: the file is validated in full, exactly as without a stamp.

A reader (``bot.py ask``) can skip even reading the 96 MB file to fingerprint it: when the
writer's open found a *settled* file (unchanged for :data:`SETTLED_NS`, and unchanged while it
read it), the stamp also records the file's status (device, inode, size, modification and
change times). A file with exactly that status is that file: any change since, by hand, by a
restore or by a tool that puts the modification time back, sets a newer change time, which no
one can set back. Right after a write the file is not settled, so the stamp records no status
and readers fingerprint the file as before. (Decay of the disk under an unchanged status is
not seen by the status; the reader answers from the snapshot, not from those bytes, and the
writer's next open still reads and checksums the file whole.)

The stamp is a hint and never the only copy of anything. It is written after the
file is replaced and without an fsync: a stamp lost or left stale by a crash only
makes the next open validate in full (and stamp the file again). Only the writer
(the process holding the writer lock) writes it; readers only compare.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from functools import cache
from pathlib import Path
from typing import Any

from knowledge import model
from knowledge.store.disk.atomic import describe_os_error

log = logging.getLogger(__name__)

SUFFIX = ".stamp"
_FORMAT = 1
# A file whose status last changed this long ago: any change to it from now on gives it a newer
# change time, however coarse the file system's clock (see :func:`settled_status`).
SETTLED_NS = 2_000_000_000


@cache
def rules() -> str:
    """A digest of the validation rules: any change to :mod:`knowledge.model` makes old stamps void."""
    return hashlib.sha256(Path(model.__file__).read_bytes()).hexdigest()[:32]


def stamp_path(db: Path) -> Path:
    return db.with_name(db.name + SUFFIX)


def _read(db: Path) -> dict[str, Any] | None:
    """The stamp if it is one of this format, written under the rules this code applies."""
    try:
        found = json.loads(stamp_path(db).read_bytes())
    except (OSError, ValueError):
        return None
    if isinstance(found, dict) and found.get("format") == _FORMAT and found.get("rules") == rules():
        return found
    return None


def vouches(db: Path, fingerprint: str | None) -> bool:
    """Whether this store wrote (or validated) the file whose fingerprint is ``fingerprint``,
    under the rules this code applies."""
    if fingerprint is None:
        return False
    found = _read(db)
    return found is not None and found.get("fingerprint") == fingerprint


def file_status(db: Path) -> list[int] | None:
    """What the file system says of the file at ``db``: device, inode, size, modification and
    status-change times (ns); None if there is no file."""
    try:
        st = os.stat(db)
    except OSError:
        return None
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def settled_status(before: list[int] | None, after: list[int] | None) -> list[int] | None:
    """The status of a file read between taking ``before`` and ``after``, if both are the same
    and its last change is at least :data:`SETTLED_NS` old; else None.

    Such a status names the bytes read: a change during the read would have changed it, and
    any later change, in place or by a new file in the same inode, sets the change time to
    the clock's now, which is newer than a settled change time even on a file system whose
    clock ticks every few milliseconds (a change time cannot be set back by hand).
    """
    if before is None or before != after or time.time_ns() - before[4] < SETTLED_NS:
        return None
    return before


def unchanged_fingerprint(db: Path) -> str | None:
    """The fingerprint the stamp records, if it also records the file's status and the file at
    ``db`` still has exactly that status (a reader then need not read and checksum the file);
    else None."""
    found = _read(db)
    if found is None or not isinstance(fingerprint := found.get("fingerprint"), str):
        return None
    status = found.get("file")
    return fingerprint if isinstance(status, list) and status == file_status(db) else None


def write_stamp(db: Path, fingerprint: str | None, status: list[int] | None = None) -> None:
    """Record that the file with ``fingerprint`` holds only validated records (writer only);
    with ``status`` (:func:`settled_status` of the read that found that fingerprint), that the
    file with that status is that file.

    Never fails the caller: the file itself is already written, and a missing or
    stale stamp only costs the next open a full validation.
    """
    path = stamp_path(db)
    if fingerprint is None:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return
    data: dict[str, Any] = {"format": _FORMAT, "rules": rules(), "fingerprint": fingerprint}
    if status is not None:
        data["file"] = status
    # One writer holds the lock, so one temp name serves; the rename keeps a reader
    # from ever seeing half a stamp.
    temp = path.with_name(path.name + ".tmp")
    try:
        temp.write_text(json.dumps(data) + "\n", encoding="ascii")
        os.replace(temp, path)
    except OSError as error:
        log.warning(
            "could not write %s (%s); the next start validates the database in full",
            path,
            describe_os_error(error),
        )


def settle(db: Path, fingerprint: str, status: list[int] | None) -> None:
    """Add ``status`` to a stamp vouching for ``fingerprint`` that lacks it (writer only)."""
    if status is None:
        return
    found = _read(db)
    if found is not None and found.get("fingerprint") == fingerprint and found.get("file") != status:
        write_stamp(db, fingerprint, status)
