"""Staff commands: ``/facts``, ``/timeline`` and ``/sources``.

Each command parses its options, asks :mod:`knowledge`, and shows the result
through :mod:`handlers.render`. Buttons look facts up again by key when
pressed, so an answer never shows a fact that was retracted since.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from handlers.errors import tell
from handlers.render import (
    BUTTON_LABEL_LIMIT,
    CHOICE_NAME_LIMIT,
    choice_name,
    citation_line,
    clip,
    escape,
    fact_embed,
    list_pages,
    quoted_query,
)
from handlers.views import ExpiringView, Paginator
from knowledge import browse
from knowledge.errors import FactNotFound
from knowledge.model import Fact
from knowledge.search import SearchOutcome
from knowledge.textnorm import normalise

if TYPE_CHECKING:
    from handlers.app import FactBot
    from knowledge.desk import Knowledge

# /facts: a reporter checking a story looks up a handful of facts in a row; more
# than this in the window is a stuck key or spam.
FACTS_RATE = 5
FACTS_PER = 30.0
SEARCH_LIMIT = 10  # best answer + the "More matches" pages
SUGGESTION_BUTTONS = 5
LINE_CLAIM = 200
# A listing longer than this is no use to read page by page; narrowing it is.
MAX_LISTED = 500


class UserCooldown:
    """Per-user limit of ``rate`` uses in any ``per`` seconds, as an app-command check.

    On the monotonic clock, so a wall-clock change never locks anyone out.
    """

    def __init__(self, rate: int, per: float) -> None:
        self.rate = rate
        self.per = per
        self._uses: dict[int, deque[float]] = {}

    def __call__(self, interaction: discord.Interaction) -> bool:
        now = time.monotonic()
        for user_id in [u for u, uses in self._uses.items() if now - uses[-1] >= self.per]:
            del self._uses[user_id]  # forget users who have been quiet for a whole window
        uses = self._uses.setdefault(interaction.user.id, deque())
        while uses and now - uses[0] >= self.per:
            uses.popleft()
        if len(uses) >= self.rate:
            retry_after = self.per - (now - uses[0])
            raise app_commands.CommandOnCooldown(app_commands.Cooldown(self.rate, self.per), retry_after)
        uses.append(now)
        return True


def knowledge_of(interaction: discord.Interaction) -> Knowledge:
    return interaction.client.knowledge  # type: ignore[attr-defined]


def live_fact(interaction: discord.Interaction, key: str) -> Fact | None:
    """The fact as it is now, or None if it was retracted (staff never see those)."""
    try:
        fact = knowledge_of(interaction).store.get(key)
    except FactNotFound:
        return None
    return None if fact.retracted else fact


def fact_line(fact: Fact) -> str:
    status = "" if fact.status == "verified" else f" *({fact.status})*"
    return f"{escape(clip(' '.join(fact.claim.split()), LINE_CLAIM))}{status} · `{fact.key}`"


async def gone(interaction: discord.Interaction, key: str) -> None:
    await tell(
        interaction, f"The fact `{key}` has been retracted or removed since; it can no longer be shown."
    )


class FactView(ExpiringView):
    """Under an answer: More matches and Cite. Anyone may press them; replies are private."""

    def __init__(self, query: str, key: str, others: list[str]) -> None:
        super().__init__()
        self.query = query
        self.key = key
        self.others = others
        if not others:
            self.remove_item(self.more)

    @discord.ui.button(label="More matches", style=discord.ButtonStyle.primary)
    async def more(self, interaction: discord.Interaction, _button: discord.ui.Button[FactView]) -> None:
        facts = [fact for key in self.others if (fact := live_fact(interaction, key))]
        if not facts:
            await tell(interaction, "There are no other matches any more.")
            return
        total = len(facts) + 1
        pages = [
            fact_embed(fact, note=f"Match {n} of {total} for {quoted_query(self.query)}")
            for n, fact in enumerate(facts, start=2)
        ]
        await Paginator(interaction.user.id, pages).start(interaction, ephemeral=True)

    @discord.ui.button(label="Cite", style=discord.ButtonStyle.secondary)
    async def cite(self, interaction: discord.Interaction, _button: discord.ui.Button[FactView]) -> None:
        fact = live_fact(interaction, self.key)
        if fact is None:
            await gone(interaction, self.key)
            return
        # Link previews of every source would bury the line to copy.
        await interaction.response.send_message(citation_line(fact), ephemeral=True, suppress_embeds=True)


class SuggestionView(ExpiringView):
    """Under "No fact matches": one button per suggestion.

    The person who asked turns the message into that fact; anyone else gets
    it privately, so nobody changes someone else's answer.
    """

    def __init__(self, owner_id: int, query: str, suggestions: list[Fact]) -> None:
        super().__init__()
        self.owner_id = owner_id
        self.query = query
        self.keys = [fact.key for fact in suggestions]
        for fact in suggestions:
            button: discord.ui.Button[SuggestionView] = discord.ui.Button(
                label=clip(choice_name(fact), BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.secondary,
            )
            button.callback = self._opener(fact.key)
            self.add_item(button)

    def _opener(self, key: str) -> Callable[[discord.Interaction], Awaitable[None]]:
        async def open_fact(interaction: discord.Interaction) -> None:
            fact = live_fact(interaction, key)
            if fact is None:
                await gone(interaction, key)
                return
            view = FactView(self.query, key, [k for k in self.keys if k != key])
            if interaction.user.id == self.owner_id:
                self.stop()
                await view.show_in(interaction, content=None, embed=fact_embed(fact))
            else:
                await view.send(interaction, embed=fact_embed(fact), ephemeral=True)

        return open_fact


def whole_words(text: str, limit: int) -> str:
    """As many of ``text``'s first words as fit in ``limit`` characters.

    A choice value for a name too long to send whole: /sources finds the
    publication from its first words, not from a word cut in half.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(maxsplit=1)[0]
    return cut if len(cut) <= limit else text[:limit]


