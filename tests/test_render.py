"""How a fact is shown, without Discord: labels, citations, and Discord's limits."""

from __future__ import annotations

import json
from typing import Any

import discord
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from handlers import render
from handlers.render import citation_line, clip, corrected_embed, escape, fact_embed, list_pages, quoted_query
from knowledge.desk.answers import RESTORED, RETRACTED, UPDATED
from knowledge.model import MAX_CLAIM, MAX_DETAILS, MAX_QUOTE, MAX_REASON, MAX_SOURCES, Fact, parse_fact
from knowledge.store.changes import SHIPPED_BASE


def make_fact(**changes: Any) -> Fact:
    data: dict[str, Any] = {
        "key": "test-fact",
        "claim": "A test claim.",
        "sources": [
            {
                "publisher": "Example Times",
                "title": "A headline",
                "url": "https://example.com/story",
                "published": "2023-03-06",
            }
        ],
    }
    data.update(changes)
    return parse_fact(data)


def longest_fact(**source: Any) -> Fact:
    """The largest fact validation accepts, with markdown characters that double when escaped."""
    base_source = {
        "publisher": "P" * 200,
        "title": "_" * 200,
        "url": "https://example.com/" + "a" * 480,
        "published": "2020-01-01",
        "kind": "primary",
        "quote": "*" * MAX_QUOTE,
    }
    base_source.update(source)
    return make_fact(
        key="k" * 64,
        claim="*" * MAX_CLAIM,
        details="_" * MAX_DETAILS,
        caveats="|" * 1000,
        status="disputed",
        period="2016-2020",
        aliases=["alias"] * 1,
        # Ten different pages of the longest link length: one page may be cited only once.
        sources=[base_source | {"url": base_source["url"][:-1] + str(i)} for i in range(MAX_SOURCES)],
    )


def assert_within_limits(embed: discord.Embed) -> None:
    assert len(embed) <= render.EMBED_TOTAL
    assert len(embed.title or "") <= render.TITLE_LIMIT
    assert len(embed.description or "") <= render.DESCRIPTION_LIMIT
    assert len(embed.fields) <= render.FIELD_COUNT
    for field in embed.fields:
        assert 0 < len(field.name or "") <= render.FIELD_NAME_LIMIT
        assert 0 < len(field.value or "") <= render.FIELD_VALUE_LIMIT
    assert len(embed.footer.text or "") <= render.FOOTER_LIMIT


def test_embed_shows_claim_citation_key_and_review_date() -> None:
    fact = make_fact(period="2016-2023", reviewed_at="2026-11-20T10:00:00+00:00")
    embed = fact_embed(fact)
    assert embed.title == "Verified fact"
    assert "A test claim." in embed.description
    fields = {field.name: field.value for field in embed.fields}
    assert fields["Period"] == "2016-2023"
    assert fields["Source 1"] == ("**Example Times** — [A headline](https://example.com/story) — 2023-03-06")
    assert "key: test-fact" in embed.footer.text
    assert "last reviewed 2026-11-20" in embed.footer.text


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("attributed", "we have not confirmed it"),
        ("disputed", "sources disagree"),
        ("unverified", "do not publish it as fact"),
    ],
)
def test_non_verified_status_is_labelled_in_the_title(status: str, words: str) -> None:
    assert words in fact_embed(make_fact(status=status)).title


def test_caveats_are_shown_and_unreviewed_fact_says_so() -> None:
    embed = fact_embed(make_fact(caveats="Figures differ between sources."))
    assert {"name": "Caveats", "value": "Figures differ between sources.", "inline": False} in [
        field_dict(f) for f in embed.fields
    ]
    assert "not reviewed yet" in embed.footer.text


def field_dict(field: Any) -> dict[str, Any]:
    return {"name": field.name, "value": field.value, "inline": field.inline}


