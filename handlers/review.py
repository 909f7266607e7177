"""What staff bring to the desk for review, and how moderators decide it: Check facts, Flag,
/suggest and the review channel.

Named ``review`` (not ``desk``) so no handler shares a name with a knowledge
package: ``knowledge.desk`` is the domain's review queue and answers, this is
their Discord workflow.

- **Check facts** (Apps menu on a message) splits what the message shows (its
  text, a forward's text, every embed: :func:`message_parts`) into claims
  (:func:`knowledge.desk.claims.split_parts`), looks each up with the search
  ``/facts`` uses, and answers privately, claim by claim, with what the base
  holds: the fact with its status and sources, several that fit equally, or
  "not in the base". It never calls a claim true or false.
- **Flag** (on every fact card) and **/suggest** put an item in the review
  queue (:mod:`knowledge.desk.review_queue`: stored with the base, attributed, limited per
  person). Each item is posted in the review channel (REVIEW_CHANNEL_ID) with
  **Accept** and **Dismiss**; without that channel, ``/factadmin queue``
  lists them. Resolving an item edits its review message (outcome, no
  buttons) and tells the reporter by DM.

The buttons and forms are in :mod:`handlers.review_views`, the words in
:mod:`handlers.review_text`. Every button works after a restart. Every form
collects and stops; the button that opened it awaits it and decides. A form
submitted after a restart (no button awaits it any more) is rebuilt from its
``custom_id`` and finished the same way (:meth:`Review.on_interaction`).

Its length: one cog for one workflow (what staff send the desk and how moderators decide it),
whose steps hand each other the same item; the message-reading helpers at the top serve Check facts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import Range
from discord.ext import commands

from handlers.checks import NotModerator, is_moderator
from handlers.confirm import Outcome, confirm_first
from handlers.error_replies import Refusal, as_form
from handlers.forms import (
    ADD_FORM_FIELDS,
    AddFactModal,
    DeskForm,
    EditFactModal,
    OpenForms,
    base36,
    resume_form,
    save_edit,
)
from handlers.parts import FlagButton, Publisher, SourceTitle, SourceUrl, actor_of, source_help
from handlers.render import fact_embed, message_text
from handlers.review_text import (
    already_answered_text,
    check_embed,
    item_embed,
    notified_line,
    received_text,
    resolution_text,
    suggested_key,
)
from handlers.review_views import (
    FORM_RE,
    AcceptButton,
    DismissButton,
    DismissForm,
    FlagForm,
    answering,
    form_id,
    review_buttons,
)
from knowledge.desk.claims import OWN_TEXT, split_parts
from knowledge.desk.repeats import repeats
from knowledge.desk.review_queue import Flag, Item, Suggestion, proposed
from knowledge.errors import AlreadyRetracted, DuplicateFact, FactNotFound, KnowledgeError
from knowledge.model import MAX_CLAIM, parse_fact

if TYPE_CHECKING:
    from handlers.app import FactBot
    from handlers.settings import Settings
    from knowledge.newsroom import Knowledge

log = logging.getLogger(__name__)

# Check facts runs up to eight searches; a few checks in a row is plenty for one person.
CHECK_RATE = 3
CHECK_PER = 30.0
CHECK_SEARCH_LIMIT = 5
# How the fields the queue's validation names are called in each form a reporter or moderator fills in.
SUGGEST_FIELDS = {"url": "link"}
FLAG_FIELDS = {"problem": "What is wrong"}
DISMISS_FIELDS = {"reason": "Reason"}


def embed_text(embed: discord.Embed, *, card: bool = False) -> str:
    """What a person reads in an embed: its title, description, and each field as "name: value".

    ``card``: one of this bot's own fact cards, whose title is a status and whose
    fields are citations; its claim (and details) are its description.
    """
    if card:
        return embed.description or ""
    fields = [f"{field.name}: {field.value}" for field in embed.fields]
    return "\n\n".join(part for part in (embed.title, embed.description, *fields) if part)


def embed_origin(embed: discord.Embed, where: str) -> str:
    return f"{where}: {' '.join(embed.title.split())}" if embed.title else where


def message_parts(message: discord.Message, bot_id: int | None) -> list[tuple[str, str]]:
    """The text of ``message`` as a person sees it, each part with where it is read.

    Its own text; the text a forward carries in its snapshots (discord.py's
    ``message_snapshots``); and every embed's text (link previews, other bots'
    posts, this bot's own fact cards, ``bot_id`` being this bot's user id),
    forwarded ones included.
    """
    own = bot_id is not None and message.author.id == bot_id
    parts = [(OWN_TEXT, message.content)]
    parts += [
        (embed_origin(embed, "Embed"), embed_text(embed, card=own or looks_like_card(embed)))
        for embed in message.embeds
    ]
    for snapshot in getattr(message, "message_snapshots", ()):
        parts.append(("Forwarded message", snapshot.content))
        parts += [
            (embed_origin(embed, "Forwarded embed"), embed_text(embed, card=looks_like_card(embed)))
            for embed in snapshot.embeds
        ]
    return parts


# The footer handlers.render puts on every fact card: a forward does not say who wrote the original.
_CARD_FOOTER_RE = re.compile(r"key: [a-z0-9-]+ · .* · version [0-9]+")


def looks_like_card(embed: discord.Embed) -> bool:
    """Whether ``embed`` is one of this bot's fact cards (seen forwarded, or re-posted)."""
    return bool(embed.footer.text and _CARD_FOOTER_RE.fullmatch(embed.footer.text))


