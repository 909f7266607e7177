"""``/factadmin``: how moderators add, correct, retract and review facts from Discord.

Thin on purpose: each command checks the caller is a moderator, turns its
options into the record the knowledge layer takes, calls the store and shows
the result. Validation is the model's (``parse_fact``), writes are the store's
(async, off the event loop), and every change is attributed to the moderator.
Replies are private to the moderator; nothing here pings anyone.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from io import BytesIO
from itertools import islice, takewhile
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import Range
from discord.ext import commands

from handlers.admin_text import (
    ADD_FIELDS,
    MODAL_FIELDS,
    gaps_message,
    history_line,
    history_lines,
    last_checked,
    split_list,
    synonym_line,
    synonym_words,
)
from handlers.admin_views import (
    EDIT_FORM_RE,
    TEACH_FIELDS,
    ConfirmView,
    DecideButton,
    EditFactModal,
    Outcome,
    Pending,
    actor_of,
    allowed,
)
from handlers.buttons import DeskButton, view_of
from handlers.checks import NotModerator, is_moderator, refuse_outside_newsroom
from handlers.desk_text import item_line
from handlers.desk_views import desk_of, review_buttons
from handlers.errors import Refusal, as_form, report_error, tell
from handlers.lookup import MAX_LISTED, fact_line, listed
from handlers.render import (
    BUTTON_LABEL_LIMIT,
    CHOICE_NAME_LIMIT,
    clip,
    fact_embed,
    list_pages,
    message_text,
    quoted_query,
    visible,
)
from handlers.views import listing, show_page
from knowledge.desk.gaps import Gap
from knowledge.desk.stale import MAX_REVIEW_DAYS, REVIEW_DAYS, review_due
from knowledge.desk.synonyms import MAX_WORD, MAX_WORDS, THESAURUS, Group
from knowledge.duplicates import duplicate_warnings
from knowledge.errors import DuplicateFact, FactNotFound
from knowledge.model import (
    MAX_CAVEATS,
    MAX_CLAIM,
    MAX_DETAILS,
    MAX_QUESTION,
    MAX_QUOTE,
    MAX_REASON,
    MAX_SHORT,
    MAX_URL,
    SOURCE_KINDS,
    STATUSES,
    Actor,
    Fact,
    parse_fact,
)
from knowledge.newsroom import Knowledge
from knowledge.search.index import SearchIndex
from knowledge.search.textnorm import normalise
from knowledge.store.transfer import read_document

if TYPE_CHECKING:
    from bot import Settings
    from handlers.app import FactBot

NOTHING_CHANGED = "\nNothing was changed."
IMPORT_MAX_BYTES = 10 * 1024 * 1024  # larger bases are imported on the server: `python bot.py import`
LIST_OPTION_LIMIT = 4000  # a comma-separated list option; each entry is checked by the model
SYNONYM_OPTION_LIMIT = MAX_WORDS * (MAX_WORD + 2)  # the longest group, comma-separated
AUTOCOMPLETE_LIMIT = 25
TEACH_BUTTONS = 5  # one row under /factadmin gaps: the top questions with picks

STATUS_CHOICES = [app_commands.Choice(name=s, value=s) for s in STATUSES]
KIND_CHOICES = [app_commands.Choice(name=k, value=k) for k in SOURCE_KINDS]

# The model checks a key's form; 100 characters is what an autocomplete value may hold.
Key = Range[str, 1, 100]


class KeyCatalogue:
    """Keys for moderators' autocomplete, built once per write (``Knowledge.derived``).

    A keystroke costs a binary search for keys starting with what was typed, a
    scan of the keys (short strings) for ones containing it, the search index
    for live facts whose claim contains it, and a scan of the few retracted
    facts (which the index does not hold).
    """

    def __init__(self, facts: list[Fact]) -> None:
        self.keys = sorted(fact.key for fact in facts)
        self.retracted = [(fact.key, fact.claim.casefold()) for fact in facts if fact.retracted]

    def matching(self, needle: str, index: SearchIndex, most: int) -> list[str]:
        start = bisect_left(self.keys, needle)
        found = dict.fromkeys(
            takewhile(lambda key: key.startswith(needle), islice(self.keys, start, start + most))
        )
        if needle and len(found) < most:
            found |= dict.fromkeys(islice((key for key in self.keys if needle in key), most))
            hits = index.autocomplete(needle, limit=most)
            found |= dict.fromkeys(hit.fact.key for hit in hits if needle in hit.fact.claim.casefold())
            found |= dict.fromkeys(key for key, claim in self.retracted if needle in claim)
        return list(found)[:most]


def key_choice(fact: Fact) -> app_commands.Choice[str]:
    """A fact offered to a moderator's key option: its key and the start of its claim."""
    return app_commands.Choice(
        name=clip(" ".join(visible(f"{fact.key} — {fact.claim}").split()), CHOICE_NAME_LIMIT), value=fact.key
    )


