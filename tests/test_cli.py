"""The command line, run as a newsroom admin would: ``python bot.py ask|check|export|import``.

``python bot.py`` runs ``bot.main`` and nothing else, so most tests call ``main`` in this
process (:func:`run`), with the environment the command would see and its output captured;
a few run ``bot.py`` as a process of its own, as the admin does (:func:`run_process`)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from helpers.store_facts import record

from bot import ROOT, main
from knowledge.desk.synonyms import SynonymStore
from knowledge.model import Actor
from knowledge.search import MAX_QUERY_CHARS
from knowledge.store.changes import SHIPPED_BASE, FactStore


@dataclass(frozen=True, slots=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str, db: Path | None = None, user: str = "newsdesk-admin") -> Result:
    """``python bot.py ARGS`` in this process; ``user`` is the login name (what getpass reads first).

    The environment is a clean one: a developer's shell or .env cannot change what is tested.
    """
    env = {
        "DISCORD_TOKEN": "",
        "DISCORD_GUILD_ID": "",
        "NEWSROOM_GUILD_IDS": "",
        "LOG_LEVEL": "INFO",
        "LOG_FILE": "",
        "CORRECTION_PACE": "",
        "LOGNAME": user,
    }
    if db is not None:
        env["FACTS_DB"] = str(db)
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.dict(os.environ, env), redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return Result(code, out.getvalue(), err.getvalue())


def cli(*args: str, db: Path | None = None, user: str = "newsdesk-admin") -> tuple[int, str, str]:
    result = run(*args, db=db, user=user)
    return result.returncode, result.stdout, result.stderr


def run_process(*args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python bot.py ARGS`` as a process of its own."""
    env = {**os.environ, "DISCORD_TOKEN": "", "DISCORD_GUILD_ID": "", "LOG_LEVEL": "INFO"}
    if db is not None:
        env["FACTS_DB"] = str(db)
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "facts.json"
    shutil.copyfile(SHIPPED_BASE, path)
    return path


