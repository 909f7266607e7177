"""``/help``: what the desk is, the commands this member may use, what the statuses mean, how to flag.

The command list is read from the registered command tree every time, so it
never goes stale: each command's own description is its help (see STYLE:
write them for a reporter). Moderator commands are listed only to moderators,
by the same rule that lets them use those commands (:func:`handlers.checks.is_moderator`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from handlers.checks import is_moderator
from handlers.render import DESCRIPTION_LIMIT, FIELD_VALUE_LIMIT, RETRACTED_TITLE, STATUS_TITLES, clip
from knowledge.model import STATUSES

if TYPE_CHECKING:
    from handlers.app import FactBot
    from handlers.settings import Settings

AnyCommand = app_commands.Command[Any, ..., Any] | app_commands.Group | app_commands.ContextMenu

ABOUT = (
    "Fact desk is the newsroom's base of vetted, cited facts. Look a fact up before you use it: "
    "every answer shows how sure the desk is and the sources behind it, and the desk corrects "
    "answers it already posted in a channel when a fact changes (private answers cannot be "
    "corrected later). It says what the base holds, never whether a claim is true by itself."
)
TELL_THE_DESK = (
    "• **Flag** (a button on every fact card): tell the desk what is wrong or out of date.\n"
    "• `/suggest`: propose a missing fact with its claim and a source link.\n"
    "• **Apps → Check facts** (on any message, from its ⋯ menu): see what the base holds on each "
    "of its claims, privately.\n"
    "Moderators review what you send and you are told privately when it is resolved."
)


def for_moderators(command: AnyCommand) -> bool:
    """Whether a command is a moderator's: marked so for Discord by ``default_permissions``.

    That marker is only a hint to the Discord client (server admins can change
    it); who may *use* a command is decided when it runs. Here it only decides
    what /help lists, and the member's rights come from :func:`is_moderator`.
    """
    permissions = command.default_permissions
    return permissions is not None and permissions.value != 0


def command_lines(commands_: Iterable[AnyCommand]) -> list[str]:
    """One line per command, as Discord shows it, with its own description."""
    lines = []
    for command in sorted(commands_, key=lambda c: c.name):
        if isinstance(command, app_commands.ContextMenu):
            where = "a message" if command.type is discord.AppCommandType.message else "a member"
            lines.append(f"**Apps → {command.name}** (on {where}, from its ⋯ menu)")
        elif isinstance(command, app_commands.Group):
            subcommands = [sub for sub in command.walk_commands() if isinstance(sub, app_commands.Command)]
            lines += [f"`/{sub.qualified_name}` — {sub.description}" for sub in subcommands]
        else:
            lines.append(f"`/{command.name}` — {command.description}")
    return lines


def status_lines() -> list[str]:
    """What each status means, in the words the cards use (render's titles), and the two card marks."""
    lines = [f"**{STATUS_TITLES[status]}** (`{status}`)" for status in STATUSES]
    lines.append(f"**{RETRACTED_TITLE}**: the desk withdrew it; the card says when and why.")
    lines.append(
        "A card marked **Updated** or **Retracted** at the top was corrected after it was posted: "
        "it shows the fact as it is now."
    )
    return lines


class Help(commands.Cog):
    """``/help``, for everyone in the newsroom."""

    def __init__(self, bot: FactBot, settings: Settings) -> None:
        self.bot = bot
        self.settings = settings

    @app_commands.command(name="help", description="What Fact desk is and how to use it")
    @app_commands.guild_only()
    async def help(self, interaction: discord.Interaction) -> None:
        """What the desk is, the commands you may use, what the statuses mean, how to flag or suggest."""
        await interaction.response.send_message(embed=self.help_embed(interaction), ephemeral=True)

    def help_embed(self, interaction: discord.Interaction) -> discord.Embed:
        registered = self.bot.tree.get_commands()
        parts = [ABOUT, "", "**Commands**", *command_lines(c for c in registered if not for_moderators(c))]
        if is_moderator(interaction, self.settings):
            parts += ["", "**Moderator commands** (you are a moderator)"]
            parts += command_lines(c for c in registered if for_moderators(c))
        embed = discord.Embed(title="Fact desk — help", description=clip("\n".join(parts), DESCRIPTION_LIMIT))
        statuses = clip("\n".join(status_lines()), FIELD_VALUE_LIMIT)
        embed.add_field(name="What a card's status means", value=statuses, inline=False)
        embed.add_field(name="Tell the desk", value=TELL_THE_DESK, inline=False)
        return embed


async def setup(bot: FactBot) -> None:
    await bot.add_cog(Help(bot, bot.settings))
