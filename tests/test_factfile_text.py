"""A fact file read as text first (so its bytes can be let go before the JSON is parsed) is read
exactly as its bytes were: the same document, or the same refusal in the same words."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.store.disk.factfile import Unreadable, _RepeatedName, _unique_names, decode_json


def decoded_from_bytes(raw: bytes) -> Any:
    """decode_json as it was before issue 19: json.loads given the bytes themselves."""
    if not raw.strip():
        raise Unreadable("is empty")
    try:
        return json.loads(raw, object_pairs_hook=_unique_names)
    except _RepeatedName as error:
        raise Unreadable(
            f"is not usable JSON: {json.dumps(error.name)} appears twice in one JSON object, and a JSON "
            "reader silently keeps only the last of the two (a record pasted in under an id already taken?)"
        ) from None
    except UnicodeDecodeError as error:
        raise Unreadable(f"is not UTF-8 text (byte {error.start})") from None
    except RecursionError:
        raise Unreadable(
            "nests lists or objects far too deeply to be a fact file (a fact needs four levels)"
        ) from None
    except json.JSONDecodeError as error:
        ended = error.pos >= len(raw.rstrip()) or error.msg.startswith("Unterminated string")
        cut = " (the file ends too early, as if cut short)" if ended else ""
        raise Unreadable(
            f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}{cut}"
        ) from None


def outcome(decode: Any, raw: bytes) -> tuple[str, Any]:
    try:
        return "document", decode(raw)
    except Unreadable as error:
        return "refused", error.problem


def same(raw: bytes) -> None:
    assert outcome(decode_json, raw) == outcome(decoded_from_bytes, raw)


TRICKY = [
    b"",
    b" \n\t",
    "\u00a0".encode(),
    b"\xef\xbb\xbf[1]",
    b"\xef\xbb\xbf\xef\xbb\xbf[1]",
    "[1, 2]".encode("utf-16"),
    "[1, 2]".encode("utf-32"),
    "[1, 2]".encode("utf-16-le"),
    b"[1, \xff]",
    b'{"facts": [{"key": "a"',
    b'{"facts": [{"key": "a", "key": "b"}]}',
    b'["caf\xc3\xa9", "\xd0\x96"',
    b"[" * 5000,
    b'{"facts": {"1": {"claim": "x"}}}  \n',
]


@pytest.mark.parametrize("raw", TRICKY)
def test_tricky_files_are_read_as_their_bytes_were(raw: bytes) -> None:
    same(raw)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=40), st.text(max_size=40).map(str.encode)))
def test_any_bytes_are_read_as_they_were(raw: bytes) -> None:
    same(raw)
