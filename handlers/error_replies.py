"""The one error handler: expected problems become a short private note, the rest an apology.

Named for what it does with errors (replies), not ``errors``: ``knowledge.errors``
is the domain's error family, which this module turns into words.

The command tree's ``on_error`` (:class:`handlers.checks.NewsroomTree`) calls :func:`report_error`; buttons
and forms send their errors here too, so a user never sees a traceback and every unexpected error
is logged with one.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import discord
from discord import app_commands

from handlers.admin_text import problems_message
from handlers.render import clip, message_text
from knowledge.errors import InvalidFact, InvalidSynonyms, KnowledgeError

log = logging.getLogger(__name__)

APOLOGY = (
    "Sorry, something went wrong on our side. It has been logged; "
    "please try again, and tell a moderator if it keeps happening."
)


class Refusal(Exception):
    """An expected refusal of the Discord layer (nothing to list, a button from before a restart).

    Raised like the knowledge errors, so the one handler turns it into a private message.
    """


@contextmanager
def as_form(
    names: Mapping[str, str] | None = None, *, source_fields: bool = False, after: str = ""
) -> Iterator[None]:
    """Knowledge errors raised inside, worded for the form the moderator filled in.

    A rejected record lists its problems under the names this form gives the
    fields (``source_url`` in /factadmin add, ``url`` in /factadmin cite);
    ``after`` is added to any refusal (like "Nothing was changed."). The error
    still goes to the one handler; only its words are chosen here.
    """
    try:
        yield
    except (InvalidFact, InvalidSynonyms) as error:
        raise Refusal(problems_message(error, names, source_fields=source_fields) + after) from error
    except KnowledgeError as error:
        if not after:
            raise
        raise Refusal(f"{error}{after}") from error


def _permission_names(permissions: list[str]) -> str:
    return ", ".join(name.replace("_", " ").title() for name in permissions)


def user_message(error: BaseException) -> str | None:
    """What to tell the user about an expected error, or None if it is unexpected."""
    if isinstance(error, KnowledgeError | Refusal):
        return str(error)
    if isinstance(error, app_commands.CommandOnCooldown):
        return (
            f"Slow down a little: you can use this command again in {math.ceil(error.retry_after)} seconds."
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works only inside a server."
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the {_permission_names(error.missing_permissions)} permission for this."
    if isinstance(error, app_commands.BotMissingPermissions):
        return (
            f"I am missing the {_permission_names(error.missing_permissions)} permission here; "
            "ask a server admin to grant it."
        )
    if isinstance(error, app_commands.TransformerError):
        return f"{clip(str(error.value), 100)!r} is not a valid value for that option."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) if error.args else "You cannot use this command here."
    return None


async def tell(interaction: discord.Interaction, message: str) -> None:
    """Say ``message`` privately to the user, whether or not the interaction was answered."""
    if interaction.type is discord.InteractionType.autocomplete:
        return  # an autocomplete answer cannot carry a message
    message = message_text(message)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("Could not tell user %s about an error (interaction expired?)", interaction.user.id)


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tree, view and modal error handler."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    message = user_message(error)
    if message is None:
        where = (
            interaction.command.qualified_name
            if interaction.command
            else (interaction.data or {}).get("custom_id", "an interaction")
        )
        log.error("Unexpected error in %s (user %s)", where, interaction.user.id, exc_info=error)
        message = APOLOGY
    await tell(interaction, message)
