"""The fact store: facts in memory, one crash-safe TinyDB file on disk, every change in the history.

How a write goes (the files themselves are described in :mod:`knowledge.storage`):

1. It waits for the store's ``asyncio.Lock``, so writes happen one at a time,
   in order, and each one sees the previous one's result.
2. In a worker thread it validates (``parse_fact``, always), checks versions,
   appends the history entries and fsyncs them, then rewrites the TinyDB file
   atomically. Only the changed records are encoded; the others are copied
   from the current file as bytes (see :meth:`AtomicJSONStorage.patch_table`),
   so a write at 100,000 facts is mostly disk time, the thread keeps giving
   the GIL back, and the event loop never waits on it for long. The first
   write after loading a file this process did not write encodes every record
   (in batches), which also records the layout later writes patch.
3. Only when the file is durable does the event loop apply the change to
   memory and tell the listeners (the search index). If the disk refused, the
   caller gets :class:`WriteFailed` and memory is as it was, so the bot keeps
   answering. A caller that is cancelled meanwhile does not cancel the write:
   it finishes and is applied, so memory always matches the file.

Reads (``get``, ``facts``, ``len``, ``history``) come from memory and the
history log and never write. Provenance (who, when, version, retraction) is
always set here from the ``Actor``, never taken from input. Nothing is ever
deleted: a retracted fact stays, hidden from ``facts()``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from knowledge.errors import (
    AlreadyRetracted,
    CorruptDatabase,
    DuplicateFact,
    FactNotFound,
    InvalidFact,
    KnowledgeError,
    NotRetracted,
    Problem,
    StaleEdit,
    WriteFailed,
)
from knowledge.model import (
    CONTENT_FIELDS,
    FACT_FIELDS,
    MAX_REASON,
    MAX_SOURCES,
    Actor,
    Fact,
    HistoryEntry,
    _Checker,
    now_iso,
    page_key,
    parse_fact,
    parse_facts,
    parse_source,
)
from knowledge.storage import (
    AtomicJSONStorage,
    HistoryLog,
    LayoutMismatch,
    WriterLock,
    describe_os_error,
    encode_document,
)
from knowledge.transfer import DOC_ID_RE, load_document

log = logging.getLogger(__name__)

SHIPPED_BASE = Path(__file__).with_name("facts.json")
TABLE = "facts"
HISTORY_SUFFIX = ".history.jsonl"
SEED_ACTOR = Actor("seed", "seed")
_SHOWN_PROBLEMS = 5
_NOTIFY_BATCH = 256

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Keys an import added, changed, or found already identical (same content fields)."""

    added: list[str]
    changed: list[str]
    unchanged: list[str]


@dataclass(frozen=True, slots=True)
class _Change:
    """One write: the new versions of the facts it touches and the history describing them."""

    facts: tuple[Fact, ...]
    entries: tuple[HistoryEntry, ...]


# A write's plan runs on the worker thread under the lock: it validates against
# the current state and returns the caller's result and the change to persist
# (None when there is nothing to write).
Plan = Callable[[], tuple[T, _Change | None]]


def _content(fact: Fact) -> tuple[Any, ...]:
    return tuple(getattr(fact, name) for name in CONTENT_FIELDS)


def _encode(fact: Fact) -> str:
    # ASCII escapes: a lone surrogate that got past validation still makes a valid UTF-8 file.
    return json.dumps(fact.to_dict())


def _summary(problems: list[str]) -> str:
    shown = "; ".join(problems[:_SHOWN_PROBLEMS])
    more = len(problems) - _SHOWN_PROBLEMS
    return shown + (f"; and {more} more problem{'s' if more > 1 else ''}" if more > 0 else "")


def _reason(value: Any, *, required: bool) -> str | None:
    """A change's reason, checked by the same text rules as every fact field."""
    checker = _Checker()
    text = checker.text("reason", value, limit=MAX_REASON, required=required, multiline=True)
    if checker.problems:
        raise InvalidFact(checker.problems)
    return text


