"""Corrections that reach answers already posted: the worker that edits the bot's public fact cards.

What must change is the domain's (:mod:`knowledge.desk.answers`); this cog only talks to Discord:

- :mod:`handlers.lookup` remembers each public fact card right after it is sent
  (``/facts``, and a suggestion turned into a fact), and each public list of
  several facts or of suggestions under "No fact matches"; a list is corrected
  by rendering it again from the base (:func:`handlers.parts.corrected_listing`).
  Private answers are never recorded: Discord lets only the interaction's own
  token edit them, and only for 15 minutes.
- The store tells :class:`Corrections` after every saved change. The listener
  only queues the fact and wakes the worker (``bot.dispatch``), so a
  moderator's reply never waits for an edit.
- The worker plans the corrections (the answer log's outbox, on disk), then
  edits one card at a time, ``pace`` seconds apart (CORRECTION_PACE), through the
  bot's HTTP API: the card is the bot's own message, so the edit works long
  after the interaction's 15 minutes. discord.py waits out Discord's rate
  limits (429s and the bucket headers) by itself; the pace keeps a big
  correction from using them all.
- A deleted card (or channel) is marked gone; so is one the bot may no longer
  see or edit (logged). Any other failure leaves the card pending, tried again
  after :data:`RETRY_SECONDS` or with the next change.
- When a fact's cards are all done, how many were corrected goes into its
  history (the store's ``record_corrections``), then the log forgets the count.
- On start, whatever a stop left pending, or a crash left unplanned, is finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from handlers.parts import answer_buttons, corrected_listing
from handlers.render import corrected_embed
from knowledge.desk.answers import CARD, RESTORED, RETRACTED, Correction, correction_kind
from knowledge.errors import KnowledgeError
from knowledge.model import Fact

if TYPE_CHECKING:
    from handlers.app import FactBot
    from knowledge.newsroom import Knowledge

log = logging.getLogger(__name__)

WAKE = "corrections_due"  # the event the store listener dispatches to wake the worker
RETRY_SECONDS = 300.0  # a card Discord refused for another reason (an outage) is tried again after this


def _today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


class Corrections(commands.Cog):
    """Edits the bot's posted fact cards when their fact changes: see the module docstring."""

    def __init__(self, bot: FactBot, knowledge: Knowledge, *, pace: float = 1.0) -> None:
        self.bot = bot
        self.knowledge = knowledge
        self.pace = pace  # seconds between two edits (the setting CORRECTION_PACE)
        self._changed: dict[str, Fact] = {}  # saved changes not yet planned, latest per fact
        self._worker: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self.knowledge.store.subscribe(self._on_saved)
        self._worker = asyncio.create_task(self._work(), name="fact-desk corrections")

    async def cog_unload(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None

    def _on_saved(self, fact: Fact) -> None:
        # On the event loop, inside the store's write: only note it and wake the worker.
        if self._worker is None:
            return  # unloaded; the store outlives nothing here, but a listener cannot be removed
        self._changed.pop(fact.key, None)
        self._changed[fact.key] = fact
        self.bot.dispatch(WAKE)

    async def _work(self) -> None:
        # On start every fact counts as changed: what a stop left unplanned is planned now
        # (reconcile), and what it left pending is edited.
        for fact in self.knowledge.store.facts(include_retracted=True):
            self._changed.setdefault(fact.key, fact)
        while True:
            try:
                retry = await self._drain()
            except KnowledgeError as error:  # the answer log's disk refused: nothing is lost, try later
                log.error("Could not plan corrections of posted answers (trying again later): %s", error)
                retry = True
            except Exception:  # a network error or a bug must not end corrections until a restart
                log.exception("Correcting posted answers failed; trying again later")
                retry = True
            else:
                if self._changed:
                    continue  # changed while the last report was written
            # discord.py's own wait: woken by the store listener's dispatch, or to retry.
            with contextlib.suppress(TimeoutError):
                await self.bot.wait_for(WAKE, timeout=RETRY_SECONDS if retry else None)

    async def _plan(self) -> None:
        changed, self._changed = self._changed, {}
        try:
            # Fsyncs the outbox: off the event loop. Only facts with recorded answers are planned.
            await asyncio.to_thread(self.knowledge.answers.reconcile, list(changed.values()))
        except BaseException:
            self._changed = changed | self._changed  # planned next time, the newest version of each
            raise

    async def _drain(self) -> bool:
        """Plan, then edit every pending card; True if something must be tried again later."""
        answers = self.knowledge.answers
        refused: set[int] = set()
        while True:
            if self._changed:
                await self._plan()
            pending = [
                c for c in await asyncio.to_thread(answers.pending) if c.answer.message_id not in refused
            ]
            if not pending:
                break
            for correction in pending:
                if self._changed:
                    break  # plan the newer change first: it may replace these
                if not await self._correct(correction):
                    refused.add(correction.answer.message_id)
                await asyncio.sleep(self.pace)
        reported = await self._report()
        return bool(refused) or not reported

    async def _correct(self, correction: Correction) -> bool:
        """Edit one posted answer to show its facts as they are now; False if it must be tried again later."""
        if not self.knowledge.answers.is_pending(correction):
            return True  # superseded while earlier ones were edited: never edit a message with a stale plan
        answer = correction.answer
        fact = self.knowledge.store.get(correction.key)  # facts are never deleted
        shown = answer.shown_of(correction.key) or correction.target
        kind = correction_kind(shown, fact) or correction.kind
        message = self.bot.get_partial_messageable(
            answer.channel_id, guild_id=answer.guild_id
        ).get_partial_message(answer.message_id)
        embed = corrected_embed(fact, kind, today=_today())
        try:
            if answer.form != CARD:  # a list: every fact of it as it is now
                facts = [self.knowledge.store.get(key) for key in answer.keys]
                await message.edit(**corrected_listing(answer, facts, today=_today()))
            elif kind == RETRACTED:
                await message.edit(embed=embed, view=None)  # nothing on a retracted fact is to be used
            elif kind == RESTORED:
                await message.edit(embed=embed, view=answer_buttons("", fact.key, more=False))
            else:
                await message.edit(embed=embed)  # its buttons still work: they look the fact up again
        except discord.NotFound:
            return await self._finish(correction, gone=True)
        except discord.Forbidden as error:
            log.warning(
                "Cannot correct answer %s in channel %s (%s); counted as gone",
                answer.message_id,
                answer.channel_id,
                error.text,
            )
            return await self._finish(correction, gone=True)
        except discord.HTTPException as error:
            log.warning("Could not correct answer %s (trying again later): %s", answer.message_id, error)
            return False
        return await self._finish(correction, gone=False)

    async def _finish(self, correction: Correction, *, gone: bool) -> bool:
        mark = self.knowledge.answers.mark_gone if gone else self.knowledge.answers.mark_done
        try:
            await asyncio.to_thread(mark, correction)
        except KnowledgeError as error:
            # It stays pending: edited again (to the same) when tried again.
            log.error("Could not note the correction of answer %s: %s", correction.answer.message_id, error)
            return False
        return True

    async def _report(self) -> bool:
        """Write each finished fact's count into its history; False if one must be tried again later."""
        answers = self.knowledge.answers
        written = True
        for report in await asyncio.to_thread(answers.reports_due):
            try:
                # A corrections note by the bot; written once even if a crash offers the report again.
                await self.knowledge.store.record_corrections(report)
                await asyncio.to_thread(answers.mark_reported, report)
            except KnowledgeError as error:
                log.error("Could not record the corrections of `%s` in its history: %s", report.key, error)
                written = False
        return written


async def setup(bot: FactBot) -> None:
    await bot.add_cog(Corrections(bot, bot.knowledge, pace=bot.settings.correction_pace))
