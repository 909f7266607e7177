"""Finding the fact a reporter means, fast enough for every keystroke, and saying when there is none.

How it works. Each live fact is broken into folded words (see
:mod:`knowledge.textnorm`), each kept with the best field class it appears in:
key and aliases, claim, tags, and the rest (source titles, details,
publishers). An inverted index maps word -> compact array of (fact id, class);
words are grouped by form key (:func:`knowledge.wordforms.stem`), so `flight`
and `flights` are one term. A query word is matched against the *vocabulary*,
never against every fact: by its form key, its Turkish or Hebrew-prefix or
transliterated variants, the reviewed thesaurus (`UAV` -> drone, `Yerevan` ->
Armenia), another one-word name of the fact it names (עובדה -> ovda), as two
joined words or split in two, within one or two typing errors (never in
digits), or, for autocomplete, as a prefix. Question words and filler are
dropped; a word the base never uses keeps its weight and so counts against
every fact.

Each candidate gets two shares of the query's rarity (IDF): *coverage*, over
all its fields, ranks; *confidence* counts only the fact's own words (key,
aliases and claim in full, tags in part, never a source's headline or
publisher) and decides the verdict: "answer" when one fact's confidence
reaches :data:`ANSWER_CONFIDENCE` clearly ahead of the rest, "several" when
more are within :data:`SEVERAL_MARGIN` of it, "none" otherwise, and always
for a query of numbers or years alone. :meth:`SearchIndex.explain` returns the
same reasoning as plain data. Two readings of the sentence can take an
answer back: a query's `X's Y` where the claim gives Y another owner, and a
query's `A gives B` where the claim says B gives A (:mod:`knowledge.roles`);
"when" asks for a fact that says when, as "how many" asks for a figure.
Writes call :meth:`SearchIndex.upsert`, which
swaps one fact's postings; :meth:`SearchIndex.use_thesaurus` swaps the thesaurus
without touching the postings.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice, pairwise
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from knowledge.duplicates import claim_similarity
from knowledge.model import Fact
from knowledge.roles import Reading, names, read
from knowledge.textnorm import STOPWORDS, fold, is_number, normalise, strip_markup, words
from knowledge.wordforms import (
    COUNT_QUESTIONS,
    COUNT_WORDS,
    CURRENCY_WORDS,
    DATE_WORDS,
    MONEY_WORDS,
    MONTHS,
    NUMBER_WORDS,
    QUERY_FILLER,
    WHEN_QUESTIONS,
    Phrase,
    Thesaurus,
    Typed,
    keys,
    latin_spellings,
    owners,
    shipped_thesaurus,
    stated_owners,
    stem,
    typed_words,
    variants,
)

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12
# Hit scores are 0..100 and rank; SUGGEST is the least a "did you mean" needs.
CONFIDENT = 55.0
SUGGEST = 30.0
# Verdicts, on confidence (0..1, the share of the query's weight found in the
# fact's own words): calibrated on bench/eval/queries.tsv (see README).
ANSWER_CONFIDENCE = 0.78
SEVERAL_MARGIN = 0.1
# A query of _LONG_QUERY or more words (a reporter's whole question) needs only
# LONG_ANSWER_CONFIDENCE: two words of seven that the fact says otherwise are weaker evidence
# against it than one of two, and a fact matching the other five is no coincidence. Both chosen
# by bench/calibrate.py on the tuning sets.
_LONG_QUERY = 7
LONG_ANSWER_CONFIDENCE = 0.65
# A word the base never uses weighs this share of the rarest word's weight, or the
# query's average known word if more; a word the base uses weighs at least
# _LEAST_SHARE of it, so `israel` missing from a fact still counts although most say Israel.
_UNKNOWN_SHARE = 0.8
_LEAST_SHARE = 0.4
VERDICTS = ("answer", "several", "none")
# A fact matching a query's year but none of its words counts this much, and is
# at most a suggestion.
_YEAR_ONLY = 0.75
_YEAR_ONLY_CAP = (CONFIDENT - 1) / 100
# Results within this of the best are reported as matching about equally well.
TIE_MARGIN = 1.0
NEAR_DUPLICATE = 80.0

# Where the fact says a word, by field class: 0 key and aliases, 1 claim,
# 2 tags, 3 source titles, details and publishers. _RANK ranks; _OWN is how
# much the word counts towards confidence (a headline is not the fact's claim).
_NAME, _CLAIM, _TAG, _EXTRA = 0, 1, 2, 3
_CLASS_WEIGHT = (1.0, 0.9, 0.75, 0.6)
_TAG_CONFIDENCE = 1.0
_OWN_WEIGHT = [1.0, 1.0, _TAG_CONFIDENCE, 0.0]
_FIELD_NAMES = ("name", "claim", "tag", "source or details")
_SURE_READINGS = frozenset({"exact", "word form", "synonym", "another name", "joined", "split"})

_SEARCH_BUDGET = 1000  # candidate facts scored per query
# A query whose every word is in at least this share of the facts (`israeli drones`,
# `baku flights`) is broad: many facts fit it, and one saying its words in order or
# carrying them in its key is chance, not the answer (the broad-word rule of issue 11).
_BROAD_SHARE = 0.15
_COMMON_SHARE = 0.2  # a query word in more of the facts than this is ignored ...
_COMMON_COUNT = 1000  # ... once that is many facts
_AUTOCOMPLETE_BUDGET = 600
_RERANK = 40
_MAX_EXPANSIONS = 8  # vocabulary words one query word may stand for
_MAX_TYPO_WORDS = 4  # query words looked up as possible typos
_YEAR_CANDIDATES = 200  # facts found by a query's year alone, per year
# How close each kind of match is to the word as typed.
_FORM, _SYNONYM, _BROADER, _SIBLING, _SPLIT = 0.95, 0.9, 0.8, 0.9, 0.95
_TYPO_SYNONYM = 0.88  # as sure as a one-letter typo
_YEAR_RE = re.compile(r"(?<!\d)([12]\d{3})(?:\s*[-–—/]\s*([12]\d{3}))?(?!\d)")
_DUPLICATE_PROBE = 8  # rarest words of a claim used to find possible repeats ...
_DUPLICATE_POSTINGS = 1000  # ... unless that many facts use them
_MAX_SPAN = 60  # a period longer than this is not indexed year by year
_FIGURE_REACH = 5  # words between a figure and what it counts


@dataclass(frozen=True, slots=True)
class Hit:
    fact: Fact
    score: float  # 0..100, ranks
    confidence: float = 0.0  # 0..100, share of the query found in the fact's own words


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """What a query found. ``verdict``: one fact answers it ("answer"), several fit
    about equally and none is *the* answer ("several": ``results`` lists them), or
    no fact matches ("none": only ``suggestions``)."""

    query: str
    results: tuple[Hit, ...]
    suggestions: tuple[Hit, ...]
    problem: str | None = None
    verdict: str = ""  # left empty: "answer" when there are results, else "none"

    def __post_init__(self) -> None:
        if not self.verdict:
            object.__setattr__(self, "verdict", "answer" if self.results else "none")
        elif self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {self.verdict!r}")

    @property
    def tied(self) -> int:
        """How many results fit about equally (1 when one fact is the answer, 0 when none)."""
        if self.verdict == "several":
            return len(self.results)
        return 1 if self.results else 0


@dataclass(frozen=True, slots=True)
class _Alternative:
    """One reading of a query word: form keys that must all appear, how close, and why."""

    terms: tuple[str, ...]
    similarity: float
    how: str = "exact"

    @property
    def certainty(self) -> float:
        """How sure the reading is, for confidence: a word form, a reviewed synonym or another
        name of the fact mean the same word; a typo or a prefix is a guess, a broader term less."""
        if self.how in _SURE_READINGS:
            return 1.0
        return _BROADER if self.how == "broader term" else self.similarity


@dataclass(slots=True)
class _Group:
    """One query word (or thesaurus phrase) and the terms it may stand for."""

    word: str
    weight: float
    alternatives: list[_Alternative]
    year: int | None = None

    @property
    def numeric(self) -> bool:
        """A figure: digits, or a word that only says how big one is (`billion`, `percent`)."""
        return is_number(self.word.replace(" ", "")) or self.word in NUMBER_WORDS


@dataclass(frozen=True, slots=True)
class _Query:
    text: str
    phrase: str
    groups: tuple[_Group, ...]
    years: tuple[int, int] | None
    named: frozenset[int] = frozenset()  # facts the whole query names (a key or an alias)
    counting: bool = False  # "how many", "how much": only a fact stating a figure answers it
    dating: bool = False  # "when", "what year": only a fact stating a date answers it
    pricing: bool = False  # "worth", "cost": only a fact stating a sum of money answers it
    owned: tuple[tuple[int, int], ...] = ()  # `X's Y`: (group of X, group of Y)
    roles: Reading = field(default_factory=Reading)  # who gives to whom, and where, as the query says it
    fits: dict[int, float] = field(default_factory=dict)  # fact id -> period fit, computed once

    def fit(self, fid: int, span: tuple[int, int]) -> float:
        """How well a fact's period fits the query's years (0..1), remembered for this query."""
        found = self.fits.get(fid)
        if found is None and self.years is not None:
            found = self.fits[fid] = _year_overlap(self.years, span)
        return found or 0.0


@dataclass(slots=True)
class _Scored:
    fid: int
    coverage: float
    confidence: float
    score: float = 0.0
    exact: bool = False
    dated_elsewhere: bool = False


@dataclass(slots=True)
class _Ranking:
    query: _Query
    scored: list[_Scored] = field(default_factory=list)


# A period written short: 2015-19, 2016–20 (not 2015-2019, and not 2015 19 apart).
_SHORT_RANGE_RE = re.compile(r"(?<!\d)([12]\d)(\d{2})\s*[-–—/]\s*(\d{2})(?!\d)")


def _whole_years(text: str) -> str:
    """``text`` with short periods written out: `2015-19` -> `2015-2019`."""
    return _SHORT_RANGE_RE.sub(lambda m: f"{m[1]}{m[2]}-{m[1]}{m[3]}", text)


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
    yield fact.claim, _CLAIM
    for tag in fact.tags:
        yield tag, _TAG
    for source in fact.sources:
        if source.title:
            yield source.title, _EXTRA
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
    if is_number(word) or len(word) < 3:
        return 0  # 2020 is not a typo of 2021, and two letters are too easy to confuse
    return 1 if len(word) < 8 else 2


def _slip(word: str, term: str) -> bool:
    """``term`` is ``word`` with two letters swapped or one letter doubled or undoubled."""
    if sorted(word) == sorted(term):
        return True
    short, long_ = sorted((word, term), key=len)
    return len(long_) == len(short) + 1 and any(
        long_[i] == long_[i + 1] and long_[:i] + long_[i + 1 :] == short for i in range(len(long_) - 1)
    )


def _filler(word: str) -> bool:
    """A word that never decides which fact is meant: a question word, filler, or a lone letter."""
    return word in STOPWORDS or word in QUERY_FILLER or (len(word) == 1 and not is_number(word))


class SearchIndex:
    """An in-memory index of the live facts, kept current by :meth:`upsert`."""

    def __init__(self, facts: Iterable[Fact] = (), *, thesaurus: Thesaurus | None = None) -> None:
        self._ids: dict[str, int] = {}
        self._facts: dict[int, Fact] = {}
        # word -> entries (fact id << 2 | field class): 8 bytes per word per fact, so
        # 100,000 facts fit in tens of megabytes rather than a dict per word.
        self._postings: dict[str, array[int]] = {}
        # form key -> the vocabulary words that have it (`flight`: flight, flights)
        self._by_stem: dict[str, list[str]] = {}
        # joined name (key or alias without spaces) -> fact id, or ids when shared
        self._by_name: dict[str, int | tuple[int, ...]] = {}
        self._years: dict[int, tuple[int, int]] = {}  # its period, else its sources' dates
        self._dated: set[int] = set()  # facts with a period of their own
        self._by_year: dict[int, set[int]] = {}
        self._sorted_terms: list[str] | None = None  # None: sort again when next needed
        # (first letter, length) -> words: a typo is looked for among words of about the
        # same length that start with the same letter, as Lucene's fuzzy prefix length 1
        # does; a wrong first letter is rare when typing, and this is 20x fewer comparisons.
        self._by_length: dict[tuple[str, int], list[str]] = {}
        self._fuzzy_cache: dict[str, list[tuple[str, int]]] = {}
        # Form keys the claims write with a capital (the parties a direction can name), by how
        # many facts do, and what each fact's claim says of them once a query has needed it.
        self._names: Counter[str] = Counter()
        self._claim_roles: dict[int, Reading] = {}
        self._thesaurus = thesaurus if thesaurus is not None else shipped_thesaurus()
        for fact in facts:
            self.upsert(fact)
        # Sorted now, not on the first query that needs prefixes; upsert keeps it sorted.
        self._sorted_terms = sorted(self._postings)

    def __len__(self) -> int:
        return len(self._facts)

    @property
    def thesaurus(self) -> Thesaurus:
        return self._thesaurus

    def use_thesaurus(self, thesaurus: Thesaurus) -> None:
        """Search with ``thesaurus`` from now on (a moderator's new group); nothing is re-indexed,
        since synonyms are looked up when a query is read."""
        self._thesaurus = thesaurus

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
        self._names.update(names(fact.claim))
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
            if fact.period:
                self._dated.add(fid)
            if span[1] - span[0] <= _MAX_SPAN:
                for year in range(span[0], span[1] + 1):
                    self._by_year.setdefault(year, set()).add(fid)

    def _remove(self, fid: int, old: Fact) -> None:
        """Take out what ``old`` (the indexed version of fact ``fid``) put in."""
        self._names.subtract(names(old.claim))
        self._claim_roles.pop(fid, None)
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
        self._dated.discard(fid)
        if (span := self._years.pop(fid, None)) is not None and span[1] - span[0] <= _MAX_SPAN:
            for year in range(span[0], span[1] + 1):
                self._by_year[year].discard(fid)

    def _add_term(self, term: str) -> None:
        if self._sorted_terms is not None:
            bisect.insort(self._sorted_terms, term)
        if not is_number(term):  # numbers are never typos of each other
            self._by_length.setdefault((term[0], len(term)), []).append(term)
        self._by_stem.setdefault(stem(term), []).append(term)
        self._fuzzy_cache.clear()

    def _drop_term(self, term: str) -> None:
        if self._sorted_terms is not None:
            i = bisect.bisect_left(self._sorted_terms, term)
            del self._sorted_terms[i]
        if not is_number(term):
            self._by_length[term[0], len(term)].remove(term)
        key = stem(term)
        self._by_stem[key].remove(term)
        if not self._by_stem[key]:
            del self._by_stem[key]
        self._fuzzy_cache.clear()

    def _named(self, name: str) -> tuple[int, ...]:
        """Facts whose key or an alias is ``name`` (spaces ignored)."""
        holders = self._by_name.get(name.replace(" ", ""))
        return () if holders is None else _as_tuple(holders)

    # --- vocabulary lookups --------------------------------------------------

    def _df(self, key: str) -> int:
        """How many facts use a word with form key ``key`` (a fact using two forms counts twice)."""
        return sum(len(self._postings[t]) for t in self._by_stem.get(key, ()))

    def _common(self, alt: _Alternative) -> bool:
        count = min(self._df(t) for t in alt.terms)
        return count > _COMMON_COUNT and count > _COMMON_SHARE * len(self._facts)

    def _idf(self, key: str) -> float:
        return math.log(1 + len(self._facts) / max(1, self._df(key)))

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
                    word,
                    self._by_length.get((word[0], length), ()),
                    scorer=OSA.distance,
                    score_cutoff=limit,
                    limit=None,
                ):
                    if term == word:
                        continue
                    # In a word of three or four letters only swapped letters (`wya`) or
                    # a doubled one (`rom`, `romm`) are a typo; any other change makes
                    # another word (`came` is not `name`, `fled` is not `flew`).
                    if len(word) <= 4 and not _slip(word, term):
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

    def _siblings(self, forms: Sequence[str]) -> list[str]:
        """Form keys of the other one-word names of the facts a word names (עובדה -> ovda, uvda),
        whichever of its forms (``forms``: form keys) names them (`Овду` -> Овда)."""
        siblings: set[str] = set()
        named = {fid for key in forms for term in self._by_stem.get(key, ()) for fid in self._named(term)}
        for fid in sorted(named)[:_MAX_EXPANSIONS]:
            for alias in self._facts[fid].aliases:
                name = normalise(alias)
                if name and " " not in name and stem(name) not in forms:
                    siblings.add(stem(name))
        return sorted(siblings)[:_MAX_EXPANSIONS]

    def _known(self, phrase: Phrase) -> bool:
        return all(key in self._by_stem for key in phrase)

    def _related(self, phrase: Phrase) -> Iterator[_Alternative]:
        """What the thesaurus says ``phrase`` may stand for, among the words the base uses."""
        for related in self._thesaurus.related(phrase):
            if self._known(related.phrase):
                if related.broader:
                    yield _Alternative(related.phrase, _BROADER, "broader term")
                else:
                    yield _Alternative(related.phrase, _SYNONYM, "synonym")

    def _alternatives(self, typed: Typed, *, prefix: bool, typos: list[int]) -> list[_Alternative]:
        """What one query word may stand for; ``typos`` counts down the near-spelling lookups
        the query may still make (the costliest kind)."""
        word = typed.word
        alts: dict[tuple[str, ...], _Alternative] = {}

        def offer(alt: _Alternative) -> None:
            if alt.similarity > (alts[alt.terms].similarity if alt.terms in alts else 0.0):
                alts[alt.terms] = alt

        forms = keys(word, typed.raw)
        if forms[0] in self._by_stem:
            exact = word in self._postings
            offer(_Alternative((forms[0],), 1.0 if exact else _FORM, "exact" if exact else "word form"))
        if prefix:  # a word still being typed: what it may become, nothing more
            if len(word) >= 2:
                for term in self._prefix_matches(word):
                    offer(_Alternative((stem(term),), 0.6 + 0.3 * len(word) / len(term), "prefix"))
        elif not is_number(word):
            for form in forms[1:]:
                if form in self._by_stem:
                    offer(_Alternative((form,), _FORM, "word form"))
            for form in forms:
                for alt in self._related((form,)):
                    offer(alt)
            for key in self._siblings(forms):
                if key in self._by_stem:
                    offer(_Alternative((key,), _SIBLING, "another name"))
            # A word the base uses, in some form or other words, is not a typo: looking
            # for near spellings of it would only add guesses (`times` -> `ties`), and
            # is the costliest lookup a query makes.
            if not alts and typos[0] > 0:
                typos[0] -= 1
                # A Russian name the base spells in Latin letters is looked for as typed and as
                # transliterated (`Аэронавтикс` -> aeronavtiks -> aeronautics, two letters off).
                for spelling in (word, *latin_spellings(word)):
                    for term, distance in self._typo_matches(spelling):
                        offer(_Alternative((stem(term),), 1.0 - 0.12 * distance, "typo"))
                if not alts and (limit := _max_typos(word)):
                    # a typo of a word the base says otherwise (`atack` -> attack -> struck)
                    for key in self._thesaurus.spelt_like(forms[0], limit)[:2]:
                        for alt in self._related((key,)):
                            offer(
                                _Alternative(alt.terms, _TYPO_SYNONYM * alt.similarity, "typo of a synonym")
                            )
            if len(word) >= 5:  # also when one fact writes it joined and another apart
                for i in range(2, len(word) - 1):
                    head, tail = word[:i], word[i:]
                    if head in self._postings and tail in self._postings:
                        offer(_Alternative((stem(head), stem(tail)), _SPLIT, "split"))
            if len(word) >= 4 and not alts:
                for term in self._prefix_matches(word):
                    offer(_Alternative((stem(term),), 0.6 + 0.3 * len(word) / len(term), "prefix"))
        ranked = sorted(alts.values(), key=lambda alt: -alt.similarity)
        return ranked[: _MAX_EXPANSIONS * 2]

    def _phrase_group(self, typed: list[Typed]) -> _Group | None:
        """Two or more query words the thesaurus knows as one phrase (`spy agency`, `tel aviv`,
        `בתל אביב` with its prefix, `kaset bombaları` in its Turkish form)."""
        forms = [keys(t.word, t.raw)[:3] for t in typed]
        phrase = next((p for p in itertools.product(*forms) if p in self._thesaurus), None)
        if phrase is None and len(typed) == 2:
            # Two words, each in other words: `suicide UAV` is the thesaurus's `suicide drone`.
            other = [(*f, *self._synonym_keys(f)) for f in forms]
            phrase = next((p for p in itertools.product(*other) if p in self._thesaurus), None)
        if phrase is None:
            return None
        alts = [_Alternative(phrase, 1.0)] if self._known(phrase) else []
        alts += self._related(phrase)
        return _Group(" ".join(t.word for t in typed), 0.0, alts)

    def _synonym_keys(self, forms: Sequence[str]) -> list[str]:
        """The one-word synonyms (not broader terms) the thesaurus gives any of ``forms``."""
        found = {
            r.phrase[0]
            for form in forms
            for r in self._thesaurus.related((form,))
            if len(r.phrase) == 1 and not r.broader
        }
        return sorted(found - set(forms))[:_MAX_EXPANSIONS]

    # --- queries -----------------------------------------------------------

    def _parse(self, query: object, text: str, *, prefix_last: bool) -> _Query | str:
        """The cleaned query ``text`` ready to score, or why there is nothing to search for."""
        if not (isinstance(query, str) and query.strip()):
            return "Nothing to search for: the query is empty; type a few words, a name or a year."
        text = _whole_years(text)
        all_words = words(text)
        if not all_words:
            return (
                "Nothing to search for: mentions, emoji and symbols are ignored; type a word, name or year."
            )
        typed = typed_words(text)
        # The word after "how" is what the question measures (`how big`, `how long`), not what it
        # is about.
        content = [
            t for i, t in enumerate(typed) if not _filler(t.word) and not (i and typed[i - 1].word == "how")
        ]
        if not content:
            return (
                "Nothing to search for: only common words like 'the' or 'how'; add a name, place or number."
            )
        content = list({t.word: t for t in content}.values())[:MAX_QUERY_WORDS]

        years: list[int] = []
        for m in _YEAR_RE.finditer(fold(text)):
            first, last = int(m.group(1)), int(m.group(2) or m.group(1))
            years.extend((first, last) if first <= last else (first,))
        span = (min(years), max(years)) if years else None

        groups: list[_Group] = []
        # A pasted paragraph is not a dozen typing errors: only so many words are looked up as typos.
        typos = [_MAX_TYPO_WORDS]
        i = 0
        while i < len(content):
            longest = min(self._thesaurus.longest, len(content) - i)
            phrase = next(
                (g for n in range(longest, 1, -1) if (g := self._phrase_group(content[i : i + n]))), None
            )
            if phrase is not None and phrase.alternatives:
                groups.append(phrase)
                i += len(phrase.word.split())
                continue
            typed = content[i]
            alts = self._alternatives(typed, prefix=prefix_last and i == len(content) - 1, typos=typos)
            year = int(typed.word) if typed.word.isdigit() and len(typed.word) == 4 and span else None
            groups.append(_Group(typed.word, 0.0, alts, year))
            i += 1
        # Two query words a fact writes as one (`silk way` / `silkway`).
        for left, right in pairwise(groups):
            joined = left.word + right.word
            if joined in self._postings:
                for group in (left, right):
                    group.alternatives.insert(0, _Alternative((stem(joined),), 1.0, "joined"))
        if prefix_last and len(groups) > 1 and not groups[-1].alternatives:
            groups.pop()  # a word still being typed that matches nothing yet
        # In a large base, a word in a large share of the facts tells them apart no
        # better than "the", and scoring its long posting list would cost the most.
        common = [g for g in groups if g.alternatives and g.year is None and self._common(g.alternatives[0])]
        if len(common) < len(groups):
            groups = [g for g in groups if g not in common]
        rarest = math.log(1 + max(1, len(self._facts)))
        least, unknown = _LEAST_SHARE * rarest, _UNKNOWN_SHARE * rarest
        for group in groups:
            if group.alternatives:
                best = group.alternatives[0]
                group.weight = max(least, sum(self._idf(t) for t in best.terms) / len(best.terms))
                # A word that is itself a fact's name (`ovda`) says what the query is
                # about, however many other facts mention it in passing.
                if named := self._named(group.word):
                    group.weight = max(group.weight, math.log(1 + len(self._facts) / len(named)))
                # A phrase of n words weighs 1 + (n - 1) / 2 words: more evidence than one typed word,
                # less than n apart, since together they name one thing (`president's adviser`).
                group.weight *= 1 + 0.5 * (len(group.word.split()) - 1)
            elif group.year is not None and group.year in self._by_year:
                group.weight = math.log(1 + len(self._facts) / len(self._by_year[group.year]))
        # A word the base never uses weighs at least as much as the query's average known
        # word: `lora missile range` is not answered by the LORA fact.
        known = [g.weight for g in groups if g.weight]
        for group in groups:
            if not group.weight:
                group.weight = max(unknown, sum(known) / len(known)) if known else unknown
        phrase = " ".join(all_words)
        named = set(self._named(phrase))
        if not named and len(content) == 1:  # `Увда`, `בעובדה`: a name in another script or with a prefix
            for form in variants(content[0].word, content[0].raw):
                named.update(self._named(form))
        folded = [t.word for t in typed_words(text)]
        pricing = any(w in MONEY_WORDS for w in folded)
        counting = any(
            folded[i : i + len(ask)] == list(ask) for ask in COUNT_QUESTIONS for i in range(len(folded))
        )
        # "when" asks only at the start: "flights ... when the war started" asks for a count.
        dating = any(
            folded[i : i + len(ask)] == list(ask) for ask in WHEN_QUESTIONS for i in range(2)
        ) or any(w in DATE_WORDS for w in folded)
        owned = []
        for owner, (thing,) in owners(text):
            o = next((i for i, g in enumerate(groups) if stem(g.word.split()[-1]) == owner), None)
            t = next((i for i, g in enumerate(groups) if stem(g.word.split()[0]) == thing), None)
            if o is not None and t is not None and o != t:
                owned.append((o, t))
        stated = read(text, self._is_name)
        return _Query(
            text,
            phrase,
            tuple(groups),
            span,
            frozenset(named),
            counting,
            dating,
            pricing,
            tuple(owned),
            stated,
        )

    def _candidates(self, q: _Query, budget: int) -> set[int]:
        """Facts worth scoring: postings of the rarest query words first, up to ``budget``."""
        found = set(q.named)
        for group in sorted(q.groups, key=lambda g: -g.weight):
            for alt in group.alternatives:
                # For a split word or a phrase, the rarest part is enough to find candidates.
                key = min(alt.terms, key=self._df)
                for term in self._by_stem.get(key, ()):
                    posting = self._postings[term]
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
            if len(parts) > 1:  # a split word or a phrase: every part must appear
                matched = {
                    f: (min(p[f][0] for p in parts), min(p[f][1] for p in parts))
                    for f in matched
                    if all(f in p for p in parts)
                }
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
            years = self._years
            for fid in among:
                span = years.get(fid)
                if span is None:
                    continue
                if span[0] <= group.year <= span[1]:
                    value = 0.5 + 0.5 * q.fit(fid, span)
                    if fid in self._dated:
                        rank[fid] = own[fid] = value
                    else:  # dated only by its sources: a year it says still counts in full
                        rank[fid] = max(rank.get(fid, 0.0), value)
                        own[fid] = max(own.get(fid, 0.0), value)
                elif fid in rank and fid in self._dated:
                    del rank[fid]
                    own.pop(fid, None)
        return rank, own

    def _coverage(
        self, q: _Query, candidates: set[int]
    ) -> tuple[dict[int, float], dict[int, float], set[int] | None]:
        """Each candidate's coverage and confidence, and which candidates match a word of the
        query other than a year (None when it has no such word the base knows)."""
        total = sum(g.weight for g in q.groups) or 1.0
        coverage = dict.fromkeys(candidates, 0.0)
        confidence = dict.fromkeys(candidates, 0.0)
        worded: set[int] | None = None
        for group in q.groups:
            rank, own = self._group_values(q, group, coverage)
            share = group.weight / total
            for fid, value in rank.items():
                coverage[fid] += share * value
            for fid, value in own.items():
                confidence[fid] += share * value
            if group.year is None and group.alternatives:
                worded = (worded or set()).union(rank)
        return coverage, confidence, worded

    def _weights(
        self, key: str, among: dict[int, Any], similarity: float, certainty: float
    ) -> dict[int, tuple[float, float]]:
        """Fact id -> (field weight times ``similarity``, confidence weight times ``certainty``)
        of form key ``key``."""
        out: dict[int, tuple[float, float]] = {}
        for term in self._by_stem.get(key, ()):
            for entry in self._postings[term]:
                fid = entry >> 2
                if fid in among:
                    kind = entry & 3
                    value = (_CLASS_WEIGHT[kind] * similarity, _OWN_WEIGHT[kind] * certainty)
                    prev = out.get(fid)
                    out[fid] = value if prev is None else (max(prev[0], value[0]), max(prev[1], value[1]))
        return out

    def _rank(self, q: _Query, *, budget: int, rerank: int) -> list[_Scored]:
        candidates = self._candidates(q, budget)
        if not candidates:
            return []
        coverage, confidence, worded = self._coverage(q, candidates)
        exact = q.named
        # The query without its years, to compare with what each fact is called.
        naming = " ".join(g.word for g in q.groups if g.year is None)
        asked = [g.year for g in q.groups if g.year is not None]
        needed = self._needed(q)
        top = heapq.nlargest(rerank, coverage, key=lambda f: (coverage[f], confidence[f], -f))
        best = [_Scored(fid, coverage[fid], confidence[fid]) for fid in top]
        for item in best:
            fact = self._facts[item.fid]
            if asked and item.fid in self._dated and (span := self._years.get(item.fid)) is not None:
                # A fact whose own period leaves out a year the query asks about is
                # about another time: it may be suggested, never be the answer. (A
                # source's date says when it was reported, not what the fact is about.)
                item.dated_elsewhere = any(not span[0] <= year <= span[1] for year in asked)
            names = _names(fact)
            text = " ".join((*names, normalise(fact.claim)))
            wording = fuzz.token_set_ratio(q.phrase, text, processor=None) / 100
            named = max(fuzz.ratio(naming, n, processor=None) for n in names) / 100
            span = self._years.get(item.fid)
            years = q.fit(item.fid, span) if q.years and span else 0.0
            item.score = 0.8 * item.coverage + 0.08 * wording + 0.07 * named + 0.05 * years
            if item.fid in exact:
                item.exact = True
                item.score = 1.0 + item.score  # named exactly: first, whatever else matches
                item.confidence = 1.0
            elif worded is not None and item.fid not in worded:
                # Only the year fits: `drones 2013` must not answer with 2013's
                # explosives exemption. Years favour facts, they do not pick them.
                item.score = min(_YEAR_ONLY * item.score, _YEAR_ONLY_CAP)
                item.confidence = 0.0
            # Reading whose thing a claim names costs the most of any check here (it parses the
            # claim), and it can only lower confidence: a fact already short of an answer's
            # confidence cannot be made one by it, so only the others are read.
            if (q.owned or q.roles.directions or q.roles.places) and item.confidence >= needed:
                total = sum(g.weight for g in q.groups) or 1.0
                wrong = self._owned_by_another(q, item.fid) + self._misread_roles(q, item.fid)
                unique = {id(g): g for g in wrong}.values()
                item.confidence -= sum(g.weight for g in unique) / total
        best.sort(key=lambda s: (-s.score, self._facts[s.fid].key))
        return best

    def _owned_by_another(self, q: _Query, fid: int) -> list[_Group]:
        """The owners in the query's `X's Y` that the fact contradicts by giving Y another owner:
        `Armenia's arms imports` against "Azerbaijan's major arms imports", `Israel's embassy`
        against "the US embassy". Such an owner counts as not found in that fact, since the fact
        does say the word, but of something else."""
        stated = stated_owners(self._facts[fid].claim)
        contradicted = []
        for o, t in q.owned:
            owner = {key for alt in q.groups[o].alternatives for key in alt.terms}
            thing = {alt.terms[0] for alt in q.groups[t].alternatives}
            if any(z not in owner and thing.intersection(ws) for z, ws in stated):
                contradicted.append(q.groups[o])
        return contradicted

    def _is_name(self, key: str) -> bool:
        return self._names[key] > 0

    def _misread_roles(self, q: _Query, fid: int) -> list[_Group]:
        """The names of the query whose role the fact states otherwise: the parties of `A gives B`
        when it says B gives A about the same thing (`Azerbaijan sells weapons to Israel` against
        "Israel sells Azerbaijan weapons"), and the place of `in P` when it puts things in
        another place only (`embassy in Baku` against "its embassy in Tel Aviv"). Like a
        contradicted owner, they count as not found in that fact."""
        if not (q.roles.directions or q.roles.places):
            return []
        claimed = self._claim_roles.get(fid)
        if claimed is None:
            claimed = self._claim_roles[fid] = read(self._facts[fid].claim, self._is_name)
        groups = {stem(w): g for g in q.groups for w in g.word.split()}

        def reads(key: str) -> set[str]:
            group = groups.get(key)
            return {key} | ({t for alt in group.alternatives for t in alt.terms} if group else set())

        wrong: list[_Group] = []
        if claimed.places:
            # Only a place the claim does name, but not as where things are: a place it never
            # names is not found anyway, and may hold the claim's (Tel Aviv is in Israel).
            said = {stem(w) for w in words(self._facts[fid].claim)}
            for place in q.roles.places:
                where = reads(place)
                if where & said and not where & claimed.places and (group := groups.get(place)):
                    wrong.append(group)
        # Each party's role in the claim: giver or receiver, with what the clause is about.
        roles: list[tuple[str, bool, frozenset[str]]] = []
        for c in claimed.directions:
            roles += [(c.giver, True, c.about), (c.receiver, False, c.about)]
        for said in q.roles.directions:
            about = set().union(*map(reads, said.about)) if said.about else set()
            for party, gives in ((said.giver, True), (said.receiver, False)):
                known = reads(party)
                stated = [(role, topic) for key, role, topic in roles if key in known]
                same = [topic for role, topic in stated if role == gives]
                other = [topic for role, topic in stated if role != gives]
                if same and other and about:  # the claim says both (oil one way, arms the other)
                    same = [t for t in same if about & t]
                    other = [t for t in other if about & t]
                if other and not same and (group := groups.get(party)) is not None:
                    wrong.append(group)
        return wrong

    def _hit(self, item: _Scored) -> Hit:
        score = round(min(100.0, 100 * item.score), 1)
        return Hit(self._facts[item.fid], score, round(100 * min(1.0, item.confidence), 1))

    def _decide(self, q: _Query, ranked: list[_Scored]) -> tuple[str, list[_Scored]]:
        """The verdict and the facts it is about (the answer first, or those fitting about equally)."""
        if all(g.numeric for g in q.groups):
            return "none", []  # a bare number or year says nothing about which fact
        needed = self._needed(q)
        sure = [s for s in ranked if s.confidence >= needed and not s.dated_elsewhere]
        if any(g.year is None and is_number(g.word) for g in q.groups):
            # A figure the query states must be the fact's: `1.6 billion` is not its 1.2 billion.
            sure = [s for s in sure if self._says_every_figure(q, s.fid)]
        if q.counting:
            sure = [s for s in sure if self._states_figure(q, s.fid)]
        if q.dating:
            sure = [s for s in sure if self._states_date(s.fid)]
        if q.pricing:
            sure = [s for s in sure if self._states_money(s.fid)]
        exact = [s for s in ranked if s.exact]
        if exact:  # named by its key or an alias; the others that fit follow it
            others = [s for s in sure if not s.exact]
            return ("answer" if len(exact) == 1 else "several"), [*exact, *others]
        if not sure:
            return "none", []
        sure.sort(key=lambda s: (-s.score, self._facts[s.fid].key))
        top = max(s.confidence for s in sure)
        close = [s for s in sure if s.confidence >= top - SEVERAL_MARGIN]
        if len(close) == 1:
            return "answer", sure
        # Several fit about equally well. One of them still stands out when a query word
        # is its name (`harrop 2016`: the Harop fact, not the protest about it), else when
        # it says the query's words in the query's order (`arms for oil`) -- unless the
        # query is broad, when every fact listed fits it as well.
        if self._broad(q, close):
            return "several", close
        for standout in (self._led_by, self._called, self._in_order):
            marks = [standout(q, s.fid) for s in close]
            best = max(marks)
            if best and marks.count(best) == 1:
                chosen = close[marks.index(best)]
                return "answer", [chosen, *(s for s in sure if s is not chosen)]
        return "several", close

    def _broad(self, q: _Query, close: list[_Scored]) -> bool:
        """Every word of ``q`` is in many of the facts (none rare, a year or a fact's name),
        and no filler links them: `arms for oil` states a relation a fact may say in that order,
        `israeli drones` only a topic."""
        kinds = [_filler(t.word) for t in typed_words(q.text)]
        content = [i for i, filler in enumerate(kinds) if not filler]
        if content and any(kinds[content[0] : content[-1]]):
            return False
        if q.named or any(g.year is not None or not g.alternatives for g in q.groups):
            return False
        least = _BROAD_SHARE * len(self._facts)
        # A word is as spread as its most used sure reading: `azerbaijani` also reads
        # `azerbaijan`, and `crude` reads `oil`, so neither is rare.
        spread = (
            max(
                (min(map(self._df, alt.terms)) for alt in g.alternatives if alt.how in _SURE_READINGS),
                default=0,
            )
            for g in q.groups
        )
        # Whether a word names one of the close facts stems their aliases: asked last, as it costs
        # the most when many facts are close.
        return all(count >= least for count in spread) and not any(
            self._names_fact(g, close) for g in q.groups
        )

    def _names_fact(self, group: _Group, close: list[_Scored]) -> bool:
        """The query word is a fact's name as typed, in another script (`ovda`, `לעובדה`) or as
        the synonym it first reads as (a moderator's `sandport` for `ovda`)."""
        if self._named(group.word) or any(alt.how == "another name" for alt in group.alternatives):
            return True
        return any(group.alternatives[0].terms in self._alias_keys(s.fid) for s in close)

    @staticmethod
    def _needed(q: _Query) -> float:
        """The confidence an answer to ``q`` needs: less for a question of many words."""
        return LONG_ANSWER_CONFIDENCE if len(q.groups) >= _LONG_QUERY else ANSWER_CONFIDENCE

    def _states_figure(self, q: _Query, fid: int) -> bool:
        """The fact's claim gives a count or amount (not a date) within a few words of a query word:
        `92 ... cargo flights` answers "how many flights", `flights ended on 31 March 2019` does not."""
        claim = words(self._facts[fid].claim)
        readings = {t for g in q.groups if not g.numeric for alt in g.alternatives for t in alt.terms}
        for i, word in enumerate(claim):
            if not (is_number(word) or word in COUNT_WORDS):
                continue
            near = claim[max(0, i - 1) : i + 2]
            if word.isdigit() and (
                (len(word) == 4 and word.startswith(("19", "20"))) or any(w in MONTHS for w in near)
            ):
                continue  # a year or a day of a month: a date, not a figure
            if any(stem(w) in readings for w in claim[max(0, i - _FIGURE_REACH) : i + _FIGURE_REACH + 1]):
                return True
        return False

    def _says_every_figure(self, q: _Query, fid: int) -> bool:
        """Every figure of the query other than a year is in the fact's own words."""
        return all(
            any(e >> 2 == fid and _OWN_WEIGHT[e & 3] > 0 for e in self._postings.get(g.word, ()))
            for g in q.groups
            if g.year is None and is_number(g.word)
        )

    def _states_money(self, fid: int) -> bool:
        """The fact's claim states a sum of money: a currency within a few words of a figure
        ("USD 3.5 billion", "billions of dollars"), not a count ("about 50 LORA missiles")."""
        claim = words(self._facts[fid].claim)
        for i, word in enumerate(claim):
            if word in CURRENCY_WORDS:
                near = claim[max(0, i - 3) : i + 4]
                if any(is_number(w) or w in COUNT_WORDS for w in near):
                    return True
        return "$" in self._facts[fid].claim

    def _states_date(self, fid: int) -> bool:
        """The fact says when: it has a period, or its claim names a year or a month
        ("when was the archive stolen" is not answered by a claim that never says when)."""
        fact = self._facts[fid]
        claim = words(fact.claim)
        return bool(fact.period) or any(
            w in MONTHS or (len(w) == 4 and w.isdigit() and w.startswith(("19", "20"))) for w in claim
        )

    def _fields_keys(self, fid: int) -> list[list[str]]:
        """The form keys of the fact's key, aliases and claim, one list per field, filler left out."""
        fact = self._facts[fid]
        return [
            [stem(w) for w in words(text) if not _filler(w)] for text in (fact.key, *fact.aliases, fact.claim)
        ]

    def _in_order(self, q: _Query, fid: int) -> int:
        """How many neighbouring pairs of query words the fact says next to each other, in order."""
        readings = [
            {t for alt in g.alternatives for t in alt.terms}
            for g in q.groups
            if g.alternatives and not g.numeric
        ]
        fields = self._fields_keys(fid)
        count = 0
        for left, right in pairwise(readings):
            count += any(a in left and b in right for field_keys in fields for a, b in pairwise(field_keys))
        return count

    def _led_by(self, q: _Query, fid: int) -> int:
        """1 when the query's first word is a name and the claim's first name is that one: both
        are about what the same party did (`what did armenia do about the harop strike`: Armenia
        protested, not the drone that struck). Only for three words or more besides years: in
        `ovda 2020` the name is the topic, not who acted."""
        worded = [g for g in q.groups if g.year is None]
        first = worded[0] if len(worded) >= 3 else None  # a sentence, not a name and a year
        if first is None or not self._is_name(stem(first.word.split()[0])):
            return 0
        claim = [stem(w) for w in words(self._facts[fid].claim) if not _filler(w) and w not in MONTHS]
        subject = next((k for k in claim if self._is_name(k)), None)
        return int(subject is not None and any(subject in alt.terms for alt in first.alternatives))

    def _called(self, q: _Query, fid: int) -> int:
        """How many query words are one of the fact's one-word names (an alias such as `harop`)."""
        names = self._alias_keys(fid)
        return sum(any(alt.terms in names for alt in g.alternatives) for g in q.groups)

    def _alias_keys(self, fid: int) -> set[tuple[str, ...]]:
        """The form keys of each of the fact's aliases."""
        return {tuple(stem(w) for w in words(alias)) for alias in self._facts[fid].aliases}

    def search(self, query: str, *, limit: int = 5) -> SearchOutcome:
        """The verdict for ``query``, the facts it is about and, below them, "did you mean" suggestions."""
        text = _clean(query)
        parsed = self._parse(query, text, prefix_last=False)
        if isinstance(parsed, str):
            return SearchOutcome(text, (), (), parsed, "none")
        limit = max(1, limit)
        ranked = self._rank(parsed, budget=_SEARCH_BUDGET, rerank=max(_RERANK, limit * 2))
        return self._outcome(parsed, ranked, limit)

    def _outcome(self, parsed: _Query, ranked: list[_Scored], limit: int) -> SearchOutcome:
        verdict, chosen = self._decide(parsed, ranked)
        results = tuple(self._hit(s) for s in chosen[:limit])
        shown = {s.fid for s in chosen[:limit]}
        rest = [self._hit(s) for s in ranked if s.fid not in shown and 100 * s.score >= SUGGEST]
        suggestions = tuple(rest[: max(3, limit - len(results))])
        return SearchOutcome(parsed.text, results, suggestions, None, verdict)

    def autocomplete(self, query: str, *, limit: int = 25) -> list[Hit]:
        """Facts for a half-typed query, the last word read as a prefix. Cheap enough per keystroke."""
        parsed = self._parse(query, _clean(query), prefix_last=True)
        if isinstance(parsed, str):
            return []
        ranked = self._rank(parsed, budget=_AUTOCOMPLETE_BUDGET, rerank=max(1, limit))
        return [self._hit(s) for s in ranked if 100 * s.score >= SUGGEST][:limit]

    def explain(self, query: str, *, limit: int = 5) -> dict[str, object]:
        """Why ``query`` gets its verdict, as plain data: how each word was read, its weight,
        and for the best facts which words they match, where, and what that scored."""
        text = _clean(query)
        parsed = self._parse(query, text, prefix_last=False)
        if isinstance(parsed, str):
            return {"query": text, "verdict": "none", "problem": parsed, "words": [], "facts": []}
        ranked = self._rank(parsed, budget=_SEARCH_BUDGET, rerank=max(_RERANK, limit * 2))
        verdict, chosen = self._decide(parsed, ranked)
        total = sum(g.weight for g in parsed.groups) or 1.0
        read = [
            {
                "word": g.word,
                "weight": round(g.weight / total, 3),
                "known": bool(g.alternatives) or g.year is not None,
                "read_as": [{"terms": list(a.terms), "how": a.how} for a in g.alternatives[:6]],
            }
            for g in parsed.groups
        ]
        facts = []
        for item in ranked[:limit]:
            matched = []
            for group in parsed.groups:
                match = self._explain_match(parsed, group, item.fid)
                matched.append(
                    {"word": group.word, **match} if match else {"word": group.word, "found": False}
                )
            facts.append(
                {
                    "key": self._facts[item.fid].key,
                    "score": round(100 * min(1.0, item.score), 1),
                    "confidence": round(100 * min(1.0, item.confidence), 1),
                    "coverage": round(100 * item.coverage, 1),
                    "named_exactly": item.exact,
                    # `X's Y` where the claim gives Y another owner: X counted as not found
                    "owner_contradicted": [g.word for g in self._owned_by_another(parsed, item.fid)],
                    # `A gives B` where the claim says B gives A, or `in P` where it says
                    # another place: counted as not found
                    "role_contradicted": [g.word for g in self._misread_roles(parsed, item.fid)],
                    "words": matched,
                }
            )
        return {
            "query": text,
            "verdict": verdict,
            "answer_confidence": round(100 * self._needed(parsed), 1),
            "several_margin": round(100 * SEVERAL_MARGIN, 1),
            "chosen": [self._facts[s.fid].key for s in chosen[:limit]],
            "words": read,
            "facts": facts,
        }

    def _explain_match(self, q: _Query, group: _Group, fid: int) -> dict[str, object] | None:
        """How ``group`` matched fact ``fid``: the best reading, the field, and the value."""
        best: dict[str, object] | None = None
        for alt in group.alternatives:
            kinds = []
            for key in alt.terms:
                postings = (self._postings[t] for t in self._by_stem.get(key, ()))
                found = [e & 3 for posting in postings for e in posting if e >> 2 == fid]
                if not found:
                    break
                kinds.append(min(found))
            else:
                kind = max(kinds)
                value = _OWN_WEIGHT[kind] * alt.certainty
                if best is None or value > float(best["confidence_value"]):  # type: ignore[arg-type]
                    best = {
                        "found": True,
                        "as": " ".join(alt.terms),
                        "how": alt.how,
                        "field": _FIELD_NAMES[kind],
                        "confidence_value": round(value, 2),
                    }
        if best is None and group.year is not None and q.years is not None:
            span = self._years.get(fid)
            if span and span[0] <= group.year <= span[1]:
                best = {"found": True, "as": f"{span[0]}-{span[1]}", "how": "year", "field": "period"}
        return best

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
        my_numbers = {w for w in claim_words if is_number(w)}
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
