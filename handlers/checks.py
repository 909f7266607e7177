"""Who counts as a moderator: the one check every moderator command, button and modal uses.

``default_permissions`` on a command is only a hint that server admins can
change, so the decision is made again here, at run time, on every use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot import Settings

T = TypeVar("T")


class NotModerator(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__(
            "Only moderators can do this: it needs the Manage Messages permission "
            "or a moderator role (MODERATOR_ROLES). Nothing was changed."
        )


def is_moderator(interaction: discord.Interaction, settings: Settings) -> bool:
    """Manage Messages in this channel, or a role named (or numbered) in MODERATOR_ROLES."""
    user = interaction.user
    if not isinstance(user, discord.Member):
        return False  # outside a server there is nobody to moderate for
    if interaction.permissions.manage_messages:
        return True
    wanted = {name.casefold() for name in settings.moderator_roles}
    return any(str(role.id) in wanted or role.name.casefold() in wanted for role in user.roles)


def require_moderator(interaction: discord.Interaction) -> None:
    """Raise :class:`NotModerator` unless the user is one (for buttons and modals)."""
    if not is_moderator(interaction, interaction.client.settings):  # type: ignore[attr-defined]
        raise NotModerator


def moderator_only() -> Callable[[T], T]:
    """Command decorator: refuse non-moderators before the command runs."""

    def predicate(interaction: discord.Interaction) -> bool:
        require_moderator(interaction)
        return True

    return app_commands.check(predicate)
