"""Word forms and other words for the same thing: the one place that decides when two words match.

Search and the ``/timeline`` topic filter both ask this module, so `drones`,
`drone` and `UAV`, or `Алиев` and `Aliyev`, are the same word to both.

- :func:`stem` is a word's form key: Snowball stemming (English for Latin
  script, Russian for Cyrillic; Hebrew words are kept whole), on folded text.
- :func:`variants` are the other keys a *typed* word may stand for: its
  Turkish/Azerbaijani stem (stemmed before folding, since the stemmer needs
  ş ç ğ ı), the word without a Hebrew one-letter prefix (ו ה ב ל מ ש כ), and a
  Cyrillic or Hebrew word spelt in Latin letters (anyascii), for names; a
  Cyrillic one also as English usually spells Russian names (:func:`latin_spellings`).
- :class:`Thesaurus` holds reviewed groups of words that mean the same here
  (``knowledge/search/thesaurus.json``): a word in a group also matches the others; a
  group's ``broader`` words are matched from it but never lead back to it
  (`yerevan` finds Armenia, `armenia` does not find Yerevan). A group keeps its
  Russian, Hebrew and Azerbaijani words apart (:data:`LANGUAGES`), so a reviewer
  sees which language each is and ``bench/thesaurus_coverage.py`` can tell what is
  still missing; search treats them all as members.
  :meth:`Thesaurus.with_group` returns a new thesaurus with one more group, so
  a group added at run time takes effect without reloading the file.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer
from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.search.textnorm import ANALYZER, STOPWORDS, figures, fold, is_number, words

THESAURUS_FILE = Path(__file__).with_name("thesaurus.json")
# A group's words in the languages the desk writes besides English: Russian, Hebrew, Azerbaijani.
LANGUAGES = ("ru", "he", "az")

_ENGLISH = Stemmer.Stemmer("english")
_RUSSIAN = Stemmer.Stemmer("russian")
_TURKISH = Stemmer.Stemmer("turkish")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_HEBREW_RE = re.compile(r"[\u0590-\u05ff]")
_HEBREW_PREFIXES = "והבלמשכ"
_HEBREW_ENDINGS = ("ים", "ות", "ית", "י")  # plural, feminine singular (ישראלית), construct
_TURKISH_LETTERS = re.compile(r"[əışçğöü]")
# fold() writes й as и (its breve is a combining mark), but the Russian stemmer knows the endings
# -ый -ий -ой -ей only with й: ядерныи would stem to ядерны, not ядерн like ядерная.
_LOST_SHORT_I_RE = re.compile(r"(?<=[ыиое])и$")
# A raw word before folding: letters and digits, apostrophes inside a word dropped.
_RAW_WORD_RE = re.compile(r"\d+(?:\.\d+)+|[^\W_]+")  # as textnorm.words reads a decimal figure
_RAW_APOSTROPHE_RE = re.compile(r"(?<=\w)['’ʼ‘`´\"״׳](?=\w)")
_POSSESSIVE_RE = re.compile(r"(?<=\w)['’ʼ‘`´]s\b")

DATE_WORDS = frozenset(fold(w) for w in ANALYZER["date_words"])
MONEY_WORDS = frozenset(fold(w) for w in ANALYZER["money_words"])
CURRENCY_WORDS = frozenset(ANALYZER["currency_words"])
# Folded as a query's words are compared: свой is свои, isə is ise.
QUERY_FILLER = frozenset(fold(w) for w in ANALYZER["query_filler"]) | DATE_WORDS | MONEY_WORDS
NUMBER_WORDS = frozenset(ANALYZER["number_words"])


def _by_first_word(questions: list[list[str]]) -> dict[str, list[tuple[str, ...]]]:
    """Each question (a run of words) under its first word: a query's words are looked up, rather
    than every question tried at every word."""
    firsts = dict.fromkeys(q[0] for q in questions)
    return {first: [tuple(q) for q in questions if q[0] == first] for first in firsts}


COUNT_QUESTIONS = _by_first_word(ANALYZER["count_questions"])
WHEN_QUESTIONS = _by_first_word(ANALYZER["when_questions"])
COUNT_WORDS = frozenset(ANALYZER["count_words"])
MONTHS = frozenset(ANALYZER["months"])
UNIT_WORDS = frozenset(fold(w) for w in ANALYZER["unit_words"])


@lru_cache(maxsize=1 << 17)
def stem(word: str) -> str:
    """The form key of one folded word: `flights` -> `flight`, `ракеты` -> `ракет`."""
    if is_number(word) or len(word) < 3:
        return word
    if _CYRILLIC_RE.search(word):
        return _RUSSIAN.stemWord(_LOST_SHORT_I_RE.sub("й", word))
    if _HEBREW_RE.search(word):
        return word
    return _ENGLISH.stemWord(word)


def stems(text: str) -> list[str]:
    """The form keys of ``text``'s words."""
    return [stem(w) for w in words(text)]


