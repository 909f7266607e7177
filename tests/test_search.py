"""Search behaviour on small hand-made bases: normalisation, typos, years, bad input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.model import Fact, Source
from knowledge.search import MAX_QUERY_CHARS, SearchIndex, SearchOutcome
from knowledge.search import wordforms as wf
from knowledge.search.textnorm import fact_words, normalise, strip_markup, words
from knowledge.search.wordforms import Thesaurus

RETRACTED_AT = "2026-01-01T00:00:00+00:00"


def fact(key: str, claim: str, **fields: object) -> Fact:
    sources = fields.pop("sources", (Source(publisher="Example Daily", url="https://example.com/a"),))
    return Fact(key=key, claim=claim, sources=sources, **fields)


BASE = (
    fact(
        "silk-way-ovda-flights",
        "Since 2016 at least 92 Silk Way Airlines cargo flights landed at Israel's Ovda air base.",
        aliases=("Silk Way",),
        period="2016-2023",
    ),
    fact(
        "ovda-explosives-airfield",
        "Ovda is the only airfield in Israel through which explosives may be flown.",
        aliases=("Ovda", "Uvda", "עובדה", "Овда"),
    ),
    fact(
        "ovda-flights-2020",
        "Four Il-76 flights ran between Baku and Ovda around the fighting of September 2020.",
        period="2020-09",
    ),
    fact(
        "harop-bus-strike",
        "An IAI Harop loitering drone reportedly struck a bus, killing seven volunteers.",
        period="2016-04",
    ),
    fact(
        "garverick-cable",
        "A US cable signed by Rob Garverick called the ties discreet but close.",
        period="2009",
    ),
    fact(
        "sipri-share-2015-2019",
        "SIPRI: Israel supplied 60% of Azerbaijan's arms imports.",
        period="2015-2019",
    ),
    fact(
        "sipri-share-2016-2020",
        "SIPRI: Israel supplied 69% of Azerbaijan's arms imports.",
        period="2016-2020",
    ),
    fact(
        "embassy-tel-aviv",
        "Azerbaijan opened its embassy in Tel Aviv on 29 March 2023.",
        details="The first Azerbaijani embassy in Israel.",
        tags=("diplomacy",),
        sources=(
            Source(
                publisher="Trend", url="https://example.com/t", title="Embassy opens", published="2023-03-29"
            ),
        ),
    ),
    fact(
        "btc-pipeline",
        "The Baku-Tbilisi-Ceyhan pipeline is thought to carry about 40% of Israel's crude oil.",
        aliases=("BTC",),
    ),
)


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(BASE)


def first(index: SearchIndex, query: str) -> str | None:
    outcome = index.search(query)
    return outcome.results[0].fact.key if outcome.results else None


# --- normalisation -------------------------------------------------------------


def test_words_fold_case_accents_and_punctuation() -> None:
    assert words("Sílk-Way_AIRLINES, Israel's “Ovda”!") == ["silk", "way", "airlines", "israel", "ovda"]


# fact_words() splits plain ASCII text without the regex: it must give words()'s words. Made of the
# pieces that tell the two apart: figures, commas, dots, underscores, other punctuation and
# apostrophes, the last rarer since one sends the whole text to the regex.
_SPLIT_PIECES = [*["ab", "Z", "s", "0", "95", ".", " ", "_", "-", "\t", "!", "/"] * 3, ",", "'", "`"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_SPLIT_PIECES), min_size=25, max_size=50).map("".join))
def test_fact_words_split_long_plain_text_as_words_does(text: str) -> None:
    assert fact_words(text) == words(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="abZ09 -", max_size=30), st.sampled_from(["", ".", "_", "é", "\t", "'", ","]))
def test_fact_words_split_letters_digits_spaces_and_hyphens_as_words_does(text: str, mark: str) -> None:
    for marked in (text, text + mark, mark + text, text.replace(" ", mark, 1)):
        assert fact_words(marked) == words(marked)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the price rose by 1.6 billion in that year", ["1.6"]),
        ("the two sides signed 523,500 barrels of oil", ["523500"]),
        ("the deal was priced at 4,85 billion manat in all", ["4.85"]),
        ("the deal was Israel's biggest sale that year", ["israel"]),
        ("the plain long claim ends with a year 2016.", ["2016"]),
        ("the plain_long-claim/split at every mark!", ["plain", "long", "claim", "split"]),
        ("Sílk-Way AIRLINES flew the cargo to Baku", ["silk", "airlines"]),
    ],
)
def test_fact_words_of_long_plain_text_keep_figures_and_drop_possessives(
    text: str, expected: list[str]
) -> None:
    assert set(expected) <= set(fact_words(text))
    assert fact_words(text) == words(text)


def test_words_keep_hebrew_and_cyrillic_letters() -> None:
    assert words("עובדה Овда Azərbaycan") == ["עובדה", "овда", "azerbaycan"]


def test_markup_and_control_characters_are_stripped() -> None:
    assert normalise(strip_markup("<@123> hi\x00<#9> there @everyone <:wave:42>")) == "hi there"


@pytest.mark.parametrize("query", ["silk-way", "silk_way", "SILK WAY", "Sílk Wáy", "silkway", "silk way!"])
def test_spelling_variants_of_an_alias_find_it_first(index: SearchIndex, query: str) -> None:
    assert first(index, query) == "silk-way-ovda-flights"


def test_exact_key_ranks_first(index: SearchIndex) -> None:
    outcome = index.search("ovda-flights-2020")
    assert outcome.results[0].fact.key == "ovda-flights-2020"
    assert outcome.results[0].score == 100


def test_exact_alias_ranks_first_even_when_others_mention_it(index: SearchIndex) -> None:
    assert first(index, "Ovda") == "ovda-explosives-airfield"


@pytest.mark.parametrize("query", ["עובדה", "Овда", "uvda"])
def test_non_latin_and_variant_aliases_find_their_fact(index: SearchIndex, query: str) -> None:
    assert first(index, query) == "ovda-explosives-airfield"


def test_a_one_word_alias_stands_for_its_siblings(index: SearchIndex) -> None:
    assert first(index, "עובדה 2020") == "ovda-flights-2020"


# --- typos, questions, years ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("harrop", "harop-bus-strike"),
        ("garverik cable", "garverick-cable"),
        ("garverik", "garverick-cable"),
        ("embasy tel aviv", "embassy-tel-aviv"),
        ("silk wya", "silk-way-ovda-flights"),
    ],
)
def test_one_or_two_letter_typos_still_find_the_fact(index: SearchIndex, query: str, key: str) -> None:
    assert first(index, query) == key


def test_whole_question_finds_the_fact(index: SearchIndex) -> None:
    assert first(index, "how many flights landed at ovda since 2016?") == "silk-way-ovda-flights"


def test_year_favours_the_fact_from_that_year(index: SearchIndex) -> None:
    assert first(index, "ovda 2020") == "ovda-flights-2020"
    assert first(index, "ovda flights 2016") == "silk-way-ovda-flights"


def test_year_range_favours_the_matching_period(index: SearchIndex) -> None:
    assert first(index, "sipri 2016-2020") == "sipri-share-2016-2020"
    assert first(index, "sipri 2015–2019") == "sipri-share-2015-2019"


def test_a_fact_matching_only_the_year_is_no_answer() -> None:
    # 2013 is rarer than `drones`, yet the one 2013 fact says nothing about drones.
    drones = [fact(f"drone-sale-{i}", f"Drones were sold in deal {i}.", period="2020") for i in range(4)]
    index = SearchIndex(
        [*drones, fact("exemption-2013", "An exemption let explosives out.", period="2013-10")]
    )
    assert index.search("drones 2013").results == ()
    # A year alone still finds its facts, but only as suggestions (issue 11: a bare
    # year or number is never an answer).
    alone = index.search("2013")
    assert alone.verdict == "none"
    assert alone.suggestions[0].fact.key == "exemption-2013"


def test_numbers_are_not_typos_of_each_other(index: SearchIndex) -> None:
    assert first(index, "sipri 69") == "sipri-share-2016-2020"
    assert first(index, "sipri 60") == "sipri-share-2015-2019"


def test_a_word_as_typed_outranks_another_fact_s_near_spelling_of_it() -> None:
    # `times` is in one fact's publisher; `ties`, one letter away, in the other's claim.
    index = SearchIndex(
        [
            fact("ties-discreet", "A cable called Azerbaijan's ties with Israel discreet but close."),
            fact(
                "drones-admitted",
                "Azerbaijan said it used drones made in Israel.",
                sources=(Source(publisher="Times of Israel", url="https://example.com/toi"),),
            ),
        ]
    )
    # A publisher's name is not the fact's own words (issue 11): it is suggested, not the answer.
    outcome = index.search("times of israel")
    assert outcome.verdict == "none"
    assert outcome.suggestions[0].fact.key == "drones-admitted"


def test_a_fact_s_name_in_the_query_outweighs_a_rare_word_of_an_unrelated_fact(index: SearchIndex) -> None:
    # Ovda is in several facts, `close` only in garverick-cable's "discreet but close";
    # a fact that is not about Ovda at all is no answer to a question about Ovda.
    outcome = index.search("when did ovda close")
    assert "garverick-cable" not in [h.fact.key for h in outcome.results]
    assert "ovda" in (*outcome.results, *outcome.suggestions)[0].fact.claim.lower()


def test_a_joined_name_also_finds_facts_that_write_it_apart() -> None:
    joined = fact("silkway-cargo", "Silkway was the third-largest cargo carrier.", aliases=("Silkway",))
    index = SearchIndex([*BASE, joined])
    found = [h.fact.key for h in index.search("silkway airlines").results]
    assert "silk-way-ovda-flights" in found


def test_details_tags_and_sources_are_searched_but_only_the_fact_s_own_words_answer(
    index: SearchIndex,
) -> None:
    assert first(index, "diplomacy") == "embassy-tel-aviv"  # a tag is the fact's own
    # Issue 11: words found only in the details or a source's publisher make a suggestion.
    for query in ("first azerbaijani embassy", "trend embassy opens"):
        outcome = index.search(query)
        assert outcome.verdict == "none"
        assert outcome.suggestions[0].fact.key == "embassy-tel-aviv"


# --- what is not an answer -------------------------------------------------------------


@pytest.mark.parametrize("query", ["weather in paris", "bitcoin price", "asdfgh", "chocolate cake recipe"])
def test_off_topic_query_has_no_confident_result(index: SearchIndex, query: str) -> None:
    outcome = index.search(query)
    assert outcome.results == ()
    assert outcome.problem is None


def test_partly_matching_query_is_only_a_suggestion(index: SearchIndex) -> None:
    outcome = index.search("best pizza in tel aviv")
    assert outcome.results == ()
    assert [h.fact.key for h in outcome.suggestions][:1] == ["embassy-tel-aviv"]


def test_retracted_fact_is_not_returned() -> None:
    gone = BASE[1].evolve(retracted_at=RETRACTED_AT, retraction_reason="wrong")
    index = SearchIndex([*BASE[:1], gone, *BASE[2:]])
    outcome = index.search("ovda explosives")
    shown = [h.fact.key for h in (*outcome.results, *outcome.suggestions)]
    assert "ovda-explosives-airfield" not in shown
    assert "ovda-explosives-airfield" not in [h.fact.key for h in index.autocomplete("ovda")]
    assert len(index) == len(BASE) - 1


# --- keeping current ---------------------------------------------------------------


def test_upsert_replaces_what_a_fact_is_found_by() -> None:
    index = SearchIndex(BASE)
    edited = BASE[8].evolve(
        claim="The BTC pipeline carries oil from the Caspian to the Mediterranean.", version=2
    )
    index.upsert(edited)
    assert first(index, "caspian mediterranean") == "btc-pipeline"
    assert first(index, "tbilisi ceyhan crude") is None
    assert index.search("btc").results[0].fact.version == 2


def test_a_posting_holds_each_fact_once_after_builds_edits_and_retractions() -> None:
    # Scoring reads a word's posting as fact -> the best field it is in: a fact twice in one posting
    # would be scored by whichever entry came last.
    index = SearchIndex(BASE)
    index.upsert(BASE[8].evolve(claim="The BTC pipeline carries Caspian crude to Ceyhan.", version=2))
    index.upsert(BASE[4].evolve(retracted_at=RETRACTED_AT, retraction_reason="wrong"))
    index.upsert(BASE[4])
    added = fact("new-fact", "Ovda air base hosts cargo flights; Ovda is in the Negev.", aliases=("Ovda",))
    index.upsert(added)
    for term, posting in index._postings.items():
        facts = [entry >> 2 for entry in posting]
        assert len(facts) == len(set(facts)), term


def test_upsert_of_a_retraction_hides_the_fact_and_restore_brings_it_back() -> None:
    index = SearchIndex(BASE)
    original = BASE[4]
    index.upsert(original.evolve(retracted_at=RETRACTED_AT, retraction_reason="wrong"))
    assert first(index, "garverick") is None
    index.upsert(original)
    assert first(index, "garverick") == "garverick-cable"


def test_new_fact_is_found_after_upsert() -> None:
    index = SearchIndex(BASE)
    index.upsert(fact("lora-missiles", "About 50 LORA ballistic missiles were delivered.", aliases=("LORA",)))
    assert first(index, "lora") == "lora-missiles"
    assert first(index, "ballistic") == "lora-missiles"


# --- autocomplete ------------------------------------------------------------------


def test_autocomplete_reads_the_last_word_as_a_prefix(index: SearchIndex) -> None:
    assert [h.fact.key for h in index.autocomplete("garv")][:1] == ["garverick-cable"]
    assert [h.fact.key for h in index.autocomplete("sipri 2016-20")][:1] == ["sipri-share-2016-2020"]
    assert "embassy-tel-aviv" in [h.fact.key for h in index.autocomplete("tel a")]


def test_autocomplete_respects_the_limit(index: SearchIndex) -> None:
    assert len(index.autocomplete("ovda", limit=2)) == 2


# --- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   \n\t ",
        "\x00\x01\x1b\x7f",
        "🚀🔥🙂",
        "@everyone",
        "@here <@123> <@!5> <@&1> <#1>",
        "the how of",
    ],
)
def test_nothing_to_search_for_is_explained(index: SearchIndex, query: str) -> None:
    outcome = index.search(query)
    assert outcome.results == () and outcome.suggestions == ()
    assert outcome.problem is not None and outcome.problem.startswith("Nothing to search for")
    assert index.autocomplete(query) == []


def test_huge_query_is_cut_and_answered(index: SearchIndex) -> None:
    outcome = index.search("ovda " + "x" * 10_000)
    assert len(outcome.query) <= MAX_QUERY_CHARS
    assert outcome.problem is None


def test_control_characters_inside_words_are_ignored(index: SearchIndex) -> None:
    assert first(index, "ovda\x00\x07") == "ovda-explosives-airfield"


def test_empty_index_answers_without_results() -> None:
    outcome = SearchIndex().search("ovda")
    assert outcome == SearchOutcome("ovda", (), (), None)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_answered_without_raising(query: str) -> None:
    index = SearchIndex(BASE[:4])
    outcome = index.search(query)
    assert len(outcome.results) <= 5
    assert all(0 <= h.score <= 100 for h in (*outcome.results, *outcome.suggestions))
    index.autocomplete(query)


def test_lone_surrogates_are_dropped_from_the_query(index: SearchIndex) -> None:
    outcome = index.search("\ud800ovda\udfff")
    assert outcome.query == "ovda"
    assert outcome.results[0].fact.key == "ovda-explosives-airfield"


def _spread_base() -> SearchIndex:
    """Five facts about drones and Israel; one says `israeli drones` in that order, one
    `drones for oil`."""
    return SearchIndex(
        [
            fact("drones-admitted", "An aide said the army used Israeli drones in the war."),
            fact("drones-for-oil", "Reports say drones for oil was the deal with Israel."),
            fact("drone-bus", "A drone made in Israel struck a bus."),
            fact("drone-licence", "Israel suspended a drone maker's licence."),
            fact("drone-share", "Israel supplied most of the drones imported."),
            fact("pipeline", "The pipeline carries crude to a port."),
        ]
    )


def test_a_query_of_only_widespread_words_lists_the_facts_and_answers_none() -> None:
    # Every fact but one says Israel and a drone, so none of them is *the* answer to
    # `israeli drones`, although one says those words in that order.
    outcome = _spread_base().search("israeli drones")
    assert outcome.verdict == "several"
    assert "drones-admitted" in {hit.fact.key for hit in outcome.results}


def test_widespread_words_linked_by_a_word_still_name_the_fact_that_says_them_so() -> None:
    outcome = _spread_base().search("drones for oil")
    assert outcome.verdict == "answer"
    assert outcome.results[0].fact.key == "drones-for-oil"


def test_two_words_each_said_otherwise_can_make_a_thesaurus_phrase() -> None:
    # `suicide UAV` is the group's `suicide drone`, which the group says is a drone: the fact
    # saying "drone" answers it, although it never says "suicide".
    thesaurus = Thesaurus([{"words": ["drone", "UAV", "suicide drone"]}])
    base = SearchIndex(
        [
            fact("drone-sale", "Israel sold a drone to Azerbaijan."),
            fact("pipeline", "A pipeline from Baku carries crude oil to Ceyhan."),
        ],
        thesaurus=thesaurus,
    )
    outcome = base.search("suicide uav azerbaijan")
    assert (outcome.verdict, outcome.results[0].fact.key) == ("answer", "drone-sale")
    read = base.explain("suicide uav azerbaijan")["words"][0]
    assert read["word"] == "suicide uav"


def test_the_word_after_how_is_what_the_question_measures() -> None:
    base = SearchIndex(
        [
            fact("trade-worth", "Georgia's trade with Armenia was worth USD 2 billion in 2008."),
            fact("trade-pact", "Georgia signed a trade pact with Armenia in 2008."),
            fact("pipeline", "A pipeline from Baku carries crude oil to Ceyhan."),
        ]
    )
    # `big` is no word of either fact, and asks for a figure: the fact that states one answers.
    outcome = base.search("how big was georgia armenia trade in 2008")
    assert (outcome.verdict, outcome.results[0].fact.key) == ("answer", "trade-worth")


def test_a_question_of_cost_needs_a_fact_that_states_a_sum_of_money() -> None:
    base = SearchIndex(
        [
            fact("trade-worth", "Georgia's trade with Armenia reached USD 2 billion in 2008."),
            fact("missiles", "About 50 LORA missiles were delivered to Georgia."),
            fact("pipeline", "A pipeline from Baku carries crude oil to Ceyhan."),
        ]
    )
    outcome = base.search("what was georgia armenia trade worth in 2008")
    assert (outcome.verdict, outcome.results[0].fact.key) == ("answer", "trade-worth")
    # 50 is a count of missiles, not what they cost.
    assert base.search("how much did the lora missiles cost").verdict == "none"
    assert base.search("lora missiles delivered to georgia").verdict == "answer"


@pytest.mark.parametrize("query", ["azerbaijan arms imports 2015-19", "azerbaijan arms imports 2015–19"])
def test_a_period_written_short_is_the_whole_period(index: SearchIndex, query: str) -> None:
    outcome = index.search(query)
    assert (outcome.verdict, outcome.results[0].fact.key) == ("answer", "sipri-share-2015-2019")
    assert "19" not in [w["word"] for w in index.explain(query)["words"]]


def test_a_word_that_only_says_a_figure_is_approximate_weighs_nothing(index: SearchIndex) -> None:
    # `nearly` is no form of "near": it says 90 is about the figure, not where.
    assert [w["word"] for w in index.explain("nearly 90 silk way flights to ovda")["words"]][:1] == ["90"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("USD 3.5 billion", ["usd", "3.5", "billion"]),
        ("4,85 milyard", ["4.85", "milyard"]),  # a decimal comma
        ("523,500 tonnes", ["523500", "tonnes"]),  # a thousands comma
        ("in 2015-2019.", ["in", "2015", "2019"]),
    ],
)
def test_a_figure_is_one_word_however_it_is_written(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_a_figure_the_query_states_must_be_the_fact_s() -> None:
    base = SearchIndex(
        [
            fact("barak", "Azerbaijan bought the Barak MX system for USD 1.2 billion in 2023."),
            fact("pipeline", "A pipeline from Baku carries crude oil to Ceyhan."),
        ]
    )
    assert base.search("usd 1.2 billion barak deal").verdict == "answer"
    assert base.search("1,2 milyard barak").verdict == "answer"
    # 1.6 is not 1.2, and not 1 and 6 either: no answer, the fact only suggested -- even in a
    # question whose every other word the fact says.
    for query in ("usd 1.6 billion barak deal", "azerbaijan bought the barak mx system for usd 1.6 billion"):
        outcome = base.search(query)
        assert (outcome.verdict, outcome.suggestions[0].fact.key) == ("none", "barak"), query


def test_a_phrase_weighs_more_than_one_word_and_less_than_two() -> None:
    # `president's adviser` read as one phrase must not count as one word against the others.
    thesaurus = Thesaurus([{"words": ["tel aviv", "yafo"]}])
    base = SearchIndex(
        [
            fact("embassy", "Georgia opened its embassy in Tel Aviv."),
            fact("pipeline", "A pipeline from Baku carries crude oil to Ceyhan."),
        ],
        thesaurus=thesaurus,
    )
    weights = {w["word"]: w["weight"] for w in base.explain("embassy tel aviv")["words"]}
    assert weights["tel aviv"] == pytest.approx(1.5 * weights["embassy"], rel=0.01)


def test_when_two_fit_the_one_whose_subject_the_query_starts_with_stands_out() -> None:
    base = SearchIndex(
        [
            fact("protest", "In 2016 Georgia protested to Turkey over the strike by the Bayraktar drone."),
            fact(
                "bus-strike",
                "In 2016 a Bayraktar drone was filmed; Georgia's ministry said one struck a bus.",
                aliases=("Bayraktar",),
            ),
            fact("pipeline", "A pipeline from Baku carries crude oil to Ceyhan."),
        ]
    )
    # Both say Georgia, Bayraktar and the strike; the question is what Georgia did.
    outcome = base.search("what did georgia do about the bayraktar strike")
    assert (outcome.verdict, outcome.results[0].fact.key) == ("answer", "protest")


def test_a_name_and_a_year_are_a_topic_not_who_acted() -> None:
    base = SearchIndex(
        [
            fact(
                "flights-2020",
                "Around the fighting of September 2020, four flights ran between Baku and Ovda.",
                period="2020-09",
            ),
            fact("ovda-note", "Ovda was named in a 2020 report on desert tourism.", period="2020"),
            fact("pipeline", "A pipeline from Baku carries crude oil to Ceyhan."),
        ]
    )
    # The second claim starting with Ovda does not make it the answer to `ovda 2020`.
    outcome = base.search("ovda 2020")
    assert (outcome.verdict, outcome.results[0].fact.key) != ("answer", "ovda-note")


@pytest.mark.parametrize(
    "framed",
    [
        "any info on {}",
        "is it true that {}",
        "can you confirm {}",
        "background on {}",
        "quick q: {}",
        "do we have anything on {}",
        "tell us about {}",
        "can you send us {}",
        "что известно о {}",
        "расскажи про {}",
        "ספר לי על {}",
        "מה ידוע על {}",
        "{} barədə məlumat",
    ],
)
def test_how_a_reporter_frames_a_request_weighs_nothing(index: SearchIndex, framed: str) -> None:
    plain = index.search("silk way cargo flights to ovda")
    outcome = index.search(framed.format("silk way cargo flights to ovda"))
    assert (outcome.verdict, outcome.results[0].fact.key) == (plain.verdict, plain.results[0].fact.key)
    assert plain.verdict == "answer"


def test_a_real_word_one_far_key_from_a_synonym_is_not_read_as_its_typo() -> None:
    # `crash` is one letter from `clash` (the shipped thesaurus's word for fighting), but r is
    # nowhere near l: a crash is another thing, and the flights during the fighting no answer.
    base = SearchIndex(
        [
            fact("flights-fighting", "Silk Way flights grew more frequent during the fighting."),
            fact("codes", "Silk Way Airlines flies under IATA code ZP."),
            fact("pipeline", "A pipeline from Baku carries crude oil to Ceyhan."),
        ]
    )
    assert base.search("silk way crash").verdict == "none"
    assert base.search("silk way fightng").results[0].fact.key == "flights-fighting"


def test_words_in_the_query_s_order_single_a_fact_out_only_when_a_word_links_them() -> None:
    base = SearchIndex(
        [
            fact("flights-track-karabakh-fighting", "Flights rose whenever fighting broke out in Karabakh."),
            fact("flights-2020", "More flights ran during the fighting in Karabakh in 2020."),
            fact("arms-for-oil", "Israel sells Azerbaijan arms; Azerbaijan gives Israel oil in return."),
            fact("oil-and-arms-deals", "Azerbaijan sold oil to Israel and bought arms from it."),
            fact("pipeline", "A pipeline from Baku carries crude oil to Ceyhan."),
            # enough other facts that neither word is in 15 % of them (the broad-word rule)
            *(fact(f"other-{i}", f"Report number {i} on the harbour of Batumi.") for i in range(10)),
        ]
    )
    # Two words side by side are a topic: both fights-and-Karabakh facts are listed, neither is
    # the answer because its key happens to say them in that order.
    topic = base.search("karabakh fighting")
    assert topic.verdict == "several"
    assert {h.fact.key for h in topic.results} >= {"flights-track-karabakh-fighting", "flights-2020"}
    # `for` links the words: the fact called "arms for oil" says that relation.
    linked = base.search("arms for oil")
    assert (linked.verdict, linked.results[0].fact.key) == ("answer", "arms-for-oil")


# typed_words() takes a run of ASCII letters and digits as one word without words(): it must give
# words()'s reading of each run, as it does for runs in other scripts.
@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="abXZ09 ,.'’-_İıəЁёשé\u0301\u0307ß", max_size=30))
def test_typed_words_reads_each_run_as_words_does(text: str) -> None:
    prepared = wf._RAW_APOSTROPHE_RE.sub("", wf._POSSESSIVE_RE.sub("", wf.figures(wf._lower(text))))
    expected = [(part, raw) for raw in wf._RAW_WORD_RE.findall(prepared) for part in words(raw)]
    assert [(t.word, t.raw) for t in wf.typed_words(text)] == expected
