"""How nearly two claims say the same: the one score the add-time check and ``check``'s warnings share."""

from __future__ import annotations

from rapidfuzz import fuzz

from knowledge.search.textnorm import STOPWORDS, fact_words, is_number


def claim_similarity(mine: str, my_numbers: set[str], other_claim: str) -> float:
    """0..100: how nearly two claims say the same, with different figures counting against."""
    other_words = [w for w in fact_words(other_claim) if w not in STOPWORDS]
    other = " ".join(other_words)
    score = max(fuzz.token_sort_ratio(mine, other, processor=None), fuzz.ratio(mine, other, processor=None))
    if my_numbers != {w for w in other_words if is_number(w)}:
        score -= 25  # same wording, different figures: usually two facts, not one
    return float(score)
