"""Claims that repeat another fact's: exact copies, reworded copies, and one template with one word changed.

Three finders, all for warnings (a base with near-duplicates still works):

- :func:`exact_copies`: claims that are word for word the same (case and
  punctuation aside), found by hashing each claim's words, so a copy is
  reported however common its words are and however big the base;
- :func:`near_duplicate_pairs`: claims that say nearly the same in other
  words; figures that differ count against, since "60% in 2015" and "69% in
  2016" are usually two facts. Pairs and scores of
  :meth:`knowledge.search.index.SearchIndex.near_duplicates` (the add-time
  check) asked of every fact, found for a whole batch without building an
  index. Each claim is compared with the facts one of its aliases names (as
  the index does) and with the claims holding two of its four rarest words
  (rarest by the claims using them), each way round; :func:`claim_similarity`
  scores those whose rapidfuzz scores could reach the threshold. A pair so
  found is kept only if the index compares it too (one fact holds half of the
  other's rarest words, counted over every field), which is checked for the
  near-duplicates alone. So it never reports a pair the index would not; it
  can miss one the index finds by words when neither claim holds two of the
  other's four rarest claim words: both reworded in their rarest words. On
  10,000 and 100,000 synthetic facts with planted rewordings it misses none
  (bench/synth.py's base; tests/test_duplicates_bulk.py compares with the
  index), and its lists of claims a word is in are those of the claims alone.
- :func:`one_word_variants`: claims identical but for one word or number at
  the same place ("... 1,204 households ..." / "... 1,205 households ..."), the
  mark of a template pasted many times. Found by hashing each claim once per
  word position with that word blanked out, so 10,000 such claims cost
  10,000 x (words per claim) dictionary entries, not 10,000^2 comparisons;
  the rapidfuzz finder cannot see them in bulk (every word is common, so no
  rare word narrows the candidates).

:func:`duplicate_warnings` runs them and words the result for people; the
``check`` command and an import report the same, and an import also compares
its facts with those already in the base.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import filterfalse, islice
from operator import methodcaller
from sys import intern

from rapidfuzz import fuzz, process

from knowledge.model import Fact
from knowledge.search.index import _DUPLICATE_POSTINGS, _DUPLICATE_PROBE, NEAR_DUPLICATE, _fact_fields
from knowledge.search.similarity import claim_similarity
from knowledge.search.textnorm import STOPWORDS, fact_words, is_number, words

# Claims shorter than this many words are not compared word by word: in "Ovda is
# in the Negev" one changed word is a different fact, not a template.
_MIN_VARIANT_WORDS = 6
_SHOWN_KEYS = 5
_SHOWN_CLAIM = 90
# A claim is compared with the claims holding two of its rarest words, at most this many.
_RAREST_WORDS = 4
# Points a shared alias adds to two claims' similarity (as the index adds them), and the points
# claim_similarity takes off when their figures differ.
_SHARED_ALIAS = 10
_OTHER_FIGURES = 25


def _claim_words(facts: Sequence[Fact]) -> tuple[list[Fact], list[tuple[str, ...]]]:
    """The live facts, in order, and each one's claim split into words: read once, for all three
    finders (at 100,000 facts, splitting the claims takes ~1.5 s each time)."""
    live = [fact for fact in facts if not fact.retracted]
    # Interned: a base's claims use a few thousand words, so 100,000 claims' tuples share
    # those strings rather than hold a copy of each word each time (~190 MB at 100,000).
    return live, [tuple(map(intern, fact_words(fact.claim))) for fact in live]


def _normalised(text: str) -> str:
    """:func:`knowledge.search.textnorm.normalise` of a fact's key, alias or question, through the
    quicker :func:`fact_words`."""
    return " ".join(fact_words(text))


def _by_claim_words(
    live: Sequence[Fact], claims: Sequence[tuple[str, ...]]
) -> dict[tuple[str, ...], list[Fact]]:
    """The live facts grouped by their claim's words (``claims``, from :func:`_claim_words`)."""
    same_words: dict[tuple[str, ...], list[Fact]] = defaultdict(list)
    for fact, claim in zip(live, claims, strict=True):
        same_words[claim].append(fact)
    return same_words


def exact_copies(facts: Sequence[Fact]) -> list[list[Fact]]:
    """Groups of live facts whose claims are word for word the same, each in key order, by first key."""
    return _copies(_by_claim_words(*_claim_words(facts)))


