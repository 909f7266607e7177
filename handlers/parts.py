"""The parts several cogs share, so no cog imports another's module.

- the options that describe a source, declared once for ``/factadmin add``,
  ``/factadmin cite`` and ``/suggest``;
- who made a change (:func:`actor_of`), and a fact as one line of a listing;
- the buttons under a fact card (More matches, Cite, Flag): ``/facts`` posts
  them, a correction puts them back on a restored card;
- the lists ``/facts`` posts (several facts that fit, the suggestions under
  "No fact matches") with a Pick button per fact: a correction renders a
  posted one again from the base (:func:`corrected_listing`);
- how a button reaches the cog that does its work (:func:`running_cog`), by
  the cog's name and the methods it promises (a ``Protocol``), never by
  importing the cog.

A cog module (one with a ``setup``) is loaded by ``load_extension`` and
imported by no other module; ``tests/test_imports.py`` holds every handler to that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, Self, cast

import discord
from discord.app_commands import Range

from handlers.buttons import DeskButton, view_of
from handlers.render import (
    BUTTON_LABEL_LIMIT,
    DESCRIPTION_LIMIT,
    TITLE_LIMIT,
    choice_name,
    citation_line,
    clip,
    escape,
    message_text,
    quoted_query,
)
from knowledge.desk.answers import SEVERAL, Answer
from knowledge.model import MAX_SHORT, MAX_URL, Actor, Fact
from knowledge.search import narrowing

if TYPE_CHECKING:
    from knowledge.desk.review_queue import Item

LINE_CLAIM = 200
# A listing longer than this is no use to read page by page; narrowing it is.
MAX_LISTED = 500


# --- the options that describe a source: /factadmin add, /factadmin cite and /suggest ---------

# Each command names these options its own way (``source_url`` beside a fact's
# own fields in add, ``url`` in cite, ``link`` in /suggest); their types and
# their help are declared here once.
Publisher = Range[str, 1, MAX_SHORT]
SourceTitle = Range[str, 1, MAX_SHORT]
SourceUrl = Range[str, 1, MAX_URL]
Published = Range[str, 1, 10]
SOURCE_HELP = {
    "publisher": "Who published the source (like Haaretz)",
    "title": "The headline or title of the source",
    "url": "Link to the source (http:// or https://)",
    "published": "When the source was published: 2023, 2023-03 or 2023-03-06",
}


def source_help(**option_names: str) -> dict[str, str]:
    """``app_commands.describe`` text for a command's source options, by the name it gives each:
    ``source_help(link="url")`` describes the option ``link`` as a source's ``url``."""
    return {option: SOURCE_HELP[part] for option, part in option_names.items()}


def actor_of(interaction: discord.Interaction) -> Actor:
    """Who made a change, for the history: the Discord account, by id and name."""
    return Actor(id=str(interaction.user.id), name=str(interaction.user))


def fact_line(fact: Fact, *, status_always: bool = False) -> str:
    """A fact in a listing: claim, status (said only when not verified, unless ``status_always``), key.

    A retracted one (in a posted list corrected since) is marked **Retracted**."""
    status = "" if fact.status == "verified" and not status_always else f" *({fact.status})*"
    if fact.retracted:
        status = " **Retracted**"
    return f"{escape(clip(' '.join(fact.claim.split()), LINE_CLAIM))}{status} · `{fact.key}`"


def listed(count: int) -> str:
    """How many facts a listing holds, saying so when it shows only the first :data:`MAX_LISTED`."""
    if count <= MAX_LISTED:
        return "1 fact" if count == 1 else f"{count} facts"
    return f"first {MAX_LISTED} of {count} facts; narrow it down to see the rest"


# --- reaching a running cog from a button ----------------------------------------------


class LookupWork(Protocol):
    """What the card buttons ask of the Lookup cog (:mod:`handlers.lookup`)."""

    def live_fact(self, key: str) -> Fact: ...

    async def more_matches(self, interaction: discord.Interaction, args: str) -> None: ...

    async def pick(
        self,
        interaction: discord.Interaction,
        owner: int,
        key: str,
        query: str | None,
        *,
        ask_id: str | None = None,
    ) -> None: ...


class ReviewWork(Protocol):
    """What Flag, Accept, Dismiss and ``/factadmin queue`` ask of the Review cog (:mod:`handlers.review`)."""

    def show(self, item: Item, *, notified: bool | None = None) -> discord.Embed: ...

    async def flag(self, interaction: discord.Interaction, key: str) -> None: ...

    async def accept(self, interaction: discord.Interaction, item_id: int) -> None: ...

    async def dismiss(self, interaction: discord.Interaction, item_id: int) -> None: ...


def running_cog(interaction: discord.Interaction, name: str) -> object:
    """The running cog called ``name``, for a button (discord.py builds buttons from the message,
    without the cog).

    Found by name, not by class: ``load_extension`` runs a cog's module afresh
    (a class imported here could be another copy), and a shared part never
    imports a cog.
    """
    cog = interaction.client.get_cog(name)  # type: ignore[attr-defined]
    assert cog is not None, name
    return cog  # type: ignore[no-any-return]


def lookup_of(interaction: discord.Interaction) -> LookupWork:
    return cast("LookupWork", running_cog(interaction, "Lookup"))


def review_of(interaction: discord.Interaction) -> ReviewWork:
    return cast("ReviewWork", running_cog(interaction, "Review"))


# --- the buttons under a fact card -----------------------------------------------------


class CiteButton(DeskButton, kind="cite", fields=1):
    """Cite: the fact's sources as one line to paste, privately; state is the fact's key."""

    @classmethod
    def of(cls, key: str) -> CiteButton:
        return cls((key,), label="Cite")

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        fact = lookup_of(interaction).live_fact(state[0])
        # Link previews of every source would bury the line to copy.
        await interaction.response.send_message(citation_line(fact), ephemeral=True, suppress_embeds=True)


