"""The cited fact: its shape, and the one validation every entry point uses.

``parse_fact`` turns a stored or submitted mapping into a :class:`Fact` or
raises :class:`InvalidFact` naming every field at fault. The store, the import
command, the Discord modals and slash options all go through it, so a rule is
written once. That is why this module runs past 400 lines: the record's shape
and every rule of its validation (text, links, dates, duplicate keys) stay in
one place to be read together.

Its length: the fact, its sources and history entries, and the one validation every entry point
uses (slash command, form, import, database); the limits and their checks are kept together on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any
from urllib.parse import urlsplit

from knowledge.errors import InvalidFact, Problem

STATUSES = ("verified", "attributed", "disputed", "unverified")
SOURCE_KINDS = ("primary", "secondary", "mirror")

# \Z, not $: $ also matches before a final line break, so "silk-way\n" would pass as a key.
KEY_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,62})[a-z0-9]\Z")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\Z")
YEAR_RANGE_RE = re.compile(r"^(\d{4})-(\d{4})\Z")

# Limits: Discord renders these within its own limits (see handlers/render.py).
MAX_CLAIM = 1000
MAX_DETAILS = 3000
MAX_CAVEATS = 1000
MAX_SHORT = 200  # publisher, title, alias, tag, actor names
MAX_URL = 500
MAX_QUOTE = 1000
MAX_REASON = 500
MAX_SOURCES = 10
MAX_ALIASES = 20
MAX_TAGS = 20
# Questions the desk taught a fact (``/factadmin teach``): asked as typed, so up to a /facts query long.
MAX_ASKED_AS = 30
MAX_QUESTION = 200

# Bidirectional overrides and isolates can make stored text display as
# something other than what it says; no fact needs them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: a Discord user, or a command-line operation."""

    id: str
    name: str

    @property
    def label(self) -> str:
        return self.name if self.id == self.name else f"{self.name} ({self.id})"


COMMAND_LINE = "command line"  # the id of every Actor of a change made with bot.py


def command_line_actor(name: Any) -> Actor:
    """Who makes a change from the command line (``bot.py import --by NAME``), named as the history
    shows it: "NAME (command line)". Refused as any actor name is: empty, too long, control characters."""
    c = _Checker()
    text = c.text("--by", name, limit=MAX_SHORT - len(f" ({COMMAND_LINE})"), required=True)
    if c.problems or text is None:
        raise InvalidFact(c.problems)
    return Actor(COMMAND_LINE, text)


@dataclass(frozen=True, slots=True)
class Source:
    publisher: str
    url: str
    title: str | None = None  # some sources carry no headline; never invent one
    published: str | None = None  # ISO date: 2023, 2023-03 or 2023-03-06; None when undated
    kind: str = "secondary"
    quote: str | None = None


@dataclass(frozen=True, slots=True)
class Fact:
    key: str
    claim: str
    sources: tuple[Source, ...]
    status: str = "verified"
    details: str | None = None
    caveats: str | None = None
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    # Questions reporters asked that a moderator taught this fact: searched like aliases.
    asked_as: tuple[str, ...] = ()
    period: str | None = None  # a date (2016, 2016-04, 2016-04-02) or years (2016-2020)
    added_by: str | None = None
    added_at: str | None = None
    updated_by: str | None = None
    updated_at: str | None = None
    reviewed_at: str | None = None
    version: int = 1
    retracted_at: str | None = None
    retracted_by: str | None = None
    retraction_reason: str | None = None

    @property
    def retracted(self) -> bool:
        return self.retracted_at is not None

    def years(self) -> tuple[int, int] | None:
        """The years the fact is about: its period, else its sources' dates."""
        if self.period:
            return period_years(self.period)
        years = [int(s.published[:4]) for s in self.sources if s.published]
        return (min(years), max(years)) if years else None

    def to_dict(self) -> dict[str, Any]:
        """The stored form: plain JSON types, ``None`` fields left out."""
        # Field by field rather than dataclasses.asdict, which deep-copies and is
        # ~6x slower: a write at 100,000 facts encodes every record once.
        data = {name: getattr(self, name) for name in _FACT_ORDER}
        data["sources"] = [
            {k: v for k in _SOURCE_ORDER if (v := getattr(s, k)) is not None} for s in self.sources
        ]
        data["aliases"] = list(self.aliases)
        data["tags"] = list(self.tags)
        data["asked_as"] = list(self.asked_as)
        return {k: v for k, v in data.items() if v is not None and v != []}

    def evolve(self, **changes: Any) -> Fact:
        """This fact with ``changes`` (field name -> value); nothing is validated again."""
        # Positionally rather than by dataclasses.replace, which rebuilds every field as a keyword
        # argument (a third slower): an import of 100,000 facts stamps each one.
        values = list(_fact_values(self))
        for name, value in changes.items():
            if (at := _FACT_POSITION.get(name)) is None:
                raise TypeError(f"a fact has no field {name!r}")
            values[at] = value
        return Fact(*values)


