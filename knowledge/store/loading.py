"""Opening a database file: load and validate it, refuse it untouched, or create it from the seed.

Every record of the file goes through :func:`knowledge.model.parse_records`
(the same validation as every other entry point); one bad record and the whole
file is refused with :class:`CorruptDatabase`, naming the newest backup that
does load. A missing file with backups beside it is refused too, never
recreated from the seed (see :func:`missing`).

Validated once: a file this store wrote, or validated on an earlier open, carries a
stamp of its fingerprint (:mod:`knowledge.store.disk.stamp`). When the fingerprint
of the bytes on disk matches it, the records are decoded without the checks
(:func:`knowledge.model.stored_fact`); otherwise they are validated as above, and
a file that passes is stamped. Faster still, a snapshot of exactly that file's facts
(:mod:`knowledge.store.disk.fastload`, kept when a store opens, keeps or closes) is read
instead of the JSON. :func:`read_base` does the same for a reader
(``bot.py ask``), which takes no lock and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.errors import CorruptDatabase, InvalidFact, KnowledgeError, WriteFailed
from knowledge.model import (
    Actor,
    Fact,
    HistoryEntry,
    now_iso,
    parse_facts,
    parse_records,
    stored_fact,
)
from knowledge.store.disk.atomic import describe_os_error
from knowledge.store.disk.fastload import (
    Snapshot,
    SnapshotFacts,
    read_snapshot,
    snapshot_path,
    write_snapshot,
)
from knowledge.store.disk.layout import Layout, encode_document, read_layout
from knowledge.store.disk.lock import WriterLock
from knowledge.store.disk.stamp import (
    file_status,
    settle,
    settled_status,
    unchanged_fingerprint,
    vouches,
    write_stamp,
)
from knowledge.store.disk.storage import AtomicJSONStorage
from knowledge.store.history import HistoryLog
from knowledge.store.transfer import DOC_ID_RE, load_document, read_bytes, read_document

log = logging.getLogger(__name__)

TABLE = "facts"
HISTORY_SUFFIX = ".history.jsonl"
SEED_ACTOR = Actor("seed", "seed")
SHOWN_PROBLEMS = 5


@dataclass(frozen=True, slots=True)
class Opened:
    """A database opened for writing: its writer lock held, its file loaded and validated."""

    path: Path
    storage: AtomicJSONStorage
    lock: WriterLock
    history: HistoryLog
    facts: dict[str, Fact]
    doc_ids: dict[str, int]


def open_database(path: Path, *, seed: Path | None) -> Opened:
    """Take the writer lock and load ``path``, creating it from ``seed`` if it does not exist."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KnowledgeError(
            f"Cannot create the folder of the fact database {path} ({describe_os_error(error)})."
        ) from error
    lock = WriterLock.acquire(path)
    try:
        storage = AtomicJSONStorage(path)
        storage.remove_stale_temp_files()
        history = HistoryLog(path.with_name(path.name + HISTORY_SUFFIX))
        if path.exists():
            facts, doc_ids = load(storage)
        elif storage.backups():
            raise missing(storage)
        else:
            facts, doc_ids = create(storage, history, seed)
    except OSError as error:
        lock.release()
        raise KnowledgeError(f"Cannot open the fact database {path} ({describe_os_error(error)}).") from error
    except BaseException:
        lock.release()
        raise
    log.info("opened %s: %d facts", path, len(facts))
    return Opened(path, storage, lock, history, facts, doc_ids)


def read_only(path: Path, *, seed: Path | None = None) -> tuple[dict[str, Fact], dict[str, int]]:
    """The facts of the database at ``path`` and their record ids, read as a plain file.

    No writer lock is taken and nothing is created or written, so ``export`` and a dry-run
    ``import`` work while the bot runs (a write replaces the file whole: a read sees one
    version). Refused as :func:`open_database` refuses a file that does not load, or a
    missing one with backups. A missing one without: the ``seed`` it would be created
    from, or :class:`KnowledgeError` without a seed.
    """
    storage = AtomicJSONStorage(path)
    if path.exists():
        return load(storage)
    if storage.backups():
        raise missing(storage)
    if seed is None:
        raise KnowledgeError(f"There is no fact database at {path}.")
    return load(AtomicJSONStorage(seed))


