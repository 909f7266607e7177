"""Splitting a message into the claims "Check facts" looks up."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.desk.claims import MAX_CLAIMS, Claims, split_claims


def claims(text: str) -> list[str]:
    return list(split_claims(text).claims)


def test_one_sentence_from_the_channel_is_one_claim() -> None:
    assert claims("Silk Way flew 92 times to Ovda, sources say") == [
        "Silk Way flew 92 times to Ovda, sources say"
    ]


def test_sentences_are_split_at_their_ends() -> None:
    assert claims(
        "Silk Way flew 92 times to Ovda. The IDF declined to comment! Was it legal? Nobody knows why."
    ) == [
        "Silk Way flew 92 times to Ovda.",
        "The IDF declined to comment!",
        "Was it legal?",
        "Nobody knows why.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "The U.S. State Department approved the sale of 3.5 billion dollars in arms.",
        "An Il-76 landed at Ovda at 4.85 tonnes over its rated load.",
        "Flight No. 3 carried approx. 20 tonnes, according to Dr. Smith of the U.N. panel.",
        "J. Smith and A. B. Cohen wrote that about 1.2 million rounds were shipped.",
        "The report (p. 12) lists explosives, e.g. artillery shells, as cargo.",
    ],
)
def test_abbreviations_decimals_and_initials_do_not_end_a_sentence(sentence: str) -> None:
    assert claims(sentence) == [sentence]
    assert claims(f"{sentence} The ministry denied it.") == [sentence, "The ministry denied it."]


def test_a_word_that_is_also_an_abbreviation_still_ends_a_sentence_before_words() -> None:
    assert claims("The airline said no. Then the flights resumed in May.") == [
        "The airline said no.",
        "Then the flights resumed in May.",
    ]


def test_a_quotation_stays_with_who_said_it() -> None:
    text = '"We flew there twice. Both flights were legal," the airline said. Ovda is closed to reporters.'
    assert claims(text) == [
        '"We flew there twice. Both flights were legal," the airline said.',
        "Ovda is closed to reporters.",
    ]
    assert claims("“Is this allowed?” she asked the ministry. Nobody answered her questions.") == [
        "“Is this allowed?” she asked the ministry.",
        "Nobody answered her questions.",
    ]


def test_bullets_numbers_and_line_breaks_separate_claims() -> None:
    text = (
        "Findings so far:\n"
        "- Silk Way flew 92 times to Ovda\n"
        "• Cargo was listed as dangerous goods\n"
        "1. Flights began in 2016\n"
        "2) They continued after the war\n"
        "\n"
        "Silk Way flew to Ovda\n"
        "in 2023 as well"
    )
    assert claims(text) == [
        "Findings so far:",
        "Silk Way flew 92 times to Ovda",
        "Cargo was listed as dangerous goods",
        "Flights began in 2016",
        "They continued after the war",
        "Silk Way flew to Ovda in 2023 as well",
    ]


def test_links_mentions_and_formatting_are_taken_away() -> None:
    text = (
        "<@123456789012345678> **Silk Way** flew to _Ovda_ 92 times, see https://example.com/report.pdf. "
        "The [Haaretz report](https://haaretz.com/a) has the ||flight list|| <:flag:123456789012345678>\n"
        "> Azerbaijan denied the `cargo` claims\n"
        "```\nnot a claim at all. Another one here.\n```\n"
        "https://example.com/only-a-link"
    )
    assert claims(text) == [
        "Silk Way flew to Ovda 92 times, see.",
        "The Haaretz report has the flight list",
        "Azerbaijan denied the cargo claims",
    ]


def test_an_unclosed_code_fence_is_only_punctuation() -> None:
    assert claims("``` Silk Way flew to Ovda. The IDF declined to comment.") == [
        "Silk Way flew to Ovda.",
        "The IDF declined to comment.",
    ]


def test_short_fragments_and_repeats_are_dropped() -> None:
    assert claims("ok. lol! Silk Way flew to Ovda. Thanks! silk way flew to OVDA!") == [
        "Silk Way flew to Ovda."
    ]


@pytest.mark.parametrize(
    "text",
    ["", "   \n ", "<@123456789012345678> https://example.com/a 👍", "ok thanks!", "```python\nx = 1\n```"],
)
def test_nothing_to_check_says_so(text: str) -> None:
    result = split_claims(text)
    assert result.claims == ()
    assert result.problem is not None and result.problem.startswith("Nothing to check")


def test_a_long_message_is_cut_with_a_count_of_what_was_left_out() -> None:
    text = " ".join(f"Flight number {n} landed at Ovda." for n in range(1, 12))
    result = split_claims(text)
    assert len(result.claims) == MAX_CLAIMS
    assert result.claims[0] == "Flight number 1 landed at Ovda."
    assert result.left_out == 11 - MAX_CLAIMS
    assert split_claims(text, limit=3) == Claims(
        (
            "Flight number 1 landed at Ovda.",
            "Flight number 2 landed at Ovda.",
            "Flight number 3 landed at Ovda.",
        ),
        left_out=8,
    )


# --- properties ------------------------------------------------------------------------

# Pieces of chat, so the generated text is full of what the splitter must handle.
MESSAGE_TEXT = st.lists(
    st.one_of(
        st.sampled_from(list("abc XYZ 123 .!?…,;:'\"“”‘’()[]<>*_~|`#->•\n\t@:/")),
        st.sampled_from(
            ["https://", "U.S.", "No. ", "<@123>", "```", "**", "||", "\n- ", "\n1. ", "...", "e.g. "]
        ),
        st.sampled_from(["Silk Way", "flew to Ovda", "92 times", "The IDF", "said"]),
        st.characters(),
    ),
    max_size=120,
).map("".join)


def is_subsequence(part: str, whole: str) -> bool:
    rest = iter(whole)
    return all(ch in rest for ch in part)


def squeezed(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=400, deadline=None)
@given(MESSAGE_TEXT)
def test_any_text_splits_without_crashing_and_keeps_its_order(text: str) -> None:
    result = split_claims(text, limit=1000)
    assert result.left_out == 0
    assert (result.problem is None) == bool(result.claims)
    assert all(claim == claim.strip() and claim for claim in result.claims)
    # Claims only take away from the text: never add, change or reorder a character.
    assert is_subsequence(squeezed("".join(result.claims)), squeezed(text))


@settings(max_examples=200, deadline=None)
@given(MESSAGE_TEXT, st.integers(min_value=1, max_value=10))
def test_the_cap_keeps_the_first_claims_and_counts_the_rest(text: str, limit: int) -> None:
    everything = split_claims(text, limit=1000).claims
    capped = split_claims(text, limit=limit)
    assert capped.claims == everything[:limit]
    assert capped.left_out == max(0, len(everything) - limit)
