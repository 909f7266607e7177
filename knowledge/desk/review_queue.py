"""The review queue: what reporters tell the desk, waiting for a moderator.

Two kinds of item: a :class:`Flag` (a reporter says a fact is wrong or
outdated) and a :class:`Suggestion` (a reporter proposes a missing fact with a
source link, checked by the same link rule as every citation). Each item is
attributed, open until a moderator accepts or dismisses it, and remembers the
review-channel message that shows it, so its buttons can be found again.

The queue is stored beside the fact database as ``<db>.queue.jsonl``, an
append-only :class:`~knowledge.store.disk.journal.Journal` of ``opened``, ``posted`` and
``resolved`` events; opening the queue replays it. Every method that changes
the queue returns only once its event is on disk, and changes nothing if the
disk refused (:class:`~knowledge.errors.WriteFailed`). Methods may be called
from a worker thread (to keep the fsync off the event loop): a lock makes each
check-and-append one step, so two moderators resolving one item at once get
one success and one :class:`AlreadyResolved`.

Accepting an item means saving something else first (a fact added or
corrected), which takes a while; :meth:`ReviewQueue.accepting` holds the item
for one moderator meanwhile, so a second one is told who is accepting it
(:class:`BeingAccepted`) and nothing is added twice.

Its length: one journal and the rules of one item's life (opened, posted, being accepted,
accepted or dismissed, with the per-person limits); split, the rules would read each other's state.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from knowledge.errors import AlreadyRetracted, InvalidFact, KnowledgeError
from knowledge.model import (
    MAX_CLAIM,
    MAX_REASON,
    MAX_SHORT,
    MAX_URL,
    Actor,
    Fact,
    _Checker,
    check_url,
    page_key,
)
from knowledge.store.disk.journal import Journal

log = logging.getLogger(__name__)

QUEUE_SUFFIX = ".queue.jsonl"
# One reporter may have this many items waiting, and open this many per hour:
# enough for a busy day's genuine reports, too few to bury the moderators.
MAX_OPEN_PER_PERSON = 5
MAX_PER_HOUR = 10

OPEN, ACCEPTED, DISMISSED = "open", "accepted", "dismissed"


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Flag:
    """A reporter says the fact ``key`` (as it stood at ``version``) is wrong or outdated."""

    key: str
    version: int
    problem: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A proposed missing fact and the link that supports it; publisher and title are optional."""

    claim: str
    url: str
    publisher: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewPost:
    """The review-channel message that shows an item (recorded by the Discord adapter)."""

    channel_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    subject: Flag | Suggestion
    reporter: Actor
    created_at: str
    status: str = OPEN
    resolved_by: Actor | None = None
    resolved_at: str | None = None
    reason: str | None = None
    post: ReviewPost | None = None

    @property
    def kind(self) -> str:
        return "flag" if isinstance(self.subject, Flag) else "suggestion"

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


def proposed(subject: Flag | Suggestion) -> str:
    """What the reporter proposes the base should say: the suggested claim, or what a flag says is wrong
    (often the corrected statement)."""
    return subject.problem if isinstance(subject, Flag) else subject.claim


# --- errors --------------------------------------------------------------------


class ItemNotFound(KnowledgeError):
    def __init__(self, item_id: int) -> None:
        self.item_id = item_id
        super().__init__(f"There is no review item #{item_id}.")


class AlreadyResolved(KnowledgeError):
    """The item was accepted or dismissed before this request (two moderators at once)."""

    def __init__(self, item: Item) -> None:
        self.item = item
        who = item.resolved_by.label if item.resolved_by else "someone"
        super().__init__(
            f"Review item #{item.id} was already {item.status} by {who} at {item.resolved_at}; "
            "nothing was changed."
        )


class BeingAccepted(KnowledgeError):
    """Another moderator is accepting the item at this moment: what accepting it means is being saved."""

    def __init__(self, item: Item, moderator: Actor) -> None:
        self.item = item
        self.moderator = moderator
        super().__init__(
            f"{moderator.label} is already accepting review item #{item.id}; nothing was changed."
        )


class AlreadyQueued(KnowledgeError):
    """The same report is already waiting: flagged by the same person, or the same link suggested."""

    def __init__(self, item: Item) -> None:
        self.item = item
        if isinstance(item.subject, Flag):
            what = f"You already flagged `{item.subject.key}`"
        else:
            what = f"This link was already suggested by {item.reporter.name}"
        super().__init__(f"{what} (review item #{item.id}), and it is still open; the desk will get to it.")


class TooManyOpen(KnowledgeError):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            f"You already have {limit} items waiting for review, the most one person may have open. "
            "Please wait until a moderator has looked at them."
        )


class TooManyRecent(KnowledgeError):
    def __init__(self, limit: int, retry_at: datetime) -> None:
        self.limit = limit
        self.retry_at = retry_at
        super().__init__(
            f"You sent {limit} items to the review queue in the last hour, the most allowed; "
            f"you can send another after {retry_at:%H:%M} UTC."
        )


