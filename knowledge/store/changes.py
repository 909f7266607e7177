"""The fact repository: facts in memory, and every change planned, validated and applied here.

A change (add, edit, cite, retract, restore, review, import, teach) is a *plan*: a
function that validates the request against the current facts and returns the
new versions and how their history records them. :class:`knowledge.store.writes.Writer` runs
plans one at a time and makes them durable (the history synced before the file is replaced);
only then does :meth:`FactStore._saved` apply the change to memory and tell the
listeners (the search index).

Where each promise is kept, by file: opening and validating a database,
:mod:`knowledge.store.loading`; the writer lock, :mod:`knowledge.store.disk.lock`; the order of
a write, :mod:`knowledge.store.writes`; the history log, :mod:`knowledge.store.history`;
the atomic file replace, :mod:`knowledge.store.disk.atomic`; backups,
:mod:`knowledge.store.disk.backups`.

A *note* (:meth:`FactStore.note`) goes through the same writer but changes
only the history: something that happened without changing a fact, such as
posted answers corrected (:meth:`FactStore.record_corrections`) or, under a
subject key like ``~thesaurus``, a change that is about no single fact.

Reads (``get``, ``facts``, ``len``, ``history``) come from memory and the
history log and never write. Provenance (who, when, version, retraction) is
always set here from the ``Actor``, never taken from input. Nothing is ever
deleted: a retracted fact stays, hidden from ``facts()``.

At a little under 500 lines this is longer than the other parts on purpose: it
is the eight changes a fact can go through and the note beside them, each with
the rule it enforces, read side by side; the machinery they share lives in the
modules above.

Its length: one method per change (add, edit, cite, retract, restore, review, teach, import,
note), each short, sharing one writer and one history; the write machinery itself is in writes.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from knowledge.errors import (
    AlreadyRetracted,
    DuplicateFact,
    FactNotFound,
    InvalidFact,
    NotRetracted,
    Problem,
    StaleEdit,
)
from knowledge.model import (
    CONTENT_FIELDS,
    FACT_FIELDS,
    MAX_ASKED_AS,
    MAX_QUESTION,
    MAX_REASON,
    MAX_SHORT,
    MAX_SOURCES,
    SUBJECT_KEY_RE,
    Actor,
    CorrectionReport,
    Fact,
    HistoryEntry,
    _Checker,
    now_iso,
    page_key,
    parse_fact,
    parse_source,
)
from knowledge.store import loading
from knowledge.store.history import Stamp, note_maker, saved_entries
from knowledge.store.loading import Opened, document_bytes, open_database
from knowledge.store.transfer import Warn, review_records
from knowledge.store.writes import Change, Plan, Writer

log = logging.getLogger(__name__)

SHIPPED_BASE = Path(__file__).resolve().parents[1] / "facts.json"
# Who the history names for what the bot does by itself (correcting its posted answers).
BOT = Actor("bot", "fact desk")
CORRECTIONS = "corrections"
_NOTIFY_BATCH = 256

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Keys an import added, changed, or found already identical (same content fields), and
    the warnings ``check`` gives the same records (copies and near-duplicate claims among them),
    with those that a record repeats a fact already in the base."""

    added: list[str]
    changed: list[str]
    unchanged: list[str]
    warnings: list[str] = field(default_factory=list)


def _content(fact: Fact) -> tuple[Any, ...]:
    return tuple(getattr(fact, name) for name in CONTENT_FIELDS)


def _same_words(text: str) -> str:
    """Two taught questions are the same when they differ only in case and spacing."""
    return " ".join(text.casefold().split())