# How English spells sounds that anyascii writes the Russian way: Джейхан -> dzheykhan -> jeykhan
# -> jeyhan, Хикмет -> khikmet -> hikmet.
_RUSSIAN_TO_ENGLISH = (("dzh", "j"), ("kh", "h"))


@lru_cache(maxsize=1 << 14)
def latin_spellings(word: str) -> tuple[str, ...]:
    """A Cyrillic ``word`` in Latin letters: as anyascii spells it, then as English usually does.
    Empty for a word in another script (a Hebrew word in Latin letters keeps no vowels to match)."""
    if not _CYRILLIC_RE.search(word):
        return ()
    latin = "".join(words(anyascii(word)))
    english = latin
    for russian, usual in _RUSSIAN_TO_ENGLISH:
        english = english.replace(russian, usual)
    return tuple(dict.fromkeys(w for w in (latin, english) if w))


def _lower(text: str) -> str:
    """``text`` in lower case as the Turkish and Azerbaijani İ reads: `İran` and a lowercased
    `i̇ran` (i and a combining dot) are both `iran`, never `i` and `ran`."""
    return unicodedata.normalize("NFC", text).replace("İ", "i").casefold().replace("\u0307", "")


@dataclass(frozen=True, slots=True)
class Typed:
    """A word as typed in a query: its folded form and what it was before folding."""

    word: str
    raw: str


def typed_words(text: str) -> list[Typed]:
    """The query's words, each with its unfolded spelling (for the Turkish stemmer)."""
    text = figures(_lower(text))
    text = _RAW_APOSTROPHE_RE.sub("", _POSSESSIVE_RE.sub("", text))
    found: list[Typed] = []
    for raw in _RAW_WORD_RE.findall(text):  # a run of ASCII letters and digits is one word as it is
        found += [Typed(raw, raw)] if raw.isascii() else [Typed(part, raw) for part in words(raw)]
    return found


@lru_cache(maxsize=1 << 14)
def variants(word: str, raw: str = "", *, typed: bool = True) -> tuple[str, ...]:
    """Other form keys the typed ``word`` may stand for (never including its own :func:`stem`).
    A reviewed thesaurus word (``typed=False``) is written as meant: its first letters are no
    Hebrew prefix, and a Hebrew word has no Latin spelling (without vowels, אחוזים and חוזים,
    percent and contracts, are both hvzym)."""
    raw = raw or word
    own = stem(word)
    found: dict[str, None] = {}
    hebrew = bool(_HEBREW_RE.search(word))
    if hebrew:
        for cut in (0, 1, 2) if typed else (0,):  # ו, ה, ב ... and pairs like וה, שב, מה
            if len(word) - cut >= 2 and all(ch in _HEBREW_PREFIXES for ch in word[:cut]):
                bare = word[cut:]
                found[bare] = None
                # plural and construct endings: טילים, טילי -> טיל; טיסות -> טיס
                for ending in _HEBREW_ENDINGS:
                    if bare.endswith(ending) and len(bare) - len(ending) >= 2:
                        found[bare[: -len(ending)]] = None
    elif not _CYRILLIC_RE.search(word) and not is_number(word):
        turkish = _TURKISH.stemWord(raw.replace("ə", "e"))
        if _TURKISH_LETTERS.search(raw) or turkish != raw:
            found[fold(turkish)] = None
        if _TURKISH_LETTERS.search(raw):
            # the Azerbaijani word unstemmed: the Turkish stemmer cuts müqavilə to müqavil, but
            # müqavilələr to müqavilə
            found[word] = None
    if not word.isascii() and (typed or not hebrew):
        latin = "".join(words(anyascii(word)))
        for spelling in (latin, *latin_spellings(word)):
            if spelling:
                found[stem(spelling)] = None
    found.pop(own, None)
    return tuple(k for k in found if k)


def keys(word: str, raw: str = "") -> tuple[str, ...]:
    """Every form key of a typed word: its stem first, then its :func:`variants`."""
    return (stem(word), *variants(word, raw))