class Review(commands.Cog):
    """Check facts, Flag, /suggest, and the review channel's Accept and Dismiss."""

    def __init__(self, bot: FactBot, knowledge: Knowledge, settings: Settings) -> None:
        self.bot = bot
        self.knowledge = knowledge
        self.settings = settings
        self.open_forms = OpenForms()  # forms a button of this process awaits

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
        bot_id = self.bot.user.id if self.bot.user else None
        claims = split_parts(message_parts(message, bot_id))
        if claims.problem:
            raise Refusal(claims.problem)
        outcomes = [self.knowledge.index.search(claim, limit=CHECK_SEARCH_LIMIT) for claim in claims.claims]
        self.knowledge.gaps.record_unmatched(outcomes, asker=interaction.user.id)
        embed = check_embed(claims, outcomes, f"[this message]({message.jump_url})")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # --- Flag and /suggest ---

    async def flag(self, interaction: discord.Interaction, key: str) -> None:
        fact = self.knowledge.store.get(key)
        if fact.retracted:
            raise AlreadyRetracted(key)  # the desk has withdrawn it already; nothing to flag
        form = FlagForm(key)
        if (submitted := await self.open_forms.ask(interaction, form)) is not None:
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
        **source_help(link="url", publisher="publisher", title="title"),
    )
    @app_commands.guild_only()
    async def suggest(
        self,
        interaction: discord.Interaction,
        claim: Range[str, 1, MAX_CLAIM],
        link: SourceUrl,
        publisher: Publisher | None = None,
        title: SourceTitle | None = None,
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
        if isinstance(item.subject, Flag):
            with contextlib.suppress(FactNotFound):  # keys are never deleted; a forged one may not exist
                fact = self.knowledge.store.get(item.subject.key)
        # While it is open, what the base already holds for the proposed claim or correction.
        found = repeats(self.knowledge.index, proposed(item.subject)) if item.is_open else []
        return item_embed(item, fact, repeats=found, notified=notified)

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
        try:
            await asyncio.to_thread(self.knowledge.queue.mark_posted, item.id, message.channel.id, message.id)
        except KnowledgeError as error:
            # The item itself is saved and shown; only a decision taken elsewhere than on this
            # message (/factadmin queue item) will not find the message to update.
            log.warning("Could not record the review message of item #%s: %s", item.id, error)
        return True

    def require_moderator(self, interaction: discord.Interaction) -> None:
        """The /factadmin group's rule (handlers.checks), decided at the press: roles change."""
        if not is_moderator(interaction, self.settings):
            raise NotModerator

    async def accept(self, interaction: discord.Interaction, item_id: int) -> None:
        self.require_moderator(interaction)
        item = self.knowledge.queue.open_item(item_id)  # resolved, or being accepted: says by whom
        subject = item.subject
        if isinstance(subject, Flag):
            # /factadmin edit's form, saved the same way, against the version it opens at.
            fact = self.knowledge.store.get(subject.key)
            state = f"{item_id}:{base36(interaction.user.id)}:{fact.version}"
            form: DeskForm = EditFactModal(fact, interaction.user.id, custom_id=form_id("flagedit", state))
            if (submitted := await self.open_forms.ask(interaction, form)) is not None:
                await self.finish(form, submitted, origin=interaction.message)
            return
        assert isinstance(subject, Suggestion)
        state = f"{item_id}:{base36(interaction.user.id)}"
        form = AddFactModal(
            interaction.user.id,
            custom_id=form_id("addform", state),
            key=suggested_key(subject.claim, self.knowledge.store.key_taken),
            claim=subject.claim,
            publisher=subject.publisher or "",
            title=subject.title or "",
            url=subject.url,
        )
        if (submitted := await self.open_forms.ask(interaction, form)) is not None:
            await self.finish(form, submitted, origin=interaction.message)

    async def finish_edit(
        self,
        submitted: discord.Interaction,
        form: EditFactModal,
        item_id: int,
        origin: discord.Message | None,
    ) -> None:
        # Claimed first: resolved meanwhile, or being accepted by another moderator, changes nothing.
        with self.knowledge.queue.accepting(item_id, actor_of(submitted)):
            fact = await save_edit(self.knowledge.store, submitted, form)  # tells the moderator how it went
            if fact is not None:
                note = f"Corrected `{fact.key}` (now version {fact.version})."
                await self.resolve(submitted, item_id, note, origin=origin)

    async def finish_add(
        self, submitted: discord.Interaction, form: AddFactModal, item_id: int, origin: discord.Message | None
    ) -> None:
        await submitted.response.defer(ephemeral=True, thinking=True)
        if await self.ask_before_adding(submitted, form, item_id, origin):
            return
        # Claimed first: resolved meanwhile, or being accepted by another moderator, adds nothing.
        with self.knowledge.queue.accepting(item_id, actor_of(submitted)):
            with as_form(ADD_FORM_FIELDS):
                fact = await self.knowledge.store.add(form.record(), actor_of(submitted))
            await submitted.followup.send(f"Added `{fact.key}`.", embed=fact_embed(fact), ephemeral=True)
            await self.resolve(submitted, item_id, f"Added as `{fact.key}`.", origin=origin)

    async def ask_before_adding(
        self, submitted: discord.Interaction, form: AddFactModal, item_id: int, origin: discord.Message | None
    ) -> bool:
        """If the base already answers the suggested claim, ask the moderator to confirm first (as
        /factadmin add does for a near-duplicate) and return True: Confirm adds it, later."""
        record = form.record()
        with as_form(ADD_FORM_FIELDS):
            fact = parse_fact(record)  # the model's one validation, before any question is asked
        if self.knowledge.store.key_taken(fact.key):
            raise DuplicateFact(fact.key)
        found = repeats(self.knowledge.index, fact.claim)
        if not found:
            return False

        async def add_anyway(pressed: discord.Interaction) -> Outcome:
            return await self.add_accepted(pressed, record, item_id, origin)

        await confirm_first(
            submitted,
            "accept",
            already_answered_text(fact.key, found),
            add_anyway,
            unchanged=f"`{fact.key}` was not added; review item #{item_id} is still open.",
            embed=fact_embed(found[0].fact),
        )
        return True

    async def add_accepted(
        self,
        pressed: discord.Interaction,
        record: dict[str, Any],
        item_id: int,
        origin: discord.Message | None,
    ) -> Outcome:
        """Add the accepted suggestion's fact once its moderator confirmed, and resolve the item."""
        with self.knowledge.queue.accepting(item_id, actor_of(pressed)):
            with as_form(ADD_FORM_FIELDS):
                fact = await self.knowledge.store.add(record, actor_of(pressed))
            await self.resolve(pressed, item_id, f"Added as `{fact.key}`.", origin=origin)
        return f"Added `{fact.key}`.", fact_embed(fact)

    async def dismiss(self, interaction: discord.Interaction, item_id: int) -> None:
        self.require_moderator(interaction)
        self.knowledge.queue.open_item(item_id)
        form = DismissForm(interaction.user.id, item_id)
        if (submitted := await self.open_forms.ask(interaction, form)) is not None:
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
        said = f"Review item #{item.id} is {item.status}. {notified_line(notified)}"
        await submitted.followup.send(message_text(said), ephemeral=True)

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

    async def finish(
        self, form: DeskForm, submitted: discord.Interaction, *, origin: discord.Message | None = None
    ) -> None:
        """Do what a submitted form asked, whether its button awaited it or it came after a restart."""
        if isinstance(form, FlagForm):
            work = self.finish_flag(submitted, form)
        elif isinstance(form, DismissForm):
            work = self.finish_dismiss(submitted, form, origin)
        else:
            match = FORM_RE.fullmatch(form.custom_id)
            assert match is not None and match["item"] is not None
            if isinstance(form, EditFactModal):
                work = self.finish_edit(submitted, form, int(match["item"]), origin)
            else:
                assert isinstance(form, AddFactModal)
                work = self.finish_add(submitted, form, int(match["item"]), origin)
        await answering(submitted, work)

    def rebuild(self, match: re.Match[str]) -> DeskForm:
        """A form from its custom_id (a FORM_RE match), for a submission no button of this process awaits."""
        custom_id = match[0]
        if match["key"] is not None:
            return FlagForm(match["key"], custom_id=custom_id)
        owner = int(match["owner"], 36)
        if match["kind"] == "dismissform":
            return DismissForm(owner, int(match["item"]), custom_id=custom_id)
        if match["kind"] == "addform":
            return AddFactModal(owner, custom_id=custom_id)
        # flagedit: the flagged fact, at the version its form was opened at.
        flag = self.knowledge.queue.get(int(match["item"])).subject
        if not isinstance(flag, Flag) or match["version"] is None:
            raise Refusal("This form does not belong to a flag. Nothing was changed.")
        fact = self.knowledge.store.get(flag.key)
        return EditFactModal(fact, owner, version=int(match["version"]), custom_id=custom_id)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A Flag, Dismiss or Accept form submitted after a restart: rebuilt and finished.

        A correction (Accept on a flag) is saved against the version it was opened at, as any edit form.
        """
        resumed = await resume_form(interaction, FORM_RE, self.open_forms, self.settings, self.rebuild)
        if resumed is not None:
            form, submitted = resumed
            await self.finish(form, submitted, origin=interaction.message)


async def setup(bot: FactBot) -> None:
    await bot.add_cog(Review(bot, bot.knowledge, bot.settings))
    bot.add_dynamic_items(FlagButton, AcceptButton, DismissButton)
