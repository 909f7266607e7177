"""Finding the fact a reporter means, fast enough for every keystroke.

How it works. Each live fact is broken into folded words (see
:mod:`knowledge.textnorm`), each kept with the best field class it appears in
(key and aliases count most, then claim and tags, source titles, details and
publishers). An inverted index maps word -> compact array of (fact id, class).
A query word is matched against the *vocabulary*, never against every fact:
exactly, as a plural, as a synonym (another one-word alias of the fact it
names: עובדה -> ovda), as two joined words (`silk way` / `silkway`), split in
two, within one or two typing errors (rapidfuzz OSA distance over the words of
similar length), or, for autocomplete, as a prefix. Postings of those words,
rarest first, give at most a couple of thousand candidate facts; a candidate's
coverage is the share of the query's rarity (IDF) it matches, with years also
matching a fact's period. The best few are re-ranked with rapidfuzz (token-set
ratio against the fact's text, ratio against its names) and year fit. A query
that is exactly a key or an alias wins outright. Writes call
:meth:`SearchIndex.upsert`, which swaps one fact's postings: nothing is
rebuilt and the database file is never read.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice, pairwise

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from knowledge.duplicates import claim_similarity
from knowledge.model import Fact
from knowledge.textnorm import STOPWORDS, fold, normalise, strip_markup, words

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12
# Scores are 0..100. At or above CONFIDENT a hit is an answer; between
# SUGGEST and CONFIDENT it is only a "did you mean".
CONFIDENT = 55.0
SUGGEST = 30.0
# A fact matching a query's year but none of its words counts this much, and is
# at most a suggestion.
_YEAR_ONLY = 0.75
_YEAR_ONLY_CAP = (CONFIDENT - 1) / 100
# Results within this of the best are reported as matching about equally well.
TIE_MARGIN = 1.0
NEAR_DUPLICATE = 80.0

# How much a word counts depending on where the fact says it, by field class:
# 0 key and aliases, 1 claim and tags, 2 source titles, 3 details and publishers.
_NAME, _MAIN, _TITLE, _EXTRA = 0, 1, 2, 3
_CLASS_WEIGHT = (1.0, 0.9, 0.75, 0.7)

_SEARCH_BUDGET = 2000  # candidate facts scored per query
_COMMON_SHARE = 0.2  # a query word in more of the facts than this is ignored ...
_COMMON_COUNT = 1000  # ... once that is many facts
_AUTOCOMPLETE_BUDGET = 600
_RERANK = 40
_MAX_EXPANSIONS = 8  # vocabulary words one query word may stand for
# Below the lightest field weight, so the typed word in a fact's publisher still
# outranks a near-spelling of it in another fact's name.
_KNOWN_WORD_TYPO = 0.6
_YEAR_RE = re.compile(r"(?<!\d)([12]\d{3})(?:\s*[-–—/]\s*([12]\d{3}))?(?!\d)")
_DUPLICATE_PROBE = 8  # rarest words of a claim used to find possible repeats ...
_DUPLICATE_POSTINGS = 1000  # ... unless that many facts use them
_MAX_SPAN = 60  # a period longer than this is not indexed year by year


@dataclass(frozen=True, slots=True)
class Hit:
    fact: Fact
    score: float  # 0..100


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    query: str
    results: tuple[Hit, ...]
    suggestions: tuple[Hit, ...]
    problem: str | None = None

    @property
    def tied(self) -> int:
        """How many results score as well as the best (1 when the best stands alone).

        A broad word (``israel``) matches many facts equally; the first of them
        is then no more "the answer" than the others, and callers say so.
        """
        if not self.results:
            return 0
        best = self.results[0].score
        return sum(1 for hit in self.results if hit.score >= best - TIE_MARGIN)


@dataclass(frozen=True, slots=True)
class _Alternative:
    """One reading of a query word: vocabulary words that must all appear, and how close it is."""

    terms: tuple[str, ...]
    similarity: float


@dataclass(slots=True)
class _Group:
    """One query word and the vocabulary words it may stand for."""

    word: str
    weight: float
    alternatives: list[_Alternative]
    year: int | None = None


@dataclass(frozen=True, slots=True)
class _Query:
    text: str
    phrase: str
    groups: tuple[_Group, ...]
    years: tuple[int, int] | None


def _clean(query: object) -> str:
    """The query without Discord markup or control characters, cut to a sane length."""
    if not isinstance(query, str):
        return ""
    return " ".join(strip_markup(query[: MAX_QUERY_CHARS * 10]).split())[:MAX_QUERY_CHARS]


def _fact_fields(fact: Fact) -> Iterator[tuple[str, int]]:
    """The searchable texts of ``fact``, best field class first."""
    yield fact.key, _NAME
    for alias in fact.aliases:
        yield alias, _NAME
    for tag in fact.tags:
        yield tag, _MAIN
    yield fact.claim, _MAIN
    for source in fact.sources:
        if source.title:
            yield source.title, _TITLE
    if fact.details:
        yield fact.details, _EXTRA
    for source in fact.sources:
        yield source.publisher, _EXTRA


def _fact_terms(fact: Fact) -> dict[str, int]:
    """Each indexed word of ``fact`` with the best field class it appears in."""
    terms: dict[str, int] = {}
    for text, kind in _fact_fields(fact):
        new = set(words(text)).difference(STOPWORDS, terms)
        terms.update(dict.fromkeys(new, kind))
    return terms


def _names(fact: Fact) -> tuple[str, ...]:
    """The key and the aliases, normalised: what a fact is called."""
    names = (normalise(fact.key), *(normalise(a) for a in fact.aliases))
    return tuple(dict.fromkeys(n for n in names if n))


def _name_keys(fact: Fact) -> set[str]:
    """The fact's names without spaces: `silk way`, `silk-way` and `silkway` are one name."""
    return {name.replace(" ", "") for name in _names(fact)}