def _filler(word: str) -> bool:
    return word in STOPWORDS or word in QUERY_FILLER


Phrase = tuple[str, ...]  # the form keys of a word or phrase, in order


def phrase_of(text: str) -> Phrase:
    """The form keys of a thesaurus word or phrase, without the filler a query drops (`in return`)."""
    return tuple(stem(t.word) for t in typed_words(text) if not _filler(t.word))


@dataclass(frozen=True, slots=True)
class Related:
    """A phrase that another word or phrase may stand for, and whether it is only a broader term."""

    phrase: Phrase
    broader: bool


class Thesaurus:
    """Reviewed groups of words that mean the same in this domain, looked up by form key."""

    def __init__(self, groups: Iterable[dict[str, Sequence[str]]] = ()) -> None:
        self._groups: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        # form key phrase -> indexes of the groups it is a member of
        self._member_of: dict[Phrase, list[int]] = {}
        # each group's members and broader terms as form keys, read once: a query asks for them
        # word after word, and reading a member is the costliest step of a lookup
        self._keys: list[tuple[tuple[Phrase, ...], tuple[Phrase, ...]]] = []
        self._related: dict[Phrase, list[Related]] = {}
        # one-word members by first letter and length
        self._singles: dict[tuple[str, int], list[str]] | None = None
        # the form keys a phrase of two or more words starts with, and the most words of one each starts
        self._first_words: dict[str, int] = {}
        for group in groups:
            members = [word for field in ("words", *LANGUAGES) for word in group.get(field, ())]
            self._add(tuple(members), tuple(group.get("broader", ())))
        self.openers = self._openers()
        self.closers = self._closers()

    @classmethod
    def load(cls, path: Path = THESAURUS_FILE) -> Thesaurus:
        return cls(thesaurus_groups(path))

    def groups(self) -> list[dict[str, list[str]]]:
        return [{"words": list(w), "broader": list(b)} for w, b in self._groups]

    def with_group(self, words_: Sequence[str], broader: Sequence[str] = ()) -> Thesaurus:
        """A new thesaurus with one more group (this one is unchanged)."""
        if sum(1 for w in words_ if phrase_of(w)) + sum(1 for b in broader if phrase_of(b)) < 2:
            raise ValueError("A synonym group needs at least two words or phrases with letters or digits.")
        return Thesaurus([*self.groups(), {"words": list(words_), "broader": list(broader)}])

    def _add(self, members: tuple[str, ...], broader: tuple[str, ...]) -> None:
        index = len(self._groups)
        self._groups.append((members, broader))
        self._keys.append((tuple(map(phrase_of, members)), tuple(map(phrase_of, broader))))
        for member in members:
            for phrase in member_phrases(member):
                self._member_of.setdefault(phrase, []).append(index)
                if len(phrase) > 1:
                    self._first_words[phrase[0]] = max(len(phrase), self._first_words.get(phrase[0], 0))

    def _openers(self) -> dict[str, int]:
        """Form keys a phrase of two or more words starts with, as they are or through a one-word
        synonym (`suicide UAV` opens `suicide drone`): a word that is none of these starts no phrase.
        Each with the most words a phrase it opens may have: through a synonym two, since only a
        pair of query words is read through synonyms (most open no phrase longer than two words)."""
        found = dict(self._first_words)
        for key in self._with_synonyms(self._first_words):
            found.setdefault(key, 2)
        return found

    def _closers(self) -> frozenset[str]:
        """Form keys that are the second word of a phrase, as they are or through a one-word synonym
        (`suicide UAV` is `suicide drone`): a run of query words whose second is none of these is no
        phrase."""
        return frozenset(self._with_synonyms({p[1] for p in self._member_of if len(p) > 1}))

    def _with_synonyms(self, given: Collection[str]) -> set[str]:
        """``given`` (form keys) and every one-word member of a group with a one-word member among them."""
        groups = {
            i for i, (members, _) in enumerate(self._keys) for m in members if len(m) == 1 and m[0] in given
        }
        found = set(given)
        for phrase, within in self._member_of.items():
            if len(phrase) == 1 and not groups.isdisjoint(within):
                found.add(phrase[0])
        return found

    def related(self, phrase: Phrase) -> list[Related]:
        """The phrases ``phrase`` may stand for: the other members of its groups, then their broader terms."""
        if phrase not in self._member_of:
            return []
        known = self._related.get(phrase)  # at most one entry per member: bounded by the groups
        if known is not None:
            return known
        found: dict[Phrase, bool] = {}
        for index in self._member_of.get(phrase, ()):
            members, broader = self._keys[index]
            for member in members:
                found.setdefault(member, False)
            for term in broader:
                found.setdefault(term, True)
        found.pop(phrase, None)
        known = self._related[phrase] = [Related(p, b) for p, b in found.items() if p]
        return known

    def __contains__(self, phrase: Phrase) -> bool:
        return phrase in self._member_of

    def spelt_like(self, key: str, limit: int) -> list[str]:
        """One-word members within ``limit`` typing errors of form key ``key``, same first letter
        (`atack` -> attack), for a word neither the base nor the thesaurus knows as typed."""
        if self._singles is None:
            self._singles = {}
            for word in sorted({p[0] for p in self._member_of if len(p) == 1 and len(p[0]) > 3}):
                self._singles.setdefault((word[0], len(word)), []).append(word)
        lengths = range(len(key) - limit, len(key) + limit + 1)
        candidates = list(itertools.chain.from_iterable(self._singles.get((key[:1], n), ()) for n in lengths))
        found = process.extract(key, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None)
        found = [f for f in found if typing_slip(key, f[0])]
        return [word for word, _, _ in sorted(found, key=lambda f: (f[1], f[0]))]


