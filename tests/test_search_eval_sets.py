"""The evaluation sets measure generalisation only if held-out queries were never tuned on (issue 18)."""

from __future__ import annotations

import re
import unicodedata

from bench.eval import EVAL_DIR, read_queries

TUNING = ("queries", "probe", "probe2", "probe3", "probe4", "probe5")
HELD_OUT = ("holdout", "holdout2", "holdout3", "holdout4", "holdout5")


def _same_query(query: str) -> str:
    """A query as two sets would share it: case, width, spaces and punctuation folded."""
    text = unicodedata.normalize("NFKC", query).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _queries(name: str) -> set[str]:
    return {_same_query(item.query) for item in read_queries(EVAL_DIR / f"{name}.tsv")}


def test_every_set_the_split_names_exists() -> None:
    assert {p.stem for p in EVAL_DIR.glob("*.tsv")} == {*TUNING, *HELD_OUT}


def test_no_held_out_query_stands_in_a_tuning_set() -> None:
    tuning = set().union(*map(_queries, TUNING))
    shared = {name: sorted(_queries(name) & tuning) for name in HELD_OUT}
    assert not any(shared.values()), shared


def test_the_normalisation_folds_case_spaces_and_punctuation() -> None:
    assert _same_query("  How many Silk-Way flights?") == _same_query("how many silk way flights")
