"""Every number search reads, in one frozen object (issue 18).

``SearchIndex(facts, config=SearchConfig(...))`` reads these and nothing else: ``bench/calibrate.py``
passes configs in, it never patches a module. The first group are the *tunable* numbers, the
ones calibration chooses on the tuning sets (:data:`TUNABLE` lists them); the second are
*limits*, which bound the work a query or a write does.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class SearchConfig:
    # --- tunable: what decides the verdict ----------------------------------------------------
    # The share of the query's weight a fact's own words (key, aliases, asked-as, claim, tags)
    # must cover for it to be the answer ...
    answer_confidence: float = 0.78
    # ... or, for a query of ``long_query`` content words or more (a reporter's whole question),
    # this share: two words of seven the fact says otherwise are weaker evidence than one of two.
    long_answer_confidence: float = 0.6
    long_query: int = 7
    # Facts whose confidence is within this of the best fit about equally: never "the answer".
    several_margin: float = 0.06
    # What lifts one of several facts that fit about equally (edismax's name and phrase boosts),
    # as a share of confidence, for each of: query words that are its names as typed, words in
    # the query's order where a filler links them, the query's leading name as the claim's subject.
    boost: float = 0.3
    # A word in at least this share of the facts is common: a query of only common words is broad
    # ("several"), a fact saying only the query's common words is at most a suggestion, and in a
    # base of more than ``common_count`` facts a query ignores its common words.
    common_share: float = 0.2
    # The least score (0..100) a "did you mean" suggestion needs.
    suggest: float = 30.0
    # --- tunable: what a word is worth -------------------------------------------------------
    # A word the base never uses weighs this share of the rarest word's weight (or the query's
    # average known word, if more); a word the base uses weighs at least ``least_share`` of it.
    unknown_share: float = 0.8
    least_share: float = 0.4
    # What a near match is worth against an exact one (1), one step away: a reading of a query
    # word other than as typed (another form, a synonym or broader term, another name of the
    # fact, split or joined), and, in ranking, a word the fact's claim or tags say rather than
    # its names (key, aliases, asked-as). A typo loses typo_step per typing error instead.
    near: float = 0.95
    typo_step: float = 0.12
    # Ranking weight of a word the details, a source's title or publisher say. Only the fact's
    # names, claim and tags count towards confidence, and in full.
    rest_weight: float = 0.6
    # A thesaurus phrase of n words weighs 1 + phrase_weight * (n - 1) words.
    phrase_weight: float = 0.5
    # How many words apart a figure and what it counts may stand in a claim
    # (`92 Ilyushin Il-76 cargo flights`).
    figure_reach: int = 5
    # --- limits: how much work one query or write may do ----------------------------------------
    search_budget: int = 1000  # candidate facts scored per query
    autocomplete_budget: int = 600
    rerank: int = 40  # best candidates scored in full
    max_expansions: int = 8  # vocabulary words one query word may stand for
    max_typo_words: int = 4  # query words looked up as possible typos
    common_count: int = 1000  # a base this big ignores a query's common words (see common_share)

    def __post_init__(self) -> None:
        for name in TUNABLE:
            low, high = _RANGES.get(name, (0.0, 1.0))
            if not low <= getattr(self, name) <= high:
                raise ValueError(
                    f"SearchConfig.{name} must be between {low} and {high}, not {getattr(self, name)!r}"
                )

    def fingerprint(self) -> str:
        """The values as one string: an index saved with another config is not this one's."""
        return ";".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))


# The tunable numbers that are no share (0..1): counts of words (a query reads at most 12, so more
# turns the long-question threshold off; and the two reaches), a score (0..100), and a weight that
# may exceed the rarest.
_RANGES = {
    "long_query": (1, 100),
    "figure_reach": (0, 100),
    "suggest": (0.0, 100.0),
    "unknown_share": (0.0, 10.0),
}
_NAMES = [f.name for f in fields(SearchConfig)]
TUNABLE = tuple(_NAMES[: _NAMES.index("search_budget")])  # the fields above the limits
