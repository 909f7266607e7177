"""Finding the fact a reporter means, fast enough for every keystroke, and saying when there is none.

How it works. Each live fact is broken into folded words (see
:mod:`knowledge.search.textnorm`), each kept with the best field class it appears in:
key and aliases, claim, tags, and the rest (source titles, details,
publishers). An inverted index maps word -> compact array of (fact id, class);
words are grouped by form key (:func:`knowledge.search.wordforms.stem`), so `flight`
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
reaches the config's answer threshold clearly ahead of the rest, "several" when
more are within its margin, "none" otherwise (:mod:`knowledge.search.verdicts`
names each step). :meth:`SearchIndex.explain` returns the same steps as plain
data. One reading of the sentence can take an answer back: a query's `A gives B`
where the claim says B gives A (:mod:`knowledge.search.roles`); "when" asks for
a fact that says when, as "how many" asks for a figure. Every number is a field
of :class:`knowledge.search.config.SearchConfig`.
Writes call :meth:`SearchIndex.upsert`, which
swaps one fact's postings; :meth:`SearchIndex.use_thesaurus` swaps the thesaurus
without touching the postings.

The steps live in their own modules, one concern each: :mod:`knowledge.search.reading` reads a query,
:mod:`knowledge.search.scoring` scores and ranks the candidates, :mod:`knowledge.search.verdicts` decides;
this module holds the index (postings, vocabulary, names, periods), its upkeep on every write
and the public API that runs a query through reading, scoring and the verdict;
:mod:`knowledge.search.saved` holds the format of an index kept on disk and what it is checked
against when loaded.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import pickle
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Protocol, runtime_checkable

from knowledge.model import Fact
from knowledge.search import saved as saving
from knowledge.search.config import SearchConfig
from knowledge.search.reading import _Alternative, _clean, _Group, _Query, _QueryReading
from knowledge.search.roles import Reading, names, query_roles
from knowledge.search.saved import ThesaurusGroups, fingerprint
from knowledge.search.scoring import (
    _CLAIM,
    _EXTRA,
    _FIELD_NAMES,
    _NAME,
    _OWN_WEIGHT,
    _TAG,
    _names,
    _Scored,
    _Scoring,
)
from knowledge.search.similarity import claim_similarity
from knowledge.search.textnorm import STOPWORDS, fact_words, is_number, normalise
from knowledge.search.verdicts import VERDICTS, Decision, _Deciding
from knowledge.search.wordforms import Thesaurus, shipped_groups, shipped_thesaurus, stem

NEAR_DUPLICATE = 80.0

_DUPLICATE_PROBE = 8  # rarest words of a claim used to find possible repeats ...
_DUPLICATE_POSTINGS = 1000  # ... unless that many facts use them
_MAX_SPAN = 60  # a period longer than this is not indexed year by year


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
    # For "several": words (the tags some results have and others lack, most shared first) that
    # would narrow the query down to fewer of them.
    narrowing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.verdict:
            object.__setattr__(self, "verdict", "answer" if self.results else "none")
        elif self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {self.verdict!r}")


@runtime_checkable
class LazyFacts(Protocol):
    """Facts a reader made only when read (the store's snapshot, see ``bot.py ask``): each one's
    key, version and retraction without making them, and a fact by its key."""

    def identities(self) -> Iterable[tuple[str, int, bool]]: ...
    def fact_by_key(self, key: str) -> Fact: ...


class _FactsByID(MutableMapping[int, Fact]):
    """The index's facts by id when loaded from :class:`LazyFacts`: a fact is made on first use,
    so a query that reads five facts makes five, not 100,000."""

    def __init__(self, keys: dict[int, str], facts: LazyFacts) -> None:
        self._keys = keys
        self._made: dict[int, Fact] = {}
        self._source = facts

    def __getitem__(self, fid: int) -> Fact:
        fact = self._made.get(fid)
        if fact is None:
            fact = self._made[fid] = self._source.fact_by_key(self._keys[fid])
        return fact

    def __setitem__(self, fid: int, fact: Fact) -> None:
        self._keys[fid] = fact.key
        self._made[fid] = fact

    def __delitem__(self, fid: int) -> None:
        del self._keys[fid]
        self._made.pop(fid, None)

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def narrowing(query: str, facts: Sequence[Fact], most: int = 3) -> tuple[str, ...]:
    """Tags some of ``facts`` have and others lack, most shared first: words that would narrow
    ``query`` down to fewer of them (a tag the query already says narrows nothing)."""
    asked = set(normalise(query).split())
    counts = Counter(tag for fact in facts for tag in dict.fromkeys(fact.tags))  # in order: ties alike
    found = [
        tag.replace("-", " ")
        for tag, count in counts.most_common()
        if count < len(facts) and not set(normalise(tag).split()) <= asked
    ]
    return tuple(found[:most])


def _fact_fields(fact: Fact) -> Iterator[tuple[str, int]]:
    """The searchable texts of ``fact``, best field class first."""
    yield fact.key, _NAME
    for name in (*fact.aliases, *fact.asked_as):  # with the questions a moderator taught it
        yield name, _NAME
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
        new = set(fact_words(text)).difference(STOPWORDS, terms)
        terms.update(dict.fromkeys(new, kind))
    return terms


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


class SearchIndex(_QueryReading, _Scoring, _Deciding):
    """An in-memory index of the live facts, kept current by :meth:`upsert`."""

    def __init__(
        self,
        facts: Iterable[Fact] = (),
        *,
        thesaurus: Thesaurus | None = None,
        config: SearchConfig | None = None,
    ) -> None:
        self._config = config if config is not None else SearchConfig()
        self._ids: dict[str, int] = {}
        self._facts: MutableMapping[int, Fact] = {}
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
        self._readings: dict[tuple[object, ...], tuple[list[_Alternative], int]] = {}
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

    # --- kept on disk ------------------------------------------------------------

    def save(self, path: Path, *, source: str = "", facts: Iterable[Fact] = (), note: object = None) -> None:
        """Write the index beside the database, keyed by :func:`fingerprint` of what it holds, so
        :meth:`load` can skip rebuilding it (100,000 facts: seconds to build, a fraction to load),
        with its thesaurus compiled (a fraction of a second to compile again).

        ``source``: the fingerprint of the database file whose facts are ``facts``. When the
        index holds exactly their live ones, it is saved as built from that file, and a reader
        of that same file can use it without comparing every fact (see :meth:`load`).

        ``note``: whatever the caller keeps with the index (plain data), read back with
        :meth:`saved_note` before the index is loaded.
        """
        held = fingerprint(self._facts.values(), self._config)
        built_from = source if source and fingerprint(facts, self._config) == held else ""
        state = {name: getattr(self, name) for name in saving.SAVED}
        state["_facts"] = {fid: fact.key for fid, fact in self._facts.items()}
        thesaurus = self._thesaurus
        header = (
            saving.SAVE_FORMAT,
            saving.build_print(self._config),
            held,
            built_from,
            saving.thesaurus_print(thesaurus.groups()),
            note,
        )
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("wb") as handle:
            for part in (header, thesaurus, state):
                handle.write(saving.framed(pickle.dumps(part, protocol=5)))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    @classmethod
    def load(
        cls,
        path: Path,
        facts: Iterable[Fact],
        *,
        thesaurus: Thesaurus | ThesaurusGroups | None = None,
        config: SearchConfig | None = None,
        save: bool = True,
        source: str = "",
    ) -> SearchIndex:
        """The index saved at ``path`` if it was saved from exactly these ``facts`` (each live
        one's key and version) under this ``config`` and code; else one built now, and saved
        there unless ``save`` is false (a reader that must write nothing).

        ``source``: the fingerprint of the database file ``facts`` are all the facts of. An
        index saved as built from that same file (see :meth:`save`) is used without comparing
        every fact: the file's fingerprint changes with any change to any fact.

        ``thesaurus``: a thesaurus, or the groups to compile one from (as
        :meth:`Thesaurus.groups` lists them); the one saved with the index is used instead when
        it was compiled from exactly these groups by this code. None: the shipped one. The
        thesaurus is not part of the index's key: synonyms are looked up when a query is read,
        never indexed.
        """
        lazy = facts if isinstance(facts, LazyFacts) else None
        facts = facts if isinstance(facts, Sequence) else list(facts)
        config = config if config is not None else SearchConfig()
        given = thesaurus if isinstance(thesaurus, Thesaurus) else None
        groups = () if given else shipped_groups() if thesaurus is None else thesaurus
        try:
            with path.open("rb") as file:
                saved_format, built_by, held, built_from, compiled_from, _ = saving.unframed(file)
                if saved_format != saving.SAVE_FORMAT or built_by != saving.build_print(config):
                    raise ValueError("saved by other code or under another config")
                if not (source and built_from == source):
                    identities = lazy.identities() if lazy is not None else saving.identities(facts)
                    if held != saving.digest(identities, config):
                        raise ValueError("saved from other facts")
                # The thesaurus saved with the index, if compiled from these groups by this code.
                same = compiled_from == saving.thesaurus_print(groups)
                saved = saving.unframed(file, wanted=given is None and same)
                if saved is not None and not isinstance(saved, Thesaurus):
                    raise TypeError("not a thesaurus")
                thesaurus = given or saved or saving.compile_thesaurus(groups)
                index = cls((), thesaurus=thesaurus, config=config)  # caches start empty
                state = saving.unframed(file)
            for name in saving.SAVED:
                setattr(index, name, state[name])
            keys: dict[int, str] = state["_facts"]
            if lazy is not None:  # the facts a query reads are made when it reads them
                index._facts = _FactsByID(keys, lazy)
            else:
                by_key = {fact.key: fact for fact in facts}
                index._facts = {fid: by_key[key] for fid, key in keys.items()}
            return index
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            pass  # none saved, a damaged one, or one of other facts, code or config: built again
        except (AttributeError, ImportError, KeyError, IndexError, MemoryError):  # other code's, or damaged
            pass
        index = cls(facts, thesaurus=given or saving.compile_thesaurus(groups), config=config)
        if save:
            with contextlib.suppress(OSError):  # a read-only folder: it is rebuilt next time
                index.save(path, source=source, facts=facts)
        return index

    @staticmethod
    def saved_note(path: Path) -> object:
        """The ``note`` the index saved at ``path`` was saved with (None if there is none, or
        it is not one this code saved); only the start of the file is read."""
        try:
            with path.open("rb") as file:
                header = saving.unframed(file)
            return header[5] if header[0] == saving.SAVE_FORMAT else None
        except (OSError, EOFError, ValueError, TypeError, IndexError, pickle.UnpicklingError):
            return None
        except (AttributeError, ImportError, KeyError, MemoryError):
            return None

    @property
    def config(self) -> SearchConfig:
        return self._config

    @property
    def thesaurus(self) -> Thesaurus:
        return self._thesaurus

    def use_thesaurus(self, thesaurus: Thesaurus) -> None:
        """Search with ``thesaurus`` from now on (a moderator's new group); nothing is re-indexed,
        since synonyms are looked up when a query is read."""
        self._thesaurus = thesaurus
        self._readings.clear()

    # --- writes ------------------------------------------------------------

    def upsert(self, fact: Fact) -> None:
        """Index ``fact`` (new or changed); a retracted fact is removed from results."""
        self._readings.clear()  # a word's readings depend on the words and names the base has
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

    # --- lookups the reading, scoring and deciding steps make ----------------

    def _named(self, name: str) -> tuple[int, ...]:
        """Facts whose key or an alias is ``name`` (spaces ignored)."""
        holders = self._by_name.get(name.replace(" ", ""))
        return () if holders is None else _as_tuple(holders)

    def _is_name(self, key: str) -> bool:
        return self._names[key] > 0

    def _df(self, key: str) -> int:
        """How many facts use a word with form key ``key`` (a fact using two forms counts twice)."""
        return sum(map(len, map(self._postings.__getitem__, self._by_stem.get(key, ()))))

    # --- queries -----------------------------------------------------------

    def _hit(self, item: _Scored) -> Hit:
        score = round(min(100.0, 100 * item.score), 1)
        return Hit(self._facts[item.fid], score, round(100 * min(1.0, item.confidence), 1))

    def _decided(self, query: object, limit: int) -> tuple[str, _Query | str, list[_Scored], Decision]:
        """The cleaned query, its reading (or why there is nothing to search for), the ranked facts
        and the verdict: what :meth:`search` and :meth:`explain` both report."""
        text = _clean(query)
        parsed = self._parse(query, text, prefix_last=False)
        if isinstance(parsed, str):
            return text, parsed, [], Decision("none", [])
        c = self._config
        ranked = self._rank(parsed, budget=c.search_budget, rerank=max(c.rerank, limit * 2))
        return text, parsed, ranked, self._decide(parsed, ranked)

    def search(self, query: str, *, limit: int = 5) -> SearchOutcome:
        """The verdict for ``query``, the facts it is about and, below them, "did you mean" suggestions."""
        limit = max(1, limit)
        text, parsed, ranked, decision = self._decided(query, limit)
        if isinstance(parsed, str):
            return SearchOutcome(text, (), (), parsed, "none")
        verdict, chosen = decision.verdict, decision.chosen
        results = tuple(self._hit(s) for s in chosen[:limit])
        shown = {s.fid for s in chosen[:limit]}
        rest = (s for s in ranked if s.fid not in shown and 100 * s.score >= self._config.suggest)
        suggestions = tuple(self._hit(s) for s in islice(rest, max(3, limit - len(results))))
        hint = narrowing(parsed.text, [h.fact for h in results]) if verdict == "several" else ()
        return SearchOutcome(parsed.text, results, suggestions, None, verdict, hint)

    def autocomplete(self, query: str, *, limit: int = 25) -> list[Hit]:
        """Facts for a half-typed query, the last word read as a prefix. Cheap enough per keystroke."""
        parsed = self._parse(query, _clean(query), prefix_last=True)
        if isinstance(parsed, str):
            return []
        ranked = self._rank(parsed, budget=self._config.autocomplete_budget, rerank=max(1, limit))
        return [self._hit(s) for s in ranked if 100 * s.score >= self._config.suggest][:limit]

    def explain(self, query: str, *, limit: int = 5) -> dict[str, object]:
        """Why ``query`` gets its verdict, as plain data: how each word was read, its weight,
        and for the best facts which words they match, where, and what that scored."""
        text, parsed, ranked, decision = self._decided(query, limit)
        if isinstance(parsed, str):
            return {"query": text, "verdict": "none", "problem": parsed, "words": [], "facts": []}
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
        stated = query_roles(parsed.text, self._is_name)
        facts = [
            {
                "key": self._facts[item.fid].key,
                "score": round(100 * min(1.0, item.score), 1),
                "confidence": round(100 * min(1.0, item.confidence), 1),
                "coverage": round(100 * item.coverage, 1),
                "named_exactly": item.exact,
                "notes": list(item.notes),  # what lowered its confidence (steps of the verdict)
                # the words of `A gives B` or `in P` the claim states otherwise: counted as not found
                "role_contradicted": [g.word for g in self._misread_roles(parsed, stated, item.fid)],
                "words": [
                    {"word": g.word, **(self._explain_match(parsed, g, item.fid) or {"found": False})}
                    for g in parsed.groups
                ],
            }
            for item in ranked[:limit]
        ]
        return {
            "query": text,
            "verdict": decision.verdict,
            "answer_confidence": round(100 * self._needed(parsed), 1),
            "several_margin": round(100 * self._config.several_margin, 1),
            "chosen": [self._facts[s.fid].key for s in decision.chosen[:limit]],
            # the named steps that decided the verdict, in order, from the same computation
            "steps": [{"step": st.name, "said": st.said, "facts": list(st.keys)} for st in decision.steps],
            "words": read,
            "facts": facts,
        }

    def _explain_match(self, q: _Query, group: _Group, fid: int) -> dict[str, object] | None:
        """How ``group`` matched fact ``fid``: the best reading, the field, and the value."""
        best: dict[str, object] | None = None
        for alt in group.alternatives:
            postings = [[self._postings[t] for t in self._by_stem.get(key, ())] for key in alt.terms]
            kinds = [[e & 3 for posting in part for e in posting if e >> 2 == fid] for part in postings]
            if not all(kinds):
                continue  # a split word or a phrase matches only where every part does
            kind = max(min(found) for found in kinds)
            value = _OWN_WEIGHT[kind] * alt.certainty
            if best is None or value > float(best["confidence_value"]):  # type: ignore[arg-type]
                how = {"as": " ".join(alt.terms), "how": alt.how, "field": _FIELD_NAMES[kind]}
                best = {"found": True, **how, "confidence_value": round(value, 2)}
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
        claim_words = [w for w in fact_words(claim) if w not in STOPWORDS]
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
