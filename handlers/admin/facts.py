"""``/factadmin add``, ``edit``, ``cite``, ``retract``, ``restore`` and ``review``: the changes to a fact.

Each turns its options into the record the knowledge layer takes and calls
the store; validation is the model's (``parse_fact``), writes are the store's
(async, off the event loop), and every change is attributed to the moderator.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import partial

import discord
from discord import app_commands
from discord.app_commands import Range
from discord.ext import commands

from handlers.admin.keys import STATUS_CHOICES, AdminPart, Key, key_list
from handlers.admin_text import ADD_FIELDS, split_list
from handlers.confirm import Outcome, confirm_first
from handlers.error_replies import as_form
from handlers.forms import EDIT_FORM_RE, EditFactModal, OpenForms, resume_form, save_edit
from handlers.parts import Published, Publisher, SourceTitle, SourceUrl, actor_of, source_help
from handlers.render import fact_embed, message_text
from knowledge.errors import DuplicateFact
from knowledge.model import (
    MAX_CAVEATS,
    MAX_CLAIM,
    MAX_DETAILS,
    MAX_QUOTE,
    MAX_REASON,
    SOURCE_KINDS,
    Fact,
    parse_fact,
)

LIST_OPTION_LIMIT = 4000  # a comma-separated list option; each entry is checked by the model
KIND_CHOICES = [app_commands.Choice(name=k, value=k) for k in SOURCE_KINDS]


class FactChanges(AdminPart):
    """The commands that change one fact."""

    open_forms: OpenForms  # edit forms this process awaits

    async def _write(
        self, change: Callable[[], Awaitable[Fact]], done: str, *, cite: bool = False
    ) -> Outcome:
        """Run a store write; what the moderator sees on success. A refusal raises, for the one handler.

        ``cite``: the options describe one source, so problems name them bare (``url``).
        """
        with as_form({} if cite else ADD_FIELDS, source_fields=cite):
            fact = await change()
        return done.format(key=fact.key, version=fact.version, sources=len(fact.sources)), fact_embed(fact)

    async def _deferred(
        self,
        interaction: discord.Interaction,
        change: Callable[[], Awaitable[Fact]],
        done: str,
        *,
        cite: bool = False,
    ) -> None:
        # Writes can take longer than Discord's 3 seconds; defer first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        content, embed = await self._write(change, done, cite=cite)
        await interaction.followup.send(
            message_text(content), embed=embed or discord.utils.MISSING, ephemeral=True
        )

    @app_commands.command(name="add")
    @app_commands.describe(
        key="Short unique name: lowercase letters, digits and hyphens (like silk-way-ovda-flights)",
        claim="The fact, in one or two plain sentences",
        **source_help(publisher="publisher", source_title="title", source_url="url", published="published"),
        status="How sure we are (default: verified)",
        aliases="Other names people search for, separated by commas",
        tags="Topics, separated by commas",
        period="When the fact happened: 2016, 2016-04-02 or 2016-2020",
        details="Background a reporter may need",
        caveats="What the fact does not say, or disputes about it",
    )
    @app_commands.choices(status=STATUS_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction,
        key: Key,
        claim: Range[str, 1, MAX_CLAIM],
        publisher: Publisher,
        source_title: SourceTitle,
        source_url: SourceUrl,
        published: Published,
        status: str | None = None,
        aliases: Range[str, 1, LIST_OPTION_LIMIT] | None = None,
        tags: Range[str, 1, LIST_OPTION_LIMIT] | None = None,
        period: Range[str, 1, 10] | None = None,
        details: Range[str, 1, MAX_DETAILS] | None = None,
        caveats: Range[str, 1, MAX_CAVEATS] | None = None,
    ) -> None:
        """Add a new fact with its first source."""
        record = {
            "key": key,
            "claim": claim,
            "status": status,
            "aliases": split_list(aliases),
            "tags": split_list(tags),
            "period": period,
            "details": details,
            "caveats": caveats,
            "sources": [
                {"publisher": publisher, "title": source_title, "url": source_url, "published": published}
            ],
        }
        record = {name: value for name, value in record.items() if value is not None}
        with as_form(ADD_FIELDS):
            # The model's one validation, run before asking anything, so a
            # near-duplicate question is never asked about a record that cannot be saved.
            fact = parse_fact(record)
        if self.knowledge.store.key_taken(fact.key):
            raise DuplicateFact(fact.key)

        store = self.knowledge.store
        done = "Added `{key}`."
        similar = self.knowledge.index.near_duplicates(fact.claim, fact.aliases)
        if not similar:
            await self._deferred(interaction, partial(store.add, record, actor_of(interaction)), done)
            return

        async def add_anyway(pressed: discord.Interaction) -> Outcome:
            return await self._write(partial(store.add, record, actor_of(pressed)), done)

        top = similar[0]
        others = [hit.fact.key for hit in similar[1:]]
        question = (
            f"`{fact.key}` looks like the existing fact `{top.fact.key}` "
            f"({top.score:.0f}% similar), shown below."
            + (f" Also similar: {key_list(others)}." if others else "")
            + " Add it anyway?"
        )
        unchanged = f"`{fact.key}` was not added."
        await confirm_first(
            interaction, "add", question, add_anyway, unchanged=unchanged, embed=fact_embed(top.fact)
        )

    @app_commands.command(name="edit")
    @app_commands.describe(key="The fact to correct")
    @app_commands.autocomplete(key=AdminPart.live_keys)
    async def edit(self, interaction: discord.Interaction, key: Key) -> None:
        """Correct a fact's text in a form (claim, details, caveats, aliases, tags)."""
        fact = self.knowledge.store.get(key)  # FactNotFound goes to the error handler
        form = EditFactModal(fact, interaction.user.id)
        if (submitted := await self.open_forms.ask(interaction, form)) is not None:
            await save_edit(self.knowledge.store, submitted, form)

    def rebuild_edit(self, match: re.Match[str]) -> EditFactModal:
        """An edit form from its custom_id (an EDIT_FORM_RE match): moderator, fact and version."""
        fact = self.knowledge.store.get(match["key"])
        return EditFactModal(fact, int(match["owner"], 36), version=int(match["version"]))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """An edit form submitted after a restart: rebuilt and saved against the version it was
        opened at, or refused as stale, exactly as it would have been before the restart."""
        resumed = await resume_form(
            interaction, EDIT_FORM_RE, self.open_forms, self.settings, self.rebuild_edit
        )
        if resumed is not None:
            form, submitted = resumed
            await save_edit(self.knowledge.store, submitted, form)

    @app_commands.command(name="cite")
    @app_commands.describe(
        key="The fact this source supports",
        **source_help(publisher="publisher", title="title", url="url", published="published"),
        kind="primary (the original), secondary (a report on it) or mirror (a copy)",
        quote="The exact words that support the fact",
    )
    @app_commands.choices(kind=KIND_CHOICES)
    @app_commands.autocomplete(key=AdminPart.live_keys)
    async def cite(
        self,
        interaction: discord.Interaction,
        key: Key,
        publisher: Publisher,
        title: SourceTitle,
        url: SourceUrl,
        published: Published,
        kind: str | None = None,
        quote: Range[str, 1, MAX_QUOTE] | None = None,
    ) -> None:
        """Add a source to a fact."""
        given = {"publisher": publisher, "title": title, "url": url, "published": published}
        source = given | {name: value for name, value in (("kind", kind), ("quote", quote)) if value}
        change = partial(self.knowledge.store.cite, key, source, actor=actor_of(interaction))
        await self._deferred(
            interaction, change, "Added a source to `{key}` (now {sources} sources).", cite=True
        )

    @app_commands.command(name="retract")
    @app_commands.describe(key="The fact to withdraw", reason="Why (kept in the history)")
    @app_commands.autocomplete(key=AdminPart.live_keys)
    async def retract(
        self, interaction: discord.Interaction, key: Key, reason: Range[str, 1, MAX_REASON]
    ) -> None:
        """Withdraw a fact: staff stop seeing it; it stays in the history and can be restored."""
        change = partial(self.knowledge.store.retract, key, reason, actor_of(interaction))
        await self._deferred(interaction, change, "Retracted `{key}`. `/factadmin restore` brings it back.")

    @app_commands.command(name="restore")
    @app_commands.describe(key="The retracted fact to bring back", reason="Why (kept in the history)")
    @app_commands.autocomplete(key=AdminPart.retracted_keys)
    async def restore(
        self, interaction: discord.Interaction, key: Key, reason: Range[str, 1, MAX_REASON] | None = None
    ) -> None:
        """Bring back a retracted fact."""
        change = partial(self.knowledge.store.restore, key, actor_of(interaction), reason)
        await self._deferred(interaction, change, "Restored `{key}`.")

    @app_commands.command(name="review")
    @app_commands.describe(key="The fact you checked", status="Change how sure we are (optional)")
    @app_commands.choices(status=STATUS_CHOICES)
    @app_commands.autocomplete(key=AdminPart.live_keys)
    async def review(self, interaction: discord.Interaction, key: Key, status: str | None = None) -> None:
        """Record that you checked a fact today, optionally changing its status."""
        change = partial(self.knowledge.store.review, key, actor_of(interaction), status=status)
        await self._deferred(interaction, change, "Marked `{key}` as reviewed now.")
