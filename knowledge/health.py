"""Health: the desk's state as ``bot.py status`` reports it, and the heartbeat the running bot writes.

The bot writes ``<db>.heartbeat`` (:class:`Heartbeat`) every
:data:`HEARTBEAT_EVERY` seconds from its event loop, and when it connects to
Discord or loses the connection: the time, its pid and host, whether it is
connected, and when it last was. :func:`read_status` reads that, the database,
the review queue, the answer log and the writer lock without writing anything
or taking the lock, so it works with the bot running or not, and lists what is
wrong: a database that cannot be read, a lock held by a process that is gone,
a bot whose heartbeat stopped (its event loop is stuck) or that has not been
connected to Discord for a while.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from knowledge.desk.answers import AnswerLog
from knowledge.desk.review_queue import ReviewQueue
from knowledge.errors import CorruptDatabase, KnowledgeError
from knowledge.store.disk.atomic import describe_os_error, replace_file, write_all
from knowledge.store.disk.lock import lock_holder
from knowledge.store.disk.storage import AtomicJSONStorage
from knowledge.store.history import entry_from_json
from knowledge.store.loading import HISTORY_SUFFIX

HEARTBEAT_SUFFIX = ".heartbeat"
HEARTBEAT_EVERY = 30  # seconds
STALE_AFTER = 120  # seconds without a heartbeat (or a connection) before status calls it a problem
_TAIL = 256 * 1024  # bytes of the history read to find the last change
_HOLDER_RE = re.compile(r"^pid (\d+) on (\S+), since (\S+)$")


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def heartbeat_path(db: Path) -> Path:
    return db.with_name(db.name + HEARTBEAT_SUFFIX)


class Heartbeat:
    """What the running bot writes to ``<db>.heartbeat``: replaced whole, so a reader sees one version."""

    def __init__(self, db: Path) -> None:
        self.path = heartbeat_path(db)
        self.heard_at: datetime | None = None  # the last beat while connected

    def beat(self, *, connected: bool, ready: bool, now: datetime | None = None) -> None:
        """Write the heartbeat; raises ``OSError`` if the disk refuses (the caller logs it)."""
        now = now or _now()
        if connected:
            self.heard_at = now
        data = {
            "at": _iso(now),
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "connected": connected,
            "ready": ready,
            "heard_from_discord_at": _iso(self.heard_at) if self.heard_at else None,
        }
        replace_file(self.path, lambda fd: write_all(fd, json.dumps(data).encode() + b"\n"))


@dataclass(slots=True)
class Status:
    """The desk's state; ``problems`` is empty when all is well."""

    database: str
    facts: int | None = None
    retracted: int | None = None
    version: int | None = None
    last_change: dict[str, Any] | None = None  # at, by, key, action
    open_queue_items: int | None = None
    pending_corrections: int | None = None
    lock_holder: str | None = None
    heartbeat: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "healthy": self.healthy}


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user
    return True


def _last_change(history: Path, versions: Mapping[str, int]) -> dict[str, Any] | None:
    """The newest history entry whose change reached the database (or a note), from the file's tail."""
    try:
        with history.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            start = max(0, size - _TAIL)
            handle.seek(start)
            tail = handle.read()
    except FileNotFoundError:
        return None
    lines = tail.split(b"\n")[:-1]  # the last piece has no newline: cut short, or empty
    if start:
        lines = lines[1:]  # the first piece may be the end of a line
    for line in reversed(lines):
        entry = entry_from_json(line)
        if entry is None:
            continue
        if entry.is_note or (entry.version or 0) <= versions.get(entry.key, 0):
            return {"at": entry.at, "by": entry.actor, "key": entry.key, "action": entry.action}
    return None


def _records(handle: BinaryIO) -> Iterator[Any] | None:
    """The records of a file in the store's layout (one a line, see knowledge.store.disk.layout), read a
    line at a time, so a health check every minute does not hold a large base in memory; None if the
    file is not in that layout, or a line does not parse (the whole file is then parsed, to say why)."""
    if handle.readline() != b'{"facts": {\n':
        return None
    records = []
    for line in handle:
        if line.rstrip(b"\n") == b"}}":
            return iter(records)
        try:
            (record,) = json.loads(b"{" + line.rstrip(b",\n") + b"}").values()
        except ValueError:
            return None
        records.append(_Brief(record))
    return None