def test_retracted_fact_is_marked_as_retracted() -> None:
    fact = make_fact(
        retracted_at="2026-11-21T08:00:00+00:00", retracted_by="editor (1)", retraction_reason="Wrong figure"
    )
    embed = fact_embed(fact)
    assert "RETRACTED" in embed.title
    assert "Wrong figure" in embed.fields[0].value


def test_markdown_and_masked_links_in_stored_text_are_shown_literally() -> None:
    fact = make_fact(claim="**bold** [click](https://evil.example)", caveats="> not a quote")
    embed = fact_embed(fact)
    assert "\\*\\*bold\\*\\*" in embed.description
    assert "\\[click\\]" in embed.description
    assert "[click](" not in embed.description


def as_discord_shows(markdown: str) -> tuple[str, set[str]]:
    """The text Discord displays for ``markdown``, and the markup characters it would act on.

    Discord's rule: a backslash before a punctuation character shows that character literally.
    """
    shown: list[str] = []
    active: set[str] = set()
    i = 0
    while i < len(markdown):
        char = markdown[i]
        following = markdown[i + 1 : i + 2]
        if char == "\\" and following and not following.isalnum() and not following.isspace():
            shown.append(following)
            i += 2
            continue
        if char in "*_~`|[]":
            active.add(char)
        shown.append(char)
        i += 1
    return "".join(shown), active


@settings(derandomize=True, database=None)
@given(st.text(alphabet="ab\\*_~`|[]()", max_size=30))
@example("[click](https://evil.example)")
@example("[**bold**](x)")
@example("\\[click\\](https://evil.example)")
def test_escaped_text_shows_exactly_as_stored_with_no_markup_or_link(text: str) -> None:
    assert as_discord_shows(escape(text)) == (text, set())


def test_parentheses_in_a_url_do_not_break_the_link() -> None:
    fact = make_fact(sources=[{"publisher": "Wiki", "url": "https://en.example.org/wiki/Harop_(drone)"}])
    value = fact_embed(fact).fields[0].value
    assert "(https://en.example.org/wiki/Harop_%28drone%29)" in value
    assert "undated" in value


def test_longest_valid_fact_fits_every_limit_and_marks_what_was_cut() -> None:
    fact = longest_fact()
    embed = fact_embed(fact, note="Match 2 of 10 for “x”")
    assert_within_limits(embed)
    text = json.dumps(embed.to_dict())
    assert f"fact `{fact.key}`" in text  # the cut points to the key
    assert "More sources" in [field.name for field in embed.fields]


def test_urls_too_long_for_a_link_are_shown_bare_and_still_fit() -> None:
    fact = longest_fact(url="https://example.com/" + "(" * 480)
    embed = fact_embed(fact)
    assert_within_limits(embed)
    assert "https://example.com/(((" in embed.fields[2].value


def test_every_shipped_fact_fits_and_shows_all_its_sources() -> None:
    records = json.loads(SHIPPED_BASE.read_text(encoding="utf-8"))["facts"].values()
    for record in records:
        fact = parse_fact(record)
        embed = fact_embed(fact)
        assert_within_limits(embed)
        assert sum(field.name.startswith("Source") for field in embed.fields) == len(fact.sources)


def test_citation_line_lists_each_source_as_publisher_title_date_url() -> None:
    fact = make_fact(
        sources=[
            {"publisher": "A", "title": "T1", "url": "https://a.example/1", "published": "2020"},
            {"publisher": "B", "url": "https://b.example/2"},
        ]
    )
    assert citation_line(fact) == (
        "A — T1 — 2020 — https://a.example/1; B — (untitled) — undated — https://b.example/2"
    )


