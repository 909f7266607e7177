"""The desk's workflow in Discord: Check facts, Flag, /suggest and the review channel.

- **Check facts** (Apps menu on a message) splits the message into its claims
  (:func:`knowledge.claims.split_claims`), looks each up with the search
  ``/facts`` uses, and answers privately, claim by claim, with what the base
  holds: the fact with its status and sources, several that fit equally, or
  "not in the base". It never calls a claim true or false.
- **Flag** (on every fact card) and **/suggest** put an item in the review
  queue (:mod:`knowledge.queue`: stored with the base, attributed, limited per
  person). Each item is posted in the review channel (REVIEW_CHANNEL_ID) with
  **Accept** and **Dismiss**; without that channel, ``/factadmin queue``
  lists them. Resolving an item edits its review message (outcome, no
  buttons) and tells the reporter by DM.

Every button is a :class:`~handlers.buttons.DeskButton`, so it works after a
restart. Every form collects and stops; the button that opened it awaits it
and decides. A form submitted after a restart (no button awaits it any more)
is rebuilt from its ``custom_id`` and finished the same way (:meth:`Desk.on_interaction`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import Range
from discord.ext import commands

from handlers.admin_views import (
    ADD_FORM_FIELDS,
    AddFactModal,
    DeskForm,
    ModeratorForm,
    _input,
    actor_of,
    base36,
)
from handlers.buttons import PREFIX, DeskButton, view_of
from handlers.checks import NotModerator, is_moderator, refuse_outside_newsroom
from handlers.errors import Refusal, as_form
from handlers.render import (
    EMBED_TOTAL,
    FIELD_VALUE_LIMIT,
    STATUS_TITLES,
    citation_line,
    clip,
    escape,
    fact_embed,
    message_text,
    quoted_query,
)
from knowledge.claims import Claims, split_claims
from knowledge.errors import AlreadyRetracted, FactNotFound
from knowledge.model import KEY_RE, MAX_CLAIM, MAX_REASON, MAX_SHORT, MAX_URL, Fact
from knowledge.queue import ACCEPTED, AlreadyResolved, Flag, Item, Suggestion
from knowledge.search import SearchOutcome
from knowledge.textnorm import STOPWORDS, words

if TYPE_CHECKING:
    from bot import Settings
    from handlers.admin import FactAdmin
    from handlers.app import FactBot
    from knowledge.desk import Knowledge

log = logging.getLogger(__name__)

# Check facts runs up to eight searches; a few checks in a row is plenty for one person.
CHECK_RATE = 3
CHECK_PER = 30.0
CHECK_SEARCH_LIMIT = 5
SEVERAL_SHOWN = 3
CLAIM_NAME_LIMIT = 200

ANSWER, SEVERAL, NONE = "answer", "several", "none"

CHECK_NOTE = (
    "What the fact desk's base holds for each claim of {message}. Fact desk does not judge whether a "
    "claim is true: read it against the vetted fact and its sources."
)
SUGGEST_FIELDS = {"url": "link"}
FLAG_FIELDS = {"problem": "What is wrong"}
DISMISS_FIELDS = {"reason": "Reason"}
ITEM_COLOURS = {
    "open": discord.Colour.blurple(),
    "accepted": discord.Colour.green(),
    "dismissed": discord.Colour.dark_grey(),
}
KEY_WORDS = 5  # a suggested key is made of the claim's first content words


def verdict_of(outcome: SearchOutcome) -> str:
    """One answer, several that fit equally, or none: the three verdicts of /facts.

    The one place Check facts decides it, as /facts does today; when the search
    gives ``outcome.verdict`` this becomes that one line.
    """
    if not outcome.results:
        return NONE
    return SEVERAL if outcome.tied > 1 else ANSWER


# --- Check facts: the words --------------------------------------------------------


def _fact_brief(fact: Fact, limit: int) -> str:
    return f"{escape(clip(' '.join(fact.claim.split()), limit))} · `{fact.key}`"


def claim_answer(outcome: SearchOutcome, budget: int) -> str:
    """What the base holds for one claim, in at most ``budget`` characters."""
    verdict = verdict_of(outcome)
    if verdict == ANSWER:
        fact = outcome.results[0].fact
        # Says what the base holds and how sure the desk is of it, never that the claim is right.
        head = f"**In the base** · `{fact.key}` · *{STATUS_TITLES[fact.status]}*"
        said = escape(clip(" ".join(fact.claim.split()), max(80, (budget - len(head)) // 2)))
        room = max(60, budget - len(head) - len(said) - 40)
        return clip(f"{head}\nThe base says: {said}\nSources: {citation_line(fact, limit=room)}", budget)
    if verdict == SEVERAL:
        tied = [hit.fact for hit in outcome.results[: outcome.tied]]
        lines = [f"• {_fact_brief(fact, 150)} *({fact.status})*" for fact in tied[:SEVERAL_SHOWN]]
        more = len(tied) - SEVERAL_SHOWN
        if more > 0:
            lines.append(f"• and {more} more")
        text = "**Several facts fit about equally**; none stands out:\n" + "\n".join(lines)
        return clip(text + "\nLook one up with /facts and its key.", budget)
    if outcome.problem:
        return clip(f"**Not looked up**: {outcome.problem}", budget)
    text = "**Not in the base**: no vetted fact matches this claim."
    if outcome.suggestions:
        text += f"\nNearest, not a match: {_fact_brief(outcome.suggestions[0].fact, 150)}"
    return clip(text, budget)


def check_embed(claims: Claims, outcomes: Sequence[SearchOutcome], message: str) -> discord.Embed:
    """The private reply to Check facts: one field per claim, all inside Discord's embed limits.

    ``message``: how to name the checked message (a link to it).
    """
    description = CHECK_NOTE.format(message=message)
    if claims.left_out:
        description += (
            f"\n\nThe message has {claims.left_out} more claim(s); only the first {len(claims.claims)} "
            "are checked here. Check the rest with /facts."
        )
    title = f"Check facts: {len(claims.claims)} claim(s)"
    names = [f"{n}. {quoted_query(claim, CLAIM_NAME_LIMIT)}" for n, claim in enumerate(claims.claims, 1)]
    spare = EMBED_TOTAL - len(title) - len(description) - sum(map(len, names)) - 100
    budget = min(FIELD_VALUE_LIMIT, spare // max(1, len(names)))
    embed = discord.Embed(title=title, description=description, colour=discord.Colour.blurple())
    for name, outcome in zip(names, outcomes, strict=True):
        embed.add_field(name=name, value=claim_answer(outcome, budget), inline=False)
    return embed


# --- the review queue: the words ---------------------------------------------------


def _when(stamp: str | None) -> str:
    return f"{stamp[:16].replace('T', ' ')} UTC" if stamp else "unknown time"


def subject_line(item: Item, limit: int = 150) -> str:
    """What an item is about, in one line: the flagged fact and the problem, or the suggested claim."""
    subject = item.subject
    if isinstance(subject, Flag):
        return f"flag on `{subject.key}`: {quoted_query(subject.problem, limit)}"
    return f"suggestion {quoted_query(subject.claim, limit)}"


def item_line(item: Item) -> str:
    """One open item in /factadmin queue."""
    posted = "" if item.post is None else " · in the review channel"
    return (
        f"**#{item.id}** · {subject_line(item)} — by {escape(item.reporter.name)}, "
        f"{_when(item.created_at)}{posted}"
    )


def outcome_line(item: Item) -> str:
    by = escape(item.resolved_by.name) if item.resolved_by else "someone"
    reason = f": {escape(item.reason)}" if item.reason else ""
    return f"**{item.status.capitalize()}** by {by}, {_when(item.resolved_at)}{reason}"


def item_embed(
    item: Item, fact: Fact | None, *, similar: Sequence[Fact] = (), notified: bool | None = None
) -> discord.Embed:
    """An item as moderators see it in the review channel; with its outcome once resolved.

    ``fact``: the flagged fact as it is now; ``similar``: facts already in the
    base that a suggestion resembles; ``notified``: whether the reporter was
    told of the outcome by DM.
    """
    subject = item.subject
    colour = ITEM_COLOURS.get(item.status, discord.Colour.blurple())
    if isinstance(subject, Flag):
        embed = discord.Embed(title=f"Flag #{item.id} · {subject.key}", colour=colour)
        embed.description = f"**What is wrong, says the reporter:**\n{escape(subject.problem)}"
        if fact is not None:
            now = f"version {fact.version}" + (", retracted" if fact.retracted else "")
            embed.add_field(
                name=f"The fact (flagged at version {subject.version}; now {now})",
                value=f"*{fact.status}* · {escape(clip(fact.claim, 900, fact.key))}",
                inline=False,
            )
    else:
        embed = discord.Embed(title=f"Suggestion #{item.id}", colour=colour)
        embed.description = f"**Proposed fact:**\n{escape(subject.claim)}"
        source = " — ".join(part for part in (subject.publisher, subject.title) if part)  # both optional
        source = f"{escape(source)}\n{subject.url}" if source else subject.url
        embed.add_field(name="Source", value=clip(source, FIELD_VALUE_LIMIT), inline=False)
        if similar:
            lines = "\n".join(f"• {_fact_brief(fact, 150)}" for fact in similar[:SEVERAL_SHOWN])
            embed.add_field(name="Already in the base?", value=clip(lines, FIELD_VALUE_LIMIT), inline=False)
    reporter = item.reporter
    embed.add_field(
        name="Reported by",
        value=f"<@{reporter.id}> ({escape(reporter.name)}), {_when(item.created_at)}",
        inline=False,
    )
    if not item.is_open:
        told = {
            True: "The reporter was told by DM.",
            False: "Could not DM the reporter (their DMs are closed); tell them another way.",
            None: "",
        }[notified]
        embed.add_field(name="Outcome", value=clip(f"{outcome_line(item)}\n{told}", 1000), inline=False)
    return embed


def received_text(item: Item, *, posted: bool) -> str:
    """What the reporter is told when their flag or suggestion is queued."""
    where = (
        "The fact desk has it in its review channel."
        if posted
        else "The fact desk will see it in its review queue (/factadmin queue)."
    )
    return (
        f"Thanks: your {subject_line(item)} is review item #{item.id}. {where} "
        "You will get a DM when a moderator has looked at it (if you accept DMs from this server's members)."
    )


def resolution_text(item: Item) -> str:
    """The DM that tells a reporter what became of their item."""
    by = item.resolved_by.name if item.resolved_by else "a moderator"
    said = f"accepted by {by}" if item.status == ACCEPTED else f"dismissed by {by}"
    why = f" Their note: {item.reason}" if item.reason else ""
    return message_text(
        f"Fact desk: your {subject_line(item, 100)} (review item #{item.id}) was {said}.{why}"
    )


def suggested_key(claim: str, taken: Callable[[str], bool]) -> str:
    """A key for a suggested fact from its claim's first content words, one not ``taken`` yet."""
    content = [w for w in words(claim) if w not in STOPWORDS and w.isascii() and w.isalnum()]
    base = "-".join(content[:KEY_WORDS])[:56].strip("-") or "suggested-fact"
    key, n = base, 2
    while taken(key) or not KEY_RE.match(key):
        key = f"{base}-{n}" if KEY_RE.match(f"{base}-{n}") else f"suggested-fact-{n}"
        n += 1
    return key