def _facts_of(document: Mapping[str, Any]) -> tuple[dict[str, Fact], dict[str, int], list[str]]:
    """The facts of a TinyDB document by key, their doc ids, and every problem found."""
    problems = []
    if extra := sorted(set(document) - {TABLE}):
        problems.append(f"it holds a table other than `{TABLE}` ({', '.join(map(str, extra))})")
    table = document.get(TABLE, {})
    if not isinstance(table, dict):
        return {}, {}, [*problems, f"its `{TABLE}` table is not an object of numbered records"]
    facts: dict[str, Fact] = {}
    doc_ids: dict[str, int] = {}
    for doc_id, raw in table.items():
        key = raw.get("key") if isinstance(raw, dict) else None
        where = f"record {doc_id}" + (f" (`{key}`)" if isinstance(key, str) else "")
        if not DOC_ID_RE.match(doc_id):
            problems.append(f"{where}: its id must be a whole number from 1 up")
            continue
        try:
            fact = parse_fact(raw, record=where)
        except InvalidFact as error:
            problems.append(str(error))
            continue
        if fact.key in facts:
            problems.append(
                f"{where}: the key is used again (first by record {doc_ids[fact.key]}); keys must be unique"
            )
            continue
        facts[fact.key] = fact
        doc_ids[fact.key] = int(doc_id)
    return facts, doc_ids, problems


def _load(storage: AtomicJSONStorage) -> tuple[dict[str, Fact], dict[str, int]]:
    # Loading makes millions of objects that stay alive as long as the store. With
    # the cyclic collector running, it rescans them again and again (loading takes
    # twice as long), and every later full collection would scan them all again on
    # the event loop (~0.4 s at 100,000 facts). So: collect what is garbage now,
    # load with the collector off, then freeze the survivors out of its way.
    # Freezing does not keep anything alive; reference counting still frees it.
    collecting = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        document = storage.read() or {}
        facts, doc_ids, problems = _facts_of(document)
        del document
        if not problems:
            gc.freeze()
    except CorruptDatabase as error:
        raise CorruptDatabase(error.path, error.problem, _newest_good_backup(storage)) from None
    finally:
        if collecting:
            gc.enable()
    if problems:
        raise CorruptDatabase(str(storage.path), _summary(problems), _newest_good_backup(storage))
    return facts, doc_ids


def _newest_good_backup(storage: AtomicJSONStorage) -> str | None:
    for backup in storage.backups():
        try:
            document = storage.parse(backup.read_bytes())
        except (OSError, CorruptDatabase):
            continue
        if not _facts_of(document)[2]:
            return str(backup)
    return None


def _missing(storage: AtomicJSONStorage) -> KnowledgeError:
    """The database was moved or deleted: recreating it from the seed would hide its facts,
    and the next writes would rotate away the backups that still hold them."""
    good = _newest_good_backup(storage)
    recover = (
        f"copy its newest good backup {good} to {storage.path}" if good else "put a good copy of it back"
    )
    return KnowledgeError(
        f"The fact database {storage.path} is missing, but {storage.backup_dir} holds backups of it. "
        f"To recover, {recover}; to start again from the shipped facts, move that folder away first."
    )


