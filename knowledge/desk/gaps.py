"""What reporters asked that the base could not answer: the desk's to-do list.

Every searched query is appended as one JSON line to its own log file (never
the fact database); unanswered ones (no fact, or several that fit about
equally) are also counted in memory so
``/factadmin gaps`` can list the most asked without reading the file again.

Gaps rank by how many different people asked, then how often, then how
recently: one reporter asking five times is one person's question, two
colleagues asking once each is the desk's. To count people the log keeps who
asked, but not as a Discord id: it stores a keyed hash (HMAC-SHA256, 64 bits)
of the id, with a random key kept in its own file beside the log
(``<log>.key``, readable by the bot's user only). The log on its own, shared in
a bug report or a backup, says nothing about who asked what; deleting the key
file forgets it for good (later asks by the same person then count as a new
person). Lines without an asker (written before askers were logged, or by a
caller that passes none) count together as one person per query: someone
asked, and more than that is not known.

A *pick* is what someone did with a question the base could not answer alone
("no fact", or "several fit"): they pressed one of the facts offered. Every
such ask is logged with a short random ``id``, which its buttons carry, so a
press (even after a restart) logs a line ``{"pick": id, "fact": key, ...}``
against the question it answers. ``/factadmin gaps`` shows each question's
picks; nothing changes search until a moderator teaches one
(``FactStore.teach``). Lines written before asks had ids have none, and their
buttons record no pick.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from knowledge.search.index import SearchOutcome
from knowledge.search.textnorm import normalise
from knowledge.store.disk.atomic import replace_file, write_all
from knowledge.store.disk.journal import LineLog

log = logging.getLogger(__name__)

# Unanswered queries kept in memory; older ones stay in the file only.
MAX_REMEMBERED = 50_000


KEY_SUFFIX = ".key"
_KEY_BYTES = 32
_ASKER_HEX = 16  # 64 bits: no two of a newsroom's people collide
# An ask's id rides in a button's custom_id (at most 100 characters with the fact's key and the
# asker's id), so it is short: 8 characters, 48 random bits, unique among the asks remembered.
_ASK_ID_BYTES = 6


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Pick(NamedTuple):
    """A fact people chose for an unanswered question, and how many different people chose it."""

    key: str
    people: int


class Gap(NamedTuple):
    """An unanswered question: as last typed, by how many people, how often, and when last; and the
    facts people picked for it, most people first."""

    query: str
    people: int
    times: int
    last_at: str
    picks: tuple[Pick, ...] = ()


class Ask(NamedTuple):
    """A logged question that offered facts to pick from: its id, as typed, and normalised."""

    id: str
    query: str
    normalised: str


def _asker_key(path: Path | None) -> bytes:
    """The key askers are hashed with: read from ``path``, else made there (0600), else in memory."""
    if path is None:
        return secrets.token_bytes(_KEY_BYTES)
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(key) == _KEY_BYTES:
            return key
        log.warning("The asker key %s is not %d bytes; using a new one", path, _KEY_BYTES)
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as error:
        log.warning("Could not read the asker key %s (%s); using a new one", path, error)
    key = secrets.token_bytes(_KEY_BYTES)
    try:
        replace_file(path, lambda fd: write_all(fd, f"{key.hex()}\n".encode()), mode=0o600)
    except OSError as error:
        # Counting still works until the next start, when the same people count again.
        log.warning("Could not save the asker key %s: %s", path, error)
    return key


class QueryLog:
    """Append-only log of searches; ``path=None`` keeps it in memory only."""

    def __init__(self, path: Path | None, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.path = path
        self._clock = clock
        self._key_path = None if path is None else path.with_name(path.name + KEY_SUFFIX)
        self._key: bytes | None = None  # read or made on the first ask with an asker
        # (when, normalised query, query as typed, hashed asker or None, ask id or None) for each
        # unanswered search
        self._misses: deque[tuple[datetime, str, str, str | None, str | None]] = deque(maxlen=MAX_REMEMBERED)
        self._asks: OrderedDict[str, Ask] = OrderedDict()  # by id, oldest first, at most MAX_REMEMBERED
        self._latest: dict[str, str] = {}  # normalised query -> id of its latest remembered ask
        # (when, normalised query, fact key, hashed asker or None) for each pick
        self._picks: deque[tuple[datetime, str, str, str | None]] = deque(maxlen=MAX_REMEMBERED)
        if path is not None and path.exists():
            self._load(path)

    def _hashed(self, asker: int | str) -> str:
        if self._key is None:
            self._key = _asker_key(self._key_path)
        return hmac.new(self._key, str(asker).encode(), hashlib.sha256).hexdigest()[:_ASKER_HEX]

    def _load(self, path: Path) -> None:
        try:
            lines = [line for _, line in LineLog(path).lines()]  # a torn last line after a crash is left out
        except OSError as error:
            log.warning("Could not read the query log %s: %s", path, error)
            return
        for line in lines:
            try:
                entry = json.loads(line)
                at = datetime.fromisoformat(entry["at"])
                asker = entry.get("asker")
                asker = asker if isinstance(asker, str) else None
                if at.tzinfo is None:
                    at = at.replace(tzinfo=UTC)
                if "pick" in entry:
                    self._picked(at, str(entry["pick"]), str(entry["fact"]), asker)
                    continue
                missed = not entry["answered"] or entry.get("verdict") == "several"
                query = str(entry["query"])
                ask_id = entry.get("id")
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # a line some other program wrote: skip it, keep the rest
            if missed and (key := normalise(query)):
                self._missed(at, key, query, asker, ask_id if isinstance(ask_id, str) else None)

    def _missed(self, at: datetime, key: str, query: str, asker: str | None, ask_id: str | None) -> None:
        self._misses.append((at, key, query, asker, ask_id))
        if ask_id is not None:
            self._asks[ask_id] = Ask(ask_id, query, key)
            self._latest[key] = ask_id
            while len(self._asks) > MAX_REMEMBERED:
                _, oldest = self._asks.popitem(last=False)
                if self._latest.get(oldest.normalised) == oldest.id:
                    del self._latest[oldest.normalised]

    def _picked(self, at: datetime, ask_id: str, fact: str, asker: str | None) -> bool:
        ask = self._asks.get(ask_id)
        if ask is None:
            return False  # an ask older than those remembered, or from a log since lost
        self._picks.append((at, ask.normalised, fact, asker))
        return True

    def ask(self, ask_id: str) -> Ask | None:
        """The question an ask id names, if it is among those remembered."""
        return self._asks.get(ask_id)

    def latest_ask(self, query: str) -> Ask | None:
        """The latest remembered ask of ``query`` (or of the same words, as gaps count them)."""
        ask_id = self._latest.get(normalise(query))
        return None if ask_id is None else self._asks.get(ask_id)

    def picks_for(self, query: str, since_days: int = 30) -> tuple[Pick, ...]:
        """The facts picked for ``query`` (or the same words), most people first."""
        since, wanted = self._clock() - timedelta(days=since_days), normalise(query)
        pickers: dict[str, set[str | None]] = {}
        for at, key, fact, asker in self._picks:
            if key == wanted and at >= since:
                pickers.setdefault(fact, set()).add(asker)
        return _ranked_picks(pickers)

    def record(self, query: str, outcome: SearchOutcome, asker: int | str | None = None) -> str | None:
        """Note one search by ``asker`` (a Discord user id; stored hashed). Never raises: a full
        disk must not break a lookup.

        Returns the ask's id when the base could not answer it alone (no fact, or several fit):
        what the buttons offering facts carry, for :meth:`pick`. None otherwise.
        """
        if outcome.problem is not None or not (key := normalise(outcome.query)):
            return None  # nothing was searched for, so nothing is missing from the base
        at = self._clock().replace(microsecond=0)  # as the file keeps it, so a reload agrees
        hashed = None if asker is None else self._hashed(asker)
        ask_id = None
        if outcome.verdict != "answer":
            ask_id = secrets.token_urlsafe(_ASK_ID_BYTES)
            self._missed(at, key, outcome.query, hashed, ask_id)
        entry = {
            "at": at.isoformat(timespec="seconds"),
            "query": outcome.query,
            "answered": bool(outcome.results),
            "verdict": outcome.verdict,
            "results": [h.fact.key for h in outcome.results[:3]],
            "suggestions": [h.fact.key for h in outcome.suggestions[:3]],
        }
        if ask_id is not None:
            entry["id"] = ask_id
        self._append(entry, hashed)
        return ask_id

    def pick(self, ask_id: str, key: str, asker: int | str | None = None) -> bool:
        """Note that ``asker`` pressed the fact ``key`` offered for the ask ``ask_id``; whether it
        was noted (False: the ask is not remembered, so what was asked is not known). Never raises."""
        at = self._clock().replace(microsecond=0)
        hashed = None if asker is None else self._hashed(asker)
        if not self._picked(at, ask_id, key, hashed):
            return False
        self._append({"at": at.isoformat(timespec="seconds"), "pick": ask_id, "fact": key}, hashed)
        return True

    def _append(self, entry: dict[str, object], hashed: str | None) -> None:
        if self.path is None:
            return
        if hashed is not None:
            entry["asker"] = hashed
        # A lone surrogate (possible in JSON, not in UTF-8) must not break the lookup either.
        line = json.dumps(entry, ensure_ascii=False).encode("utf-8", "backslashreplace")
        try:
            # Not fsynced: a search must not wait on the disk, and a lost line is one lost count.
            LineLog(self.path).append([line], sync=False)
        except OSError as error:
            log.warning("Could not append to the query log %s: %s", self.path, error)

    def record_unmatched(self, outcomes: Iterable[SearchOutcome], asker: int | str | None = None) -> None:
        """Note the claims Check facts found "Not in the base" as questions nobody could answer.

        Only those: a claim the base answers, or several facts fit, is no gap; a
        claim the message repeats is searched, and so counted, once. Never raises.
        """
        for outcome in outcomes:
            if outcome.verdict == "none":
                self.record(outcome.query, outcome, asker=asker)

    def ranked(self, limit: int = 10, since_days: int = 30) -> list[Gap]:
        """The unanswered queries most worth researching: most people first, then most asked, then latest."""
        since = self._clock() - timedelta(days=since_days)
        counts: dict[str, list] = {}  # normalised -> [askers, times, last at, latest wording]
        for at, key, query, asker, _ask_id in self._misses:
            if at < since:
                continue
            seen = counts.get(key)
            if seen is None:
                counts[key] = seen = [set(), 0, at, query]
            seen[0].add(asker)  # None, the unknown askers, counts once
            seen[1] += 1
            if at >= seen[2]:
                seen[2], seen[3] = at, query
        ranked = sorted(
            counts.items(), key=lambda i: (-len(i[1][0]), -i[1][1], -i[1][2].timestamp(), i[1][3])
        )
        pickers: dict[str, dict[str, set[str | None]]] = {}  # normalised -> fact key -> askers
        for at, key, fact, asker in self._picks:
            if at >= since:
                pickers.setdefault(key, {}).setdefault(fact, set()).add(asker)
        return [
            Gap(
                query,
                len(askers),
                times,
                at.isoformat(timespec="seconds"),
                _ranked_picks(pickers.get(key, {})),
            )
            for key, (askers, times, at, query) in ranked[:limit]
        ]


def _ranked_picks(pickers: dict[str, set[str | None]]) -> tuple[Pick, ...]:
    """The facts picked for one question, most people first, then by key."""
    return tuple(
        sorted((Pick(fact, len(who)) for fact, who in pickers.items()), key=lambda p: (-p.people, p.key))
    )