def _taught_clashes(base: Mapping[str, Fact], changed: Iterable[Fact]) -> list[Problem]:
    """A question taught to two facts would answer to both. The problems, one a question, where a
    fact in ``changed`` was taught a question that another fact (of ``base``, or also changed)
    already has: every way a fact gets taught questions (teach, add, edit, import) checks this."""
    changed = list(changed)
    mine = {fact.key for fact in changed}
    owner = {
        _same_words(question): fact.key
        for fact in base.values()
        if fact.key not in mine
        for question in fact.asked_as
    }
    problems: list[Problem] = []
    for fact in changed:
        for question in fact.asked_as:
            other = owner.setdefault(_same_words(question), fact.key)
            if other != fact.key:
                fix = "edit that fact first if it is wrong there"
                problems.append(Problem("asked_as", f"“{question}” was already taught to `{other}`; {fix}"))
    return problems


def _reason(value: Any, *, required: bool) -> str | None:
    """A change's reason, checked by the same text rules as every fact field."""
    checker = _Checker()
    text = checker.text("reason", value, limit=MAX_REASON, required=required, multiline=True)
    if checker.problems:
        raise InvalidFact(checker.problems)
    return text


def _validated(fact: Fact) -> Fact:
    """``fact`` after the one validation every record goes through."""
    return parse_fact(fact.to_dict(), record=f"fact `{fact.key}`")


def _label(actor: Actor) -> str:
    """``actor``'s label as validation stores it in ``added_by`` and ``updated_by``; checked once for a
    whole import rather than by validating each of its facts again."""
    checker = _Checker()
    label = checker.text("added_by", actor.label, limit=MAX_SHORT, required=True)
    if checker.problems or label is None:
        raise InvalidFact(checker.problems, record="import")
    return label


def _imported(incoming: Fact, label: str, at: str) -> Fact:
    """A new fact from an import file: its content, our provenance, and still hidden if it was retracted.

    ``incoming`` passed validation, ``label`` is checked and ``at`` is the store's clock, so the
    result needs no validation again (each field is valid, and no rule relates provenance to content).
    """
    withdrawn = incoming.retracted
    return incoming.evolve(
        added_by=label,
        added_at=at,
        updated_by=None,
        updated_at=None,
        reviewed_at=None,
        version=1,
        retracted_at=at if withdrawn else None,
        retracted_by=label if withdrawn else None,
        retraction_reason=(incoming.retraction_reason or "retracted in the imported file")
        if withdrawn
        else None,
    )


