"""Reading a query: what each of its words may stand for among the words the base uses.

Split from :mod:`knowledge.search.index`, which had grown to 1,250 lines: reading is one step with one
concern, turning the reporter's text into weighted groups of alternatives (:class:`_Query`), and
it never scores a fact. The lookups it makes (form keys, thesaurus, another name of a fact,
typos, prefixes, joined and split words) read the index's vocabulary, so they are a mixin of
:class:`knowledge.search.index.SearchIndex` rather than functions handed its dictionaries one by one.
The word weights it sets (:data:`_UNKNOWN_SHARE`, :data:`_LEAST_SHARE`) are read here at call
time, which is where ``bench/calibrate.py`` sets them.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise, repeat

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.model import Fact
from knowledge.search.config import SearchConfig
from knowledge.search.roles import Reading
from knowledge.search.textnorm import STOPWORDS, fold, is_number, normalise, strip_markup, words
from knowledge.search.wordforms import (
    COUNT_QUESTIONS,
    DATE_WORDS,
    MONEY_WORDS,
    NUMBER_WORDS,
    QUERY_FILLER,
    WHEN_QUESTIONS,
    Phrase,
    Thesaurus,
    Typed,
    keys,
    latin_spellings,
    stem,
    typed_words,
    variants,
)

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12
_SURE_READINGS = frozenset({"exact", "word form", "synonym", "another name", "joined", "split"})
_GUESS = "typo of a synonym"  # a guess on a guess: a word read as a typo, then as its synonym
_YEAR_RE = re.compile(r"(?<!\d)([12]\d{3})(?:\s*[-–—/]\s*([12]\d{3}))?(?!\d)")


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
        return 1.0 if self.how in _SURE_READINGS else self.similarity


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
    groups: tuple[_Group, ...]
    years: tuple[int, int] | None
    named: frozenset[int] = frozenset()  # facts the whole query names (a key or an alias)
    counting: bool = False  # "how many", "how much": only a fact stating a figure answers it
    dating: bool = False  # "when", "what year": only a fact stating a date answers it
    pricing: bool = False  # "worth", "cost": only a fact stating a sum of money answers it
    # A filler word stands between the first and last content words (`arms for oil`): the
    # query states a relation, not only a topic.
    linked: bool = False


# A period written short: 2015-19, 2016–20 (not 2015-2019, and not 2015 19 apart).
_SHORT_RANGE_RE = re.compile(r"(?<!\d)([12]\d)(\d{2})\s*[-–—/]\s*(\d{2})(?!\d)")


def _clean(query: object) -> str:
    """The query without Discord markup or control characters, cut to a sane length."""
    if not isinstance(query, str):
        return ""
    return " ".join(strip_markup(query[: MAX_QUERY_CHARS * 10]).split())[:MAX_QUERY_CHARS]


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


# Verbs after which `us` is whoever asks: "tell us", "show us", "give us", "can you send us".
_ASKING_US = frozenset({"tell", "show", "give", "send", "let", "help", "brief", "remind", "update", "get"})


def _asks(folded: list[str], questions: dict[str, list[tuple[str, ...]]], starts: int) -> bool:
    """Whether one of ``questions`` (runs of words, under their first word) begins within the first
    ``starts`` words."""
    asked = tuple(folded)
    return any(asked[i : i + len(q)] == q for i, w in enumerate(asked[:starts]) for q in questions.get(w, ()))


def _filler(word: str) -> bool:
    """A word that never decides which fact is meant: a question word, filler, or a lone letter."""
    return word in STOPWORDS or word in QUERY_FILLER or (len(word) == 1 and not is_number(word))


class _IndexState:
    """The state of :class:`knowledge.search.index.SearchIndex` its query steps read (reading, scoring,
    deciding: one mixin each), declared once; the index also owns the lookups :meth:`_df`,
    :meth:`_named` and :meth:`_is_name` they call."""

    _facts: dict[int, Fact]
    _postings: dict[str, array[int]]
    _by_stem: dict[str, list[str]]
    _by_year: dict[int, set[int]]
    _years: dict[int, tuple[int, int]]
    _dated: set[int]
    _sorted_terms: list[str]
    _by_length: dict[tuple[str, int], list[str]]
    _fuzzy_cache: dict[str, list[tuple[str, int]]]
    # How each word and run of words was read, since the base or the thesaurus last changed:
    # a newsroom's queries share most of their words, and reading one is half a query's cost.
    _readings: dict[tuple[object, ...], tuple[list[_Alternative], int]]
    _claim_roles: dict[int, Reading]
    _thesaurus: Thesaurus
    _config: SearchConfig


class _QueryReading(_IndexState):
    """Reading a query against the vocabulary of :class:`knowledge.search.index.SearchIndex`."""

    def _common(self, alt: _Alternative) -> bool:
        count = min(self._df(t) for t in alt.terms)
        return count > self._config.common_count and count > self._config.common_share * len(self._facts)

    def _idf(self, key: str) -> float:
        return math.log(1 + len(self._facts) / max(1, self._df(key)))

    def _typo_matches(self, word: str) -> list[tuple[str, int]]:
        """Vocabulary words within the allowed number of typing errors of ``word``."""
        cached = self._fuzzy_cache.get(word)
        if cached is not None:
            return cached
        limit = _max_typos(word)
        found: list[tuple[str, int]] = []
        # In a word of three or four letters only swapped letters (`wya`) or a doubled one (`rom`,
        # `romm`) are a typo; any other change makes another word (`came` is no `name`, `fled` no `flew`).
        lengths = range(len(word) - limit, len(word) + limit + 1) if limit else ()
        near = list(chain.from_iterable(self._by_length.get((word[0], n), ()) for n in lengths))
        for term, gap, _ in process.extract(word, near, scorer=OSA.distance, score_cutoff=limit, limit=None):
            if term != word and (len(word) > 4 or _slip(word, term)):
                found.append((term, int(gap)))
        found.sort(key=lambda item: (item[1], -len(self._postings[item[0]]), item[0]))
        if len(self._fuzzy_cache) > 4096:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[word] = found = found[: self._config.max_expansions]
        return found

    def _prefix_matches(self, prefix: str) -> list[str]:
        """The most widely used vocabulary words starting with ``prefix``."""
        terms = self._sorted_terms  # sorted when the index is built, kept sorted by every write
        start = bisect.bisect_left(terms, prefix)
        end = bisect.bisect_left(terms, prefix + "\U0010ffff", lo=start)
        found = [t for t in terms[start:end] if t != prefix]
        if len(found) > self._config.max_expansions:
            found.sort(key=lambda t: -len(self._postings[t]))
            found = found[: self._config.max_expansions]
        return found

    def _siblings(self, forms: Sequence[str]) -> list[str]:
        """Form keys of the other one-word names of the facts a word names (עובדה -> ovda, uvda),
        whichever of its forms (``forms``: form keys) names them (`Овду` -> Овда)."""
        siblings: set[str] = set()
        named = {fid for key in forms for term in self._by_stem.get(key, ()) for fid in self._named(term)}
        for fid in sorted(named)[: self._config.max_expansions]:
            for alias in self._facts[fid].aliases:
                name = normalise(alias)
                if name and " " not in name and stem(name) not in forms:
                    siblings.add(stem(name))
        return sorted(siblings)[: self._config.max_expansions]

    def _known(self, phrase: Phrase) -> bool:
        return all(map(self._by_stem.__contains__, phrase))

    def _related(self, phrase: Phrase) -> Iterator[_Alternative]:
        """What the thesaurus says ``phrase`` may stand for, among the words the base uses."""
        for related in self._thesaurus.related(phrase):
            if self._known(related.phrase):
                if related.broader:
                    yield _Alternative(related.phrase, self._config.near, "broader term")
                else:
                    yield _Alternative(related.phrase, self._config.near, "synonym")

    def _alternatives(self, typed: Typed, *, prefix: bool, typos: list[int]) -> list[_Alternative]:
        """What one query word may stand for; ``typos`` counts down the near-spelling lookups
        the query may still make (the costliest kind). Remembered until the base or the thesaurus
        changes, with the lookups it made counted again."""
        key = (typed.word, typed.raw, prefix, typos[0] > 0)
        known = self._readings.get(key)
        if known is None:
            if len(self._readings) > 4096:
                self._readings.clear()
            before = typos[0]
            known = self._readings[key] = (self._read_word(typed, prefix, typos), before - typos[0])
        else:
            typos[0] -= known[1]
        return list(known[0])  # the query's own list: reading a pair of words can add to it

    def _read_word(self, typed: Typed, prefix: bool, typos: list[int]) -> list[_Alternative]:
        word = typed.word
        alts: dict[tuple[str, ...], _Alternative] = {}
        near, step = self._config.near, self._config.typo_step

        def offer(alt: _Alternative) -> None:
            if alt.similarity > (alts[alt.terms].similarity if alt.terms in alts else 0.0):
                alts[alt.terms] = alt

        forms = keys(word, typed.raw)
        if forms[0] in self._by_stem:
            exact = word in self._postings
            offer(_Alternative((forms[0],), 1.0 if exact else near, "exact" if exact else "word form"))
        if prefix:  # a word still being typed: what it may become, nothing more
            for term in self._prefix_matches(word) if len(word) >= 2 else ():
                offer(_Alternative((stem(term),), 0.6 + 0.3 * len(word) / len(term), "prefix"))
        elif not is_number(word):
            for form in (f for f in forms[1:] if f in self._by_stem):
                offer(_Alternative((form,), near, "word form"))
            for form in forms:
                for alt in self._related((form,)):
                    offer(alt)
            for key in (k for k in self._siblings(forms) if k in self._by_stem):
                offer(_Alternative((key,), near, "another name"))
            # A word the base uses, in some form or other words, is not a typo: looking
            # for near spellings of it would only add guesses (`times` -> `ties`), and
            # is the costliest lookup a query makes.
            if not alts and typos[0] > 0:
                typos[0] -= 1
                # A Russian name the base spells in Latin letters is looked for as typed and as
                # transliterated (`Аэронавтикс` -> aeronavtiks -> aeronautics, two letters off).
                for spelling in (word, *latin_spellings(word)):
                    for term, distance in self._typo_matches(spelling):
                        offer(_Alternative((stem(term),), 1.0 - step * distance, "typo"))
                if not alts and (limit := _max_typos(word)):
                    # a typo of a word the base says otherwise (`atack` -> attack -> struck)
                    for key in self._thesaurus.spelt_like(forms[0], limit)[:2]:
                        for alt in self._related((key,)):
                            offer(_Alternative(alt.terms, (1.0 - step) * alt.similarity, _GUESS))
            if len(word) >= 5:  # also when one fact writes it joined and another apart
                for head, tail in ((word[:i], word[i:]) for i in range(2, len(word) - 1)):
                    if head in self._postings and tail in self._postings:
                        offer(_Alternative((stem(head), stem(tail)), near, "split"))
        return sorted(alts.values(), key=lambda alt: -alt.similarity)[: self._config.max_expansions * 2]

    def _phrase_room(self, typed: list[Typed]) -> int:
        """The most words a thesaurus phrase starting at the first of ``typed`` (it and the word after
        it) may have, 1 if none can: most query words start none, most of the rest only a pair, few
        are followed by a word a phrase goes on with, and trying every run of words from one is the
        costliest part of reading. Each word is read as it is or in other words."""
        if len(typed) < 2 or self._thesaurus.closers.isdisjoint(keys(typed[1].word, typed[1].raw)[:3]):
            return 1
        return max(map(self._thesaurus.openers.get, keys(typed[0].word, typed[0].raw)[:3], repeat(1)))

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
        return sorted(found - set(forms))[: self._config.max_expansions]

    # --- queries -----------------------------------------------------------

    def _parse(self, query: object, text: str, *, prefix_last: bool) -> _Query | str:
        """The cleaned query ``text`` ready to score, or why there is nothing to search for."""
        if not (isinstance(query, str) and query.strip()):
            return "Nothing to search for: the query is empty; type a few words, a name or a year."
        text = _SHORT_RANGE_RE.sub(lambda m: f"{m[1]}{m[2]}-{m[1]}{m[3]}", text)  # `2015-19`: 2015-2019
        all_words = words(text)
        if not all_words:
            return (
                "Nothing to search for: mentions, emoji and symbols are ignored; type a word, name or year."
            )
        every = typed_words(text)
        folded = [t.word for t in every]
        kinds = [_filler(word) for word in folded]
        # The word after "how" is what the question measures (`how big`, `how long`), not what it
        # is about; `us` after a request is the reporters, not the United States (`tell us about`).
        content = [
            t
            for i, t in enumerate(every)
            if not kinds[i]
            and not (i and folded[i - 1] == "how")
            and not (i and t.word == "us" and folded[i - 1] in _ASKING_US)
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
        typos = [self._config.max_typo_words]
        i = 0
        while i < len(content):
            longest = min(self._phrase_room(content[i : i + 2]), len(content) - i)
            tries = (self._phrase_group(content[i : i + n]) for n in range(longest, 1, -1))
            phrase = next(filter(None, tries), None) if longest > 1 else None
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
            for group in (left, right) if joined in self._postings else ():
                group.alternatives.insert(0, _Alternative((stem(joined),), 1.0, "joined"))
        if prefix_last and len(groups) > 1 and not groups[-1].alternatives:
            groups.pop()  # a word still being typed that matches nothing yet
        # In a large base, a word in a large share of the facts tells them apart no
        # better than "the", and scoring its long posting list would cost the most.
        common = [g for g in groups if g.alternatives and g.year is None and self._common(g.alternatives[0])]
        if len(common) < len(groups):
            groups = [g for g in groups if g not in common]
        rarest = math.log(1 + max(1, len(self._facts)))
        least, unknown = self._config.least_share * rarest, self._config.unknown_share * rarest
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
                group.weight *= 1 + self._config.phrase_weight * (len(group.word.split()) - 1)
            elif group.year is not None and group.year in self._by_year:
                group.weight = math.log(1 + len(self._facts) / len(self._by_year[group.year]))
        # A word the base never uses weighs at least as much as the query's average known
        # word: `lora missile range` is not answered by the LORA fact.
        known = [g.weight for g in groups if g.weight]
        for group in (g for g in groups if not g.weight):
            group.weight = max(unknown, sum(known) / len(known)) if known else unknown
        named = set(self._named(" ".join(all_words)))
        if not named and len(content) == 1:  # `Увда`, `בעובדה`: a name in another script or with a prefix
            named.update(*map(self._named, variants(content[0].word, content[0].raw)))
        pricing = not MONEY_WORDS.isdisjoint(folded)
        counting = _asks(folded, COUNT_QUESTIONS, len(folded))
        # "when" asks only at the start: "flights ... when the war started" asks for a count.
        dating = _asks(folded, WHEN_QUESTIONS, 2) or not DATE_WORDS.isdisjoint(folded)
        words_at = [i for i, filler in enumerate(kinds) if not filler]
        linked = bool(words_at) and any(kinds[words_at[0] : words_at[-1]])
        return _Query(text, tuple(groups), span, frozenset(named), counting, dating, pricing, linked)
