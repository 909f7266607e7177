"""The duplicate warnings say exactly what they said before they were made faster (issue 19): the
module as it was is kept in tests/helpers as the oracle, and both are asked about random small bases
built to hold many near-duplicates (a few words, shared aliases, names that differ by a space,
figures, claims of stopwords alone, retracted facts, facts already in the base)."""

from __future__ import annotations

from typing import Any

from helpers import duplicates_before as before
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from knowledge.duplicates import _OTHER_FIGURES, duplicate_warnings, find_duplicates, near_duplicate_pairs
from knowledge.model import Fact, Source
from knowledge.search.similarity import claim_similarity

SOURCE = (Source(publisher="Example Daily", url="https://example.com/a"),)
# Few words, so claims repeat each other often: stopwords, figures, a decimal, an accented word.
WORDS = ["the", "of", "in", "Ovda", "airfield", "Israel", "explosives", "flown", "base", "Sílk", "way"]
FIGURES = ["60%", "2015", "2016", "3.5", "1,204"]
NAMES = ["Ovda", "ovda", "Silk Way", "Silkway", "silk-way", "Sílk Wáy", "Negev", "air base", "of the"]


@st.composite
def bases(draw: Any) -> tuple[list[Fact], set[int]]:
    """Facts with unique keys, and which of them are the import's (the others are the base's)."""
    size = draw(st.integers(min_value=2, max_value=14))
    template = draw(st.lists(st.sampled_from(WORDS + FIGURES), min_size=1, max_size=12))
    facts = []
    for n in range(size):
        words = list(template)
        for _ in range(draw(st.integers(min_value=0, max_value=3))):  # a few words changed
            at = draw(st.integers(min_value=0, max_value=len(words)))
            word = draw(st.sampled_from(WORDS + FIGURES))
            if draw(st.booleans()) and words:
                words[min(at, len(words) - 1)] = word
            else:
                words.insert(at, word)
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            words = draw(st.permutations(words))
        aliases = tuple(dict.fromkeys(draw(st.lists(st.sampled_from(NAMES), max_size=3))))
        asked = tuple(draw(st.lists(st.sampled_from(NAMES), max_size=1)))
        # Some keys are a name an alias can name (`silk-way` is named by "Silk Way" and "Silkway").
        named_key = draw(st.sampled_from(["", "silk-way", "ovda", "negev", "silkway"]))
        key = f"{named_key}-{n}" if named_key and any(f.key == named_key for f in facts) else named_key
        fact = Fact(
            key=key or f"fact-{n:02d}",
            claim=" ".join(words) + ".",
            sources=SOURCE,
            aliases=aliases,
            asked_as=asked,
        )
        if draw(st.integers(min_value=0, max_value=7)) == 0:
            fact = fact.evolve(retracted_at="2026-01-01T00:00:00+00:00", retraction_reason="wrong")
        facts.append(fact)
    incoming = draw(st.sets(st.integers(min_value=0, max_value=size - 1), min_size=1))
    return facts, incoming


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bases())
def test_warnings_are_those_of_before(base: tuple[list[Fact], set[int]]) -> None:
    facts, incoming = base
    mine = [f for n, f in enumerate(facts) if n in incoming]
    beside = [f for n, f in enumerate(facts) if n not in incoming and not f.retracted]
    assert duplicate_warnings(facts, "f.json") == before.duplicate_warnings(facts, "f.json")
    assert duplicate_warnings(mine, "import", beside=beside) == before.duplicate_warnings(
        mine, "import", beside=beside
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bases())
def test_pairs_and_groups_are_those_of_before(base: tuple[list[Fact], set[int]]) -> None:
    facts, incoming = base
    probe = {f.key for n, f in enumerate(facts) if n in incoming}
    assert near_duplicate_pairs(facts) == before.near_duplicate_pairs(facts)
    assert near_duplicate_pairs(facts, probe=probe) == before.near_duplicate_pairs(facts, probe=probe)
    assert find_duplicates(facts, probe=probe) == before.find_duplicates(facts, probe=probe)


def test_the_points_different_figures_cost_are_claim_similaritys() -> None:
    # The finder drops a pair whose figures differ unless a shared alias can make up the points.
    assert claim_similarity("airfield 1", {"9"}, "airfield 1.") == 100 - _OTHER_FIGURES


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="abcé\u0416\u05d0 ", min_size=1, max_size=6).filter(str.strip), max_size=8),
    st.permutations(range(8)),
)
def test_token_sort_ratio_is_the_ratio_of_the_sorted_words(words: list[str], order: list[int]) -> None:
    # The finder sorts each claim's words once and compares the sorted strings with ratio.
    tokens = [w for word in words for w in word.split()]
    other = [tokens[i] for i in order if i < len(tokens)] + ["x"]
    mine, theirs = " ".join(tokens), " ".join(other)
    expected = fuzz.token_sort_ratio(mine, theirs, processor=None)
    assert (
        fuzz.ratio(" ".join(sorted(mine.split())), " ".join(sorted(theirs.split())), processor=None)
        == expected
    )
