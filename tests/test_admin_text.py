"""The moderator commands' wording, without Discord."""

from __future__ import annotations

import pytest

from handlers.admin_text import (
    ADD_FIELDS,
    MODAL_FIELDS,
    field_name,
    gaps_message,
    history_line,
    history_lines,
    problems_message,
    split_list,
)
from handlers.render import MESSAGE_LIMIT
from knowledge.desk.gaps import Gap
from knowledge.errors import InvalidFact, Problem
from knowledge.model import Fact, HistoryEntry, Source


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("", []),
        ("one", ["one"]),
        (" one , two,,three , ", ["one", "two", "three"]),
    ],
)
def test_split_list_drops_blank_entries_and_keeps_absent_absent(
    text: str | None, expected: list[str] | None
) -> None:
    assert split_list(text) == expected


def test_split_list_by_line_keeps_commas_inside_an_entry() -> None:
    assert split_list("Baku, Azerbaijan\n\n  Ovda  \n", separator="\n") == ["Baku, Azerbaijan", "Ovda"]


@pytest.mark.parametrize(
    ("field", "names", "source_fields", "shown"),
    [
        ("sources[0].url", ADD_FIELDS, False, "source_url"),
        ("sources[0].title", ADD_FIELDS, False, "source_title"),
        ("claim", ADD_FIELDS, False, "claim"),
        ("aliases[4]", ADD_FIELDS, False, "aliases (entry 5)"),
        ("aliases[0]", MODAL_FIELDS, False, "Aliases (entry 1)"),
        ("source.url", {}, True, "url"),
        ("sources[3].published", {}, True, "published"),
        ("sources", {}, True, "sources"),
    ],
)
def test_field_names_are_the_ones_the_moderator_filled_in(
    field: str, names: dict[str, str], source_fields: bool, shown: str
) -> None:
    assert field_name(field, names, source_fields=source_fields) == shown


def test_problems_message_lists_every_problem_within_one_message() -> None:
    problems = [Problem(f"aliases[{i}]", "is 300 characters; at most 200 are allowed") for i in range(100)]
    message = problems_message(InvalidFact(problems, record="fact `x-y-z`"), ADD_FIELDS)
    assert message.startswith("Nothing was saved (fact `x-y-z`). Please fix:\n• `aliases (entry 1)`: is 300")
    assert len(message) <= MESSAGE_LIMIT


def entry(action: str, **fields: object) -> HistoryEntry:
    return HistoryEntry(
        key="k-1", action=action, actor="editor (42)", at="2026-03-04T05:06:07+00:00", **fields
    )


def test_history_line_names_version_time_action_actor_changed_fields_and_reason() -> None:
    line = history_line(
        entry(
            "edit",
            version=3,
            reason="Typo **fixed**",
            before={"claim": "Old.", "tags": ["a"]},
            after={"claim": "New.", "tags": ["a"]},
        )
    )
    assert line == r"v3 · 2026-03-04 05:06 UTC · **edit** by editor (42) (claim) — Typo \*\*fixed\*\*"


SHIPPED = Fact(
    key="shipped-fact",
    claim="A claim.",
    sources=(Source(publisher="P", url="https://example.com/a"),),
    added_by="research desk",
    added_at="2026-11-25T00:00:00+00:00",
)


def test_history_is_listed_newest_first() -> None:
    lines = history_lines(SHIPPED, [entry("add", version=1), entry("retract", version=2, reason="Wrong.")])
    assert [line.split(" · ")[0] for line in lines] == ["v2", "v1"]


def test_a_fact_with_no_recorded_change_says_where_it_came_from_instead_of_nothing() -> None:
    assert history_lines(SHIPPED, []) == [
        "v1 · added by research desk on 2026-11-25, with the database; no change since then."
    ]


def test_history_line_is_cut_to_fit_however_long_the_reason() -> None:
    assert len(history_line(entry("retract", version=2, reason="x" * 600))) <= 300


def test_gaps_message_lists_queries_by_people_then_times_or_says_there_are_none() -> None:
    gaps = [
        Gap("silk  way\ncargo", 2, 4, "2026-03-04T05:06:07+00:00"),
        Gap("*bold* claim", 1, 1, "2026-03-01T00:00:00+00:00"),
    ]
    assert gaps_message(gaps, since_days=7).splitlines() == [
        "Questions with no confident answer in the last 7 days, asked by the most people first "
        "(then the most often):",
        "1. “silk way cargo” — asked by 2 people, 4× (last 2026-03-04)",
        r"2. “\*bold\* claim” — asked by 1 person, 1× (last 2026-03-01)",
    ]
    assert gaps_message([], since_days=30) == "No unanswered questions in the last 30 days."
