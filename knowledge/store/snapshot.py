"""Backups a newsroom can take off the machine, and restore: a consistent copy of a database's files.

:func:`take` copies the files while the bot runs, without its writer lock. That
is safe because of how the files are written: the database is only ever
replaced whole (an open file is one version, start to end), and the journals
beside it are only appended to, or replaced whole. What is left is the order:

- the desk's journals (given by the caller: the store does not know the desk)
  are copied first, so they never speak of a fact the copied database lacks
  (an accepted suggestion whose fact is missing would be lost; a fact the
  queue still shows open is only refused as a duplicate if accepted again);
- then the database;
- then its history, which the writer appends *before* it replaces the
  database, so the copied history holds an entry for every change in the
  copied database (entries past it are hidden, as after a crash: see
  :func:`knowledge.store.history.saved_entries`).

Each journal is copied up to its size when opened and cut back to its last
whole line, so a line being appended at that moment is left out, not torn.
Every write acknowledged before :func:`take` began is in the copy.

The copy is a folder ``<db name>-<UTC time>`` holding the files under their
own names and ``manifest.json`` (each file's size and SHA-256, the fact count
and the database's version); it is written as ``.partial`` and renamed when
complete, so a folder with that name is a whole backup.

:func:`restore` takes the writer lock (refused while the bot runs, naming it),
checks the backup (every checksum, and the database validates), moves the
files it replaces into ``<db name>.replaced-<UTC time>/`` beside them, never
deleting one, and puts the backup's files in their place.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from knowledge.errors import KnowledgeError
from knowledge.store.disk import fastload, stamp
from knowledge.store.disk.atomic import describe_os_error, fsync_folder, write_all
from knowledge.store.disk.lock import WriterLock
from knowledge.store.disk.storage import AtomicJSONStorage
from knowledge.store.loading import HISTORY_SUFFIX, facts_of, summary

MANIFEST = "manifest.json"
FORMAT = 1
PARTIAL = ".partial"
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Part:
    """One file of a database: ``<db><suffix>``; a journal is line-based and copied up to its last line.

    A ``derived`` file (the search index) is made from the others: a backup leaves it out, and a
    restore moves it aside with the files it replaces, so nothing made from the old base survives.
    """

    suffix: str
    journal: bool
    derived: bool = False


DATABASE = Part("", journal=False)
HISTORY = Part(HISTORY_SUFFIX, journal=True)
# The store's own files made from the database, for a faster start: never backed up;
# a restore moves them aside.
MADE_FROM_IT = (
    Part(stamp.SUFFIX, journal=False, derived=True),
    Part(fastload.SUFFIX, journal=False, derived=True),
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A backup folder as its manifest describes it."""

    folder: Path
    created_at: str
    facts: int
    version: int
    files: tuple[dict[str, Any], ...]


class BadBackup(KnowledgeError):
    """A backup that cannot be restored; nothing was changed."""

    def __init__(self, folder: Path, problem: str) -> None:
        self.folder = folder
        super().__init__(f"The backup {folder} cannot be restored: {problem}. Nothing was changed.")


def database_version(document: dict[str, Any]) -> int:
    """The database's version: every write adds a fact at version 1 or raises one fact's version by 1,
    so the sum of its facts' versions counts the changes it holds and grows with every write."""
    table = document.get("facts", {})
    return sum(record.get("version", 1) for record in table.values() if isinstance(record, dict))


def _stamp() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy(source: Path, target: Path, *, journal: bool) -> bytes | None:
    """Copy ``source`` as it is now into a new private file ``target``; None if there is no source.

    A journal is copied up to its size when opened and cut back to its last whole
    line. Returns the bytes copied when they are the database (to validate them).
    """
    try:
        handle = source.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        size = os.fstat(handle.fileno()).st_size
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        kept: list[bytes] = []
        try:
            copied = last_line_end = 0
            while copied < size and (chunk := handle.read(min(_CHUNK, size - copied))):
                write_all(fd, chunk)
                if not journal:
                    kept.append(chunk)
                if (newline := chunk.rfind(b"\n")) >= 0:
                    last_line_end = copied + newline + 1
                copied += len(chunk)
            if journal and last_line_end < copied:
                os.ftruncate(fd, last_line_end)  # a line being appended right now: left out, not torn
            os.fsync(fd)
        finally:
            os.close(fd)
    return b"".join(kept)


