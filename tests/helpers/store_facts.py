"""Small valid fact records for store tests: made-up content, example.com links only."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from knowledge.model import Actor

if TYPE_CHECKING:
    from knowledge.store.changes import FactStore

WORDS = [
    "amber",
    "basalt",
    "cedar",
    "delta",
    "ember",
    "fjord",
    "garnet",
    "harbor",
    "indigo",
    "juniper",
    "kestrel",
    "lagoon",
    "meadow",
    "nectar",
    "orchid",
    "pepper",
    "quartz",
    "raven",
    "saffron",
    "tundra",
    "umber",
    "velvet",
    "willow",
    "yarrow",
    "zephyr",
]

ALICE = Actor("101", "alice")
BOB = Actor("202", "bob")


def record(key: str, **fields: Any) -> dict[str, Any]:
    """A valid record whose claim differs from every other key's (words picked from the key's hash)."""
    digest = hashlib.sha256(key.encode()).digest()
    words = " ".join(WORDS[b % len(WORDS)] for b in digest[:12])
    data: dict[str, Any] = {
        "key": key,
        "claim": f"Test fact {key} says {words}.",
        "sources": [
            {
                "publisher": "Example Wire",
                "title": f"Report on {key}",
                "published": "2020-01-02",
                "url": f"https://example.com/{key}",
                "kind": "secondary",
            }
        ],
    }
    data.update(fields)
    return data


async def exported(store: FactStore) -> dict[str, Any]:
    """The whole base as ``export`` writes it (:meth:`FactStore.export_json`), read back."""
    return json.loads(await store.export_json())