# Neighbouring keys on a QWERTY keyboard: a finger that slips hits one of these.
_QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {
    key: {
        other
        for r2, other_row in enumerate(_QWERTY)
        for c2, other in enumerate(other_row)
        if abs(r2 - r) <= 1 and abs(c2 - c) <= 1 and other != key
    }
    for r, row in enumerate(_QWERTY)
    for c, key in enumerate(row)
}


def typing_slip(typed: str, meant: str) -> bool:
    """``typed`` could be ``meant`` mistyped: a letter left out, added or swapped, or a key next to
    the right one. One letter replaced by a far key is another word (`crash` is no `clash`)."""
    if len(typed) != len(meant) or not (typed.isascii() and meant.isascii()):
        return True
    wrong = [(a, b) for a, b in zip(typed, meant, strict=True) if a != b]
    if len(wrong) != 1:
        return True  # a swap of two letters, or more than one slip: the distance decides
    a, b = wrong[0]
    return b in _NEIGHBOURS.get(a, ())


def member_phrases(member: str) -> set[Phrase]:
    """The keys a thesaurus word is found by: its stems, and for one word its variants too.

    A member is written as a reviewer meant it, so its first letters are not a Hebrew prefix
    (משרד is a ministry, not ש+רד; מברק a cable, not מ+ברק, Barak), and a variant shorter than
    three letters is another word (מכרו -> רו, data -> da), not a form of this one."""
    typed = [t for t in typed_words(member) if not _filler(t.word)]
    found = {tuple(stem(t.word) for t in typed)}
    if len(typed) == 1:
        found.update((key,) for key in variants(typed[0].word, typed[0].raw, typed=False) if len(key) >= 3)
    elif len(typed) <= 4:
        # each word of a phrase in its other form too, as a query's words are read
        # (`pilotsuz uçuş aparatı` is found by `pilotsuz uçuş aparatları`, both `aparat`)
        forms = [
            (stem(t.word), *[k for k in variants(t.word, t.raw, typed=False) if len(k) >= 3][:1])
            for t in typed
        ]
        found.update(itertools.product(*forms))
    return {p for p in found if p}


def thesaurus_groups(path: Path = THESAURUS_FILE) -> tuple[dict[str, list[str]], ...]:
    """The groups of a thesaurus file as :meth:`Thesaurus.groups` lists them (each group's words,
    then its words in each of :data:`LANGUAGES`, as one list; its broader terms), not compiled:
    what a compiled copy of them is checked against (``SearchIndex.load``)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        {
            "words": [word for field in ("words", *LANGUAGES) for word in group.get(field, ())],
            "broader": list(group.get("broader", ())),
        }
        for group in document["groups"]
    )


@lru_cache(maxsize=1)
def shipped_groups() -> tuple[dict[str, list[str]], ...]:
    """:func:`thesaurus_groups` of the thesaurus shipped in ``knowledge/search/thesaurus.json``."""
    return thesaurus_groups()


@lru_cache(maxsize=1)
def shipped_thesaurus() -> Thesaurus:
    """The reviewed thesaurus shipped in ``knowledge/search/thesaurus.json``."""
    return Thesaurus(shipped_groups())
