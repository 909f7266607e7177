"""Claims that repeat another fact's: exact copies, reworded copies, and one template with one word changed.

Three finders, all for warnings (a base with near-duplicates still works):

- :func:`exact_copies`: claims that are word for word the same (case and
  punctuation aside), found by hashing each claim's words, so a copy is
  reported however common its words are and however big the base;
- :func:`near_duplicate_pairs`: claims that say nearly the same in other
  words; figures that differ count against, since "60% in 2015" and "69% in
  2016" are usually two facts. The same pairs and scores as
  :meth:`knowledge.search.index.SearchIndex.near_duplicates` (the add-time
  check) asked of every fact, found for a whole batch without building an
  index: the same candidates (facts holding half of a claim's rarest words,
  or one of its aliases as a name), and :func:`claim_similarity` only for
  those whose lengths and rapidfuzz scores could reach the threshold.
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

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from sys import intern

from rapidfuzz import fuzz, process

from knowledge.model import Fact
from knowledge.search.index import (
    _DUPLICATE_POSTINGS,
    _DUPLICATE_PROBE,
    NEAR_DUPLICATE,
    _fact_fields,
)
from knowledge.search.similarity import claim_similarity
from knowledge.search.textnorm import STOPWORDS, is_number, normalise, words

# Claims shorter than this many words are not compared word by word: in "Ovda is
# in the Negev" one changed word is a different fact, not a template.
_MIN_VARIANT_WORDS = 6
_SHOWN_KEYS = 5
_SHOWN_CLAIM = 90


def _by_claim_words(facts: Sequence[Fact]) -> dict[tuple[str, ...], list[Fact]]:
    """The live facts grouped by their claim's words: read once for both the copy and the
    one-word-variant finders (at 100,000 facts, splitting the claims is ~1.5 s each time)."""
    same_words: dict[tuple[str, ...], list[Fact]] = defaultdict(list)
    for fact in facts:
        # Interned: a base's claims use a few thousand words, so 100,000 claims' tuples share
        # those strings rather than hold a copy of each word each time (~190 MB at 100,000).
        if not fact.retracted:
            same_words[tuple(map(intern, words(fact.claim)))].append(fact)
    return same_words


def exact_copies(facts: Sequence[Fact]) -> list[list[Fact]]:
    """Groups of live facts whose claims are word for word the same, each in key order, by first key."""
    return _copies(_by_claim_words(facts))


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

    The same pairs, with the same scores, as asking :meth:`SearchIndex.near_duplicates` of each
    probed fact over an index of ``facts`` (tests/test_duplicates.py checks it), without building
    that index: the candidates are found by the same rules from the facts' words alone, and
    only candidates that could reach :data:`NEAR_DUPLICATE` are scored.
    """
    live = _Words(facts)
    pairs: dict[tuple[str, str], float] = {}
    for fid, fact in enumerate(live.facts):
        if (probe is not None and fact.key not in probe) or not live.claims[fid]:
            continue
        for other, score in live.near_duplicates(fid):
            a, b = sorted((fact.key, live.facts[other].key))
            pairs[a, b] = max(pairs.get((a, b), 0.0), score)
    return sorted(((a, b, s) for (a, b), s in pairs.items()), key=lambda p: (-p[2], p[0], p[1]))


