"""Word forms, other scripts and the thesaurus (knowledge.search.wordforms), and the verdicts they lead to."""

from __future__ import annotations

import json

import pytest

from knowledge.model import Fact, Source
from knowledge.search.index import SearchIndex
from knowledge.search.wordforms import (
    Thesaurus,
    keys,
    latin_spellings,
    member_phrases,
    stem,
    typed_words,
    typing_slip,
)


def fact(key: str, claim: str, **fields: object) -> Fact:
    source = Source(publisher="Example", url=f"https://example.com/{key}")
    return Fact(key=key, claim=claim, sources=(source,), **fields)  # type: ignore[arg-type]


FACTS = [
    fact("drone-strike", "A loitering drone struck a bus near the front.", period="2016-04"),
    fact("armenia-protest", "Armenia protested to Israel over the strike.", period="2016-04"),
    fact("pipeline-share", "The pipeline supplies about 40% of the country's crude oil."),
    fact("flights-92", "At least 92 cargo flights landed at the base since 2016.", period="2016-2023"),
    fact("ramon-opened", "Civilian flights ended on 31 March 2019, when the new airport opened."),
]


def reading(word: str) -> tuple[str, ...]:
    typed = typed_words(word)[0]
    return keys(typed.word, typed.raw)


def test_word_forms_in_english_russian_azerbaijani_and_hebrew() -> None:
    assert stem("drones") == stem("drone")
    assert stem("ракеты") == stem("ракета")
    assert "dron" in reading("dronlar")  # Azerbaijani plural, stemmed before folding
    assert "טיל" in reading("טילי")  # Hebrew construct plural
    assert "עובדה" in reading("בעובדה")  # Hebrew one-letter prefix
    assert "aliev" in reading("Алиев")  # a name in Latin letters


def test_a_russian_name_is_found_as_english_spells_it_and_within_typing_errors_of_it() -> None:
    assert latin_spellings("джейхан") == ("dzheykhan", "jeyhan")
    assert latin_spellings("ceyhan") == ()  # only Cyrillic is transliterated
    base = [*FACTS, fact("licence", "The ministry suspended Aeronautics' licence after a Boeing deal.")]
    index = SearchIndex(base, thesaurus=Thesaurus())
    # No thesaurus entry for either name. Boing is one letter from boeing: as sure as a typo is.
    outcome = index.search("Боинг")
    assert (outcome.verdict, outcome.results[0].fact.key) == ("answer", "licence")
    # Aeronavtiks is two letters from aeronautics: a guess, so suggested, not the answer.
    outcome = index.search("Аэронавтикс")
    assert (outcome.verdict, [h.fact.key for h in outcome.suggestions][:1]) == ("none", ["licence"])


def test_a_thesaurus_group_can_be_added_at_run_time_without_rebuilding_the_index() -> None:
    index = SearchIndex(FACTS, thesaurus=Thesaurus())
    assert index.search("quadcopter strike bus").verdict == "none"
    index.use_thesaurus(index.thesaurus.with_group(["drone", "quadcopter"]))
    outcome = index.search("quadcopter strike bus")
    assert outcome.verdict == "answer"
    assert outcome.results[0].fact.key == "drone-strike"


def test_a_synonym_group_needs_two_words() -> None:
    with pytest.raises(ValueError, match="at least two words"):
        Thesaurus().with_group(["drone", "🚀"])


def test_a_broader_term_is_found_from_the_narrower_but_not_back() -> None:
    thesaurus = Thesaurus([{"words": ["yerevan"], "broader": ["armenia"]}])
    index = SearchIndex([*FACTS, fact("yerevan-rally", "A rally was held in Yerevan.")], thesaurus=thesaurus)
    assert index.search("yerevan protested").results[0].fact.key == "armenia-protest"
    assert "yerevan-rally" not in [h.fact.key for h in index.search("armenia protested").results]


def test_a_word_the_base_never_uses_counts_against_the_answer() -> None:
    index = SearchIndex(FACTS, thesaurus=Thesaurus())
    assert index.search("pipeline crude oil").verdict == "answer"
    assert index.search("pipeline crude oil length").verdict == "none"


def test_a_count_question_needs_a_fact_that_states_a_figure_not_a_date() -> None:
    index = SearchIndex(FACTS, thesaurus=Thesaurus())
    answered = index.search("how many cargo flights landed")
    assert (answered.verdict, answered.results[0].fact.key) == ("answer", "flights-92")
    # The Ramon fact has every word, but its only figures are a date.
    assert index.search("how many civilian flights new airport").verdict == "none"


