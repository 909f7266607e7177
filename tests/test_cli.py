"""The command line, run as a newsroom admin would: ``python bot.py ask|check|export|import``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import ROOT
from knowledge.desk.synonyms import SynonymStore
from knowledge.model import Actor
from knowledge.store.changes import SHIPPED_BASE, FactStore


def run(*args: str, db: Path | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DISCORD_TOKEN": "", "DISCORD_GUILD_ID": "", "LOG_LEVEL": "INFO"}
    if db is not None:
        env["FACTS_DB"] = str(db)
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or ROOT,
        timeout=60,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "facts.json"
    shutil.copyfile(SHIPPED_BASE, path)
    return path


def test_ask_prints_the_best_fact_with_status_and_every_citation(db: Path) -> None:
    result = run("ask", "silk-way", db=db)
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


def test_ask_without_a_database_answers_from_the_shipped_base_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "data" / "facts.json"
    result = run("ask", "silk-way", db=missing)
    assert result.returncode == 0, result.stderr
    assert "shipped base" in result.stderr
    assert "Silk Way" in result.stdout
    assert not missing.parent.exists()


def test_ask_reads_while_another_process_holds_the_writer_lock(db: Path) -> None:
    with FactStore.open(db):
        result = run("ask", "silk-way", db=db)
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

    real = run("import", str(incoming), db=db)
    assert "1 added, 1 changed, 0 unchanged" in real.stdout
    with FactStore.open(db) as store:
        assert store.get("a-brand-new-fact").added_by == "import"


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
