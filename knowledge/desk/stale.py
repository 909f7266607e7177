"""Review due: which live facts the desk has not checked for a while.

A fact counts as checked when it was last reviewed (``/factadmin review``), or,
never reviewed, when it was added: a new fact was vetted on the way in. A fact
with neither date is listed first, since nobody can say when it was checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from knowledge.errors import KnowledgeError
from knowledge.model import Fact

REVIEW_DAYS = 180
MAX_REVIEW_DAYS = 36500


class InvalidDays(KnowledgeError):
    def __init__(self, days: object) -> None:
        super().__init__(
            f"Cannot list facts not reviewed for {days} days; give a whole number of days "
            f"from 1 to {MAX_REVIEW_DAYS} (default {REVIEW_DAYS})."
        )


@dataclass(frozen=True, slots=True)
class Due:
    """A live fact due for review, and when it was last checked (None: unknown)."""

    fact: Fact
    checked_at: datetime | None
    reviewed: bool  # checked_at is a review, not the day the fact was added


def _when(stamp: str | None) -> datetime | None:
    if stamp is None:
        return None
    at = datetime.fromisoformat(stamp)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def review_due(facts: Iterable[Fact], *, days: int = REVIEW_DAYS, now: datetime | None = None) -> list[Due]:
    """Live facts not checked for ``days`` days or more, the longest unchecked first."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_REVIEW_DAYS:
        raise InvalidDays(days)
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    due = []
    for fact in facts:
        if fact.retracted:
            continue
        checked = _when(fact.reviewed_at) or _when(fact.added_at)
        if checked is None or checked <= cutoff:
            due.append(Due(fact, checked, reviewed=fact.reviewed_at is not None))
    return sorted(due, key=lambda d: (d.checked_at is not None, d.checked_at or cutoff, d.fact.key))
