"""``/factadmin synonym …``: the words moderators teach search to read as the same.

Named for what the commands edit (the moderators' part of the thesaurus);
the groups themselves are kept by :mod:`knowledge.desk.synonyms`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.app_commands import Range

from handlers.admin.keys import AUTOCOMPLETE_LIMIT, AdminPart, moderators
from handlers.admin_text import history_line, split_list, synonym_line, synonym_words
from handlers.error_replies import Refusal, as_form, tell
from handlers.parts import actor_of
from handlers.render import CHOICE_NAME_LIMIT, clip, list_pages, visible
from handlers.views import show_page
from knowledge.desk.synonyms import MAX_WORD, MAX_WORDS, THESAURUS, Group
from knowledge.model import MAX_REASON

SYNONYM_OPTION_LIMIT = MAX_WORDS * (MAX_WORD + 2)  # the longest group, comma-separated
Words = Range[str, 1, SYNONYM_OPTION_LIMIT]
Reason = Range[str, 1, MAX_REASON] | None
REASON_HELP = "Why (kept in the history)"


class Thesaurus(AdminPart):
    """The ``synonym`` subgroup of ``/factadmin``."""

    synonym = app_commands.Group(
        name="synonym", description="Moderators: words that mean the same to /facts and Check facts."
    )

    @synonym.command(name="add")
    @app_commands.describe(
        words="Two or more single words that mean the same, separated by commas (like uvda, ovda, עובדה)",
        reason=REASON_HELP,
    )
    async def synonym_add(
        self, interaction: discord.Interaction, words: Words, reason: Reason = None
    ) -> None:
        """Teach search that these words mean the same: a search for one finds facts saying another."""
        added = (
            "Added the synonym group {words}. /facts and Check facts now read each of these words as "
            "the others. `/factadmin synonym remove` takes it back."
        )
        await self._synonym_change(interaction, self.knowledge.add_synonyms, words, reason, added)

    @synonym.command(name="remove")
    @app_commands.describe(
        words="Every word of the group, separated by commas (pick it from the list)", reason=REASON_HELP
    )
    async def synonym_remove(
        self, interaction: discord.Interaction, words: Words, reason: Reason = None
    ) -> None:
        """Remove a synonym group a moderator added (the groups shipped with the bot stay)."""
        removed = "Removed the synonym group {words}; search no longer reads these words as the same."
        await self._synonym_change(interaction, self.knowledge.synonyms.remove_group, words, reason, removed)

    async def _synonym_change(
        self,
        interaction: discord.Interaction,
        change: Callable[..., Awaitable[Group]],
        words: str,
        reason: str | None,
        done: str,
    ) -> None:
        """Save a synonym change (``change(words, actor, reason=…)``) by this moderator; ``done``
        (with ``{words}``) says what it did."""
        await interaction.response.defer(ephemeral=True, thinking=True)  # a saved write: may take a while
        with as_form():  # a group's problems listed like a form's
            group = await change(split_list(words) or [], actor_of(interaction), reason=reason)
        await tell(interaction, done.format(words=synonym_words(group.words)))

    @synonym_remove.autocomplete("words")
    @app_commands.check(moderators)  # the group's check does not run for autocomplete
    async def added_groups(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        wanted = current.strip().casefold()
        values = [", ".join(group) for group in self.knowledge.synonyms.groups()]
        return [
            app_commands.Choice(name=clip(visible(value), CHOICE_NAME_LIMIT), value=value)
            for value in values
            if wanted in value and len(value) <= CHOICE_NAME_LIMIT
        ][:AUTOCOMPLETE_LIMIT]

    @synonym.command(name="list")
    async def synonym_list(self, interaction: discord.Interaction) -> None:
        """The synonym groups moderators added, with who added each and when."""
        pages = await self.synonym_pages(interaction, "")
        await show_page(interaction, pages, code="sy", args="", ephemeral=True)

    async def synonym_pages(self, interaction: discord.Interaction, _args: str) -> list[discord.Embed]:
        groups = self.knowledge.synonyms.attributed()
        if not groups:
            raise Refusal(
                "No synonym groups added by moderators yet "
                "(the bot's own are in knowledge/search/thesaurus.json). "
                "Add one with `/factadmin synonym add`."
            )
        title = f"Synonym groups added by moderators ({len(groups)}), oldest first"
        return list_pages(title, [synonym_line(group) for group in groups])

    @synonym.command(name="history")
    async def synonym_history(self, interaction: discord.Interaction) -> None:
        """Every synonym group added or removed: who, when, which words and why."""
        pages = await self.synonym_history_pages(interaction, "")
        await show_page(interaction, pages, code="syh", args="", ephemeral=True)

    async def synonym_history_pages(
        self, interaction: discord.Interaction, _args: str
    ) -> list[discord.Embed]:
        entries = self.knowledge.store.history(THESAURUS)
        if not entries:
            raise Refusal("No synonym group has been added or removed yet.")
        title = f"Synonym changes: {len(entries)}, newest first"
        return list_pages(title, [history_line(entry) for entry in reversed(entries)])
