"""The fact model's validation, without a store: what each rejection tells a person."""

from __future__ import annotations

import dataclasses

import pytest

from knowledge.errors import InvalidFact
from knowledge.model import parse_fact

SOURCE = {"publisher": "Haaretz", "url": "https://example.com/a", "published": "2023-03-06"}
GOOD = {"key": "some-fact", "claim": "A claim.", "sources": [SOURCE]}


def refusal(**fields: object) -> str:
    with pytest.raises(InvalidFact) as refused:
        parse_fact({"key": "some-fact", "claim": "A claim.", "sources": [SOURCE], **fields})
    return str(refused.value)


def test_a_line_break_in_a_one_line_field_is_named_as_such() -> None:
    assert "claim: contains a line break; keep it on one line" in refusal(claim="One line\nand another.")


def test_a_line_break_is_allowed_where_the_field_is_multiline() -> None:
    assert parse_fact({"key": "some-fact", "claim": "A claim.", "sources": [SOURCE], "details": "a\nb"})


def test_an_invisible_override_character_is_named_by_code_point() -> None:
    assert "claim: contains a control character (U+202E)" in refusal(claim="Looks fine \u202eeulav")


@pytest.mark.parametrize("published", ["2023", "2023-03", "2023-03-06"])
def test_partial_iso_dates_are_accepted(published: str) -> None:
    fact = parse_fact(
        {"key": "some-fact", "claim": "A claim.", "sources": [SOURCE | {"published": published}]}
    )
    assert fact.sources[0].published == published


@pytest.mark.parametrize("published", ["2023-13", "2023-02-30", "23", "March 2023"])
def test_impossible_or_loose_dates_are_refused(published: str) -> None:
    assert "sources[0].published: must be an ISO date" in refusal(sources=[SOURCE | {"published": published}])


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "http://"])
def test_links_that_are_not_web_pages_are_refused(url: str) -> None:
    assert "sources[0].url" in refusal(sources=[SOURCE | {"url": url}])


def test_every_problem_is_named_at_once() -> None:
    message = refusal(claim=" ", status="maybe", bogus=1)
    assert "claim: must not be empty" in message
    assert "status: must be one of verified, attributed, disputed, unverified" in message
    assert "bogus: is not a known field" in message


def test_one_page_cited_twice_in_a_fact_is_refused_however_the_link_is_written() -> None:
    again = SOURCE | {"url": "http://EXAMPLE.com/a/#section"}
    assert "sources[1].url: cites the same page as sources[0]" in refusal(sources=[SOURCE, again])


def test_different_pages_on_one_site_are_separate_sources() -> None:
    other = SOURCE | {"url": "https://example.com/b"}
    assert len(parse_fact({"key": "some-fact", "claim": "A claim.", "sources": [SOURCE, other]}).sources) == 2


def test_a_field_name_that_is_not_text_is_refused_not_a_crash() -> None:
    with pytest.raises(InvalidFact) as refused:
        parse_fact({"key": "some-fact", "claim": "A claim.", "sources": [SOURCE], 1: "x"})
    assert "1: is not a known field" in str(refused.value)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"version": 2, "updated_by": "ana", "updated_at": "2026-12-05T08:00:00+00:00"},
        {"claim": "Silk Way flew 93 times.", "aliases": ("ovda",), "retracted_at": None},
        {"key": "other-key", "retraction_reason": "wrong", "period": "2016-2020", "asked_as": ("q?",)},
    ],
)
def test_evolve_changes_exactly_the_fields_named(changes: dict[str, object]) -> None:
    fact = parse_fact(GOOD | {"aliases": ["silk way"], "tags": ["flights"], "added_by": "seed"})
    assert fact.evolve(**changes) == dataclasses.replace(fact, **changes)


def test_evolve_refuses_a_field_a_fact_does_not_have() -> None:
    with pytest.raises(TypeError, match="no field 'title'"):
        parse_fact(GOOD).evolve(title="x")


@pytest.mark.parametrize("key", ["some-fact\n", "\nsome-fact", "some-fact\n\n"])
def test_a_key_with_a_line_break_is_refused(key: str) -> None:
    # A regex anchored with `$` also matches before a final line break: "some-fact\n" was a valid key.
    assert "key: must be 3-64 characters" in refusal(key=key)
