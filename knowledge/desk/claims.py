"""A message's claims: the sentences "Check facts" looks up one by one.

:func:`split_claims` takes a Discord message's text and returns its sentences
in order, with the chat around them taken away: code blocks, links, mentions,
custom emoji, formatting marks, bullet and quote markers. It only ever removes
text, never adds or reorders it. Fragments with fewer than two content words
("ok", "lol, no") are not claims and are dropped; repeated sentences are
checked once; a long message is cut to :data:`MAX_CLAIMS`, saying how many
were left out.

Splitting is deliberately cautious: a full stop after a known abbreviation
(``U.S.``, ``No. 3``, ``approx.``), an initial (``J. Smith``) or inside a
quotation does not end a sentence, nor does one not followed by a capital
letter or a digit (``3.5 billion``, ``e.g. the``); ``!`` and ``?`` end one
before any word, since chat often skips capitals. A missed split leaves two
sentences in one claim, which search still finds; a wrong split makes two
fragments that find nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.search.textnorm import STOPWORDS, normalise, strip_markup, words

MAX_CLAIMS = 8
MIN_CONTENT_WORDS = 2
# Chat that says nothing checkable; with the search's stopwords, never counted as content.
CHAT_WORDS = frozenset(
    [
        "ok",
        "okay",
        "k",
        "yes",
        "yeah",
        "yep",
        "no",
        "nope",
        "sure",
        "thanks",
        "thank",
        "thx",
        "ty",
        "np",
        "lol",
        "lmao",
        "haha",
        "hi",
        "hello",
        "hey",
        "cool",
        "great",
        "nice",
        "good",
        "agreed",
        "morning",
        "evening",
        "night",
        "yo",
        "btw",
        "fyi",
        "imo",
        "idk",
        "pls",
        "plz",
    ]
)

# Lower-cased, without the final full stop. Titles, units and Latin shorthand that
# newsroom copy puts before a name or a number; "etc." is left out because it
# usually does end a sentence.
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "cpt",
        "sgt",
        "adm",
        "cmdr",
        "gov",
        "sen",
        "rep",
        "st",
        "ft",
        "mt",
        "jr",
        "sr",
        "rev",
        "approx",
        "ca",
        "est",
        "appx",
        "vs",
        "v",
        "cf",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "univ",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "km",
        "mi",
        "kg",
        "lb",
        "lbs",
        "oz",
        "bn",
        "mn",
        "tn",
    ]
)
# Abbreviations only before a number (No. 3, p. 12): "I said no. Then" does end a sentence.
NUMBER_ABBREVIATIONS = frozenset(["no", "nos", "vol", "pp", "p", "fig", "art", "sec", "ch"])

_CODE_BLOCK_RE = re.compile(r"```.*?```", re.DOTALL)  # Discord shows an unclosed one as text
_MASKED_LINK_RE = re.compile(r"\[([^\[\]\n]*)\]\(<?https?://[^\s)>]*>?\)", re.IGNORECASE)
# A link's trailing full stop or bracket belongs to the sentence around it.
_URL_RE = re.compile(r"<?(?<![\w/])https?://[^\s<>]*[^\s<>.,;:!?)\]'\"”’]>?", re.IGNORECASE)
_SPACE_BEFORE_PUNCTUATION_RE = re.compile(r"\s+([.,;:!?…])(?=\s|$)")
_FORMAT_RE = re.compile(r"\*\*|__|~~|\|\||`|\*|(?<!\w)_|_(?!\w)")
_BULLET = r"(?:[-*+•·‣▪◦–—]\s+|\(?\d{1,3}[.)]\s+|\(?[a-z]\)\s+)"  # -, •, 1., 2), a)
_QUOTE_MARK = r"(?:>>>\s?|>\s?|-#\s+|#{1,3}\s+)"  # quote, subtext and heading markers
_LINE_MARKER_RE = re.compile(rf"^\s*{_QUOTE_MARK}?{_BULLET}?")
_BULLET_RE = re.compile(rf"^\s*{_QUOTE_MARK}?{_BULLET}")
# A sentence end: terminal punctuation, closing quotes or brackets, then space.
_END_RE = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\s+)")
_ENDS_SENTENCE_RE = re.compile(r"[.!?…][\"'”’)\]]*$")
_INITIAL_RE = re.compile(r"^(?:[A-Z]|(?:[A-Za-z]\.)+[A-Za-z])$")


@dataclass(frozen=True, slots=True)
class Claims:
    """The claims to check, how many more the message had, or why there is nothing to check."""

    claims: tuple[str, ...]
    left_out: int = 0
    problem: str | None = None
    # Where each claim was read (parallel to ``claims``), when the message had more than its own text.
    origins: tuple[str, ...] = ()


def _clean_line(line: str) -> str:
    line = _LINE_MARKER_RE.sub("", line, count=1)
    line = _MASKED_LINK_RE.sub(r"\1", line)
    line = _URL_RE.sub(" ", line)
    line = _FORMAT_RE.sub("", strip_markup(line))
    # A link taken from before a full stop or comma leaves a space there.
    return _SPACE_BEFORE_PUNCTUATION_RE.sub(r"\1", " ".join(line.split()))


def _paragraphs(text: str) -> list[str]:
    """Lines joined into paragraphs: a line starting in lower case continues the one before,
    unless that one ended a sentence; a bullet, a blank line or any other line starts anew."""
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in _CODE_BLOCK_RE.sub("\n", text).splitlines():
        line = _clean_line(raw)
        continues = (
            current
            and line[:1].islower()
            and not _BULLET_RE.match(raw)
            and not _ENDS_SENTENCE_RE.search(current[-1])
        )
        if current and not continues:
            paragraphs.append(" ".join(current))
            current = []
        if line:
            current.append(line)
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _quoted_spans(paragraph: str) -> list[tuple[int, int]]:
    """Where quotations run, if the paragraph's quotation marks pair up; else none."""
    spans: list[tuple[int, int]] = []
    straight = [i for i, ch in enumerate(paragraph) if ch == '"']
    if len(straight) % 2 == 0:
        spans.extend(zip(straight[::2], straight[1::2], strict=True))
    opening = [i for i, ch in enumerate(paragraph) if ch == "“"]
    closing = [i for i, ch in enumerate(paragraph) if ch == "”"]
    if len(opening) == len(closing) and all(o < c for o, c in zip(opening, closing, strict=True)):
        spans.extend(zip(opening, closing, strict=True))
    return spans