def _copies(same_words: dict[tuple[str, ...], list[Fact]]) -> list[list[Fact]]:
    """:func:`exact_copies` of facts already grouped by :func:`_by_claim_words`."""
    groups = [
        sorted(group, key=lambda f: f.key) for claim, group in same_words.items() if claim and len(group) > 1
    ]
    return sorted(groups, key=lambda group: group[0].key)


def near_duplicate_pairs(
    facts: Sequence[Fact], *, probe: Collection[str] | None = None
) -> list[tuple[str, str, float]]:
    """Pairs of live facts whose claims nearly repeat each other: (key, other key, score), worst first.

    ``probe``: only pairs with a fact of these keys (all facts are compared, but only these are
    looked up), so facts about to be imported are compared with the base without comparing the
    base with itself.

    Pairs that :meth:`SearchIndex.near_duplicates` asked of each probed fact over an index of
    ``facts`` gives too, with the same scores (tests/test_duplicates_bulk.py checks it), found
    without building that index: see the module docstring for the one kind it can miss.
    """
    live, claims = _claim_words(facts)
    return _near_pairs(live, list(claims), probe)


def _near_pairs(
    live: Sequence[Fact], claims: list[tuple[str, ...] | None], probe: Collection[str] | None
) -> list[tuple[str, str, float]]:
    """:func:`near_duplicate_pairs` of live facts whose claims :func:`_claim_words` split, which it
    consumes (each claim's words are dropped once read: at 100,000 facts they are ~40 MB)."""
    compared = _Compared(live, claims)
    looked_up = None if probe is None else [fact.key in probe for fact in live]
    pairs: dict[tuple[int, int], float] = {}
    named: set[tuple[int, int]] = set()  # the index compares these for certain; others by their words
    for fid in range(len(live)):
        if not compared.claims[fid]:
            continue  # a claim of stopwords alone is compared with nothing, as the index does
        # A fact not looked up is compared too, with those that are: its rarest words find a
        # claim that holds all of its own (a shorter copy) where the longer claim's may not.
        mine = looked_up is None or looked_up[fid]
        for other, score, by_name in compared.near_duplicates(fid, looked_up):
            pair = (fid, other) if fid < other else (other, fid)
            pairs[pair] = score
            if by_name and mine:
                named.add(pair)
    if unsure := pairs.keys() - named:
        # The index compares a pair found by its words if one fact holds at least half of the
        # other's rarest claim words, counted over every field: checked for the few pairs that
        # are near-duplicates, not for every pair compared.
        dropped = unsure - _RareWords(live, compared.claims, unsure).compared(looked_up)
        pairs = {pair: score for pair, score in pairs.items() if pair not in dropped}
    found = [(*sorted((live[a].key, live[b].key)), score) for (a, b), score in pairs.items()]
    return sorted(found, key=lambda p: (-p[2], p[0], p[1]))


