"""Near-duplicate claims: what `check` and the add flow warn about."""

from __future__ import annotations

from knowledge.duplicates import near_duplicate_pairs
from knowledge.model import Fact, Source
from knowledge.search.index import SearchIndex

SOURCE = (Source(publisher="Example Daily", url="https://example.com/a"),)


def fact(key: str, claim: str, **fields: object) -> Fact:
    return Fact(key=key, claim=claim, sources=SOURCE, **fields)


BASE = [
    fact(
        "ovda-explosives",
        "Ovda air base is the only airfield in Israel through which explosives may be flown.",
    ),
    fact("sipri-2015", "SIPRI says Israel supplied 60% of Azerbaijan's arms imports in 2015-2019."),
    fact("sipri-2016", "SIPRI says Israel supplied 69% of Azerbaijan's arms imports in 2016-2020."),
    fact("embassy", "Azerbaijan opened its embassy in Tel Aviv on 29 March 2023.", aliases=("embassy",)),
]


def test_reworded_claim_is_a_near_duplicate() -> None:
    index = SearchIndex(BASE)
    hits = index.near_duplicates(
        "The only airfield in Israel through which explosives may be flown is Ovda air base."
    )
    assert [h.fact.key for h in hits] == ["ovda-explosives"]
    assert hits[0].score >= 80


def test_same_wording_with_different_figures_is_not_a_duplicate() -> None:
    index = SearchIndex(BASE)
    hits = index.near_duplicates("SIPRI says Israel supplied 61% of Azerbaijan's arms imports in 2017-2021.")
    assert hits == []


def test_fact_being_edited_is_not_its_own_duplicate() -> None:
    index = SearchIndex(BASE)
    claim = BASE[3].claim
    assert [h.fact.key for h in index.near_duplicates(claim)] == ["embassy"]
    assert index.near_duplicates(claim, exclude_key="embassy") == []


def test_retracted_fact_is_not_a_duplicate() -> None:
    retracted = BASE[3].evolve(retracted_at="2026-01-01T00:00:00+00:00", retraction_reason="wrong")
    index = SearchIndex([*BASE[:3], retracted])
    assert index.near_duplicates(BASE[3].claim) == []


def test_unrelated_or_empty_claim_has_no_duplicates() -> None:
    index = SearchIndex(BASE)
    assert index.near_duplicates("Bitcoin reached a new price record this week.") == []
    assert index.near_duplicates("") == []
    assert index.near_duplicates("the of and") == []


def test_pairs_name_each_repeated_claim_once() -> None:
    copy = fact(
        "ovda-copy", "Ovda air base is the only airfield in Israel through which explosives may be flown!"
    )
    pairs = near_duplicate_pairs([*BASE, copy])
    assert [(a, b) for a, b, _ in pairs] == [("ovda-copy", "ovda-explosives")]
    assert pairs[0][2] >= 95


def test_distinct_facts_make_no_pairs() -> None:
    assert near_duplicate_pairs(BASE) == []
