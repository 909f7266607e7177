"""``/factadmin gaps`` and ``teach``: what reporters asked and found no answer to, and teaching the
base their words.

``gaps`` lists the questions with the facts people picked for them from the
buttons ``/facts`` offered, and a Teach button under the top ones; ``teach``
(or Teach) stores a question on a fact (``asked_as``), so search answers it
and questions close to it with that fact from then on.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import Range

from handlers.admin.keys import AUTOCOMPLETE_LIMIT, AdminPart, Key, key_choice, moderators
from handlers.admin_text import gaps_message
from handlers.buttons import DeskButton, view_of
from handlers.error_replies import Refusal, as_form
from handlers.forms import allowed
from handlers.parts import actor_of, running_cog
from handlers.render import (
    BUTTON_LABEL_LIMIT,
    CHOICE_NAME_LIMIT,
    clip,
    fact_embed,
    message_text,
    quoted_query,
    visible,
)
from knowledge.desk.gaps import Gap
from knowledge.model import MAX_QUESTION
from knowledge.search.textnorm import normalise

TEACH_BUTTONS = 5  # one row under /factadmin gaps: the top questions with picks
# How /factadmin teach and the Teach button name the fields the validation names.
TEACH_FIELDS = {"asked_as": "question"}


class Teaching(AdminPart):
    """The questions nobody found answered, and teaching a fact the one people picked."""

    @app_commands.check(moderators)  # the group's check does not run for autocomplete
    async def gap_questions(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Unanswered questions (most asked first) not yet taught, that fit a choice's value."""
        wanted, taught = normalise(current), self.taught()
        return [
            app_commands.Choice(name=clip(visible(gap.query), CHOICE_NAME_LIMIT), value=gap.query)
            for gap in self.knowledge.gaps.ranked(limit=200)
            if len(gap.query) <= CHOICE_NAME_LIMIT
            and wanted in normalise(gap.query)
            and normalise(gap.query) not in taught
        ][:AUTOCOMPLETE_LIMIT]

    @app_commands.check(moderators)
    async def picked_keys(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Live facts, with those people picked for the question given so far first."""
        choices = self._key_choices(interaction, current, retracted=False)
        question = normalise(str(getattr(interaction.namespace, "question", None) or ""))
        picks = self.knowledge.gaps.picks_for(question) if question else ()
        if not choices or not picks:
            return choices
        wanted = current.strip().casefold()
        store = self.knowledge.store
        picked = [
            key_choice(fact)
            for fact in (store.get(pick.key) for pick in picks if store.key_taken(pick.key))
            if not fact.retracted and wanted in fact.key
        ]
        first = {choice.value for choice in picked}
        return [*picked, *(c for c in choices if c.value not in first)][:AUTOCOMPLETE_LIMIT]

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
        taught = self.taught()
        text = message_text(gaps_message(gaps, since_days=days, taught=taught))
        buttons = self.teach_buttons(gaps, taught)
        await interaction.response.send_message(text, view=buttons or discord.utils.MISSING, ephemeral=True)

    def taught(self) -> dict[str, str]:
        """Which fact each taught question answers with, by the question as search reads it."""
        store = self.knowledge.store
        return self.knowledge.derived(
            "taught", lambda: {normalise(q): f.key for f in store.facts() for q in f.asked_as if normalise(q)}
        )

    def teach_buttons(self, gaps: list[Gap], taught: dict[str, str]) -> discord.ui.View | None:
        """A Teach button for each listed question not yet taught, with the fact most people picked."""
        buttons = []
        for number, gap in enumerate(gaps, start=1):
            ask = self.knowledge.gaps.latest_ask(gap.query)
            if gap.picks and ask is not None and normalise(gap.query) not in taught:
                buttons.append(TeachButton.of(number, gap.picks[0].key, ask.id))
        return view_of(*buttons[:TEACH_BUTTONS]) if buttons else None

    @app_commands.command(name="teach")
    @app_commands.describe(
        question="A question reporters asked that found no answer (pick one from /factadmin gaps)",
        key="The fact that answers it (the facts people picked come first)",
    )
    @app_commands.autocomplete(question=gap_questions, key=picked_keys)
    async def teach(
        self, interaction: discord.Interaction, question: Range[str, 1, MAX_QUESTION], key: Key
    ) -> None:
        """Make a question reporters asked answer with a fact: it, and questions close to it, from now on."""
        await self.save_teaching(interaction, key, question)

    async def save_teaching(self, interaction: discord.Interaction, key: str, question: str) -> None:
        """Teach ``key`` the ``question`` as this moderator and say what changed (command and button)."""
        await interaction.response.defer(ephemeral=True, thinking=True)  # a saved write: may take a while
        with as_form(TEACH_FIELDS):
            fact = await self.knowledge.store.teach(key, question, actor_of(interaction))
        text = (
            f"Taught `{fact.key}` (now version {fact.version}): {quoted_query(question)} and questions "
            "close to it now answer with it. `/factadmin edit` takes it back."
        )
        await interaction.followup.send(message_text(text), embed=fact_embed(fact), ephemeral=True)


class TeachButton(DeskButton, kind="teach", fields=2):
    """Teach, under a question in /factadmin gaps: the question answers with the fact most people
    picked for it. State is (fact key, the ask's id in the query log), so it works after a restart;
    moderators only, checked when pressed (a button is not the group's command)."""

    @classmethod
    def of(cls, number: int, key: str, ask_id: str) -> TeachButton:
        label = clip(f"Teach {number} → {key}", BUTTON_LABEL_LIMIT)
        return cls((key, ask_id), label=label, style=discord.ButtonStyle.primary)

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        key, ask_id = state
        if not await allowed(interaction):
            return
        admin = running_cog(interaction, "FactAdmin")
        assert isinstance(admin, Teaching)  # this package's own cog: the same copy as this button
        ask = admin.knowledge.gaps.ask(ask_id)
        if ask is None:
            raise Refusal(
                "This question is no longer in the query log; use `/factadmin teach` with the question."
            )
        await admin.save_teaching(interaction, key, ask.query)
