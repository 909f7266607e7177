"""Fact files in and out: reading any accepted shape, and checking a file before it is trusted.

Accepted shapes, all JSON: the TinyDB document the store writes and ``export``
makes (``{"facts": {"1": {...}, ...}}``), ``{"facts": [{...}, ...]}``, or a bare
list of records.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from knowledge.errors import KnowledgeError
from knowledge.model import parse_facts
from knowledge.storage import RepeatedName, unique_names

SHAPES = 'a list of facts, {"facts": [...]}, or the {"facts": {"1": {...}}} document export makes'


def load_document(path: Path) -> list[Any]:
    """The records in the file at ``path``, not yet validated (see :func:`read_document`)."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise KnowledgeError(f"{path}: no such file.") from None
    except OSError as error:
        raise KnowledgeError(f"{path}: cannot be read ({error.strerror or error}).") from None
    return read_document(raw, str(path))


def read_document(raw: bytes, name: str) -> list[Any]:
    """The records in ``raw`` (a file's bytes, or an upload's), not yet validated.

    Raises :class:`KnowledgeError` naming ``name`` (and the line and column for
    broken JSON) if it is not one of the accepted shapes.
    """
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
        records = load_document(path)
    except KnowledgeError as error:
        return [str(error)]
    facts, errors = parse_facts(records, label=f"{path} record")
    problems = [str(error) for error in errors]
    # Imported here: search builds an index, which nothing else in this module needs.
    from knowledge.search import near_duplicate_pairs

    for key, other, score in near_duplicate_pairs(facts):
        problems.append(
            f"{path}: `{key}` and `{other}` make nearly the same claim ({score:.0f}% alike); "
            "merge them or make the difference clear."
        )
    return problems
