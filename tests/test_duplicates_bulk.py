"""The bulk near-duplicate finder gives exactly the pairs, with the scores, that asking the search
index about each fact gives (the route it replaces, kept here as the oracle)."""

from __future__ import annotations

import random

import pytest

from bench.synth import synthetic_base
from knowledge.duplicates import near_duplicate_pairs
from knowledge.model import Fact, parse_fact
from knowledge.search import SearchIndex
from tests.test_duplicates import DISTINCT, fact, template_set
from tests.test_search_synth import shipped_records


def index_pairs(facts: list[Fact], probe: set[str] | None = None) -> list[tuple[str, str, float]]:
    """The pairs as near_duplicate_pairs found them before: one SearchIndex, one lookup a fact."""
    index = SearchIndex(facts)
    pairs: dict[tuple[str, str], float] = {}
    for f in facts:
        if f.retracted or (probe is not None and f.key not in probe):
            continue
        for hit in index.near_duplicates(f.claim, f.aliases, exclude_key=f.key):
            pair = (min(f.key, hit.fact.key), max(f.key, hit.fact.key))
            pairs[pair] = max(pairs.get(pair, 0.0), hit.score)
    return sorted(((a, b, s) for (a, b), s in pairs.items()), key=lambda p: (-p[2], p[0], p[1]))


def reworded(rng: random.Random, original: Fact, n: int) -> Fact:
    """A near-copy of ``original`` made one of the ways people repeat a claim."""
    tokens = original.claim.split()
    how = n % 6
    if how == 0:  # words in another order
        claim = " ".join(tokens[len(tokens) // 2 :] + tokens[: len(tokens) // 2])
    elif how == 1:  # a word dropped
        del tokens[rng.randrange(len(tokens))]
        claim = " ".join(tokens)
    elif how == 2:  # a figure changed or added
        claim = " ".join(tokens) + f" in {rng.randint(1990, 2026)}"
    elif how == 3:  # two words changed
        for _ in range(2):
            tokens[rng.randrange(len(tokens))] = rng.choice(("council", "ministry", "report", "figures"))
        claim = " ".join(tokens)
    elif how == 4:  # a few words added
        claim = " ".join(tokens) + " according to officials quoted on Monday"
    else:  # much shorter: close only with a shared alias's ten points
        claim = " ".join(tokens[: max(3, len(tokens) * 2 // 3)])
    aliases = original.aliases[:1] if how in (3, 5) else (f"other name {n}",)
    # A question a moderator taught it, naming the original's subject: a name the index finds too.
    asked = original.aliases[-1:] if how == 4 else ()
    return Fact(
        key=f"planted-{n:04d}", claim=claim, sources=original.sources, aliases=aliases, asked_as=asked
    )


def planted_base(size: int, planted: int, seed: int) -> list[Fact]:
    rng = random.Random(seed)
    base = synthetic_base(size, seed=seed)
    copies = [reworded(rng, rng.choice(base), n) for n in range(planted)]
    facts = [*base, *copies]
    rng.shuffle(facts)
    gone = facts[7].evolve(retracted_at="2026-01-01T00:00:00+00:00", retraction_reason="wrong")
    return [*facts[:7], gone, *facts[8:]]


def test_same_pairs_as_the_index_on_the_shipped_base() -> None:
    facts = [parse_fact(r) for r in shipped_records()]
    assert near_duplicate_pairs(facts) == index_pairs(facts)


@pytest.mark.parametrize("seed", [1, 2])
def test_same_pairs_as_the_index_with_planted_rewordings(seed: int) -> None:
    facts = planted_base(1500, 150, seed)
    expected = index_pairs(facts)
    assert len(expected) >= 50  # the planted copies are found, so the comparison means something
    assert near_duplicate_pairs(facts) == expected


def test_same_pairs_as_the_index_when_only_some_facts_are_looked_up() -> None:
    facts = planted_base(1500, 150, 3)
    probe = {f.key for f in facts[::3]}
    expected = index_pairs(facts, probe)
    assert expected
    assert near_duplicate_pairs(facts, probe=probe) == expected


def test_same_pairs_as_the_index_among_templates_and_rewordings() -> None:
    copy = fact(
        "ovda-copy", "The only airfield in Israel through which explosives may be flown is Ovda air base."
    )
    facts = [*template_set(40), *DISTINCT, copy]
    expected = index_pairs(facts)
    assert ("ovda-copy", "ovda-explosives") in {(a, b) for a, b, _ in expected}
    assert near_duplicate_pairs(facts) == expected


def test_claims_of_stopwords_alone_are_compared_with_nothing() -> None:
    # The index has no words to compare them by; sharing an alias does not make them repeats.
    facts = [
        Fact(key="of-the", claim="Of the.", sources=DISTINCT[0].sources, aliases=("Ovda",)),
        Fact(key="the-and-of", claim="The and of.", sources=DISTINCT[0].sources, aliases=("Ovda",)),
        *DISTINCT,
    ]
    assert index_pairs(facts) == []
    assert near_duplicate_pairs(facts) == []