def test_a_bare_number_or_year_is_never_an_answer_but_still_suggests() -> None:
    index = SearchIndex(FACTS, thesaurus=Thesaurus())
    for query in ("92", "2019", "40%"):
        outcome = index.search(query)
        assert outcome.verdict == "none", query
        assert outcome.results == ()
    assert index.search("92").suggestions[0].fact.key == "flights-92"


def test_a_broad_word_gets_several_and_none_of_them_is_the_answer() -> None:
    index = SearchIndex(FACTS, thesaurus=Thesaurus())
    outcome = index.search("flights")
    assert outcome.verdict == "several"
    assert {h.fact.key for h in outcome.results} == {"flights-92", "ramon-opened"}
    assert len(outcome.results) == 2


def test_explain_is_plain_data_saying_how_each_word_was_read_and_matched() -> None:
    index = SearchIndex(FACTS, thesaurus=Thesaurus([{"words": ["drone", "uav"]}]))
    why = index.explain("uav bus weather")
    json.dumps(why)  # plain data, ready for --json
    assert why["verdict"] == index.search("uav bus weather").verdict
    read = {w["word"]: w for w in why["words"]}
    assert read["uav"]["read_as"][0] == {"terms": ["drone"], "how": "synonym"}
    assert not read["weather"]["known"]
    best = why["facts"][0]
    assert best["key"] == "drone-strike"
    assert {m["word"]: m["found"] for m in best["words"]} == {"uav": True, "bus": True, "weather": False}


def test_a_thesaurus_word_is_read_as_written_while_a_typed_word_may_carry_a_prefix() -> None:
    thesaurus = Thesaurus([{"words": ["cable"], "he": ["מברק"]}, {"words": ["barak"], "he": ["ברק"]}])
    assert [r.phrase for r in thesaurus.related(("ברק",))] == [("barak",)]  # not the cable: מברק is no מ+ברק
    assert "מברק" in reading("במברק")  # a reporter's prefix is still read off
    assert ("hvzym",) not in Thesaurus([{"words": ["contract"], "he": ["חוזים"]}])  # no vowel-less Latin key


def test_a_group_keeps_its_languages_apart_and_search_reads_them_all() -> None:
    thesaurus = Thesaurus([{"words": ["contract"], "ru": ["контракт"], "he": ["חוזה"], "az": ["müqavilə"]}])
    for typed in ("контракты", "החוזה", "müqavilələr"):
        assert any(("contract",) in [r.phrase for r in thesaurus.related((k,))] for k in reading(typed)), (
            typed
        )


def test_a_russian_adjective_or_instrumental_keeps_its_short_i_for_the_stemmer() -> None:
    # folding writes й as и; ядерный and системой must still stem like ядерная and система
    assert reading("ядерный")[0] == reading("ядерная")[0] == reading("ядерных")[0]
    assert reading("системой")[0] == reading("система")[0]


def test_the_function_words_of_a_native_question_weigh_nothing() -> None:
    index = SearchIndex(FACTS, thesaurus=Thesaurus())
    for question, content in (
        ("какой аэродром есть", "аэродром"),
        ("איזה בסיס יש", "בסיס"),
        ("hansı baza var", "baza"),
    ):
        assert [w["word"] for w in index.explain(question)["words"]] == [content]  # type: ignore[index]


def test_a_hebrew_feminine_adjective_reads_as_its_masculine() -> None:
    assert set(reading("הישראלית")) & set(reading("ישראלי"))
    assert set(reading("האמריקאית")) & set(reading("אמריקאי"))


def test_each_word_of_a_thesaurus_phrase_is_found_in_its_other_form_too() -> None:
    # The Turkish stemmer reads aparatı and aparatları both as aparat.
    thesaurus = Thesaurus([{"words": ["drone", "pilotsuz uçuş aparatı"]}])
    assert ("pilotsuz", "ucus", "aparat") in thesaurus


@pytest.mark.parametrize(
    ("typed", "meant", "slip"),
    [
        ("atack", "attack", True),  # a letter left out
        ("attsck", "attack", True),  # s is next to a
        ("atatck", "attack", True),  # two letters swapped
        ("crash", "clash", False),  # r is far from l: another word, not a slip
        ("next", "neft", False),
    ],
)
def test_a_typing_slip_is_a_missed_doubled_swapped_or_neighbouring_key(
    typed: str, meant: str, slip: bool
) -> None:
    assert typing_slip(typed, meant) is slip


def test_a_dotted_capital_i_lowercased_stays_one_word() -> None:
    # İran lowercased is i + a combining dot: one word, iran, never `ran` (as in "flights ran").
    assert ("iran",) in member_phrases("i̇ran")
    assert ("ran",) not in member_phrases("i̇ran")
    assert [t.word for t in typed_words("İran i̇ran")] == ["iran", "iran"]
