"""Near-duplicate claims in bulk: template copies with one word changed, and what check and import say."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.store_facts import ALICE, record

from knowledge.duplicates import duplicate_warnings, one_word_variants
from knowledge.model import Fact, Source
from knowledge.store.changes import FactStore
from knowledge.store.transfer import check_file
from tests.test_cli import run

SOURCE = (Source(publisher="Example Daily", url="https://example.com/a"),)
# About 200 characters, as a pasted template would be; only the number changes.
TEMPLATE = (
    "The regional council recorded {n} new housing permits in the northern district during the third "
    "quarter, according to the planning office figures released on Monday to local reporters."
)


def fact(key: str, claim: str) -> Fact:
    return Fact(key=key, claim=claim, sources=SOURCE)


def template_set(count: int) -> list[Fact]:
    return [fact(f"permits-{n:04d}", TEMPLATE.format(n=1000 + n)) for n in range(count)]


DISTINCT = [
    fact(
        "ovda-explosives",
        "Ovda air base is the only airfield in Israel through which explosives may be flown.",
    ),
    fact("sipri-2015", "SIPRI says Israel supplied 60% of Azerbaijan's arms imports in 2015-2019."),
    fact("embassy", "Azerbaijan opened its embassy in Tel Aviv on 29 March 2023."),
]


def test_claims_differing_only_in_a_number_are_one_group() -> None:
    templates = template_set(500)
    [group] = one_word_variants([*DISTINCT, *templates])
    assert [f.key for f in group] == [f.key for f in templates]


def test_claims_differing_only_in_one_word_are_found_anywhere_in_the_claim() -> None:
    base = "Azerbaijan opened its embassy in Tel Aviv on 29 March 2023 after thirty years."
    first_word = fact("first-word", base.replace("Azerbaijan", "Armenia"))
    last_word = fact("last-word", base.replace("years", "months"))
    groups = one_word_variants([fact("base", base), first_word, last_word])
    assert [[f.key for f in g] for g in groups] == [["base", "first-word", "last-word"]]


def test_two_words_apart_short_claims_and_identical_claims_are_not_variants() -> None:
    two_apart = fact(
        "sipri-2016", "SIPRI says Israel supplied 69% of Azerbaijan's arms imports in 2016-2019."
    )
    short = [fact("ovda-north", "Ovda is in the north."), fact("ovda-south", "Ovda is in the south.")]
    same = [fact("copy-one", DISTINCT[2].claim), fact("copy-two", DISTINCT[2].claim)]
    retracted = fact("sipri-gone", DISTINCT[1].claim.replace("60%", "61%")).evolve(
        retracted_at="2026-01-01T00:00:00+00:00", retraction_reason="wrong"
    )
    assert one_word_variants([*DISTINCT, two_apart, *short, *same, retracted]) == []


def test_a_template_set_is_one_warning_and_rewordings_elsewhere_are_still_found() -> None:
    reworded = fact(
        "ovda-copy", "The only airfield in Israel through which explosives may be flown is Ovda air base."
    )
    warnings = duplicate_warnings([*template_set(300), *DISTINCT, reworded], where="facts.json")
    assert len(warnings) == 2
    assert warnings[0].startswith("facts.json: 300 facts make nearly the same claim, each only one word")
    assert "`permits-0000`" in warnings[0] and "and 295 more" in warnings[0]
    assert "`ovda-copy` and `ovda-explosives` make nearly the same claim" in warnings[1]


def test_an_exact_copy_is_reported_as_a_copy_even_among_a_template_set() -> None:
    # Every word of a template claim is common, so no rare word leads the similarity search
    # to the copy; the words hash finds it all the same, and says what it is.
    templates = template_set(300)
    copy = fact("permits-copy", templates[7].claim.replace("regional", "Regional"))
    warnings = duplicate_warnings([*templates, *DISTINCT, copy], where="facts.json")
    assert warnings[0] == (
        "facts.json: `permits-0007` and `permits-copy` make exactly the same claim, word for word "
        "(a copy under another key); keep one, or say in each claim what sets it apart."
    )
    assert warnings[1].startswith("facts.json: 301 facts make nearly the same claim")


def test_a_copy_of_a_fact_already_in_the_base_is_reported_but_not_what_the_base_repeats() -> None:
    base = [*DISTINCT, fact("old-copy", DISTINCT[0].claim)]  # the base's own copy: not this import's
    incoming = [fact("new-copy", DISTINCT[1].claim), fact("new-fact", "A claim found nowhere else at all.")]
    warnings = duplicate_warnings(incoming, "import", beside=base)
    assert warnings == [
        "import: `new-copy` and `sipri-2015` make exactly the same claim, word for word "
        "(a copy under another key); keep one, or say in each claim what sets it apart."
    ]


def test_a_pair_one_word_apart_names_the_word() -> None:
    says = record("first-fact")
    states = record("near-copy", claim=says["claim"].replace("says", "states"))
    [warning] = duplicate_warnings([fact(r["key"], r["claim"]) for r in (says, states)], where="f.json")
    assert "`first-fact` and `near-copy` make nearly the same claim" in warning
    assert '"says" / "states"' in warning


async def test_check_and_import_say_the_same_about_the_same_file(tmp_path: Path) -> None:
    records = [
        record("first-fact"),
        record("near-copy", claim=record("first-fact")["claim"].replace("says", "states")),
    ]
    path = tmp_path / "upload.json"
    path.write_text(json.dumps(records))
    found = check_file(path, warn=duplicate_warnings)

    with FactStore.open(tmp_path / "db.json", seed=None) as store:
        report = await store.import_records(records, ALICE, warn=duplicate_warnings)
        assert len(store) == 2  # a warning does not stop an import
    assert found.errors == [] and len(found.warnings) == 1
    assert [w.removeprefix("import: ") for w in report.warnings] == [
        w.removeprefix(f"{path}: ") for w in found.warnings
    ]


def test_import_prints_the_warnings_check_prints_and_still_succeeds(tmp_path: Path) -> None:
    says = record("first-fact")
    path = tmp_path / "upload.json"
    path.write_text(json.dumps([says, record("near-copy", claim=says["claim"].replace("says", "states"))]))
    db = tmp_path / "db.json"

    checked = run("check", str(path))
    warnings = [line for line in checked.stdout.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "`first-fact` and `near-copy`" in warnings[0]
    for dry_run in (["--dry-run"], []):
        imported = run("import", str(path), *dry_run, "--db", str(db))
        assert imported.returncode == 0, imported.stderr
        assert [line for line in imported.stdout.splitlines() if line.startswith("warning: ")] == warnings
    with FactStore.open(db) as store:
        assert store.get("near-copy").claim.count("states") == 1


def test_check_exits_zero_on_warnings_unless_strict(tmp_path: Path) -> None:
    records = [record(f"template-{n:02d}", claim=TEMPLATE.format(n=n)) for n in range(20)]
    path = tmp_path / "templates.json"
    path.write_text(json.dumps(records))
    result = run("check", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("warning: ") and "20 facts make nearly the same claim" in result.stdout
    assert "0 error(s) and 1 warning(s)" in result.stdout
    strict = run("check", "--strict", str(path))
    assert strict.returncode != 0 and "--strict" in strict.stderr


def test_check_exits_non_zero_on_errors_and_labels_them(tmp_path: Path) -> None:
    records = [record("good-fact"), record("bad-link")]
    records[1]["sources"][0]["url"] = "ftp://example.com/x"
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(records))
    result = run("check", str(path))
    assert result.returncode == 1
    assert result.stdout.startswith("error: ") and "sources[0].url" in result.stdout
    assert "1 error(s) and 0 warning(s)" in result.stderr
