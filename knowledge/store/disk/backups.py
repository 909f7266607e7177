"""``<db>.backups/``: the last :data:`BACKUPS_KEPT` good versions of the database file.

Just before a write replaces ``<db>``, the file being replaced is hard-linked
here (copied if the file system has no hard links), so a backup costs no
copying and is never the inode a later in-place edit of ``<db>`` could damage.
Only files the store loaded and validated, or wrote itself, become backups: the
storage refuses to write over a file another program changed (see
:class:`knowledge.store.disk.storage.AtomicJSONStorage`).
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

BACKUPS_KEPT = 5


class Backups:
    """The backup folder of one database file."""

    def __init__(self, path: Path, *, kept: int = BACKUPS_KEPT) -> None:
        self.path = path
        self.folder = path.with_name(path.name + ".backups")
        self.kept = kept

    def list(self) -> list[Path]:
        """Backups, newest first (their names sort by time)."""
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob(f"{self.path.stem}.*Z{self.path.suffix}"), reverse=True)

    def keep(self) -> None:
        """Keep the current file as the newest backup (nothing to keep if there is no file yet)."""
        if not self.path.exists():
            return
        self.folder.mkdir(exist_ok=True)
        stamp = datetime.now(UTC)
        while True:
            target = self.folder / f"{self.path.stem}.{stamp:%Y%m%dT%H%M%S%f}Z{self.path.suffix}"
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

    def prune(self) -> None:
        for old in self.list()[self.kept :]:
            try:
                old.unlink()
            except OSError as error:
                # The write itself succeeded; an extra old backup only costs disk space.
                log.warning("could not remove old backup %s: %s", old, error)