# --- buttons and forms -----------------------------------------------------------------


def desk_of(interaction: discord.Interaction) -> Desk:
    """The running Desk cog, for buttons (discord.py builds them from the message, without the cog).

    Not checked with isinstance: ``load_extension`` runs this module afresh, while
    the cards of handlers.lookup carry the FlagButton of the copy it imported,
    so the button and the cog may come from two copies of the same class.
    """
    cog = interaction.client.get_cog("Desk")  # type: ignore[attr-defined]
    assert cog is not None
    return cog  # type: ignore[no-any-return]


class FlagButton(DeskButton, kind="flag", fields=1):
    """Flag, under every fact card: tell the desk what is wrong with the fact; state is its key."""

    @classmethod
    def of(cls, key: str) -> FlagButton:
        return cls((key,), label="Flag")

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        await desk_of(interaction).flag(interaction, state[0])


class AcceptButton(DeskButton, kind="accept", fields=1):
    """Accept, under a review item: opens the edit form (a flag) or the add form (a suggestion)."""

    @classmethod
    def of(cls, item_id: int) -> AcceptButton:
        return cls((str(item_id),), label="Accept", style=discord.ButtonStyle.success)

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        await desk_of(interaction).accept(interaction, int(state[0]))


class DismissButton(DeskButton, kind="dismiss", fields=1):
    """Dismiss, under a review item: asks for the reason the reporter will be told."""

    @classmethod
    def of(cls, item_id: int) -> DismissButton:
        return cls((str(item_id),), label="Dismiss", style=discord.ButtonStyle.secondary)

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        await desk_of(interaction).dismiss(interaction, int(state[0]))


