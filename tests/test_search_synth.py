"""The synthetic base the benchmarks run on is what issue 6 describes, and repeatable."""

from __future__ import annotations

from bench.synth import _shipped_vocabulary, _Vocabulary, shipped_records, synthetic_base, synthetic_records


def test_same_seed_gives_the_same_base_and_another_seed_does_not() -> None:
    assert list(synthetic_records(30, seed=1)) == list(synthetic_records(30, seed=1))
    assert list(synthetic_records(30, seed=1)) != list(synthetic_records(30, seed=2))


def test_records_have_the_described_shape() -> None:
    for record in synthetic_records(200):
        assert 20 <= len(record["claim"].split()) <= 60
        assert 2 <= len(record["aliases"]) <= 5
        assert 1 <= len(record["sources"]) <= 3


def test_vocabulary_is_large_and_holds_the_shipped_words() -> None:
    import random

    shipped = _shipped_vocabulary(shipped_records())
    vocabulary = _Vocabulary(random.Random(0), shipped)
    assert len(set(vocabulary.ranked)) >= 5000
    assert {"ovda", "harop", "garverick", "2016"} <= set(vocabulary.ranked)


def test_base_mixes_every_shipped_fact_into_valid_synthetic_ones() -> None:
    facts = synthetic_base(300)
    keys = [f.key for f in facts]
    shipped = [r["key"] for r in shipped_records()]
    assert len(facts) == 300 and len(set(keys)) == 300
    assert set(shipped) <= set(keys)
    assert keys[: len(shipped)] != shipped  # mixed in, not stacked at the front
