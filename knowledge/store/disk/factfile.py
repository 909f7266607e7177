"""Reading a fact file's bytes: the one rule for what makes JSON unusable.

The database loader (:mod:`knowledge.store.disk.storage`) and the import and ``check``
commands (:mod:`knowledge.store.transfer`) both call :func:`decode_json`, so a file is
refused for the same reasons and in the same words everywhere; each caller only
says which file it was.
"""

from __future__ import annotations

import json
from typing import Any


class Unreadable(Exception):
    """The bytes are not a JSON document; ``problem`` completes "<the file> ...": "is empty"."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class _RepeatedName(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for ``json.loads``: refuse what a plain load would silently drop."""
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise _RepeatedName(name)
            seen.add(name)
    return document


def decode_json(raw: bytes) -> Any:
    """The JSON document in ``raw``, or :class:`Unreadable` saying what is wrong with it.

    A name given twice in one object (a record pasted in under an id already
    taken, a field written twice) is refused: a JSON reader keeps only the last.
    """
    return decode_text(*text_of(raw))


def text_of(raw: bytes) -> tuple[str, int]:
    """``raw`` decoded as ``json.loads`` decodes bytes, and where its JSON ends (trailing whitespace
    aside), for :func:`decode_text`; or :class:`Unreadable`. A caller that lets go of ``raw`` then
    never holds a big file's bytes and text and parsed document at once (~90 MB at 100,000 facts)."""
    if not raw.strip():
        raise Unreadable("is empty")
    try:
        return raw.decode(json.detect_encoding(raw), "surrogatepass"), len(raw.rstrip())
    except UnicodeDecodeError as error:
        raise Unreadable(f"is not UTF-8 text (byte {error.start})") from None


def decode_text(text: str, end: int) -> Any:
    """The JSON document in ``text`` (from :func:`text_of`), as :func:`decode_json` reads it."""
    try:
        # json.loads(bytes) less its decoding: the decoder itself, without the check json.loads
        # makes of text alone (a byte order mark left at the start is a JSON error like any other).
        return json.JSONDecoder(object_pairs_hook=_unique_names).decode(text)
    except _RepeatedName as error:
        raise Unreadable(
            f"is not usable JSON: {json.dumps(error.name)} appears twice in one JSON object, and a JSON "
            "reader silently keeps only the last of the two (a record pasted in under an id already taken?)"
        ) from None
    except RecursionError:
        # json gives up on lists or objects nested past Python's recursion limit (about 1,000
        # levels); a fact file needs four. Hostile or broken either way, and never a traceback.
        raise Unreadable(
            "nests lists or objects far too deeply to be a fact file (a fact needs four levels)"
        ) from None
    except json.JSONDecodeError as error:
        # A string still open at the end is reported where it starts, not at the end.
        ended = error.pos >= end or error.msg.startswith("Unterminated string")
        cut = " (the file ends too early, as if cut short)" if ended else ""
        raise Unreadable(
            f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}{cut}"
        ) from None
