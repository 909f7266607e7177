"""The one error handler and the moderator check, driven through SimCord."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

import discord
import pytest
from discord import app_commands
from simcord import ChannelHandle, Env, GuildHandle, MemberActor

from handlers.checks import NotModerator
from handlers.error_replies import APOLOGY
from knowledge.errors import FactNotFound
from tests.test_admin import factadmin_command

HandledErrors = Callable[[], list[type[BaseException]]]

# These tests add a throwaway command to the tree; SimCord registers it on first use.
pytestmark = pytest.mark.simcord(strict_sync=False)


def add_command(env: Env, command: app_commands.Command) -> None:
    env.bot.tree.add_command(command)


async def test_knowledge_error_becomes_a_private_message_naming_the_problem(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, handled_errors: HandledErrors
) -> None:
    @app_commands.command(name="lookup-missing", description="test")
    async def lookup_missing(interaction: discord.Interaction) -> None:
        raise FactNotFound("no-such-fact")

    add_command(simcord_env, lookup_missing)
    result = await staff.slash(channel, "lookup-missing")
    assert result.ephemeral
    assert result.response.content == "No fact has the key `no-such-fact`."
    assert handled_errors() == [FactNotFound]


async def test_unexpected_error_is_logged_with_traceback_and_user_gets_an_apology(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    caplog: pytest.LogCaptureFixture,
    handled_errors: HandledErrors,
) -> None:
    @app_commands.command(name="explode", description="test")
    async def explode(interaction: discord.Interaction) -> None:
        raise RuntimeError("internal detail at /srv/secret/path")

    add_command(simcord_env, explode)
    with caplog.at_level(logging.ERROR, logger="handlers.error_replies"):
        result = await staff.slash(channel, "explode")
    assert result.ephemeral
    assert result.response.content == APOLOGY
    assert "secret" not in result.response.content
    [record] = [r for r in caplog.records if r.name == "handlers.error_replies"]
    assert "explode" in record.getMessage()
    assert record.exc_info is not None and "internal detail" in str(record.exc_info[1])
    assert handled_errors() == [RuntimeError]


async def test_error_after_the_answer_was_sent_arrives_as_a_private_follow_up(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, handled_errors: HandledErrors
) -> None:
    @app_commands.command(name="half-done", description="test")
    async def half_done(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first part")
        raise RuntimeError("then it broke")

    add_command(simcord_env, half_done)
    result = await staff.slash(channel, "half-done")
    assert result.response.content == "first part"
    assert not result.response.ephemeral
    [followup] = result.followups
    assert followup.ephemeral
    assert followup.content == APOLOGY
    assert handled_errors() == [RuntimeError]


async def gaps_for(env: Env, member: MemberActor, channel: ChannelHandle) -> str:
    """`/factadmin gaps` as ``member`` (a server admin let them see it): what they were shown."""
    env.guild.set_command_permissions(await factadmin_command(env), {member: True})
    return (await member.slash(channel, "factadmin gaps")).response.content


async def test_non_moderator_is_refused_privately_and_nothing_runs(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, handled_errors: HandledErrors
) -> None:
    assert "Only moderators" in await gaps_for(simcord_env, staff, channel)
    assert handled_errors() == [NotModerator]  # the group's check, through the tree's one handler


async def test_moderator_by_role_name_or_manage_messages_may_run_it(
    simcord_env: Env, channel: ChannelHandle, moderator: MemberActor, manager: MemberActor
) -> None:
    for member in (moderator, manager):
        assert "unanswered questions" in await gaps_for(simcord_env, member, channel)


async def test_moderator_role_may_be_given_by_id(
    simcord_env: Env, guild: GuildHandle, channel: ChannelHandle
) -> None:
    role = guild.create_role("Night editors")
    member = guild.add_member(simcord_env.create_user("night"), roles=[role])
    bot = simcord_env.bot
    # Settings are fixed for a running bot; the test changes them where they were handed out.
    for holder in (bot, bot.tree, bot.get_cog("FactAdmin")):
        holder.settings = dataclasses.replace(bot.settings, moderator_roles=(str(role.id),))
    assert "unanswered questions" in await gaps_for(simcord_env, member, channel)


async def test_when_the_interaction_has_expired_the_failure_is_logged_not_raised(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    caplog: pytest.LogCaptureFixture,
    handled_errors: HandledErrors,
) -> None:
    @app_commands.command(name="too-late", description="test")
    async def too_late(interaction: discord.Interaction) -> None:
        raise FactNotFound("late-fact")

    add_command(simcord_env, too_late)
    simcord_env.inject_error(
        "POST", "/interactions/*/callback", status=404, code=10062, message="Unknown interaction"
    )
    with caplog.at_level(logging.WARNING, logger="handlers.error_replies"):
        result = await staff.slash(channel, "too-late")
    assert not result.acknowledged
    assert "Could not tell user" in caplog.text
    assert handled_errors() == [FactNotFound]
