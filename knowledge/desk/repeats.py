"""Facts already in the base that a proposed claim repeats: what a moderator must see before accepting it.

A suggestion (``/suggest``) or a flag's proposed correction is matched with the
search ``/facts`` uses, not only by near-verbatim similarity, because reporters
restate a fact in their own words: the facts search would answer or list for
the claim are its repeats. A claim that changes only a figure or a date of a
fact is a repeat too, and the one that matters most: search rightly does not
answer "95 flights" with the fact that says 92, so the claim is searched a
second time with its figures set aside, and each repeat says where the claim
and the fact give different figures or years (:func:`compare`). Near-verbatim
repeats (the check ``/factadmin add`` makes) are kept as well.

Only the search's public answer (:meth:`SearchIndex.search`, its verdict and
results) is used, so any engine behind it serves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.model import Fact
from knowledge.search.index import SearchIndex

MOST = 3  # repeats shown to a moderator; more would bury the one that matters
# A figure or a year standing on its own (92, 2016, 3.5, 1,000, 69%, 5bn), not part of a name
# such as Il-76, F-16 or A320.
_FIGURE_RE = re.compile(r"(?<![A-Za-z\d])(?<![A-Za-z]-)(?<!\d[.,])\d+(?:[.,]\d+)*")


def figures(text: str) -> tuple[str, ...]:
    """The figures and years ``text`` gives, in order, each once; thousands separators dropped."""
    found: dict[str, None] = {}
    for match in _FIGURE_RE.finditer(text):
        figure = match[0]
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+", figure):
            figure = figure.replace(",", "")
        found.setdefault(figure.rstrip(".,"), None)
    return tuple(found)


def without_figures(text: str) -> str:
    """``text`` with its figures and years taken out: what it states, whatever the numbers."""
    return " ".join(_FIGURE_RE.sub(" ", text).split())


def _is_year(figure: str) -> bool:
    return len(figure) == 4 and figure.isdigit() and 1800 <= int(figure) <= 2199


@dataclass(frozen=True, slots=True)
class Repeat:
    """A fact the claim repeats. When the claim states it with another figure or date: ``given``,
    what the claim says, and ``instead``, what the fact says there (years compared with years,
    other figures with other figures)."""

    fact: Fact
    given: tuple[str, ...] = ()
    instead: tuple[str, ...] = ()

    @property
    def differs(self) -> bool:
        """The claim states this fact with another figure or date."""
        return bool(self.given)


def compare(claim: str, fact: Fact) -> Repeat:
    """``fact`` as a repeat of ``claim``, with the figures or years in which they disagree.

    They disagree in a kind (years, other figures) when each gives one the
    other does not: "95 flights since 2016" against "92 flights since 2016"
    disagree in figures only; a claim that gives no figure, or only some of
    the fact's, says nothing against it.
    """
    mine, theirs = figures(claim), figures(fact.claim)
    given: list[str] = []
    instead: list[str] = []
    for years in (True, False):
        only_mine = [f for f in mine if _is_year(f) == years and f not in theirs]
        only_theirs = [f for f in theirs if _is_year(f) == years and f not in mine]
        if only_mine and only_theirs:
            given += only_mine
            instead += only_theirs
    return Repeat(fact, tuple(given), tuple(instead))


def _found(index: SearchIndex, query: str) -> list[Fact]:
    """The facts ``/facts`` would answer (one) or list (several fitting equally) for ``query``."""
    if not query:
        return []
    outcome = index.search(query, limit=MOST)
    if outcome.verdict == "answer":
        return [outcome.results[0].fact]
    if outcome.verdict == "several":
        return [hit.fact for hit in outcome.results]
    return []


def repeats(index: SearchIndex, claim: str, *, most: int = MOST) -> list[Repeat]:
    """The live facts ``claim`` repeats, most certain first: what search answers or lists for
    it, then for it without its figures, then near-verbatim repeats."""
    found: dict[str, Fact] = {}
    candidates = [
        *_found(index, claim),
        *_found(index, without_figures(claim)),
        *(hit.fact for hit in index.near_duplicates(claim)),
    ]
    for fact in candidates:
        if not fact.retracted:
            found.setdefault(fact.key, fact)
    return [compare(claim, fact) for fact in list(found.values())[:most]]
