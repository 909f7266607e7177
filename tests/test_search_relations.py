"""A figure a count question asks for: of the year asked, a figure rather than a model number, not the
query's own figure, and in the unit the query names."""

from __future__ import annotations

from knowledge.model import Fact, Source
from knowledge.search.index import SearchIndex


def _fact(key: str, claim: str, **extra: object) -> Fact:
    source = Source(publisher="Example", title="t", url="https://example.org/x")
    return Fact(key=key, claim=claim, sources=(source,), **extra)


COUNTS = [
    _fact("lora-count", "Azerbaijan received about 50 LORA missiles from Israel."),
    _fact("flights-total", "Since 2016, 92 cargo flights landed at Ovda.", period="2016-2023"),
    _fact("rockets-bought", "Azerbaijan bought LAR-160 rockets from Israel in 2008."),
]


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


def test_the_figure_a_question_gives_is_not_the_count_it_asks_for() -> None:
    index = SearchIndex(
        [
            *COUNTS,
            _fact("orbiters", "A drone maker sold 30 Orbiter drones to Azerbaijan, each carrying a camera."),
        ]
    )
    # Every word is the fact's, but its one figure is the query's own: the count asked for is not stated.
    query = "how many cameras did the 30 Orbiter drones carry"
    assert index.search(query).verdict == "none"
    assert "needs a figure" in [s["step"] for s in index.explain(query)["steps"]]
    assert index.search(query).suggestions[0].fact.key == "orbiters"
    # Asked without the figure, the same fact gives the count.
    assert index.search("how many Orbiter drones were sold to Azerbaijan").results[0].fact.key == "orbiters"


def test_a_unit_of_measure_the_query_names_must_be_the_facts() -> None:
    runway = _fact("runway", "The runway at Ovda is 3 km long.")
    pipeline = _fact("pipeline-flow", "The pipeline from Baku carries 1.2 million barrels of oil a day.")
    index = SearchIndex([*COUNTS, runway, pipeline])
    # The LORA fact says how many missiles, never how far they fly: a distance in km is not its to give.
    query = "how many km did the LORA missiles azerbaijan received from israel fly"
    assert index.search(query).verdict == "none"
    assert "figure not the fact's" in [s["step"] for s in index.explain(query)["steps"]]
    assert index.search("LORA missiles azerbaijan received from israel").results[0].fact.key == "lora-count"
    # A fact whose own words state the unit still answers.
    outcome = index.search("how many barrels of oil a day does the pipeline from baku carry")
    assert outcome.verdict == "answer"
    assert outcome.results[0].fact.key == "pipeline-flow"
