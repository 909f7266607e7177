"""The desk's loop at its edges: Check facts reads forwards and embeds, and what it cannot find is a gap.

A person checking a message sees more than its own text: a forward shows the
forwarded text, a link preview or a bot's post shows an embed, the bot's own
card shows the fact. Check facts reads all of it, saying where each claim was
read, and notes the claims the base cannot answer in ``/factadmin gaps``.
"""

from __future__ import annotations

import discord
import pytest
from simcord import ChannelHandle, Env, GuildHandle, MemberActor

from knowledge.desk.claims import OWN_TEXT, split_parts
from knowledge.newsroom import Knowledge
from tests.test_desk_check import IN_THE_BASE, NOT_IN_THE_BASE

pytestmark = pytest.mark.simcord(strict_sync=False)

IN_THE_BASE_KEY = "tel-aviv-embassy-opened"


def fields_of(result: object) -> dict[str, str]:
    [embed] = result.response.embeds  # type: ignore[attr-defined]
    return {field.name: field.value for field in embed.fields}


async def test_a_forwarded_message_is_checked_by_the_text_it_carries(
    guild: GuildHandle, channel: ChannelHandle, staff: MemberActor, other_staff: MemberActor
) -> None:
    politics = guild.create_text_channel("politics")
    original = await other_staff.send(politics, f"{IN_THE_BASE} {NOT_IN_THE_BASE}")
    forward = await staff.forward(original, channel)
    assert forward.content == "" and forward.message_snapshots  # the text is only in the snapshot

    result = await staff.context_menu(channel, "Check facts", forward)

    assert result.ephemeral
    found, missing = fields_of(result).items()
    assert found[0].endswith("· Forwarded message") and IN_THE_BASE in found[0]
    assert found[1].startswith(f"**In the base** · `{IN_THE_BASE_KEY}`")
    assert missing[0].endswith("· Forwarded message") and missing[1].startswith("**Not in the base**")


async def test_the_bots_own_card_is_checked_by_the_fact_it_shows(
    channel: ChannelHandle, staff: MemberActor, other_staff: MemberActor
) -> None:
    card = await other_staff.slash(channel, "facts", query="embassy tel aviv")
    assert card.response.content == "" and card.response.embeds  # the claim is in the embed only

    result = await staff.context_menu(channel, "Check facts", card.response)

    # Its claim, and not its status title or its citations, which are no claims.
    [(name, value)] = fields_of(result).items()
    assert card.response.embeds[0].description.rstrip(".") in name
    assert name.endswith(f"· Embed: {card.response.embeds[0].title}")
    assert value.startswith(f"**In the base** · `{IN_THE_BASE_KEY}`")


async def test_a_link_preview_or_another_bots_embed_is_checked(
    guild: GuildHandle, channel: ChannelHandle, staff: MemberActor
) -> None:
    feed = guild.create_webhook(channel, "News feed")
    preview = discord.Embed(
        title="Baku and Jerusalem deepen ties",
        description=IN_THE_BASE,
        url="https://example.com/ties",
    )
    preview.add_field(name="Also", value=NOT_IN_THE_BASE)
    posted = await feed.send("https://example.com/ties", embed=preview)

    result = await staff.context_menu(channel, "Check facts", posted)

    fields = fields_of(result)
    [found] = [value for name, value in fields.items() if IN_THE_BASE in name]
    assert found.startswith(f"**In the base** · `{IN_THE_BASE_KEY}`")
    assert all(name.endswith("· Embed: Baku and Jerusalem deepen ties") for name in fields)
    [missing] = [value for name, value in fields.items() if NOT_IN_THE_BASE in name]
    assert missing.startswith("**Not in the base**")


async def test_a_message_with_no_text_of_its_own_but_an_embed_is_not_called_empty(
    guild: GuildHandle, channel: ChannelHandle, staff: MemberActor
) -> None:
    feed = guild.create_webhook(channel, "News feed")
    posted = await feed.send(embed=discord.Embed(description=IN_THE_BASE))
    result = await staff.context_menu(channel, "Check facts", posted)
    assert not result.response.content
    [(name, value)] = fields_of(result).items()
    assert name.endswith("· Embed") and value.startswith("**In the base**")


def test_only_a_message_whose_every_part_is_empty_has_no_text() -> None:
    assert (
        split_parts([(OWN_TEXT, ""), ("Embed", "  ")]).problem == "Nothing to check: the message has no text."
    )
    claims = split_parts([(OWN_TEXT, ""), ("Forwarded message", IN_THE_BASE)])
    assert claims.claims == (IN_THE_BASE,) and claims.origins == ("Forwarded message",)


def test_a_sentence_in_two_parts_is_checked_once_where_it_came_first() -> None:
    claims = split_parts([(OWN_TEXT, IN_THE_BASE), ("Embed: Preview", f"{IN_THE_BASE} {NOT_IN_THE_BASE}")])
    assert claims.claims == (IN_THE_BASE, NOT_IN_THE_BASE)
    assert claims.origins == (OWN_TEXT, "Embed: Preview")


def test_a_message_with_only_its_own_text_labels_nothing() -> None:
    assert split_parts([(OWN_TEXT, IN_THE_BASE)]).origins == ()


async def test_claims_check_facts_cannot_find_go_to_gaps_with_the_asker_hashed_like_facts(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    other_staff: MemberActor,
    knowledge: Knowledge,
) -> None:
    await staff.slash(channel, "facts", query=NOT_IN_THE_BASE)
    posted = await other_staff.send(channel, f"{IN_THE_BASE} {NOT_IN_THE_BASE}")
    await staff.context_menu(channel, "Check facts", posted)  # the same person, the same question
    await other_staff.context_menu(channel, "Check facts", posted)  # a second person

    [gap] = knowledge.gaps.ranked()  # the claim the base answers is no gap
    assert gap.query == NOT_IN_THE_BASE
    assert (gap.people, gap.times) == (2, 3)
    assert str(staff.id) not in knowledge.gaps.path.read_text()  # kept as a keyed hash only
