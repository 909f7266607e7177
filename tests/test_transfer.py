"""Reading fact files in every accepted shape, and checking one before it is trusted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.store_facts import record

from knowledge.duplicates import duplicate_warnings
from knowledge.errors import KnowledgeError
from knowledge.store.transfer import check_file, load_document

RECORDS = [record("first-fact"), record("second-fact")]


@pytest.mark.parametrize(
    "document",
    [
        RECORDS,
        {"facts": RECORDS},
        {"facts": {"1": RECORDS[0], "2": RECORDS[1]}},
    ],
    ids=["bare-list", "facts-list", "tinydb-document"],
)
def test_every_accepted_shape_loads_the_same_records(tmp_path: Path, document: object) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(document))
    assert load_document(path) == RECORDS


def test_broken_json_is_reported_with_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"key": "a",\n   "claim": }\n]')
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value) == f"{path} is not valid JSON: Expecting value at line 3, column 13."


@pytest.mark.parametrize(
    "content",
    ['{"records": []}', '{"facts": "none"}', '"facts"', '{"facts": [], "extra": 1}'],
)
def test_a_file_of_the_wrong_shape_is_refused_naming_it(tmp_path: Path, content: str) -> None:
    path = tmp_path / "odd.json"
    path.write_text(content)
    with pytest.raises(KnowledgeError, match="does not hold facts in a shape"):
        load_document(path)


def test_missing_and_non_text_files_are_refused_naming_them(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="no such file"):
        load_document(tmp_path / "nowhere.json")
    binary = tmp_path / "image.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xff")
    with pytest.raises(KnowledgeError, match="not UTF-8 text"):
        load_document(binary)


def test_check_finds_nothing_wrong_with_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "good.json"
    path.write_text(json.dumps(RECORDS))
    assert (
        check_file(path, warn=duplicate_warnings).errors
        == check_file(path, warn=duplicate_warnings).warnings
        == []
    )


def test_check_reports_every_problem(tmp_path: Path) -> None:
    bad_link = record("bad-link")
    bad_link["sources"][0]["url"] = "file:///etc/passwd"
    near = record("near-copy", claim=RECORDS[0]["claim"].replace("says", "states"))
    path = tmp_path / "facts.json"
    path.write_text(json.dumps([*RECORDS, bad_link, record("first-fact"), {"key": "no-claim"}, near]))
    found = check_file(path, warn=duplicate_warnings)
    problems = found.errors
    assert any("record 3" in p and "sources[0].url" in p for p in problems)
    assert any("record 4" in p and "used again" in p for p in problems)
    assert any("record 5" in p and "claim: is required" in p and "sources" in p for p in problems)
    assert len(problems) == 3
    # A near-duplicate is a warning: the file can still be used (issue 13).
    [warning] = found.warnings
    assert "`first-fact` and `near-copy`" in warning and "nearly the same claim" in warning


@pytest.mark.parametrize("doc_id", ["two", "2\n"])
def test_check_reports_a_record_id_the_store_would_refuse(tmp_path: Path, doc_id: str) -> None:
    # The bot refuses to start on such a database; check must not call it fine.
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({"facts": {"1": RECORDS[0], doc_id: RECORDS[1]}}))
    [problem] = check_file(path, warn=duplicate_warnings).errors
    assert repr(doc_id) in problem and "`second-fact`" in problem and "whole number" in problem
    assert load_document(path) == RECORDS  # an import ignores ids, so it still reads them


def test_check_reports_an_unreadable_file_as_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{"facts": [')
    [problem] = check_file(path, warn=duplicate_warnings).errors
    assert str(path) in problem and "not valid JSON" in problem
