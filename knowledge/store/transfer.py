"""Fact files in and out: reading any accepted shape, and checking a file before it is trusted.

Accepted shapes, all JSON: the TinyDB document the store writes and ``export``
makes (``{"facts": {"1": {...}, ...}}``), ``{"facts": [{...}, ...]}``, or a bare
list of records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from knowledge.errors import InvalidFact, KnowledgeError
from knowledge.model import Fact, parse_records
from knowledge.store.disk.factfile import Unreadable, decode_json, decode_text, text_of

# Record ids in a TinyDB document: what the store writes, and all it will load.
DOC_ID_RE = re.compile(r"^[1-9][0-9]*\Z")
SHAPES = 'a list of facts, {"facts": [...]}, or the {"facts": {"1": {...}}} document export makes'


def load_document(path: Path) -> list[Any]:
    """The records in the file at ``path``, not yet validated (see :func:`read_document`)."""
    return _records(_parse_file(path), str(path))


def read_bytes(path: Path) -> bytes:
    """The bytes of the file at ``path``, or :class:`KnowledgeError` saying why it cannot be read."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise KnowledgeError(f"{path}: no such file.") from None
    except OSError as error:
        raise KnowledgeError(f"{path}: cannot be read ({error.strerror or error}).") from None


def read_document(raw: bytes, name: str) -> list[Any]:
    """The records in ``raw`` (a file's bytes, or an upload's), not yet validated.

    Raises :class:`KnowledgeError` naming ``name`` (and the line and column for
    broken JSON) if it is not one of the accepted shapes.
    """
    return _records(_parse(raw, name), name)


def _parse(raw: bytes, name: str) -> Any:
    try:
        return decode_json(raw)
    except Unreadable as error:
        raise KnowledgeError(f"{name} {error.problem}.") from None


def _parse_file(path: Path) -> Any:
    """The JSON document in the file at ``path``, read as :func:`_parse` reads its bytes; the bytes
    are let go once decoded, before the document is parsed."""
    try:
        return decode_text(*text_of(read_bytes(path)))
    except Unreadable as error:
        raise KnowledgeError(f"{path} {error.problem}.") from None


def _records(document: Any, name: str) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and set(document) == {"facts"}:
        facts = document["facts"]
        if isinstance(facts, list):
            return facts
        if isinstance(facts, dict):
            return list(facts.values())
    raise KnowledgeError(f"{name} does not hold facts in a shape this tool reads; expected {SHAPES}.")


@dataclass(frozen=True, slots=True)
class Findings:
    """What is wrong with a fact file or upload, one line each.

    ``errors``: it cannot be used as it is (import refuses it, the bot would not
    load it as a database). ``warnings``: it can, but a person should look
    (near-duplicate claims). ``facts`` are the records that passed and
    ``invalid`` the refusals behind the record errors, field by field.
    """

    errors: list[str]
    warnings: list[str]
    facts: list[Fact] = field(default_factory=list)
    invalid: list[InvalidFact] = field(default_factory=list)


class Warn(Protocol):
    """What a caller warns about among good facts (``knowledge.duplicates.duplicate_warnings``): passed
    in, because the near-duplicate finder builds a search index and the store never imports search.
    ``beside``: facts already in the base, which an import's facts are compared with too."""

    def __call__(self, facts: Sequence[Fact], where: str, *, beside: Sequence[Fact] = ()) -> list[str]: ...


def review_records(records: Iterable[Any], *, where: str, warn: Warn | None = None) -> Findings:
    """The rules ``check`` and import share, applied to ``records``.

    Errors are every record the validation refuses (fields, links, duplicate
    keys), named ``<where> record N (`key`)`` (the key when the record has one);
    warnings are what ``warn`` finds among the good facts (none without it).
    """
    named = ((f"{where} record {i}", raw) for i, raw in enumerate(records, start=1))
    facts, invalid = parse_records(named, keys_in_names=True)
    warnings = warn(facts, where) if warn else []
    return Findings([str(e) for e in invalid], warnings, facts, invalid)


def check_file(path: Path, *, warn: Warn | None = None) -> Findings:
    """Everything :func:`review_records` finds in the file at ``path``; no errors means it can be used.

    A database document's record ids are checked too: the store would refuse
    to load one it does not number as it does.
    """
    try:
        document = _parse_file(path)
        records = _records(document, str(path))
    except KnowledgeError as error:
        return Findings([str(error)], [])
    found = review_records(records, where=str(path), warn=warn)
    return Findings(found.errors + _id_problems(document, path), found.warnings, found.facts, found.invalid)


def _id_problems(document: Any, path: Path) -> list[str]:
    """Record ids the store would refuse to load: as a database, the file must number them as it does."""
    table = document["facts"] if isinstance(document, dict) else None
    if not isinstance(table, dict):
        return []
    problems = []
    for doc_id, raw in table.items():
        if not DOC_ID_RE.match(doc_id):
            key = raw.get("key") if isinstance(raw, dict) else None
            named = f" (`{key}`)" if isinstance(key, str) else ""
            problems.append(f"{path}: record id {doc_id!r}{named} must be a whole number from 1 up.")
    return problems
