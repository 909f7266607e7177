"""The words of the desk's workflow: Check facts' reply, and review items as moderators and reporters
see them.

Pure rendering from :mod:`knowledge` records, so the wording is tested without
Discord; every piece fits Discord's limits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import discord

from handlers.render import (
    EMBED_TOTAL,
    FIELD_VALUE_LIMIT,
    STATUS_TITLES,
    citation_line,
    clip,
    escape,
    message_text,
    quoted_query,
)
from knowledge.desk.claims import Claims
from knowledge.desk.repeats import Repeat
from knowledge.desk.review_queue import ACCEPTED, Flag, Item
from knowledge.model import KEY_RE, Fact
from knowledge.search.index import SearchOutcome
from knowledge.search.textnorm import STOPWORDS, words

SEVERAL_SHOWN = 3
CLAIM_NAME_LIMIT = 200
ORIGIN_LIMIT = 40  # where a claim was read, after its number and text in the field name
ANSWER, SEVERAL, NONE = "answer", "several", "none"
CHECK_NOTE = (
    "What the fact desk's base holds for each claim of {message}. Fact desk does not judge whether a "
    "claim is true: read it against the vetted fact and its sources."
)
ITEM_COLOURS = {
    "open": discord.Colour.blurple(),
    "accepted": discord.Colour.green(),
    "dismissed": discord.Colour.dark_grey(),
}
KEY_WORDS = 5  # a suggested key is made of the claim's first content words


# --- Check facts: the words --------------------------------------------------------


def _fact_brief(fact: Fact, limit: int) -> str:
    return f"{escape(clip(' '.join(fact.claim.split()), limit))} · `{fact.key}`"


def claim_answer(outcome: SearchOutcome, budget: int) -> str:
    """What the base holds for one claim, in at most ``budget`` characters."""
    # The search's verdict, the same three /facts shows (one answer, several, none).
    verdict = outcome.verdict
    if verdict == ANSWER:
        fact = outcome.results[0].fact
        # Says what the base holds and how sure the desk is of it, never that the claim is right.
        head = f"**In the base** · `{fact.key}` · *{STATUS_TITLES[fact.status]}*"
        said = escape(clip(" ".join(fact.claim.split()), max(80, (budget - len(head)) // 2)))
        room = max(60, budget - len(head) - len(said) - 40)
        return clip(f"{head}\nThe base says: {said}\nSources: {citation_line(fact, limit=room)}", budget)
    if verdict == SEVERAL:
        fitting = [hit.fact for hit in outcome.results]
        lines = [f"• {_fact_brief(fact, 150)} *({fact.status})*" for fact in fitting[:SEVERAL_SHOWN]]
        more = len(fitting) - SEVERAL_SHOWN
        if more > 0:
            lines.append(f"• and {more} more")
        text = "**Several facts fit about equally**; none stands out:\n" + "\n".join(lines)
        return clip(text + "\nLook one up with /facts and its key.", budget)
    if outcome.problem:
        return clip(f"**Not looked up**: {outcome.problem}", budget)
    text = "**Not in the base**: no vetted fact matches this claim."
    if outcome.suggestions:
        text += f"\nNearest, not a match: {_fact_brief(outcome.suggestions[0].fact, 150)}"
    return clip(text, budget)


def check_embed(claims: Claims, outcomes: Sequence[SearchOutcome], message: str) -> discord.Embed:
    """The private reply to Check facts: one field per claim, all inside Discord's embed limits.

    ``message``: how to name the checked message (a link to it).
    """
    description = CHECK_NOTE.format(message=message)
    if claims.left_out:
        description += (
            f"\n\nThe message has {claims.left_out} more claim(s); only the first {len(claims.claims)} "
            "are checked here. Check the rest with /facts."
        )
    title = f"Check facts: {len(claims.claims)} claim(s)"
    names = [f"{n}. {quoted_query(claim, CLAIM_NAME_LIMIT)}" for n, claim in enumerate(claims.claims, 1)]
    if claims.origins:  # the message had more than its own text: say where each claim was read
        names = [
            f"{name} · {escape(clip(origin, ORIGIN_LIMIT))}"
            for name, origin in zip(names, claims.origins, strict=True)
        ]
    spare = EMBED_TOTAL - len(title) - len(description) - sum(map(len, names)) - 100
    budget = min(FIELD_VALUE_LIMIT, spare // max(1, len(names)))
    embed = discord.Embed(title=title, description=description, colour=discord.Colour.blurple())
    for name, outcome in zip(names, outcomes, strict=True):
        embed.add_field(name=name, value=claim_answer(outcome, budget), inline=False)
    return embed


# --- the review queue: the words ---------------------------------------------------


def _when(stamp: str | None) -> str:
    return f"{stamp[:16].replace('T', ' ')} UTC" if stamp else "unknown time"


def subject_line(item: Item, limit: int = 150) -> str:
    """What an item is about, in one line: the flagged fact and the problem, or the suggested claim."""
    subject = item.subject
    if isinstance(subject, Flag):
        return f"flag on `{subject.key}`: {quoted_query(subject.problem, limit)}"
    return f"suggestion {quoted_query(subject.claim, limit)}"


def item_line(item: Item) -> str:
    """One open item in /factadmin queue."""
    posted = "" if item.post is None else " · in the review channel"
    return (
        f"**#{item.id}** · {subject_line(item)} — by {escape(item.reporter.name)}, "
        f"{_when(item.created_at)}{posted}"
    )


def outcome_line(item: Item) -> str:
    by = escape(item.resolved_by.name) if item.resolved_by else "someone"
    reason = f": {escape(item.reason)}" if item.reason else ""
    return f"**{item.status.capitalize()}** by {by}, {_when(item.resolved_at)}{reason}"


def repeat_lines(repeats: Sequence[Repeat], who: str) -> str:
    """Facts a proposed claim repeats, one line each; said plainly when ``who`` (the suggestion, the
    reporter) gives another figure or date for the same statement."""
    lines = []
    for repeat in repeats:
        line = f"• {_fact_brief(repeat.fact, 150)}"
        if repeat.differs:
            line += (
                f"\n  **Same statement, another figure or date:** {who} says "
                f"{', '.join(repeat.given)}; the base says {', '.join(repeat.instead)}."
            )
        lines.append(line)
    return clip("\n".join(lines), FIELD_VALUE_LIMIT)


def item_embed(
    item: Item, fact: Fact | None, *, repeats: Sequence[Repeat] = (), notified: bool | None = None
) -> discord.Embed:
    """An item as moderators see it in the review channel; with its outcome once resolved.

    ``fact``: the flagged fact as it is now; ``repeats``: facts already in the
    base that the suggested claim, or the flag's proposed correction, repeats
    (:mod:`knowledge.desk.repeats`); ``notified``: whether the reporter was
    told of the outcome by DM.
    """
    subject = item.subject
    colour = ITEM_COLOURS.get(item.status, discord.Colour.blurple())
    if isinstance(subject, Flag):
        embed = discord.Embed(title=f"Flag #{item.id} · {subject.key}", colour=colour)
        embed.description = f"**What is wrong, says the reporter:**\n{escape(subject.problem)}"
        if fact is not None:
            now = f"version {fact.version}" + (", retracted" if fact.retracted else "")
            embed.add_field(
                name=f"The fact (flagged at version {subject.version}; now {now})",
                value=f"*{fact.status}* · {escape(clip(fact.claim, 900, fact.key))}",
                inline=False,
            )
        if repeats:
            embed.add_field(
                name="What the base holds for the reporter's words",
                value=repeat_lines(repeats, "the reporter"),
                inline=False,
            )
    else:
        embed = discord.Embed(title=f"Suggestion #{item.id}", colour=colour)
        embed.description = f"**Proposed fact:**\n{escape(subject.claim)}"
        source = " — ".join(part for part in (subject.publisher, subject.title) if part)  # both optional
        source = f"{escape(source)}\n{subject.url}" if source else subject.url
        embed.add_field(name="Source", value=clip(source, FIELD_VALUE_LIMIT), inline=False)
        if repeats:
            embed.add_field(
                name="Already in the base? (what /facts finds for this claim)",
                value=repeat_lines(repeats[:SEVERAL_SHOWN], "the suggestion"),
                inline=False,
            )
    reporter = item.reporter
    embed.add_field(
        name="Reported by",
        value=f"<@{reporter.id}> ({escape(reporter.name)}), {_when(item.created_at)}",
        inline=False,
    )
    if not item.is_open:
        told = "" if notified is None else notified_line(notified)
        embed.add_field(name="Outcome", value=clip(f"{outcome_line(item)}\n{told}", 1000), inline=False)
    return embed


def already_answered_text(key: str, found: Sequence[Repeat]) -> str:
    """Accept's question when the base already holds what a suggestion says (``found``, best first)."""
    top = found[0]
    said = f"`{key}` repeats the existing fact `{top.fact.key}`, shown below"
    if top.differs:
        said += (
            f", with another figure or date (it says {', '.join(top.given)}; "
            f"the base says {', '.join(top.instead)}): correct that fact instead if the base is wrong"
        )
    others = [f"`{repeat.fact.key}`" for repeat in found[1:]]
    also = f" Also close: {', '.join(others)}." if others else ""
    return f"{said}.{also} Add it anyway?"


