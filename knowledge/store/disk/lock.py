"""Where a write is locked: one writer process per database, and who it is.

The in-process order of writes (one at a time, each seeing the last) is the
fact store's ``asyncio.Lock``, see :mod:`knowledge.store.writes`; this module is the
rule across processes.
"""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

from knowledge.errors import KnowledgeError, StoreLocked
from knowledge.model import now_iso
from knowledge.store.disk.atomic import describe_os_error


class WriterLock:
    """The one-writer rule across processes: an exclusive ``flock`` on ``<db>.lock``.

    The kernel drops the lock when the holder exits, even on ``kill -9``, so a
    crash never leaves the database locked; the pid and host written into the
    file only serve to name the holder.
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, db: Path) -> WriterLock:
        path = db.with_name(db.name + ".lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise KnowledgeError(
                f"Cannot open the fact database {db}: its lock file {path} cannot be created "
                f"({describe_os_error(error)})."
            ) from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 500, 0).decode(errors="replace").strip() or "a process that is starting"
            os.close(fd)
            raise StoreLocked(str(db), holder) from None
        except OSError as error:
            os.close(fd)
            raise KnowledgeError(
                f"Cannot open the fact database {db}: its lock file {path} cannot be locked "
                f"({describe_os_error(error)}); keep the database on a local disk, or on one "
                "whose network file system supports locks."
            ) from error
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}, since {now_iso()}\n".encode(), 0)
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


def lock_holder(db: Path) -> str | None:
    """Who holds ``db``'s writer lock (as it wrote itself into the lock file), or None if nobody does.

    Writes nothing and creates nothing. It tries a shared lock for an instant: a
    bot starting in that very instant is refused as if another held the lock,
    and its service manager starts it again.
    """
    path = db.with_name(db.name + ".lock")
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.pread(fd, 500, 0).decode(errors="replace").strip() or "a process that is starting"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
