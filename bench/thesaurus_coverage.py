"""Which of the shipped base's own words a reporter can find in Russian, Hebrew and Azerbaijani, and
in other English words.

    python bench/thesaurus_coverage.py [--missing]

Search matches a word across languages only through the reviewed thesaurus
(``knowledge/search/thesaurus.json``). A *concept word* is a word of a shipped fact's
claim or aliases that can decide which fact is meant: not a stopword or query
filler, no digits, not a lone letter, and not in :data:`NEEDS_NO_TRANSLATION`
(reviewed, each with its reason). It is *covered* when a group that has a
Russian, a Hebrew and an Azerbaijani word holds it, as search reads it (any of
its form keys is a one-word member's), or when it is part of a member phrase the
text says in full (`air base`, `tel aviv`). ``tests/test_thesaurus_coverage.py``
asserts every concept word is covered, so a claim word without translations
fails CI with the word named.

A reporter also writes other English words than a claim's (`airstrip` for
airfield, `handed over` for delivered). A concept word *has an English
alternative* when a group that reaches it, as search reads it, has an English
member that is neither the phrase it was reached by nor a form or abbreviation
of it (`fly` is a form of flight, `jan` of January). The words that have none are
reviewed in :data:`NO_ENGLISH_ALTERNATIVE`, each with its reason, and the test
asserts the two agree: a new claim word needs other words or a reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.eval import shipped_facts  # noqa: E402
from knowledge.model import Fact  # noqa: E402
from knowledge.search.wordforms import (  # noqa: E402
    LANGUAGES,
    THESAURUS_FILE,
    Phrase,
    keys,
    member_phrases,
    phrase_of,
    typed_words,
)

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
    # A person only one fact names: his name in every script and the description that identifies
    # him (aviation chief) are that fact's aliases, where moderators see them, not a thesaurus group
    # (issue 18: the thesaurus holds general language only).
    **dict.fromkeys(("giora", "romm", "гиора", "ромм", "גיורא", "רום"), _ALIAS),
    **dict.fromkeys(("west", "line", "policy"), _NAME_PART),
    **dict.fromkeys(("destination", "major", "public", "sister", "outbreak"), _LOOSE),
    "haaretz": _HAARETZ,
}  # fmt: skip

_MONTH = "a month: its abbreviation (jan, sept) is the only other way to write it"
_PLACE = "a place name with no description that identifies it in this domain"
_PARTY = (
    "a country that gives or receives in the claims: a description (the Jewish state, Tehran, the "
    "Azerbaijani capital) would pass the who-gives-to-whom check (knowledge/search/roles.py reads only "
    "the base's "
    "names as parties), and 'Iran gives the Jewish state oil' was answered; Baku and Yerevan already lead "
    "to their country as broader terms"
)
_PRODUCT = (
    "a product or maker's name; its kind (drone, air defence, cargo plane) is its own word and must not lead "
    "to one product"
)
_NAME = "part of a name the desk writes only so (Silk Way; Tel Aviv)"
_UNIT = "a unit or ordinal (week, third): the figure beside it decides"
_NO_SYNONYM = (
    "no everyday English word means the same here: pipe, south and buy are forms or broader words, already "
    "grouped; department, unit and ally have other senses in this base"
)
_QUOTED = "a word of a quotation or its image (iceberg, below the surface, existential threat)"


# Concept words with no English alternative in the thesaurus, reviewed one by one. The test asserts this is
# exactly the list the rule finds, so a word that gains an alternative must leave it.
NO_ENGLISH_ALTERNATIVE: dict[str, str] = {
    **dict.fromkeys(
        ("january", "march", "april", "july", "september", "october", "november", "december"), _MONTH
    ),
    "hadrut": _PLACE,
    **dict.fromkeys(
        ("armenia", "armenian", "baku", "iran", "israel", "israeli", "israelis", "russia"), _PARTY
    ),
    **dict.fromkeys(("harop", "barak", "orbiter", "ilyushin"), _PRODUCT),
    **dict.fromkeys(("silk", "way", "tel", "aviv"), _NAME),
    **dict.fromkeys(("week", "weeks", "third"), _UNIT),
    **dict.fromkeys(
        ("access", "ballistic", "economic", "imports", "official", "partner", "pipeline", "political",
         "section", "southern", "system", "volunteers"),
        _NO_SYNONYM,
    ),
    **dict.fromkeys(("iceberg", "surface", "existential"), _QUOTED),
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
    return [g for g in all_groups(path) if all(g.get(language) for language in LANGUAGES)]


@dataclass(frozen=True, slots=True)
class _Occurrence:
    """One concept word where a claim or alias uses it, with the form keys of its text around it."""

    fact: str
    word: str
    keys: frozenset[str]
    stems: tuple[str, ...]  # the form keys of the text's words that are not filler
    index: int  # where the word is in ``stems``

    def reached_by(self, member: str) -> list[Phrase]:
        """The keys of thesaurus ``member`` that reach this word: one of its forms, or a phrase the text
        says in full around it (`air base`, `tel aviv`)."""
        found = []
        for phrase in member_phrases(member):
            if len(phrase) == 1:
                if phrase[0] in self.keys:
                    found.append(phrase)
            elif any(
                self.stems[start : start + len(phrase)] == phrase
                for start in range(max(0, self.index - len(phrase) + 1), self.index + 1)
            ):
                found.append(phrase)
        return found


def _occurrences(facts: Iterable[Fact]) -> Iterator[_Occurrence]:
    for fact in facts:
        for text in (fact.claim, *fact.aliases):
            content = [t for t in typed_words(text) if phrase_of(t.word)]  # filler has no form key
            stems = tuple(phrase_of(t.word)[0] for t in content)
            for i, typed in enumerate(content):
                word = typed.word
                if any(ch.isdigit() for ch in word) or len(word) < 2 or word in NEEDS_NO_TRANSLATION:
                    continue
                yield _Occurrence(fact.key, word, frozenset(keys(word, typed.raw)), stems, i)


def _members(group: dict[str, list[str]]) -> list[str]:
    return [m for field in ("words", *LANGUAGES) for m in group.get(field, ())]


def _tally(facts: Iterable[Fact], found: Callable[[_Occurrence], bool]) -> Coverage:
    """The concept words of ``facts``, and those ``found`` accepts at none of their occurrences."""
    used: dict[str, list[str]] = {}
    accepted: set[str] = set()
    for seen in _occurrences(facts):
        keys_ = used.setdefault(seen.word, [])
        if seen.fact not in keys_:
            keys_.append(seen.fact)
        if seen.word not in accepted and found(seen):
            accepted.add(seen.word)
    return Coverage(used, sorted(set(used) - accepted))


def coverage(facts: Iterable[Fact], groups: list[dict[str, list[str]]]) -> Coverage:
    """The concept words of ``facts`` and those no group of ``groups`` reaches."""
    return _tally(facts, lambda seen: any(seen.reached_by(m) for g in groups for m in _members(g)))


def _form_of(phrase: Phrase, reached: list[Phrase]) -> bool:
    """Whether ``phrase`` only writes one of the ``reached`` phrases otherwise: the same keys, or one word
    whose key begins the other's (`fli` for flight, `jan` for January, `pipe` for pipeline)."""
    if phrase in reached:
        return True
    return len(phrase) == 1 and any(
        len(r) == 1
        and min(len(r[0]), len(phrase[0])) >= 3
        and (r[0].startswith(phrase[0]) or phrase[0].startswith(r[0]))
        for r in reached
    )