class FactStore:
    """The fact database: see the module docstring. Open with :meth:`FactStore.open`."""

    def __init__(self, opened: Opened) -> None:
        self.path = opened.path
        self._history = opened.history
        self._facts = opened.facts
        self._live = sum(1 for fact in self._facts.values() if not fact.retracted)
        self._listeners: list[Callable[[Fact], None]] = []
        self._writer = Writer(opened, on_saved=self._saved)
        self._snapshot_of = self._writer.fingerprint  # the snapshot, if any, is of this file
        # Held while a snapshot is written, and by close(): none is written once the lock is let go.
        self._snapshotting = threading.Lock()
        self._closed = False

    @classmethod
    def open(cls, path: str | Path, *, seed: Path | None = SHIPPED_BASE) -> FactStore:
        """Take the writer lock and load ``path``, creating it from ``seed`` if it does not exist.

        Raises :class:`StoreLocked` if another process has it open, and
        :class:`CorruptDatabase` (file untouched) if it does not parse or validate.
        """
        return cls(open_database(Path(path), seed=seed))

    def close(self, *, keep: Callable[[], None] | None = None) -> None:
        """Release the writer lock once the write in progress (and a snapshot being kept) is on disk.
        Reads still work; writes (also those already waiting their turn) are refused. Just before,
        ``keep()`` runs (the caller's state kept for the next start, as :meth:`keep` runs it), and
        a base changed since its snapshot was kept leaves one of itself for the next start
        (:mod:`knowledge.store.disk.fastload`)."""
        with self._snapshotting:  # a snapshot being written in the background finishes first
            self._closed = True

        def before_release() -> None:  # no write persists meanwhile
            if keep is not None:
                keep()
            self._keep_snapshot(self._writer.fingerprint, self._facts, self._writer.doc_ids)

        self._writer.close(before_release=before_release)

    async def keep(self, keep: Callable[[], None] | None = None) -> None:
        """Keep for the next open, and for readers, what :meth:`close` keeps, while the store stays
        open: ``keep()``, then a snapshot of the facts if it has none of this file yet.

        ``keep()`` runs on a worker thread in the writer's turn: no write reaches the file or
        memory (nor the listeners, such as a search index) until it returns, so the facts,
        :attr:`fingerprint` and the file it sees agree (unless the file was changed by hand), and
        the writes that arrive wait only for it. The snapshot is written after the turn, from
        the facts as they were in it (a fact never changes; a write replaces it in the mapping),
        so it holds exactly the file it names whatever is written meanwhile. Raises RuntimeError
        if the store is closed.
        """

        def in_turn() -> tuple[str, dict[str, Fact], dict[str, int]]:
            if keep is not None:
                keep()
            return self._writer.fingerprint, dict(self._facts), dict(self._writer.doc_ids)

        state = await self._writer.write(lambda: (in_turn(), None))
        await asyncio.to_thread(self._keep_snapshot, *state, background=True)

    def _keep_snapshot(
        self, fingerprint: str, facts: dict[str, Fact], doc_ids: dict[str, int], *, background: bool = False
    ) -> None:
        """Write the snapshot of the file with ``fingerprint`` unless it is the one kept last, or,
        ``background``, the store has closed since (another process may hold the database now)
        or a write has replaced that file since (the next keep, or close, keeps the new one)."""
        lock = self._snapshotting if background else contextlib.nullcontext()
        with lock:
            if fingerprint == self._snapshot_of:
                return
            if background and (self._closed or fingerprint != self._writer.fingerprint):
                return
            loading.keep_snapshot(self.path, fingerprint, facts, doc_ids)
            self._snapshot_of = fingerprint

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

    @property
    def fingerprint(self) -> str:
        """What the fact file holds, as 64 hex digits: changes with every saved change to a fact.

        A function of the file's bytes, so any process computes the same value for the
        same file (:func:`knowledge.store.loading.fingerprint_of` reads it without opening
        the store). A note (history only: corrections, synonym groups) leaves it as it is.
        It moves to the new file's once a change is applied to memory and every listener
        (the search index) has seen it, so state saved under it is never behind it.
        """
        return self._writer.fingerprint

    def key_taken(self, key: str) -> bool:
        """Whether a fact, retracted or not, has this key: keys are never used again."""
        return key in self._facts

    def history(self, key: str | None = None) -> list[HistoryEntry]:
        """Every saved change and note, oldest first, of one fact (or subject key, ``~thesaurus``) or of all.

        Entries of writes that never reached the fact file (see
        :class:`knowledge.store.disk.storage.HistoryLog`) are left out.
        """
        if key is not None and not SUBJECT_KEY_RE.match(key):
            self.get(key)
        return saved_entries(self._history.read(key), self._facts)

    def subscribe(self, listener: Callable[[Fact], None]) -> None:
        """Call ``listener(fact)`` on the event loop after every saved change (also retractions)."""
        self._listeners.append(listener)

    async def export_json(self) -> bytes:
        """The whole base, retracted facts included, as JSON bytes laid out like the database file:
        the TinyDB document ``import`` reads.

        Encoded off the event loop one record at a time (one big ``json.dumps``
        would hold the GIL, and so the loop, for over a second at 100,000
        facts); facts are immutable, so the snapshot taken here stays true.
        """
        return await asyncio.to_thread(document_bytes, dict(self._facts), dict(self._writer.doc_ids))

    # --- writes ---

    async def add(self, data: Mapping[str, Any], actor: Actor) -> Fact:
        """Add a new fact (its key and content fields); DuplicateFact if the key exists."""

        def plan() -> tuple[Fact, Change]:
            fact = self._parse_new(data, actor)
            if fact.key in self._facts:
                raise DuplicateFact(fact.key)
            self._refuse_clashes(fact)
            return fact, self._change("add", actor, [(None, fact)])

        return await self._writer.write(plan)

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

        def plan() -> tuple[Fact, Change | None]:
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
            self._refuse_clashes(fact)
            return fact, self._change("edit", actor, [(current, fact)], reason=note)

        return await self._versioned_write(plan)

    async def cite(
        self, key: str, source: Mapping[str, Any], *, actor: Actor, expected_version: int | None = None
    ) -> Fact:
        """Add one citation (a fact has at most 10)."""

        def plan() -> tuple[Fact, Change]:
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

        return await self._versioned_write(plan)

    async def retract(self, key: str, reason: str, actor: Actor) -> Fact:
        """Hide a fact from staff, saying why; it stays in the base and can be restored."""

        def plan() -> tuple[Fact, Change]:
            current = self.get(key)
            if current.retracted:
                raise AlreadyRetracted(key)
            note = _reason(reason, required=True)
            fact = self._revise(
                current, retracted_at=now_iso(), retracted_by=actor.label, retraction_reason=note
            )
            return fact, self._change("retract", actor, [(current, fact)], reason=note)

        return await self._writer.write(plan)

    async def restore(self, key: str, actor: Actor, reason: str | None = None) -> Fact:
        """Show a retracted fact to staff again."""

        def plan() -> tuple[Fact, Change]:
            current = self.get(key)
            if not current.retracted:
                raise NotRetracted(key)
            note = _reason(reason, required=False)
            fact = self._revise(current, retracted_at=None, retracted_by=None, retraction_reason=None)
            return fact, self._change("restore", actor, [(current, fact)], reason=note)

        return await self._writer.write(plan)

    async def review(self, key: str, actor: Actor, status: str | None = None) -> Fact:
        """Record that the fact was checked today, optionally setting its status."""

        def plan() -> tuple[Fact, Change]:
            current = self.get(key)
            at = now_iso()
            changes: dict[str, Any] = {"reviewed_at": at}
            if status is not None and status != current.status:
                changes.update(status=status, updated_by=actor.label, updated_at=at)
            fact = self._revise(current, **changes)
            return fact, self._change("review", actor, [(current, fact)])

        return await self._writer.write(plan)

    async def teach(self, key: str, question: str, actor: Actor) -> Fact:
        """Make ``question`` (as a reporter asked it) an *asked-as* phrase of the fact: search then
        reads it like an alias. Refused, naming why, if the fact is retracted, already has it or has
        the most it can, or another fact was taught the same question (it would answer to both)."""

        def plan() -> tuple[Fact, Change]:
            current = self.get(key)
            checker = _Checker()
            phrase = checker.text("asked_as", question, limit=MAX_QUESTION, required=True)
            if checker.problems or phrase is None:
                raise InvalidFact(checker.problems, record=f"fact `{key}`")
            same = _same_words(phrase)
            problem = None
            if current.retracted:
                problem = Problem("key", "is retracted; restore it before teaching it a question")
            elif any(_same_words(taught) == same for taught in current.asked_as):
                problem = Problem("asked_as", f"`{key}` already answers “{phrase}”")
            elif len(current.asked_as) >= MAX_ASKED_AS:
                problem = Problem(
                    "asked_as", f"already has {MAX_ASKED_AS} questions, the most a fact can have"
                )
            if problem is not None:
                raise InvalidFact([problem], record=f"fact `{key}`")
            fact = self._revise(
                current, asked_as=(*current.asked_as, phrase), updated_by=actor.label, updated_at=now_iso()
            )
            self._refuse_clashes(fact)
            return fact, self._change("teach", actor, [(current, fact)])

        return await self._writer.write(plan)

    async def import_records(
        self,
        records: list[Any],
        actor: Actor,
        *,
        dry_run: bool = False,
        where: str = "import",
        warn: Warn | None = None,
        consume: bool = False,
    ) -> ImportReport:
        """Merge records by key, all or nothing: every record is validated before anything is written.

        ``where`` names the records in errors and warnings (``bot.py import`` gives
        the file's path, so its lines read as ``check``'s for that file); ``warn``
        finds the warnings (``knowledge.duplicates.duplicate_warnings``), among the
        records and between them and the facts already in the base. ``consume``:
        ``records`` is the caller's no more and is emptied as it is validated (see
        :func:`validated_records`).

        Content fields come from the records; provenance is set here (a new fact
        is added by ``actor`` now; a changed one gets a new version). A new fact
        the file marks as retracted is added retracted, so importing an export
        never brings back what was withdrawn.
        """

        # Validated before the write's turn (validation reads nothing of the base); only the facts
        # are kept, since the raw records are the largest thing an import holds.
        incoming = validated_records(records, where=where, consume=consume)
        del records

        def plan() -> tuple[ImportReport, Change | None]:
            report, pairs, at = plan_import(self._facts, incoming, actor, where=where, warn=warn)
            if dry_run or not pairs:
                return report, None
            return report, self._change("import", actor, pairs, at=at)

        return await self._writer.write(plan)

    async def note(
        self,
        key: str,
        action: str,
        actor: Actor,
        *,
        extra: Mapping[str, Any] | None = None,
        reason: str | None = None,
    ) -> HistoryEntry:
        """Record in the history something that happened without changing a fact; returns once it is durable.

        ``key`` is a fact's key (retracted or not) or a subject key such as
        ``~thesaurus`` (:data:`~knowledge.model.SUBJECT_KEY_RE`) for what is about
        no single fact. ``action`` says what happened ("corrections"); ``extra``
        holds JSON values named by what they are. The fact and its version stay
        as they are; the entry goes through the one writer, in turn with every
        other write.
        """
        make = note_maker(key, action, actor, extra)  # refuses a bad action or extra before queueing

        def plan() -> tuple[HistoryEntry, Change]:
            if not SUBJECT_KEY_RE.match(key):
                self.get(key)
            entry = make(now_iso(), _reason(reason, required=False))
            return entry, Change(note=entry)

        return await self._writer.write(plan)

    async def record_corrections(self, report: CorrectionReport) -> HistoryEntry | None:
        """Record in the fact's history how many posted answers were corrected (a ``corrections`` note by
        the bot); then call :meth:`AnswerLog.mark_reported`.

        A crash between the two makes the answer log report it again on start; a
        report already recorded (same version and counts, after the fact's last
        change) is then not written twice, and None is returned.
        """
        extra = {"corrected": report.corrected, "gone": report.gone, "version": report.version}
        for entry in reversed(self.history(report.key)):
            if not entry.is_note:
                break
            if entry.action == CORRECTIONS and entry.extra == extra:
                return None
        return await self.note(report.key, CORRECTIONS, BOT, extra=extra)

    # --- write machinery ---

    def _refuse_clashes(self, fact: Fact) -> None:
        if problems := _taught_clashes(self._facts, [fact]):
            raise InvalidFact(problems, record=f"fact `{fact.key}`")

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

    async def _versioned_write(self, plan: Plan[T]) -> T:
        """``plan``'s write; a StaleEdit it raises comes back saying who changed the fact, and when."""
        try:
            return await self._writer.write(plan)
        except StaleEdit as stale:
            # Read on the event loop, where history reads belong (the plan ran on the writer thread).
            newer = [
                e for e in self.history(stale.key) if e.version is not None and e.version > stale.expected
            ]
            raise StaleEdit(stale.key, stale.expected, stale.current, newer[-1] if newer else None) from None

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
    ) -> Change:
        stamp = Stamp(action, actor.label, at or now_iso(), reason)
        return Change(pairs=pairs, stamp=stamp)

    async def _saved(self, change: Change) -> None:
        """On the event loop, once ``change`` is durable: apply it to memory, then tell the listeners."""
        for fact in change.facts:
            old = self._facts.get(fact.key)
            self._live += (not fact.retracted) - (old is not None and not old.retracted)
            self._facts[fact.key] = fact
        for i, fact in enumerate(change.facts, start=1):
            for listener in self._listeners:
                try:
                    listener(fact)
                except Exception:
                    log.exception("a listener failed on `%s`; the change itself is saved", fact.key)
            if i % _NOTIFY_BATCH == 0:
                await asyncio.sleep(0)  # a big import must not hold the event loop


