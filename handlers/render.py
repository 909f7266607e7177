"""The one place that turns a fact into what Discord shows.

Every command shows a fact through :func:`fact_embed` and cites it through
:func:`citation_line`, so a fact looks the same everywhere and every reply
stays inside Discord's limits, even for the longest fact the model accepts.
When something has to be cut, the cut is marked and names the fact's key.

Stored text is escaped: a claim containing ``**`` or ``[text](link)`` shows as
typed, and a title cannot turn into a disguised link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

# Re-exported: the words that need no Discord live in handlers.text, for `bot.py ask`.
from handlers.text import STATUS_TITLES as STATUS_TITLES
from handlers.text import source_kind, visible
from handlers.text import source_text as source_text
from knowledge.desk.answers import RESTORED, RETRACTED
from knowledge.model import Fact, Source

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
MESSAGE_LIMIT = 2000
EMBED_TOTAL = 6000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT = 25
FOOTER_LIMIT = 2048
BUTTON_LABEL_LIMIT = 80
CHOICE_NAME_LIMIT = 100

STATUS_COLOURS = {
    "verified": discord.Colour.green(),
    "attributed": discord.Colour.gold(),
    "disputed": discord.Colour.orange(),
    "unverified": discord.Colour.light_grey(),
}
RETRACTED_TITLE = "RETRACTED — do not use this fact"

# Below this many characters a shortened text says too little to be worth showing.
_MIN_USEFUL = 80
# Room kept for the "N more sources" field while sources are still being placed.
_MORE_SOURCES_RESERVE = 160
_BRACKET_RE = re.compile(r"([\[\]])")


def escape(text: str) -> str:
    """Stored or typed text shown literally: no markdown, no masked links, no hidden characters."""
    text = visible(text)
    # Brackets are escaped apart from the rest: escape_markdown takes a whole
    # "[text](link)" as one match and leaves what is inside it unescaped.
    return "".join(
        "\\" + piece if piece in ("[", "]") else discord.utils.escape_markdown(piece)
        for piece in _BRACKET_RE.split(text)
    )


def shortened_marker(key: str | None) -> str:
    return f" … (shortened; full text in fact `{key}`)" if key else " …"


def clip(text: str, limit: int, key: str | None = None) -> str:
    """``text`` cut to ``limit`` characters, with a marker naming ``key`` if cut."""
    if len(text) <= limit:
        return text
    marker = shortened_marker(key)
    if limit <= len(marker) + _MIN_USEFUL // 4:
        marker = "…"
    # A trailing backslash would escape the marker's first character.
    return text[: max(0, limit - len(marker))].rstrip().rstrip("\\") + marker


def message_text(text: str) -> str:
    """Any text the bot sends as a message: no hidden characters (it may quote what someone
    typed, like a file name or a key), and never past Discord's limit."""
    return clip(visible(text), MESSAGE_LIMIT)


def _link_target(url: str) -> str:
    # Parentheses would end a markdown link early; percent-encoding keeps the address the same.
    return url.replace("(", "%28").replace(")", "%29")


def _date(iso: str | None) -> str | None:
    return iso[:10] if iso else None


def source_field(index: int, source: Source) -> tuple[str, str]:
    """One citation as an embed field: publisher — linked title — date."""
    name = f"Source {index}" + (f" · {kind}" if (kind := source_kind(source)) else "")
    publisher = clip(escape(source.publisher), 250)
    title = escape(source.title) if source.title else "link"
    date = source.published or "undated"
    target = _link_target(source.url)
    room = FIELD_VALUE_LIMIT - len(f"**{publisher}** — []({target}) — {date}")
    if room >= _MIN_USEFUL // 4:
        return name, f"**{publisher}** — [{clip(title, room)}]({target}) — {date}"
    # An address too long to sit inside a link is shown bare; Discord still makes it clickable.
    return name, f"**{publisher}** — {clip(title, 250)} — {date}\n{source.url}"


def _footer(fact: Fact) -> str:
    reviewed = _date(fact.reviewed_at)
    review = f"last reviewed {reviewed}" if reviewed else "not reviewed yet"
    return f"key: {fact.key} · {review} · version {fact.version}"


