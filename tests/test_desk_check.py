"""Check facts: the message menu that says, claim by claim, what the base holds.

It never judges a claim true or false: each claim gets the matching fact with
its status and sources, the facts that fit equally, or "not in the base".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from discord import app_commands
from simcord import ChannelHandle, Env, GuildHandle, MemberActor

from handlers.checks import OUTSIDE_NEWSROOM
from handlers.render import EMBED_TOTAL, STATUS_TITLES
from handlers.review import CHECK_RATE
from handlers.review_text import claim_answer
from knowledge.desk.claims import MAX_CLAIMS
from knowledge.search.index import Hit, SearchOutcome
from tests.helpers.workflow import SILK_WAY
from tests.test_newsroom_only import elsewhere, elsewhere_channel  # noqa: F401 - fixtures

pytestmark = pytest.mark.simcord(strict_sync=False)

IN_THE_BASE = "Azerbaijan opened an embassy in Tel Aviv."
NEAR_A_FACT = "Israel is a big buyer of Azerbaijani oil."
NOT_IN_THE_BASE = "The mayor of Haifa opened a new bakery downtown yesterday."


async def test_each_claim_of_a_message_gets_what_the_base_holds_privately(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, other_staff: MemberActor
) -> None:
    posted = await other_staff.send(channel, f"{IN_THE_BASE} {NEAR_A_FACT}\n\n{NOT_IN_THE_BASE} ok thanks")
    result = await staff.context_menu(channel, "Check facts", posted)

    assert not simcord_env.bot.intents.message_content  # the menu gets the text without it
    assert result.ephemeral
    [embed] = result.response.embeds
    assert len(embed.fields) == 3  # "ok thanks" is not a claim
    found, near, missing = embed.fields
    assert IN_THE_BASE in found.name
    assert found.value.startswith(
        f"**In the base** · `tel-aviv-embassy-opened` · *{STATUS_TITLES['verified']}*"
    )
    assert "The base says: Azerbaijan opened its embassy in Tel Aviv on 29 March 2023." in found.value
    assert "Sources: " in found.value
    assert NEAR_A_FACT in near.name
    assert near.value.startswith("**Not in the base**")
    assert "Nearest, not a match:" in near.value and "`oil-exports-and-arms-deals-2023-2024`" in near.value
    assert NOT_IN_THE_BASE in missing.name
    assert missing.value == "**Not in the base**: no vetted fact matches this claim."
    assert "does not judge whether a claim is true" in embed.description
    assert posted.jump_url in embed.description


async def test_a_long_message_is_cut_to_the_claim_cap_with_a_note(
    channel: ChannelHandle, staff: MemberActor
) -> None:
    places = ["Haifa", "Eilat", "Baku", "Ganja", "Ovda", "Hadrut", "Shusha", "Lachin", "Tovuz", "Quba"]
    text = " ".join(f"Officials in {place} reported {n} new cargo flights." for n, place in enumerate(places))
    posted = await staff.send(channel, text)
    result = await staff.context_menu(channel, "Check facts", posted)
    [embed] = result.response.embeds
    assert len(embed.fields) == MAX_CLAIMS
    assert f"The message has {len(places) - MAX_CLAIMS} more claim(s)" in embed.description
    assert len(embed) <= EMBED_TOTAL


async def test_a_message_with_nothing_to_check_says_so(channel: ChannelHandle, staff: MemberActor) -> None:
    posted = await staff.send(channel, "ok lol https://example.com/x")
    result = await staff.context_menu(channel, "Check facts", posted)
    assert result.ephemeral
    assert result.response.content.startswith("Nothing to check:")
    assert not result.response.embeds


async def test_check_facts_from_another_server_is_refused(
    simcord_env: Env,
    guild: GuildHandle,
    elsewhere_channel: ChannelHandle,  # noqa: F811
) -> None:
    member = elsewhere_channel.guild.add_member(simcord_env.create_user("outsider"))
    posted = await member.send(elsewhere_channel, IN_THE_BASE)
    result = await member.context_menu(elsewhere_channel, "Check facts", posted)
    assert result.ephemeral
    assert result.response.content == OUTSIDE_NEWSROOM
    assert not result.response.embeds


def outcome(*scores: float, verdict: str = "") -> SearchOutcome:
    """Results with these scores, each a different fact, and the search's verdict on them."""
    hits = tuple(Hit(replace(SILK_WAY, key=f"fact-{n}"), s) for n, s in enumerate(scores, 1))
    return SearchOutcome("q", hits, (), verdict=verdict)


def test_each_claim_gets_the_verdict_the_search_gave_as_facts_does() -> None:
    # Close scores alone decide nothing: the search's verdict does, the same one /facts shows.
    assert claim_answer(SearchOutcome("q", (), ()), 1000).startswith("**Not in the base**")
    assert claim_answer(outcome(90.0, 89.5, verdict="answer"), 1000).startswith("**In the base** · `fact-1`")
    assert claim_answer(outcome(90.0, 60.0, verdict="several"), 1000).startswith("**Several facts fit")


def test_several_facts_that_fit_equally_are_listed_and_none_is_picked() -> None:
    said = claim_answer(outcome(90.0, 90.0, verdict="several"), 1000)
    assert said.startswith("**Several facts fit about equally**; none stands out:")
    assert "`fact-1`" in said and "`fact-2`" in said
    assert "In the base" not in said


async def test_a_broad_claim_lists_the_facts_that_fit_and_picks_none(
    channel: ChannelHandle, staff: MemberActor
) -> None:
    posted = await staff.send(channel, "Israel and Azerbaijan.")  # every fact is about both
    result = await staff.context_menu(channel, "Check facts", posted)
    [field] = result.response.embeds[0].fields
    assert field.value.startswith("**Several facts fit about equally**")
    assert "In the base" not in field.value


async def test_check_facts_is_limited_per_person(
    channel: ChannelHandle,
    staff: MemberActor,
    other_staff: MemberActor,
    handled_errors: Callable[[], list[type[BaseException]]],
) -> None:
    posted = await staff.send(channel, IN_THE_BASE)
    for _ in range(CHECK_RATE):
        assert (await staff.context_menu(channel, "Check facts", posted)).response.embeds
    refused = await staff.context_menu(channel, "Check facts", posted)
    assert refused.ephemeral and refused.response.content.startswith("Slow down a little")
    assert handled_errors() == [app_commands.CommandOnCooldown]
    assert (await other_staff.context_menu(channel, "Check facts", posted)).response.embeds