def validated_records(records: Any, *, where: str = "import", consume: bool = False) -> list[Fact]:
    """``records`` (an import file's list) as facts, every one validated: all or nothing, so
    :class:`InvalidFact` names the bad records and nothing is imported.

    ``consume``: empty the list as it is read, each record let go once it is a fact, so the raw
    records and the facts are never all held at once (at 100,000 facts ~35 MB less at the peak).
    """
    if not isinstance(records, list | tuple):
        raise InvalidFact([Problem("records", "must be a list of facts")], record="import")
    taken = _emptied(records) if consume and isinstance(records, list) else records
    found = review_records(taken, where=where)
    if found.invalid:
        raise _import_error(found.invalid)
    return found.facts


def _emptied(records: list[Any]) -> Iterator[Any]:
    """The items of ``records`` in order, each taken out of it as it is read."""
    records.reverse()
    while records:
        yield records.pop()


def plan_import(
    current: Mapping[str, Fact],
    facts: list[Fact],
    actor: Actor,
    *,
    where: str = "import",
    warn: Warn | None = None,
) -> tuple[ImportReport, list[tuple[Fact | None, Fact]], str]:
    """What importing ``facts`` (:func:`validated_records`) into a base holding ``current`` (by key)
    does: the report, the (before, after) pairs to write, and the time they are stamped with.

    Reads and writes nothing: :meth:`FactStore.import_records` runs it in turn with the other
    writes; a dry run of ``bot.py import`` runs it over the database read as a plain file
    (:func:`knowledge.store.loading.read_only`).
    """
    incoming = {fact.key for fact in facts}
    beside = [fact for key, fact in current.items() if key not in incoming and not fact.retracted]
    warnings = warn(facts, where, beside=beside) if warn else []
    at, label = now_iso(), _label(actor)
    report = ImportReport(added=[], changed=[], unchanged=[], warnings=warnings)
    pairs: list[tuple[Fact | None, Fact]] = []
    for fact in facts:
        before = current.get(fact.key)
        if before is None:
            after = _imported(fact, label, at)
            report.added.append(after.key)
        elif _content(fact) == _content(before):
            report.unchanged.append(before.key)
            continue
        else:
            # Validated content on a validated fact: no need to validate the pair again.
            content = {name: getattr(fact, name) for name in CONTENT_FIELDS}
            after = before.evolve(**content, updated_by=label, updated_at=at, version=before.version + 1)
            report.changed.append(after.key)
        pairs.append((before, after))
    if problems := _taught_clashes(current, (after for _, after in pairs)):
        raise InvalidFact(problems[: loading.SHOWN_PROBLEMS], record="import; nothing was imported")
    return report, pairs, at


def _import_error(errors: list[InvalidFact]) -> InvalidFact:
    if len(errors) == 1:
        return errors[0]
    problems = [
        Problem(error.record or "record", "; ".join(str(p) for p in error.problems))
        for error in errors[: loading.SHOWN_PROBLEMS]
    ]
    if len(errors) > loading.SHOWN_PROBLEMS:
        problems.append(Problem("import", f"and {len(errors) - loading.SHOWN_PROBLEMS} more bad records"))
    return InvalidFact(problems, record=f"{len(errors)} records are invalid; nothing was imported")
