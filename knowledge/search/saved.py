"""A :class:`knowledge.search.index.SearchIndex` kept on disk beside the database: the saved file's
format (a header, the compiled thesaurus, the index's state, each a framed pickle read as a
stream) and what a saved index is checked against before it is used: the code and config that
built it (:func:`build_print`), the facts it holds (:func:`fingerprint`), the thesaurus groups it
compiled (:func:`thesaurus_print`). Nothing here runs on a query.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import Stemmer
from anyascii import __version__ as anyascii_version

from knowledge import model
from knowledge.model import Fact
from knowledge.search.config import SearchConfig
from knowledge.search.wordforms import Thesaurus, shipped_groups, shipped_thesaurus

SAVE_FORMAT = 2


# What save() writes (the facts themselves come from the caller, by key); caches are left out.
SAVED = (
    "_ids",
    "_postings",
    "_by_stem",
    "_by_name",
    "_years",
    "_dated",
    "_by_year",
    "_sorted_terms",
    "_by_length",
    "_names",
)


# The code an index and a thesaurus are built by: a saved one built by other code is not used. The
# shipped thesaurus is data, compared as the groups it holds (see thesaurus_print).
_CODE = [*sorted(Path(__file__).parent.glob("*.py")), Path(__file__).with_name("analyzer.json")]


ThesaurusGroups = Sequence[Mapping[str, Sequence[str]]]


@lru_cache(maxsize=1)
def code_print() -> str:
    """A digest of the code that builds an index and compiles a thesaurus: this package's modules
    and word lists, the fact model, and the stemmer's library (a new version may stem otherwise)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in (*_CODE, Path(model.__file__)):
        digest.update(path.read_bytes())
    stemmer = os.stat(Stemmer.__file__)
    digest.update(f"{stemmer.st_size}:{stemmer.st_mtime_ns}:{anyascii_version}".encode())
    return digest.hexdigest()


def fingerprint(facts: Iterable[Fact], config: SearchConfig) -> str:
    """What an index was built from: each live fact's key and version, the config and the code.
    A retracted fact is in no index, whatever its version."""
    return digest(identities(facts), config)


def identities(facts: Iterable[Fact]) -> Iterator[tuple[str, int, bool]]:
    return ((f.key, f.version, f.retracted) for f in facts)


def build_print(config: SearchConfig) -> str:
    """How an index was built: by which code, under which config."""
    return f"{code_print()} {config.fingerprint()}"


def digest(identities: Iterable[tuple[str, int, bool]], config: SearchConfig) -> str:
    digest = hashlib.blake2b(build_print(config).encode(), digest_size=16)
    for line in sorted(f"{key}\t{version}" for key, version, retracted in identities if not retracted):
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def thesaurus_print(groups: ThesaurusGroups) -> str:
    """What a thesaurus was compiled from: its groups as :meth:`Thesaurus.groups` lists them,
    and the code."""
    text = json.dumps([code_print(), list(groups)], ensure_ascii=False, sort_keys=True, default=list)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def framed(blob: bytes) -> bytes:
    return len(blob).to_bytes(8, "little") + blob


def unframed(file: BinaryIO, *, wanted: bool = True) -> Any:
    """The next framed pickle of a saved index, read from ``file`` (None if not ``wanted``:
    skipped unread). Read as a stream, so the file's bytes are never in memory whole."""
    size = int.from_bytes(file.read(8), "little")
    start = file.tell()
    if not 0 < size <= os.fstat(file.fileno()).st_size - start:
        raise ValueError("a frame runs past the end of the file")
    if not wanted:
        file.seek(size, os.SEEK_CUR)
        return None
    value = pickle.load(file)
    if file.tell() != start + size:
        raise ValueError("a frame's length is not its pickle's")
    return value


def compile_thesaurus(groups: ThesaurusGroups) -> Thesaurus:
    """A thesaurus of ``groups``; the shipped one's compiled once per process."""
    return shipped_thesaurus() if groups is shipped_groups() else Thesaurus(groups)
