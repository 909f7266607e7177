"""A seeded, deterministic synthetic fact base for the benchmarks (issue 6).

Claims of 20-60 words are drawn with a Zipf-like law from a vocabulary of
about 30,000 distinct words: English function words at the top, then - in a
seeded random order - every word, name and year of the shipped facts, about
6,000 made-up common words and 20,000 made-up proper names. Each fact has
2-5 aliases (one or two proper names: other names for its subject), 1-3 sources from a
pool of publishers, a period or dated sources, and tags. The shipped facts are
mixed in at seeded random positions, so a benchmark's dev queries always have
their answers in the base, somewhere in the middle.

    from bench.synth import synthetic_base, synthetic_records
    facts = synthetic_base(10_000)          # list[Fact], shipped facts included
    records = synthetic_records(100, seed=7)  # plain dicts, synthetic only
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from knowledge.model import Fact, parse_fact  # noqa: E402
from knowledge.search.textnorm import words  # noqa: E402

SHIPPED = REPO / "knowledge" / "facts.json"
SEED = 20261125
COMMON_WORDS = 6_000
NAMES = 20_000
PUBLISHERS = 300
ZIPF_EXPONENT = 1.05

FUNCTION_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "for",
    "on",
    "that",
    "was",
    "with",
    "by",
    "as",
    "at",
    "from",
    "said",
    "is",
    "were",
    "it",
    "its",
    "had",
    "has",
    "be",
    "have",
    "an",
    "which",
    "after",
    "their",
    "also",
    "been",
    "would",
    "over",
    "more",
    "than",
    "two",
    "three",
    "four",
    "first",
    "about",
    "into",
    "its",
    "against",
    "under",
    "while",
    "before",
    "who",
    "they",
    "not",
    "but",
]
_ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "dr",
    "gr",
    "kr",
    "pl",
    "st",
    "tr",
    "sh",
    "ch",
    "th",
]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
_CODAS = ["", "", "n", "r", "s", "l", "t", "k", "m", "nd", "st"]


def _made_up_words(rng: random.Random, count: int, taken: set[str], syllables: tuple[int, int]) -> list[str]:
    out: list[str] = []
    while len(out) < count:
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
            for _ in range(rng.randint(*syllables))
        )
        if 3 <= len(word) <= 14 and word not in taken:
            taken.add(word)
            out.append(word)
    return out


def shipped_records() -> list[dict[str, Any]]:
    document = json.loads(SHIPPED.read_text(encoding="utf-8"))
    facts = document["facts"]
    return list(facts.values()) if isinstance(facts, dict) else list(facts)


def _shipped_vocabulary(records: list[dict[str, Any]]) -> list[str]:
    texts: list[str] = []
    for record in records:
        texts += [
            record["claim"],
            record.get("details") or "",
            *record.get("aliases", ()),
            *record.get("tags", ()),
        ]
        for source in record["sources"]:
            texts += [source["publisher"], source.get("title") or ""]
    return sorted({w for text in texts for w in words(text)})


class _Vocabulary:
    """Words ranked by frequency, and a Zipf sampler over them."""

    def __init__(self, rng: random.Random, shipped: list[str]) -> None:
        taken = set(shipped) | set(FUNCTION_WORDS)
        common = _made_up_words(rng, COMMON_WORDS, taken, (1, 3))
        self.names = [w.capitalize() for w in _made_up_words(rng, NAMES, taken, (2, 3))]
        years = [str(y) for y in range(1990, 2027)]
        content = sorted(set(shipped + common + years) - set(FUNCTION_WORDS)) + self.names
        rng.shuffle(content)
        self.ranked = list(FUNCTION_WORDS) + content
        weights = [1 / rank**ZIPF_EXPONENT for rank in range(1, len(self.ranked) + 1)]
        self._cumulative = list(itertools.accumulate(weights))
        self.content = content

    def draw(self, rng: random.Random, count: int) -> list[str]:
        total = self._cumulative[-1]
        return [self.ranked[bisect.bisect(self._cumulative, rng.random() * total)] for _ in range(count)]


def _sentence(tokens: list[str]) -> str:
    text = " ".join(tokens)
    return text[0].upper() + text[1:] + "."


def synthetic_records(count: int, *, seed: int = SEED) -> Iterator[dict[str, Any]]:
    """``count`` synthetic fact records (valid input for ``parse_fact``), always the same for a seed."""
    rng = random.Random(seed)
    vocabulary = _Vocabulary(rng, _shipped_vocabulary(shipped_records()))
    publishers = [
        " ".join(rng.sample(vocabulary.names, rng.randint(1, 2)))
        + rng.choice([" Times", " News", " Post", ""])
        for _ in range(PUBLISHERS)
    ]
    tags = vocabulary.content[:400]
    keys = {r["key"] for r in shipped_records()}
    for n in range(count):
        claim = _sentence(vocabulary.draw(rng, rng.randint(20, 60)))[:1000]
        aliases: list[str] = []
        wanted = rng.randint(2, 5)
        while len(aliases) < wanted:
            # An alias is another name for the fact's subject: one or two proper names.
            alias = " ".join(rng.sample(vocabulary.names, rng.randint(1, 2)))
            if alias not in aliases:
                aliases.append(alias)
        sources = []
        for i in range(rng.randint(1, 3)):
            year = rng.randint(1995, 2026)
            sources.append(
                {
                    "publisher": rng.choice(publishers),
                    "title": _sentence(vocabulary.draw(rng, rng.randint(5, 10)))[:200],
                    "url": f"https://news.example.org/{n}/{i}",
                    "published": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "kind": rng.choice(("primary", "secondary", "secondary")),
                }
            )
        key = "-".join(w.lower() for w in aliases[0].split())
        while key in keys or len(key) > 60:
            key = f"{key[:40]}-{rng.choice(vocabulary.names).lower()}"
        keys.add(key)
        record: dict[str, Any] = {
            "key": key,
            "claim": claim,
            "status": rng.choice(("verified", "verified", "attributed", "disputed", "unverified")),
            "aliases": aliases,
            "tags": sorted(set(rng.sample(tags, rng.randint(1, 3)))),
            "sources": sources,
        }
        if rng.random() < 0.5:
            start = rng.randint(1995, 2025)
            record["period"] = (
                str(start) if rng.random() < 0.6 else f"{start}-{min(2026, start + rng.randint(1, 5))}"
            )
        if rng.random() < 0.4:
            record["details"] = _sentence(vocabulary.draw(rng, rng.randint(10, 40)))
        yield record


def synthetic_base_records(size: int, *, seed: int = SEED) -> list[dict[str, Any]]:
    """``size`` records: the shipped facts placed at seeded random positions among synthetic ones."""
    shipped = shipped_records()
    records = list(synthetic_records(max(0, size - len(shipped)), seed=seed))
    rng = random.Random(seed + 1)
    for record in shipped:
        records.insert(rng.randint(0, len(records)), record)
    return records


def synthetic_base(size: int, *, seed: int = SEED) -> list[Fact]:
    return [parse_fact(record) for record in synthetic_base_records(size, seed=seed)]


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Print a synthetic fact base as a TinyDB document.")
    parser.add_argument("size", type=int)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    records = synthetic_base_records(args.size, seed=args.seed)
    json.dump({"facts": {str(i): r for i, r in enumerate(records, 1)}}, sys.stdout, ensure_ascii=False)
