"""The shipped fact base and the search evaluation data stay true to the research.

The research notes and the research desk's dev queries are kept in the repository, in
``tests/data/research/`` (see the README there: a copy, and where it came from).
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from pathlib import Path

import pytest

from bench.eval import BROAD, CATEGORIES, NEGATIVE, read_queries
from knowledge.model import Fact, parse_fact, parse_facts

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "knowledge" / "facts.json"
DATA = REPO / "tests" / "data"
RESEARCH = DATA / "research"

EVAL_QUERIES = REPO / "bench" / "eval" / "queries.tsv"


def read_tsv(path: Path) -> list[list[str]]:
    """Rows after the header line."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))["facts"]


@pytest.fixture(scope="module")
def facts(records: dict[str, dict]) -> list[Fact]:
    facts, errors = parse_facts(records.values(), label="shipped fact")
    assert not errors, "\n".join(str(e) for e in errors)
    return facts


@pytest.fixture(scope="module")
def dev_keys() -> dict[str, str]:
    rows = read_tsv(DATA / "dev_keys.tsv")
    mapping = dict(rows)
    assert len(mapping) == len(rows), "a research id is mapped twice in dev_keys.tsv"
    return mapping


def test_shipped_base_is_a_tinydb_document_of_valid_facts(
    records: dict[str, dict], facts: list[Fact]
) -> None:
    assert all(doc_id.isdigit() for doc_id in records)
    assert len(facts) >= 28


def test_shipped_records_are_in_their_canonical_stored_form(records: dict[str, dict]) -> None:
    # Export writes Fact.to_dict(); the shipped base should read back unchanged.
    for doc_id, record in records.items():
        assert parse_fact(record).to_dict() == record, f"document {doc_id} is not in stored form"


def test_every_research_fact_maps_to_a_shipped_key(dev_keys: dict[str, str], facts: list[Fact]) -> None:
    keys = {fact.key for fact in facts}
    assert {f"R{n:02d}" for n in range(1, 29)} <= set(dev_keys)
    missing = {rid: key for rid, key in dev_keys.items() if key not in keys}
    assert not missing, f"dev_keys.tsv names keys the base lacks: {missing}"


def test_every_dev_query_names_a_mapped_research_id(dev_keys: dict[str, str]) -> None:
    rows = read_tsv(RESEARCH / "queries-dev.tsv")
    assert rows
    unmapped = [query for query, rid in rows if rid not in dev_keys]
    assert not unmapped, f"queries-dev.tsv research ids without a key: {unmapped}"


def test_every_citation_url_is_listed_in_the_research(facts: list[Fact]) -> None:
    notes = (RESEARCH / "facts.md").read_text(encoding="utf-8")
    unknown = {s.url for fact in facts for s in fact.sources if s.url not in notes}
    assert not unknown, f"URLs not in the research's source table: {sorted(unknown)}"


def test_every_quote_appears_word_for_word_in_the_research(facts: list[Fact]) -> None:
    notes = (RESEARCH / "facts.md").read_text(encoding="utf-8")
    quotes = {s.quote for fact in facts for s in fact.sources if s.quote}
    assert quotes
    assert not {q for q in quotes if q not in notes}


def normalise_alias(alias: str) -> str:
    """What a forgiving search would compare: case, width, dashes and underscores folded."""
    text = unicodedata.normalize("NFKC", alias).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def test_no_alias_points_at_two_facts(facts: list[Fact]) -> None:
    owner: dict[str, str] = {}
    clashes = []
    for fact in facts:
        for alias in {normalise_alias(a) for a in fact.aliases}:
            if alias in owner:
                clashes.append((alias, owner[alias], fact.key))
            owner[alias] = fact.key
    assert not clashes


def test_attributed_facts_cite_a_source_and_say_why_in_caveats(facts: list[Fact]) -> None:
    attributed = [fact for fact in facts if fact.status == "attributed"]
    assert attributed
    assert not [fact.key for fact in attributed if not fact.sources or not fact.caveats]


def test_eval_queries_are_well_formed_and_expect_shipped_keys(facts: list[Fact]) -> None:
    keys = {fact.key for fact in facts}
    with EVAL_QUERIES.open(encoding="utf-8", newline="") as handle:
        raw = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    assert all(len(row) == 3 for row in raw), "every row is query<TAB>expected<TAB>category"
    rows = read_queries(EVAL_QUERIES)
    queries = [item.query.casefold() for item in rows]
    dev = [(query, research_id) for query, research_id in read_tsv(RESEARCH / "queries-dev.tsv")]

    assert len(rows) >= 250
    assert len(set(queries)) == len(queries), "an eval query is listed twice"
    assert {item.category for item in rows} <= set(CATEGORIES)
    named = [key for item in rows for key in item.expected if key not in (BROAD, NEGATIVE)]
    assert not [key for key in named if key not in keys]
    assert {query.casefold() for query, _ in dev} <= set(queries), "the dev queries are part of the set"
    negatives = [item for item in rows if item.category == "negative"]
    assert len(negatives) >= 80
    assert all(item.expected == (NEGATIVE,) for item in negatives)
    assert all(item.expected == (BROAD,) for item in rows if item.category == "broad")
