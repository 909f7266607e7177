"""Scoring the facts a query may be about: candidates, coverage, confidence and the ranking.

Split from :mod:`knowledge.search.index`, which had grown to 1,250 lines: scoring is the step between
reading a query (:mod:`knowledge.search.reading`) and deciding on it (:mod:`knowledge.search.verdicts`), and
the one that walks the postings for every candidate, so it is where speed is won or lost. It
reads the index's postings and periods, so it is a mixin of
:class:`knowledge.search.index.SearchIndex`. What a word is worth in each field class is defined
here.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice, repeat
from operator import neg, rshift
from typing import Any

from knowledge.model import Fact
from knowledge.search.reading import _Group, _IndexState, _Query
from knowledge.search.roles import Reading, query_roles
from knowledge.search.textnorm import normalise

# Where the fact says a word, by field class: 0 key, aliases and asked-as phrases, 1 claim,
# 2 tags, 3 source titles, details and publishers. The first three are the fact's own words
# and count towards confidence in full; the rest never does (a headline is not the fact's
# claim). How much each ranks is SearchConfig's near (claim, tags) and rest_weight.
_NAME, _CLAIM, _TAG, _EXTRA = 0, 1, 2, 3
_OWN_WEIGHT = (1.0, 1.0, 1.0, 0.0)
_FIELD_NAMES = ("name", "claim", "tag", "source or details")
_YEAR_CANDIDATES = 200  # facts found by a query's year alone, per year


@dataclass(slots=True)
class _Scored:
    fid: int
    coverage: float
    confidence: float
    score: float = 0.0
    exact: bool = False
    dated_elsewhere: bool = False
    notes: tuple[str, ...] = ()  # what lowered its confidence, as named steps of the verdict


def _names(fact: Fact) -> tuple[str, ...]:
    """The key, the aliases and the asked-as phrases, normalised: what a fact is called."""
    names = (normalise(fact.key), *(normalise(a) for a in (*fact.aliases, *fact.asked_as)))
    return tuple(dict.fromkeys(n for n in names if n))


class _Scoring(_IndexState):
    """Scoring the candidates of a read query in :class:`knowledge.search.index.SearchIndex`; the
    claim-level checks that can lower a candidate's confidence are
    :class:`knowledge.search.verdicts._Deciding`'s."""

    def _candidates(self, q: _Query, budget: int) -> set[int]:
        """Facts worth scoring: postings of the rarest query words first, up to ``budget``."""
        found = set(q.named)
        for group in sorted(q.groups, key=lambda g: -g.weight):
            for alt in group.alternatives:
                # For a split word or a phrase, the rarest part is enough to find candidates.
                key = min(alt.terms, key=self._df) if len(alt.terms) > 1 else alt.terms[0]
                for term in self._by_stem.get(key, ()):
                    posting = self._postings[term]
                    room = budget - len(found)
                    if room <= 0:
                        return found
                    if len(posting) <= room:
                        found.update(map(rshift, posting, repeat(2)))  # each entry's fact (entry >> 2)
                    else:
                        # Too many to take all: facts named by the word first.
                        named = [e >> 2 for e in posting if e & 3 == _NAME]
                        found.update(islice(dict.fromkeys(named + [e >> 2 for e in posting]), room))
            if group.year is not None:
                # A fact matching only the year is at most a suggestion: a few will do.
                room = min(budget - len(found), _YEAR_CANDIDATES)
                found.update(islice(self._by_year.get(group.year, ()), max(0, room)))
        return found

    def _group_values(
        self, q: _Query, group: _Group, among: dict[int, Any]
    ) -> tuple[dict[int, float], dict[int, float]]:
        """For one query word: fact id -> ranking value, and fact id -> confidence value."""
        rank: dict[int, float] = {}
        own: dict[int, float] = {}
        for alt in group.alternatives:
            parts = [self._weights(t, among, alt.similarity, alt.certainty) for t in alt.terms]
            matched = parts[0]
            if len(parts) > 1:  # a split word or a phrase: every part must appear, the least counts
                common = set(matched).intersection(*parts[1:])
                matched = {f: tuple(map(min, *[p[f] for p in parts])) for f in matched if f in common}
            for fid, (r, o) in matched.items():
                if r > rank.get(fid, 0.0):
                    rank[fid] = r
                if o > own.get(fid, 0.0):
                    own[fid] = o
        if group.year is not None and q.years is not None:
            # A period that contains the year counts, and more so the closer it
            # fits the years asked for: 2020 fits "2020" better than "2016-2023".
            # A dated fact is judged by its period alone: "2020" in the key of a
            # 2016-2020 fact does not make it a 2020 fact.
            years, dated, year, (first, last) = self._years, self._dated, group.year, q.years
            for fid in among:  # every candidate: written for speed
                span = years.get(fid)
                if span is None:
                    continue
                start, end = span
                if start <= year <= end:
                    # the share of the two periods they have in common (Jaccard over years)
                    common = (last if last < end else end) - (first if first > start else start) + 1
                    value = 0.5 + 0.5 * common / (
                        (last if last > end else end) - (first if first < start else start) + 1
                    )
                    if fid in dated:
                        rank[fid] = own[fid] = value
                    else:  # dated only by its sources: a year it says still counts in full
                        rank[fid] = max(rank.get(fid, 0.0), value)
                        own[fid] = max(own.get(fid, 0.0), value)
                elif fid in rank and fid in dated:
                    del rank[fid]
                    own.pop(fid, None)
        return rank, own

    def _coverage(
        self, q: _Query, candidates: set[int]
    ) -> tuple[dict[int, float], dict[int, float], set[int] | None, set[int] | None, set[int] | None]:
        """Each candidate's coverage and confidence, which candidates match a word of the query
        other than a year (None when it has no such word the base knows), and, of the words of the
        query that few facts use, the facts that say every one that is a name (`ramon`, `belarus`)
        and those that say any, in their own words (None when there is no such name or word). A
        fact that says none of those words matches only the query's common words; one that lacks
        such a name is about another party or place, however much else they share."""
        total = sum(g.weight for g in q.groups) or 1.0
        coverage = dict.fromkeys(candidates, 0.0)
        confidence = dict.fromkeys(candidates, 0.0)
        worded: set[int] | None = None
        names: set[int] | None = None
        rare: set[int] | None = None
        few = self._config.common_share * len(self._facts)
        for group in q.groups:
            rank, own = self._group_values(q, group, coverage)
            share = group.weight / total
            for fid, value in rank.items():
                coverage[fid] += share * value
            for fid, value in own.items():
                confidence[fid] += share * value
            if group.year is None and group.alternatives:
                worded = (worded or set()).union(rank)
                terms = group.alternatives[0].terms
                if min(map(self._df, terms)) < few:
                    rare = set(own) if rare is None else rare.union(own)
                    if any(map(self._is_name, terms)):
                        names = set(own) if names is None else names.intersection(own)
        return coverage, confidence, worded, names, rare

    def _weights(
        self, key: str, among: dict[int, Any], similarity: float, certainty: float
    ) -> dict[int, tuple[float, float]]:
        """Fact id -> (field weight times ``similarity``, confidence weight times ``certainty``)
        of form key ``key``."""
        near, rest = self._config.near * similarity, self._config.rest_weight * similarity
        values = ((similarity, certainty), (near, certainty), (near, certainty), (rest, 0.0))  # _OWN_WEIGHT
        out: dict[int, tuple[float, float]] = {}
        for term in self._by_stem.get(key, ()):
            # A term's posting holds a fact once, at the best field it is in.
            found = {fid: values[e & 3] for e in self._postings[term] if (fid := e >> 2) in among}
            if not out:
                out = found
                continue
            for fid, (r, o) in found.items():  # another word of this form key: the better of each
                prev = out.get(fid, (0.0, 0.0))
                out[fid] = (max(prev[0], r), max(prev[1], o))
        return out

    def _rank(self, q: _Query, *, budget: int, rerank: int) -> list[_Scored]:
        candidates = self._candidates(q, budget)
        if not candidates:
            return []
        coverage, confidence, worded, names, rare = self._coverage(q, candidates)
        asked = [g.year for g in q.groups if g.year is not None]
        needed, total = self._needed(q), sum(g.weight for g in q.groups) or 1.0
        # best coverage, then confidence, then the first fact (both dicts list the candidates in one order)
        ranked = zip(coverage.values(), confidence.values(), map(neg, coverage), strict=True)
        best = [_Scored(-f, cov, conf) for cov, conf, f in sorted(ranked, reverse=True)[:rerank]]
        stated: Reading | None = None
        for item in best:
            if asked and item.fid in self._dated and (span := self._years.get(item.fid)) is not None:
                # A fact whose own period leaves out a year the query asks about is
                # about another time: it may be suggested, never be the answer. (A
                # source's date says when it was reported, not what the fact is about.)
                item.dated_elsewhere = any(not span[0] <= year <= span[1] for year in asked)
            item.score = item.coverage
            if item.fid in q.named:
                item.exact = True
                item.score = 1.0 + item.score  # named exactly: first, whatever else matches
                item.confidence = 1.0
            elif worded is not None and item.fid not in worded:
                # Only the year fits: `drones 2013` must not answer with 2013's
                # explosives exemption. Years favour facts, they do not pick them.
                item.confidence = 0.0
                item.notes += ("matches only a year",)
            elif names is not None and item.fid not in names:  # another party or place
                item.confidence = 0.0
                item.notes += ("lacks a name asked for",)
            elif rare is not None and item.fid not in rare:
                item.confidence = 0.0
                item.notes += ("matches only common words",)
            # Reading whose thing a claim names costs the most of any check here (it parses the
            # claim), and it can only lower confidence: a fact already short of an answer's
            # confidence cannot be made one by it, so only the others are read.
            if item.confidence < needed:
                continue
            if stated is None:  # who gives to whom, and where, as the query says it
                stated = query_roles(q.text, self._is_name)
            roles = stated.directions or stated.places
            if roles and (wrong := {id(g): g for g in self._misread_roles(q, stated, item.fid)}):
                item.confidence -= sum(g.weight for g in wrong.values()) / total
                item.notes += ("role contradicted",)
        best.sort(key=lambda s: (-s.score, -s.confidence, self._facts[s.fid].key))
        return best
