"""Who may use the bot where: the newsroom's servers only, and who counts as a moderator there.

Both rules live here and nowhere else. The server rule runs before anything
else for every kind of interaction: the command tree's ``interaction_check``
(commands and autocomplete), :class:`handlers.buttons.DeskButton` (every
button) and the edit form call :func:`refuse_outside_newsroom`. ``default_permissions`` on a
command is only a hint that server admins can change, so the moderator rule is
decided again here, at run time, on every use.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from handlers.error_replies import report_error

if TYPE_CHECKING:
    from handlers.settings import Settings

log = logging.getLogger(__name__)

OUTSIDE_NEWSROOM = (
    "Fact desk works only inside the newsroom's own Discord server; nothing was looked up or changed."
)


class NotModerator(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__(
            "Only moderators can do this: it needs the Manage Messages permission "
            "or a moderator role (MODERATOR_ROLES). Nothing was changed."
        )


def in_newsroom(interaction: discord.Interaction, settings: Settings) -> bool:
    """Whether the interaction comes from one of the servers in NEWSROOM_GUILD_IDS (never a DM)."""
    return interaction.guild_id is not None and interaction.guild_id in settings.newsroom_guild_ids


def is_moderator(interaction: discord.Interaction, settings: Settings) -> bool:
    """Manage Messages in this channel, or a role in MODERATOR_ROLES — inside the newsroom only.

    A role matches by ID; by name only because the server is the newsroom's,
    where the names are ours: anyone can create a role called "Fact desk" in a
    server of their own.
    """
    user = interaction.user
    if not in_newsroom(interaction, settings) or not isinstance(user, discord.Member):
        return False
    if interaction.permissions.manage_messages:
        return True
    wanted = {name.casefold() for name in settings.moderator_roles}
    return any(str(role.id) in wanted or role.name.casefold() in wanted for role in user.roles)


async def refuse_outside_newsroom(interaction: discord.Interaction, settings: Settings) -> bool:
    """True if the interaction is from elsewhere, after telling the person so (privately).

    Nothing is read from the fact base and nothing is recorded: the reply is
    the same fixed sentence whatever was asked.
    """
    if in_newsroom(interaction, settings):
        return False
    log.info(
        "Refused an interaction from outside the newsroom (server %s, user %s)",
        interaction.guild_id or "DM",
        interaction.user.id,
    )
    if interaction.type is discord.InteractionType.autocomplete:
        await interaction.response.autocomplete([])
    elif not interaction.response.is_done():
        await interaction.response.send_message(OUTSIDE_NEWSROOM, ephemeral=True)
    return True


class NewsroomTree(app_commands.CommandTree):
    """The command tree, refusing every command and autocomplete from outside the newsroom.

    Its check runs before any command's own checks, its options' transformers
    and its autocomplete, so nothing of the base is read for a refused
    interaction. Its ``on_error`` is the one error handler
    (:func:`handlers.error_replies.report_error`), which buttons and forms use too.
    """

    settings: Settings  # set by the bot right after the tree is made

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return not await refuse_outside_newsroom(interaction, self.settings)

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        await report_error(interaction, error)