class _Words:
    """What :meth:`SearchIndex.near_duplicates` reads from its index, kept for a batch of facts:
    each live fact's claim words, the facts each word is indexed under (a fact's words in any
    field, as the index's postings are keyed), and the facts each name (key, alias, taught
    question, spaces dropped) belongs to. Facts are numbered in order, as the index numbers them."""

    def __init__(self, facts: Sequence[Fact]) -> None:
        self.facts = [f for f in facts if not f.retracted]
        # One string a fact, as near_duplicates compares them: its claim's non-stopwords joined.
        self.claims: list[str] = []
        self.sorted_claims: list[str] = []
        self.numbers: list[frozenset[str]] = []
        self.postings: dict[str, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        self.by_alias: dict[str, list[int]] = {}  # normalised alias -> the facts that have it
        none: frozenset[str] = frozenset()
        ids = list(range(len(self.facts)))  # one int object a fact, shared by every list it is in
        for fid, fact in zip(ids, self.facts, strict=True):
            every_word = words(fact.claim)
            claim_words = [w for w in every_word if w not in STOPWORDS]
            self.claims.append(" ".join(claim_words))
            self.sorted_claims.append(" ".join(sorted(claim_words)))
            numbers = frozenset(w for w in claim_words if is_number(w))
            self.numbers.append(numbers or none)
            # The words of the fields the index reads (_fact_fields), as its postings are keyed.
            # words() splits at a line break, so one call over the other fields joined by line
            # breaks gives the words of each in turn.
            rest = "\n".join(text for text, _ in _fact_fields(fact) if text is not fact.claim)
            for term in set(every_word).union(words(rest)).difference(STOPWORDS):
                if (posting := self.postings.get(term)) is None:
                    self.postings[term] = [fid]
                else:
                    posting.append(fid)
            aliases = [normalise(a) for a in fact.aliases]
            # What the index's _name_keys makes of the key, aliases and taught questions.
            names = {normalise(fact.key), *aliases, *(normalise(q) for q in fact.asked_as)}
            for name in {name.replace(" ", "") for name in names if name}:
                if (holders := self.by_name.get(name)) is None:
                    self.by_name[name] = [fid]
                else:
                    holders.append(fid)
            for alias in set(aliases) - {""}:
                if (holders := self.by_alias.get(alias)) is None:
                    self.by_alias[alias] = [fid]
                else:
                    holders.append(fid)

    def near_duplicates(self, fid: int) -> Iterator[tuple[int, float]]:
        """The facts :meth:`SearchIndex.near_duplicates` finds for fact ``fid``, with their scores."""
        fact, mine = self.facts[fid], self.claims[fid]
        my_aliases = [normalise(alias) for alias in fact.aliases]
        found = self._sharing_rare_words(mine)
        alike: set[int] = set()  # facts sharing an alias with this one: 10 points closer
        for alias in my_aliases:
            found.update(self.by_name.get(alias.replace(" ", ""), ()))
            alike.update(self.by_alias.get(alias, ()))
        found.discard(fid)
        my_numbers, length = self.numbers[fid], len(mine)
        # Grouped by the similarity a pair must reach before its figures and shared aliases
        # count, those that cannot reach it by their lengths alone left out.
        by_needed: dict[float, list[int]] = defaultdict(list)
        for other in found:
            needed = NEAR_DUPLICATE - 10 if other in alike else NEAR_DUPLICATE
            if self.numbers[other] != my_numbers:
                needed += 25
            total = length + len(self.claims[other])
            # A similarity is at most 100 * (total - the lengths' difference) / total.
            if needed <= 100 and 100 * (total - abs(length - len(self.claims[other]))) >= needed * total:
                by_needed[needed].append(other)
        for needed, others in by_needed.items():
            for other in self._at_least(fid, others, needed):
                score = claim_similarity(mine, set(my_numbers), self.facts[other].claim)
                if other in alike:
                    score = min(100.0, score + 10)
                if score >= NEAR_DUPLICATE:
                    yield other, round(score, 1)

    def _at_least(self, fid: int, others: list[int], needed: float) -> set[int]:
        """Those of ``others`` whose claim's similarity to ``fid``'s could reach ``needed``: rapidfuzz
        with a cutoff a hair below it (scores are multiples of 100 / length, far further apart), on
        the claims as they are and with their words sorted, as claim_similarity compares them."""
        cutoff = needed - 0.01
        close: set[int] = set()
        for claims in (self.claims, self.sorted_claims):
            choices = [claims[other] for other in others]
            for _, _, at in process.extract(
                claims[fid], choices, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=None
            ):
                close.add(others[at])
        return close

    def _sharing_rare_words(self, mine: str) -> set[int]:
        """Facts holding at least half of the claim's rarest words (see SearchIndex.near_duplicates)."""
        postings = self.postings
        rare = sorted(set(mine.split()), key=lambda w: (len(postings[w]), w))[:_DUPLICATE_PROBE]
        rare = [w for w in rare if len(postings[w]) <= _DUPLICATE_POSTINGS] or rare[:1]
        lists = [postings[w] for w in rare]
        if len(lists[0]) > _DUPLICATE_POSTINGS:  # only when every word is that common: one list
            lists = [lists[0][:_DUPLICATE_POSTINGS]]
        needed = (len(lists) + 1) // 2
        if needed == 1:
            return set().union(*lists)
        # A fact in `needed` of the lists is in at least two of the `len - needed + 2` shortest
        # (rare is shortest first): only those are counted in full.
        shortest = lists[: len(lists) - needed + 2]
        seen, twice = set(shortest[0]), set()
        for posting in shortest[1:]:
            twice.update(seen.intersection(posting))
            seen.update(posting)
        return {fid for fid in twice if sum(_holds(p, fid) for p in lists) >= needed}


def _holds(posting: list[int], fid: int) -> bool:
    """Whether ``posting`` (ascending) holds ``fid``."""
    at = bisect_left(posting, fid)
    return at < len(posting) and posting[at] == fid


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
    return _variants(_by_claim_words(facts))


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
    variants = one_word_variants(facts)
    return variants, _reworded(facts, variants, probe)


def _reworded(
    facts: Sequence[Fact], variants: list[list[Fact]], probe: Collection[str] | None
) -> list[tuple[str, str, float]]:
    """The reworded pairs of :func:`find_duplicates`, its variant groups found already."""
    # One fact per variant group is enough to find rewordings of that claim elsewhere,
    # and it keeps a base of thousands of template copies from being compared pairwise.
    repeated = {f.key for group in variants for f in group[1:]}
    return near_duplicate_pairs([f for f in facts if f.key not in repeated], probe=probe)


def duplicate_warnings(facts: Sequence[Fact], where: str, *, beside: Sequence[Fact] = ()) -> list[str]:
    """Every duplicate among ``facts``, one line each, ``where`` naming the file or import.

    ``beside``: facts already in the base (none with a key of ``facts``); a copy or near-duplicate
    of one of them is reported too, but not what they repeat among themselves.
    """
    incoming = {f.key for f in facts}
    everything = [*facts, *beside]
    same_words = _by_claim_words(everything)
    copies = [group for group in _copies(same_words) if any(f.key in incoming for f in group)]
    warnings = [_copies_warning(group, where) for group in copies]
    copy_of = {f.key: n for n, group in enumerate(copies) for f in group}
    variants = _variants(same_words)
    del same_words  # its claim words are not needed for the reworded pairs, the biggest step
    pairs = _reworded(everything, variants, incoming if beside else None)
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
