"""/factadmin synonym through SimCord: moderators teach search words that mean the same.

A group is saved in the history (knowledge.desk.synonyms), search reads it at
once and after a restart, and removing it restores what search did before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord
import pytest
from simcord import ChannelHandle, Env, GuildHandle, InteractionResult, MemberActor

from handlers.error_replies import Refusal
from knowledge.desk.synonyms import THESAURUS
from knowledge.errors import DuplicateSynonymGroup, SynonymGroupNotFound
from knowledge.newsroom import Knowledge, search_thesaurus
from knowledge.search.wordforms import phrase_of, shipped_thesaurus
from tests.test_admin import intruder, label  # noqa: F401 - fixture

pytestmark = pytest.mark.simcord(strict_sync=False)

HandledErrors = Callable[[], list[type[BaseException]]]
NEW_NAME = "sandport"  # a name for the Ovda airfield that neither the base nor the shipped thesaurus knows
GROUP = f"{NEW_NAME}, Ovda"
OVDA = "ovda-explosives-airfield"  # what /facts ovda answers


def key_of(result: InteractionResult) -> str | None:
    embeds = result.response.embeds
    if not embeds or not embeds[0].footer.text:
        return None
    return embeds[0].footer.text.split(" · ")[0].removeprefix("key: ")


def reply(result: InteractionResult) -> str:
    """What a deferred command said (its follow-up), or its direct answer."""
    message = result.followups[-1] if result.followups else result.response
    return message.content


async def add(actor: MemberActor, channel: ChannelHandle, words: str, **options: Any) -> InteractionResult:
    return await actor.slash(channel, "factadmin synonym add", words=words, **options)


async def test_a_moderators_group_makes_facts_find_the_fact_by_the_new_word_and_outlives_a_restart(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    manager: MemberActor,
    restart: Callable[..., Any],
) -> None:
    before = await staff.slash(channel, "facts", query=NEW_NAME)
    assert before.response.content.startswith(f"No fact matches “{NEW_NAME}”")

    added = await add(manager, channel, GROUP, reason="what the pilots call it")
    assert added.ephemeral
    assert reply(added).startswith(f"Added the synonym group {NEW_NAME}, ovda.")
    assert key_of(await staff.slash(channel, "facts", query=NEW_NAME)) == OVDA

    await restart()
    assert key_of(await staff.slash(channel, "facts", query=NEW_NAME)) == OVDA
    listed = await manager.slash(channel, "factadmin synonym list")
    [line] = listed.response.embeds[0].description.splitlines()
    assert line.startswith(f"• {NEW_NAME}, ovda — added by {label(manager)}")
    assert "UTC" in line  # and when


async def test_removing_the_group_restores_what_search_did_before_and_the_history_says_who(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, manager: MemberActor
) -> None:
    await add(manager, channel, GROUP, reason="what the pilots call it")
    assert key_of(await staff.slash(channel, "facts", query=NEW_NAME)) == OVDA
    choices = await manager.autocomplete(channel, "factadmin synonym remove", "words", "sand")
    assert [c["value"] for c in choices] == [f"{NEW_NAME}, ovda"]

    removed = await manager.slash(
        channel, "factadmin synonym remove", words=choices[0]["value"], reason="nobody says it"
    )
    assert reply(removed).startswith(f"Removed the synonym group {NEW_NAME}, ovda")
    after = await staff.slash(channel, "facts", query=NEW_NAME)
    assert after.response.content.startswith(f"No fact matches “{NEW_NAME}”")

    history = await manager.slash(channel, "factadmin synonym history")
    removal, addition = history.response.embeds[0].description.splitlines()  # newest first
    who = label(manager)
    assert f"**synonyms removed** by {who}" in removal and "nobody says it" in removal
    assert f"**synonyms added** by {who}" in addition and f"{NEW_NAME}, ovda" in addition
    assert "what the pilots call it" in addition


@pytest.mark.parametrize(
    ("words", "said"),
    [
        ("sandport", "a group has 2 to 12 words, not 1"),
        ("sandport, sand port", "`sand port` must be one word"),
        ("sandport, ovda, Sandport", "`sandport` is already in this group"),
        ("the, how", "search ignores `the`, `how`"),
    ],
)
async def test_a_bad_group_is_refused_clearly_and_changes_nothing(
    simcord_env: Env,
    channel: ChannelHandle,
    manager: MemberActor,
    knowledge: Knowledge,
    handled_errors: HandledErrors,
    words: str,
    said: str,
) -> None:
    thesaurus = knowledge.index.thesaurus
    refused = await add(manager, channel, words)
    assert reply(refused).startswith("Nothing was saved. Please fix:")
    assert said in reply(refused)
    assert handled_errors() == [Refusal]
    assert knowledge.synonyms.groups() == [] and knowledge.store.history(THESAURUS) == []
    assert knowledge.index.thesaurus is thesaurus


async def test_the_same_group_twice_or_removing_one_never_added_is_refused(
    channel: ChannelHandle, manager: MemberActor, knowledge: Knowledge, handled_errors: HandledErrors
) -> None:
    await add(manager, channel, GROUP)
    again = await add(manager, channel, f"ovda, {NEW_NAME}")
    assert "already has the group" in reply(again)
    missing = await manager.slash(channel, "factadmin synonym remove", words="drone, uav")
    assert "groups shipped with the bot cannot be removed here" in reply(missing)
    assert handled_errors() == [DuplicateSynonymGroup, SynonymGroupNotFound]
    assert len(knowledge.store.history(THESAURUS)) == 1


async def test_a_reporter_is_offered_no_group_to_remove(
    channel: ChannelHandle,
    manager: MemberActor,
    intruder: MemberActor,  # noqa: F811
    knowledge: Knowledge,
) -> None:
    # Each synonym command refusing a reporter is in test_admin (test_non_moderator_is_refused_...).
    await add(manager, channel, GROUP)
    assert await manager.autocomplete(channel, "factadmin synonym remove", "words", "")
    assert await intruder.autocomplete(channel, "factadmin synonym remove", "words", "") == []
    assert knowledge.synonyms.groups() == [(NEW_NAME, "ovda")]


async def test_another_servers_moderator_cannot_add_a_group(
    simcord_env: Env, knowledge: Knowledge, guild: GuildHandle
) -> None:
    from tests.test_newsroom_only import ELSEWHERE_ID, refused

    other = simcord_env.create_guild("Someone else's server", id=ELSEWHERE_ID)
    await simcord_env.bot.tree.sync()
    await simcord_env.settle()
    role = other.create_role("Mods", permissions=discord.Permissions(manage_messages=True))
    member = other.add_member(simcord_env.create_user("their.mod"), roles=[role])
    result = await add(member, other.create_text_channel("general"), GROUP)
    assert refused(result)
    assert knowledge.synonyms.groups() == []


def test_a_saved_group_search_cannot_use_is_left_out_and_the_others_still_count() -> None:
    # Saved before search's rule existed, or typed into the history by hand: the bot must still start.
    thesaurus = search_thesaurus([("the", "how"), (NEW_NAME, "ovda")])
    assert phrase_of(NEW_NAME) in thesaurus
    assert len(thesaurus.groups()) == len(shipped_thesaurus().groups()) + 1
