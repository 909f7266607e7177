"""The words of the moderator commands: problem lists, history and gap listings.

Pure text, so the wording is tested without Discord, and every piece is cut to
fit a Discord message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from handlers.render import MESSAGE_LIMIT, clip, escape, quoted_query
from knowledge.desk.gaps import Gap
from knowledge.desk.stale import Due
from knowledge.desk.synonyms import THESAURUS, Group
from knowledge.errors import InvalidFact, InvalidSynonyms
from knowledge.model import CONTENT_FIELDS, Fact, HistoryEntry
from knowledge.search.textnorm import normalise
from knowledge.store.changes import CORRECTIONS

LINE_LIMIT = 300

# How the fields the validation names are called in each form a moderator fills in.
ADD_FIELDS = {
    "sources": "source",
    "sources[0].publisher": "publisher",
    "sources[0].title": "source_title",
    "sources[0].url": "source_url",
    "sources[0].published": "published",
}
MODAL_FIELDS = {
    "claim": "Claim",
    "details": "Details",
    "caveats": "Caveats",
    "aliases": "Aliases",
    "tags": "Tags",
    "asked_as": "Aliases (asked as)",
}

_INDEXED = re.compile(r"^(?P<name>\w+)\[(?P<index>\d+)\]$")
_SOURCE_PREFIX = re.compile(r"^sources?(?:\[\d+\])?\.")


def split_list(text: str | None, *, separator: str = ",") -> list[str] | None:
    """A comma- (or line-) separated option as a list; blank entries dropped.

    None stays None so an option that was not given is left out, not emptied.
    """
    if text is None:
        return None
    return [item.strip() for item in text.split(separator) if item.strip()]


def field_name(field: str, names: Mapping[str, str], *, source_fields: bool = False) -> str:
    """The name a moderator sees for a field the validation named.

    ``source_fields``: the form is about one source, so ``sources[3].url`` is just ``url``.
    """
    if field in names:
        return names[field]
    if source_fields:
        bare = _SOURCE_PREFIX.sub("", field)
        if bare != field:
            return names.get(bare, bare)
    if m := _INDEXED.match(field):
        base = names.get(m.group("name"), m.group("name"))
        return f"{base} (entry {int(m.group('index')) + 1})"
    return field


def problems_message(
    error: InvalidFact | InvalidSynonyms,
    names: Mapping[str, str] | None = None,
    *,
    source_fields: bool = False,
) -> str:
    """Every problem of a rejected record or synonym group, naming each field as the moderator knows it."""
    names = names or {}
    record = getattr(error, "record", None)  # a synonym group has no record name
    lines = [f"Nothing was saved{f' ({record})' if record else ''}. Please fix:"]
    lines += [
        f"• `{field_name(p.field, names, source_fields=source_fields)}`: {p.message}" for p in error.problems
    ]
    return clip("\n".join(lines), MESSAGE_LIMIT)


def _when(at: str) -> str:
    try:
        return datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return at


def _day(at: str) -> str:
    return _when(at)[:10]


def _changed_fields(entry: HistoryEntry) -> list[str]:
    before, after = entry.before or {}, entry.after or {}
    return [name for name in CONTENT_FIELDS if before.get(name) != after.get(name)]


def history_line(entry: HistoryEntry) -> str:
    """One change: version, when, what, who, why — stored text escaped, never formatting."""
    version = f"v{entry.version} · " if entry.version is not None else ""
    line = f"{version}{_when(entry.at)} · **{entry.action}** by {escape(entry.actor)}"
    if entry.action == "edit" and (changed := _changed_fields(entry)):
        line += f" ({', '.join(changed)})"
    if entry.action == "teach" and (taught := _taught(entry)):
        line += f" — now answers {', '.join(quoted_query(q, 80) for q in taught)}"
    if entry.action == CORRECTIONS and entry.is_note:
        line += f" — {_corrections(entry.extra)}"
    if entry.key == THESAURUS:
        line += f" — {synonym_words(entry.extra.get('words', ()))}"
    if entry.reason:
        line += f" — {escape(entry.reason)}"
    return clip(line, LINE_LIMIT)


def _taught(entry: HistoryEntry) -> list[str]:
    """The questions a ``teach`` change added to the fact's asked-as phrases."""
    before = set((entry.before or {}).get("asked_as", ()))
    return [q for q in (entry.after or {}).get("asked_as", ()) if q not in before]


def _corrections(extra: Mapping[str, object]) -> str:
    """What a corrections note counts: the posted answers edited to show a version, and those deleted."""
    corrected, gone = extra.get("corrected", 0), extra.get("gone", 0)
    text = (
        f"{corrected} posted answer{'' if corrected == 1 else 's'} corrected to show v{extra.get('version')}"
    )
    if gone:
        text += f"; {gone} had been deleted"
    return text


def history_lines(fact: Fact, entries: Sequence[HistoryEntry]) -> list[str]:
    """Every change, newest first, one line each.

    A fact that came with the database (the shipped base, or an older file)
    has no entries; say where it came from rather than show an empty list.
    """
    if entries:
        return [history_line(e) for e in reversed(entries)]
    added = f" on {_day(fact.added_at)}" if fact.added_at else ""
    by = f" by {escape(fact.added_by)}" if fact.added_by else ""
    return [f"v{fact.version} · added{by}{added}, with the database; no change since then."]


def synonym_words(words: Iterable[str]) -> str:
    """A synonym group's words as typed back to a moderator: escaped, comma-separated."""
    return ", ".join(escape(str(word)) for word in words)


def synonym_line(group: Group) -> str:
    """One moderator-added synonym group: its words, who added it and when."""
    return clip(
        f"• {synonym_words(group.words)} — added by {escape(group.added_by)}, {_when(group.added_at)}",
        LINE_LIMIT,
    )


def gaps_message(gaps: Iterable[Gap], *, since_days: int, taught: Mapping[str, str] | None = None) -> str:
    """The questions the base could not answer that most people asked, for the desk to research.

    Under each, the facts people picked for it (most people first). ``taught``:
    the fact each question was taught to since, by the question as :func:`normalise` reads it.
    """
    taught = taught or {}
    gaps = list(gaps)
    lines = []
    for i, gap in enumerate(gaps, start=1):
        line = (
            f"{i}. {quoted_query(gap.query)} — {_people(gap.people)}, {gap.times}× (last {_day(gap.last_at)})"
        )
        if key := taught.get(normalise(gap.query)):
            line += f" · taught to `{key}`"
        lines.append(line)
        if gap.picks:
            picked = ", ".join(f"`{pick.key}` ({_people(pick.people, 'picked')})" for pick in gap.picks[:5])
            lines.append(f"   ↳ picked: {picked}")
    if not lines:
        return f"No unanswered questions in the last {since_days} days."
    header = (
        f"Questions with no confident answer in the last {since_days} days, "
        "asked by the most people first (then the most often):"
    )
    if any(gap.picks for gap in gaps):
        lines.append("`/factadmin teach` makes a question answer with the fact you choose.")
    return clip("\n".join([header, *lines]), MESSAGE_LIMIT)


def _people(count: int, verb: str = "asked") -> str:
    return f"{verb} by 1 person" if count == 1 else f"{verb} by {count} people"


def last_checked(due: Due) -> str:
    """When a fact due for review was last checked, in words."""
    if due.checked_at is None:
        return "never reviewed, date added unknown"
    if due.reviewed:
        return f"last reviewed {due.checked_at:%Y-%m-%d}"
    return f"added {due.checked_at:%Y-%m-%d}, never reviewed"