class _Compared:
    """Each live fact's claim as claim_similarity compares it, and the facts it is compared with.

    Those facts: the facts whose claims hold two of its claim's :data:`_RAREST_WORDS` rarest
    words (rarest by the claims using them), and the facts one of its aliases names (key,
    alias or taught question, spaces dropped), as the index's name lookup finds them.
    Facts are numbered in order, as the index numbers them.
    """

    def __init__(self, facts: Sequence[Fact], claims: list[tuple[str, ...] | None]) -> None:
        self.facts = facts
        # Names first, then claims: what building the name tables needs for a while is freed
        # before the claims' strings (~55 MB at 100,000 facts) are made, not held beside them.
        self.aliases: list[tuple[str, ...]] = []  # normalised, without empty ones
        normalised: dict[str, str] = {}  # an alias many facts give is normalised once
        for fact in facts:
            aliases = (
                normalised.get(alias) or normalised.setdefault(alias, intern(_normalised(alias)))
                for alias in fact.aliases
            )
            self.aliases.append(tuple(dict.fromkeys(alias for alias in aliases if alias)))
        del normalised
        # The facts that give each alias, and that each name an alias can name (spaces dropped)
        # belongs to, as the index's _name_keys makes names of keys, aliases and taught questions.
        # Only names two facts share are kept: a fact's own alias names the fact itself.
        self.by_alias = _shared((alias, fid) for fid, aliases in enumerate(self.aliases) for alias in aliases)
        asked = {alias.replace(" ", "") for aliases in self.aliases for alias in aliases}
        by_name = _shared(
            (name, fid)
            for fid, fact in enumerate(facts)
            for name in asked.intersection(
                name.replace(" ", "")
                for name in (
                    _normalised(fact.key),
                    *self.aliases[fid],
                    *map(_normalised, fact.asked_as),
                )
                if name
            )
        )
        del asked
        # Each alias that names another fact, with the facts its name names; a fact keeps only
        # those aliases (most aliases name no other fact: looked up for nothing, 100,000 times).
        self.names = {
            alias: by_name[name]
            for aliases in self.aliases
            for alias in aliases
            if (name := alias.replace(" ", "")) in by_name
        }
        self.aliases = [tuple(filter(self.names.__contains__, aliases)) for aliases in self.aliases]
        self._read_claims(claims)

    def _read_claims(self, claims: list[tuple[str, ...] | None]) -> None:
        """Each claim's words (consumed) as they are compared, and the claims each word is in."""
        # One string a fact, as claim_similarity compares them: its claim's non-stopwords joined.
        self.claims: list[str] = []
        # The same words sorted: token_sort_ratio of two claims is the ratio of these, so each claim
        # is sorted once, not once a comparison (some 800,000 comparisons at 100,000 facts).
        self.sorted_claims: list[str] = []
        self.numbers: list[frozenset[str]] = []
        # Each a list of fact numbers, every fact's one int object shared: sets are made of them
        # without making an int each time (at 100,000 facts ~2 million entries, ~16 MB).
        postings: defaultdict[str, list[int]] = defaultdict(list)
        none: frozenset[str] = frozenset()
        is_stopword = STOPWORDS.__contains__
        for fid, claim in enumerate(claims):
            content = list(filterfalse(is_stopword, claim or ()))
            claims[fid] = None
            self.claims.append(" ".join(content))
            self.sorted_claims.append(" ".join(sorted(content)))
            # A number is never all letters: only the few other words are looked at.
            self.numbers.append(frozenset(filter(is_number, filterfalse(str.isalpha, content))) or none)
            # posting.append(fid) for each of the claim's words, looped over in C rather than in Python.
            deque(map(methodcaller("append", fid), map(postings.__getitem__, set(content))), 0)
        # Words numbered by rarity (the claims using them, then the word), and each claim's
        # rarest ones, read off the postings in that order rather than sorted claim by claim.
        self.postings = [postings[word] for word in sorted(postings, key=lambda w: (len(postings[w]), w))]
        self.rarest = array("i", [0]) * (_RAREST_WORDS * len(claims))  # _RAREST_WORDS a fact
        self.rare_count = bytearray(len(claims))
        rarest, counts = self.rarest, self.rare_count
        for rank, posting in enumerate(self.postings):
            for fid in posting:
                if (count := counts[fid]) < _RAREST_WORDS:
                    rarest[fid * _RAREST_WORDS + count] = rank
                    counts[fid] = count + 1
        # Facts whose claims hold a figure: a claim without one differs in figures from these alone.
        self.numbered = {fid for fid, numbers in enumerate(self.numbers) if numbers}

    def near_duplicates(
        self, fid: int, looked_up: Sequence[bool] | None
    ) -> Iterator[tuple[int, float, bool]]:
        """The facts whose claims nearly repeat fact ``fid``'s, if it is looked up, or else those of
        them that are: (fact, score, whether one of this fact's aliases names it). A pair of facts
        sharing an alias is found from the first of them looked up only (each names the other)."""
        mine, my_aliases = self.claims[fid], self.aliases[fid]
        named: set[int] = set()
        alike: set[int] = set()  # facts sharing an alias with this one: 10 points closer
        sharing: set[int] = set()
        for alias in my_aliases:
            sharing.update(self.by_alias.get(alias, ()))
        sharing.discard(fid)
        if looked_up is None or looked_up[fid]:
            for alias in my_aliases:
                named.update(self.names[alias])
            found = self._sharing_rare_words(fid) | named
            found.discard(fid)
            if looked_up is None:
                alike = {other for other in sharing if other > fid}
            else:
                alike = {other for other in sharing if other > fid or not looked_up[other]}
            found -= sharing - alike  # found from that fact, which names this one
        else:  # only its words find facts for it: one sharing an alias names it, and is looked up
            found = {other for other in self._sharing_rare_words(fid) - sharing if looked_up[other]}
        my_numbers = self.numbers[fid]
        for other in self._at_least(fid, found, alike):
            score = claim_similarity(mine, set(my_numbers), self.facts[other].claim)
            if other in alike:
                score = min(100.0, score + _SHARED_ALIAS)
            if score >= NEAR_DUPLICATE:
                yield other, round(score, 1), other in named

    def _at_least(self, fid: int, found: set[int], alike: set[int]) -> set[int]:
        """Those of ``found`` whose claims could be scored :data:`NEAR_DUPLICATE` with ``fid``'s.

        claim_similarity scores the better of rapidfuzz's ratio and token_sort_ratio, less
        :data:`_OTHER_FIGURES` if the claims' figures differ; a shared alias (``alike``) adds
        :data:`_SHARED_ALIAS`, up to 100. So a fact whose figures differ can reach the threshold
        only if it shares an alias, and then only with a ratio near 100. The others are compared
        with a cutoff a hair below the least any of them needs (scores are multiples of 100 /
        length, far further apart), on the claims and on their sorted words (token_sort_ratio's).
        """
        my_numbers = self.numbers[fid]
        if my_numbers:
            same = {other for other in found if self.numbers[other] == my_numbers}
        else:
            same = found - self.numbered
        if alike & same:
            least = NEAR_DUPLICATE - _SHARED_ALIAS
        elif same - alike:
            least = NEAR_DUPLICATE
        else:
            least = NEAR_DUPLICATE - _SHARED_ALIAS + _OTHER_FIGURES
        others = list(same | alike)
        close: set[int] = set()
        if not others:
            return close
        for claims in (self.claims, self.sorted_claims):
            choices = list(map(claims.__getitem__, others))
            for _, _, at in process.extract(
                claims[fid], choices, scorer=fuzz.ratio, processor=None, score_cutoff=least - 0.01, limit=None
            ):
                close.add(others[at])
        return close

    def _sharing_rare_words(self, fid: int) -> set[int]:
        """Facts whose claims hold at least two of this claim's :data:`_RAREST_WORDS` rarest words."""
        start = fid * _RAREST_WORDS
        rare = self.rarest[start : start + self.rare_count[fid]]
        if len(rare) < 2:
            return set()  # a claim of one word nearly repeats only a claim of that word: named, or a copy
        first, *middle, last = map(self.postings.__getitem__, rare)
        seen, twice = set(first), set()
        for posting in middle:
            twice.update(seen.intersection(posting))
            seen.update(posting)
        twice.update(seen.intersection(last))  # the last, most common word's facts are not kept in seen
        return twice


