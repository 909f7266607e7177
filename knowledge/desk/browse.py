"""Browsing the base without a query: the timeline of dated facts, and who is cited.

Pure functions over facts, used by ``/timeline`` and ``/sources``. Retracted
facts never appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.errors import KnowledgeError
from knowledge.model import Fact
from knowledge.search.textnorm import normalise
from knowledge.search.wordforms import Thesaurus, shipped_thesaurus, stems

# "Haaretz (Avi Scharf, Oded Yaron)" is cited as Haaretz: the bylines in brackets
# say who wrote it, not which publication it is.
_BYLINE_RE = re.compile(r"\s*\([^)]*\)\s*$")


class InvalidRange(KnowledgeError):
    def __init__(self, from_year: int, to_year: int) -> None:
        super().__init__(
            f"The timeline cannot run from {from_year} back to {to_year}; "
            f"use from_year {to_year} and to_year {from_year}."
        )


@dataclass(frozen=True, slots=True)
class Dated:
    """A fact on the timeline with the years it is about."""

    start: int
    end: int
    fact: Fact

    @property
    def label(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}–{self.end}"


@dataclass(frozen=True, slots=True)
class Publisher:
    """A publication and the live facts that cite it."""

    name: str
    facts: tuple[Fact, ...]


def _live(facts: Iterable[Fact]) -> list[Fact]:
    return [fact for fact in facts if not fact.retracted]


def _topic_words(text: str) -> str:
    """``text``'s words as form keys (:mod:`knowledge.search.wordforms`, as search reads them), so a
    `drone` timeline also finds the facts tagged `drones`."""
    return " ".join(stems(text))


def _about(fact: Fact, topics: set[str]) -> bool:
    """One of the topics' words appear together in a tag, the key, an alias or the claim."""
    # A form key is the start of the word it comes from, but for its last letter
    # (`embassi` from embassy): the cheap look below uses what all its forms share.
    firsts = {first[:-1] if len(first) > 3 else first for first in (t.split(" ", 1)[0] for t in topics)}
    for text in (*fact.tags, fact.key, *fact.aliases, fact.claim):
        # Normalising is the cost of a scan; plain ASCII text without any topic's
        # first word in it cannot match, so it is skipped unnormalised.
        if text.isascii() and not any(first in text.casefold() for first in firsts):
            continue
        found = f" {_topic_words(text)} "
        if any(f" {topic} " in found for topic in topics):
            return True
    return False


def _names_for(facts: list[Fact], topic: str, thesaurus: Thesaurus) -> set[str]:
    """The topic, what the thesaurus says it may stand for (`uav`: drone), and, where it is
    one of a fact's aliases, that fact's other names: `uvda` also finds the facts that say
    Ovda, as search does."""
    names = {topic} | {" ".join(related.phrase) for related in thesaurus.related(tuple(topic.split()))}
    first = topic.split()[0]
    first = first[:-1] if len(first) > 3 else first  # what every form of the word starts with
    for fact in facts:
        # A cheap look first: normalising every alias of 100,000 facts would double the scan.
        if not any(first in alias.casefold() for alias in fact.aliases):
            continue
        aliases = [_topic_words(alias) for alias in fact.aliases]
        if topic in aliases:
            names.update(alias for alias in aliases if alias)
    return names


def timeline(
    facts: Iterable[Fact],
    from_year: int | None = None,
    to_year: int | None = None,
    topic: str | None = None,
    thesaurus: Thesaurus | None = None,
) -> list[Dated]:
    """Dated facts overlapping [from_year, to_year], oldest first.

    A fact's years are its period, else its sources' dates; a fact with
    neither has no place on a timeline and is left out.
    """
    if from_year is not None and to_year is not None and from_year > to_year:
        raise InvalidRange(from_year, to_year)
    wanted = ""
    if topic and topic.strip():
        wanted = _topic_words(topic)
        if not wanted:
            return []  # only emoji or symbols: no fact is about that
    live = _live(facts)
    topics = _names_for(live, wanted, thesaurus or shipped_thesaurus()) if wanted else set()
    entries = []
    for fact in live:
        years = fact.years()
        if years is None:
            continue
        start, end = years
        if from_year is not None and end < from_year:
            continue
        if to_year is not None and start > to_year:
            continue
        if topics and not _about(fact, topics):
            continue
        entries.append(Dated(start, end, fact))
    return sorted(entries, key=lambda e: (e.start, e.end, e.fact.key))


def publication(name: str) -> str:
    """The publication a source's publisher field names, without bylines."""
    return _BYLINE_RE.sub("", name).strip() or name.strip()


def publishers(facts: Iterable[Fact]) -> list[Publisher]:
    """Every publication cited by a live fact, most cited first."""
    names: dict[str, str] = {}
    citing: dict[str, dict[str, Fact]] = {}
    for fact in _live(facts):
        for source in fact.sources:
            name = publication(source.publisher)
            key = normalise(name)
            names.setdefault(key, name)
            citing.setdefault(key, {})[fact.key] = fact
    found = [
        Publisher(names[key], tuple(sorted(by_key.values(), key=lambda f: f.key)))
        for key, by_key in citing.items()
    ]
    return sorted(found, key=lambda p: (-len(p.facts), normalise(p.name)))


def find_publisher(listing: Sequence[Publisher], name: str) -> Publisher | None:
    """The publication in ``listing`` that ``name`` means: the same name, else the only one containing it."""
    wanted = normalise(publication(name))
    if not wanted:
        return None
    for candidate in listing:
        if normalise(candidate.name) == wanted:
            return candidate
    partial = [c for c in listing if f" {wanted} " in f" {normalise(c.name)} "]
    return partial[0] if len(partial) == 1 else None
