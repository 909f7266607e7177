"""Where a write becomes durable: a file replaced whole, atomically, or not at all.

:func:`replace_file` is the one place the database file is written. The new
content goes to ``.<name>.<random>.tmp`` in the same folder, is fsynced, is
renamed over the old file with ``os.replace``, and the folder is fsynced so the
rename survives a power cut. A crash leaves either the old file or the new one,
never a mix; :func:`remove_stale_temp_files` deletes the temp file a crash left.
(Red-DiscordBot's JSON driver, ``_save_json``, does the same.)
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".tmp"
_TEMP_TOKEN = 6  # random bytes in a temp file's name

T = TypeVar("T")


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


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def replace_file(
    path: Path,
    fill: Callable[[int], T],
    *,
    before_replace: Callable[[], None] | None = None,
    mode: int = 0o644,
) -> T:
    """Replace ``path`` with what ``fill(fd)`` writes; return what ``fill`` returned.

    ``mode``: the new file's permissions (0o600 for a secret), before the umask.

    ``before_replace`` runs once the new content is on disk and just before the
    rename (the backup of the old file is kept there). If anything up to the
    rename fails, the old file is intact, the temp file is removed and the error
    is raised. After the rename the write stands: a failing folder sync is only
    logged, since every reader already sees the new file.
    """
    folder = path.parent
    tmp = folder / f"{temp_prefix(path)}{secrets.token_hex(_TEMP_TOKEN)}{TEMP_SUFFIX}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            result = fill(fd)
            os.fsync(fd)
        finally:
            os.close(fd)
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    try:
        fsync_folder(folder)
    except OSError as error:
        log.warning(
            "%s was replaced but its folder could not be synced (%s); a power cut now could undo it",
            path,
            describe_os_error(error),
        )
    return result


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Delete temp files a crashed writer of ``path`` left; call only while holding the writer lock."""
    # Exactly our names: `.facts.json.staging.json.<hex>.tmp` belongs to another database.
    ours = re.compile(
        re.escape(temp_prefix(path)) + f"[0-9a-f]{{{2 * _TEMP_TOKEN}}}" + re.escape(TEMP_SUFFIX)
    )
    removed = []
    for stale in path.parent.glob(f"{temp_prefix(path)}*{TEMP_SUFFIX}"):
        if not ours.fullmatch(stale.name):
            continue
        stale.unlink(missing_ok=True)
        removed.append(stale)
    if removed:
        log.info("removed %d temp file(s) left by an interrupted write: %s", len(removed), removed)
    return removed