def review_buttons(item_id: int) -> discord.ui.View:
    return view_of(AcceptButton.of(item_id), DismissButton.of(item_id))


# Forms: what they are for is in the custom_id, so one submitted after a restart can be finished.
FORM_RE = re.compile(
    rf"{PREFIX}:(?P<kind>flagform|dismissform|addform):(?P<state>[a-z0-9-]+(?::[0-9a-z]+)?):[0-9a-z]+"
)


def form_id(kind: str, state: str) -> str:
    """``fd:<kind>:<state>:<nonce>``; the nonce keeps two open forms apart (discord.py keys them by id)."""
    return f"{PREFIX}:{kind}:{state}:{base36(secrets.randbelow(36**4))}"


class FlagForm(DeskForm):
    """What the reporter says is wrong with a fact."""

    def __init__(self, key: str, *, custom_id: str | None = None) -> None:
        super().__init__(title=f"Flag {key}", custom_id=custom_id or form_id("flagform", key))
        self.key = key
        self.problem = _input("problem", "What is wrong with this fact?", "", MAX_REASON, required=True)
        self.add_item(self.problem)


class DismissForm(ModeratorForm):
    """Why a moderator dismisses an item; the reporter is told."""

    def __init__(self, owner_id: int, item_id: int, *, custom_id: str | None = None) -> None:
        state = f"{item_id}:{base36(owner_id)}"
        super().__init__(
            owner_id, title=f"Dismiss item #{item_id}", custom_id=custom_id or form_id("dismissform", state)
        )
        self.item_id = item_id
        self.reason = _input("reason", "Why? (the reporter is told)", "", MAX_REASON, required=True)
        self.add_item(self.reason)