def _create(
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
                + _summary([str(e) for e in errors])
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
        storage.write_tables({TABLE: ((str(i), _encode(f)) for i, f in enumerate(facts, start=1))})
    except OSError as error:
        raise WriteFailed(str(storage.path), describe_os_error(error)) from error
    return {f.key: f for f in facts}, {f.key: i for i, f in enumerate(facts, start=1)}


def _validated(fact: Fact) -> Fact:
    """``fact`` after the one validation every record goes through."""
    return parse_fact(fact.to_dict(), record=f"fact `{fact.key}`")


def _imported(incoming: Fact, actor: Actor, at: str) -> Fact:
    """A new fact from an import file: its content, our provenance, and still hidden if it was retracted."""
    withdrawn = incoming.retracted
    return incoming.evolve(
        added_by=actor.label,
        added_at=at,
        updated_by=None,
        updated_at=None,
        reviewed_at=None,
        version=1,
        retracted_at=at if withdrawn else None,
        retracted_by=actor.label if withdrawn else None,
        retraction_reason=(incoming.retraction_reason or "retracted in the imported file")
        if withdrawn
        else None,
    )


def _retrieve(task: asyncio.Task[Any]) -> None:
    # A write whose caller was cancelled still finishes; taking its error here keeps
    # asyncio from reporting it as never retrieved.
    if not task.cancelled() and (error := task.exception()) is not None:
        log.debug("a write whose caller had gone failed: %s", error)


class FactStore:
    """The fact database: see the module docstring. Open with :meth:`FactStore.open`."""

    def __init__(
        self,
        path: Path,
        *,
        storage: AtomicJSONStorage,
        lock: WriterLock,
        history: HistoryLog,
        facts: dict[str, Fact],
        doc_ids: dict[str, int],
    ) -> None:
        self.path = path
        self._storage = storage
        self._lock_file = lock
        self._history = history
        self._facts = facts
        self._doc_ids = doc_ids
        self._next_id = max(doc_ids.values(), default=0) + 1
        self._live = sum(1 for fact in facts.values() if not fact.retracted)
        self._listeners: list[Callable[[Fact], None]] = []
        self._write_lock = asyncio.Lock()
        # Held by the worker thread while it writes, and by close(): the writer lock is
        # never released mid-write, and no write starts once it is released.
        self._persisting = threading.Lock()
        self._closed = False

    @classmethod
    def open(cls, path: str | Path, *, seed: Path | None = SHIPPED_BASE) -> FactStore:
        """Take the writer lock and load ``path``, creating it from ``seed`` if it does not exist.

        Raises :class:`StoreLocked` if another process has it open, and
        :class:`CorruptDatabase` (file untouched) if it does not parse or validate.
        """
        path = Path(path)
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
                facts, doc_ids = _load(storage)
            elif storage.backups():
                raise _missing(storage)
            else:
                facts, doc_ids = _create(storage, history, seed)
        except OSError as error:
            lock.release()
            raise KnowledgeError(
                f"Cannot open the fact database {path} ({describe_os_error(error)})."
            ) from error
        except BaseException:
            lock.release()
            raise
        log.info("opened %s: %d facts", path, len(facts))
        return cls(path, storage=storage, lock=lock, history=history, facts=facts, doc_ids=doc_ids)

    def close(self) -> None:
        """Release the writer lock once the write in progress is on disk. Reads still work; writes
        (also those already waiting their turn) are refused."""
        with self._persisting:
            self._closed = True
            self._lock_file.release()
        # Hand what loading froze back to the collector, so whatever became garbage
        # meanwhile (in a test run, whole bots) can be collected again.
        gc.unfreeze()

    def __enter__(self) -> FactStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reads: memory only ---

    def get(self, key: str) -> Fact:
        """The fact with this key, retracted or not."""
        try:
            return self._facts[key]
        except KeyError:
            raise FactNotFound(key) from None

    def facts(self, *, include_retracted: bool = False) -> list[Fact]:
        if include_retracted:
            return list(self._facts.values())
        return [fact for fact in self._facts.values() if not fact.retracted]

    def __len__(self) -> int:
        return self._live

    def history(self, key: str | None = None) -> list[HistoryEntry]:
        """Every saved change, oldest first, of one fact or of all.

        Entries of writes that never reached the fact file (see
        :class:`knowledge.storage.HistoryLog`) are left out.
        """
        if key is not None:
            self.get(key)
        entries = self._history.read(key)
        last: dict[tuple[str, int | None], int] = {}
        for i, entry in enumerate(entries):
            last[(entry.key, entry.version)] = i
        saved = []
        for i, entry in enumerate(entries):
            fact = self._facts.get(entry.key)
            if fact is None or last[(entry.key, entry.version)] != i:
                continue
            if entry.version is None or entry.version <= fact.version:
                saved.append(entry)
        return saved

    def subscribe(self, listener: Callable[[Fact], None]) -> None:
        """Call ``listener(fact)`` on the event loop after every saved change (also retractions)."""
        self._listeners.append(listener)

    def export_document(self) -> dict[str, Any]:
        """The whole base, retracted facts included, as the TinyDB document ``import`` reads."""
        return {TABLE: {str(self._doc_ids[key]): fact.to_dict() for key, fact in self._facts.items()}}

    async def export_json(self) -> bytes:
        """:meth:`export_document` as JSON bytes, laid out like the database file.

        Encoded off the event loop one record at a time (one big ``json.dumps``
        would hold the GIL, and so the loop, for over a second at 100,000
        facts); facts are immutable, so the snapshot taken here stays true.
        """
        snapshot = [(str(self._doc_ids[key]), fact) for key, fact in self._facts.items()]
        return await asyncio.to_thread(
            lambda: encode_document(TABLE, ((doc_id, _encode(fact)) for doc_id, fact in snapshot))
        )

    # --- writes ---

    async def add(self, data: Mapping[str, Any], actor: Actor) -> Fact:
        """Add a new fact (its key and content fields); DuplicateFact if the key exists."""

        def plan() -> tuple[Fact, _Change]:
            fact = self._parse_new(data, actor)
            if fact.key in self._facts:
                raise DuplicateFact(fact.key)
            return fact, self._change("add", actor, [(None, fact)])

        return await self._write(plan)

    async def edit(
        self,
        key: str,
        changes: Mapping[str, Any],
        *,
        expected_version: int,
        actor: Actor,
        reason: str | None = None,
    ) -> Fact:
        """Change content fields (a None value removes an optional one) of the version you saw."""

        def plan() -> tuple[Fact, _Change | None]:
            current = self._current(key, expected_version)
            note = _reason(reason, required=False)
            if not isinstance(changes, Mapping):
                raise InvalidFact([Problem("changes", "must be an object of fields")], record=f"fact `{key}`")
            if bad := [name for name in changes if name not in CONTENT_FIELDS]:
                allowed = ", ".join(CONTENT_FIELDS)
                problems = [
                    Problem(str(name), f"cannot be changed by an edit (allowed: {allowed})") for name in bad
                ]
                raise InvalidFact(problems, record=f"fact `{key}`")
            record = current.to_dict() | dict(changes)
            record.update(updated_by=actor.label, updated_at=now_iso(), version=current.version + 1)
            fact = parse_fact(record, record=f"fact `{key}`")
            if _content(fact) == _content(current):
                return current, None
            return fact, self._change("edit", actor, [(current, fact)], reason=note)

        return await self._write(plan)

    async def cite(
        self, key: str, source: Mapping[str, Any], *, actor: Actor, expected_version: int | None = None
    ) -> Fact:
        """Add one citation (a fact has at most 10)."""

        def plan() -> tuple[Fact, _Change]:
            current = self._current(key, expected_version)
            cited = parse_source(source, record=f"fact `{key}`")
            if any(page_key(s.url) == page_key(cited.url) for s in current.sources):
                raise InvalidFact(
                    [Problem("source.url", "is already cited by this fact")], record=f"fact `{key}`"
                )
            if len(current.sources) >= MAX_SOURCES:
                raise InvalidFact(
                    [Problem("sources", f"already has {MAX_SOURCES} citations, the most a fact can have")],
                    record=f"fact `{key}`",
                )
            fact = self._revise(
                current, sources=(*current.sources, cited), updated_by=actor.label, updated_at=now_iso()
            )
            return fact, self._change("cite", actor, [(current, fact)])

        return await self._write(plan)

    async def retract(self, key: str, reason: str, actor: Actor) -> Fact:
        """Hide a fact from staff, saying why; it stays in the base and can be restored."""

        def plan() -> tuple[Fact, _Change]:
            current = self.get(key)
            if current.retracted:
                raise AlreadyRetracted(key)
            note = _reason(reason, required=True)
            fact = self._revise(
                current, retracted_at=now_iso(), retracted_by=actor.label, retraction_reason=note
            )
            return fact, self._change("retract", actor, [(current, fact)], reason=note)

        return await self._write(plan)

    async def restore(self, key: str, actor: Actor, reason: str | None = None) -> Fact:
        """Show a retracted fact to staff again."""

        def plan() -> tuple[Fact, _Change]:
            current = self.get(key)
            if not current.retracted:
                raise NotRetracted(key)
            note = _reason(reason, required=False)
            fact = self._revise(current, retracted_at=None, retracted_by=None, retraction_reason=None)
            return fact, self._change("restore", actor, [(current, fact)], reason=note)

        return await self._write(plan)

    async def review(self, key: str, actor: Actor, status: str | None = None) -> Fact:
        """Record that the fact was checked today, optionally setting its status."""

        def plan() -> tuple[Fact, _Change]:
            current = self.get(key)
            at = now_iso()
            changes: dict[str, Any] = {"reviewed_at": at}
            if status is not None and status != current.status:
                changes.update(status=status, updated_by=actor.label, updated_at=at)
            fact = self._revise(current, **changes)
            return fact, self._change("review", actor, [(current, fact)])

        return await self._write(plan)

    async def import_records(
        self, records: list[Any], actor: Actor, *, dry_run: bool = False
    ) -> ImportReport:
        """Merge records by key, all or nothing: every record is validated before anything is written.

        Content fields come from the records; provenance is set here (a new fact
        is added by ``actor`` now; a changed one gets a new version). A new fact
        the file marks as retracted is added retracted, so importing an export
        never brings back what was withdrawn.
        """

        def plan() -> tuple[ImportReport, _Change | None]:
            if not isinstance(records, list | tuple):
                raise InvalidFact([Problem("records", "must be a list of facts")], record="import")
            parsed, errors = parse_facts(records, label="import record")
            if errors:
                raise _import_error(errors)
            at = now_iso()
            report = ImportReport(added=[], changed=[], unchanged=[])
            pairs: list[tuple[Fact | None, Fact]] = []
            for incoming in parsed:
                current = self._facts.get(incoming.key)
                if current is None:
                    fact = _validated(_imported(incoming, actor, at))
                    report.added.append(fact.key)
                elif _content(incoming) == _content(current):
                    report.unchanged.append(current.key)
                    continue
                else:
                    content = {name: getattr(incoming, name) for name in CONTENT_FIELDS}
                    fact = self._revise(current, **content, updated_by=actor.label, updated_at=at)
                    report.changed.append(fact.key)
                pairs.append((current, fact))
            if dry_run or not pairs:
                return report, None
            return report, self._change("import", actor, pairs, at=at)

        return await self._write(plan)

    # --- write machinery ---

    def _parse_new(self, data: Any, actor: Actor) -> Fact:
        if not isinstance(data, Mapping):
            raise InvalidFact([Problem("fact", "must be an object")])
        set_here = [
            name for name in data if name in FACT_FIELDS and name != "key" and name not in CONTENT_FIELDS
        ]
        problems = [Problem(name, "is set by the store; leave it out") for name in set_here]
        record = {name: value for name, value in data.items() if name not in set_here}
        record.update(added_by=actor.label, added_at=now_iso(), version=1)
        try:
            fact = parse_fact(record)
        except InvalidFact as error:
            raise InvalidFact(problems + error.problems, record=error.record) from None
        if problems:
            raise InvalidFact(problems, record=f"fact `{fact.key}`")
        return fact

    def _current(self, key: str, expected_version: int | None) -> Fact:
        current = self.get(key)
        if expected_version is not None and current.version != expected_version:
            raise StaleEdit(key, expected_version, current.version)
        return current

    @staticmethod
    def _revise(current: Fact, **changes: Any) -> Fact:
        """The next version of ``current``."""
        return _validated(current.evolve(**changes, version=current.version + 1))

    @staticmethod
    def _change(
        action: str,
        actor: Actor,
        pairs: list[tuple[Fact | None, Fact]],
        *,
        reason: str | None = None,
        at: str | None = None,
    ) -> _Change:
        at = at or now_iso()
        entries = tuple(
            HistoryEntry(
                key=fact.key,
                action=action,
                actor=actor.label,
                at=at,
                reason=reason,
                before=before.to_dict() if before else None,
                after=fact.to_dict(),
                version=fact.version,
            )
            for before, fact in pairs
        )
        return _Change(facts=tuple(fact for _, fact in pairs), entries=entries)

    async def _write(self, plan: Plan[T]) -> T:
        if self._closed:
            raise self._closed_error()
        task = asyncio.ensure_future(self._serialised(plan))
        task.add_done_callback(_retrieve)
        return await asyncio.shield(task)

    async def _serialised(self, plan: Plan[T]) -> T:
        async with self._write_lock:
            result, change, new_ids = await asyncio.to_thread(self._plan_and_persist, plan)
            if change is not None:
                self._apply(change, new_ids)
                await self._notify(change.facts)
            return result

    def _closed_error(self) -> RuntimeError:
        return RuntimeError(f"the fact store {self.path} is closed")

    def _plan_and_persist(self, plan: Plan[T]) -> tuple[T, _Change | None, dict[str, int]]:
        """On the worker thread: validate, then history, then the file. Memory is not touched."""
        with self._persisting:
            if self._closed:  # closed while this write waited its turn
                raise self._closed_error()
            return self._persist(plan)

    def _persist(self, plan: Plan[T]) -> tuple[T, _Change | None, dict[str, int]]:
        result, change = plan()
        if change is None:
            return result, None, {}
        encoded = {fact.key: _encode(fact) for fact in change.facts}
        fresh = [fact.key for fact in change.facts if fact.key not in self._doc_ids]
        new_ids = {key: self._next_id + i for i, key in enumerate(fresh)}
        try:
            self._history.append(change.entries)
            self._write_file(encoded, new_ids)
        except OSError as error:
            raise WriteFailed(str(self.path), describe_os_error(error)) from error
        return result, change, new_ids

    def _write_file(self, encoded: dict[str, str], new_ids: dict[str, int]) -> None:
        """Patch the changed records into the file if its layout is known, else write it whole."""
        appended = [(str(doc_id), encoded[key]) for key, doc_id in new_ids.items()]
        if self._storage.layout is not None:
            replaced = {}
            wanted = len(encoded) - len(new_ids)
            for position, (key, doc_id) in enumerate(self._doc_ids.items()):
                if len(replaced) == wanted:
                    break
                if key in encoded:
                    replaced[position] = (str(doc_id), encoded[key])
            try:
                self._storage.patch_table(TABLE, replaced, appended)
                return
            except LayoutMismatch as error:
                log.warning("writing %s whole: %s", self.path, error)
        self._storage.write_tables({TABLE: self._records(encoded, appended)})

    def _records(self, encoded: dict[str, str], appended: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
        for key, doc_id in self._doc_ids.items():
            yield str(doc_id), encoded.get(key) or _encode(self._facts[key])
        yield from appended

    def _apply(self, change: _Change, new_ids: dict[str, int]) -> None:
        for fact in change.facts:
            old = self._facts.get(fact.key)
            self._live += (not fact.retracted) - (old is not None and not old.retracted)
            self._facts[fact.key] = fact
        self._doc_ids.update(new_ids)
        self._next_id += len(new_ids)

    async def _notify(self, facts: tuple[Fact, ...]) -> None:
        for i, fact in enumerate(facts, start=1):
            for listener in self._listeners:
                try:
                    listener(fact)
                except Exception:
                    log.exception("a listener failed on `%s`; the change itself is saved", fact.key)
            if i % _NOTIFY_BATCH == 0:
                await asyncio.sleep(0)  # a big import must not hold the event loop


def _import_error(errors: list[InvalidFact]) -> InvalidFact:
    if len(errors) == 1:
        return errors[0]
    problems = [
        Problem(error.record or "record", "; ".join(str(p) for p in error.problems))
        for error in errors[:_SHOWN_PROBLEMS]
    ]
    if len(errors) > _SHOWN_PROBLEMS:
        problems.append(Problem("import", f"and {len(errors) - _SHOWN_PROBLEMS} more bad records"))
    return InvalidFact(problems, record=f"{len(errors)} records are invalid; nothing was imported")