def _has_english_alternative(seen: _Occurrence, groups: list[dict[str, list[str]]]) -> bool:
    for group in groups:
        reached = [p for m in _members(group) for p in seen.reached_by(m)]
        if reached and any((p := phrase_of(m)) and not _form_of(p, reached) for m in group.get("words", ())):
            return True
    return False


def english_alternatives(facts: Iterable[Fact], groups: list[dict[str, list[str]]]) -> Coverage:
    """The concept words of ``facts`` and those for which no group offers another English word or phrase."""
    return _tally(facts, lambda seen: _has_english_alternative(seen, groups))


def all_groups(path: Path = THESAURUS_FILE) -> list[dict[str, list[str]]]:
    """Every shipped group, with or without words in the other languages."""
    return json.loads(path.read_text(encoding="utf-8"))["groups"]


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
    english = english_alternatives(shipped_facts(), all_groups(args.thesaurus))
    total = len(english.words)
    print(
        f"concept words with an English alternative: {english.covered}/{total} "
        f"({100 * english.covered / max(1, total):.0f} %)"
    )
    unreviewed = [w for w in english.missing if w not in NO_ENGLISH_ALTERNATIVE]
    reviewed = len(english.missing) - len(unreviewed)
    print(f"words with none, reviewed: {reviewed}; not reviewed: {len(unreviewed)}")
    if args.missing:
        for word in unreviewed:
            print(f"  {word:<16} {', '.join(english.words[word])}")


if __name__ == "__main__":
    main()
