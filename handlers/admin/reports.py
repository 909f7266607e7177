"""``/factadmin history``, ``gaps``, ``stale`` and ``queue``: what moderators read to decide what to do.

Their pages turn for moderators only (``listing(..., moderators_only=True)``, set up by the group).
"""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.app_commands import Range

from handlers.admin.keys import AdminPart, Key
from handlers.admin_text import gaps_message, history_lines, last_checked
from handlers.error_replies import Refusal, tell
from handlers.parts import MAX_LISTED, fact_line, listed, review_of
from handlers.render import list_pages
from handlers.review_text import item_line
from handlers.review_views import review_buttons
from handlers.views import show_page
from knowledge.desk.stale import MAX_REVIEW_DAYS, REVIEW_DAYS, review_due


class Reports(AdminPart):
    """Listings of the base and of the desk's work."""

    @app_commands.command(name="history")
    @app_commands.describe(key="The fact whose changes you want to see")
    @app_commands.autocomplete(key=AdminPart.any_keys)
    async def history(self, interaction: discord.Interaction, key: Key) -> None:
        """Every change to a fact: who, when, what and why."""
        pages = await self.history_pages(interaction, key)
        await show_page(interaction, pages, code="h", args=key, ephemeral=True)

    async def history_pages(self, interaction: discord.Interaction, key: str) -> list[discord.Embed]:
        fact = self.knowledge.store.get(key)
        entries = self.knowledge.store.history(key)
        title = f"History of {key}: {len(entries)} change{'' if len(entries) == 1 else 's'}, newest first"
        return list_pages(title, history_lines(fact, entries))

    @app_commands.command(name="gaps")
    @app_commands.describe(days="How far back to look (default 30 days)", limit="How many (default 10)")
    async def gaps(
        self,
        interaction: discord.Interaction,
        days: Range[int, 1, 365] = 30,
        limit: Range[int, 1, 25] = 10,
    ) -> None:
        """The questions the most people asked that found no confident answer: what to research next."""
        gaps = self.knowledge.gaps.ranked(limit=limit, since_days=days)  # counted in memory: quick
        await tell(interaction, gaps_message(gaps, since_days=days))

    @app_commands.command(name="stale")
    @app_commands.describe(days=f"Not reviewed for at least this many days (default {REVIEW_DAYS})")
    async def stale(
        self, interaction: discord.Interaction, days: Range[int, 1, MAX_REVIEW_DAYS] = REVIEW_DAYS
    ) -> None:
        """Live facts nobody has reviewed for a while, the longest unchecked first: what to check next."""
        pages = await self.stale_pages(interaction, str(days))
        await show_page(interaction, pages, code="r", args=str(days), ephemeral=True)

    async def stale_pages(self, interaction: discord.Interaction, days: str) -> list[discord.Embed]:
        # A scan of every live fact: off the event loop. Facts are immutable, so the snapshot holds.
        due = await asyncio.to_thread(review_due, self.knowledge.store.facts(), days=int(days))
        if not due:
            raise Refusal(f"Every live fact was reviewed, or added, in the last {days} days.")
        title = f"Not reviewed for {days} days or more ({listed(len(due))}), longest unchecked first"
        return list_pages(title, [f"{fact_line(d.fact)} — {last_checked(d)}" for d in due[:MAX_LISTED]])

    @app_commands.command(name="queue")
    @app_commands.describe(item="Show this item, with Accept and Dismiss (its number, like 12)")
    async def queue(self, interaction: discord.Interaction, item: Range[int, 1] | None = None) -> None:
        """What staff flagged or suggested, waiting for review, oldest first; or one item to decide."""
        if item is None:
            pages = await self.queue_pages(interaction, "")
            await show_page(interaction, pages, code="rq", args="", ephemeral=True)
            return
        found = self.knowledge.queue.get(item)  # ItemNotFound goes to the error handler
        view = review_buttons(found.id) if found.is_open else discord.utils.MISSING
        embed = review_of(interaction).show(found)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def queue_pages(self, interaction: discord.Interaction, _args: str) -> list[discord.Embed]:
        items = self.knowledge.queue.open_items()
        if not items:
            raise Refusal("Nothing waits for review: no open flags or suggestions.")
        hint = "*To accept or dismiss one here: /factadmin queue item:<number>.*"
        lines = [hint, *(item_line(found) for found in items)]
        return list_pages(f"Review queue: {len(items)} open, oldest first", lines)