def _key_list(keys: list[str], *, most: int = 15) -> str:
    shown = ", ".join(f"`{k}`" for k in keys[:most])
    return shown + (f" and {len(keys) - most} more" if len(keys) > most else "")


def _warning_lines(warnings: list[str], *, most: int = 3) -> list[str]:
    """An import's warnings (near-duplicate claims, worded as ``check`` words them): the first few."""
    lines = [f"Warning: {warning}" for warning in warnings[:most]]
    if len(warnings) > most:
        lines.append(
            f"And {len(warnings) - most} more warnings; `python bot.py check <file>` lists them all."
        )
    return lines


# A hint for the Discord client only; server admins can change it, so
# interaction_check decides again on every use.
@app_commands.default_permissions(manage_messages=True)
@app_commands.guild_only()
class FactAdmin(
    commands.GroupCog,
    group_name="factadmin",
    group_description="Moderators: add, correct, retract and review facts.",
):
    """Moderator commands. Every command, button and form checks the moderator role when used."""

    def __init__(self, knowledge: Knowledge, settings: Settings) -> None:
        self.knowledge = knowledge
        self.settings = settings
        # Edit forms open in this process, by custom_id; a submission of any other is from before a restart.
        self.open_forms: Counter[str] = Counter()
        listing("h", self.history_pages)
        listing("r", self.stale_pages)
        listing("rq", self.queue_pages)
        listing("sy", self.synonym_pages)
        listing("syh", self.synonym_history_pages)
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """The /factadmin group's check: moderators only, decided now (roles change)."""
        if not is_moderator(interaction, self.settings):
            raise NotModerator
        return True

    # --- autocomplete: checks do not run here, so it filters by role itself ---

    def _key_choices(
        self, interaction: discord.Interaction, current: str, *, retracted: bool | None
    ) -> list[app_commands.Choice[str]]:
        if not is_moderator(interaction, self.settings):
            return []
        store = self.knowledge.store
        catalogue = self.knowledge.derived(
            "admin-keys", lambda: KeyCatalogue(store.facts(include_retracted=True))
        )
        return [
            key_choice(f)
            for f in (
                store.get(key)
                for key in catalogue.matching(
                    current.strip().casefold(), self.knowledge.index, AUTOCOMPLETE_LIMIT * 4
                )
            )
            if retracted is None or f.retracted == retracted
        ][:AUTOCOMPLETE_LIMIT]

    async def live_keys(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._key_choices(interaction, current, retracted=False)

    async def retracted_keys(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._key_choices(interaction, current, retracted=True)

    async def any_keys(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._key_choices(interaction, current, retracted=None)

    async def gap_questions(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Unanswered questions (most asked first) not yet taught, that fit a choice's value."""
        if not is_moderator(interaction, self.settings):
            return []
        wanted, taught = normalise(current), self.taught()
        return [
            app_commands.Choice(name=clip(visible(gap.query), CHOICE_NAME_LIMIT), value=gap.query)
            for gap in self.knowledge.gaps.ranked(limit=200)
            if len(gap.query) <= CHOICE_NAME_LIMIT
            and wanted in normalise(gap.query)
            and normalise(gap.query) not in taught
        ][:AUTOCOMPLETE_LIMIT]

    async def picked_keys(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Live facts, with those people picked for the question given so far first."""
        choices = self._key_choices(interaction, current, retracted=False)
        question = normalise(str(getattr(interaction.namespace, "question", None) or ""))
        picks = self.knowledge.gaps.picks_for(question) if question else ()
        if not choices or not picks:  # no choices: not a moderator, or nothing matches
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

    # --- writes ---

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
        publisher="Who published the source (like Haaretz)",
        source_title="The headline or title of the source",
        source_url="Link to the source (http:// or https://)",
        published="When the source was published: 2023, 2023-03 or 2023-03-06",
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
        publisher: Range[str, 1, MAX_SHORT],
        source_title: Range[str, 1, MAX_SHORT],
        source_url: Range[str, 1, MAX_URL],
        published: Range[str, 1, 10],
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
            + (f" Also similar: {_key_list(others)}." if others else "")
            + " Add it anyway?"
        )
        pending = Pending(
            interaction.user.id,
            add_anyway,
            expired=f"No answer in time: `{fact.key}` was not added.",
            cancelled=f"Cancelled: `{fact.key}` was not added.",
        )
        await ConfirmView(pending, "add").send(
            interaction, content=message_text(question), embed=fact_embed(top.fact), ephemeral=True
        )

    @app_commands.command(name="edit")
    @app_commands.describe(key="The fact to correct")
    @app_commands.autocomplete(key=live_keys)
    async def edit(self, interaction: discord.Interaction, key: Key) -> None:
        """Correct a fact's text in a form (claim, details, caveats, aliases, tags)."""
        fact = self.knowledge.store.get(key)  # FactNotFound goes to the error handler
        form = EditFactModal(fact, interaction.user.id)
        self.open_forms[form.custom_id] += 1
        try:
            await interaction.response.send_modal(form)
            timed_out = await form.wait()
        finally:
            self.open_forms[form.custom_id] -= 1
            if not self.open_forms[form.custom_id]:
                del self.open_forms[form.custom_id]
        if not timed_out and form.submitted is not None:
            await self.save_edit(form.submitted, form)

    async def save_edit(self, submitted: discord.Interaction, form: EditFactModal) -> Fact | None:
        """Save what the form collected, against the version it was opened at; the saved fact, or None.

        Also how Accept on a flag saves its correction (handlers.desk).
        """
        changes = form.changes()
        if not changes:
            await tell(submitted, f"No changes; `{form.key}` stays at version {form.version}.")
            return None
        # Saving can take longer than Discord's 3 seconds; answer first.
        await submitted.response.defer(ephemeral=True, thinking=True)
        try:
            with as_form(MODAL_FIELDS):
                fact = await self.knowledge.store.edit(
                    form.key, changes, expected_version=form.version, actor=actor_of(submitted)
                )
        except Exception as error:
            # The command's own interaction was answered with the form; the reply goes to the submission.
            await report_error(submitted, error)
            return None
        await submitted.followup.send(
            f"Saved `{fact.key}` (now version {fact.version}).", embed=fact_embed(fact), ephemeral=True
        )
        return fact

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """An edit form submitted after a restart: no live form awaits it, so rebuild it and save.

        The form's custom_id names its moderator, fact and version, so the
        submission is saved against the version it was opened at, or refused
        as stale, exactly as it would have been before the restart.
        """
        if interaction.type is not discord.InteractionType.modal_submit or interaction.data is None:
            return
        match = EDIT_FORM_RE.fullmatch(str(interaction.data.get("custom_id", "")))
        if match is None or match[0] in self.open_forms:
            return
        if await refuse_outside_newsroom(interaction, self.settings):  # before reading anything
            return
        try:
            fact = self.knowledge.store.get(match["key"])
        except FactNotFound as error:
            await report_error(interaction, error)
            return
        form = EditFactModal(fact, int(match["owner"], 36), version=int(match["version"]))
        # The path discord.py takes for a live form: its checks, the values, then on_submit.
        await form._dispatch_submit(interaction, list(interaction.data.get("components", [])), {})
        if form.submitted is not None:  # None: refused by the form's checks, and told so
            await self.save_edit(form.submitted, form)

    @app_commands.command(name="cite")
    @app_commands.describe(
        key="The fact this source supports",
        publisher="Who published the source",
        title="The headline or title of the source",
        url="Link to the source (http:// or https://)",
        published="When it was published: 2023, 2023-03 or 2023-03-06",
        kind="primary (the original), secondary (a report on it) or mirror (a copy)",
        quote="The exact words that support the fact",
    )
    @app_commands.choices(kind=KIND_CHOICES)
    @app_commands.autocomplete(key=live_keys)
    async def cite(
        self,
        interaction: discord.Interaction,
        key: Key,
        publisher: Range[str, 1, MAX_SHORT],
        title: Range[str, 1, MAX_SHORT],
        url: Range[str, 1, MAX_URL],
        published: Range[str, 1, 10],
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
    @app_commands.autocomplete(key=live_keys)
    async def retract(
        self, interaction: discord.Interaction, key: Key, reason: Range[str, 1, MAX_REASON]
    ) -> None:
        """Withdraw a fact: staff stop seeing it; it stays in the history and can be restored."""
        change = partial(self.knowledge.store.retract, key, reason, actor_of(interaction))
        await self._deferred(interaction, change, "Retracted `{key}`. `/factadmin restore` brings it back.")

    @app_commands.command(name="restore")
    @app_commands.describe(key="The retracted fact to bring back", reason="Why (kept in the history)")
    @app_commands.autocomplete(key=retracted_keys)
    async def restore(
        self, interaction: discord.Interaction, key: Key, reason: Range[str, 1, MAX_REASON] | None = None
    ) -> None:
        """Bring back a retracted fact."""
        change = partial(self.knowledge.store.restore, key, actor_of(interaction), reason)
        await self._deferred(interaction, change, "Restored `{key}`.")

    @app_commands.command(name="review")
    @app_commands.describe(key="The fact you checked", status="Change how sure we are (optional)")
    @app_commands.choices(status=STATUS_CHOICES)
    @app_commands.autocomplete(key=live_keys)
    async def review(self, interaction: discord.Interaction, key: Key, status: str | None = None) -> None:
        """Record that you checked a fact today, optionally changing its status."""
        change = partial(self.knowledge.store.review, key, actor_of(interaction), status=status)
        await self._deferred(interaction, change, "Marked `{key}` as reviewed now.")

    # --- reads ---

    @app_commands.command(name="history")
    @app_commands.describe(key="The fact whose changes you want to see")
    @app_commands.autocomplete(key=any_keys)
    async def history(self, interaction: discord.Interaction, key: Key) -> None:
        """Every change to a fact: who, when, what and why."""
        pages = await self.history_pages(interaction, key)
        await show_page(interaction, pages, code="h", args=key, ephemeral=True)

    async def history_pages(self, interaction: discord.Interaction, key: str) -> list[discord.Embed]:
        if not is_moderator(interaction, self.settings):  # a page turn, too: roles change
            raise NotModerator
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

    @app_commands.command(name="stale")
    @app_commands.describe(days=f"Not reviewed for at least this many days (default {REVIEW_DAYS})")
    async def stale(
        self, interaction: discord.Interaction, days: Range[int, 1, MAX_REVIEW_DAYS] = REVIEW_DAYS
    ) -> None:
        """Live facts nobody has reviewed for a while, the longest unchecked first: what to check next."""
        pages = await self.stale_pages(interaction, str(days))
        await show_page(interaction, pages, code="r", args=str(days), ephemeral=True)

    async def stale_pages(self, interaction: discord.Interaction, days: str) -> list[discord.Embed]:
        if not is_moderator(interaction, self.settings):  # a page turn, too: roles change
            raise NotModerator
        # A scan of every live fact: off the event loop. Facts are immutable, so the snapshot holds.
        due = await asyncio.to_thread(review_due, self.knowledge.store.facts(), days=int(days))
        if not due:
            raise Refusal(f"Every live fact was reviewed, or added, in the last {days} days.")
        title = f"Not reviewed for {days} days or more ({listed(len(due))}), longest unchecked first"
        return list_pages(title, [f"{fact_line(d.fact)} — {last_checked(d)}" for d in due[:MAX_LISTED]])

    @app_commands.command(name="export")
    async def export(self, interaction: discord.Interaction) -> None:
        """Download the whole fact base as a JSON file (the format `import` reads)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        store = self.knowledge.store
        data = await store.export_json()
        if len(data) > interaction.filesize_limit:
            await interaction.followup.send(
                "The fact base is too large to send through Discord; "
                "run `python bot.py export` on the server.",
                ephemeral=True,
            )
            return
        name = f"facts-{datetime.now(UTC):%Y-%m-%d}.json"
        await interaction.followup.send(
            f"The whole fact base: {len(store)} live facts, "
            f"{len(store.facts(include_retracted=True)) - len(store)} retracted.",
            file=discord.File(BytesIO(data), filename=name),
            ephemeral=True,
        )

    # --- import ---

    @app_commands.command(name="import")
    @app_commands.describe(
        file="A JSON file of facts (as made by export)",
        dry_run="Only count what would change; change nothing",
    )
    async def import_(
        self, interaction: discord.Interaction, file: discord.Attachment, dry_run: bool = False
    ) -> None:
        """Add or update facts from a JSON file, after you confirm what it would change."""
        if file.size > IMPORT_MAX_BYTES:
            await tell(
                interaction,
                f"`{file.filename}` is {file.size:,} bytes; at most {IMPORT_MAX_BYTES:,} can be imported "
                "through Discord (use `python bot.py import` on the server). Nothing was changed.",
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        store = self.knowledge.store
        actor = actor_of(interaction)
        try:
            raw = await file.read()
        except discord.HTTPException:
            raise Refusal("Could not download the file from Discord; try again.") from None
        with as_form(after=NOTHING_CHANGED):
            records = await asyncio.to_thread(read_document, raw, f"`{clip(file.filename, 100)}`")
            plan = await store.import_records(records, actor, dry_run=True, warn=duplicate_warnings)

        counts = (
            f"`{clip(file.filename, 100)}`: {len(plan.added)} to add, {len(plan.changed)} to change, "
            f"{len(plan.unchanged)} unchanged."
        )
        warned = _warning_lines(plan.warnings)  # they do not stop an import; the moderator should see them
        if dry_run:
            await tell(interaction, "\n".join([f"Dry run — {counts} Nothing was changed.", *warned]))
            return
        if not plan.added and not plan.changed:
            await tell(interaction, "\n".join([f"{counts} Nothing to import.", *warned]))
            return

        async def apply(pressed: discord.Interaction) -> Outcome:
            with as_form(after=NOTHING_CHANGED):
                report = await store.import_records(records, actor_of(pressed), warn=duplicate_warnings)
            return (
                f"Imported `{clip(file.filename, 100)}`: {len(report.added)} added, "
                f"{len(report.changed)} changed, {len(report.unchanged)} unchanged.",
                None,
            )

        lines = [counts]
        if plan.added:
            lines.append(f"Adds: {_key_list(plan.added)}")
        if plan.changed:
            lines.append(f"Changes: {_key_list(plan.changed)}")
        lines += warned
        lines.append("Apply this import?")
        pending = Pending(
            interaction.user.id,
            apply,
            expired="No answer in time: nothing was imported.",
            cancelled="Cancelled: nothing was imported.",
        )
        text = message_text("\n".join(lines))
        await ConfirmView(pending, "import").send(interaction, content=text, ephemeral=True)

    # --- the review queue (flags and suggestions from staff; see handlers.desk) ---

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
        embed = desk_of(interaction).show(found)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def queue_pages(self, interaction: discord.Interaction, _args: str) -> list[discord.Embed]:
        if not is_moderator(interaction, self.settings):  # a page turn, too: roles change
            raise NotModerator
        items = self.knowledge.queue.open_items()
        if not items:
            raise Refusal("Nothing waits for review: no open flags or suggestions.")
        hint = "*To accept or dismiss one here: /factadmin queue item:<number>.*"
        lines = [hint, *(item_line(found) for found in items)]
        return list_pages(f"Review queue: {len(items)} open, oldest first", lines)

    # --- synonyms: words moderators teach search to read as the same (knowledge.desk.synonyms) ---

    synonym = app_commands.Group(
        name="synonym", description="Moderators: words that mean the same to /facts and Check facts."
    )

    @synonym.command(name="add")
    @app_commands.describe(
        words="Two or more single words that mean the same, separated by commas (like uvda, ovda, עובדה)",
        reason="Why (kept in the history)",
    )
    async def synonym_add(
        self,
        interaction: discord.Interaction,
        words: Range[str, 1, SYNONYM_OPTION_LIMIT],
        reason: Range[str, 1, MAX_REASON] | None = None,
    ) -> None:
        """Teach search that these words mean the same: a search for one finds facts saying another."""
        await self._synonym_change(
            interaction,
            partial(self.knowledge.add_synonyms, split_list(words) or [], reason=reason),
            "Added the synonym group {words}. /facts and Check facts now read each of these words as "
            "the others. `/factadmin synonym remove` takes it back.",
        )

    @synonym.command(name="remove")
    @app_commands.describe(
        words="Every word of the group, separated by commas (pick it from the list)",
        reason="Why (kept in the history)",
    )
    async def synonym_remove(
        self,
        interaction: discord.Interaction,
        words: Range[str, 1, SYNONYM_OPTION_LIMIT],
        reason: Range[str, 1, MAX_REASON] | None = None,
    ) -> None:
        """Remove a synonym group a moderator added (the groups shipped with the bot stay)."""
        await self._synonym_change(
            interaction,
            partial(self.knowledge.synonyms.remove_group, split_list(words) or [], reason=reason),
            "Removed the synonym group {words}; search no longer reads these words as the same.",
        )

    async def _synonym_change(
        self, interaction: discord.Interaction, change: Callable[[Actor], Awaitable[Group]], done: str
    ) -> None:
        """Save a synonym change by this moderator; ``done`` (with ``{words}``) says what it did."""
        await interaction.response.defer(ephemeral=True, thinking=True)  # a saved write: may take a while
        with as_form():  # a group's problems listed like a form's
            group = await change(actor_of(interaction))
        await tell(interaction, done.format(words=synonym_words(group.words)))

    @synonym_remove.autocomplete("words")
    async def added_groups(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not is_moderator(interaction, self.settings):  # checks do not run for autocomplete
            return []
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
        if not is_moderator(interaction, self.settings):  # a page turn, too: roles change
            raise NotModerator
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
        if not is_moderator(interaction, self.settings):  # a page turn, too: roles change
            raise NotModerator
        entries = self.knowledge.store.history(THESAURUS)
        if not entries:
            raise Refusal("No synonym group has been added or removed yet.")
        title = f"Synonym changes: {len(entries)}, newest first"
        return list_pages(title, [history_line(entry) for entry in reversed(entries)])


def admin_of(interaction: discord.Interaction) -> FactAdmin:
    """The running FactAdmin cog, for buttons (no isinstance: see :func:`handlers.desk_views.desk_of`)."""
    cog = interaction.client.get_cog("FactAdmin")  # type: ignore[attr-defined]
    assert cog is not None
    return cog  # type: ignore[no-any-return]


class TeachButton(DeskButton, kind="teach", fields=2):
    """Teach, under a question in /factadmin gaps: the question answers with the fact most people
    picked for it. State is (fact key, the ask's id in the query log), so it works after a restart;
    moderators only, checked when pressed."""

    @classmethod
    def of(cls, number: int, key: str, ask_id: str) -> TeachButton:
        label = clip(f"Teach {number} → {key}", BUTTON_LABEL_LIMIT)
        return cls((key, ask_id), label=label, style=discord.ButtonStyle.primary)

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        key, ask_id = state
        if not await allowed(interaction):
            return
        admin = admin_of(interaction)
        ask = admin.knowledge.gaps.ask(ask_id)
        if ask is None:
            raise Refusal(
                "This question is no longer in the query log; use `/factadmin teach` with the question."
            )
        await admin.save_teaching(interaction, key, ask.query)


async def setup(bot: FactBot) -> None:
    await bot.add_cog(FactAdmin(bot.knowledge, bot.settings))
    bot.add_dynamic_items(DecideButton, TeachButton)