# --- validation: the model's text and link rules --------------------------------


def _checked(record: str, check: Callable[[_Checker], Any]) -> Any:
    checker = _Checker()
    result = check(checker)
    if checker.problems:
        raise InvalidFact(checker.problems, record=record)
    return result


def _optional(value: str | None) -> str | None:
    """An empty optional form field means "not given", as leaving it out does."""
    return value if value is None or value.strip() else None


def _flag(fact: Fact, problem: str) -> Flag:
    def check(c: _Checker) -> Flag:
        text = c.text("problem", problem, limit=MAX_REASON, required=True, multiline=True)
        return Flag(key=fact.key, version=fact.version, problem=text or "")

    return _checked("flag", check)


def _suggestion(claim: str, url: str, publisher: str | None, title: str | None) -> Suggestion:
    def check(c: _Checker) -> Suggestion:
        # A claim pasted from an article may carry line breaks; a fact's claim is one line.
        text = c.text(
            "claim",
            " ".join(claim.split()) if isinstance(claim, str) else claim,
            limit=MAX_CLAIM,
            required=True,
        )
        link = c.text("url", url, limit=MAX_URL, required=True)
        if link is not None and (why := check_url(link)):
            c.fail("url", why)
        named = c.text("publisher", _optional(publisher), limit=MAX_SHORT)
        headline = c.text("title", _optional(title), limit=MAX_SHORT)
        return Suggestion(claim=text or "", url=link or "", publisher=named, title=headline)

    return _checked("suggestion", check)


def _reason(value: str | None, *, required: bool) -> str | None:
    return _checked(
        "resolution",
        lambda c: c.text(
            "reason",
            _optional(value) if not required else value,
            limit=MAX_REASON,
            required=required,
            multiline=True,
        ),
    )


# --- events ----------------------------------------------------------------------


def _actor(data: Mapping[str, Any]) -> Actor:
    return Actor(str(data["id"]), str(data["name"]))


def _actor_json(actor: Actor) -> dict[str, str]:
    return {"id": actor.id, "name": actor.name}


def _subject_json(subject: Flag | Suggestion) -> dict[str, Any]:
    if isinstance(subject, Flag):
        return {"flag": {"key": subject.key, "version": subject.version, "problem": subject.problem}}
    fields = {
        "claim": subject.claim,
        "url": subject.url,
        "publisher": subject.publisher,
        "title": subject.title,
    }
    return {"suggestion": {k: v for k, v in fields.items() if v is not None}}


def _subject(event: Mapping[str, Any]) -> Flag | Suggestion:
    if "flag" in event:
        flag = event["flag"]
        return Flag(key=str(flag["key"]), version=int(flag["version"]), problem=str(flag["problem"]))
    suggestion = event["suggestion"]
    return Suggestion(
        claim=str(suggestion["claim"]),
        url=str(suggestion["url"]),
        publisher=suggestion.get("publisher"),
        title=suggestion.get("title"),
    )


