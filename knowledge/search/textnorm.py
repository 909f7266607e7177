"""Turning what people type, and what facts say, into comparable words.

Search, autocomplete and duplicate detection all compare text through
:func:`words`, so `Silk-Way`, `silk_way`, `SILK WAY` and `Sílk Wáy` are the
same two words, and Hebrew or Cyrillic letters survive unchanged.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

# Letters NFKD leaves alone but people type without the mark (Azərbaycan).
_FOLD = str.maketrans(
    {"ə": "e", "ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ð": "d"}
)
_APOSTROPHES = "'’ʼ‘`´"
_POSSESSIVE_RE = re.compile(rf"(?<=\w)[{_APOSTROPHES}]s\b")
_APOSTROPHE_RE = re.compile(f"[{_APOSTROPHES}]")
# Letters and digits only: hyphens, underscores and punctuation separate words.
# A decimal figure is one word (`3.5 billion` is not 3 and 5, so `1.6` never matches `1.2`).
_WORD_RE = re.compile(r"\d+(?:\.\d+)+|[^\W_]+")

# Discord markup that names someone or something rather than saying anything:
# user, role and channel mentions, custom emoji, slash-command links, timestamps.
_DISCORD_MARKUP_RE = re.compile(
    r"<(?:@[!&]?\d+|#\d+|a?:\w+:\d+|/[\w -]+:\d+|t:\d+(?::\w)?)>"  # mentions, emoji, commands, times
    r"|@(?:everyone|here)\b"
)

# Words a question is built from; they never decide which fact is meant.
# Control, formatting, line/paragraph separators and lone surrogates: never part
# of a word, and a lone surrogate cannot even be written to a UTF-8 file.
_INVISIBLE = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))

# The analyzer's word lists, per language, as data (knowledge/search/analyzer.json says what each is).
ANALYZER: dict[str, Any] = json.loads(Path(__file__).with_name("analyzer.json").read_text(encoding="utf-8"))
STOPWORDS = frozenset(ANALYZER["stopwords"])


def fold(text: str) -> str:
    """Lower case without accents; other scripts keep their letters."""
    if text.isascii():
        return text.lower()  # most text: skip the per-character work
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold().translate(_FOLD)


# A comma inside a figure: before exactly three digits it groups thousands (523,500), otherwise it
# is a decimal comma, as Russian and Azerbaijani write them (4,85 milyard).
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DECIMAL_COMMA_RE = re.compile(r"(?<=\d),(?=\d)")


def figures(text: str) -> str:
    """``text`` with its figures written one way: `523,500` -> 523500, `4,85` -> 4.85."""
    if "," not in text:
        return text
    return _DECIMAL_COMMA_RE.sub(".", _THOUSANDS_RE.sub("", text))


def words(text: str) -> list[str]:
    """The words of ``text``, folded, with possessives and apostrophes dropped."""
    text = fold(figures(text))
    if _APOSTROPHE_RE.search(text):
        text = _APOSTROPHE_RE.sub("", _POSSESSIVE_RE.sub("", text))
    return _WORD_RE.findall(text)


# What an index build or a duplicate check reads, a fact's text, is mostly plain ASCII, which two
# kinds skip the regex with the same words: text of letters, digits, spaces and hyphens alone
# (nearly every alias, every key), split at the spaces and hyphens; and long text (claims, details)
# without a comma, an apostrophe or a decimal figure, where a word is a run of ASCII letters and
# digits, split by str.translate (twice as fast as the regex from about 25 characters, slower below).
_PLAIN_SPLIT = 25
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


def fact_words(text: str) -> list[str]:
    """:func:`words` of a fact's text (tests compare the two), quicker on plain ASCII: for building
    an index and finding duplicates, over thousands of facts at a time."""
    if text.isascii():
        if text.replace(" ", "").replace("-", "").isalnum():
            return text.replace("-", " ").lower().split()
        if len(text) >= _PLAIN_SPLIT and _plain_ascii(text):
            return text.translate(_ASCII_SEPARATORS).lower().split()
    return words(text)


def _plain_ascii(text: str) -> bool:
    """Whether ASCII ``text`` has no comma, apostrophe or decimal figure (`3.5`)."""
    if "," in text or "'" in text or "`" in text:
        return False
    dot = text.find(".", 1)
    while dot != -1:
        if text[dot - 1].isdigit() and text[dot + 1 : dot + 2].isdigit():
            return False
        dot = text.find(".", dot + 1)
    return True


def is_number(word: str) -> bool:
    """A word of digits, or a decimal figure (`3.5`)."""
    return word.replace(".", "").isdigit()


def normalise(text: str) -> str:
    """``text`` as space-separated folded words: the form phrases are compared in."""
    return " ".join(words(text))


def strip_markup(text: str) -> str:
    """Remove Discord mentions and control or formatting characters."""
    text = _DISCORD_MARKUP_RE.sub(" ", text)
    if text.isprintable():  # no control, format or line-break character (nor a space but " "): most text
        return text
    return "".join(" " if unicodedata.category(ch) in _INVISIBLE else ch for ch in text)
