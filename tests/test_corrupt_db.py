"""Corrupt or hand-edited database, as the newsroom admin meets it: `python bot.py` refuses to start.

The store tests (tests/test_store_faults.py) check ``FactStore.open`` on each
kind of damage. Here the real bot is started on the damaged file: it must stop
before going online, name the file, the problem and the newest good backup,
and leave the file exactly as it was. Also a damage those tests do not make:
a record pasted in with an id that is already taken, which JSON readers
resolve by silently dropping one of the two records.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import main
from knowledge.errors import CorruptDatabase
from knowledge.newsroom import open_knowledge
from knowledge.store.disk.storage import AtomicJSONStorage
from tests.test_bot import FAKE_TOKEN
from tests.test_bot import clean_logging as clean_logging
from tests.test_store_faults import HAND_EDITS, snapshot, three_facts


def truncate(db: Path) -> None:
    raw = db.read_bytes()
    db.write_bytes(raw[: len(raw) * 2 // 3])


def paste_over_a_taken_id(db: Path) -> None:
    """A record copied in by hand under id 3, which gamma-fact already has."""
    lines = db.read_text(encoding="utf-8").splitlines()
    gamma = next(i for i, line in enumerate(lines) if line.startswith('"3": '))
    pasted = lines[gamma].replace("gamma-fact", "delta-fact").rstrip(",")
    lines[gamma] = lines[gamma].rstrip(",") + ","
    lines.insert(gamma + 1, pasted)
    db.write_text("\n".join(lines) + "\n", encoding="utf-8")
    json.loads(db.read_text(encoding="utf-8"))  # still valid JSON, so only a careful reader notices


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated": (truncate, "not valid JSON"),
    "wrong-type": HAND_EDITS["wrong-type"],
    "missing-sources": HAND_EDITS["missing-sources"],
    "duplicate-keys": HAND_EDITS["duplicate-keys"],
    "duplicate-record-ids": (paste_over_a_taken_id, '"3"'),
}


@pytest.fixture
def start_bot(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], clean_logging: None
) -> Callable[[Path], tuple[int, str]]:
    """``python bot.py`` on ``db``, as the admin starts it (in this process: ``bot.main`` is all that
    ``python bot.py`` runs); its exit code and everything it printed and logged."""

    def start(db: Path) -> tuple[int, str]:
        for name, value in {
            "DISCORD_TOKEN": FAKE_TOKEN,
            "FACTS_DB": str(db),
            "DISCORD_GUILD_ID": "",
            "NEWSROOM_GUILD_IDS": "1100000000000000001",
            "MODERATOR_ROLES": "",
            "LOG_LEVEL": "INFO",
            "LOG_FILE": "",
        }.items():
            monkeypatch.setenv(name, value)
        code = main([])
        out = capsys.readouterr()
        return code, out.out + out.err

    return start


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_bot_refuses_to_start_on_a_damaged_database_naming_problem_and_backup(
    db: Path, damage: str, start_bot: Callable[[Path], tuple[int, str]]
) -> None:
    asyncio.run(three_facts(db))
    spoil, problem = DAMAGE[damage]
    spoil(db)
    before = snapshot(db)
    newest = AtomicJSONStorage(db).newest_backup()
    assert newest is not None

    code, output = start_bot(db)

    assert code == 1, output
    assert f"Cannot load the fact database {db}" in output, output
    assert problem in output
    assert f"The newest good backup is {newest}" in output
    assert "The file was left as it is" in output
    assert "Traceback" not in output
    assert "logging in" not in output  # stopped before going online
    assert snapshot(db) == before


@pytest.mark.parametrize("damage", list(DAMAGE))
async def test_open_knowledge_refuses_a_damaged_database_and_leaves_it(db: Path, damage: str) -> None:
    await three_facts(db)
    spoil, problem = DAMAGE[damage]
    spoil(db)
    before = snapshot(db)

    with pytest.raises(CorruptDatabase) as caught:
        open_knowledge(db)

    assert problem in str(caught.value)
    assert caught.value.backup is not None
    assert snapshot(db) == before
    assert not Path(f"{db}.queries.jsonl").exists()


@pytest.mark.parametrize("damage", list(DAMAGE))
async def test_check_reports_the_damage_before_anyone_starts_the_bot(
    db: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await three_facts(db)
    spoil, _ = DAMAGE[damage]
    spoil(db)

    assert main(["check", str(db)]) == 1

    out = capsys.readouterr()
    assert str(db) in out.out + out.err
    assert "no problems" not in out.out