def document_bytes(facts: Mapping[str, Fact], doc_ids: Mapping[str, int]) -> bytes:
    """The facts laid out as the database file holds them: the TinyDB document ``export`` writes."""
    return encode_document(TABLE, ((str(doc_ids[key]), encode(fact)) for key, fact in facts.items()))


def encode(fact: Fact) -> str:
    """A fact's record as it is stored."""
    # ASCII escapes: a lone surrogate that got past validation still makes a valid UTF-8 file.
    return json.dumps(fact.to_dict())


def summary(problems: list[str]) -> str:
    shown = "; ".join(problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    return shown + (f"; and {more} more problem{'s' if more > 1 else ''}" if more > 0 else "")


def facts_of(document: Mapping[str, Any]) -> tuple[dict[str, Fact], dict[str, int], list[str]]:
    """The facts of a TinyDB document by key, their doc ids, and every problem found."""
    problems = []
    if extra := sorted(set(document) - {TABLE}):
        problems.append(f"it holds a table other than `{TABLE}` ({', '.join(map(str, extra))})")
    table = document.get(TABLE, {})
    if not isinstance(table, dict):
        return {}, {}, [*problems, f"its `{TABLE}` table is not an object of numbered records"]
    numbered = []
    for doc_id, raw in table.items():
        if DOC_ID_RE.match(doc_id):
            numbered.append((doc_id, raw))
            continue
        key = raw.get("key") if isinstance(raw, dict) else None
        named = f" (`{key}`)" if isinstance(key, str) else ""
        problems.append(f"record {doc_id}{named}: its id must be a whole number from 1 up")
    parsed, errors = parse_records(((f"record {i}", raw) for i, raw in numbered), keys_in_names=True)
    problems += [str(error) for error in errors]
    if problems:
        return {}, {}, problems
    # No record was refused, so the facts are the numbered records, in order.
    facts = {fact.key: fact for fact in parsed}
    doc_ids = {fact.key: int(doc_id) for fact, (doc_id, _) in zip(parsed, numbered, strict=True)}
    return facts, doc_ids, []


def fingerprint(raw: bytes, layout: Layout | None) -> str:
    """The fingerprint of a database file's bytes: its layout's, or for a file not laid out
    as the store writes it (formatted by hand), the SHA-256 of the bytes."""
    return (layout and layout.fingerprint) or hashlib.sha256(raw).hexdigest()


def fingerprint_of(path: Path) -> str:
    """The fingerprint of the database file at ``path`` as it is now, without locking or
    validating it: what :attr:`knowledge.store.FactStore.fingerprint` says once that file is
    loaded. Raises :class:`KnowledgeError` if it cannot be read."""
    raw = read_bytes(path)
    return fingerprint(raw, read_layout(raw, TABLE))


def settle_file(path: Path) -> str:
    """:func:`fingerprint_of` the database file at ``path``, for its writer (which holds the
    writer lock) as it lets go of it: if the file has settled, the stamp that vouches for those
    bytes also records the file's status, as an open does (:func:`load`), so readers of a file
    the bot wrote and then stopped need not read it whole either."""
    before = file_status(path)
    found = fingerprint_of(path)
    settle(path, found, settled_status(before, file_status(path)))
    return found


def trusted_facts(raw: bytes, layout: Layout) -> tuple[dict[str, Fact], dict[str, int]] | None:
    """The facts of a file the stamp vouches for, decoded without validation; None if, against
    all odds, its bytes do not decode to one record per line (then it is validated in full)."""
    try:
        table = json.loads(raw)[TABLE]
        facts = {}
        doc_ids = {}
        for doc_id, record in table.items():
            fact = stored_fact(record)
            facts[fact.key] = fact
            doc_ids[fact.key] = int(doc_id)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if len(facts) != len(table) or len(facts) != len(layout.lengths):
        return None
    return facts, doc_ids


def load(storage: AtomicJSONStorage) -> tuple[dict[str, Fact], dict[str, int]]:
    """The facts of the file and their doc ids, or :class:`CorruptDatabase` (file untouched).

    A file the stamp vouches for is decoded without validation; any other is
    validated in full and, if it passes, stamped.
    """
    before = file_status(storage.path)
    raw = storage.read_bytes()
    status = settled_status(before, file_status(storage.path))  # names these bytes, if settled
    layout = read_layout(raw, TABLE) if raw is not None else None
    if layout is not None and (snapshot := _snapshot(storage.path, layout)) is not None:
        storage.remember(layout, layout.fingerprint)
        settle(storage.path, layout.fingerprint, status)  # a reader may trust the status now
        return snapshot
    if layout is not None and vouches(storage.path, layout.fingerprint):
        trusted = trusted_facts(raw, layout)
        if trusted is not None:
            storage.remember(layout, layout.fingerprint)
            settle(storage.path, layout.fingerprint, status)
            keep_snapshot(storage.path, layout.fingerprint, *trusted)
            return trusted
    try:
        document = storage.parse(raw) if raw is not None else {}
    except CorruptDatabase as error:
        raise CorruptDatabase(error.path, error.problem, newest_good_backup(storage)) from None
    facts, doc_ids, problems = facts_of(document)
    del document
    if problems:
        raise CorruptDatabase(str(storage.path), summary(problems), newest_good_backup(storage))
    if layout is not None and len(layout.lengths) != len(facts):
        layout = None  # records not one per line: the first write writes the file whole
    storage.remember(layout, fingerprint(raw or b"", layout))
    if layout is not None:
        write_stamp(storage.path, layout.fingerprint, status)  # validated now: the next open need not
        keep_snapshot(storage.path, layout.fingerprint, facts, doc_ids)
    return facts, doc_ids


def _snapshot(db: Path, layout: Layout) -> tuple[dict[str, Fact], dict[str, int]] | None:
    """The file's facts from its snapshot, if there is one of exactly this file (one fact a line)."""
    found = read_snapshot(db, layout.fingerprint) if layout.fingerprint else None
    return found if found is not None and len(found[0]) == len(layout.lengths) else None


def keep_snapshot(db: Path, fingerprint: str | None, facts: dict[str, Fact], doc_ids: dict[str, int]) -> None:
    """Write the snapshot of the file with ``fingerprint`` holding ``facts`` (writer only)."""
    if fingerprint:
        write_snapshot(db, fingerprint, ((doc_ids[key], fact) for key, fact in facts.items()))


@dataclass(frozen=True, slots=True)
class Base:
    """A database read without its writer lock: every fact that loaded, retracted ones too."""

    facts: Sequence[Fact]  # from the snapshot: each fact read and made when it is first read
    fingerprint: str
    skipped: list[InvalidFact]  # records refused by validation, left out


def read_base(path: Path) -> Base:
    """The facts in the fact file at ``path``, for a reader (``bot.py ask``): no lock, nothing written.

    A file the stamp vouches for is decoded without validation; any other shape
    :mod:`knowledge.store.transfer` reads is validated, and the records it refuses
    are left out and listed in :attr:`Base.skipped` (a reader answers from the rest).
    Raises :class:`KnowledgeError` if the file cannot be read or is not a fact file.
    """
    if (unchanged := unchanged_fingerprint(path)) is not None:
        # The stamp names this file by its status, which any change to it would have changed:
        # its fingerprint need not be computed from its 96 MB again (see stamp.settled_status).
        snapshot = Snapshot.open(path, unchanged)
        if snapshot is not None:
            return Base(SnapshotFacts(snapshot, lambda: _facts_of_file(path, unchanged)), unchanged, [])
    raw = read_bytes(path)
    layout = read_layout(raw, TABLE)
    if layout is not None and (known := layout.fingerprint):
        snapshot = Snapshot.open(path, known)
        if snapshot is not None and len(snapshot) == len(layout.lengths):
            return Base(SnapshotFacts(snapshot, lambda: _facts_of_file(path, known)), known, [])
    return _base_of(path, raw, layout)


def _base_of(path: Path, raw: bytes, layout: Layout | None) -> Base:
    """:func:`read_base` of the bytes ``raw`` of the file itself (no snapshot of them)."""
    if layout is not None and vouches(path, layout.fingerprint):
        trusted = trusted_facts(raw, layout)
        if trusted is not None:
            return Base(list(trusted[0].values()), fingerprint(raw, layout), [])
    facts, errors = parse_facts(read_document(raw, str(path)), label=f"{path} record")
    return Base(facts, fingerprint(raw, layout), errors)


def _facts_of_file(path: Path, expected: str) -> dict[str, Fact]:
    """The facts of the file at ``path`` by key, read from the file itself, for a reader whose
    snapshot of it (of the file with fingerprint ``expected``) turned out damaged after it opened.
    Raises :class:`KnowledgeError` if the file is no longer that file, or no longer loads whole."""
    raw = read_bytes(path)
    base = _base_of(path, raw, read_layout(raw, TABLE))
    if base.fingerprint != expected or base.skipped:
        raise KnowledgeError(
            f"The fact database {path} changed while it was read (and {snapshot_path(path)}, "
            "a copy kept to read it faster, is damaged): ask again."
        )
    return {fact.key: fact for fact in base.facts}


def newest_good_backup(storage: AtomicJSONStorage) -> str | None:
    for backup in storage.backups():
        try:
            document = storage.parse(backup.read_bytes())
        except (OSError, CorruptDatabase):
            continue
        if not facts_of(document)[2]:
            return str(backup)
    return None


def missing(storage: AtomicJSONStorage) -> KnowledgeError:
    """The database was moved or deleted: recreating it from the seed would hide its facts,
    and the next writes would rotate away the backups that still hold them."""
    good = newest_good_backup(storage)
    recover = (
        f"copy its newest good backup {good} to {storage.path}" if good else "put a good copy of it back"
    )
    return KnowledgeError(
        f"The fact database {storage.path} is missing, but {storage.backup_dir} holds backups of it. "
        f"To recover, {recover}; to start again from the shipped facts, move that folder away first."
    )


def create(
    storage: AtomicJSONStorage, history: HistoryLog, seed: Path | None
) -> tuple[dict[str, Fact], dict[str, int]]:
    """Write a new database holding the seed's facts (none without a seed)."""
    facts: list[Fact] = []
    if seed is not None:
        try:
            facts, errors = parse_facts(load_document(seed), label=f"{seed} record")
        except KnowledgeError as error:
            raise KnowledgeError(
                f"Cannot create the fact database {storage.path} from {seed}: {error}"
            ) from None
        if errors:
            raise KnowledgeError(
                f"Cannot create the fact database {storage.path} from {seed}: "
                + summary([str(e) for e in errors])
            )
    at = now_iso()
    entries = [
        HistoryEntry(
            key=fact.key,
            action="import",
            actor=SEED_ACTOR.label,
            at=at,
            reason=f"created from {seed}",
            after=fact.to_dict(),
            version=fact.version,
        )
        for fact in facts
    ]
    try:
        history.append(entries)
        storage.write_tables({TABLE: ((str(i), encode(f)) for i, f in enumerate(facts, start=1))})
    except OSError as error:
        raise WriteFailed(str(storage.path), describe_os_error(error)) from error
    write_stamp(storage.path, storage.fingerprint)
    return {f.key: f for f in facts}, {f.key: i for i, f in enumerate(facts, start=1)}
