"""Shared by the desk-workflow tests (queue, answers, gaps): a clock the test moves, and a sample fact."""

from __future__ import annotations

from datetime import UTC, datetime

from knowledge.model import Fact, Source

SILK_WAY = Fact(
    key="silk-way-ovda-flights",
    claim="Silk Way flew 92 times to Ovda.",
    sources=(Source(publisher="Haaretz", url="https://example.com/a"),),
    version=2,
)


class Clock:
    """Starts at 2026-11-25 09:00 UTC; a test moves ``now`` forward."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now
