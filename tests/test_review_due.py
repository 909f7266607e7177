"""Review due: live facts not checked for N days, the longest unchecked first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from knowledge.desk.stale import REVIEW_DAYS, InvalidDays, review_due
from knowledge.model import Fact, Source

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SOURCE = (Source(publisher="Haaretz", url="https://example.com/a"),)


def fact(key: str, **stamps: str | None) -> Fact:
    return Fact(key=key, claim=f"The claim of {key}.", sources=SOURCE, **stamps)


FACTS = [
    fact("reviewed-lately", added_at="2024-01-01T00:00:00+00:00", reviewed_at="2026-10-01T00:00:00+00:00"),
    fact("reviewed-long-ago", added_at="2023-01-01T00:00:00+00:00", reviewed_at="2025-03-01T00:00:00+00:00"),
    fact("added-long-ago", added_at="2025-01-10T00:00:00+00:00"),
    fact("added-lately", added_at="2026-09-01T00:00:00+00:00"),
    fact("no-dates-at-all"),
    fact(
        "retracted-long-ago",
        added_at="2020-01-01T00:00:00+00:00",
        retracted_at="2021-01-01T00:00:00+00:00",
        retracted_by="Mia",
        retraction_reason="Wrong.",
    ),
]


def test_live_facts_not_checked_for_180_days_oldest_first() -> None:
    due = review_due(FACTS, now=NOW)
    assert REVIEW_DAYS == 180
    assert [d.fact.key for d in due] == ["no-dates-at-all", "added-long-ago", "reviewed-long-ago"]
    assert [(d.checked_at, d.reviewed) for d in due] == [
        (None, False),
        (datetime(2025, 1, 10, tzinfo=UTC), False),
        (datetime(2025, 3, 1, tzinfo=UTC), True),
    ]


def test_a_review_counts_over_the_day_it_was_added() -> None:
    due = review_due(FACTS, days=30, now=NOW)
    assert "reviewed-lately" in {d.fact.key for d in due}  # 55 days since its review
    assert "added-lately" in {d.fact.key for d in due}
    assert [d.fact.key for d in review_due(FACTS, days=60, now=NOW)] == [
        "no-dates-at-all",
        "added-long-ago",
        "reviewed-long-ago",
        "added-lately",  # 85 days since it was added; reviewed-lately was checked 55 days ago
    ]


def test_a_fact_exactly_at_the_limit_is_due_and_one_day_short_is_not() -> None:
    at_limit = fact("at-limit", added_at="2026-05-29T09:00:00+00:00")  # 180 days before NOW
    short = fact("one-day-short", added_at="2026-05-30T09:00:00+00:00")
    assert [d.fact.key for d in review_due([short, at_limit], now=NOW)] == ["at-limit"]


@pytest.mark.parametrize("days", [0, -5, 36501, True, 1.5, "180"])
def test_a_bad_number_of_days_is_refused_clearly(days: object) -> None:
    with pytest.raises(InvalidDays, match="whole number of days from 1 to 36500"):
        review_due(FACTS, days=days, now=NOW)  # type: ignore[arg-type]