def test_ask_prints_the_best_fact_with_status_and_every_citation(db: Path) -> None:
    result = run_process("ask", "silk-way", db=db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Silk Way" in lines[0]
    assert lines[1].startswith("Status: Verified")
    assert (
        "Haaretz (Avi Scharf, Oded Yaron) — 92 Flights From Israeli Base Reveal Arms Exports to Azerbaijan"
        " — 2023-03-06 — http://www.defenddemocracy.press/" in result.stdout
    )
    assert "Key: silk-way-ovda-flights" in result.stdout


def test_ask_says_when_several_facts_fit_a_broad_word_equally(db: Path) -> None:
    broad = run("ask", "israel", db=db)
    exact = run("ask", "silk-way", db=db)
    assert "fit about equally well" in broad.stdout
    assert "fit about equally well" not in exact.stdout


def test_ask_suggests_the_words_the_search_says_would_narrow_a_broad_query(db: Path) -> None:
    from knowledge.model import parse_facts
    from knowledge.search import SearchIndex
    from knowledge.store import SHIPPED_BASE
    from knowledge.store.transfer import load_document

    facts, _ = parse_facts(load_document(SHIPPED_BASE))
    narrowing = SearchIndex(facts).search("israeli drones").narrowing
    assert narrowing  # the shipped base has tags that tell these facts apart
    broad = run("ask", "israeli drones", db=db)
    assert f"for example {', '.join(narrowing)}." in broad.stdout


def test_ask_json_has_the_documented_shape(db: Path) -> None:
    result = run("ask", "uvda", "--json", db=db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["query"] == "uvda"
    assert data["verdict"] == "answer"
    best = data["results"][0]
    # Issue 11: each result carries what a reporter needs to use it, not only its key and claim.
    assert set(best) == {
        "key",
        "claim",
        "status",
        "caveats",
        "period",
        "aliases",
        "sources",
        "score",
        "confidence",
    }
    assert best["key"] == "ovda-explosives-airfield"
    assert "Uvda" in best["aliases"]
    assert best["sources"][0]["url"].startswith("http")
    assert all(set(s) == {"key", "claim", "score"} for s in data["suggestions"])
    scores = [hit["score"] for hit in data["results"]]
    assert scores == sorted(scores, reverse=True)


def test_ask_json_says_several_for_a_broad_word_and_none_with_exit_1_for_an_unknown_question(
    db: Path,
) -> None:
    broad = run("ask", "drones", "--json", db=db)
    unknown = run("ask", "who owns silk way airlines", "--json", db=db)
    assert broad.returncode == 0
    assert json.loads(broad.stdout)["verdict"] == "several"
    assert len(json.loads(broad.stdout)["results"]) > 1
    assert unknown.returncode == 1
    assert json.loads(unknown.stdout)["verdict"] == "none"
    assert json.loads(unknown.stdout)["results"] == []


def test_ask_explain_says_how_each_word_was_read_and_what_each_fact_matched(db: Path) -> None:
    result = run("ask", "silk way weather", "--explain", db=db)
    assert result.returncode == 1
    assert "Why: verdict “none”" in result.stdout
    assert "“weather”" in result.stdout and "counts against every fact" in result.stdout
    assert "silk-way-ovda-flights:" in result.stdout
    data = json.loads(run("ask", "harop", "--json", "--explain", db=db).stdout)
    assert data["explain"]["verdict"] == data["verdict"] == "answer"
    assert data["explain"]["facts"][0]["key"] == "harop-drone-bus-strike-2016"


def test_ask_off_topic_says_no_fact_matches_and_exits_1(db: Path) -> None:
    result = run("ask", "bitcoin price", db=db)
    assert result.returncode == 1
    assert result.stdout.startswith("No fact matches “bitcoin price”.")


def test_ask_echoes_a_long_or_multi_line_query_on_one_short_line(db: Path) -> None:
    # Only the first MAX_QUERY_CHARS characters are searched (as /facts takes at most that many):
    # echoing 5,000 typed characters, or a pasted paragraph line by line, buries the answer.
    result = run("ask", "bitcoin price\nand\tmore " + "x" * 5000, db=db)
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("No fact matches “bitcoin price and more xxx") and first.endswith("…”.")
    assert len(first) <= MAX_QUERY_CHARS + len("No fact matches “”.")


def test_ask_without_a_database_answers_from_the_shipped_base_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "data" / "facts.json"
    result = run("ask", "silk-way", db=missing)
    assert result.returncode == 0, result.stderr
    assert "shipped base" in result.stderr
    assert "Silk Way" in result.stdout
    assert not missing.parent.exists()


def test_ask_reads_while_another_process_holds_the_writer_lock(db: Path) -> None:
    with FactStore.open(db):
        result = run_process("ask", "silk-way", db=db)
    assert result.returncode == 0, result.stderr


async def test_ask_reads_a_query_with_the_synonyms_moderators_added_while_the_bot_holds_the_base(
    db: Path,
) -> None:
    assert run("ask", "sandport", db=db).returncode == 1  # a word neither the base nor the thesaurus has
    with FactStore.open(db) as store:
        synonyms = SynonymStore(store)
        await synonyms.add_group(["sandport", "ovda"], Actor("1", "desk"))
        added = run("ask", "sandport", db=db)
        await synonyms.remove_group(["sandport", "ovda"], Actor("1", "desk"))
        removed = run("ask", "sandport", db=db)
    assert added.returncode == 0, added.stderr
    assert "Key: ovda-explosives-airfield" in added.stdout
    assert removed.returncode == 1 and "No fact matches" in removed.stdout


def test_ask_with_an_explicit_missing_database_is_an_error(tmp_path: Path) -> None:
    result = run("ask", "silk-way", "--db", str(tmp_path / "nope.json"))
    assert result.returncode == 1
    assert "There is no fact database at" in result.stderr


def test_check_passes_on_the_shipped_base() -> None:
    result = run("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stdout


def test_check_lists_every_problem_and_exits_non_zero(tmp_path: Path) -> None:
    records = list(json.loads(SHIPPED_BASE.read_text(encoding="utf-8"))["facts"].values())
    records[0]["sources"][0]["url"] = "javascript:alert(1)"
    records[1]["claim"] = "   "
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(records), encoding="utf-8")
    result = run("check", str(bad))
    assert result.returncode != 0
    assert "url" in result.stdout and "claim" in result.stdout


def test_check_of_a_non_json_file_fails_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text("this is not json", encoding="utf-8")
    result = run("check", str(bad))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr


def test_export_then_import_round_trips_unchanged(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    exported = run("export", str(out), db=db)
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))["facts"]) >= 28
    assert run("check", str(out)).returncode == 0

    imported = run("import", str(out), db=db)
    assert imported.returncode == 0, imported.stderr
    assert "0 added, 0 changed" in imported.stdout


