"""``/factadmin``: how moderators add, correct, retract and review facts from Discord.

One group, composed of parts (discord.py collects a cog's app commands from
its base classes too):

- :mod:`~handlers.admin.facts`: add, edit, cite, retract, restore, review;
- :mod:`~handlers.admin.files`: export and import;
- :mod:`~handlers.admin.reports`: history, stale and the review queue;
- :mod:`~handlers.admin.teaching`: gaps, and teach (with its Teach button);
- :mod:`~handlers.admin.thesaurus`: the ``synonym`` subgroup;
- :mod:`~handlers.admin.keys`: the key options and their autocomplete, the base of every part.

Confirm and Cancel, for a change that needs a second look, are :mod:`handlers.confirm`
(the review channel's Accept asks with them too); this cog registers their button.

The moderator rule is checked in one place for the whole group, its
:meth:`FactAdmin.interaction_check`; its autocomplete carries the same check
and its page turns are ``moderators_only``. Replies are private to the
moderator; nothing here pings anyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from handlers.admin.facts import FactChanges
from handlers.admin.files import FactFiles
from handlers.admin.keys import moderators
from handlers.admin.reports import Reports
from handlers.admin.teaching import TeachButton, Teaching
from handlers.admin.thesaurus import Thesaurus
from handlers.checks import NotModerator
from handlers.confirm import DecideButton
from handlers.forms import OpenForms
from handlers.views import listing

if TYPE_CHECKING:
    from handlers.app import FactBot
    from handlers.settings import Settings
    from knowledge.newsroom import Knowledge


# A hint for the Discord client only; server admins can change it, so
# interaction_check decides again on every use.
@app_commands.default_permissions(manage_messages=True)
@app_commands.guild_only()
class FactAdmin(
    FactChanges,
    FactFiles,
    Reports,
    Teaching,
    Thesaurus,
    commands.GroupCog,
    group_name="factadmin",
    group_description="Moderators: add, correct, retract and review facts.",
):
    """Moderator commands. Every command, button and form checks the moderator role when used."""

    def __init__(self, knowledge: Knowledge, settings: Settings) -> None:
        self.knowledge = knowledge
        self.settings = settings
        self.open_forms = OpenForms()
        for code, build in (
            ("h", self.history_pages),
            ("r", self.stale_pages),
            ("rq", self.queue_pages),
            ("sy", self.synonym_pages),
            ("syh", self.synonym_history_pages),
        ):
            listing(code, build, moderators_only=True)
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """The /factadmin group's check: moderators only, decided now (roles change)."""
        if not moderators(interaction):
            raise NotModerator
        return True


async def setup(bot: FactBot) -> None:
    await bot.add_cog(FactAdmin(bot.knowledge, bot.settings))
    bot.add_dynamic_items(DecideButton, TeachButton)