def _is_end(paragraph: str, match: re.Match[str], spans: list[tuple[int, int]]) -> bool:
    after = match.end()
    if after >= len(paragraph):
        return True
    following = paragraph[after]
    starts = (
        following.isdigit() or following in "\"'“‘([" or (following.isalpha() and not following.islower())
    )
    if not starts and (match.group(2) or not any(ch in "!?" for ch in match.group(1))):
        # "e.g. the", "and then... nothing", '"Why?" she asked': no sentence ends before lower case
        # unless at a bare ! or ?.
        return False
    if any(start < match.start() < end for start, end in spans):
        return False  # inside a quotation: its sentences are one claim with who said it
    if match.group(1) == ".":
        token = paragraph[: match.start()].rsplit(None, 1)[-1].lstrip("\"'“‘([") if match.start() else ""
        if token.lower() in ABBREVIATIONS or _INITIAL_RE.match(token):
            return False
        if token.lower() in NUMBER_ABBREVIATIONS and following.isdigit():
            return False
    return True


def _sentences(paragraph: str) -> list[str]:
    spans = _quoted_spans(paragraph)
    sentences = []
    start = 0
    for match in _END_RE.finditer(paragraph):
        if _is_end(paragraph, match, spans):
            sentences.append(paragraph[start : match.start(3)])
            start = match.end()
    sentences.append(paragraph[start:])
    return [s.strip() for s in sentences if s.strip()]


def _is_claim(sentence: str) -> bool:
    content = [word for word in words(sentence) if word not in STOPWORDS and word not in CHAT_WORDS]
    return len(content) >= MIN_CONTENT_WORDS


NO_TEXT = "Nothing to check: the message has no text."
OWN_TEXT = "Message"


def split_claims(text: str, *, limit: int = MAX_CLAIMS) -> Claims:
    """The claims of a message's ``text``, in order; at most ``limit`` of them."""
    return split_parts([(OWN_TEXT, text)], limit=limit)


def split_parts(parts: Sequence[tuple[str, str]], *, limit: int = MAX_CLAIMS) -> Claims:
    """The claims of a message read in ``parts`` (where it was read, its text), in order.

    What a person sees of a message is more than its own text: a forward carries
    the forwarded text, an embed (a link preview, a bot's card) its title,
    description and fields. Each claim keeps the name of its part, unless the
    message's own text is all there is; a sentence seen in two parts is checked
    once, where it came first. Only when every part is empty is there no text.
    """
    texts = [(origin, text) for origin, text in parts if isinstance(text, str) and text.strip()]
    if not texts:
        return Claims((), problem=NO_TEXT)
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for origin, text in texts:
        for paragraph in _paragraphs(text):
            for sentence in _sentences(paragraph):
                key = normalise(sentence)
                if _is_claim(sentence) and key not in seen:
                    seen.add(key)
                    found.append((sentence, origin))
    if not found:
        return Claims(
            (),
            problem="Nothing to check: the message has no sentence to look up, only links, "
            "mentions, emoji or a word or two.",
        )
    kept = found[:limit]
    labelled = any(origin != OWN_TEXT for origin, _ in texts)
    return Claims(
        tuple(claim for claim, _ in kept),
        left_out=max(0, len(found) - limit),
        origins=tuple(origin for _, origin in kept) if labelled else (),
    )