async def answering(submitted: discord.Interaction, work: Awaitable[None]) -> None:
    """Run the work a form's submission asked for; any error is told on that submission.

    The button that opened the form was answered with the form, so its own
    interaction cannot carry the reply.
    """
    try:
        await work
    except Exception as error:
        await submitted.client.tree.on_error(submitted, error)  # type: ignore[attr-defined]


# --- the cog --------------------------------------------------------------------------------


class Desk(commands.Cog):
    """Check facts, Flag, /suggest, and the review channel's Accept and Dismiss."""

    def __init__(self, bot: FactBot, knowledge: Knowledge, settings: Settings) -> None:
        self.bot = bot
        self.knowledge = knowledge
        self.settings = settings
        self.open_forms: set[str] = set()  # forms a button of this process awaits

    @classmethod
    def commands_only(cls, bot: FactBot) -> Desk:
        """The cog for ``sync``: its commands and menu, without the database (see FactBot)."""
        cog = cls.__new__(cls)
        cog.bot = bot
        return cog

    async def cog_load(self) -> None:
        # discord.py's way for a context menu in a cog: built here, added to the tree, removed on unload.
        self.check_menu = app_commands.ContextMenu(name="Check facts", callback=self.check_facts)
        self.bot.tree.add_command(self.check_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.check_menu.name, type=self.check_menu.type)

    # --- Check facts ---

    @app_commands.guild_only()
    @app_commands.checks.cooldown(CHECK_RATE, CHECK_PER)
    async def check_facts(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """What the fact base holds for each claim in this message, shown only to you."""
        claims = split_claims(message.content)
        if claims.problem:
            raise Refusal(claims.problem)
        outcomes = [self.knowledge.index.search(claim, limit=CHECK_SEARCH_LIMIT) for claim in claims.claims]
        embed = check_embed(claims, outcomes, f"[this message]({message.jump_url})")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # --- Flag and /suggest ---

    async def flag(self, interaction: discord.Interaction, key: str) -> None:
        fact = self.knowledge.store.get(key)
        if fact.retracted:
            raise AlreadyRetracted(key)  # the desk has withdrawn it already; nothing to flag
        form = FlagForm(key)
        if (submitted := await self.ask(interaction, form)) is not None:
            await self.finish(form, submitted)

    async def finish_flag(self, submitted: discord.Interaction, form: FlagForm) -> None:
        await submitted.response.defer(ephemeral=True, thinking=True)
        fact = self.knowledge.store.get(form.key)
        with as_form(FLAG_FIELDS):
            item = await asyncio.to_thread(
                self.knowledge.queue.flag, fact, form.problem.value, actor_of(submitted)
            )
        posted = await self.post(item)
        await submitted.followup.send(message_text(received_text(item, posted=posted)), ephemeral=True)

    @app_commands.command(
        name="suggest", description="Propose a missing fact to the fact desk, with a source"
    )
    @app_commands.describe(
        claim="The fact, in one or two plain sentences",
        link="Link to a source that supports it (http:// or https://)",
        publisher="Who published the source, like Haaretz (optional)",
        title="The source's headline (optional)",
    )
    @app_commands.guild_only()
    async def suggest(
        self,
        interaction: discord.Interaction,
        claim: Range[str, 1, MAX_CLAIM],
        link: Range[str, 1, MAX_URL],
        publisher: Range[str, 1, MAX_SHORT] | None = None,
        title: Range[str, 1, MAX_SHORT] | None = None,
    ) -> None:
        """Send a missing fact and its source to the desk's review queue; a moderator decides."""
        # The queue's write waits for the disk; answer Discord first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        with as_form(SUGGEST_FIELDS):
            item = await asyncio.to_thread(
                self.knowledge.queue.suggest,
                claim,
                link,
                actor_of(interaction),
                publisher=publisher,
                title=title,
            )
        posted = await self.post(item)
        await interaction.followup.send(message_text(received_text(item, posted=posted)), ephemeral=True)

    # --- the review channel ---

    def show(self, item: Item, *, notified: bool | None = None) -> discord.Embed:
        fact = None
        similar: list[Fact] = []
        if isinstance(item.subject, Flag):
            with contextlib.suppress(FactNotFound):  # keys are never deleted; a forged one may not exist
                fact = self.knowledge.store.get(item.subject.key)
        elif item.is_open:
            similar = [hit.fact for hit in self.knowledge.index.near_duplicates(item.subject.claim)]
        return item_embed(item, fact, similar=similar, notified=notified)

    async def post(self, item: Item) -> bool:
        """Show a new item in the review channel, with its buttons; False if there is none or it failed.

        The item is in the queue either way; /factadmin queue lists it.
        """
        channel_id = self.settings.review_channel_id
        if channel_id is None:
            return False
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            guild = getattr(channel, "guild", None)
            if guild is None or guild.id not in self.settings.newsroom_guild_ids:
                # Never show the newsroom's reports in a server (or DM) that is not the newsroom's.
                log.warning("REVIEW_CHANNEL_ID %s is not a channel of a newsroom server", channel_id)
                return False
            message = await channel.send(embed=self.show(item), view=review_buttons(item.id))  # type: ignore[union-attr]
        except discord.HTTPException as error:
            log.warning("Could not post review item #%s in channel %s: %s", item.id, channel_id, error)
            return False
        # The buttons carry the item's id; the record is what lets a resolution edit the message.
        await asyncio.to_thread(self.knowledge.queue.mark_posted, item.id, message.channel.id, message.id)
        return True

    def require_moderator(self, interaction: discord.Interaction) -> None:
        """The /factadmin group's rule (handlers.checks), decided at the press: roles change."""
        if not is_moderator(interaction, self.settings):
            raise NotModerator

    def key_taken(self, key: str) -> bool:
        try:
            self.knowledge.store.get(key)
        except FactNotFound:
            return False
        return True

    def open_item(self, item_id: int) -> Item:
        """The item, if still open; who resolved it otherwise (two moderators at once)."""
        item = self.knowledge.queue.get(item_id)
        if not item.is_open:
            raise AlreadyResolved(item)
        return item

    async def accept(self, interaction: discord.Interaction, item_id: int) -> None:
        self.require_moderator(interaction)
        item = self.open_item(item_id)
        subject = item.subject
        if isinstance(subject, Flag):
            # The edit form of /factadmin edit, saved against the version it opens at.
            admin: FactAdmin = self.bot.get_cog("FactAdmin")  # type: ignore[assignment]
            saved = await admin.edit_in_form(interaction, self.knowledge.store.get(subject.key))
            if saved is not None:
                fact, submitted = saved
                note = f"Corrected `{fact.key}` (now version {fact.version})."
                await answering(submitted, self.resolve(submitted, item_id, note, origin=interaction.message))
            return
        assert isinstance(subject, Suggestion)
        state = f"{item_id}:{base36(interaction.user.id)}"
        form = AddFactModal(
            interaction.user.id,
            custom_id=form_id("addform", state),
            key=suggested_key(subject.claim, self.key_taken),
            claim=subject.claim,
            publisher=subject.publisher or "",
            title=subject.title or "",
            url=subject.url,
        )
        if (submitted := await self.ask(interaction, form)) is not None:
            await self.finish(form, submitted, origin=interaction.message)

    async def finish_add(
        self, submitted: discord.Interaction, form: AddFactModal, item_id: int, origin: discord.Message | None
    ) -> None:
        await submitted.response.defer(ephemeral=True, thinking=True)
        self.open_item(item_id)  # resolved meanwhile: add nothing
        with as_form(ADD_FORM_FIELDS):
            fact = await self.knowledge.store.add(form.record(), actor_of(submitted))
        await submitted.followup.send(f"Added `{fact.key}`.", embed=fact_embed(fact), ephemeral=True)
        await self.resolve(submitted, item_id, f"Added as `{fact.key}`.", origin=origin)

    async def dismiss(self, interaction: discord.Interaction, item_id: int) -> None:
        self.require_moderator(interaction)
        self.open_item(item_id)
        form = DismissForm(interaction.user.id, item_id)
        if (submitted := await self.ask(interaction, form)) is not None:
            await self.finish(form, submitted, origin=interaction.message)

    async def finish_dismiss(
        self, submitted: discord.Interaction, form: DismissForm, origin: discord.Message | None
    ) -> None:
        await submitted.response.defer(ephemeral=True, thinking=True)
        with as_form(DISMISS_FIELDS):
            item = await asyncio.to_thread(
                self.knowledge.queue.dismiss, form.item_id, actor_of(submitted), form.reason.value
            )
        await self.announce(submitted, item, origin)

    async def resolve(
        self, submitted: discord.Interaction, item_id: int, note: str, *, origin: discord.Message | None
    ) -> None:
        """Mark an item accepted, once what accepting it meant is saved; then tell everyone."""
        item = await asyncio.to_thread(self.knowledge.queue.accept, item_id, actor_of(submitted), note)
        await self.announce(submitted, item, origin)

    async def announce(
        self, submitted: discord.Interaction, item: Item, origin: discord.Message | None
    ) -> None:
        """Tell the reporter by DM, show the outcome on the review message, and tell the moderator."""
        notified = await self.tell_reporter(item)
        await self.update_post(item, origin, notified=notified)
        told = (
            "The reporter was told by DM."
            if notified
            else ("Could not DM the reporter (their DMs are closed); tell them another way.")
        )
        await submitted.followup.send(
            message_text(f"Review item #{item.id} is {item.status}. {told}"), ephemeral=True
        )

    async def tell_reporter(self, item: Item) -> bool:
        try:
            user = self.bot.get_user(int(item.reporter.id)) or await self.bot.fetch_user(
                int(item.reporter.id)
            )
            await user.send(resolution_text(item))
        except discord.Forbidden:
            log.info("Could not DM reporter %s about review item #%s: DMs closed", item.reporter.id, item.id)
            return False
        except (discord.HTTPException, ValueError) as error:
            log.warning(
                "Could not DM reporter %s about review item #%s: %s", item.reporter.id, item.id, error
            )
            return False
        return True

    async def update_post(self, item: Item, origin: discord.Message | None, *, notified: bool) -> None:
        """The review message shows the outcome and loses its buttons."""
        if item.post is not None:
            channel = self.bot.get_partial_messageable(item.post.channel_id)
            target: discord.PartialMessage | discord.Message = channel.get_partial_message(
                item.post.message_id
            )
        elif origin is not None and not origin.flags.ephemeral:
            target = origin
        else:
            return
        try:
            await target.edit(embed=self.show(item, notified=notified), view=None)
        except discord.HTTPException as error:  # deleted, or no longer ours to edit
            log.warning("Could not show the outcome of review item #%s: %s", item.id, error)

    # --- forms, live and after a restart ---

    async def ask(self, interaction: discord.Interaction, form: DeskForm) -> discord.Interaction | None:
        """Answer ``interaction`` with ``form`` and wait for it; its submission, or None if left unsent."""
        self.open_forms.add(form.custom_id)
        try:
            await interaction.response.send_modal(form)
            timed_out = await form.wait()
        finally:
            self.open_forms.discard(form.custom_id)
        return None if timed_out else form.submitted

    async def finish(
        self, form: DeskForm, submitted: discord.Interaction, *, origin: discord.Message | None = None
    ) -> None:
        """Do what a submitted form asked, whether its button awaited it or it came after a restart."""
        if isinstance(form, FlagForm):
            work = self.finish_flag(submitted, form)
        elif isinstance(form, DismissForm):
            work = self.finish_dismiss(submitted, form, origin)
        else:
            assert isinstance(form, AddFactModal)
            match = FORM_RE.fullmatch(form.custom_id)
            assert match is not None
            work = self.finish_add(submitted, form, int(match["state"].split(":")[0]), origin)
        await answering(submitted, work)

    def rebuild(self, kind: str, state: str, custom_id: str) -> DeskForm:
        """A form from its custom_id, for a submission no button of this process awaits."""
        if kind == "flagform":
            return FlagForm(state, custom_id=custom_id)
        item_id, owner = state.split(":")
        if kind == "dismissform":
            return DismissForm(int(owner, 36), int(item_id), custom_id=custom_id)
        return AddFactModal(int(owner, 36), custom_id=custom_id)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A Flag, Dismiss or Accept form submitted after a restart: rebuild it and finish it."""
        if interaction.type is not discord.InteractionType.modal_submit or interaction.data is None:
            return
        custom_id = str(interaction.data.get("custom_id", ""))
        match = FORM_RE.fullmatch(custom_id)
        if match is None or custom_id in self.open_forms:
            return
        if await refuse_outside_newsroom(interaction, self.settings):  # before reading anything
            return
        form = self.rebuild(match["kind"], match["state"], custom_id)
        # The path discord.py takes for a live form: its checks, the values, then on_submit.
        await form._dispatch_submit(interaction, list(interaction.data.get("components", [])), {})
        if form.submitted is not None:  # None: refused by the form's checks, and told so
            await self.finish(form, form.submitted, origin=interaction.message)


async def setup(bot: FactBot) -> None:
    await bot.add_cog(Desk(bot, bot.knowledge, bot.settings))
    bot.add_dynamic_items(FlagButton, AcceptButton, DismissButton)