class MoreButton(DeskButton, kind="more", fields=2):
    """More matches: the query is run again and the matches other than the shown fact paged privately."""

    forgotten = "These matches are from before the bot restarted; run /facts again to see them."

    @classmethod
    def of(cls, key: str, query: str) -> MoreButton:
        return cls((key, query), label="More matches", style=discord.ButtonStyle.primary)

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        await lookup_of(interaction).more_matches(interaction, f"{state[0]}:{state[1]}")


class FlagButton(DeskButton, kind="flag", fields=1):
    """Flag, under every fact card: tell the desk what is wrong with the fact; state is its key."""

    @classmethod
    def of(cls, key: str) -> FlagButton:
        return cls((key,), label="Flag")

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        await review_of(interaction).flag(interaction, state[0])


def answer_buttons(query: str, key: str, *, more: bool) -> discord.ui.View:
    """Under an answer: More matches (if there are any), Cite and Flag. Anyone may press them."""
    buttons: list[DeskButton] = [MoreButton.of(key, query)] if more else []
    return view_of(*buttons, CiteButton.of(key), FlagButton.of(key))


# --- the lists /facts posts, and the same lists corrected ---------------------------------


class PickButton(DeskButton, kind="pick", fields=3):
    """One fact under "No fact matches" or "Several facts fit"; state is (asker's id, fact key, query).

    The person who asked turns the message into that fact; anyone else gets
    it privately, so nobody changes someone else's answer.
    """

    forgotten = "This suggestion is from before the bot restarted; run /facts again."

    @classmethod
    def of(cls, owner: int, fact: Fact, asked: str) -> Self:
        """``asked``: the query here; the ask's id in the query log for an :class:`AskPickButton`."""
        return cls((str(owner), fact.key, asked), label=clip(choice_name(fact), BUTTON_LABEL_LIMIT))

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        owner, key, query = state
        await lookup_of(interaction).pick(interaction, int(owner), key, query)


class AskPickButton(PickButton, kind="pk", fields=3):
    """A :class:`PickButton` that also logs the pick; state is (asker's id, fact key, the ask's id in the
    query log), which fits a custom_id for any key and survives a restart.

    The query comes from the log by the ask's id; pressing it logs who chose
    which fact for that question (``QueryLog.pick``), for /factadmin gaps.
    Anyone's press counts, as a person: a colleague who knows the answer is as
    good a witness as the asker. It changes nothing in search by itself.
    """

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        owner, key, ask_id = state
        await lookup_of(interaction).pick(interaction, int(owner), key, None, ask_id=ask_id)


def pick_button(owner: int, fact: Fact, query: str, ask_id: str | None) -> PickButton:
    """``fact`` offered to pick, for the person who asked ``query``: a button that logs the pick
    (:class:`AskPickButton`) when the ask was logged with an id."""
    return PickButton.of(owner, fact, query) if ask_id is None else AskPickButton.of(owner, fact, ask_id)


def picks(owner: int, facts: Sequence[Fact], query: str, ask_id: str | None = None) -> discord.ui.View:
    """A Pick button for each of ``facts``, for the person who asked ``query``."""
    return view_of(*(pick_button(owner, fact, query, ask_id) for fact in facts))


def several_embed(
    query: str, facts: Sequence[Fact], hint: Sequence[str], *, mark: str | None = None
) -> discord.Embed:
    """The answer to a broad query: the facts that fit about equally, none of them as *the* answer.

    ``hint``: words that would narrow it (the search's ``narrowing``); ``mark``: a corrected list's
    note, above everything (markdown, typed text escaped)."""
    narrow = (
        f"add a word to narrow it down, for example {', '.join(f'**{escape(w)}**' for w in hint)}"
        if hint
        else "add a word to narrow it down (a name, a place, a year)"
    )
    text = (
        f"None of them is *the* answer: {quoted_query(query)} is too broad to pick one. "
        f"Open one below, or {narrow}.\n\n"
        + "\n".join(f"• {fact_line(f, status_always=True)}" for f in facts)
    )
    if mark:
        text = f"{mark}\n\n{text}"
    title = f"{len(facts)} facts fit {quoted_query(query)} about equally"
    return discord.Embed(
        title=clip(title, TITLE_LIMIT),
        description=clip(text, DESCRIPTION_LIMIT),
        colour=discord.Colour.blurple(),
    )


def no_match_line(query: str, *, suggested: bool) -> str:
    """The start of the answer when no fact matches: with ``suggested``, the Pick buttons follow."""
    return f"No fact matches {quoted_query(query)}." + (" Did you mean one of these?" if suggested else "")


def corrected_listing(answer: Answer, facts: Sequence[Fact], *, today: str) -> dict[str, Any]:
    """A posted list (several that fit, or suggestions) as the base has its ``facts`` now: what to
    edit the message with. A retracted fact's line says **Retracted** and its button goes; a
    changed one shows its new claim and status."""
    query, owner = answer.query or "", answer.asker or 0
    live = [fact for fact in facts if not fact.retracted]
    view = picks(owner, live, query, answer.ask_id) if live else None
    mark = f"**Updated** {today} — the fact desk changed a fact listed here; this is the base as it is now."
    if answer.form == SEVERAL:
        return {
            "content": None,
            "embed": several_embed(query, facts, narrowing(query, facts), mark=mark),
            "view": view,
        }
    text = no_match_line(query, suggested=bool(live))
    if not live:
        text += " The facts suggested here have been retracted since."
    return {"content": message_text(f"{text}\n{mark}"), "embed": None, "view": view}
