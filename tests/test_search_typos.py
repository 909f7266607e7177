"""Misspelt words (issue 18): a typo of a name is that name, a typo that reads as different words
in the facts it fits cannot choose between them, and the typo probe bench/eval.py builds."""

from __future__ import annotations

import pytest
from rapidfuzz.distance import OSA

from bench.eval import EvalQuery, misspelt, shipped_facts
from knowledge.model import Fact, Source
from knowledge.search.index import SearchIndex
from knowledge.search.wordforms import Thesaurus


@pytest.fixture(scope="module")
def shipped() -> SearchIndex:
    return SearchIndex(shipped_facts())


def _steps(index: SearchIndex, query: str) -> dict[str, list[str]]:
    return {s["step"]: s["facts"] for s in index.explain(query)["steps"]}  # type: ignore[index]


def test_a_misspelt_leading_name_is_still_the_claim_s_subject(shipped: SearchIndex) -> None:
    # Both facts say Armenia, Harop and the strike; Armenia is the subject of only one, and the
    # query's leading name decides it as typed and as mistyped alike.
    for query in ("what did armenia do after the harop strike", "what did armnia do after the harop strike"):
        outcome = shipped.search(query)
        assert (outcome.verdict, outcome.results[0].fact.key) == ("answer", "armenia-protest-harop-2016")


def test_a_typo_read_as_another_word_in_each_fact_is_no_answer(shipped: SearchIndex) -> None:
    # `аэропрот` is a typo of аэропорт: the Ovda facts say airport, airfield or air base. Which one
    # it meant is a guess, so a boost (Ovda is one fact's name) may not pick one of them.
    outcome = shipped.search("аэропрот Овда")
    assert outcome.verdict == "several"
    assert {h.fact.key for h in outcome.results} >= {"ovda-airport-codes", "ovda-explosives-airfield"}
    assert "typo read apart" in _steps(shipped, "аэропрот Овда")
    # Spelt right, the same words answer, and no typo step is taken.
    assert shipped.search("аэропорт Овда").verdict == "answer"
    assert "typo read apart" not in _steps(shipped, "аэропорт Овда")


def test_a_typo_every_close_fact_reads_alike_still_lets_a_boost_decide(shipped: SearchIndex) -> None:
    outcome = shipped.search("what did armnia do about the harop strike")
    assert outcome.verdict == "answer"
    assert "typo read apart" not in _steps(shipped, "what did armnia do about the harop strike")


def test_the_typo_probe_makes_one_typing_error_in_a_long_word_the_same_way_each_run() -> None:
    queries = [
        EvalQuery("how many silk way flights landed at ovda", ("silk-way-ovda-flights",), "question"),
        EvalQuery("israeli drones", ("*",), "broad"),
        EvalQuery("mars base", ("-",), "negative"),
        EvalQuery("lar 160", ("lar-160-cluster-rockets",), "dev"),  # no word of five letters
    ]
    probe = misspelt(queries, 6)
    assert probe == misspelt(queries, 6)
    assert probe and all(q.expected == ("silk-way-ovda-flights",) and q.category == "typo" for q in probe)
    for item in probe:
        changed = [
            (a, b) for a, b in zip(item.query.split(), queries[0].query.split(), strict=True) if a != b
        ]
        assert len(changed) == 1 and len(changed[0][1]) >= 5
        assert OSA.distance(*changed[0]) == 1


def test_a_query_read_only_as_a_typo_of_a_synonym_is_at_most_a_suggestion() -> None:
    thesaurus = Thesaurus([{"words": ["position", "עמדה"]}])
    facts = [
        Fact(
            key="strike-order",
            claim="The company was asked to strike an Armenian position with a drone.",
            sources=(Source(publisher="Example", url="https://example.org/x"),),
        )
    ]
    index = SearchIndex(facts, thesaurus=thesaurus)
    assert index.search("עמדה").verdict == "answer"  # the reviewed synonym, as typed
    # One letter off, it is a typo of the synonym: a guess on a guess is no answer by itself.
    outcome = index.search("עבדה")
    assert outcome.verdict == "none"
    assert [h.fact.key for h in outcome.suggestions] == ["strike-order"]
    assert "only a guess" in _steps(index, "עבדה")
    assert index.search("עבדה strike").verdict == "answer"  # with a word it reads for sure
