"""The bot's public answers, and the corrections that must reach them when a fact changes.

Every public answer the bot posts with a fact is recorded (guild, channel,
message, the facts' keys, and what it said of each) for :data:`WINDOW_DAYS`: a
fact card, a list of several facts that fit (:data:`SEVERAL`), and the
suggestions under "No fact matches" (:data:`SUGGESTIONS`). A list or the
suggestions also keep the question and who asked it, which their buttons carry
and a correction rebuilds them with. When a fact changes
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
fact, so the card then shows the new sources too.) A list is corrected fact by
fact: each of its facts has its own correction, and each re-renders the whole
list from the base as it is now.

Stored beside the fact database as ``<db>.answers.jsonl``, an append-only
:class:`~knowledge.store.disk.journal.Journal`; answers older than the window are dropped
when the log is opened, and the journal is then rewritten without them.
Methods may run on a worker thread (to keep the fsync off the event loop); a
lock makes each one a single step.

Its length: the answer log and its outbox are one journal with one lock; planning, doing and
reporting a correction must read and change them together.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
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
# What a recorded answer is: a fact card, a list of facts that fit about equally, or the
# suggestions offered under "No fact matches".
CARD, SEVERAL, SUGGESTIONS = "card", "several", "suggestions"
FORMS = (CARD, SEVERAL, SUGGESTIONS)
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
    """One public answer the bot posted with facts: a card, a list of several, or suggestions."""

    guild_id: int | None
    channel_id: int
    message_id: int
    facts: tuple[tuple[str, Shown], ...]  # each fact it shows, in order, and what it said of it
    posted_at: datetime
    form: str = CARD
    query: str | None = None  # a list's or the suggestions' question ...
    asker: int | None = None  # ... and who asked it: their buttons are rebuilt with both
    ask_id: str | None = None  # ... and the ask's id in the query log, so a rebuilt button logs its pick

    @property
    def key(self) -> str:
        """The fact a card shows (a list's first)."""
        return self.facts[0][0]

    @property
    def shown(self) -> Shown:
        return self.facts[0][1]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.facts)

    def shown_of(self, key: str) -> Shown | None:
        return next((shown for k, shown in self.facts if k == key), None)

    def showing(self, key: str, shown: Shown) -> Answer:
        """This answer once its fact ``key`` is shown as ``shown``."""
        return replace(self, facts=tuple((k, shown if k == key else was) for k, was in self.facts))


@dataclass(frozen=True, slots=True)
class Correction:
    """One posted answer to edit, because its fact ``key`` changed: render it from the base as it
    is now, the fact marked by ``kind``."""

    answer: Answer
    kind: str  # retracted, restored or updated
    target: Shown  # the fact as it stood when the correction was planned
    key: str = ""  # the changed fact; a card's own when left empty

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.answer.key)


def _posted_event(answer: Answer) -> Event:
    event: Event = {
        "event": "posted",
        "guild": answer.guild_id,
        "channel": answer.channel_id,
        "message": answer.message_id,
    }
    if answer.form == CARD:  # as logs before lists were recorded have it
        event |= {"key": answer.key, "shown": answer.shown.to_json()}
    else:
        event |= {
            "form": answer.form,
            "facts": [[key, shown.to_json()] for key, shown in answer.facts],
            "query": answer.query,
            "asker": answer.asker,
        }
        if answer.ask_id is not None:  # absent from logs before picks were logged
            event["ask"] = answer.ask_id
    event["at"] = answer.posted_at.isoformat(timespec="seconds")
    return event


def _answer(event: Mapping[str, Any]) -> Answer:
    at = datetime.fromisoformat(event["at"])
    form = str(event.get("form", CARD))
    if form not in FORMS:
        raise ValueError(f"unknown answer form {form!r}")
    if form == CARD:
        facts = ((str(event["key"]), Shown.from_json(event["shown"])),)
    else:
        facts = tuple((str(key), Shown.from_json(shown)) for key, shown in event["facts"])
    if not facts:
        raise ValueError("an answer shows at least one fact")
    asker = event.get("asker")
    return Answer(
        guild_id=None if event["guild"] is None else int(event["guild"]),
        channel_id=int(event["channel"]),
        message_id=int(event["message"]),
        facts=facts,
        posted_at=at if at.tzinfo else at.replace(tzinfo=UTC),
        form=form,
        query=None if event.get("query") is None else str(event["query"]),
        asker=None if asker is None else int(asker),
        ask_id=None if event.get("ask") is None else str(event["ask"]),
    )