def test_import_dry_run_counts_but_writes_nothing(db: Path, tmp_path: Path) -> None:
    records = list(json.loads(SHIPPED_BASE.read_text(encoding="utf-8"))["facts"].values())
    records[0]["claim"] += " (updated)"
    new = dict(records[1], key="a-brand-new-fact")
    incoming = tmp_path / "incoming.json"
    incoming.write_text(json.dumps({"facts": [records[0], new]}), encoding="utf-8")
    before = db.read_bytes()

    dry = run("import", str(incoming), "--dry-run", db=db)
    assert dry.returncode == 0, dry.stderr
    assert "1 added, 1 changed, 0 unchanged" in dry.stdout
    assert "nothing was written" in dry.stdout
    assert db.read_bytes() == before

    real = run("import", str(incoming), "--by", "Dana Desk", db=db)
    assert "1 added, 1 changed, 0 unchanged" in real.stdout
    with FactStore.open(db) as store:
        assert store.get("a-brand-new-fact").added_by == "Dana Desk (command line)"


def test_import_of_an_invalid_file_changes_nothing_and_names_the_record(db: Path, tmp_path: Path) -> None:
    records = [{"key": "ok-fact", "claim": "Fine.", "sources": [{"publisher": "P", "url": "https://p.io/"}]}]
    records.append({"key": "bad-fact", "claim": "", "sources": []})
    incoming = tmp_path / "incoming.json"
    incoming.write_text(json.dumps(records), encoding="utf-8")
    before = db.read_bytes()
    result = run("import", str(incoming), db=db)
    assert result.returncode == 1
    assert "2" in result.stderr and "claim" in result.stderr
    assert db.read_bytes() == before


# --- a command line without surprises (issue 19) ---


