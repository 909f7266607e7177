"""The bot's public answers, and the corrections that must reach them when a fact changes.

Every public fact card the bot posts is recorded (guild, channel, message,
fact key, and what the card said) for :data:`WINDOW_DAYS`. When a fact changes
in a way a reader of an old card must learn about, :meth:`AnswerLog.plan_corrections`
puts each card still saying the old thing into a persisted outbox; the Discord
adapter edits them one by one, off the moderator's path, and marks each done
(or gone, when Discord says the message was deleted). A restart midway finds
the rest still pending. When a fact's outbox is empty, a :class:`CorrectionReport`
("N answers corrected") is due for the fact's history; the store owns the
history, so the adapter writes it (:meth:`knowledge.store.changes.FactStore.record_corrections`)
and then calls :meth:`AnswerLog.mark_reported`.

What must reach posted answers (:func:`correction_kind`): a retraction, a
restoration, a new claim, a new status. Other edits do not: a card that showed
the vetted claim with its status stays true when a source is added, a detail
or caveat reworded, an alias or tag added, or a review date set; spending
Discord's rate limit on re-rendering every old card for those would delay the
corrections that matter. (A correction, when it happens, renders the current
fact, so the card then shows the new sources too.)

Stored beside the fact database as ``<db>.answers.jsonl``, an append-only
:class:`~knowledge.store.disk.journal.Journal`; answers older than the window are dropped
when the log is opened, and the journal is then rewritten without them.
Methods may run on a worker thread (to keep the fsync off the event loop); a
lock makes each one a single step.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from knowledge.errors import KnowledgeError
from knowledge.model import CorrectionReport, Fact
from knowledge.store.disk.journal import Event, Journal

log = logging.getLogger(__name__)

ANSWERS_SUFFIX = ".answers.jsonl"
WINDOW_DAYS = 90
RETRACTED, RESTORED, UPDATED = "retracted", "restored", "updated"
# Rewrite the journal on open once it holds this many times more events than its state needs.
_COMPACT_RATIO = 4
_COMPACT_MIN = 256


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _digest(text: str) -> str:
    # The claim's fingerprint, not its text: the store keeps the words, this log only compares them.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Shown:
    """What a posted card says that a correction must keep true, and the fact version it showed."""

    version: int
    status: str
    retracted: bool
    claim: str  # a digest of the claim

    @classmethod
    def of(cls, fact: Fact) -> Shown:
        return cls(fact.version, fact.status, fact.retracted, _digest(fact.claim))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "status": self.status,
            "retracted": self.retracted,
            "claim": self.claim,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Shown:
        return cls(int(data["version"]), str(data["status"]), bool(data["retracted"]), str(data["claim"]))


def correction_kind(shown: Shown, fact: Fact) -> str | None:
    """How a card that showed ``shown`` must change to tell the truth about ``fact`` (None: it need not)."""
    now = Shown.of(fact)
    if now.retracted != shown.retracted:
        return RETRACTED if now.retracted else RESTORED
    if (now.claim, now.status) != (shown.claim, shown.status):
        return UPDATED
    return None


@dataclass(frozen=True, slots=True)
class Answer:
    """One public fact card the bot posted."""

    guild_id: int | None
    channel_id: int
    message_id: int
    key: str
    shown: Shown
    posted_at: datetime


@dataclass(frozen=True, slots=True)
class Correction:
    """One posted card to edit: render the fact ``answer.key`` as it is now, marked by ``kind``."""

    answer: Answer
    kind: str  # retracted, restored or updated
    target: Shown  # the fact as it stood when the correction was planned


def _posted_event(answer: Answer) -> Event:
    return {
        "event": "posted",
        "guild": answer.guild_id,
        "channel": answer.channel_id,
        "message": answer.message_id,
        "key": answer.key,
        "shown": answer.shown.to_json(),
        "at": answer.posted_at.isoformat(timespec="seconds"),
    }


@dataclass(slots=True)
class _Tally:
    version: int
    corrected: int = 0
    gone: int = 0


class AnswerLog:
    """The answer log at ``path`` (``<db>.answers.jsonl``); ``path=None`` keeps it in memory only."""

    def __init__(
        self, path: Path | None, *, clock: Callable[[], datetime] = _utc_now, window_days: int = WINDOW_DAYS
    ) -> None:
        self.path = path
        self.window = timedelta(days=window_days)
        self._clock = clock
        self._journal = Journal(path)
        self._answers: dict[int, Answer] = {}  # by message id, oldest first
        self._pending: dict[int, Correction] = {}  # by message id, oldest plan first
        self._tallies: dict[str, _Tally] = {}  # corrections since the key's last report
        self._lock = threading.Lock()
        events = 0
        for event in self._journal.replay():
            events += 1
            try:
                self._apply(event)
            except (KeyError, TypeError, ValueError) as error:
                log.warning("skipped an answer-log event in %s (%r): %.120r", path, error, event)
        pruned = self._prune()
        size = len(self._answers) + len(self._tallies)
        if pruned or events > max(_COMPACT_MIN, _COMPACT_RATIO * size):
            try:
                self.compact()
            except KnowledgeError as error:  # the log still works; the file stays longer than needed
                log.warning("could not compact %s: %s", path, error)

    @classmethod
    def beside(cls, db: Path, **options: Any) -> AnswerLog:
        """The answer log stored with the fact database ``db``."""
        return cls(db.with_name(db.name + ANSWERS_SUFFIX), **options)

    # --- reads ---

    def answers(self, key: str | None = None) -> list[Answer]:
        """Recorded public answers within the window, of one fact or all, oldest first."""
        with self._lock:  # a worker thread may be changing them
            self._prune()
            return [a for a in self._answers.values() if key in (None, a.key)]

    def pending(self) -> list[Correction]:
        """Corrections not yet done, in the order they were planned: the outbox."""
        with self._lock:
            self._prune()
            return list(self._pending.values())

    def reports_due(self) -> list[CorrectionReport]:
        """Facts whose corrections are all finished but not yet written to their history.

        Ask when the outbox is empty, and on start: a newer plan that found every card
        already true again finishes a fact's corrections without a last ``mark_done``."""
        with self._lock:
            self._prune()
            busy = {c.answer.key for c in self._pending.values()}
            return [self._report(key) for key in self._tallies if key not in busy]

    # --- changes ---

    def record(self, guild_id: int | None, channel_id: int, message_id: int, fact: Fact) -> Answer:
        """Remember a public card showing ``fact``, so a later correction can reach it."""
        answer = Answer(
            guild_id=None if guild_id is None else int(guild_id),
            channel_id=int(channel_id),
            message_id=int(message_id),
            key=fact.key,
            shown=Shown.of(fact),
            posted_at=self._clock().replace(microsecond=0),  # as the file keeps it, so a reload agrees
        )
        with self._lock:
            self._commit(_posted_event(answer))
        return answer

    def plan_corrections(self, fact: Fact) -> list[Correction]:
        """Put every recorded card of ``fact`` that says something else now into the outbox.

        Call it after each saved change of a fact (a store listener). The new
        plan replaces any unfinished one for the same fact, so a retraction
        followed by a restoration before the outbox drained edits nothing twice
        and leaves alone the cards that are true again.
        """
        with self._lock:
            self._prune()
            target = Shown.of(fact)
            messages = [
                [answer.message_id, kind]
                for answer in self._answers.values()
                if answer.key == fact.key and (kind := correction_kind(answer.shown, fact)) is not None
            ]
            planned = {m: (c.kind, c.target) for m, c in self._pending.items() if c.answer.key == fact.key}
            if planned != {m: (kind, target) for m, kind in messages}:
                self._commit(
                    {"event": "planned", "key": fact.key, "shown": target.to_json(), "messages": messages}
                )
            return [self._pending[message_id] for message_id, _ in messages]

    def reconcile(self, facts: Iterable[Fact]) -> list[Correction]:
        """On start: plan what a crash kept from being planned. Pass the retracted facts too."""
        keys = {answer.key for answer in self.answers()}
        for fact in facts:
            if fact.key in keys:
                self.plan_corrections(fact)
        return self.pending()

    def mark_done(self, correction: Correction) -> CorrectionReport | None:
        """The card was edited; returns the fact's report if that was its last pending correction."""
        return self._finish(correction, "corrected")

    def mark_gone(self, correction: Correction) -> CorrectionReport | None:
        """Discord says the card's message no longer exists: never try it again."""
        return self._finish(correction, "gone")

    def mark_reported(self, report: CorrectionReport) -> None:
        """The report is in the fact's history; start counting afresh."""
        with self._lock:
            if report.key in self._tallies:
                self._commit({"event": "reported", "key": report.key})

    def compact(self) -> None:
        """Rewrite the journal as the current state: answers in the window, the outbox, unreported counts."""
        with self._lock:
            self._prune()
            self._journal.rewrite(self._state_events())

    # --- internals ---

    def _finish(self, correction: Correction, outcome: str) -> CorrectionReport | None:
        message_id = correction.answer.message_id
        with self._lock:
            self._prune()
            if self._pending.get(message_id) != correction:
                return None  # superseded by a newer plan, or finished already: the newer one stands
            key = correction.answer.key
            self._commit({"event": outcome, "message": message_id, "version": correction.target.version})
            if any(c.answer.key == key for c in self._pending.values()):
                return None
            return self._report(key)

    def _report(self, key: str) -> CorrectionReport:
        tally = self._tallies[key]
        return CorrectionReport(key, tally.version, tally.corrected, tally.gone)

    def _prune(self) -> bool:
        """Forget answers older than the window (and their pending corrections).

        Answers are kept in the order they were posted, so the expired ones are at
        the front and a prune costs only what it removes; reads and changes all
        prune first, so they agree with what a reload would find."""
        since = self._clock() - self.window
        expired = []
        for message_id, answer in self._answers.items():
            if answer.posted_at >= since:
                break
            expired.append(message_id)
        for message_id in expired:
            del self._answers[message_id]
            self._pending.pop(message_id, None)
        return bool(expired)

    def _commit(self, event: Event) -> None:
        """Append durably, then apply: a refused write changes nothing."""
        self._journal.append(event)
        self._apply(event)

    def _apply(self, event: Mapping[str, Any]) -> None:
        kind = event["event"]
        if kind == "posted":
            at = datetime.fromisoformat(event["at"])
            answer = Answer(
                guild_id=None if event["guild"] is None else int(event["guild"]),
                channel_id=int(event["channel"]),
                message_id=int(event["message"]),
                key=str(event["key"]),
                shown=Shown.from_json(event["shown"]),
                posted_at=at if at.tzinfo else at.replace(tzinfo=UTC),
            )
            # Recorded again (the card was re-sent): it shows the fact as now, at the end of the order.
            self._answers.pop(answer.message_id, None)
            self._pending.pop(answer.message_id, None)
            self._answers[answer.message_id] = answer
        elif kind == "planned":
            key, target = str(event["key"]), Shown.from_json(event["shown"])
            for message_id in [m for m, c in self._pending.items() if c.answer.key == key]:
                del self._pending[message_id]
            for message_id, change in event["messages"]:
                if (answer := self._answers.get(int(message_id))) is not None:
                    self._pending[answer.message_id] = Correction(answer, str(change), target)
        elif kind in ("corrected", "gone"):
            message_id = int(event["message"])
            correction = self._pending.get(message_id)
            if correction is None or correction.target.version != event["version"]:
                return
            del self._pending[message_id]
            tally = self._tallies.setdefault(correction.answer.key, _Tally(correction.target.version))
            tally.version = max(tally.version, correction.target.version)
            if kind == "gone":
                tally.gone += 1
                self._answers.pop(message_id, None)
            else:
                tally.corrected += 1
                self._answers[message_id] = replace(correction.answer, shown=correction.target)
        elif kind == "reported":
            self._tallies.pop(str(event["key"]), None)
        elif kind == "tally":
            self._tallies[str(event["key"])] = _Tally(
                int(event["version"]), int(event["corrected"]), int(event["gone"])
            )
        else:
            raise ValueError(f"unknown event {kind!r}")

    def _state_events(self) -> list[Event]:
        events = [_posted_event(answer) for answer in self._answers.values()]
        plans: dict[str, Event] = {}
        for message_id, c in self._pending.items():
            plan = plans.setdefault(
                c.answer.key,
                {"event": "planned", "key": c.answer.key, "shown": c.target.to_json(), "messages": []},
            )
            plan["messages"].append([message_id, c.kind])
        events.extend(plans.values())
        events.extend(
            {"event": "tally", "key": key, "version": t.version, "corrected": t.corrected, "gone": t.gone}
            for key, t in self._tallies.items()
        )
        return events