class ReviewQueue:
    """The queue at ``path`` (``<db>.queue.jsonl``); ``path=None`` keeps it in memory only."""

    def __init__(
        self,
        path: Path | None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        max_open: int = MAX_OPEN_PER_PERSON,
        max_per_hour: int = MAX_PER_HOUR,
    ) -> None:
        self.path = path
        self.max_open = max_open
        self.max_per_hour = max_per_hour
        self._clock = clock
        self._journal = Journal(path)
        self._items: dict[int, Item] = {}
        # Items being accepted, and by whom. In memory only: the one process that writes the
        # base (it holds the writer lock) is the only one that accepts items.
        self._accepting: dict[int, Actor] = {}
        self._lock = threading.Lock()
        for event in self._journal.replay():
            try:
                self._apply(event)
            except (KeyError, TypeError, ValueError) as error:
                log.warning("skipped a review-queue event in %s (%r): %.120r", path, error, event)

    @classmethod
    def beside(cls, db: Path, **options: Any) -> ReviewQueue:
        """The queue stored with the fact database ``db``."""
        return cls(db.with_name(db.name + QUEUE_SUFFIX), **options)

    # --- reads ---

    def get(self, item_id: int) -> Item:
        try:
            return self._items[item_id]
        except KeyError:
            raise ItemNotFound(item_id) from None

    def open_item(self, item_id: int) -> Item:
        """The item, if a moderator may still decide it; :class:`AlreadyResolved` or
        :class:`BeingAccepted` (by whom) otherwise."""
        with self._lock:
            return self._undecided(item_id, None)

    def open_items(self) -> list[Item]:
        """What waits for a moderator, oldest first."""
        return [item for item in self.items() if item.is_open]

    def items(self) -> list[Item]:
        """Every item ever opened, resolved ones included, oldest first."""
        with self._lock:  # a worker thread may be adding one
            return list(self._items.values())

    # --- changes ---

    def flag(self, fact: Fact, problem: str, reporter: Actor) -> Item:
        """Open a flag on ``fact`` saying what is wrong with it."""
        if fact.retracted:
            raise AlreadyRetracted(fact.key)  # the desk has already withdrawn it
        subject = _flag(fact, problem)
        with self._lock:
            for item in self._items.values():
                same = isinstance(item.subject, Flag) and item.subject.key == fact.key
                if item.is_open and same and item.reporter.id == reporter.id:
                    raise AlreadyQueued(item)
            return self._open(subject, reporter)

    def suggest(
        self, claim: str, url: str, reporter: Actor, *, publisher: str | None = None, title: str | None = None
    ) -> Item:
        """Open a suggestion of a missing fact with the link that supports it."""
        subject = _suggestion(claim, url, publisher, title)
        page = page_key(subject.url)
        with self._lock:
            for item in self._items.values():
                if (
                    item.is_open
                    and isinstance(item.subject, Suggestion)
                    and page_key(item.subject.url) == page
                ):
                    raise AlreadyQueued(item)
            return self._open(subject, reporter)

    def mark_posted(self, item_id: int, channel_id: int, message_id: int) -> Item:
        """Record the review-channel message that shows the item."""
        with self._lock:
            self.get(item_id)
            return self._commit(
                {"event": "posted", "id": item_id, "channel": int(channel_id), "message": int(message_id)}
            )

    @contextmanager
    def accepting(self, item_id: int, moderator: Actor) -> Iterator[Item]:
        """Hold the open item for ``moderator`` while what accepting it means is saved; call
        :meth:`accept` inside. Meanwhile anyone else who accepts or dismisses it gets
        :class:`BeingAccepted`; on leaving (saved, refused or failed) the hold ends.
        """
        with self._lock:
            item = self._undecided(item_id, None)
            self._accepting[item_id] = moderator
        try:
            yield item
        finally:
            with self._lock:
                del self._accepting[item_id]

    def accept(self, item_id: int, moderator: Actor, reason: str | None = None) -> Item:
        return self._resolve(item_id, ACCEPTED, moderator, _reason(reason, required=False))

    def dismiss(self, item_id: int, moderator: Actor, reason: str) -> Item:
        """Dismiss with a reason: the reporter is told why."""
        return self._resolve(item_id, DISMISSED, moderator, _reason(reason, required=True))

    # --- internals ---

    def _open(self, subject: Flag | Suggestion, reporter: Actor) -> Item:
        now = self._clock()
        mine = [item for item in self._items.values() if item.reporter.id == reporter.id]
        if sum(item.is_open for item in mine) >= self.max_open:
            raise TooManyOpen(self.max_open)
        hour_ago = now - timedelta(hours=1)
        recent = sorted(at for item in mine if (at := datetime.fromisoformat(item.created_at)) > hour_ago)
        if len(recent) >= self.max_per_hour:
            raise TooManyRecent(self.max_per_hour, recent[-self.max_per_hour] + timedelta(hours=1))
        event = {
            "event": "opened",
            "id": max(self._items, default=0) + 1,
            "at": now.isoformat(timespec="seconds"),
            "reporter": _actor_json(reporter),
            **_subject_json(subject),
        }
        return self._commit(event)

    def _undecided(self, item_id: int, moderator: Actor | None) -> Item:
        """The item, if open and not held by someone other than ``moderator``; call with the lock held."""
        item = self.get(item_id)
        if not item.is_open:
            raise AlreadyResolved(item)
        holder = self._accepting.get(item_id)
        if holder is not None and holder != moderator:
            raise BeingAccepted(item, holder)
        return item

    def _resolve(self, item_id: int, status: str, moderator: Actor, reason: str | None) -> Item:
        with self._lock:
            self._undecided(item_id, moderator)
            event = {
                "event": "resolved",
                "id": item_id,
                "status": status,
                "by": _actor_json(moderator),
                "at": self._clock().isoformat(timespec="seconds"),
                "reason": reason,
            }
            return self._commit(event)

    def _commit(self, event: dict[str, Any]) -> Item:
        """Append the event durably, then apply it: a refused write changes nothing."""
        self._journal.append(event)
        return self._apply(event)

    def _apply(self, event: Mapping[str, Any]) -> Item:
        kind = event["event"]
        item_id = int(event["id"])
        if kind == "opened":
            item = Item(
                id=item_id,
                subject=_subject(event),
                reporter=_actor(event["reporter"]),
                created_at=str(datetime.fromisoformat(event["at"]).isoformat(timespec="seconds")),
            )
        elif kind == "posted":
            item = replace(
                self._items[item_id], post=ReviewPost(int(event["channel"]), int(event["message"]))
            )
        elif kind == "resolved":
            item = self._items[item_id]
            if not item.is_open:
                return item  # the first resolution stands
            if event["status"] not in (ACCEPTED, DISMISSED):
                raise ValueError(f"unknown status {event['status']!r}")
            item = replace(
                item,
                status=event["status"],
                resolved_by=_actor(event["by"]),
                resolved_at=str(event["at"]),
                reason=event.get("reason"),
            )
        else:
            raise ValueError(f"unknown event {kind!r}")
        self._items[item_id] = item
        return item
