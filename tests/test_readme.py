"""The README tells the truth about the code: every command and option in its tables exists, every
one that exists is in them, and its file tree names every module.

A newcomer reads the README before the code; a command added without a row, or
a row for a command that is gone, sends them the wrong way.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from discord import app_commands
from simcord import ChannelHandle, Env, MemberActor

from bot import ROOT, build_parser

README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The README's text under ``## title``, up to the next ``## `` heading."""
    start = README.index(f"\n## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def first_cells(text: str) -> list[str]:
    """The first cell of every row of the tables in ``text``, header and rule left out."""
    rows = [line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ")]
    return [cell for cell in rows if cell not in ("command", "button or form") and cell.strip("-")]


def usage(cell: str, prefix: str, groups: frozenset[str] = frozenset()) -> tuple[str, set[str]] | None:
    """``(name, options)`` from a cell like `` `/facts query:<text> [private:true]` ``; a name
    starting with one of ``groups`` (subcommand groups, like ``synonym``) is two words long."""
    match = re.fullmatch(rf"`{re.escape(prefix)}(\S+)([^`]*)`", cell)
    if match is None:
        return None
    name = match[1]
    words = match[2].replace("[", " ").replace("]", " ").split()
    if name in groups and words:
        name = f"{name} {words.pop(0)}"
    return name, {word.split(":")[0] for word in words}


def test_every_module_is_in_the_file_tree() -> None:
    tree = section("How it is built").split("```")[1]
    for folder in ("handlers", "knowledge"):
        for path in sorted(Path(ROOT, folder).rglob("*.py")):
            if path.name != "__init__.py":
                assert re.search(rf"\b{re.escape(path.name)}\b", tree), f"{folder}/{path.name}"
            for package in path.relative_to(Path(ROOT, folder)).parent.parts:
                assert re.search(rf"\b{re.escape(package)}/", tree), f"{folder}/{package}/"


@pytest.mark.simcord(strict_sync=False)
async def test_every_file_the_bot_keeps_beside_the_database_is_named(
    simcord_env: Env, facts_db: Path, channel: ChannelHandle, staff: MemberActor, manager: MemberActor
) -> None:
    await staff.slash(channel, "facts", query="silk way")  # a public answer, a logged lookup
    await staff.slash(channel, "facts", query="zebra pancake telescope")
    await staff.slash(channel, "suggest", claim="Ovda has a runway.", link="https://example.com/ovda")
    await manager.slash(channel, "factadmin review", key="silk-way-ovda-flights")  # history, backups
    await simcord_env.settle()
    on_disk = README[README.index("**What is on disk.**") :]
    beside = sorted(path.name for path in facts_db.parent.iterdir() if path != facts_db)
    assert len(beside) >= 7, beside
    for name in beside:
        shown = "<db>" + name.removeprefix(facts_db.name) + ("/" if (facts_db.parent / name).is_dir() else "")
        assert f"`{shown}`" in on_disk, shown


@pytest.mark.simcord(strict_sync=False)
async def test_the_command_tables_list_exactly_the_bots_commands_and_their_options(simcord_env: Env) -> None:
    registered: dict[str, set[str]] = {}
    menus: set[str] = set()
    subgroups: set[str] = set()  # /factadmin synonym …: its commands are rows, the group is not
    for command in simcord_env.bot.tree.get_commands():
        if isinstance(command, app_commands.ContextMenu):
            menus.add(command.name)
        elif isinstance(command, app_commands.Group):
            for sub in command.walk_commands():
                if isinstance(sub, app_commands.Group):
                    subgroups.add(sub.name)
                else:
                    registered[sub.qualified_name] = {p.name for p in sub.parameters}
        else:
            registered[command.name] = {p.name for p in command.parameters}

    documented: dict[str, set[str]] = {}
    for cell in first_cells(section("Commands for staff")):
        if found := usage(cell, "/"):
            documented[found[0]] = found[1]
    for cell in first_cells(section("Commands for moderators (`/factadmin …`)")):
        found = usage(cell, "", frozenset(subgroups))
        assert found is not None, cell
        documented[f"factadmin {found[0]}"] = found[1]
    assert documented == registered

    documented_menus = {
        match[1]
        for cell in first_cells(section("Commands for staff"))
        if (match := re.match(r"\*\*(.+?)\*\* \(right-click", cell))
    }
    assert documented_menus == menus


def test_the_command_line_table_lists_exactly_bot_py_s_commands_and_their_options() -> None:
    [commands] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    existing = {
        name: {
            option
            for action in parser._actions
            for option in action.option_strings
            if option.startswith("--")
        }
        - {"--help"}
        for name, parser in commands.choices.items()
    }
    documented = {}
    for cell in first_cells(section("Command line")):
        match = re.fullmatch(r"`python bot.py (\w+)([^`]*)`", cell)
        assert match is not None, cell
        documented[match[1]] = set(re.findall(r"--[\w-]+", match[2]))
    assert documented == existing
