"""Fact files in and out: reading any accepted shape, and checking a file before it is trusted.

Accepted shapes, all JSON: the TinyDB document the store writes and ``export``
makes (``{"facts": {"1": {...}, ...}}``), ``{"facts": [{...}, ...]}``, or a bare
list of records.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from knowledge.errors import KnowledgeError
from knowledge.model import parse_facts
from knowledge.storage import RepeatedName, unique_names

# Record ids in a TinyDB document: what the store writes, and all it will load.
DOC_ID_RE = re.compile(r"^[1-9][0-9]*$")
SHAPES = 'a list of facts, {"facts": [...]}, or the {"facts": {"1": {...}}} document export makes'


def load_document(path: Path) -> list[Any]:
    """The records in the file at ``path``, not yet validated (see :func:`read_document`)."""
    return read_document(_read(path), str(path))


def _read(path: Path) -> bytes:
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
        document = json.loads(raw, object_pairs_hook=unique_names)
    except RepeatedName as error:
        raise KnowledgeError(f"{name}: {error}.") from None
    except UnicodeDecodeError as error:
        raise KnowledgeError(f"{name} is not UTF-8 text (byte {error.start}).") from None
    except json.JSONDecodeError as error:
        raise KnowledgeError(
            f"{name} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except RecursionError:
        # json gives up on lists or objects nested past Python's recursion limit (about 1,000
        # levels); a fact file needs four. Hostile or broken either way, and never a traceback.
        raise KnowledgeError(
            f"{name} nests lists or objects far too deeply to be a fact file (a fact needs four levels)."
        ) from None
    return document


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


def check_file(path: Path) -> list[str]:
    """Every problem with a fact file, one line each; an empty list means it can be used.

    Checks what the store checks (every field of every record, links,
    duplicate keys) and also flags claims that nearly repeat another fact.
    """
    try:
        document = _parse(_read(path), str(path))
        records = _records(document, str(path))
    except KnowledgeError as error:
        return [str(error)]
    facts, errors = parse_facts(records, label=f"{path} record")
    problems = [str(error) for error in errors] + _id_problems(document, path)
    # Imported here: search builds an index, which nothing else in this module needs.
    from knowledge.search import near_duplicate_pairs

    for key, other, score in near_duplicate_pairs(facts):
        problems.append(
            f"{path}: `{key}` and `{other}` make nearly the same claim ({score:.0f}% alike); "
            "merge them or make the difference clear."
        )
    return problems


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