FACT_FIELDS = frozenset(f.name for f in Fact.__dataclass_fields__.values())
SOURCE_FIELDS = frozenset(f.name for f in Source.__dataclass_fields__.values())
_FACT_ORDER = tuple(Fact.__dataclass_fields__)
_FACT_POSITION = {name: at for at, name in enumerate(_FACT_ORDER)}
_fact_values = attrgetter(*_FACT_ORDER)
_SOURCE_ORDER = tuple(Source.__dataclass_fields__)
# Fields a person writes; the rest is provenance the store sets.
CONTENT_FIELDS = (
    "claim",
    "details",
    "caveats",
    "status",
    "aliases",
    "tags",
    "asked_as",
    "period",
    "sources",
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def period_years(period: str) -> tuple[int, int]:
    if m := YEAR_RANGE_RE.match(period):
        return int(m.group(1)), int(m.group(2))
    year = int(period[:4])
    return year, year


# --- validation ------------------------------------------------------------


@lru_cache(maxsize=65536)  # the same publication dates recur across a base; loading checks each
def _is_valid_date(value: str) -> bool:
    m = DATE_RE.match(value)
    if not m:
        return False
    year, month, day = (int(g) if g else None for g in m.groups())
    if month is None:
        return 1000 <= year <= 2999
    try:
        datetime(year, month, day or 1)
    except ValueError:
        return False
    return True


# Control characters are Unicode category Cc: exactly U+0000-U+001F and U+007F-U+009F.
# Surrogates (U+D800-U+DFFF) are no text at all: UTF-8 cannot write them, and the JSON
# file turns a pair of them into a different character on the next load.
# One regex scan instead of a per-character loop: loading 100,000 facts validates every field.
_BIDI_CLASS = "".join(sorted(_BIDI_CONTROLS))
_BAD_CHAR = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_BIDI_CLASS}]")
_BAD_CHAR_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_BIDI_CLASS}]")


def _bad_char(value: str, *, multiline: bool) -> str | None:
    found = (_BAD_CHAR_MULTILINE if multiline else _BAD_CHAR).search(value)
    return f"U+{ord(found.group()):04X}" if found else None