def folder_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``folder``, with its size and modification time."""
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
    }


@pytest.fixture
async def used_db(tmp_path: Path) -> Path:
    """A database in a folder of its own, with everything a running desk keeps beside it."""
    path = tmp_path / "desk" / "facts.json"
    with FactStore.open(path) as store:
        await store.review("silk-way-ovda-flights", Actor("1", "editor"))
    return path


def records_of_shipped_base() -> list[dict]:
    return list(json.loads(SHIPPED_BASE.read_text(encoding="utf-8"))["facts"].values())


def test_reads_write_nothing_beside_the_database(used_db: Path, tmp_path: Path) -> None:
    before = folder_state(used_db.parent)
    out = tmp_path / "export.json"
    assert cli("ask", "silk-way", db=used_db)[0] == 0
    assert cli("ask", "silk-way", "--json", "--explain", db=used_db)[0] == 0
    assert cli("check", str(used_db))[0] == 0
    assert cli("export", str(out), db=used_db)[0] == 0
    assert cli("import", str(out), "--dry-run", db=used_db)[0] == 0
    assert folder_state(used_db.parent) == before
    assert len(json.loads(out.read_text(encoding="utf-8"))["facts"]) == len(records_of_shipped_base())


def test_export_while_the_bot_holds_the_database_reads_it_without_the_lock(
    used_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export.json"
    with FactStore.open(used_db) as store:
        code, stdout, stderr = cli("export", str(out), db=used_db)
        assert code == 0, stderr
        assert json.loads(out.read_bytes()) == json.loads(asyncio.run(store.export_json()))
    assert f"Exported {len(records_of_shipped_base())} facts from {used_db}" in stdout


def test_export_before_the_database_exists_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "data" / "facts.json"
    out = tmp_path / "export.json"
    code, stdout, stderr = cli("export", str(out), db=db)  # the default database, not created yet
    assert code == 0, stderr
    assert "does not exist yet" in stderr and f"from {SHIPPED_BASE}" in stdout
    assert not db.parent.exists()
    assert json.loads(out.read_bytes()) == json.loads(SHIPPED_BASE.read_bytes())
    code, _, stderr = cli("export", str(out), "--db", str(db))
    assert code == 1 and f"There is no fact database at {db}" in stderr
    assert not db.parent.exists()


def test_export_refuses_to_write_over_the_database(used_db: Path) -> None:
    before = used_db.read_bytes()
    code, _, stderr = cli("export", str(used_db), db=used_db)
    assert code == 1 and "is the database itself" in stderr
    assert used_db.read_bytes() == before


def test_dry_run_import_into_a_new_database_creates_nothing(tmp_path: Path) -> None:
    new = tmp_path / "new" / "facts.json"
    incoming = tmp_path / "incoming.json"
    incoming.write_text(json.dumps([record("test-brand-new")]), encoding="utf-8")
    code, stdout, stderr = cli("import", str(incoming), "--dry-run", "--db", str(new))
    assert code == 0, stderr
    # Compared with the shipped base the real import would create the database from.
    assert f"Would import {incoming}: 1 added, 0 changed, 0 unchanged." in stdout
    assert "Dry run: nothing was written." in stdout
    assert not new.parent.exists()


def test_import_prints_counts_the_first_20_keys_and_how_many_more(used_db: Path, tmp_path: Path) -> None:
    keys = [f"test-bulk-{n:03d}" for n in range(45)]
    incoming = tmp_path / "bulk.json"
    incoming.write_text(json.dumps([record(key) for key in keys]), encoding="utf-8")
    for dry_run in (["--dry-run"], []):
        code, stdout, stderr = cli("import", str(incoming), *dry_run, db=used_db)
        assert code == 0, stderr
        added = [line for line in stdout.splitlines() if line.startswith("  added: ")]
        assert added == [f"  added: {', '.join(keys[:20])}, and 25 more"]
        assert len(stdout.splitlines()) <= 4
    with FactStore.open(used_db) as store:
        assert all(store.key_taken(key) for key in keys)


def test_import_attributes_the_change_to_the_os_user_or_to_by_name(used_db: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_text(json.dumps([record("test-by-login")]), encoding="utf-8")
    second.write_text(json.dumps([record("test-by-name")]), encoding="utf-8")
    code, stdout, _ = cli("import", str(first), db=used_db, user="jdoe")
    assert code == 0 and "changed by jdoe (command line)" in stdout
    assert cli("import", str(second), "--by", "  Dana Desk ", db=used_db, user="jdoe")[0] == 0
    with FactStore.open(used_db) as store:
        assert [(e.action, e.actor) for e in store.history("test-by-login")] == [
            ("import", "jdoe (command line)")
        ]
        assert store.get("test-by-name").added_by == "Dana Desk (command line)"
        assert store.history("test-by-name")[-1].actor == "Dana Desk (command line)"


@pytest.mark.parametrize(
    ("name", "problem"),
    [("", "--by: must not be empty"), ("x" * 300, "--by: is 300 characters"), ("a\nb", "line break")],
)
def test_a_by_name_that_cannot_be_recorded_is_refused_and_nothing_changes(
    used_db: Path, tmp_path: Path, name: str, problem: str
) -> None:
    incoming = tmp_path / "incoming.json"
    incoming.write_text(json.dumps([record("test-nobody")]), encoding="utf-8")
    before = folder_state(used_db.parent)
    code, _, stderr = cli("import", str(incoming), "--by", name, db=used_db)
    assert code == 1 and problem in stderr
    assert folder_state(used_db.parent) == before


def test_a_copy_of_a_fact_under_a_new_key_is_reported_clearly(used_db: Path, tmp_path: Path) -> None:
    original = next(r for r in records_of_shipped_base() if r["key"] == "silk-way-ovda-flights")
    copy = dict(original, key="test-silk-way-copy", claim=original["claim"].upper())  # case aside, the same
    incoming = tmp_path / "copy.json"
    incoming.write_text(json.dumps([copy]), encoding="utf-8")
    expected = (
        f"warning: {incoming}: `silk-way-ovda-flights` and `test-silk-way-copy` make exactly the same "
        "claim, word for word (a copy under another key); keep one, or say in each claim what sets it apart."
    )
    for dry_run in (["--dry-run"], []):  # against the base: the original is not in the file
        code, stdout, _ = cli("import", str(incoming), *dry_run, db=used_db)
        assert code == 0 and expected in stdout.splitlines()
    both = tmp_path / "both.json"
    both.write_text(json.dumps([original, copy]), encoding="utf-8")
    code, stdout, _ = cli("check", str(both))
    assert code == 0 and expected.replace(str(incoming), str(both)) in stdout.splitlines()
    assert "alike" not in stdout  # once, as the copy it is, not again as a near-duplicate


def test_check_errors_name_the_record_and_its_key(tmp_path: Path) -> None:
    records = records_of_shipped_base()
    records[0]["sources"][0]["url"] = "javascript:alert(1)"
    records[1]["key"] = "Not A Key"
    first = records[3]["key"]
    records[4]["key"] = first
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(records), encoding="utf-8")
    code, stdout, _ = cli("check", str(bad))
    assert code == 1
    assert f"error: {bad} record 1 (`silk-way-ovda-flights`): sources[0].url: must be an http" in stdout
    assert f"error: {bad} record 2: key: must be 3-64 characters" in stdout  # a bad key is not echoed
    assert f"error: {bad} record 5 (`{first}`): key: is used again (first by {bad} record 4)" in stdout


def test_ask_shows_each_source_s_kind_unless_it_is_a_secondary_report(db: Path) -> None:
    mirror = (
        "http://www.defenddemocracy.press/92-flights-from-israeli-base-reveal-arms-exports-to-azerbaijan/"
    )
    code, stdout, _ = cli("ask", "silk-way", db=db)
    assert code == 0
    assert f"— 2023-03-06 — {mirror} (mirror)\n" in stdout
    code, stdout, _ = cli("ask", "harop", db=db)  # cited by secondary reports only
    assert code == 0 and "Sources:" in stdout and "(secondary)" not in stdout


def test_a_reader_that_stops_early_ends_ask_quietly(db: Path) -> None:
    """`bot.py ask … | head -1`: the reader has closed the pipe; ask stops without a "Broken
    pipe" message or a traceback and says so in its exit code, as a shell tool would."""
    env = {**os.environ, "DISCORD_TOKEN": "", "DISCORD_GUILD_ID": "", "FACTS_DB": str(db)}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before ask writes a byte: every write fails
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "bot.py"), "ask", "silk way flights", "--explain"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
            timeout=60,
        )
    finally:
        os.close(write_end)
    error = result.stderr.decode()
    assert "Broken pipe" not in error and "Traceback" not in error, error
    assert result.returncode == 141
