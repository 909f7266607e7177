"""Words for people that need no Discord: status titles, a source as plain text, and what is safe to echo.

``bot.py ask`` prints facts with these, so they live apart from
:mod:`handlers.render` (which imports discord); render re-exports them.
"""

from __future__ import annotations

import unicodedata

from knowledge.model import Source

STATUS_TITLES = {
    "verified": "Verified fact",
    "attributed": "Attributed — the sources below say so; we have not confirmed it",
    "disputed": "Disputed — sources disagree; read the caveats",
    "unverified": "Unverified — not confirmed; do not publish it as fact",
}

# Format characters (Cf: bidi overrides and isolates, zero-width spaces and joiners, the BOM,
# invisible operators) and control characters (Cc) other than the line break. A single
# U+202E would show the rest of the bot's own line reversed.
_HIDDEN_CATEGORIES = frozenset({"Cf", "Cc"})


def visible(text: str) -> str:
    """``text`` without the characters that are invisible or change how the text around them reads.

    The one function every echo of typed or stored text goes through (via
    :func:`handlers.render.escape` and :func:`handlers.error_replies.tell`), so no
    reply can be made to render reversed or to hide words.
    """
    if text.isascii() and text.isprintable():
        return text  # the usual case, without looking at each character
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in _HIDDEN_CATEGORIES)


def one_line(text: str, limit: int) -> str:
    """Typed text echoed on one line, :func:`visible`, at most ``limit`` characters (cut with "…")."""
    text = visible(" ".join(text.split()))  # a tab or line break is a space here, not dropped
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def source_kind(source: Source) -> str | None:
    """The source's kind where a citation shows it: every kind but the usual secondary report
    (a `mirror` is the publisher's text at another address; a `primary` source is the record itself)."""
    return None if source.kind == "secondary" else source.kind


def source_text(source: Source) -> str:
    """One citation as plain text: publisher — title — date — URL, then its kind unless secondary."""
    parts = [source.publisher, source.title or "(untitled)", source.published or "undated", source.url]
    kind = source_kind(source)
    return " — ".join(parts) + (f" ({kind})" if kind else "")
