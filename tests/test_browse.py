"""The timeline and the publication listing, as pure functions over facts."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge.desk.browse import InvalidRange, find_publisher, publication, publishers, timeline
from knowledge.model import Fact, parse_fact


def fact(key: str, *, period: str | None = None, publisher: str = "Example Times", **extra: Any) -> Fact:
    data: dict[str, Any] = {
        "key": key,
        "claim": f"Claim of {key}.",
        "sources": [{"publisher": publisher, "url": "https://example.com/a", "published": "2021-05"}],
        **extra,
    }
    if period:
        data["period"] = period
    return parse_fact(data)


FACTS = [
    fact("flights-2016-2023", period="2016-2023", tags=["flights"]),
    fact("strike-2016", period="2016-04", tags=["drones"], publisher="Haaretz (Barak Ravid)"),
    fact("war-2020", period="2020-09", aliases=["Karabakh war"], publisher="Haaretz"),
    fact("source-dated", period=None, publisher="Times of Israel"),
    fact("old-cable", period="2009", tags=["diplomacy", "arms-sales"]),
]


def keys(entries: list[Any]) -> list[str]:
    return [entry.fact.key for entry in entries]


def test_timeline_orders_dated_facts_oldest_first() -> None:
    assert keys(timeline(FACTS)) == [
        "old-cable",
        "strike-2016",  # same start: the shorter span first
        "flights-2016-2023",
        "war-2020",
        "source-dated",  # no period: dated by its source (2021)
    ]


def test_timeline_range_keeps_facts_overlapping_it() -> None:
    assert keys(timeline(FACTS, from_year=2017, to_year=2020)) == ["flights-2016-2023", "war-2020"]
    assert keys(timeline(FACTS, to_year=2010)) == ["old-cable"]


def test_timeline_label_shows_a_single_year_or_a_range() -> None:
    labels = {e.fact.key: e.label for e in timeline(FACTS)}
    assert labels["strike-2016"] == "2016"
    assert labels["flights-2016-2023"] == "2016–2023"


def test_timeline_topic_matches_tags_aliases_and_words_not_parts_of_words() -> None:
    assert keys(timeline(FACTS, topic="Drones")) == ["strike-2016"]
    assert keys(timeline(FACTS, topic="karabakh")) == ["war-2020"]
    assert keys(timeline(FACTS, topic="arms sales")) == ["old-cable"]
    assert keys(timeline(FACTS, topic="rone")) == []


def test_timeline_topic_finds_a_word_in_singular_or_plural() -> None:
    # A reporter asking for the drone timeline must not silently miss the facts tagged `drones`.
    one_drone = fact("one-drone", period="2017-07", claim="A drone was demonstrated.")
    assert keys(timeline([*FACTS, one_drone], topic="drone")) == ["strike-2016", "one-drone"]
    assert keys(timeline([*FACTS, one_drone], topic="drones")) == ["strike-2016", "one-drone"]
    assert keys(timeline(FACTS, topic="arms sale")) == ["old-cable"]


def test_timeline_topic_reads_words_as_search_does_with_forms_and_the_thesaurus() -> None:
    # One rule for both (knowledge.search.wordforms): `UAV` is a drone, `embassies` an embassy.
    embassy = fact("embassy-2023", period="2023-03", claim="Azerbaijan opened its embassy in Tel Aviv.")
    assert keys(timeline(FACTS, topic="UAV")) == keys(timeline(FACTS, topic="drones"))
    assert keys(timeline([*FACTS, embassy], topic="embassies")) == ["embassy-2023"]


def test_timeline_topic_of_only_symbols_matches_no_fact() -> None:
    assert keys(timeline(FACTS, topic="🚀")) == []
    assert len(timeline(FACTS, topic="  ")) == len(FACTS)  # blank: no topic given


def test_timeline_leaves_out_retracted_and_undated_facts() -> None:
    retracted = fact("gone-2018", period="2018", retracted_at="2026-11-21T08:00:00+00:00")
    undated = parse_fact(
        {"key": "no-date", "claim": "x", "sources": [{"publisher": "P", "url": "https://p.io/"}]}
    )
    assert keys(timeline([retracted, undated])) == []


def test_timeline_backwards_range_is_refused_with_the_fix() -> None:
    with pytest.raises(InvalidRange, match="use from_year 2016 and to_year 2020"):
        timeline(FACTS, from_year=2020, to_year=2016)


def test_publication_drops_bylines_in_brackets() -> None:
    assert publication("Haaretz (Avi Scharf, Oded Yaron)") == "Haaretz"
    assert publication("Times of Israel") == "Times of Israel"


def test_publishers_counts_facts_per_publication_most_cited_first() -> None:
    listing = [(p.name, len(p.facts)) for p in publishers(FACTS)]
    assert listing == [("Example Times", 2), ("Haaretz", 2), ("Times of Israel", 1)]


def test_a_fact_citing_a_publication_twice_counts_once() -> None:
    twice = parse_fact(
        {
            "key": "twice",
            "claim": "x",
            "sources": [
                {"publisher": "Haaretz (A)", "url": "https://h.example/1"},
                {"publisher": "Haaretz (B)", "url": "https://h.example/2"},
            ],
        }
    )
    [haaretz] = publishers([twice])
    assert len(haaretz.facts) == 1


def test_find_publisher_by_exact_name_or_a_unique_word() -> None:
    listing = publishers(FACTS)
    found = find_publisher(listing, "haaretz")
    assert found is not None
    assert [f.key for f in found.facts] == ["strike-2016", "war-2020"]
    times_of_israel = find_publisher(listing, "israel")
    assert times_of_israel is not None and times_of_israel.name == "Times of Israel"
    assert find_publisher(listing, "times") is None  # two publications: ambiguous
    assert find_publisher(listing, "Nobody") is None


def test_timeline_topic_that_is_an_alias_also_finds_facts_using_the_fact_s_other_names() -> None:
    def fact(key: str, claim: str, aliases: list[str]) -> Fact:
        source = {"publisher": "P", "url": f"https://example.com/{key}", "published": "2020-01-01"}
        return parse_fact({"key": key, "claim": claim, "sources": [source], "aliases": aliases})

    base = [
        fact("ovda-base", "Ovda is an air base.", ["Ovda", "Uvda", "עובדה"]),
        fact("ovda-flights", "Flights landed at Ovda.", []),
        fact("other-base", "Another base entirely.", []),
    ]
    assert (
        keys(timeline(base, topic="uvda"))
        == keys(timeline(base, topic="ovda"))
        == ["ovda-base", "ovda-flights"]
    )
    assert keys(timeline(base, topic="עובדה")) == ["ovda-base", "ovda-flights"]