class _Brief:
    """What status needs of a record: its key, version and whether it is retracted."""

    __slots__ = ("key", "retracted", "version")

    def __init__(self, record: object) -> None:
        data = record if isinstance(record, dict) else {}
        self.key = str(data.get("key"))
        self.version = version if isinstance(version := data.get("version", 1), int) else 1
        self.retracted = data.get("retracted_at") is not None


def _read_database(db: Path, status: Status) -> None:
    try:
        with db.open("rb") as handle:
            records = _records(handle)
            if records is None:
                handle.seek(0)
                document = AtomicJSONStorage(db).parse(handle.read())
                table = document.get("facts")
                if not isinstance(table, dict):
                    raise AtomicJSONStorage(db).corrupt("it holds no `facts` table")
                records = iter([_Brief(record) for record in table.values()])
    except FileNotFoundError:
        status.problems.append(f"there is no fact database at {db} (the bot creates it at its first start)")
        return
    except OSError as error:
        status.problems.append(f"the fact database {db} cannot be read ({describe_os_error(error)})")
        return
    except CorruptDatabase as error:
        status.problems.append(str(error))
        return
    versions: dict[str, int] = {}
    retracted = 0
    for record in records:
        versions[record.key] = record.version
        retracted += record.retracted
    status.facts, status.retracted, status.version = len(versions), retracted, sum(versions.values())
    status.last_change = _last_change(db.with_name(db.name + HISTORY_SUFFIX), versions)


def _check_bot(db: Path, status: Status, now: datetime, stale_after: timedelta, expect_bot: bool) -> None:
    status.lock_holder = holder = lock_holder(db)
    try:
        beat = json.loads(heartbeat_path(db).read_bytes())
        status.heartbeat = beat if isinstance(beat, dict) else None
    except (OSError, ValueError):
        status.heartbeat = None
    if holder is None:
        if expect_bot:
            status.problems.append("no bot is running: nothing holds the database's writer lock")
        return
    match = _HOLDER_RE.match(holder)
    if match is None:
        return  # still starting: it has not written its name yet
    pid, host, since = int(match.group(1)), match.group(2), _parse_time(match.group(3))
    if host == socket.gethostname() and not _pid_alive(pid):
        status.problems.append(
            f"the writer lock is held, but its holder (pid {pid}) is not running: a process it started "
            "may have kept the lock file open; stop it, or restart the machine"
        )
        return
    beat = status.heartbeat
    if beat is None or beat.get("pid") != pid or beat.get("host") != host:
        if since is not None and now - since > stale_after:
            status.problems.append(
                f"the bot (pid {pid} on {host}) has held the database since {match.group(3)} "
                "but has written no heartbeat: it never reached Discord, or cannot write beside the database"
            )
        return
    at = _parse_time(beat.get("at"))
    if at is None or now - at > stale_after:
        status.problems.append(
            f"the bot's last heartbeat was at {beat.get('at')}: its event loop is stuck or it is "
            "shutting down; restart it"
        )
        return
    # Never connected yet: counted from when it took the lock (its start), so starting is no problem.
    heard = _parse_time(beat.get("heard_from_discord_at")) or since
    if not beat.get("connected") and (heard is None or now - heard > stale_after):
        last = (
            f"since {beat.get('heard_from_discord_at')}"
            if beat.get("heard_from_discord_at")
            else "since it started"
        )
        status.problems.append(
            f"the bot has not been connected to Discord {last}; check the network (outbound HTTPS to "
            "discord.com and gateway.discord.gg) and the token"
        )


def read_status(
    db: Path, *, now: datetime | None = None, stale_after: int = STALE_AFTER, expect_bot: bool = False
) -> Status:
    """The desk's state, read without writing anything or taking the writer lock."""
    db = Path(db)
    now = now or _now()
    status = Status(database=str(db))
    _read_database(db, status)
    try:
        status.open_queue_items = len(ReviewQueue.beside(db).open_items())
        status.pending_corrections = len(AnswerLog.beside(db, read_only=True).pending())
    except KnowledgeError as error:  # a journal that cannot be read says which
        status.problems.append(str(error))
    _check_bot(db, status, now, timedelta(seconds=stale_after), expect_bot)
    return status
