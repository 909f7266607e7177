"""How the bot is put together: intents, mentions, where commands are synced, the sync command."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import discord
import pytest
import simcord
from simcord import Env

import bot
from bot import Settings, SettingsError, create_bot, main

FAKE_TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB"


def command_puts(env: Env) -> list[str]:
    return [r.path for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]


async def test_bot_asks_for_no_privileged_intents_and_never_pings(simcord_env: Env) -> None:
    client = simcord_env.bot
    assert client.intents == discord.Intents(guilds=True)
    assert not client.intents.message_content
    assert client.allowed_mentions.to_dict() == {"parse": []}


async def test_start_syncs_every_command_to_the_newsroom_server_only(
    simcord_env: Env, settings: Settings
) -> None:
    assert command_puts(simcord_env) == [
        f"/applications/{simcord_env.backend.application_id}/guilds/{settings.guild_id}/commands"
    ]
    names = {c.name for c in simcord_env.bot.tree.get_commands(guild=discord.Object(settings.guild_id))}
    assert {"facts", "timeline", "sources", "factadmin"} <= names


async def test_start_without_a_server_id_syncs_nothing(settings: Settings) -> None:
    unsynced = create_bot(dataclasses.replace(settings, guild_id=None))
    try:
        async with simcord.run(unsynced) as env:
            assert command_puts(env) == []
    finally:
        unsynced.knowledge.close()


def test_sync_command_publishes_globally_without_opening_the_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "facts.json"
    for name, value in {"DISCORD_TOKEN": FAKE_TOKEN, "FACTS_DB": str(db), "DISCORD_GUILD_ID": ""}.items():
        monkeypatch.setenv(name, value)
    synced_to: list[discord.abc.Snowflake | None] = []

    async def login_offline(self: bot.FactBot, token: str) -> None:
        await self.setup_hook()

    async def sync(
        self: discord.app_commands.CommandTree, *, guild: discord.abc.Snowflake | None = None
    ) -> list:
        synced_to.append(guild)
        return self.get_commands(guild=guild)

    monkeypatch.setattr(bot.FactBot, "login", login_offline)
    monkeypatch.setattr(discord.app_commands.CommandTree, "sync", sync)
    monkeypatch.setattr(bot, "setup_logging", lambda settings: None)
    assert main(["sync"]) == 0
    assert synced_to == [None]
    assert "Published 4 commands globally" in capsys.readouterr().out
    assert not db.exists()


async def test_server_that_refuses_the_commands_stops_start_up_with_what_to_check(settings: Settings) -> None:
    refused = create_bot(settings)
    env = Env(refused)
    env.inject_error(
        "PUT", "/applications/*/guilds/*/commands", status=403, code=50001, message="Missing Access"
    )
    try:
        with pytest.raises(SettingsError, match=r"applications\.commands scope"):
            await env.start()
    finally:
        refused.knowledge.close()
