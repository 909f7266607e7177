"""Synonym groups moderators add from Discord (``/factadmin synonym``), attributed and durable.

Where they are kept: in the fact history, ``<db>.history.jsonl``. Each addition
or removal is one note (:meth:`knowledge.store.changes.FactStore.note`) under the
subject key :data:`THESAURUS` (``~thesaurus``; no fact key can start with
``~``), with the group's words in ``extra``; opening replays those notes. So a
change and its history entry are the same fsynced line: a crash cannot leave a
group without its entry or an entry without its group, which two files (a
thesaurus journal and the history) could. The note goes through the store's one
writer, so it is durable before :meth:`SynonymStore.add_group` returns and in
turn with every other write; a line cut short by a crash is skipped on replay.
``/factadmin history ~thesaurus`` (``FactStore.history(THESAURUS)``) lists them
like any other history.

This module only stores the groups moderators add; the groups shipped with the
bot, word forms and how search uses the groups belong to the search side, which
reads :meth:`SynonymStore.groups`. Words are kept as search compares them:
Unicode NFC, case-folded.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from knowledge.errors import (
    DuplicateSynonymGroup,
    InvalidSynonyms,
    KnowledgeError,
    Problem,
    SynonymGroupNotFound,
)
from knowledge.model import Actor, HistoryEntry
from knowledge.store.disk.atomic import describe_os_error

if TYPE_CHECKING:
    from knowledge.store.changes import FactStore

log = logging.getLogger(__name__)

THESAURUS = "~thesaurus"
ADDED, REMOVED = "synonyms added", "synonyms removed"
MIN_WORDS, MAX_WORDS = 2, 12
MAX_WORD = 40
MAX_GROUPS = 1000  # what moderators add by hand; more would be a list to ship, not to type


@dataclass(frozen=True, slots=True)
class Group:
    """A synonym group a moderator added: its words, who added it and when (as the history says)."""

    words: tuple[str, ...]
    added_by: str
    added_at: str


def _word(raw: Any, field: str, problems: list[Problem]) -> str | None:
    """``raw`` as search compares it, or None with the problem noted."""
    if not isinstance(raw, str):
        problems.append(Problem(field, "must be text"))
        return None
    word = unicodedata.normalize("NFC", unicodedata.normalize("NFC", raw.strip()).casefold())
    if not word:
        problems.append(Problem(field, "is empty"))
    elif len(word) > MAX_WORD:
        problems.append(Problem(field, f"`{word[:MAX_WORD]}…` is longer than {MAX_WORD} characters"))
    elif unicodedata.category(word[0])[0] not in "LN" or any(
        unicodedata.category(ch)[0] not in "LNM" for ch in word
    ):
        # Marks (M) only after a letter: Devanagari or Arabic words carry them; spaces and
        # punctuation would make a "word" search never sees as one.
        problems.append(Problem(field, f"`{word}` must be one word of letters or digits (any script)"))
    else:
        return word
    return None


def parse_group(words: Any) -> tuple[str, ...]:
    """The group of ``words`` as kept, or :class:`InvalidSynonyms` naming every word at fault."""
    if isinstance(words, str) or not isinstance(words, Sequence):
        raise InvalidSynonyms([Problem("words", "must be a list of words")])
    problems: list[Problem] = []
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        problems.append(Problem("words", f"a group has {MIN_WORDS} to {MAX_WORDS} words, not {len(words)}"))
    group: list[str] = []
    for i, raw in enumerate(words[: MAX_WORDS + 1]):
        word = _word(raw, f"words[{i}]", problems)
        if word is None:
            continue
        if word in group:
            problems.append(Problem(f"words[{i}]", f"`{word}` is already in this group"))
        group.append(word)
    if problems:
        raise InvalidSynonyms(problems)
    return tuple(group)


def _replay(groups: dict[frozenset[str], Group], entry: HistoryEntry) -> None:
    """Apply one ``~thesaurus`` note to ``groups``; a note that cannot be read is skipped and logged."""
    try:
        words = parse_group(entry.extra.get("words"))
    except InvalidSynonyms as error:
        log.warning("skipped a thesaurus entry of %s at %s: %s", entry.actor, entry.at, error)
        return
    if entry.action == ADDED:
        groups[frozenset(words)] = Group(words, entry.actor, entry.at)
    elif entry.action == REMOVED:
        groups.pop(frozenset(words), None)
    else:
        log.warning("skipped a thesaurus entry with the unknown action %r", entry.action)


def standing_groups(entries: Iterable[HistoryEntry]) -> list[Group]:
    """The groups that ``entries`` (``~thesaurus`` notes, oldest first) leave added, oldest first.

    How :class:`SynonymStore` opens, and how ``bot.py ask`` reads the groups
    from the history file without taking the writer lock.
    """
    groups: dict[frozenset[str], Group] = {}
    for entry in entries:
        _replay(groups, entry)
    return list(groups.values())


class SynonymStore:
    """The moderator-added synonym groups of ``store``'s database: see the module docstring."""

    def __init__(self, store: FactStore) -> None:
        self._store = store
        self._groups: dict[frozenset[str], Group] = {}  # oldest first
        self._lock = asyncio.Lock()  # a change checks the groups and writes in one step
        self._listeners: list[Callable[[list[tuple[str, ...]]], None]] = []
        try:
            entries = store.history(THESAURUS)
        except OSError as error:
            raise KnowledgeError(
                f"Cannot read the moderators' synonym groups from the history of {store.path} "
                f"({describe_os_error(error)})."
            ) from error
        self._groups = {frozenset(group.words): group for group in standing_groups(entries)}

    # --- reads ---

    def groups(self) -> list[tuple[str, ...]]:
        """Every group moderators added and did not remove, oldest first."""
        return [group.words for group in self._groups.values()]

    def attributed(self) -> list[Group]:
        """:meth:`groups` with who added each and when."""
        return list(self._groups.values())

    def subscribe(self, listener: Callable[[list[tuple[str, ...]]], None]) -> None:
        """Call ``listener(groups())`` after every saved change (to rebuild search's synonyms)."""
        self._listeners.append(listener)

    # --- changes ---

    async def add_group(self, words: Sequence[str], actor: Actor, *, reason: str | None = None) -> Group:
        """Add a group of 2 to 12 words that mean the same for search; durable and in the history when
        it returns. :class:`InvalidSynonyms` or :class:`DuplicateSynonymGroup` change nothing."""
        group = parse_group(words)
        async with self._lock:
            if (same := self._groups.get(frozenset(group))) is not None:
                raise DuplicateSynonymGroup(same.words)
            if len(self._groups) >= MAX_GROUPS:
                raise InvalidSynonyms(
                    [Problem("groups", f"the thesaurus already has {MAX_GROUPS} added groups; remove some")]
                )
            entry = await self._store.note(
                THESAURUS, ADDED, actor, extra={"words": list(group)}, reason=reason
            )
            _replay(self._groups, entry)
            added = self._groups[frozenset(group)]
        self._tell()
        return added

    async def remove_group(self, words: Sequence[str], actor: Actor, *, reason: str | None = None) -> Group:
        """Remove the added group with exactly these words (in any order); :class:`SynonymGroupNotFound`
        if there is none."""
        group = parse_group(words)
        async with self._lock:
            removed = self._groups.get(frozenset(group))
            if removed is None:
                raise SynonymGroupNotFound(group)
            entry = await self._store.note(
                THESAURUS, REMOVED, actor, extra={"words": list(removed.words)}, reason=reason
            )
            _replay(self._groups, entry)
        self._tell()
        return removed

    def _tell(self) -> None:
        groups = self.groups()
        for listener in self._listeners:
            try:
                listener(groups)
            except Exception:
                log.exception("a thesaurus listener failed; the change itself is saved")
