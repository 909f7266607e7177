"""Words a fact says in another relation than the query asks: `X's Y` apart, a count of another thing."""

from __future__ import annotations

from knowledge.model import Fact, Source
from knowledge.search.config import SearchConfig
from knowledge.search.index import SearchIndex


def _fact(key: str, claim: str, **extra: object) -> Fact:
    source = Source(publisher="Example", title="t", url="https://example.org/x")
    return Fact(key=key, claim=claim, sources=(source,), **extra)


OWNERS = [
    _fact(
        "us-cable",
        "A US embassy cable from Baku, quoted by a diplomat, says both countries see Iran as a threat.",
    ),
    _fact("sipri-share", "SIPRI data show Israel supplied 60% of Azerbaijan's arms imports."),
    _fact(
        "silk-way-codes",
        "Silk Way Airlines flies under IATA code ZP, ICAO code AZQ and the callsign SILK LINE.",
        aliases=("Silk Way",),
    ),
    _fact("pipeline", "A pipeline from Baku carries crude oil to Ceyhan."),
]


def test_an_owner_the_claim_says_far_from_what_it_owns_is_not_the_answer() -> None:
    index = SearchIndex(OWNERS)
    outcome = index.search("iran's embassy in baku")
    assert outcome.verdict == "none"
    assert outcome.suggestions[0].fact.key == "us-cable"
    steps = {s["step"]: s["facts"] for s in index.explain("iran's embassy in baku")["steps"]}
    assert steps["owner apart"] == ["us-cable"]
    # Without the possessive the query asks no relation between the words: the fact says them all.
    assert index.search("iran embassy baku").verdict == "answer"


def test_an_owner_said_next_to_what_it_owns_or_naming_the_fact_answers() -> None:
    index = SearchIndex(OWNERS)
    answered = {"azerbaijan's arms imports": "sipri-share", "silk way's icao code": "silk-way-codes"}
    for query, key in answered.items():
        outcome = index.search(query)
        assert (outcome.verdict, outcome.results[0].fact.key) == ("answer", key), query
        assert "owner apart" not in [s["step"] for s in index.explain(query)["steps"]]


def test_how_near_an_owner_must_be_comes_from_the_config() -> None:
    index = SearchIndex(OWNERS, config=SearchConfig(owner_reach=20))
    assert index.search("iran's embassy in baku").verdict == "answer"


# --- what a count question counts ---------------------------------------------------------------

COUNTS = [
    _fact("arms-deals", "Israel sells Azerbaijan weapons worth billions of dollars."),
    _fact("lora-count", "Azerbaijan received about 50 LORA missiles from Israel."),
    _fact("drones-used", "An adviser said the army uses Israeli drones."),
    _fact("drone-strike", "A drone struck a bus in April."),
    _fact("drones-seen", "Drones were seen over the border."),
    _fact("flights-total", "Since 2016, 92 cargo flights landed at Ovda.", period="2016-2023"),
    _fact("rockets-bought", "Azerbaijan bought LAR-160 rockets from Israel in 2008."),
]


def test_a_count_question_is_answered_only_by_a_fact_that_says_what_it_counts() -> None:
    """Issue 18: `how many drones did israel sell to azerbaijan` was answered by a sum for
    weapons. A figure answers "how many X" only where the fact says X (or a reading of it)."""
    index = SearchIndex(COUNTS)
    outcome = index.search("how many drones did israel sell to azerbaijan")
    assert outcome.verdict == "none"
    assert "needs a figure" in [
        s["step"] for s in index.explain("how many drones did israel sell to azerbaijan")["steps"]
    ]
    # What it counts, said in the fact, still answers; so does the same question without a count
    assert index.search("how many lora missiles did azerbaijan receive").verdict == "answer"
    assert (
        index.search("did israel sell azerbaijan weapons worth billions").results[0].fact.key == "arms-deals"
    )


def test_a_count_for_one_year_is_not_answered_by_a_total_over_many() -> None:
    index = SearchIndex(COUNTS)
    assert index.search("how many cargo flights landed at ovda since 2016").verdict == "answer"
    outcome = index.search("how many cargo flights landed at ovda in 2022")
    assert outcome.verdict == "none"
    assert outcome.suggestions[0].fact.key == "flights-total"


def test_a_model_number_is_a_name_not_a_count() -> None:
    index = SearchIndex(COUNTS)
    outcome = index.search("how many LAR-160 rockets did azerbaijan buy")
    assert outcome.verdict == "none"
    assert outcome.suggestions[0].fact.key == "rockets-bought"
    assert (
        index.search("which rockets did azerbaijan buy from israel").results[0].fact.key == "rockets-bought"
    )


def test_number_of_and_how_long_ask_for_a_figure_too() -> None:
    index = SearchIndex(COUNTS)
    for query in (
        "number of LAR-160 rockets azerbaijan bought from israel in 2008",
        "how long were the rockets bought",
    ):
        steps = [s["step"] for s in index.explain(query)["steps"]]
        assert "needs a figure" in steps, query
