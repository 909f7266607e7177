"""The shipped thesaurus reaches every concept word of the shipped base from Russian, Hebrew and Azerbaijani,
and from another English word wherever one means the same.

The rule and the reviewed list of words that need no translation are in
``bench/thesaurus_coverage.py`` (``python bench/thesaurus_coverage.py --missing``
prints what is missing), so the figure a report quotes and this test agree.
"""

from __future__ import annotations

import json
import re

from bench.eval import shipped_facts
from bench.thesaurus_coverage import (
    NEEDS_NO_TRANSLATION,
    NO_ENGLISH_ALTERNATIVE,
    all_groups,
    coverage,
    english_alternatives,
    full_groups,
)
from knowledge.model import Fact, Source
from knowledge.search.textnorm import words
from knowledge.search.wordforms import LANGUAGES, THESAURUS_FILE, Thesaurus, member_phrases

SCRIPTS = {
    "ru": re.compile(r"^[\u0400-\u04ff\s-]+$"),
    "he": re.compile(r"^[\u0590-\u05ff\s'\"׳״-]+$"),
    "az": re.compile(r"^[^\u0400-\u04ff\u0590-\u05ff]+$"),
}
# One form key in two groups makes a query word mean both. Reviewed: English `permit` is both a
# licence (an export permit) and the stem of `permitted` (allowed); either reading is right.
SHARED_KEYS = {("permit",)}


def groups() -> list[dict[str, list[str]]]:
    return json.loads(THESAURUS_FILE.read_text(encoding="utf-8"))["groups"]


def test_every_concept_word_of_the_base_has_russian_hebrew_and_azerbaijani_words() -> None:
    found = coverage(shipped_facts(), full_groups())
    missing = {word: found.words[word] for word in found.missing}
    assert not missing, (
        f"claim words no group translates (add them, or review them into NEEDS_NO_TRANSLATION): {missing}"
    )
    assert found.covered > 150  # the rule still reads the base: not an empty list that passes


def test_a_new_claim_word_without_translations_is_named() -> None:
    source = Source(publisher="Example", url="https://example.com/sub")
    new = Fact(key="submarine-sale", claim="Israel sold Azerbaijan a submarine.", sources=(source,))
    assert coverage([*shipped_facts(), new], full_groups()).missing == ["submarine"]


def test_every_concept_word_has_another_english_word_or_a_reviewed_reason() -> None:
    found = english_alternatives(shipped_facts(), all_groups())
    unreviewed = {word: found.words[word] for word in found.missing if word not in NO_ENGLISH_ALTERNATIVE}
    assert not unreviewed, (
        f"claim words with no other English word (add one, or review them into NO_ENGLISH_ALTERNATIVE): "
        f"{unreviewed}"
    )
    # a reviewed word that has gained an alternative leaves the list, so the list cannot go stale
    assert sorted(NO_ENGLISH_ALTERNATIVE) == found.missing
    assert found.covered >= 135  # the rule still reads the base


def test_a_form_or_abbreviation_is_no_english_alternative() -> None:
    source = Source(publisher="Example", url="https://example.com/pipe")
    fact = Fact(key="pipeline-jan", claim="The pipeline opened in January.", sources=(source,))
    groups = [
        {"words": ["pipeline", "pipe"]},
        {"words": ["january", "jan"]},
        {"words": ["open", "opened", "inaugurate"]},
    ]
    assert english_alternatives([fact], groups).missing == ["january", "pipeline"]


def test_a_phrase_the_claim_says_in_full_has_the_other_words_of_its_group() -> None:
    source = Source(publisher="Example", url="https://example.com/base")
    fact = Fact(key="air-base", claim="Planes landed at the air base.", sources=(source,))
    groups = [{"words": ["airfield", "air base"]}, {"words": ["plane", "aircraft"]}]
    assert english_alternatives([fact], groups).missing == ["landed"]


def test_every_word_said_to_need_no_translation_is_in_the_base() -> None:
    used = {w for f in shipped_facts() for text in (f.claim, *f.aliases) for w in words(text)}
    assert sorted(set(NEEDS_NO_TRANSLATION) - used) == []


def test_each_language_holds_words_in_its_own_script() -> None:
    wrong = [
        (language, word)
        for group in groups()
        for language in LANGUAGES
        for word in group.get(language, ())
        if not SCRIPTS[language].match(word)
    ]
    assert wrong == []


def test_no_form_key_means_two_things() -> None:
    owners: dict[tuple[str, ...], set[int]] = {}
    for index, group in enumerate(Thesaurus(groups()).groups()):
        for member in group["words"]:
            for phrase in member_phrases(member):
                owners.setdefault(phrase, set()).add(index)
    shared = {phrase for phrase, held in owners.items() if len(held) > 1}
    assert shared == SHARED_KEYS
