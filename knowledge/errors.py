"""The errors the knowledge layer raises.

Each carries a message a newsroom person can act on; the Discord layer and the
command line show ``str(error)`` as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.model import HistoryEntry


class KnowledgeError(Exception):
    """Base class: an expected problem whose message is safe to show a user."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one field of a record."""

    field: str  # empty for a problem with the record as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidFact(KnowledgeError):
    """A record failed validation; ``problems`` names every field at fault."""

    def __init__(self, problems: list[Problem], *, record: str | None = None) -> None:
        self.problems = list(problems)
        self.record = record
        where = f"{record}: " if record else ""
        super().__init__(where + "; ".join(str(p) for p in self.problems))


class FactNotFound(KnowledgeError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"No fact has the key `{key}`.")


class DuplicateFact(KnowledgeError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"A fact with the key `{key}` already exists; pick another key or edit that one.")


class StaleEdit(KnowledgeError):
    """An edit was based on a version someone else has since changed.

    ``change`` is the history entry of the newest version when the store found
    it: who changed the fact, when, and how (a retraction is named as one).
    """

    def __init__(self, key: str, expected: int, current: int, change: HistoryEntry | None = None) -> None:
        self.key = key
        self.expected = expected
        self.current = current
        self.change = change
        versions = f"you opened version {expected}, it is now version {current}"
        how = "retracted" if change is not None and change.action == "retract" else "changed"
        if change is not None:
            # History times are UTC ISO stamps: 2026-11-30T08:35:04+00:00 -> 2026-11-30 08:35 UTC.
            said = f': "{change.reason}"' if how == "retracted" and change.reason else ""
            versions = f"by {change.actor} at {change.at[:16].replace('T', ' ')} UTC{said}; {versions}"
        why = f"`{key}` was {how} by someone else while you edited it ({versions})."
        super().__init__(f"{why} Nothing was saved; reopen the fact and apply your change again.")


class NotRetracted(KnowledgeError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"`{key}` is not retracted, so there is nothing to restore.")


class AlreadyRetracted(KnowledgeError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"`{key}` is already retracted.")


class StoreLocked(KnowledgeError):
    """Another process holds the database's writer lock."""

    def __init__(self, path: str, holder: str) -> None:
        self.path = path
        self.holder = holder
        super().__init__(
            f"The fact database {path} is in use by another process ({holder}). "
            "Only one bot or command may write to it at a time; stop that one first."
        )


class CorruptDatabase(KnowledgeError):
    """The database file does not parse or does not validate; it was left untouched."""

    def __init__(self, path: str, problem: str, backup: str | None) -> None:
        self.path = path
        self.problem = problem
        self.backup = backup
        hint = (
            f"The newest good backup is {backup}; copy it over {path} to recover."
            if backup
            else "No backup was found."
        )
        super().__init__(
            f"Cannot load the fact database {path}: {problem}. The file was left as it is. {hint}"
        )


class WriteFailed(KnowledgeError):
    """The disk refused a write; the previous file is intact and nothing changed."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"Could not save to {path} ({reason}). Nothing was changed; the previous version is intact."
        )


class InvalidSynonyms(KnowledgeError):
    """A synonym group failed validation; ``problems`` names every word at fault."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("Nothing was saved: " + "; ".join(str(p) for p in self.problems))


class DuplicateSynonymGroup(KnowledgeError):
    def __init__(self, words: tuple[str, ...]) -> None:
        self.words = words
        super().__init__(f"The thesaurus already has the group {', '.join(words)}; nothing was saved.")


class SynonymGroupNotFound(KnowledgeError):
    def __init__(self, words: tuple[str, ...]) -> None:
        self.words = words
        super().__init__(
            f"No synonym group added by a moderator is exactly {', '.join(words)} "
            "(give all its words; groups shipped with the bot cannot be removed here)."
        )
