"""How the bot is put together: intents, mentions, where commands are published, the sync command."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import discord
import pytest
import simcord
from simcord import Env

import bot
from bot import Settings, main
from handlers.app import FactBot, StartupError, create_bot

FAKE_TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB"


def command_puts(env: Env) -> list[str]:
    return [r.path for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]


async def test_bot_asks_for_no_privileged_intents_and_never_pings(simcord_env: Env) -> None:
    client = simcord_env.bot
    assert client.intents == discord.Intents(guilds=True)
    assert not client.intents.message_content
    assert client.allowed_mentions.to_dict() == {"parse": []}


async def test_start_publishes_every_command_to_the_newsroom_server_only(
    simcord_env: Env, settings: Settings
) -> None:
    [guild_id] = settings.newsroom_guild_ids
    assert command_puts(simcord_env) == [
        f"/applications/{simcord_env.backend.application_id}/guilds/{guild_id}/commands"
    ]
    names = {c.name for c in simcord_env.bot.tree.get_commands(guild=discord.Object(guild_id))}
    assert {"facts", "timeline", "sources", "factadmin"} <= names


async def test_start_publishes_to_each_listed_newsroom_server(settings: Settings) -> None:
    second = 1_100_000_000_000_000_002
    both = create_bot(
        dataclasses.replace(settings, newsroom_guild_ids=(*settings.newsroom_guild_ids, second))
    )
    try:
        async with simcord.run(both) as env:
            puts = command_puts(env)
    finally:
        both.knowledge.close()
    assert [path.split("/")[-2] for path in puts] == [str(settings.newsroom_guild_ids[0]), str(second)]


def test_sync_command_publishes_to_the_newsroom_only_and_withdraws_global_commands(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "facts.json"
    environment = {
        "DISCORD_TOKEN": FAKE_TOKEN,
        "FACTS_DB": str(db),
        "NEWSROOM_GUILD_IDS": "1100000000000000001",
        "DISCORD_GUILD_ID": "",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    synced: list[tuple[int | None, list[str]]] = []

    async def login_offline(self: FactBot, token: str) -> None:
        await self.setup_hook()

    async def sync(
        self: discord.app_commands.CommandTree, *, guild: discord.abc.Snowflake | None = None
    ) -> list:
        commands = self.get_commands(guild=guild)
        synced.append((guild and guild.id, sorted(c.name for c in commands)))
        return commands

    monkeypatch.setattr(FactBot, "login", login_offline)
    monkeypatch.setattr(discord.app_commands.CommandTree, "sync", sync)
    monkeypatch.setattr(bot, "setup_logging", lambda settings: None)
    assert main(["sync"]) == 0
    every = ["Check facts", "factadmin", "facts", "help", "sources", "suggest", "timeline"]
    assert synced == [(1100000000000000001, every), (None, [])]  # global: emptied
    assert "Published 7 commands to the newsroom server(s) 1100000000000000001; none globally" in (
        capsys.readouterr().out
    )
    assert not db.exists()


async def test_server_that_refuses_the_commands_stops_start_up_with_what_to_check(settings: Settings) -> None:
    refused = create_bot(settings)
    env = Env(refused)
    env.inject_error(
        "PUT", "/applications/*/guilds/*/commands", status=403, code=50001, message="Missing Access"
    )
    try:
        with pytest.raises(StartupError, match=r"applications\.commands scope"):
            await env.start()
    finally:
        refused.knowledge.close()