def _describe(folder: Path, name: str, suffix: str) -> dict[str, Any]:
    path = folder / name
    return {"name": name, "suffix": suffix, "size": path.stat().st_size, "sha256": _sha256(path)}


def _document(db: Path, raw: bytes) -> dict[str, Any]:
    """The validated TinyDB document in ``raw`` (the bytes of database ``db``), or BadBackup."""
    storage = AtomicJSONStorage(db)
    document = storage.parse(raw)
    _facts, _ids, problems = facts_of(document)
    if problems:
        raise KnowledgeError(summary(problems))
    return document


def take(db: Path, dest: Path, desk: Sequence[Part] = ()) -> Snapshot:
    """Back up database ``db`` and its files (``desk``: the desk's, beside it) into a new folder in ``dest``.

    Needs no writer lock: safe while the bot writes (see the module docstring).
    Raises :class:`KnowledgeError` if the database is missing or does not
    validate, or the copy cannot be written; a half-written copy is removed.
    """
    db = Path(db)
    if not db.exists():
        raise KnowledgeError(f"There is no fact database at {db} to back up.")
    name = f"{db.name}-{_stamp()}"
    try:
        dest.mkdir(parents=True, exist_ok=True)
        folder = dest / name
        n = 1
        while folder.exists():
            n += 1
            folder = dest / f"{name}-{n}"
        work = folder.with_name(folder.name + PARTIAL)
        work.mkdir(mode=0o700)
    except OSError as error:
        raise KnowledgeError(f"Cannot write a backup into {dest} ({describe_os_error(error)}).") from error
    try:
        created_at = datetime.now(UTC).isoformat(timespec="seconds")
        files = []
        document: dict[str, Any] = {}
        for part in (*(p for p in desk if not p.derived), DATABASE, HISTORY):  # this order: see the docstring
            file = db.name + part.suffix
            raw = _copy(db.with_name(file), work / file, journal=part.journal)
            if raw is None:
                continue
            if part is DATABASE:
                try:
                    document = _document(db, raw)
                except KnowledgeError as error:
                    raise KnowledgeError(f"The fact database {db} cannot be backed up: {error}") from None
            files.append(_describe(work, file, part.suffix))
        manifest = {
            "format": FORMAT,
            "created_at": created_at,
            "database": db.name,
            "source": str(db),
            "facts": len(document.get("facts", {})),
            "version": database_version(document),
            "files": files,
        }
        data = json.dumps(manifest, indent=2).encode() + b"\n"
        fd = os.open(work / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_folder(work)
        work.rename(folder)
        fsync_folder(dest)
    except OSError as error:
        shutil.rmtree(work, ignore_errors=True)
        raise KnowledgeError(f"Cannot write a backup into {dest} ({describe_os_error(error)}).") from error
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Snapshot(folder, created_at, manifest["facts"], manifest["version"], tuple(files))


def read(folder: Path) -> Snapshot:
    """The backup in ``folder``, checked: every file its manifest lists is there with its size and
    checksum, and the database validates. :class:`BadBackup` says what is wrong."""
    folder = Path(folder)
    if folder.name.endswith(PARTIAL):
        raise BadBackup(folder, "it is a backup that was never finished (its name ends in .partial)")
    try:
        manifest = json.loads((folder / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise BadBackup(folder, f"it has no {MANIFEST}; give the folder `bot.py backup` made") from None
    except (OSError, ValueError) as error:
        raise BadBackup(folder, f"its {MANIFEST} cannot be read ({error})") from None
    try:
        if manifest["format"] != FORMAT:
            raise BadBackup(folder, f"its format {manifest['format']!r} is not one this version reads")
        files = tuple(manifest["files"])
        by_suffix = {entry["suffix"]: entry for entry in files}
        facts, version, created_at = int(manifest["facts"]), int(manifest["version"]), manifest["created_at"]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise BadBackup(folder, f"its {MANIFEST} is not one `bot.py backup` writes") from None
    if "" not in by_suffix:
        raise BadBackup(folder, "it holds no database")
    for entry in files:
        path = folder / Path(entry["name"]).name
        try:
            size, sha = path.stat().st_size, _sha256(path)
        except OSError as error:
            raise BadBackup(folder, f"{path.name} cannot be read ({describe_os_error(error)})") from None
        if size != entry["size"] or sha != entry["sha256"]:
            raise BadBackup(
                folder, f"{path.name} is not the file that was backed up (its size or SHA-256 differs)"
            )
    database = folder / by_suffix[""]["name"]
    try:
        document = _document(database, database.read_bytes())
    except KnowledgeError as error:
        raise BadBackup(folder, f"its database {database.name} does not validate: {error}") from None
    if len(document.get("facts", {})) != facts:
        raise BadBackup(folder, f"its database holds a different number of facts than its {MANIFEST} says")
    return Snapshot(folder, created_at, facts, version, files)


@dataclass(frozen=True, slots=True)
class Restored:
    snapshot: Snapshot
    kept: Path | None  # where the replaced files were moved; None if there were none


def _stage(snapshot: Snapshot, db: Path) -> Iterator[tuple[Path, Path]]:
    """Copy each backed-up file to a temp file beside ``db``: (temp, final place) pairs."""
    for entry in snapshot.files:
        target = db.with_name(db.name + entry["suffix"])
        temp = target.with_name(f".{target.name}.restoring")
        temp.unlink(missing_ok=True)
        try:
            with (snapshot.folder / Path(entry["name"]).name).open("rb") as source, temp.open("xb") as out:
                shutil.copyfileobj(source, out, _CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o600 if entry["suffix"].endswith(".key") else 0o644)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        yield temp, target


def restore(folder: Path, db: Path, parts: Sequence[Part]) -> Restored:
    """Put the backup in ``folder`` in place of database ``db`` and its files (``parts``: all the desk's).

    Raises :class:`~knowledge.errors.StoreLocked` (naming the holder) while a
    bot or command holds ``db``, :class:`BadBackup` if the backup does not check
    out; either way nothing is changed.
    """
    db = Path(db)
    snapshot = read(folder)
    known = {part.suffix for part in (DATABASE, HISTORY, *parts) if not part.derived}  # never restored
    for entry in snapshot.files:
        if entry["suffix"] not in known:
            raise BadBackup(
                snapshot.folder, f"it holds {entry['name']}, not a file of a fact desk this version knows"
            )
    db.parent.mkdir(parents=True, exist_ok=True)
    lock = WriterLock.acquire(db)
    staged: list[tuple[Path, Path]] = []
    try:
        try:
            for pair in _stage(snapshot, db):
                staged.append(pair)  # one by one: a copy that fails leaves the others to remove
        except OSError as error:
            raise KnowledgeError(
                f"Cannot copy the backup next to {db} ({describe_os_error(error)}). Nothing was changed."
            ) from error
        current = [
            path
            for part in (DATABASE, HISTORY, *MADE_FROM_IT, *parts)
            if (path := db.with_name(db.name + part.suffix)).exists()
        ]
        kept = db.with_name(f"{db.name}.replaced-{_stamp()}") if current else None
        try:
            if kept is not None:
                n = 1
                while kept.exists():
                    n += 1
                    kept = kept.with_name(f"{db.name}.replaced-{_stamp()}-{n}")
                kept.mkdir(mode=0o700)
                for path in current:
                    path.rename(kept / path.name)
            for temp, target in staged:
                os.replace(temp, target)
            fsync_folder(db.parent)
        except OSError as error:
            aside = f"; the files it replaced are in {kept}" if kept is not None else ""
            raise KnowledgeError(
                f"Restoring {snapshot.folder} to {db} failed halfway ({describe_os_error(error)}){aside}."
            ) from error
    finally:
        for temp, _ in staged:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
        lock.release()
    return Restored(snapshot, kept)