class _Checker:
    """Collects problems so one rejection names every field at fault."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, name: str, message: str) -> None:
        self.problems.append(Problem(name, message))

    def text(
        self, name: str, value: Any, *, limit: int, required: bool = False, multiline: bool = False
    ) -> str | None:
        if type(value) is str:
            # The common case first and cheaply: a clean string within its limit.
            text = value.strip()
            if (
                text
                and len(text) <= limit
                and not (_BAD_CHAR_MULTILINE if multiline else _BAD_CHAR).search(text)
            ):
                return text
        if value is None:
            if required:
                self.fail(name, "is required")
            return None
        if not isinstance(value, str):
            self.fail(name, "must be text")
            return None
        value = value.strip()
        if not value:
            if required:
                self.fail(name, "must not be empty")
            else:
                self.fail(name, "must not be empty (leave it out instead)")
            return None
        if len(value) > limit:
            self.fail(name, f"is {len(value)} characters; at most {limit} are allowed")
            return None
        if bad := _bad_char(value, multiline=multiline):
            if bad in ("U+000A", "U+000D"):
                self.fail(name, "contains a line break; keep it on one line")
            else:
                self.fail(name, f"contains a control character ({bad}); use plain text")
            return None
        return value

    def text_list(self, name: str, value: Any, *, limit: int, most: int) -> tuple[str, ...]:
        if value is None:
            return ()
        if type(value) is not list and (isinstance(value, str) or not isinstance(value, Iterable)):
            self.fail(name, "must be a list of text")
            return ()
        items = list(value)
        if len(items) > most:
            self.fail(name, f"has {len(items)} entries; at most {most} are allowed")
            return ()
        out: list[str] = []
        seen: set[str] = set()
        for i, item in enumerate(items):
            # The common case inline (a clean string): loading 100,000 facts checks ~1M entries.
            text = item.strip() if type(item) is str else None
            if not text or len(text) > limit or _BAD_CHAR.search(text):
                text = self.text(f"{name}[{i}]", item, limit=limit, required=True)
            if text is not None and text.casefold() not in seen:
                seen.add(text.casefold())
                out.append(text)
        return tuple(out)

    def choice(self, name: str, value: Any, choices: tuple[str, ...], default: str) -> str:
        if value is None:
            return default
        if value not in choices:
            self.fail(name, f"must be one of {', '.join(choices)} (got {str(value)[:40]!r})")
            return default
        return value

    def unknown(self, name: str, data: Mapping[str, Any], allowed: frozenset[str]) -> None:
        for extra in sorted(map(str, set(data) - allowed)):
            self.fail(f"{name}{extra}", f"is not a known field (allowed: {', '.join(sorted(allowed))})")


# A plain link (http(s), a dotted host name, maybe a port, no spaces) is one that
# the full check below accepts; matching it first is ~10x cheaper than urlsplit,
# which matters when loading 100,000 facts.
_PLAIN_URL = re.compile(r"(?i:https?)://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::[0-9]{1,5})?(?:[/?#]\S*)?")


def page_key(url: str) -> str:
    """What makes two links the same page: scheme, host case, a trailing slash and the
    #fragment aside. Plain string work, not urlsplit: loading 100,000 facts calls it
    for every source."""
    host, _, path = url.partition("://")[2].partition("#")[0].partition("/")
    return f"{host.lower()}/{path.rstrip('/')}"


def check_url(value: str) -> str | None:
    """Why ``value`` is not an acceptable citation link, or None if it is."""
    if _PLAIN_URL.fullmatch(value):
        return None
    if any(ch.isspace() for ch in value):
        return "must not contain spaces"
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed [ in the host
        return "is not a well-formed link"
    if parts.scheme.lower() not in ("http", "https"):
        return "must be an http:// or https:// link"
    if not parts.hostname or "." not in parts.hostname.strip("."):
        return "must name a web host (like https://example.com/page)"
    return None


def _source(c: _Checker, prefix: str, data: Any) -> Source | None:
    if type(data) is not dict and not isinstance(data, Mapping):  # a dict first: ABC checks are slow
        c.fail(prefix, "must be an object with publisher, title, published, url, kind")
        return None
    before = len(c.problems)
    c.unknown(f"{prefix}.", data, SOURCE_FIELDS)
    publisher = c.text(f"{prefix}.publisher", data.get("publisher"), limit=MAX_SHORT, required=True)
    title = c.text(f"{prefix}.title", data.get("title"), limit=MAX_SHORT)
    url = c.text(f"{prefix}.url", data.get("url"), limit=MAX_URL, required=True)
    if url is not None and (why := check_url(url)):
        c.fail(f"{prefix}.url", why)
    published = data.get("published")
    if published is not None:
        published = c.text(f"{prefix}.published", published, limit=10)
        if published is not None and not _is_valid_date(published):
            c.fail(f"{prefix}.published", "must be an ISO date: 2023, 2023-03 or 2023-03-06")
    kind = c.choice(f"{prefix}.kind", data.get("kind"), SOURCE_KINDS, "secondary")
    quote = c.text(f"{prefix}.quote", data.get("quote"), limit=MAX_QUOTE, multiline=True)
    if len(c.problems) > before:
        return None
    return Source(publisher=publisher, url=url, title=title, published=published, kind=kind, quote=quote)


def parse_source(data: Mapping[str, Any], *, record: str | None = None) -> Source:
    """Validate one citation on its own (the ``cite`` command)."""
    c = _Checker()
    source = _source(c, "source", data)
    if c.problems or source is None:
        raise InvalidFact(c.problems, record=record)
    return source


def parse_fact(data: Any, *, record: str | None = None) -> Fact:
    """Validate a fact record and return it as a :class:`Fact`.

    Raises :class:`InvalidFact` listing every problem; ``record`` (like
    ``"import record 17"``) prefixes the message so a person can find it.
    """
    c = _Checker()
    if type(data) is not dict and not isinstance(data, Mapping):  # a dict first: ABC checks are slow
        raise InvalidFact([Problem("fact", "must be an object")], record=record)
    c.unknown("", data, FACT_FIELDS)

    key = data.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        c.fail(
            "key",
            "must be 3-64 characters of lowercase letters, digits and hyphens, "
            "not starting or ending with a hyphen (like silk-way-ovda-flights)",
        )
        key = None
    claim = c.text("claim", data.get("claim"), limit=MAX_CLAIM, required=True)
    details = c.text("details", data.get("details"), limit=MAX_DETAILS, multiline=True)
    caveats = c.text("caveats", data.get("caveats"), limit=MAX_CAVEATS, multiline=True)
    status = c.choice("status", data.get("status"), STATUSES, "verified")
    aliases = c.text_list("aliases", data.get("aliases"), limit=MAX_SHORT, most=MAX_ALIASES)
    tags = tuple(t.lower() for t in c.text_list("tags", data.get("tags"), limit=MAX_SHORT, most=MAX_TAGS))
    asked_as = c.text_list("asked_as", data.get("asked_as"), limit=MAX_QUESTION, most=MAX_ASKED_AS)

    period = data.get("period")
    if period is not None:
        period = c.text("period", period, limit=10)
        if period is not None:
            m = YEAR_RANGE_RE.match(period)
            if m and not (1000 <= int(m.group(1)) <= int(m.group(2)) <= 2999):
                c.fail("period", "a range of years must run forwards, like 2016-2020")
            elif not m and not _is_valid_date(period):
                c.fail("period", "must be a date (2016, 2016-04, 2016-04-02) or a range of years (2016-2020)")

    raw_sources = data.get("sources")
    sources: list[Source] = []
    if type(raw_sources) is not list and (
        isinstance(raw_sources, Mapping) or not isinstance(raw_sources, list | tuple)
    ):
        c.fail("sources", f"must be a list of 1 to {MAX_SOURCES} citations")
    elif not 1 <= len(raw_sources) <= MAX_SOURCES:
        c.fail("sources", f"has {len(raw_sources)} citations; 1 to {MAX_SOURCES} are required")
    else:
        for i, raw in enumerate(raw_sources):
            if (source := _source(c, f"sources[{i}]", raw)) is not None:
                sources.append(source)
        if len(sources) == len(raw_sources) > 1:
            pages = [page_key(source.url) for source in sources]
            if len(set(pages)) < len(pages):
                for i, page in enumerate(pages):
                    if (first := pages.index(page)) < i:
                        c.fail(f"sources[{i}].url", f"cites the same page as sources[{first}]")

    stamps: dict[str, Any] = {}
    for name in ("added_by", "updated_by", "retracted_by"):
        stamps[name] = c.text(name, data.get(name), limit=MAX_SHORT)
    for name in ("added_at", "updated_at", "reviewed_at", "retracted_at"):
        value = data.get(name)
        if value is not None:
            try:
                datetime.fromisoformat(value)
            except (TypeError, ValueError):
                c.fail(name, "must be an ISO timestamp like 2026-11-25T09:00:00+00:00")
                value = None
        stamps[name] = value
    stamps["retraction_reason"] = c.text(
        "retraction_reason", data.get("retraction_reason"), limit=MAX_REASON, multiline=True
    )
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        c.fail("version", "must be a whole number of 1 or more")
        version = 1

    if c.problems:
        raise InvalidFact(c.problems, record=record or (f"fact `{key}`" if key else None))
    return Fact(
        key=key,
        claim=claim,
        sources=tuple(sources),
        status=status,
        details=details,
        caveats=caveats,
        aliases=aliases,
        tags=tags,
        asked_as=asked_as,
        period=period,
        version=version,
        **stamps,
    )


def stored_fact(record: dict[str, Any]) -> Fact:
    """The fact in a record that :func:`parse_fact` accepted and the store wrote, built without
    checking it again; ``record`` (a fresh dict from the decoder) is consumed.

    Only for a file the store vouches for (:mod:`knowledge.store.disk.stamp`): it holds
    only ``Fact.to_dict()`` of facts this validation produced, so building the same
    fact needs no check. Anything else goes through :func:`parse_fact`.
    """
    record["sources"] = tuple(Source(**source) for source in record["sources"])
    if "aliases" in record:
        record["aliases"] = tuple(record["aliases"])
    if "tags" in record:
        record["tags"] = tuple(record["tags"])
    return Fact(**record)


def parse_records(
    named: Iterable[tuple[str, Any]], *, keys_in_names: bool = False
) -> tuple[list[Fact], list[InvalidFact]]:
    """Validate (name, record) pairs: the good facts, and one error per bad record.

    The one rule for duplicate keys: the first record with a key wins, every
    later one is an error naming the first. ``keys_in_names`` adds each
    record's key to its name ("record 3 (`ovda`)") when it is a valid key;
    a key that is not is named by its own problem instead, never echoed whole.
    """
    facts: list[Fact] = []
    errors: list[InvalidFact] = []
    seen: dict[str, str] = {}
    for name, raw in named:
        if (
            keys_in_names
            and (type(raw) is dict or isinstance(raw, Mapping))
            and isinstance(key := raw.get("key"), str)
            and KEY_RE.fullmatch(key)
        ):
            name = f"{name} (`{key}`)"
        try:
            fact = parse_fact(raw, record=name)
        except InvalidFact as error:
            errors.append(error)
            continue
        if fact.key in seen:
            first = seen[fact.key].removesuffix(f" (`{fact.key}`)")
            again = f"used again (first by {first}); keys must be unique"
            # The problem names the key unless the record's name already does.
            shown = name.endswith(f" (`{fact.key}`)")
            problem = Problem("key", f"is {again}" if shown else f"`{fact.key}` is {again}")
            errors.append(InvalidFact([problem], record=name))
            continue
        seen[fact.key] = name
        facts.append(fact)
    return facts, errors


def parse_facts(records: Iterable[Any], *, label: str = "record") -> tuple[list[Fact], list[InvalidFact]]:
    """Validate many records, named ``label 1``, ``label 2``...: see :func:`parse_records`."""
    return parse_records((f"{label} {i}", raw) for i, raw in enumerate(records, start=1))


# The changes a fact goes through; each history entry of one carries the fact after it.
FACT_ACTIONS = ("add", "edit", "cite", "retract", "restore", "review", "import", "teach")
# History that is about no single fact (the thesaurus) is kept under a key starting with `~`,
# which no fact key can (KEY_RE), so it can never be mistaken for a fact's.
SUBJECT_KEY_RE = re.compile(r"^~[a-z][a-z0-9-]{0,30}\Z")


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change, or one note, as appended to the history log: never edited, never removed.

    A *change* (``action`` in :data:`FACT_ACTIONS`) carries the fact ``after``
    it and the ``version`` it made. A *note* records something that happened
    without changing a fact — posted answers corrected, the thesaurus edited —
    and carries no ``after`` and no ``version``; what it counts or names is in
    ``extra``, keyed by what each value is (``{"corrected": 2, "gone": 1}``).
    """

    key: str  # a fact's key, or a subject key (SUBJECT_KEY_RE) for a note about no single fact
    action: str  # a FACT_ACTIONS verb for a change; for a note, what happened ("corrections")
    actor: str
    at: str
    reason: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    version: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_note(self) -> bool:
        return self.after is None


@dataclass(frozen=True, slots=True)
class CorrectionReport:
    """For the fact's history: how many posted answers now show ``version``, and how many were deleted."""

    key: str
    version: int
    corrected: int
    gone: int
