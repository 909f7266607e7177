"""Search quality on the shipped base: the floors of issue 11, counted by ``bench/eval.py``.

The evaluation set is ``bench/eval/queries.tsv`` (the research desk's dev
queries included). The counts come from :func:`bench.eval.evaluate`, the same
code ``python bench/eval.py`` prints, so the table in a report and this test
cannot disagree. ``pytest -s`` prints the table.
"""

from __future__ import annotations

import pytest

from bench.eval import Tally, evaluate, shipped_facts, table
from knowledge.search.index import SearchIndex

TOP1_OVERALL = 0.95
# 0.88, not issue 11's 0.90: since issue 18 two facts within the margin are never "the answer",
# and `does azerbaijan pay israel with oil for arms`, which a tie-breaker used to pick, is "several".
TOP1_EACH_CATEGORY = 0.88
# 0.03, issue 18's target, not 0.02: the `X's Y` owners rule was removed because on unseen
# queries it cost more right answers than it saved negatives, and two of these negatives
# (`israel's embassy in baku`, `russia share of armenia's arms imports`) leaned on it.
NEGATIVES_ANSWERED_AT_MOST = 0.03


@pytest.fixture(scope="module")
def tallies() -> dict[str, Tally]:
    found = evaluate(SearchIndex(shipped_facts()).search)
    print("\n" + table(found))
    return found


def misses(tally: Tally) -> str:
    return "\n".join(tally.misses)


def test_every_dev_query_ranks_its_fact_first(tallies: dict[str, Tally]) -> None:
    dev = tallies["dev"]
    assert dev.answerable >= 24
    assert dev.top1 == dev.answerable, misses(dev)


def test_answerable_queries_meet_the_top1_floor_overall(tallies: dict[str, Tally]) -> None:
    overall = tallies["overall"]
    assert overall.top1 >= TOP1_OVERALL * overall.answerable, misses(overall)


@pytest.mark.parametrize("category", ["question", "paraphrase", "multilingual", "typo", "broad"])
def test_each_category_meets_the_top1_floor(tallies: dict[str, Tally], category: str) -> None:
    tally = tallies[category]
    assert tally.answerable >= 15
    assert tally.top1 >= TOP1_EACH_CATEGORY * tally.answerable, misses(tally)


def test_no_query_is_answered_confidently_with_the_wrong_fact(tallies: dict[str, Tally]) -> None:
    overall = tallies["overall"]
    assert overall.confident_wrong == 0, misses(overall)


def test_broad_words_never_get_one_fact_as_the_answer(tallies: dict[str, Tally]) -> None:
    assert tallies["broad"].broad_answered == 0, misses(tallies["broad"])


def test_hard_negatives_are_almost_never_answered(tallies: dict[str, Tally]) -> None:
    negative = tallies["negative"]
    assert negative.negatives >= 80
    assert negative.negatives_answered <= NEGATIVES_ANSWERED_AT_MOST * negative.negatives, misses(negative)