def notified_line(notified: bool) -> str:
    """Whether the reporter learnt the outcome, for the moderators."""
    if notified:
        return "The reporter was told by DM."
    return "Could not DM the reporter (their DMs are closed); tell them another way."


def received_text(item: Item, *, posted: bool) -> str:
    """What the reporter is told when their flag or suggestion is queued."""
    where = (
        "The fact desk has it in its review channel."
        if posted
        else "The fact desk will see it in its review queue (/factadmin queue)."
    )
    return (
        f"Thanks: your {subject_line(item)} is review item #{item.id}. {where} "
        "You will get a DM when a moderator has looked at it (if you accept DMs from this server's members)."
    )


def resolution_text(item: Item) -> str:
    """The DM that tells a reporter what became of their item."""
    by = item.resolved_by.name if item.resolved_by else "a moderator"
    said = f"accepted by {by}" if item.status == ACCEPTED else f"dismissed by {by}"
    why = f" Their note: {escape(item.reason)}" if item.reason else ""
    return message_text(
        f"Fact desk: your {subject_line(item, 100)} (review item #{item.id}) was {said}.{why}"
    )


def suggested_key(claim: str, taken: Callable[[str], bool]) -> str:
    """A key for a suggested fact from its claim's first content words, one not ``taken`` yet."""
    content = [w for w in words(claim) if w not in STOPWORDS and w.isascii() and w.isalnum()]
    base = "-".join(content[:KEY_WORDS])[:56].strip("-")
    if not KEY_RE.match(base):  # nothing usable, or too short to be a key
        base = "suggested-fact"
    key, n = base, 2
    while taken(key):
        key, n = f"{base}-{n}", n + 1
    return key
