"""Staff commands: ``/facts``, ``/timeline`` and ``/sources``.

Each command parses its options, asks :mod:`knowledge`, and shows the result
through :mod:`handlers.render`. Buttons look facts up again by key when
pressed, so an answer never shows a fact that was retracted since.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from handlers.error_replies import Refusal, tell
from handlers.parts import (
    MAX_LISTED,
    AskPickButton,
    CiteButton,
    MoreButton,
    PickButton,
    answer_buttons,
    fact_line,
    listed,
    no_match_line,
    picks,
    several_embed,
)
from handlers.render import (
    CHOICE_NAME_LIMIT,
    choice_name,
    clip,
    escape,
    fact_embed,
    list_pages,
    message_text,
    quoted_query,
    visible,
)
from handlers.review_text import ANSWER, SEVERAL
from handlers.views import listing, show_page
from knowledge.desk import browse
from knowledge.desk.answers import SEVERAL as SEVERAL_FORM
from knowledge.desk.answers import SUGGESTIONS
from knowledge.errors import FactNotFound, KnowledgeError
from knowledge.model import Fact
from knowledge.search.index import SearchOutcome
from knowledge.search.textnorm import normalise

if TYPE_CHECKING:
    from handlers.app import FactBot
    from knowledge.newsroom import Knowledge

log = logging.getLogger(__name__)

# /facts: a reporter checking a story looks up a handful of facts in a row; more
# than this in the window is a stuck key or spam.
FACTS_RATE = 5
FACTS_PER = 30.0
# /timeline and /sources post whole listings; a few in a row is plenty.
LIST_RATE = 3
LIST_PER = 30.0
SEARCH_LIMIT = 10  # best answer + the "More matches" pages
SUGGESTION_BUTTONS = 5


def gone(key: str) -> Refusal:
    """What a button says when its fact was retracted since."""
    return Refusal(f"The fact `{key}` has been retracted or removed since; it can no longer be shown.")


async def remember_card(
    knowledge: Knowledge, interaction: discord.Interaction, message_id: int, fact: Fact
) -> None:
    """Record a public card showing ``fact`` in the answer log, so a later correction reaches it
    (see :mod:`handlers.corrections`).

    Called once the card is sent: the answer stands whatever happens here. A
    disk that refuses costs only this card's later correction. Private cards
    are never recorded: Discord lets nobody edit them after 15 minutes.
    """
    channel_id = interaction.channel_id
    assert channel_id is not None  # cards are only sent in the newsroom's channels
    try:
        # The record is fsynced: off the event loop.
        await asyncio.to_thread(knowledge.answers.record, interaction.guild_id, channel_id, message_id, fact)
    except KnowledgeError as error:
        log.warning("Could not record answer %s for later corrections: %s", message_id, error)


async def remember_listing(
    knowledge: Knowledge,
    interaction: discord.Interaction,
    message_id: int,
    facts: Sequence[Fact],
    *,
    form: str,
    query: str,
    ask_id: str | None,
) -> None:
    """Record a public list of ``facts`` (several that fit, or the suggestions under "No fact
    matches") in the answer log, so a later correction of any of them reaches it, as
    :func:`remember_card` does for a card."""
    channel_id = interaction.channel_id
    assert channel_id is not None
    try:
        await asyncio.to_thread(
            knowledge.answers.record_listing,
            interaction.guild_id,
            channel_id,
            message_id,
            facts,
            form=form,
            query=query,
            asker=interaction.user.id,
            ask_id=ask_id,
        )
    except KnowledgeError as error:
        log.warning("Could not record listing %s for later corrections: %s", message_id, error)


def whole_words(text: str, limit: int) -> str:
    """As many of ``text``'s first words as fit in ``limit`` characters.

    A choice value for a name too long to send whole: /sources finds the
    publication from its first words, not from a word cut in half.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(maxsplit=1)[0]
    return cut if len(cut) <= limit else text[:limit]


def no_match_text(query: str, outcome: SearchOutcome) -> str:
    text = no_match_line(query, suggested=bool(outcome.suggestions))
    if outcome.suggestions:
        return text
    return text + " Nothing in the base comes close; the question has been noted for the fact desk."


class Lookup(commands.Cog):
    """Looking facts up: what newsroom staff use."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        listing("m", self.match_pages)
        listing("t", self.timeline_pages)
        listing("s", self.sources_pages)

    def live_fact(self, key: str) -> Fact:
        """The fact as it is now; a retracted one (staff never see those) is not found."""
        try:
            fact = self.knowledge.store.get(key)
        except FactNotFound:
            raise gone(key) from None
        if fact.retracted:
            raise gone(key)
        return fact

    def others(self, query: str, key: str) -> list[Fact]:
        """The query's matches and suggestions other than ``key``, best first (not recorded in gaps)."""
        outcome = self.knowledge.index.search(query, limit=SEARCH_LIMIT)
        hits = [*outcome.results, *outcome.suggestions[:SUGGESTION_BUTTONS]]
        return list({hit.fact.key: hit.fact for hit in hits if hit.fact.key != key}.values())

    async def pick(
        self,
        interaction: discord.Interaction,
        owner: int,
        key: str,
        query: str | None,
        *,
        ask_id: str | None = None,
    ) -> None:
        """A fact picked from a list (:class:`handlers.parts.PickButton`): the person who asked turns
        the list into that fact's card; anyone else gets the card privately.

        With ``ask_id`` (an :class:`handlers.parts.AskPickButton`) the query comes from the query log and
        the pick is logged for /factadmin gaps; a query no longer known gets no More matches.
        """
        fact = self.live_fact(key)
        if ask_id is not None:
            ask = self.knowledge.gaps.ask(ask_id)
            self.knowledge.gaps.pick(ask_id, key, asker=interaction.user.id)
            query = ask.query if ask is not None else None
        more = query is not None and bool(self.others(query, key))
        view = answer_buttons(query or "", key, more=more)
        if interaction.user.id == owner:
            await interaction.response.edit_message(content=None, embed=fact_embed(fact), view=view)
            message = interaction.message
            if message is not None and not message.flags.ephemeral:
                await remember_card(self.knowledge, interaction, message.id, fact)
        else:
            await interaction.response.send_message(embed=fact_embed(fact), view=view, ephemeral=True)

    def publishers(self) -> list[browse.Publisher]:
        knowledge = self.knowledge
        return knowledge.derived("publishers", lambda: browse.publishers(knowledge.store.facts()))

    @app_commands.command(name="facts", description="Look up a cited fact by name, key or question")
    @app_commands.describe(
        query="What you are looking for, e.g. silk way, uvda, drones 2020, or a question",
        private="Show the answer only to you (default: to the channel)",
    )
    @app_commands.guild_only()
    @app_commands.checks.cooldown(FACTS_RATE, FACTS_PER)
    async def facts(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 200],
        private: bool = False,
    ) -> None:
        """The best matching fact with its sources; buttons for more matches and a citation."""
        outcome = self.knowledge.index.search(query, limit=SEARCH_LIMIT)
        ask_id = self.knowledge.gaps.record(query, outcome, asker=interaction.user.id)
        if outcome.problem:
            await tell(interaction, outcome.problem)
            return
        if outcome.verdict == ANSWER:
            best, *others = outcome.results
            view = answer_buttons(query, best.fact.key, more=bool(others))
            sent = await interaction.response.send_message(
                embed=fact_embed(best.fact), view=view, ephemeral=private
            )
            if not private and sent.message_id is not None:
                await remember_card(self.knowledge, interaction, sent.message_id, best.fact)
            return
        if outcome.verdict == SEVERAL:
            # Remembered like a card, so a correction reaches each fact's line and button (a
            # picked fact turns the asker's list into a card, remembered then instead).
            fitting = [hit.fact for hit in outcome.results]
            sent = await interaction.response.send_message(
                embed=several_embed(query, fitting, outcome.narrowing),
                view=picks(interaction.user.id, fitting, query, ask_id),
                ephemeral=private,
            )
            if not private and sent.message_id is not None:
                await remember_listing(
                    self.knowledge,
                    interaction,
                    sent.message_id,
                    fitting,
                    form=SEVERAL_FORM,
                    query=query,
                    ask_id=ask_id,
                )
            return
        suggestions = [hit.fact for hit in outcome.suggestions[:SUGGESTION_BUTTONS]]
        text = no_match_text(query, outcome)
        if suggestions:
            sent = await interaction.response.send_message(
                message_text(text),
                view=picks(interaction.user.id, suggestions, query, ask_id),
                ephemeral=private,
            )
            if not private and sent.message_id is not None:
                await remember_listing(
                    self.knowledge,
                    interaction,
                    sent.message_id,
                    suggestions,
                    form=SUGGESTIONS,
                    query=query,
                    ask_id=ask_id,
                )
        else:
            await interaction.response.send_message(message_text(text), ephemeral=private)

    @facts.autocomplete("query")
    async def facts_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # The value is the key, so a picked choice and the same text typed out find the same fact.
        hits = self.knowledge.index.autocomplete(current, limit=25)
        return [app_commands.Choice(name=choice_name(hit.fact), value=hit.fact.key) for hit in hits[:25]]

    async def match_pages(self, interaction: discord.Interaction, args: str) -> list[discord.Embed]:
        key, query = args.split(":", 1)
        facts = self.others(query, key)
        if not facts:
            raise Refusal("There are no other matches any more.")
        total = len(facts) + 1
        return [
            fact_embed(fact, note=f"Match {n} of {total} for {quoted_query(query)}")
            for n, fact in enumerate(facts, start=2)
        ]

    async def more_matches(self, interaction: discord.Interaction, args: str) -> None:
        pages = await self.match_pages(interaction, args)
        await show_page(interaction, pages, code="m", args=args, ephemeral=True)

    @app_commands.command(name="timeline", description="Dated facts in order, oldest first")
    @app_commands.describe(
        from_year="Only facts about this year or later",
        to_year="Only facts about this year or earlier",
        topic="Only facts about this, e.g. drones, ovda, flights",
        private="Show the list only to you",
    )
    @app_commands.guild_only()
    @app_commands.checks.cooldown(LIST_RATE, LIST_PER)
    async def timeline(
        self,
        interaction: discord.Interaction,
        from_year: app_commands.Range[int, 1000, 2999] | None = None,
        to_year: app_commands.Range[int, 1000, 2999] | None = None,
        topic: app_commands.Range[str, 1, 100] | None = None,
        private: bool = False,
    ) -> None:
        """Every dated fact in a range of years, optionally on one topic, page by page."""
        args = f"{from_year or ''}:{to_year or ''}:{topic or ''}"
        pages = await self.timeline_pages(interaction, args)
        await show_page(interaction, pages, code="t", args=args, ephemeral=private)

    async def timeline_pages(self, interaction: discord.Interaction, args: str) -> list[discord.Embed]:
        start, end, text = args.split(":", 2)
        from_year, to_year, topic = int(start) if start else None, int(end) if end else None, text or None
        if topic is not None and not normalise(topic):
            # Otherwise nothing would filter, and every dated fact would be listed "about" it.
            raise Refusal(
                f"The topic {quoted_query(topic, 50)} has no word to look for; "
                "give one like drones, ovda or flights."
            )
        # A scan of every fact (1.3 s at 100,000 with a topic): off the event loop, so
        # other lookups go on meanwhile. Facts are immutable, so the snapshot holds.
        facts = self.knowledge.store.facts()
        entries = await asyncio.to_thread(browse.timeline, facts, from_year, to_year, topic)
        scope = ""
        if from_year is not None or to_year is not None:
            scope += f" {from_year or '…'}–{to_year or '…'}"
        if topic:
            scope += f" about {quoted_query(topic, 50)}"
        if not entries:
            raise Refusal(f"No dated facts{scope}.")
        lines = [f"**{entry.label}** · {fact_line(entry.fact)}" for entry in entries[:MAX_LISTED]]
        return list_pages(f"Timeline{scope} ({listed(len(entries))})", lines)

    @app_commands.command(name="sources", description="The publications our facts cite")
    @app_commands.describe(
        publisher="Show the facts citing this publication, e.g. Haaretz",
        private="Show the list only to you",
    )
    @app_commands.guild_only()
    @app_commands.checks.cooldown(LIST_RATE, LIST_PER)
    async def sources(
        self,
        interaction: discord.Interaction,
        publisher: app_commands.Range[str, 1, 100] | None = None,
        private: bool = False,
    ) -> None:
        """Every publication cited with how many facts cite it; or, for one publication, those facts."""
        args = publisher or ""
        pages = await self.sources_pages(interaction, args)
        await show_page(interaction, pages, code="s", args=args, ephemeral=private)

    async def sources_pages(self, interaction: discord.Interaction, publisher: str) -> list[discord.Embed]:
        if not publisher:
            listing_ = self.publishers()
            lines = [f"**{escape(p.name)}** — {len(p.facts)} fact(s)" for p in listing_]
            return list_pages(f"Publications cited ({len(listing_)})", lines)
        found = browse.find_publisher(self.publishers(), publisher)
        if found is None:
            raise Refusal(
                f"No fact cites {quoted_query(publisher, 50)}. Use /sources alone to see every publication."
            )
        lines = [fact_line(fact) for fact in found.facts[:MAX_LISTED]]
        return list_pages(f"Facts citing {escape(found.name)} ({listed(len(found.facts))})", lines)

    @sources.autocomplete("publisher")
    async def sources_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        wanted = normalise(current)
        names = [p.name for p in self.publishers()]
        matching = [name for name in names if wanted in normalise(name)]
        return [
            app_commands.Choice(
                name=clip(visible(name), CHOICE_NAME_LIMIT), value=whole_words(name, CHOICE_NAME_LIMIT)
            )
            for name in matching[:25]
        ]


async def setup(bot: FactBot) -> None:
    await bot.add_cog(Lookup(bot.knowledge))
    bot.add_dynamic_items(CiteButton, MoreButton, PickButton, AskPickButton)
