"""Hostile input the property tests leave out: JSON nested 100,000 deep, and text built to mislead.

- Nested JSON of any depth is refused with a clear message by ``check``,
  ``import --dry-run`` and ``/factadmin import``: no traceback, nothing written.
- Bidi controls (U+202E, U+2067…) and invisible characters (zero-width space,
  joiner, BOM…) typed by someone are never echoed: a reporter cannot make the
  bot's own line render reversed, in any reply that quotes what they typed or
  what a moderator stored.
- The offline commands never load discord.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from simcord import ChannelHandle, Env, MemberActor

from bot import ROOT
from handlers.error_replies import Refusal
from handlers.render import visible
from knowledge.store.changes import SHIPPED_BASE
from tests.helpers.store_facts import record
from tests.test_admin import add_options, shown, store_of, text_of
from tests.test_cli import run

pytestmark = pytest.mark.simcord(strict_sync=False)

DEEP = b"[" * 100_000 + b"]" * 100_000
TOO_DEEP = "nests lists or objects far too deeply to be a fact file"
# Right-to-left override and isolate, pop, zero-width space / joiner / non-joiner, BOM, LRM.
HIDDEN = "\u202e\u2067\u2069\u200b\u200d\u200c\ufeff\u200e"
# The ones the model lets a moderator store (it refuses the bidi overrides and isolates).
STORABLE = "\u200b\u200d\u200c\ufeff\u200e"


def cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DISCORD_TOKEN": "", "DISCORD_GUILD_ID": "", "FACTS_DB": str(db)}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "facts.json"
    shutil.copyfile(SHIPPED_BASE, path)
    return path


@pytest.mark.parametrize("command", [["check"], ["import", "--dry-run"], ["import"]])
def test_json_nested_100000_deep_is_refused_clearly_by_the_command_line(
    tmp_path: Path, db: Path, command: list[str]
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_bytes(DEEP)
    before = db.read_bytes()
    result = run(*command, str(deep), db=db)
    assert result.returncode == 1, result.stderr
    assert TOO_DEEP in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert db.read_bytes() == before


async def test_json_nested_100000_deep_is_refused_clearly_by_factadmin_import(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    before = store_of(simcord_env).path.read_bytes()
    for dry_run in (True, False):
        result = await manager.slash(channel, "factadmin import", file=("deep.json", DEEP), dry_run=dry_run)
        assert result.ephemeral
        assert TOO_DEEP in text_of(result)
        assert "Nothing was changed." in text_of(result)
    assert store_of(simcord_env).path.read_bytes() == before


def test_the_offline_commands_never_import_discord(tmp_path: Path, db: Path) -> None:
    # One fresh process runs the four commands in turn, saying after each what it has loaded.
    probe = (
        "import json, sys, bot\n"
        "for args in json.loads(sys.argv[1]):\n"
        "    code = bot.main(args)\n"
        "    loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('discord', 'aiohttp'))\n"
        "    print(args[0], code, 'LOADED', loaded, flush=True)\n"
    )
    out = tmp_path / "out.json"
    commands = [["ask", "silk way"], ["check"], ["export", str(out)], ["import", "--dry-run", str(out)]]
    result = cli("-c", probe, json.dumps(commands), db=db)
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stdout.splitlines() if " LOADED " in line]
    assert said == [f"{args[0]} 0 LOADED []" for args in commands], result.stdout[-600:]


@pytest.mark.parametrize(
    ("query", "echo"),
    [
        (f"zebra{HIDDEN} pancake telescope", "No fact matches “zebra pancake telescope”"),
        (f"israel{HIDDEN}", "for “israel”"),
    ],
)
def test_ask_echoes_the_query_without_hidden_characters(db: Path, query: str, echo: str) -> None:
    for args in (["ask", query], ["ask", query, "--json"]):
        result = run(*args, db=db)
        assert not hidden_in(result.stdout + result.stderr), args
    assert echo in run("ask", query, db=db).stdout


def hidden_in(text: str) -> list[str]:
    return [f"U+{ord(c):04X}" for c in text if c != "\n" and unicodedata.category(c) in ("Cf", "Cc")]


def texts(message: Any) -> list[str]:
    """Every piece of text a message shows: content, embeds, button labels."""
    found = [message.content or ""]
    for embed in message.embeds:
        found += [embed.title or "", embed.description or "", embed.footer.text or ""]
        found += [f"{field.name} {field.value}" for field in embed.fields]
    found += [c.get("label", "") for row in message.components for c in row["components"]]
    return found


def assert_nothing_hidden(result: Any) -> None:
    for message in [result.response, *result.followups]:
        if message is not None:
            for text in texts(message):
                assert not hidden_in(text), text


def test_the_one_sanitiser_keeps_words_and_drops_only_hidden_characters() -> None:
    assert visible(f"ovda{HIDDEN} flights\nnext line") == "ovda flights\nnext line"
    assert visible("Ну, שלום, مرحبا 👍") == "Ну, שלום, مرحبا 👍"  # right-to-left scripts stay


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("facts", {"query": f"zebra{HIDDEN} pancake telescope"}),
        ("facts", {"query": f"ovda{HIDDEN}"}),
        ("timeline", {"topic": f"{HIDDEN}***"}),
        ("timeline", {"topic": f"drones{HIDDEN}", "from_year": 1800, "to_year": 1801}),
        ("sources", {"publisher": f"Daily{HIDDEN} Nowhere"}),
    ],
)
async def test_no_reply_to_what_a_reporter_typed_echoes_a_hidden_character(
    channel: ChannelHandle,
    staff: MemberActor,
    command: str,
    options: dict[str, Any],
    handled_errors: Callable[[], list[type[BaseException]]],
) -> None:
    result = await staff.slash(channel, command, **options)
    assert_nothing_hidden(result)
    assert set(handled_errors()) <= {Refusal}  # refusals reach the tree's one handler


async def test_more_matches_and_the_gaps_listing_echo_no_hidden_character(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, manager: MemberActor
) -> None:
    answer = await staff.slash(channel, "facts", query=f"ovda{HIDDEN}")
    more = await staff.click(answer.response, label="More matches")
    assert_nothing_hidden(more)
    await staff.slash(channel, "facts", query=f"zebra{HIDDEN} pancake telescope")
    gaps = await manager.slash(channel, "factadmin gaps")
    assert "zebra pancake telescope" in text_of(gaps)
    assert_nothing_hidden(gaps)


async def test_text_a_moderator_stored_is_shown_without_hidden_characters_everywhere(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, manager: MemberActor
) -> None:
    added = await manager.slash(
        channel,
        "factadmin add",
        **add_options(
            "test-hidden-text",
            claim=f"Flights{STORABLE} from Ovda carried cargo nobody listed.",
            publisher=f"Example{STORABLE} Gazette",
            details=f"Back{STORABLE}ground.",
            caveats=f"One{STORABLE} source.",
        ),
    )
    assert text_of(added) == "Added `test-hidden-text`."
    assert STORABLE in store_of(simcord_env).get("test-hidden-text").claim  # stored exactly, as typed
    assert_nothing_hidden(added)
    shown_fact = await staff.slash(channel, "facts", query="test-hidden-text")
    assert_nothing_hidden(shown_fact)
    cited = await staff.click(shown_fact.response, label="Cite")
    assert_nothing_hidden(cited)
    for choice in await staff.autocomplete(channel, "facts", "query", "nobody listed"):
        assert not hidden_in(choice["name"])
    for choice in await manager.autocomplete(channel, "factadmin edit", "key", "test-hidden"):
        assert not hidden_in(choice["name"])
    for choice in await staff.autocomplete(channel, "sources", "publisher", "example"):
        assert not hidden_in(choice["name"])
    listing = await staff.slash(channel, "sources", publisher="Example Gazette")
    assert_nothing_hidden(listing)


async def test_an_import_file_name_is_echoed_without_hidden_characters(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    name = f"facts{HIDDEN}.json"
    document = json.dumps([record("test-imported")]).encode()
    result = await manager.slash(channel, "factadmin import", file=(name, document))
    assert "`facts.json`" in text_of(result)
    assert not hidden_in(shown(result).content)
