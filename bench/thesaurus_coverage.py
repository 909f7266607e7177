"""Which of the shipped base's own words a reporter can find in Russian, Hebrew and Azerbaijani.

    python bench/thesaurus_coverage.py [--missing]

Search matches a word across languages only through the reviewed thesaurus
(``knowledge/thesaurus.json``). A *concept word* is a word of a shipped fact's
claim or aliases that can decide which fact is meant: not a stopword or query
filler, no digits, not a lone letter, and not in :data:`NEEDS_NO_TRANSLATION`
(reviewed, each with its reason). It is *covered* when a group that has a
Russian, a Hebrew and an Azerbaijani word holds it, as search reads it (any of
its form keys is a one-word member's), or when it is part of a member phrase the
text says in full (`air base`, `tel aviv`). ``tests/test_thesaurus_coverage.py``
asserts every concept word is covered, so a claim word without translations
fails CI with the word named.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.eval import shipped_facts  # noqa: E402
from knowledge.model import Fact  # noqa: E402
from knowledge.wordforms import LANGUAGES, THESAURUS_FILE, Phrase, Thesaurus, keys, phrase_of, typed_words  # noqa: E402

_CODE = (
    "a code or call sign, typed in Latin letters in every language (Russian ИАТА transliterates to it; "
    "БТД, the Russian for BTC, has its own group)"
)
_FUNCTION = "a function word or light verb: it never decides which fact is meant"
_DATE = "part of a date (`late 2020`, `mid-2016`); the year beside it is matched exactly"
_COUNT = (
    "a number word: figures are matched as digits, and Hebrew number words are other words too (שבע, שני)"
)
_QUOTE = "a word of a quotation, whose translation varies; the fact is found by its other words"
_ALIAS = "the fact's own aliases spell it in every script (Ovda, Uvda, עובדה, Овда)"
_NAME_PART = "part of a Latin name (Silk Way West, SILK LINE, Foreign Policy), written so in every language"
_LOOSE = (
    "a qualifier with no one translation (destination: пункт назначения or направление; major: SIPRI's "
    "term; public: открытый is also open; sister: дочерняя is subsidiary; outbreak: начало is any start); "
    "a loose one would match what it should not"
)
_HAARETZ = (
    "a publisher, not a claim's subject: in Hebrew it is הארץ, the everyday word for 'the country', which "
    "would match ordinary queries; Russian Хаарец is one letter from its transliteration"
)

# Words of the shipped claims and aliases that need no translation, reviewed one by one. A word here
# must still occur in the base (the test checks), so the list cannot go stale.
NEEDS_NO_TRANSLATION: dict[str, str] = {
    **dict.fromkeys(("azq", "zp", "vda", "llov", "iata", "icao", "btc", "lar", "mx", "il"), _CODE),
    **dict.fromkeys(
        (
            "ahead", "already", "appeared", "became", "both", "called", "calls", "carried", "cites",
            "comparing", "due", "found", "gives", "including", "it", "least", "may", "mostly", "names",
            "near", "new", "outside", "over", "periods", "possible", "quoted", "repeatedly", "saying",
            "see", "taken", "thought", "through", "told", "asked", "operated", "operates", "ran", "runs",
        ),
        _FUNCTION,
    ),
    **dict.fromkeys(("late", "mid"), _DATE),
    **dict.fromkeys(("one", "two", "three", "four", "seven", "nine"), _COUNT),
    **dict.fromkeys(("discreet", "close", "tenths"), _QUOTE),
    **dict.fromkeys(("ovda", "uvda", "ouvda", "овда", "עובדה", "silkway"), _ALIAS),
    **dict.fromkeys(("west", "line", "policy"), _NAME_PART),
    **dict.fromkeys(("destination", "major", "public", "sister", "outbreak"), _LOOSE),
    "haaretz": _HAARETZ,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Coverage:
    """The base's concept words, each with the facts that use it, and those no full group covers."""

    words: dict[str, list[str]]  # concept word -> keys of the facts that use it
    missing: list[str]

    @property
    def covered(self) -> int:
        return len(self.words) - len(self.missing)


def full_groups(path: Path = THESAURUS_FILE) -> list[dict[str, list[str]]]:
    """The shipped groups that have a word in each of the desk's other languages."""
    groups = json.loads(path.read_text(encoding="utf-8"))["groups"]
    return [g for g in groups if all(g.get(language) for language in LANGUAGES)]


def _texts(fact: Fact) -> Iterable[str]:
    yield fact.claim
    yield from fact.aliases


def coverage(facts: Iterable[Fact], groups: list[dict[str, list[str]]]) -> Coverage:
    thesaurus = Thesaurus(groups)
    phrases: set[Phrase] = {
        p
        for g in groups
        for field in ("words", *LANGUAGES)
        for m in g.get(field, ())
        if len(p := phrase_of(m)) > 1
    }
    used: dict[str, list[str]] = {}
    covered: set[str] = set()
    for fact in facts:
        for text in _texts(fact):
            content = [t for t in typed_words(text) if phrase_of(t.word)]  # filler has no form key
            stems = [phrase_of(t.word)[0] for t in content]
            for i, typed in enumerate(content):
                word = typed.word
                if any(ch.isdigit() for ch in word) or len(word) < 2 or word in NEEDS_NO_TRANSLATION:
                    continue
                used.setdefault(word, [])
                if fact.key not in used[word]:
                    used[word].append(fact.key)
                in_phrase = any(
                    tuple(stems[start : start + len(p)]) == p
                    for p in phrases
                    for start in range(max(0, i - len(p) + 1), i + 1)
                )
                if in_phrase or any((key,) in thesaurus for key in keys(word, typed.raw)):
                    covered.add(word)
    return Coverage(used, sorted(set(used) - covered))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--missing", action="store_true", help="list each uncovered word with its facts")
    parser.add_argument("--thesaurus", type=Path, default=THESAURUS_FILE, help="thesaurus file to measure")
    args = parser.parse_args()
    groups = full_groups(args.thesaurus)
    found = coverage(shipped_facts(), groups)
    total = len(found.words)
    print(f"groups with Russian, Hebrew and Azerbaijani words: {len(groups)}")
    print(f"concept words covered: {found.covered}/{total} ({100 * found.covered / max(1, total):.0f} %)")
    print(f"words that need no translation (reviewed): {len(NEEDS_NO_TRANSLATION)}")
    if args.missing:
        for word in found.missing:
            print(f"  {word:<16} {', '.join(found.words[word])}")


if __name__ == "__main__":
    main()