def _as_tuple(holders: int | tuple[int, ...]) -> tuple[int, ...]:
    return (holders,) if isinstance(holders, int) else holders


def _fact_years(fact: Fact) -> tuple[int, int] | None:
    try:
        return fact.years()
    except ValueError:
        return None


def _year_overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Share of the two spans that they have in common (Jaccard over years)."""
    common = min(a[1], b[1]) - max(a[0], b[0]) + 1
    if common <= 0:
        return 0.0
    return common / (max(a[1], b[1]) - min(a[0], b[0]) + 1)


def _max_typos(word: str) -> int:
    if word.isdigit() or len(word) < 3:
        return 0  # 2020 is not a typo of 2021, and two letters are too easy to confuse
    return 1 if len(word) < 8 else 2


def _plural_forms(word: str) -> list[str]:
    forms = [word + "s", word + "es"]
    if word.endswith("y") and len(word) > 2:
        forms.append(word[:-1] + "ies")
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 4:
        forms.append(word[:-2])
    if word.endswith("s") and len(word) > 3:
        forms.append(word[:-1])
    return forms


class SearchIndex:
    """An in-memory index of the live facts, kept current by :meth:`upsert`."""

    def __init__(self, facts: Iterable[Fact] = ()) -> None:
        self._ids: dict[str, int] = {}
        self._facts: dict[int, Fact] = {}
        # word -> entries (fact id << 2 | field class): 8 bytes per word per fact, so
        # 100,000 facts fit in tens of megabytes rather than a dict per word.
        self._postings: dict[str, array[int]] = {}
        # joined name (key or alias without spaces) -> fact id, or ids when shared
        self._by_name: dict[str, int | tuple[int, ...]] = {}
        self._years: dict[int, tuple[int, int]] = {}
        self._by_year: dict[int, set[int]] = {}
        self._sorted_terms: list[str] | None = None  # None: sort again when next needed
        self._by_length: dict[int, list[str]] = {}
        self._fuzzy_cache: dict[str, list[tuple[str, int]]] = {}
        for fact in facts:
            self.upsert(fact)

    def __len__(self) -> int:
        return len(self._facts)

    # --- writes ------------------------------------------------------------

    def upsert(self, fact: Fact) -> None:
        """Index ``fact`` (new or changed); a retracted fact is removed from results."""
        fid = self._ids.get(fact.key)
        if fid is None:
            if fact.retracted:
                return
            fid = self._ids[fact.key] = len(self._ids)
        elif (old := self._facts.pop(fid, None)) is not None:
            self._remove(fid, old)
        if fact.retracted:
            return
        self._facts[fid] = fact
        for term, kind in _fact_terms(fact).items():
            posting = self._postings.get(term)
            if posting is None:
                posting = self._postings[term] = array("q")
                self._add_term(term)
            posting.append(fid << 2 | kind)
        for name in _name_keys(fact):
            holders = self._by_name.get(name)
            if holders is None:
                self._by_name[name] = fid
            else:
                self._by_name[name] = (*_as_tuple(holders), fid)
        if (span := _fact_years(fact)) is not None:
            self._years[fid] = span
            if span[1] - span[0] <= _MAX_SPAN:
                for year in range(span[0], span[1] + 1):
                    self._by_year.setdefault(year, set()).add(fid)

    def _remove(self, fid: int, old: Fact) -> None:
        """Take out what ``old`` (the indexed version of fact ``fid``) put in."""
        for term, kind in _fact_terms(old).items():
            posting = self._postings[term]
            posting.remove(fid << 2 | kind)
            if not posting:
                del self._postings[term]
                self._drop_term(term)
        for name in _name_keys(old):
            rest = tuple(h for h in _as_tuple(self._by_name[name]) if h != fid)
            if not rest:
                del self._by_name[name]
            else:
                self._by_name[name] = rest[0] if len(rest) == 1 else rest
        if (span := self._years.pop(fid, None)) is not None and span[1] - span[0] <= _MAX_SPAN:
            for year in range(span[0], span[1] + 1):
                self._by_year[year].discard(fid)

    def _add_term(self, term: str) -> None:
        if self._sorted_terms is not None:
            bisect.insort(self._sorted_terms, term)
        if not term.isdigit():  # numbers are never typos of each other
            self._by_length.setdefault(len(term), []).append(term)
        self._fuzzy_cache.clear()

    def _drop_term(self, term: str) -> None:
        if self._sorted_terms is not None:
            i = bisect.bisect_left(self._sorted_terms, term)
            del self._sorted_terms[i]
        if not term.isdigit():
            self._by_length[len(term)].remove(term)
        self._fuzzy_cache.clear()

    def _named(self, name: str) -> tuple[int, ...]:
        """Facts whose key or an alias is ``name`` (spaces ignored)."""
        holders = self._by_name.get(name.replace(" ", ""))
        return () if holders is None else _as_tuple(holders)

    # --- vocabulary lookups --------------------------------------------------

    def _common(self, alt: _Alternative) -> bool:
        count = min(len(self._postings.get(t, ())) for t in alt.terms)
        return count > _COMMON_COUNT and count > _COMMON_SHARE * len(self._facts)

    def _idf(self, term: str) -> float:
        return math.log(1 + len(self._facts) / max(1, len(self._postings.get(term, ()))))

    def _typo_matches(self, word: str) -> list[tuple[str, int]]:
        """Vocabulary words within the allowed number of typing errors of ``word``."""
        cached = self._fuzzy_cache.get(word)
        if cached is not None:
            return cached
        limit = _max_typos(word)
        found: list[tuple[str, int]] = []
        if limit:
            for length in range(len(word) - limit, len(word) + limit + 1):
                for term, distance, _ in process.extract(
                    word, self._by_length.get(length, ()), scorer=OSA.distance, score_cutoff=limit, limit=None
                ):
                    if term == word:
                        continue
                    # In a three-letter word only swapped letters (`wya`) are a typo;
                    # any other change makes a different word.
                    if len(word) == 3 and sorted(term) != sorted(word):
                        continue
                    found.append((term, int(distance)))
        found.sort(key=lambda item: (item[1], -len(self._postings[item[0]]), item[0]))
        if len(self._fuzzy_cache) > 4096:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[word] = found = found[:_MAX_EXPANSIONS]
        return found

    def _prefix_matches(self, prefix: str) -> list[str]:
        """The most widely used vocabulary words starting with ``prefix``."""
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self._postings)
        terms = self._sorted_terms
        start = bisect.bisect_left(terms, prefix)
        end = bisect.bisect_left(terms, prefix + "\U0010ffff", lo=start)
        found = [t for t in terms[start:end] if t != prefix]
        if len(found) > _MAX_EXPANSIONS:
            found.sort(key=lambda t: -len(self._postings[t]))
            found = found[:_MAX_EXPANSIONS]
        return found

    def _synonyms(self, word: str) -> list[str]:
        """Other one-word names of the facts that ``word`` names (עובדה -> ovda, uvda)."""
        siblings: set[str] = set()
        for fid in self._named(word)[:_MAX_EXPANSIONS]:
            for alias in self._facts[fid].aliases:
                name = normalise(alias)
                if name and " " not in name and name != word:
                    siblings.add(name)
        return sorted(siblings)[:_MAX_EXPANSIONS]

    def _alternatives(self, word: str, *, prefix: bool) -> list[_Alternative]:
        alts: dict[tuple[str, ...], float] = {}

        def offer(terms: tuple[str, ...], similarity: float) -> None:
            if similarity > alts.get(terms, 0.0):
                alts[terms] = similarity

        if word in self._postings:
            offer((word,), 1.0)
        if prefix:  # a word still being typed: what it may become, nothing more
            if len(word) >= 2:
                for term in self._prefix_matches(word):
                    offer((term,), 0.6 + 0.3 * len(word) / len(term))
        elif not word.isdigit():
            for form in _plural_forms(word):
                if form in self._postings:
                    offer((form,), 0.95)
            for term in self._synonyms(word):
                if term in self._postings:
                    offer((term,), 0.9)
            # A word the base itself uses is not a typo: another word one letter
            # away (`times` -> `ties`) may still be meant, but must not outweigh the
            # word as typed in whatever field the base uses it.
            typo_weight = _KNOWN_WORD_TYPO if word in self._postings else 1.0
            for term, distance in self._typo_matches(word):
                offer((term,), (1.0 - 0.12 * distance) * typo_weight)
            if len(word) >= 5:  # also when one fact writes it joined and another apart
                for i in range(2, len(word) - 1):
                    head, tail = word[:i], word[i:]
                    if head in self._postings and tail in self._postings:
                        offer((head, tail), 0.95)
            if len(word) >= 4 and not alts:
                for term in self._prefix_matches(word):
                    offer((term,), 0.6 + 0.3 * len(word) / len(term))
        ranked = sorted(alts.items(), key=lambda item: -item[1])
        return [_Alternative(terms, sim) for terms, sim in ranked[: _MAX_EXPANSIONS * 2]]

    # --- queries -----------------------------------------------------------

    def _parse(self, query: object, text: str, *, prefix_last: bool) -> _Query | str:
        """The cleaned query ``text`` ready to score, or why there is nothing to search for."""
        if not (isinstance(query, str) and query.strip()):
            return "Nothing to search for: the query is empty; type a few words, a name or a year."
        all_words = words(text)
        if not all_words:
            return (
                "Nothing to search for: mentions, emoji and symbols are ignored; type a word, name or year."
            )
        content = [w for w in all_words if w not in STOPWORDS]
        if not content:
            return (
                "Nothing to search for: only common words like 'the' or 'how'; add a name, place or number."
            )
        content = list(dict.fromkeys(content))[:MAX_QUERY_WORDS]

        years: list[int] = []
        for m in _YEAR_RE.finditer(fold(text)):
            first, last = int(m.group(1)), int(m.group(2) or m.group(1))
            years.extend((first, last) if first <= last else (first,))
        span = (min(years), max(years)) if years else None

        groups: list[_Group] = []
        for i, word in enumerate(content):
            alts = self._alternatives(word, prefix=prefix_last and i == len(content) - 1)
            year = int(word) if word.isdigit() and len(word) == 4 and span else None
            groups.append(_Group(word, 0.0, alts, year))
        # Two query words a fact writes as one (`silk way` / `silkway`).
        for left, right in pairwise(groups):
            joined = left.word + right.word
            if joined in self._postings:
                for group in (left, right):
                    group.alternatives.insert(0, _Alternative((joined,), 1.0))
        unknown = math.log(1 + max(1, len(self._facts)))
        if prefix_last and len(groups) > 1 and not groups[-1].alternatives:
            groups.pop()  # a word still being typed that matches nothing yet
        # In a large base, a word in a large share of the facts tells them apart no
        # better than "the", and scoring its long posting list would cost the most.
        common = [g for g in groups if g.alternatives and g.year is None and self._common(g.alternatives[0])]
        if len(common) < len(groups):
            groups = [g for g in groups if g not in common]
        for group in groups:
            if group.alternatives:
                best = group.alternatives[0]
                group.weight = sum(self._idf(t) for t in best.terms) / len(best.terms)
                # A word that is itself a fact's name (`ovda`) says what the query is
                # about, however many other facts mention it in passing.
                if named := self._named(group.word):
                    group.weight = max(group.weight, math.log(1 + len(self._facts) / len(named)))
            elif group.year is not None and group.year in self._by_year:
                group.weight = math.log(1 + len(self._facts) / len(self._by_year[group.year]))
            else:
                group.weight = unknown
        return _Query(text, " ".join(all_words), tuple(groups), span)

    def _candidates(self, q: _Query, budget: int) -> set[int]:
        """Facts worth scoring: postings of the rarest query words first, up to ``budget``."""
        found = set(self._named(q.phrase))
        for group in sorted(q.groups, key=lambda g: -g.weight):
            for alt in group.alternatives:
                # For a split word, the rarer half is enough to find candidates.
                term = min(alt.terms, key=lambda t: len(self._postings.get(t, ())))
                posting = self._postings.get(term, ())
                room = budget - len(found)
                if room <= 0:
                    return found
                if len(posting) <= room:
                    found.update(e >> 2 for e in posting)
                else:
                    # Too many to take all: facts named by the word first.
                    named = [e >> 2 for e in posting if e & 3 == _NAME]
                    found.update(islice(dict.fromkeys(named + [e >> 2 for e in posting]), room))
            if group.year is not None:
                room = budget - len(found)
                found.update(islice(self._by_year.get(group.year, ()), max(0, room)))
        return found

    def _coverage(self, q: _Query, candidates: set[int]) -> tuple[dict[int, float], set[int] | None]:
        """Each candidate's share of the query's total word weight that it matches, and which
        candidates match a word of it other than a year (None when it has no such word the base knows).
        """
        total = sum(g.weight for g in q.groups) or 1.0
        scores = dict.fromkeys(candidates, 0.0)
        worded: set[int] | None = None
        for group in q.groups:
            best: dict[int, float] = {}
            for alt in group.alternatives:
                weights = [self._weights(t, scores, alt.similarity) for t in alt.terms]
                matched = weights[0]
                if len(weights) > 1:  # a split word: every part must appear
                    matched = {f: min(w[f] for w in weights) for f in matched if all(f in w for w in weights)}
                for fid, value in matched.items():
                    if value > best.get(fid, 0.0):
                        best[fid] = value
            if group.year is not None and q.years is not None:
                # A period that contains the year counts, and more so the closer it
                # fits the years asked for: 2020 fits "2020" better than "2016-2023".
                holders = self._by_year.get(group.year, set())
                for fid in holders if len(holders) < len(candidates) else candidates:
                    span = self._years.get(fid)
                    if fid in scores and span and span[0] <= group.year <= span[1]:
                        value = 0.5 + 0.5 * _year_overlap(q.years, span)
                        if value > best.get(fid, 0.0):
                            best[fid] = value
            for fid, value in best.items():
                scores[fid] += group.weight * value
            if group.year is None and group.alternatives:
                worded = (worded or set()).union(best)
        return {fid: value / total for fid, value in scores.items()}, worded

    def _weights(self, term: str, among: dict[int, float], similarity: float) -> dict[int, float]:
        """Fact id -> field weight of ``term`` times ``similarity``, for the facts in ``among``."""
        out: dict[int, float] = {}
        for entry in self._postings.get(term, ()):
            fid = entry >> 2
            if fid in among:
                value = _CLASS_WEIGHT[entry & 3] * similarity
                if value > out.get(fid, 0.0):
                    out[fid] = value
        return out

    def _rank(self, q: _Query, *, budget: int, rerank: int) -> list[Hit]:
        candidates = self._candidates(q, budget)
        if not candidates:
            return []
        coverage, worded = self._coverage(q, candidates)
        exact = set(self._named(q.phrase))
        # The query without its years, to compare with what each fact is called.
        naming = " ".join(g.word for g in q.groups if g.year is None)
        best = heapq.nlargest(rerank, coverage.items(), key=lambda item: (item[1], -item[0]))
        hits: list[tuple[float, str, Fact]] = []
        for fid, cov in best:
            fact = self._facts[fid]
            names = _names(fact)
            text = " ".join((*names, normalise(fact.claim)))
            wording = fuzz.token_set_ratio(q.phrase, text, processor=None) / 100
            named = max(fuzz.ratio(naming, n, processor=None) for n in names) / 100
            span = self._years.get(fid)
            years = _year_overlap(q.years, span) if q.years and span else 0.0
            score = 0.8 * cov + 0.08 * wording + 0.07 * named + 0.05 * years
            if fid in exact:
                score = 1.0 + score  # named exactly: first, whatever else matches
            elif worded is not None and fid not in worded:
                # Only the year fits: `drones 2013` must not answer with 2013's
                # explosives exemption. Years favour facts, they do not pick them.
                score = min(_YEAR_ONLY * score, _YEAR_ONLY_CAP)
            hits.append((score, fact.key, fact))
        hits.sort(key=lambda item: (-item[0], item[1]))
        return [Hit(fact, round(min(100.0, 100 * score), 1)) for score, _, fact in hits]

    def search(self, query: str, *, limit: int = 5) -> SearchOutcome:
        """Confident results for ``query`` and, below them, "did you mean" suggestions."""
        text = _clean(query)
        parsed = self._parse(query, text, prefix_last=False)
        if isinstance(parsed, str):
            return SearchOutcome(text, (), (), parsed)
        limit = max(1, limit)
        hits = self._rank(parsed, budget=_SEARCH_BUDGET, rerank=max(_RERANK, limit * 2))
        results = tuple(h for h in hits if h.score >= CONFIDENT)[:limit]
        suggestions = tuple(h for h in hits if SUGGEST <= h.score < CONFIDENT)[: max(3, limit - len(results))]
        return SearchOutcome(text, results, suggestions, None)

    def autocomplete(self, query: str, *, limit: int = 25) -> list[Hit]:
        """Facts for a half-typed query, the last word read as a prefix. Cheap enough per keystroke."""
        parsed = self._parse(query, _clean(query), prefix_last=True)
        if isinstance(parsed, str):
            return []
        hits = self._rank(parsed, budget=_AUTOCOMPLETE_BUDGET, rerank=max(1, limit))
        return [h for h in hits if h.score >= SUGGEST][:limit]

    # --- duplicates ----------------------------------------------------------

    def near_duplicates(
        self, claim: str, aliases: Sequence[str] = (), *, exclude_key: str | None = None
    ) -> list[Hit]:
        """Live facts whose claim says nearly the same as ``claim``, most similar first."""
        claim_words = [w for w in words(claim) if w not in STOPWORDS]
        if not claim_words:
            return []
        found: set[int] = set()
        for alias in aliases:
            found.update(self._named(normalise(alias)))
        # A claim that nearly repeats this one shares most of its rarest words; only
        # facts that do are worth comparing, which keeps `check` fast on a big base.
        known = {w for w in claim_words if w in self._postings}
        rare = sorted(known, key=lambda w: (len(self._postings[w]), w))[:_DUPLICATE_PROBE]
        rare = [w for w in rare if len(self._postings[w]) <= _DUPLICATE_POSTINGS] or rare[:1]
        shared: Counter[int] = Counter()
        for word in rare:
            shared.update(e >> 2 for e in islice(self._postings[word], _DUPLICATE_POSTINGS))
        needed = (len(rare) + 1) // 2
        found.update(fid for fid, count in shared.items() if count >= needed)
        mine = " ".join(claim_words)
        my_numbers = {w for w in claim_words if w.isdigit()}
        my_aliases = {normalise(a) for a in aliases} - {""}
        hits: list[Hit] = []
        for fid in found:
            fact = self._facts[fid]
            if fact.key == exclude_key:
                continue
            score = claim_similarity(mine, my_numbers, fact.claim)
            if my_aliases & {normalise(a) for a in fact.aliases}:
                score = min(100.0, score + 10)
            if score >= NEAR_DUPLICATE:
                hits.append(Hit(fact, round(score, 1)))
        hits.sort(key=lambda h: (-h.score, h.fact.key))
        return hits
