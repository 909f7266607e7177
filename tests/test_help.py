"""/help: what the desk is, the commands this member may use, the statuses, how to tell the desk."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands
from simcord import ChannelHandle, Env, MemberActor

from handlers.render import STATUS_TITLES

pytestmark = pytest.mark.simcord(strict_sync=False)


def lines_of(embed: discord.Embed) -> list[str]:
    return (embed.description or "").splitlines()


def listed(embed: discord.Embed) -> set[str]:
    """The commands /help lists, by name as typed (`/factadmin add`)."""
    return {line.split("`")[1] for line in lines_of(embed) if line.startswith("`/")}


async def test_help_for_a_reporter_lists_their_commands_and_no_moderator_command(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor
) -> None:
    result = await staff.slash(channel, "help")

    assert result.ephemeral
    embed = result.response.embeds[0]
    assert "vetted, cited facts" in embed.description
    assert {"/facts", "/timeline", "/sources", "/help"} <= listed(embed)
    assert not any(name.startswith("/factadmin") for name in listed(embed))
    assert "Moderator commands" not in embed.description
    facts = simcord_env.bot.tree.get_command("facts")
    assert f"`/facts` — {facts.description}" in lines_of(embed)  # the command's own words


async def test_help_for_a_moderator_adds_every_factadmin_command(
    simcord_env: Env, channel: ChannelHandle, moderator: MemberActor, manager: MemberActor
) -> None:
    group = simcord_env.bot.tree.get_command("factadmin")
    # Every command a moderator can run; a subgroup (/factadmin synonym) is only its commands' prefix.
    runnable = [sub for sub in group.walk_commands() if isinstance(sub, app_commands.Command)]
    expected = {f"/{sub.qualified_name}" for sub in runnable}
    assert {"/factadmin retract", "/factadmin stale", "/factadmin synonym add"} <= expected

    for member in (moderator, manager):  # by role, and by Manage Messages: the one moderator rule
        embed = (await member.slash(channel, "help")).response.embeds[0]
        assert expected <= listed(embed)
        assert {"/facts", "/help"} <= listed(embed)
        assert "**Moderator commands**" in embed.description


async def test_help_explains_every_status_in_the_cards_words_and_how_to_flag_or_suggest(
    channel: ChannelHandle, staff: MemberActor
) -> None:
    embed = (await staff.slash(channel, "help")).response.embeds[0]
    fields = {field.name: field.value for field in embed.fields}

    statuses = fields["What a card's status means"]
    for status, title in STATUS_TITLES.items():
        assert f"**{title}** (`{status}`)" in statuses
    assert "RETRACTED" in statuses and "**Updated**" in statuses
    tell = fields["Tell the desk"]
    assert "**Flag**" in tell and "`/suggest`" in tell and "Apps → Check facts" in tell
