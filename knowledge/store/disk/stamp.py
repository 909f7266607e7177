"""The stamp beside the database: the file this store last wrote or validated, and under which rules.

``<db>.stamp`` holds the fingerprint of the fact file
(:attr:`knowledge.store.disk.layout.Layout.fingerprint`) and a digest of the
validation rules (the source of :mod:`knowledge.model`). When both match the
file found on disk and the code that reads it, every record in the file passed
those rules before this store wrote it, so opening it does not validate them
again (:func:`knowledge.store.loading.load`). No stamp, an unreadable one, a
file edited by hand, cut short, or restored from a backup, or code whose rules
changed: the file is validated in full, exactly as without a stamp.

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
from functools import cache
from pathlib import Path

from knowledge import model
from knowledge.store.disk.atomic import describe_os_error

log = logging.getLogger(__name__)

SUFFIX = ".stamp"
_FORMAT = 1


@cache
def rules() -> str:
    """A digest of the validation rules: any change to :mod:`knowledge.model` makes old stamps void."""
    return hashlib.sha256(Path(model.__file__).read_bytes()).hexdigest()[:32]


def stamp_path(db: Path) -> Path:
    return db.with_name(db.name + SUFFIX)


def vouches(db: Path, fingerprint: str | None) -> bool:
    """Whether this store wrote (or validated) the file whose fingerprint is ``fingerprint``,
    under the rules this code applies."""
    if fingerprint is None:
        return False
    try:
        stamp = json.loads(stamp_path(db).read_bytes())
    except (OSError, ValueError):
        return False
    return (
        isinstance(stamp, dict)
        and stamp.get("format") == _FORMAT
        and stamp.get("rules") == rules()
        and stamp.get("fingerprint") == fingerprint
    )


def write_stamp(db: Path, fingerprint: str | None) -> None:
    """Record that the file with ``fingerprint`` holds only validated records (writer only).

    Never fails the caller: the file itself is already written, and a missing or
    stale stamp only costs the next open a full validation.
    """
    path = stamp_path(db)
    if fingerprint is None:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return
    text = json.dumps({"format": _FORMAT, "rules": rules(), "fingerprint": fingerprint})
    # One writer holds the lock, so one temp name serves; the rename keeps a reader
    # from ever seeing half a stamp.
    temp = path.with_name(path.name + ".tmp")
    try:
        temp.write_text(text + "\n", encoding="ascii")
        os.replace(temp, path)
    except OSError as error:
        log.warning(
            "could not write %s (%s); the next start validates the database in full",
            path,
            describe_os_error(error),
        )