def _shared(holding: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    """The facts holding each name, in order, for the names two facts or more hold (from (name, fact)
    pairs in order of fact, each at most once)."""
    held: dict[str, int | list[int]] = {}
    for name, fid in holding:
        if (holders := held.get(name)) is None:
            held[name] = fid
        elif isinstance(holders, int):
            held[name] = [holders, fid]
        else:
            holders.append(fid)
    return {name: holders for name, holders in held.items() if isinstance(holders, list)}


class _RareWords:
    """Whether :meth:`SearchIndex.near_duplicates` compares two facts by their words: if one,
    looked up, has at least half of its claim's rarest words (at most :data:`_DUPLICATE_PROBE`,
    those used by at most :data:`_DUPLICATE_POSTINGS` facts unless all are) in the other, in any
    field the index reads. Asked of a few pairs, it reads every fact's words once."""

    def __init__(
        self, facts: Sequence[Fact], claims: Sequence[str], pairs: Collection[tuple[int, int]]
    ) -> None:
        self.facts, self.claims, self.pairs = facts, claims, pairs
        asked = {fid for pair in pairs for fid in pair}
        self.used_by: Counter[str] = Counter()  # how many facts use each word, in any field
        self.terms: dict[int, set[str]] = {}
        for fid, fact in enumerate(facts):
            terms = _terms(fact)
            self.used_by.update(terms)
            if fid in asked:
                self.terms[fid] = terms
        self._first: dict[str, set[int]] = {}

    def compared(self, looked_up: Sequence[bool] | None) -> set[tuple[int, int]]:
        """The pairs of which one fact, looked up, takes the other as a candidate."""
        return {
            (a, b)
            for a, b in self.pairs
            if any(
                (looked_up is None or looked_up[mine]) and self._takes(mine, theirs)
                for mine, theirs in ((a, b), (b, a))
            )
        }

    def _takes(self, fid: int, other: int) -> bool:
        used_by = self.used_by
        rare = sorted(set(self.claims[fid].split()), key=lambda w: (used_by[w], w))[:_DUPLICATE_PROBE]
        rare = [w for w in rare if used_by[w] <= _DUPLICATE_POSTINGS] or rare[:1]
        if used_by[rare[0]] > _DUPLICATE_POSTINGS:  # every word that common: its first facts, in order
            return other in self._first_holding(rare[0])
        return sum(word in self.terms[other] for word in rare) >= (len(rare) + 1) // 2

    def _first_holding(self, word: str) -> set[int]:
        """The first :data:`_DUPLICATE_POSTINGS` facts that hold ``word``, as the index takes them
        (only for a claim whose every word is that common: rare, so read again when asked)."""
        if word not in self._first:
            holding = (fid for fid, fact in enumerate(self.facts) if word in _terms(fact))
            self._first[word] = set(islice(holding, _DUPLICATE_POSTINGS))
        return self._first[word]


def _terms(fact: Fact) -> set[str]:
    """The words the index files ``fact`` under (:func:`_fact_fields`): words() splits at a line
    break, so one call over the fields joined by line breaks gives the words of each in turn."""
    return set(fact_words("\n".join(text for text, _ in _fact_fields(fact)))).difference(STOPWORDS)


def _blanked(claim: tuple[str, ...], start: int, stop: int) -> Iterator[tuple[int, int, int]]:
    """For each position i from ``start`` to ``stop``: (i, a hash of the words from ``start`` before it,
    a hash of the words up to ``stop`` after it). Two claims of one length that agree outside
    ``start:stop`` have the same triple at i if they differ at most at i (a collision is checked away
    by the caller)."""
    before = [0]
    for word in claim[start:stop]:
        before.append(hash((before[-1], word)))
    after = 0
    for i in range(stop - 1, start - 1, -1):
        yield i, before[i - start], after
        after = hash((claim[i], after))


def one_word_variants(facts: Sequence[Fact]) -> list[list[Fact]]:
    """Groups of live facts whose claims differ from each other only by one word or number each.

    Claims that are word for word the same are not a group on their own (see
    :func:`near_duplicate_pairs`). Groups come largest first, each in key order.
    """
    return _variants(_by_claim_words(*_claim_words(facts)))


def _variants(same_words: dict[tuple[str, ...], list[Fact]]) -> list[list[Fact]]:
    """:func:`one_word_variants` of facts already grouped by :func:`_by_claim_words`."""
    claims = [claim for claim in same_words if len(claim) >= _MIN_VARIANT_WORDS]
    # Two claims one word apart agree on every word of one half: the second half if the word
    # that differs is in the first, else the first. So only claims of one length sharing a
    # half are compared, word position by word position within the other half: two dictionary
    # entries a claim instead of one a word (a base of distinct claims shares no halves).
    halves: dict[tuple[int, bool, int], list[int]] = defaultdict(list)
    for n, claim in enumerate(claims):
        middle = len(claim) // 2
        halves[(len(claim), False, hash(claim[middle:]))].append(n)
        halves[(len(claim), True, hash(claim[:middle]))].append(n)
    parent = list(range(len(claims)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for (length, in_second, _), sharing in halves.items():
        if len(sharing) < 2:
            continue
        start, stop = (length // 2, length) if in_second else (0, length // 2)
        blanked: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        for n in sharing:
            for key in _blanked(claims[n], start, stop):
                blanked[key].append(n)
        for (i, _, _), members in blanked.items():
            if len(members) < 2:
                continue
            first = claims[members[0]]
            for n in members[1:]:
                other = claims[n]
                if other[:i] == first[:i] and other[i + 1 :] == first[i + 1 :]:
                    parent[root(n)] = root(members[0])
    components: dict[int, list[int]] = defaultdict(list)
    for n in range(len(claims)):
        components[root(n)].append(n)
    found = [
        sorted((fact for n in component for fact in same_words[claims[n]]), key=lambda f: f.key)
        for component in components.values()
        if len(component) > 1  # distinct claims: word for word the same is one claim
    ]
    return sorted(found, key=lambda group: (-len(group), group[0].key))


def find_duplicates(
    facts: Sequence[Fact], *, probe: Collection[str] | None = None
) -> tuple[list[list[Fact]], list[tuple[str, str, float]]]:
    """The one-word variant groups over ``facts``, then the reworded pairs (with a fact of ``probe``
    only, if given: see :func:`near_duplicate_pairs`)."""
    live, claims = _claim_words(facts)
    variants = _variants(_by_claim_words(live, claims))
    return variants, _reworded(live, claims, variants, probe)


def _reworded(
    live: list[Fact],
    claims: list[tuple[str, ...]],
    variants: list[list[Fact]],
    probe: Collection[str] | None,
) -> list[tuple[str, str, float]]:
    """The reworded pairs of :func:`find_duplicates`, its variant groups found already, among the
    live facts and their claims' words (:func:`_claim_words`), which it consumes."""
    # One fact per variant group is enough to find rewordings of that claim elsewhere,
    # and it keeps a base of thousands of template copies from being compared pairwise.
    repeated = {f.key for group in variants for f in group[1:]}
    kept = [n for n, fact in enumerate(live) if fact.key not in repeated]
    kept_claims: list[tuple[str, ...] | None] = [claims[n] for n in kept]
    claims.clear()  # consumed: _near_pairs drops each claim's words once read
    return _near_pairs([live[n] for n in kept], kept_claims, probe)


def duplicate_warnings(facts: Sequence[Fact], where: str, *, beside: Sequence[Fact] = ()) -> list[str]:
    """Every duplicate among ``facts``, one line each, ``where`` naming the file or import.

    ``beside``: facts already in the base (none with a key of ``facts``); a copy or near-duplicate
    of one of them is reported too, but not what they repeat among themselves.
    """
    incoming = {f.key for f in facts}
    live, claims = _claim_words([*facts, *beside])
    same_words = _by_claim_words(live, claims)
    copies = [group for group in _copies(same_words) if any(f.key in incoming for f in group)]
    warnings = [_copies_warning(group, where) for group in copies]
    copy_of = {f.key: n for n, group in enumerate(copies) for f in group}
    variants = _variants(same_words)
    del same_words
    pairs = _reworded(live, claims, variants, incoming if beside else None)
    for group in variants:
        if not any(f.key in incoming for f in group):
            continue
        if len(group) == 2:
            mine, other = (words(f.claim) for f in group)
            differ = next((a, b) for a, b in zip(mine, other, strict=True) if a != b)
            warnings.append(
                f"{where}: `{group[0].key}` and `{group[1].key}` make nearly the same claim (only one word "
                f'differs: "{differ[0]}" / "{differ[1]}"); merge them or make the difference clear.'
            )
            continue
        keys = ", ".join(f"`{f.key}`" for f in group[:_SHOWN_KEYS])
        more = f" and {len(group) - _SHOWN_KEYS} more" if len(group) > _SHOWN_KEYS else ""
        claim = group[0].claim
        shown = claim if len(claim) <= _SHOWN_CLAIM else claim[: _SHOWN_CLAIM - 1] + "…"
        warnings.append(
            f"{where}: {len(group)} facts make nearly the same claim, each only one word or number apart "
            f'({keys}{more}; like "{shown}"); if each is a separate fact, say in its claim what sets it '
            "apart."
        )
    for key, other, score in pairs:
        if key in copy_of and copy_of[key] == copy_of.get(other):
            continue  # reported above, as the copy it is
        warnings.append(
            f"{where}: `{key}` and `{other}` make nearly the same claim ({score:.0f}% alike); "
            "merge them or make the difference clear."
        )
    return warnings


def _copies_warning(group: Sequence[Fact], where: str) -> str:
    """The warning for facts whose claims are word for word the same."""
    if len(group) == 2:
        named = f"`{group[0].key}` and `{group[1].key}` make"
    else:
        keys = ", ".join(f"`{f.key}`" for f in group[:_SHOWN_KEYS])
        more = f" and {len(group) - _SHOWN_KEYS} more" if len(group) > _SHOWN_KEYS else ""
        named = f"{len(group)} facts ({keys}{more}) make"
    return (
        f"{where}: {named} exactly the same claim, word for word (a copy under another key); "
        "keep one, or say in each claim what sets it apart."
    )