@dataclass(slots=True)
class _Tally:
    version: int
    corrected: int = 0
    gone: int = 0


class AnswerLog:
    """The answer log at ``path`` (``<db>.answers.jsonl``); ``path=None`` keeps it in memory only."""

    def __init__(
        self,
        path: Path | None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        window_days: int = WINDOW_DAYS,
        read_only: bool = False,
    ) -> None:
        """``read_only``: never compact the file (``bot.py status`` reads it while the bot writes it)."""
        self.path = path
        self.window = timedelta(days=window_days)
        self._clock = clock
        self._journal = Journal(path)
        self._answers: dict[int, Answer] = {}  # by message id, oldest first
        # By message id and changed fact's key, oldest plan first: a list may wait for two facts.
        self._pending: dict[tuple[int, str], Correction] = {}
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
        if not read_only and (pruned or events > max(_COMPACT_MIN, _COMPACT_RATIO * size)):
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
        """Recorded public answers within the window, showing one fact or all, oldest first."""
        with self._lock:  # a worker thread may be changing them
            self._prune()
            return [a for a in self._answers.values() if key is None or key in a.keys]

    def pending(self) -> list[Correction]:
        """Corrections not yet done, in the order they were planned: the outbox."""
        with self._lock:
            self._prune()
            return list(self._pending.values())

    def is_pending(self, correction: Correction) -> bool:
        """Whether ``correction`` is still to be made: not done, not superseded by a newer plan, and
        its message not recorded again since (a list its asker turned into a card)."""
        with self._lock:
            current = self._pending.get((correction.answer.message_id, correction.key))
            return current is not None and current == correction

    def reports_due(self) -> list[CorrectionReport]:
        """Facts whose corrections are all finished but not yet written to their history.

        Ask when the outbox is empty, and on start: a newer plan that found every card
        already true again finishes a fact's corrections without a last ``mark_done``."""
        with self._lock:
            self._prune()
            busy = {key for _, key in self._pending}
            return [self._report(key) for key in self._tallies if key not in busy]

    # --- changes ---

    def record(self, guild_id: int | None, channel_id: int, message_id: int, fact: Fact) -> Answer:
        """Remember a public card showing ``fact``, so a later correction can reach it."""
        return self._record(guild_id, channel_id, message_id, [fact], CARD)

    def record_listing(
        self,
        guild_id: int | None,
        channel_id: int,
        message_id: int,
        facts: Sequence[Fact],
        *,
        form: str,
        query: str,
        asker: int,
        ask_id: str | None = None,
    ) -> Answer:
        """Remember a public list of ``facts`` (``form``: :data:`SEVERAL` or :data:`SUGGESTIONS`),
        posted for ``query`` asked by ``asker`` (``ask_id``: the ask's id in the query log, if it
        was logged), so a later correction of any of them reaches it."""
        if form == CARD:
            raise ValueError(f"a listing is {SEVERAL} or {SUGGESTIONS}, not {form!r}")
        return self._record(guild_id, channel_id, message_id, facts, form, query, int(asker), ask_id)

    def _record(
        self,
        guild_id: int | None,
        channel_id: int,
        message_id: int,
        facts: Sequence[Fact],
        form: str,
        query: str | None = None,
        asker: int | None = None,
        ask_id: str | None = None,
    ) -> Answer:
        if form not in FORMS or not facts:
            raise ValueError(f"an answer is one of {FORMS} and shows at least one fact")
        answer = Answer(
            guild_id=None if guild_id is None else int(guild_id),
            channel_id=int(channel_id),
            message_id=int(message_id),
            facts=tuple((fact.key, Shown.of(fact)) for fact in facts),
            posted_at=self._clock().replace(microsecond=0),  # as the file keeps it, so a reload agrees
            form=form,
            query=query,
            asker=asker,
            ask_id=ask_id,
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
                if (shown := answer.shown_of(fact.key)) is not None
                and (kind := correction_kind(shown, fact)) is not None
            ]
            planned = {m: (c.kind, c.target) for (m, key), c in self._pending.items() if key == fact.key}
            if planned != {m: (kind, target) for m, kind in messages}:
                self._commit(
                    {"event": "planned", "key": fact.key, "shown": target.to_json(), "messages": messages}
                )
            return [self._pending[message_id, fact.key] for message_id, _ in messages]

    def reconcile(self, facts: Iterable[Fact]) -> list[Correction]:
        """On start: plan what a crash kept from being planned. Pass the retracted facts too."""
        keys = {key for answer in self.answers() for key in answer.keys}
        for fact in facts:
            if fact.key in keys:
                self.plan_corrections(fact)
        return self.pending()

    def mark_done(self, correction: Correction) -> CorrectionReport | None:
        """The card was edited; returns the fact's report if that was its last pending correction."""
        return self._finish(correction, "corrected")

    def mark_gone(self, correction: Correction) -> CorrectionReport | None:
        """Discord says the card's message no longer exists: never try it (or any other fact of it)
        again."""
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
        message_id, key = correction.answer.message_id, correction.key
        with self._lock:
            self._prune()
            current = self._pending.get((message_id, key))
            if current is None or (current.kind, current.target) != (correction.kind, correction.target):
                return None  # superseded by a newer plan, or finished already: the newer one stands
            event = {
                "event": outcome,
                "message": message_id,
                "key": key,
                "version": correction.target.version,
            }
            self._commit(event)
            if any(k == key for _, k in self._pending):
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
            self._drop_pending(message_id)
        return bool(expired)

    def _drop_pending(self, message_id: int) -> list[Correction]:
        """Forget every correction waiting for the message; the ones forgotten."""
        return [self._pending.pop(p) for p in [p for p in self._pending if p[0] == message_id]]

    def _commit(self, event: Event) -> None:
        """Append durably, then apply: a refused write changes nothing."""
        self._journal.append(event)
        self._apply(event)

    def _apply(self, event: Mapping[str, Any]) -> None:
        kind = event["event"]
        if kind == "posted":
            answer = _answer(event)
            # Recorded again (re-sent, or a list turned into a card): it shows its facts as now, at
            # the end of the order.
            self._answers.pop(answer.message_id, None)
            self._drop_pending(answer.message_id)
            self._answers[answer.message_id] = answer
        elif kind == "planned":
            key, target = str(event["key"]), Shown.from_json(event["shown"])
            for planned in [p for p in self._pending if p[1] == key]:
                del self._pending[planned]
            for message_id, change in event["messages"]:
                answer = self._answers.get(int(message_id))
                if answer is not None and answer.shown_of(key) is not None:
                    self._pending[answer.message_id, key] = Correction(answer, str(change), target, key)
        elif kind in ("corrected", "gone"):
            message_id = int(event["message"])
            answer = self._answers.get(message_id)
            # Written before lists were recorded, the event names no key: the card's own.
            key = str(event["key"]) if "key" in event else (answer.key if answer else "")
            correction = self._pending.get((message_id, key))
            if correction is None or correction.target.version != event["version"]:
                return
            if kind == "gone":
                # The message is gone for each fact it showed that was waiting for a correction.
                for dropped in self._drop_pending(message_id):
                    self._tally(dropped).gone += 1
                self._answers.pop(message_id, None)
            else:
                del self._pending[message_id, key]
                self._tally(correction).corrected += 1
                if answer is not None:
                    self._shown_now(answer.showing(key, correction.target))
        elif kind == "reported":
            self._tallies.pop(str(event["key"]), None)
        elif kind == "tally":
            self._tallies[str(event["key"])] = _Tally(
                int(event["version"]), int(event["corrected"]), int(event["gone"])
            )
        else:
            raise ValueError(f"unknown event {kind!r}")

    def _tally(self, correction: Correction) -> _Tally:
        tally = self._tallies.setdefault(correction.key, _Tally(correction.target.version))
        tally.version = max(tally.version, correction.target.version)
        return tally

    def _shown_now(self, answer: Answer) -> None:
        """Keep ``answer`` (same message, what it shows now), and point its waiting corrections at it,
        as a reload would."""
        self._answers[answer.message_id] = answer
        for planned, c in self._pending.items():
            if planned[0] == answer.message_id:
                self._pending[planned] = replace(c, answer=answer)

    def _state_events(self) -> list[Event]:
        events = [_posted_event(answer) for answer in self._answers.values()]
        plans: dict[str, Event] = {}
        for (message_id, _), c in self._pending.items():
            plan = plans.setdefault(
                c.key,
                {"event": "planned", "key": c.key, "shown": c.target.to_json(), "messages": []},
            )
            plan["messages"].append([message_id, c.kind])
        events.extend(plans.values())
        events.extend(
            {"event": "tally", "key": key, "version": t.version, "corrected": t.corrected, "gone": t.gone}
            for key, t in self._tallies.items()
        )
        return events