def fact_embed(fact: Fact, *, note: str | None = None, mark: str | None = None) -> discord.Embed:
    """The fact as an embed that fits every Discord limit.

    What matters most is placed first: status, claim, caveats, period, the
    citations; then, with the room left, details and quotes. ``note`` (like
    "Match 2 of 5") is shown above the claim, in italics; ``mark`` (a corrected
    card's state, see :func:`corrected_embed`) above everything, as it is. Both
    are markdown, so any typed text in them comes already escaped (by
    :func:`quoted_query` or :func:`escape`).
    """
    key = fact.key
    title = RETRACTED_TITLE if fact.retracted else STATUS_TITLES[fact.status]
    colour = discord.Colour.red() if fact.retracted else STATUS_COLOURS[fact.status]
    footer = _footer(fact)
    description = escape(fact.claim)
    if note:
        description = f"*{clip(note, 300)}*\n\n{description}"
    if mark:
        description = f"{clip(mark, 300)}\n\n{description}"
    room = EMBED_TOTAL - len(title) - len(footer) - len(description)

    fields: list[list[str]] = []
    if fact.retracted:
        by = fact.retracted_by or "unknown"
        why = f"{_date(fact.retracted_at)} by {by}: {fact.retraction_reason or 'no reason given'}"
        fields.append(["Retracted", clip(escape(why), FIELD_VALUE_LIMIT, key)])
    if fact.caveats:
        fields.append(["Caveats", clip(escape(fact.caveats), FIELD_VALUE_LIMIT, key)])
    if fact.period:
        fields.append(["Period", fact.period])
    room -= sum(len(name) + len(value) for name, value in fields)

    source_fields: list[list[str]] = []
    for i, source in enumerate(fact.sources, start=1):
        name, value = source_field(i, source)
        reserve = _MORE_SOURCES_RESERVE if i < len(fact.sources) else 0
        if len(name) + len(value) + reserve > room:
            break
        source_fields.append([name, value])
        room -= len(name) + len(value)
    if hidden := len(fact.sources) - len(source_fields):
        more = [
            "More sources",
            f"{hidden} more source(s) did not fit here; look up `/facts {key}` and press Cite to list them.",
        ]
        source_fields.append(more)
        room -= len(more[0]) + len(more[1])

    if fact.details:
        budget = min(DESCRIPTION_LIMIT - len(description), room) - 2
        if budget >= _MIN_USEFUL:
            details = "\n\n" + clip(escape(fact.details), budget, key)
            description += details
            room -= len(details)

    for field, source in zip(source_fields, fact.sources, strict=False):
        if not source.quote:
            continue
        budget = min(FIELD_VALUE_LIMIT - len(field[1]), room) - 6
        if budget >= _MIN_USEFUL:
            text = "\n>>> “" + clip(escape(source.quote), budget, key) + "”"
            field[1] += text
            room -= len(text)

    embed = discord.Embed(title=title, description=description, colour=colour)
    for name, value in fields + source_fields:
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text=footer)
    return embed


def corrected_embed(fact: Fact, kind: str, *, today: str) -> discord.Embed:
    """A public answer posted earlier, after its fact changed: the fact as it is now, marked as corrected.

    ``kind`` is the correction :mod:`knowledge.desk.answers` planned (retracted,
    restored or updated); ``today`` (YYYY-MM-DD) dates a restoration, which
    leaves no date on the fact. A retracted card says **Retracted** with the
    date and, below the claim, the reason; a restored or changed one says
    **Updated** with the date of the change, and shows the new claim and status.
    The buttons are the caller's: a retracted card loses them.
    """
    if kind == RETRACTED:
        when = _date(fact.retracted_at) or today
        mark = f"**Retracted** {when} — the fact desk withdrew this answer; do not use it."
    else:
        when = (None if kind == RESTORED else _date(fact.updated_at)) or today
        mark = f"**Updated** {when} — the fact desk corrected this answer; it shows the fact as it is now."
    return fact_embed(fact, mark=mark)


def citation_line(fact: Fact, *, limit: int = MESSAGE_LIMIT - 100) -> str:
    """A ready-to-paste citation: every source as publisher — title — date — URL.

    Sources are never cut in the middle (a half URL is worse than none); what
    does not fit is counted and points to the key.
    """
    parts: list[str] = []
    used = 0
    for i, source in enumerate(fact.sources):
        text = escape(source_text(source))
        rest = len(fact.sources) - i - 1
        tail = len(f"; … {rest} more in fact `{fact.key}`") if rest else 0
        if used + len(text) + 2 + tail > limit:
            return "; ".join(parts) + f"; … {len(fact.sources) - i} more in fact `{fact.key}`"
        parts.append(text)
        used += len(text) + 2
    return "; ".join(parts)


def choice_name(fact: Fact) -> str:
    """A fact as one autocomplete choice or button label (plain text, short)."""
    return clip(" ".join(visible(fact.claim).split()), CHOICE_NAME_LIMIT)


def quoted_query(query: str, limit: int = 100) -> str:
    """What someone typed, echoed back safely: shortened, one line, no markdown."""
    return "“" + escape(clip(" ".join(query.split()), limit)) + "”"


def list_pages(
    title: str, lines: Sequence[str], *, per_page: int = 10, colour: discord.Colour | None = None
) -> list[discord.Embed]:
    """Lines spread over as many embeds as needed, each inside Discord's limits.

    Each line is cut to fit; a page holds at most ``per_page`` lines.
    """
    title = clip(title, TITLE_LIMIT)
    budget = min(DESCRIPTION_LIMIT, EMBED_TOTAL - len(title) - 40)
    pages: list[list[str]] = [[]]
    used = 0
    for raw in lines:
        line = clip(raw, 1000)
        if pages[-1] and (len(pages[-1]) >= per_page or used + len(line) + 1 > budget):
            pages.append([])
            used = 0
        pages[-1].append(line)
        used += len(line) + 1
    embeds = []
    for number, page in enumerate(pages, start=1):
        embed = discord.Embed(title=title, description="\n".join(page) or "Nothing to show.", colour=colour)
        if len(pages) > 1:
            embed.set_footer(text=f"Page {number} of {len(pages)}")
        embeds.append(embed)
    return embeds
