"""Wiring of the domain: one open store, its search index, the query log, the review queue, the
log of public answers and the synonym groups moderators added."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from knowledge.desk.answers import ANSWERS_SUFFIX, AnswerLog
from knowledge.desk.gaps import KEY_SUFFIX, QueryLog
from knowledge.desk.review_queue import QUEUE_SUFFIX, ReviewQueue
from knowledge.desk.synonyms import THESAURUS, Group, SynonymStore, parse_group, standing_groups
from knowledge.errors import InvalidSynonyms, KnowledgeError, Problem
from knowledge.model import Actor
from knowledge.search.index import SearchIndex
from knowledge.search.wordforms import Thesaurus, phrase_of, shipped_groups
from knowledge.store.changes import SHIPPED_BASE, FactStore
from knowledge.store.disk.atomic import describe_os_error
from knowledge.store.disk.stamp import file_status, settled_status
from knowledge.store.history import HistoryLog
from knowledge.store.loading import HISTORY_SUFFIX, settle_file
from knowledge.store.snapshot import Part

QUERIES_SUFFIX = ".queries.jsonl"
# The search index kept beside the database, so a start need not rebuild it (100,000 facts: a
# fraction of a second to load, many seconds to build). Derived data: checked on load against the
# database file it was saved from, else against every fact (SearchIndex.load), and rebuilt when it
# does not match, so backups leave it out.
INDEX_SUFFIX = ".search-index"
# The desk's files beside the database, for backups (knowledge.store.snapshot copies the store's own).
DESK_FILES = (
    Part(QUEUE_SUFFIX, journal=True),
    Part(ANSWERS_SUFFIX, journal=True),
    Part(QUERIES_SUFFIX, journal=True),
    Part(QUERIES_SUFFIX + KEY_SUFFIX, journal=False),  # without it the log no longer tells who asked
    Part(INDEX_SUFFIX, journal=False, derived=True),
)

T = TypeVar("T")


def index_path(db: Path) -> Path:
    """Where the search index of the database ``db`` is kept."""
    return db.with_name(db.name + INDEX_SUFFIX)


log = logging.getLogger(__name__)


def searchable_group(words: Sequence[str]) -> None:
    """:class:`InvalidSynonyms` unless search can use ``words`` as a group (its rule:
    :meth:`Thesaurus.with_group`, which needs two words it does not ignore as filler)."""
    try:
        Thesaurus().with_group(words)
    except ValueError:
        ignored = ", ".join(f"`{word}`" for word in words if not phrase_of(word))
        raise InvalidSynonyms(
            [
                Problem(
                    "words",
                    f"search ignores {ignored} (question words and filler), so fewer than two "
                    "words would be left to mean the same; give at least two others",
                )
            ]
        ) from None


def search_groups(groups: Iterable[Sequence[str]]) -> list[Mapping[str, Sequence[str]]]:
    """The groups search uses: the shipped thesaurus's plus every group moderators added, as
    :meth:`Thesaurus.groups` lists them (so ``SearchIndex.load`` can use the thesaurus it saved
    compiled from exactly these groups).

    A group search cannot use (saved before that rule, or by hand) is left out and logged,
    never fatal: the bot still starts.
    """
    usable: list[Mapping[str, Sequence[str]]] = []
    for words in groups:
        try:
            searchable_group(words)
        except InvalidSynonyms as error:
            log.warning("the synonym group %s is not used by search: %s", ", ".join(words), error)
            continue
        usable.append({"words": list(words), "broader": []})
    return [*shipped_groups(), *usable]


def search_thesaurus(groups: Iterable[Sequence[str]]) -> Thesaurus:
    """The thesaurus search uses (:func:`search_groups`), compiled.

    Built in one go rather than by one ``with_group`` per group, which would copy
    the whole thesaurus each time (seconds for a thousand groups).
    """
    return Thesaurus(search_groups(groups))


def read_only_groups(db: Path) -> list[Mapping[str, Sequence[str]]]:
    """:func:`search_groups` with the groups moderators added to ``db``, read without the writer
    lock (for ``bot.py ask`` while the bot runs: the history is only appended to).

    From the history, unless the index the bot saved names the history file's status as it
    was when the bot read the groups from it, and the file still has exactly that status: then
    the groups kept with the index are those (a history of 100,000 imported facts takes 0.2 s
    to read through; see :func:`history_note`).
    """
    history = _history_path(db)
    note = SearchIndex.saved_note(index_path(db))
    if isinstance(note, dict) and note.get("history") is not None and note["history"] == file_status(history):
        return search_groups(note["groups"])
    try:
        groups = standing_groups(HistoryLog(history).read(THESAURUS))
    except OSError as error:
        raise KnowledgeError(
            f"Cannot read the moderators' synonym groups from {history} ({describe_os_error(error)})."
        ) from error
    return search_groups(group.words for group in groups)


def history_note(store: FactStore) -> dict[str, Any] | None:
    """The groups moderators added, read from the store's history, and the history file's status
    if it had settled (see :func:`knowledge.store.disk.stamp.settled_status`): a file with that
    status holds those groups, as any append gives it a new size and change time. None if the
    file changed while it was read, too lately to tell, or cannot be read."""
    history = _history_path(store.path)
    before = file_status(history)
    try:
        groups = [list(group.words) for group in standing_groups(store.history(THESAURUS))]
    except OSError:
        return None
    status = settled_status(before, file_status(history))
    return None if status is None else {"history": status, "groups": groups}


def _history_path(db: Path) -> Path:
    return db.with_name(db.name + HISTORY_SUFFIX)


@dataclass(slots=True)
class Knowledge:
    """The open store, the search index kept in step with it, and the logs kept beside the store.

    ``save_delay``: seconds the desk stays idle after a write (a change to a fact, or to the
    synonym groups) before what :meth:`close` keeps for the next start is kept (:meth:`keep`),
    so ``bot.py ask``, ``status`` and a start after a crash find it current; None: only at close.
    """

    store: FactStore
    index: SearchIndex
    gaps: QueryLog
    queue: ReviewQueue
    answers: AnswerLog
    synonyms: SynonymStore
    save_delay: float | None = None
    _derived: dict[str, Any] = field(default_factory=dict)
    _changes: int = 0  # writes seen, so an idle wait can tell whether another came
    _timer: asyncio.TimerHandle | None = None
    _saving: asyncio.Task[None] | None = None
    _closed: bool = False
    _index_kept: tuple[str, str, object] | None = None  # what the index was last saved as, and of

    def derived(self, name: str, build: Callable[[], T]) -> T:
        """``build()``'s result, computed from the whole base once and kept until the next write.

        For listings that autocomplete asks for on every keystroke but that
        only a write can change (publishers, sorted keys).
        """
        if name not in self._derived:
            self._derived[name] = build()
        return self._derived[name]

    def _forget_derived(self, _fact: object) -> None:
        self._derived.clear()

    def use_synonyms(self, groups: Iterable[Sequence[str]]) -> None:
        """Search with the shipped thesaurus plus ``groups`` (the moderators'): at start and after
        every change to them (a :meth:`SynonymStore.subscribe` listener)."""
        self.index.use_thesaurus(search_thesaurus(groups))
        self._changed()

    async def add_synonyms(self, words: Sequence[str], actor: Actor, *, reason: str | None = None) -> Group:
        """Add a moderator's synonym group, refused before it is saved if search could not use it."""
        group = parse_group(words)  # its own problems first: they name each word at fault
        searchable_group(group)
        return await self.synonyms.add_group(group, actor, reason=reason)

    def _changed(self, _fact: object = None) -> None:
        """After a write (on the event loop): keep it once the desk has been idle ``save_delay``."""
        self._changes += 1
        if self.save_delay is not None and self._timer is None and self._saving is None and not self._closed:
            self._wait_idle()

    def _wait_idle(self) -> None:
        assert self.save_delay is not None
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self.save_delay, self._when_idle, self._changes)

    def _when_idle(self, seen: int) -> None:
        self._timer = None
        if self._closed:
            return
        if self._changes != seen:  # written to meanwhile: wait for the desk to be idle again
            self._wait_idle()
            return
        self._saving = asyncio.get_running_loop().create_task(self._save_when_idle(seen))

    async def _save_when_idle(self, seen: int) -> None:
        try:
            await self.keep()
        except Exception:
            if not self._closed:  # closed meanwhile: close() kept everything itself
                log.exception("Could not keep the search index and fast-load file while the bot runs")
        finally:
            self._saving = None
        if self._changes != seen and not self._closed:  # a write came during the save
            self._wait_idle()

    async def keep(self) -> None:
        """Keep now what :meth:`close` keeps (the search index, the fast-load snapshot, the stamp's
        status of a settled file), by the same code, with the writer's turn held while the index
        is saved (:meth:`FactStore.keep`): no write reaches the file, the facts or the index until
        it is saved, and the writes that arrive meanwhile wait for that part only."""
        if not self._closed:
            await self.store.keep(self._keep_index)

    def _keep_index(self) -> None:
        """Keep the index for the next start and for readers; run by :meth:`FactStore.keep` and
        :meth:`FactStore.close`, while no write can reach the file or the index.

        The index is saved as built from the database file when the file on disk is the one
        the store's facts are of (no write half applied, no change by hand) and the index holds
        exactly those facts: then a reader of that file (``bot.py ask``) need not compare every
        fact. Reading the file for that also lets its stamp record its status if it has settled,
        and the index keeps the moderators' synonym groups (:func:`history_note`).
        """
        path = self.store.path
        try:
            on_disk = settle_file(path)
        except KnowledgeError:  # cannot be read to compare: the index is saved without a source
            on_disk = ""
        source = self.store.fingerprint
        note = history_note(self.store)
        kept = (source, source if on_disk == source else "", note)
        if kept == self._index_kept and index_path(path).exists():
            return  # saved as it is now by the idle save: closing right after it need not again
        try:
            self.index.save(index_path(path), source=kept[1], facts=self.store.facts(), note=note)
            self._index_kept = kept
        except OSError as error:
            log.warning("Could not keep the search index for the next start: %s", describe_os_error(error))

    def close(self) -> None:
        """Keep the index for the next start (it matches the facts exactly now), then let go of the
        database: the same keeping as :meth:`keep`, once a save in progress has finished. A crash
        skips it: the next start uses what was kept last if no write came after it, and otherwise
        finds it stale and rebuilds the index."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()  # safe on a closed loop, unlike a task's cancel
            self._timer = None
        self.store.close(keep=self._keep_index)


def open_knowledge(
    path: str | Path,
    *,
    seed: Path | None = SHIPPED_BASE,
    log_queries: bool = True,
    save_delay: float | None = None,
) -> Knowledge:
    """Open the database at ``path`` and build the search index once.

    The index is then updated on every committed write, so no query re-reads
    the database or rebuilds the index. ``save_delay``: see :class:`Knowledge`.
    """
    store = FactStore.open(path, seed=seed)
    gaps = QueryLog(Path(f"{store.path}{QUERIES_SUFFIX}") if log_queries else None)
    try:
        # Beside the database, written only by this process, which holds its writer lock.
        queue = ReviewQueue.beside(store.path)
        answers = AnswerLog.beside(store.path)
        synonyms = SynonymStore(store)  # replayed from the store's history (see its module)
        index = SearchIndex.load(
            index_path(store.path),
            store.facts(),
            thesaurus=search_groups(synonyms.groups()),
            source=store.fingerprint,  # the file these facts were just read from
        )
    except BaseException:
        store.close()
        raise
    store.subscribe(index.upsert)
    knowledge = Knowledge(
        store=store,
        index=index,
        gaps=gaps,
        queue=queue,
        answers=answers,
        synonyms=synonyms,
        save_delay=save_delay,
    )
    store.subscribe(knowledge._forget_derived)
    store.subscribe(knowledge._changed)
    synonyms.subscribe(knowledge.use_synonyms)
    return knowledge
