"""Who gives what to whom (knowledge/search/roles.py), and search refusing the reverse of what a fact says."""

from __future__ import annotations

import pytest

from knowledge.model import Fact, Source
from knowledge.search.index import SearchIndex
from knowledge.search.roles import Direction, directions, names, places

PARTIES = {"israel", "isra", "azerbaijan", "armenia", "russia", "sipri", "lora", "baku"}


def pairs(text: str) -> set[tuple[str, str]]:
    return {(d.giver, d.receiver) for d in directions(text, PARTIES.__contains__)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Israel sells Azerbaijan weapons.", {("israel", "azerbaijan")}),
        ("azerbaijan sells weapons to israel", {("azerbaijan", "israel")}),
        ("oil from azerbaijan to israel", {("azerbaijan", "israel")}),
        ("Azerbaijan bought the missiles from Israel.", {("israel", "azerbaijan")}),
        ("Israel supplied 69% of Azerbaijan's arms imports.", {("israel", "azerbaijan")}),
        # a passive verb: the name before it is the thing given, not the giver
        ("about 50 LORA missiles delivered from Israel to Azerbaijan", {("israel", "azerbaijan")}),
        # no verb of giving, but a receiver: the clause's first name is the giver
        ("In April 2016 Armenia protested to Israel over the strike.", {("armenia", "israel")}),
        # `according to` names a source, not a receiver
        ("According to SIPRI, Israel supplied most of the drones.", set()),
        ("Flights ran between Azerbaijan and Israel.", set()),
        # `that` starts another clause: where the cable came from is not who sold
        (
            "A cable from Baku reported that Israeli firms sold equipment to Azerbaijan.",
            {("isra", "azerbaijan")},
        ),
    ],
)
def test_directions_read_giver_and_receiver(text: str, expected: set[tuple[str, str]]) -> None:
    assert pairs(text) == expected


def test_each_clause_keeps_its_own_direction_and_topic() -> None:
    found = directions("Israel sells Azerbaijan weapons; Azerbaijan gives Israel oil.", PARTIES.__contains__)
    assert found == [
        Direction("israel", "azerbaijan", frozenset({"weapon"})),
        Direction("azerbaijan", "israel", frozenset({"oil"})),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Azerbaijan opened its embassy in Tel Aviv on 29 March 2023.", {"tel", "aviv"}),
        ("Silk Way flights landed at Israel's Ovda air base.", {"israel", "ovda"}),
        ("the only airfield in southern Israel", {"israel"}),
        # typed without capitals, two names after `in` are two things, not one place
        ("embassy in baku israel", {"baku"}),
        # a date, or `at least`, is not a place
        ("In April 2016 Armenia protested.", set()),
        ("at least 92 Ilyushin flights", set()),
        ("in 2022 Baku bought more", set()),
    ],
)
def test_places_are_the_names_after_in_or_at(text: str, expected: set[str]) -> None:
    known = {"tel", "aviv", "isra", "ovda", "israel", "armenia", "ilyushin", "baku"}
    assert places(text, known.__contains__) == expected


def test_names_are_the_words_a_claim_capitalises() -> None:
    assert names("In April 2016 Armenia protested to Israel over the IAI drone.") == {
        "armenia",
        "israel",
        "iai",
    }


def fact(key: str, claim: str) -> Fact:
    return Fact(
        key=key, claim=claim, sources=(Source(publisher="Example Daily", url="https://example.com/a"),)
    )


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(
        [
            fact("arms-for-oil", "Israel sells Azerbaijan weapons; Azerbaijan gives Israel oil in return."),
            fact("lora", "About 50 LORA ballistic missiles were delivered from Israel to Azerbaijan."),
            fact("protest", "In April 2016 Armenia protested to Israel over a drone strike."),
            fact("embassy", "Azerbaijan opened its embassy in Tel Aviv on 29 March 2023."),
            fact("archive", "Iran's nuclear archive was taken out through Azerbaijan."),
        ]
    )


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("israel sells weapons to azerbaijan", "arms-for-oil"),
        ("oil from azerbaijan to israel", "arms-for-oil"),
        ("lora missiles delivered to azerbaijan", "lora"),
        ("armenia protested to israel", "protest"),
        ("azerbaijan opened an embassy in tel aviv", "embassy"),
        # a place the claim never names is only not found, and may hold the claim's place
        ("when did azerbaijan open an embassy in israel", "embassy"),
    ],
)
def test_the_direction_a_fact_states_is_answered(index: SearchIndex, query: str, key: str) -> None:
    outcome = index.search(query)
    assert (outcome.verdict, outcome.results[0].fact.key) == ("answer", key)


@pytest.mark.parametrize(
    "query",
    [
        "azerbaijan sells weapons to israel",
        "israel gives azerbaijan oil",
        "oil from israel to azerbaijan",
        "lora missiles delivered from azerbaijan to israel",
        "israel protested to armenia",
    ],
)
def test_the_reverse_of_what_a_fact_states_is_not_answered_by_it(index: SearchIndex, query: str) -> None:
    outcome = index.search(query)
    assert outcome.verdict == "none", [h.fact.key for h in outcome.results]


def test_a_place_the_claim_names_but_puts_things_elsewhere_is_not_found() -> None:
    base = SearchIndex(
        [
            fact("embassy", "Georgia opened its embassy in Paris in 1992."),
            fact("pipeline", "A pipeline from Baku carries crude oil to Ceyhan."),
            fact("drones", "Russia sold drones to Armenia."),
        ]
    )
    assert base.search("georgia opened an embassy in paris").verdict == "answer"
    # The claim names Georgia, but as who opened the embassy, and puts it in Paris.
    outcome = base.search("embassy in georgia opened")
    assert outcome.verdict == "none"
    assert base.explain("embassy in georgia opened")["facts"][0]["role_contradicted"] == ["georgia"]


def test_a_when_question_needs_a_fact_that_says_when(index: SearchIndex) -> None:
    assert index.search("when did azerbaijan open its embassy").verdict == "answer"
    # The archive fact matches every word but never says when: no answer, only a suggestion.
    undated = index.search("when was iran's nuclear archive taken out")
    assert undated.verdict == "none"
    assert undated.suggestions[0].fact.key == "archive"
    assert index.search("iran's nuclear archive taken out").verdict == "answer"
    # `date` asks for one wherever it stands, and weighs nothing itself.
    assert index.search("azerbaijan embassy opening date").verdict == "answer"
    assert index.search("iran nuclear archive date").verdict == "none"
    # "when" asks only at the start of a question; later it joins two clauses.
    assert index.search("when were the lora missiles delivered to azerbaijan").verdict == "none"
    assert index.search("lora missiles delivered to azerbaijan when").verdict == "answer"