def test_a_source_s_kind_is_on_the_card_and_in_the_citation_unless_it_is_a_secondary_report() -> None:
    fact = make_fact(
        sources=[
            {
                "publisher": "Haaretz",
                "title": "T",
                "url": "https://m.example/1",
                "published": "2023",
                "kind": "mirror",
            },
            {"publisher": "Archive", "url": "https://a.example/cable", "kind": "primary"},
            {"publisher": "Wire", "url": "https://w.example/3", "kind": "secondary"},
        ]
    )
    names = [field.name for field in fact_embed(fact).fields if field.name.startswith("Source")]
    assert names == ["Source 1 · mirror", "Source 2 · primary", "Source 3"]
    assert citation_line(fact) == (
        "Haaretz — T — 2023 — https://m.example/1 (mirror); "
        "Archive — (untitled) — undated — https://a.example/cable (primary); "
        "Wire — (untitled) — undated — https://w.example/3"
    )


def test_citation_line_for_the_longest_fact_fits_a_message_and_never_cuts_a_url() -> None:
    fact = longest_fact()
    line = citation_line(fact)
    assert len(line) <= render.MESSAGE_LIMIT
    assert line.endswith(f"more in fact `{fact.key}`")
    url = fact.sources[0].url
    assert line.count(url) == line.count("https://")


def test_clip_keeps_short_text_and_marks_long_text_with_the_key() -> None:
    assert clip("short", 10, "k") == "short"
    cut = clip("x" * 500, 100, "some-key")
    assert len(cut) == 100
    assert cut.endswith("(shortened; full text in fact `some-key`)")


def test_quoted_query_is_one_short_line_without_markdown() -> None:
    assert quoted_query("a\n**b**  " + "c" * 300).startswith("“a \\*\\*b\\*\\* c")
    assert len(quoted_query("c" * 300)) <= 102


def test_list_pages_split_by_count_and_stay_within_limits() -> None:
    pages = list_pages("T" * 300, [f"line {i} " + "x" * 900 for i in range(25)], per_page=10)
    assert len(pages) >= 3
    for page in pages:
        assert_within_limits(page)
    assert pages[0].footer.text == f"Page 1 of {len(pages)}"


def test_list_pages_single_page_has_no_page_footer() -> None:
    [page] = list_pages("Title", ["one", "two"])
    assert page.description == "one\ntwo"
    assert page.footer.text is None


# --- a posted card after its fact changed -------------------------------------------------


def test_a_corrected_card_says_retracted_or_updated_with_the_date_of_the_change() -> None:
    retracted = make_fact(
        version=3,
        retracted_at="2026-11-21T08:00:00+00:00",
        retracted_by="editor (1)",
        retraction_reason="Wrong figure",
    )
    edited = make_fact(version=3, updated_at="2026-11-20T08:00:00+00:00", updated_by="editor (1)")
    restored = make_fact(version=3, updated_at="2026-01-01T00:00:00+00:00", updated_by="editor (1)")

    card = corrected_embed(retracted, RETRACTED, today="2026-11-30")
    assert card.title == render.RETRACTED_TITLE
    assert card.description.startswith("**Retracted** 2026-11-21 — ")
    assert card.fields[0].value.endswith("Wrong figure")
    assert corrected_embed(edited, UPDATED, today="2026-11-30").description.startswith(
        "**Updated** 2026-11-20 — "
    )
    # A restoration leaves no date on the fact (its last edit is older): the day it reached the card.
    assert corrected_embed(restored, RESTORED, today="2026-11-30").description.startswith(
        "**Updated** 2026-11-30"
    )


@pytest.mark.parametrize("kind", [RETRACTED, UPDATED])
def test_a_corrected_card_of_the_longest_fact_fits_every_limit(kind: str) -> None:
    fact = longest_fact()
    if kind == RETRACTED:
        fact = fact.evolve(
            retracted_at="2026-11-21T08:00:00+00:00",
            retracted_by="e" * 200,
            retraction_reason="*" * MAX_REASON,
        )
    card = corrected_embed(fact, kind, today="2026-11-30")
    assert_within_limits(card)
    assert card.description.startswith(f"**{'Retracted' if kind == RETRACTED else 'Updated'}** ")