def listed(count: int) -> str:
    if count <= MAX_LISTED:
        return "1 fact" if count == 1 else f"{count} facts"
    return f"first {MAX_LISTED} of {count} facts; narrow it down to see the rest"


def tie_note(query: str, tied: int) -> str | None:
    if tied < 2:
        return None
    return (
        f"{tied} of the matches for {quoted_query(query)} fit about equally well; this is the first. "
        "See More matches, or add a word to narrow it down."
    )


def no_match_text(query: str, outcome: SearchOutcome) -> str:
    text = f"No fact matches {quoted_query(query)}."
    if outcome.suggestions:
        return text + " Did you mean one of these?"
    return text + " Nothing in the base comes close; the question has been noted for the fact desk."


class Lookup(commands.Cog):
    """Looking facts up: what newsroom staff use."""

    def __init__(self, bot: FactBot) -> None:
        self.bot = bot
        self.facts_cooldown = UserCooldown(FACTS_RATE, FACTS_PER)

    def publishers(self) -> list[browse.Publisher]:
        knowledge = self.bot.knowledge
        return knowledge.derived("publishers", lambda: browse.publishers(knowledge.store.facts()))

    @app_commands.command(name="facts", description="Look up a cited fact by name, key or question")
    @app_commands.describe(
        query="What you are looking for, e.g. silk way, uvda, drones 2020, or a question",
        private="Show the answer only to you (default: to the channel)",
    )
    @app_commands.guild_only()
    async def facts(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 200],
        private: bool = False,
    ) -> None:
        """The best matching fact with its sources; buttons for more matches and a citation."""
        self.facts_cooldown(interaction)
        knowledge = self.bot.knowledge
        outcome = knowledge.index.search(query, limit=SEARCH_LIMIT)
        knowledge.gaps.record(query, outcome)
        if outcome.problem:
            await tell(interaction, outcome.problem)
            return
        if outcome.results:
            best, *others = outcome.results
            view = FactView(query, best.fact.key, [hit.fact.key for hit in others])
            note = tie_note(query, outcome.tied)
            await view.send(interaction, embed=fact_embed(best.fact, note=note), ephemeral=private)
            return
        suggestions = [hit.fact for hit in outcome.suggestions[:SUGGESTION_BUTTONS]]
        text = no_match_text(query, outcome)
        if suggestions:
            await SuggestionView(interaction.user.id, query, suggestions).send(
                interaction, content=text, ephemeral=private
            )
        else:
            await interaction.response.send_message(text, ephemeral=private)

    @facts.autocomplete("query")
    async def facts_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # The value is the key, so a picked choice and the same text typed out find the same fact.
        hits = self.bot.knowledge.index.autocomplete(current, limit=25)
        return [app_commands.Choice(name=choice_name(hit.fact), value=hit.fact.key) for hit in hits[:25]]

    @app_commands.command(name="timeline", description="Dated facts in order, oldest first")
    @app_commands.describe(
        from_year="Only facts about this year or later",
        to_year="Only facts about this year or earlier",
        topic="Only facts about this, e.g. drones, ovda, flights",
        private="Show the list only to you",
    )
    @app_commands.guild_only()
    async def timeline(
        self,
        interaction: discord.Interaction,
        from_year: app_commands.Range[int, 1000, 2999] | None = None,
        to_year: app_commands.Range[int, 1000, 2999] | None = None,
        topic: app_commands.Range[str, 1, 100] | None = None,
        private: bool = False,
    ) -> None:
        """Every dated fact in a range of years, optionally on one topic, page by page."""
        if topic is not None and not normalise(topic):
            # Otherwise nothing would filter, and every dated fact would be listed "about" it.
            await tell(
                interaction,
                f"The topic {quoted_query(topic, 50)} has no word to look for; "
                "give one like drones, ovda or flights.",
            )
            return
        # A scan of every fact (1.3 s at 100,000 with a topic): off the event loop, so
        # other lookups go on meanwhile. Facts are immutable, so the snapshot holds.
        facts = self.bot.knowledge.store.facts()
        entries = await asyncio.to_thread(browse.timeline, facts, from_year, to_year, topic)
        scope = ""
        if from_year is not None or to_year is not None:
            scope += f" {from_year or '…'}–{to_year or '…'}"
        if topic:
            scope += f" about {quoted_query(topic, 50)}"
        if not entries:
            await tell(interaction, f"No dated facts{scope}.")
            return
        lines = [f"**{entry.label}** · {fact_line(entry.fact)}" for entry in entries[:MAX_LISTED]]
        pages = list_pages(f"Timeline{scope} ({listed(len(entries))})", lines)
        await Paginator(interaction.user.id, pages).start(interaction, ephemeral=private)

    @app_commands.command(name="sources", description="The publications our facts cite")
    @app_commands.describe(
        publisher="Show the facts citing this publication, e.g. Haaretz",
        private="Show the list only to you",
    )
    @app_commands.guild_only()
    async def sources(
        self,
        interaction: discord.Interaction,
        publisher: app_commands.Range[str, 1, 100] | None = None,
        private: bool = False,
    ) -> None:
        """Every publication cited with how many facts cite it; or, for one publication, those facts."""
        if publisher is None:
            listing = self.publishers()
            lines = [f"**{escape(p.name)}** — {len(p.facts)} fact(s)" for p in listing]
            title = f"Publications cited ({len(listing)})"
        else:
            found = browse.find_publisher(self.publishers(), publisher)
            if found is None:
                await tell(
                    interaction,
                    f"No fact cites {quoted_query(publisher, 50)}. "
                    "Use /sources alone to see every publication.",
                )
                return
            lines = [fact_line(fact) for fact in found.facts[:MAX_LISTED]]
            title = f"Facts citing {escape(found.name)} ({listed(len(found.facts))})"
        await Paginator(interaction.user.id, list_pages(title, lines)).start(interaction, ephemeral=private)

    @sources.autocomplete("publisher")
    async def sources_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        wanted = normalise(current)
        names = [p.name for p in self.publishers()]
        matching = [name for name in names if wanted in normalise(name)]
        return [
            app_commands.Choice(
                name=clip(name, CHOICE_NAME_LIMIT), value=whole_words(name, CHOICE_NAME_LIMIT)
            )
            for name in matching[:25]
        ]


async def setup(bot: FactBot) -> None:
    await bot.add_cog(Lookup(bot))
