"""Issue 18's promises: a name names its fact at any size, the explanation is the verdict's own
steps, a tie is never "the answer", and every number comes from the config passed in."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.eval import shipped_facts
from bench.synth import synthetic_base
from knowledge.model import Fact, Source
from knowledge.search.config import SearchConfig
from knowledge.search.index import SearchIndex
from knowledge.search.wordforms import Thesaurus, shipped_groups

REPO = Path(__file__).resolve().parents[1]


def _fact(key: str, claim: str, **extra: object) -> Fact:
    return Fact(
        key=key,
        claim=claim,
        sources=(Source(publisher="Example", title="t", url="https://example.org/x"),),
        **extra,
    )


@pytest.fixture(scope="module")
def shipped() -> SearchIndex:
    return SearchIndex(shipped_facts())


def test_a_key_names_its_fact_in_a_base_of_numbered_keys() -> None:
    facts = [_fact(f"bulk-{n:04d}", f"Bulk fact number {n} about cargo flights.") for n in range(1, 2001)]
    outcome = SearchIndex(facts).search("bulk-1234")
    assert outcome.verdict == "answer"
    assert outcome.results[0].fact.key == "bulk-1234"


def test_a_key_names_its_fact_in_a_large_synthetic_base() -> None:
    facts = synthetic_base(5000)
    index = SearchIndex(facts)
    for fact in facts[::997]:
        outcome = index.search(fact.key)
        assert outcome.verdict in ("answer", "several"), fact.key
        assert fact.key in [h.fact.key for h in outcome.results], fact.key


@pytest.mark.parametrize(
    "query",
    [
        "how many drones did israel sell to azerbaijan",
        "harop price",
        "harrop 2016",
        "arms for oil",
        "israeli drones",
        "2016",
        "silk way",
        "what is the capital of france",
    ],
)
def test_the_explanation_is_the_verdicts_own_steps(shipped: SearchIndex, query: str) -> None:
    outcome = shipped.search(query)
    why = shipped.explain(query)
    assert why["verdict"] == outcome.verdict
    assert why["chosen"][: len(outcome.results)] == [h.fact.key for h in outcome.results]
    steps = [step["step"] for step in why["steps"]]  # type: ignore[union-attr]
    if outcome.verdict == "answer":
        assert steps[-1] in ("answer", "named exactly") or "named exactly" in steps
    if outcome.verdict == "several":
        assert {"within the margin", "broad", "named exactly"} & set(steps)


def test_a_fact_tied_with_the_answer_is_taken_out_by_a_named_step(shipped: SearchIndex) -> None:
    # Two facts at the same confidence: the explanation names the step that took one out.
    query = "how many drones did israel sell to azerbaijan"
    why = shipped.explain(query)
    facts = why["facts"]  # type: ignore[assignment]
    tied = [f["key"] for f in facts if f["confidence"] >= facts[0]["confidence"] - why["several_margin"]]  # type: ignore[index]
    if why["verdict"] == "answer" and len(tied) > 1:
        removed = {key for step in why["steps"] for key in step["facts"] if step["step"] != "answer"}  # type: ignore[union-attr]
        boosted = "name and phrase boost" in [s["step"] for s in why["steps"]]  # type: ignore[union-attr]
        assert boosted or set(tied) - set(why["chosen"][:1]) <= removed


def test_a_price_question_says_why_no_fact_answers(shipped: SearchIndex) -> None:
    why = shipped.explain("harop price")
    if why["verdict"] == "none":
        assert "needs money" in [s["step"] for s in why["steps"]]  # type: ignore[union-attr]


def test_the_config_passed_in_decides_not_a_module_global(shipped: SearchIndex) -> None:
    strict = SearchIndex(
        shipped_facts(), config=SearchConfig(answer_confidence=1.0, long_answer_confidence=1.0)
    )
    query = "does azerbaijan pay israel with oil for arms"  # not all its weight in one fact's words
    assert shipped.search(query).verdict == "answer"
    assert strict.search(query).verdict == "none"
    assert strict.config.answer_confidence == 1.0
    assert SearchIndex(shipped_facts()).config == SearchConfig()


def test_a_config_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="answer_confidence"):
        SearchConfig(answer_confidence=1.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        SearchConfig().suggest = 1.0  # type: ignore[misc]


def test_an_asked_as_phrase_counts_like_an_alias() -> None:
    plain = _fact("ovda-codes", "Ovda Airport has IATA code VDA.")
    taught = dataclasses.replace(plain, asked_as=("desert strip",))
    other = _fact("ramon", "Ramon airport opened in 2019 in the desert.")
    assert SearchIndex([plain, other]).search("desert strip").verdict != "answer"
    outcome = SearchIndex([taught, other]).search("desert strip")
    assert outcome.verdict == "answer" and outcome.results[0].fact.key == "ovda-codes"


def test_a_several_answer_suggests_words_that_narrow_it(shipped: SearchIndex) -> None:
    outcome = shipped.search("israeli drones")
    assert outcome.verdict == "several"
    assert outcome.narrowing
    for word in outcome.narrowing:
        having = [h for h in outcome.results if word.replace(" ", "-") in h.fact.tags]
        assert 0 < len(having) < len(outcome.results)
    assert shipped.search("harop").narrowing == ()


def _base_about_israel_and_azerbaijan(*extra: Fact) -> SearchIndex:
    """Six facts that all say Israel and Azerbaijan (common words here), and ``extra``."""
    topics = ("drones", "radars", "satellites", "rifles", "boats", "trucks")
    common = [_fact(f"{t}-deal", f"Israel sold {t} to Azerbaijan.") for t in topics]
    return SearchIndex([*common, *extra])


def test_a_fact_lacking_a_rare_name_the_query_asks_for_is_not_the_answer() -> None:
    base = _base_about_israel_and_azerbaijan(
        _fact("ovda-codes", "Ovda Airport's IATA code is VDA and its ICAO code LLOV."),
        _fact("ramon-opened", "Ramon Airport opened near Eilat in Israel."),
    )
    assert base.search("ovda iata code").verdict == "answer"
    explained = base.explain("ramon airport iata code")
    assert explained["verdict"] != "answer" or explained["chosen"][0] != "ovda-codes"
    notes = {f["key"]: f["notes"] for f in explained["facts"]}
    assert "lacks a name asked for" in notes["ovda-codes"]
    assert "lacks a name asked for" in [s["step"] for s in explained["steps"]]


def test_a_fact_saying_only_the_query_s_common_words_is_not_the_answer() -> None:
    base = _base_about_israel_and_azerbaijan(
        _fact("pipeline", "A pipeline carries oil from Baku to Ceyhan."),
        _fact("ties-2020", "Israel and Azerbaijan marked ties.", period="2020"),
    )
    explained = base.explain("israel azerbaijan pipeline 2020")
    notes = {f["key"]: f["notes"] for f in explained["facts"]}
    assert "matches only common words" in notes["ties-2020"]
    assert not (explained["verdict"] == "answer" and explained["chosen"][0] == "ties-2020")


def test_narrowing_words_come_in_the_same_order_in_every_process() -> None:
    # Tags used by as many facts tie; a tie must not be broken by the process's string hashing.
    script = (
        "from bench.eval import shipped_facts\n"
        "from knowledge.search.index import SearchIndex\n"
        "index = SearchIndex(shipped_facts())\n"
        "print([index.search(q).narrowing for q in ('baku', 'missiles', 'israeli missiles')])\n"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(6)
    }
    assert len(seen) == 1, seen


@pytest.mark.parametrize(
    "extra",
    [(), ({"words": ["suicide uav", "kamikaze uav"], "broader": []}, {"words": ["zangi", "suicide"]})],
)
def test_every_run_of_words_that_can_be_a_thesaurus_phrase_is_tried_as_one(extra: tuple[dict, ...]) -> None:
    # Runs of query words are tried as phrases only from an opener; one left out would lose a phrase.
    thesaurus = Thesaurus([*shipped_groups(), *extra])
    starts = {p[0] for p in thesaurus._member_of if len(p) > 1}
    seconds = {p[1] for p in thesaurus._member_of if len(p) > 1}
    for phrase in thesaurus._member_of:
        synonyms = {r.phrase[0] for r in thesaurus.related(phrase) if len(r.phrase) == 1 and not r.broader}
        if len(phrase) == 1 and (phrase[0] in starts or synonyms & starts):
            assert phrase[0] in thesaurus.openers, phrase
        # A word after an opener is tried only if a phrase can go on with it, as it is or in other words.
        if len(phrase) == 1 and (phrase[0] in seconds or synonyms & seconds):
            assert phrase[0] in thesaurus.closers, phrase
        if len(phrase) > 1:  # and each is tried for a run of words as long as its longest phrase
            assert thesaurus.openers[phrase[0]] >= len(phrase), phrase
            assert phrase[1] in thesaurus.closers, phrase
    # Pairs read through synonyms: every opener is tried for two words at least.
    assert min(thesaurus.openers.values()) == 2
