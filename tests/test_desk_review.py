"""Flag and /suggest: from a reporter to the review channel, decided by a moderator, told to the reporter.

The review channel is named in the settings, so each test that uses it starts
the bot again with REVIEW_CHANNEL_ID set (as a newsroom would after adding it
to .env); decisions are taken after a further restart, on buttons and forms
the new bot has never seen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord
import pytest
from simcord import ChannelHandle, Env, GuildHandle, MemberActor
from simcord.enums import InteractionType
from simcord.interactions import base_payload
from simcord.results import InteractionResult

from handlers.checks import OUTSIDE_NEWSROOM, NotModerator
from handlers.review_text import suggested_key
from knowledge.desk.review_queue import MAX_OPEN_PER_PERSON, AlreadyResolved, BeingAccepted, TooManyOpen
from tests.test_admin import text_of
from tests.test_newsroom_only import (  # noqa: F401 - fixtures
    ELSEWHERE_ID,
    elsewhere,
    elsewhere_channel,
    foreign_members,
    press_from,
    refused,
)

pytestmark = pytest.mark.simcord(strict_sync=False)

FLAGGED = "silk-way-ovda-flights"
PROBLEM = "Haaretz now counts 95 flights, not 92."
# A fact the base does not hold (one it holds makes Accept ask first: see test_desk_edges).
CLAIM = "Azerbaijan bought Hermes 900 surveillance drones from Elbit Systems in 2024."
LINK = "https://example.com/barak-mx-2023"


@pytest.fixture
async def review(guild: GuildHandle, restart: Callable[..., Any]) -> ChannelHandle:
    """The review channel, named in REVIEW_CHANNEL_ID."""
    channel = guild.create_text_channel("fact-review")
    await restart(review_channel_id=channel.id)
    return channel


def posted_item(review: ChannelHandle) -> Any:
    """The newest message in the review channel."""
    message = review.last_message
    assert message is not None and message.embeds
    return message


def button_labels(message: Any) -> list[str]:
    """The buttons one can press on a message, as the channel's history shows it."""
    if isinstance(message, discord.Message):
        return [c.label for row in message.components for c in row.children if not c.disabled]
    return [c["label"] for row in message.components for c in row["components"] if not c.get("disabled")]


def dms(member: MemberActor) -> list[str]:
    return [message.content for message in member.user.dm_channel.history()]


def item_values(message: Any) -> str:
    return "\n".join(field.value for field in message.embeds[0].fields)


async def flag(reporter: MemberActor, channel: ChannelHandle, problem: str = PROBLEM) -> Any:
    card = await reporter.slash(channel, "facts", query=FLAGGED)
    form = await reporter.click(card.response, label="Flag")
    assert form.modal is not None and form.modal["title"] == f"Flag {FLAGGED}"
    return await reporter.submit_modal(form, {"problem": problem})


async def suggest(reporter: MemberActor, channel: ChannelHandle, link: str = LINK, **more: str) -> Any:
    return await reporter.slash(channel, "suggest", claim=CLAIM, link=link, **more)


def prefilled(form: Any) -> dict[str, str]:
    """What a form shows in its boxes; Discord sends it back unless the person changes it."""
    return {
        row["components"][0]["custom_id"]: row["components"][0].get("value", "")
        for row in form.modal["components"]
    }


async def test_a_flag_is_seen_in_the_review_channel_and_accepted_after_a_restart(
    simcord_env: Env,
    channel: ChannelHandle,
    review: ChannelHandle,
    staff: MemberActor,
    moderator: MemberActor,
    restart: Callable[..., Any],
) -> None:
    sent = await flag(staff, channel)
    assert sent.ephemeral
    assert "review item #1" in text_of(sent) and "review channel" in text_of(sent)
    message = posted_item(review)
    assert message.embeds[0].title == f"Flag #1 · {FLAGGED}"
    assert PROBLEM in message.embeds[0].description
    assert button_labels(message) == ["Accept", "Dismiss"]

    bot = await restart()
    before = bot.knowledge.store.get(FLAGGED)
    form = await moderator.click(message, label="Accept")
    assert form.modal["title"] == f"Edit {FLAGGED}"
    corrected = before.claim.replace("92", "95")
    saved = await moderator.submit_modal(form, {**prefilled(form), "claim": corrected})

    fact = bot.knowledge.store.get(FLAGGED)
    assert (fact.claim, fact.version) == (corrected, before.version + 1)
    assert (fact.aliases, fact.tags) == (before.aliases, before.tags)
    item = bot.knowledge.queue.get(1)
    assert item.status == "accepted" and item.resolved_by.name == moderator.name
    assert f"version {fact.version}" in item.reason
    assert "Review item #1 is accepted. The reporter was told by DM." in text_of(saved)
    message = posted_item(review)
    assert button_labels(message) == []
    assert f"**Accepted** by {moderator.name}" in item_values(message)
    [dm] = dms(staff)
    assert f"flag on `{FLAGGED}`" in dm and f"accepted by {moderator.name}" in dm


async def test_a_suggestion_is_added_by_accept_after_a_restart(
    channel: ChannelHandle,
    review: ChannelHandle,
    staff: MemberActor,
    moderator: MemberActor,
    restart: Callable[..., Any],
) -> None:
    sent = await suggest(staff, channel, publisher="Haaretz")
    assert "review item #1" in text_of(sent)
    message = posted_item(review)
    assert message.embeds[0].title == "Suggestion #1"
    assert CLAIM in message.embeds[0].description and LINK in item_values(message)

    bot = await restart()
    form = await moderator.click(message, label="Accept")
    shown = prefilled(form)
    assert shown["claim"] == CLAIM and shown["url"] == LINK and shown["publisher"] == "Haaretz"
    assert shown["key"].startswith("azerbaijan-bought-hermes")
    await moderator.submit_modal(form, {**shown, "key": "barak-mx-bought-2023", "title": "Barak MX"})

    fact = bot.knowledge.store.get("barak-mx-bought-2023")
    assert fact.claim == CLAIM and fact.sources[0].url == LINK and fact.added_by.startswith(moderator.name)
    item = bot.knowledge.queue.get(1)
    assert item.status == "accepted" and item.reason == "Added as `barak-mx-bought-2023`."
    assert button_labels(posted_item(review)) == []
    [dm] = dms(staff)
    assert "suggestion" in dm and "accepted" in dm


async def test_a_flag_is_dismissed_with_a_reason_after_a_restart(
    channel: ChannelHandle,
    review: ChannelHandle,
    staff: MemberActor,
    moderator: MemberActor,
    restart: Callable[..., Any],
) -> None:
    await flag(staff, channel)
    bot = await restart()
    form = await moderator.click(posted_item(review), label="Dismiss")
    await moderator.submit_modal(form, {"reason": "The 95 counts a different route."})

    item = bot.knowledge.queue.get(1)
    assert item.status == "dismissed" and item.reason == "The 95 counts a different route."
    assert bot.knowledge.store.get(FLAGGED).version == 1  # nothing changed in the base
    message = posted_item(review)
    assert button_labels(message) == []
    assert f"**Dismissed** by {moderator.name}" in item_values(message)
    assert "The 95 counts a different route." in item_values(message)
    [dm] = dms(staff)
    assert "dismissed" in dm and "The 95 counts a different route." in dm


async def test_forms_opened_before_a_restart_are_finished_after_it(
    channel: ChannelHandle,
    review: ChannelHandle,
    staff: MemberActor,
    other_staff: MemberActor,
    moderator: MemberActor,
    restart: Callable[..., Any],
) -> None:
    card = await staff.slash(channel, "facts", query=FLAGGED)
    flag_form = await staff.click(card.response, label="Flag")
    bot = await restart()
    sent = await staff.submit_modal(flag_form, {"problem": PROBLEM})
    assert "review item #1" in text_of(sent)
    flagged = posted_item(review)
    await suggest(other_staff, channel)
    suggested = posted_item(review)

    dismiss_form = await moderator.click(suggested, label="Dismiss")
    correct_form = await moderator.click(flagged, label="Accept")
    bot = await restart()
    await moderator.submit_modal(dismiss_form, {"reason": "Already in the base."})
    corrected = bot.knowledge.store.get(FLAGGED).claim.replace("92", "95")
    await moderator.submit_modal(correct_form, {**prefilled(correct_form), "claim": corrected})

    assert bot.knowledge.queue.get(2).status == "dismissed"
    assert bot.knowledge.store.get(FLAGGED).claim == corrected
    assert bot.knowledge.queue.get(1).status == "accepted"
    now = {message.id: message for message in review.history()}
    assert button_labels(now[flagged.id]) == button_labels(now[suggested.id]) == []


async def test_a_reporter_whose_dms_are_closed_is_named_in_the_review_message(
    simcord_env: Env,
    channel: ChannelHandle,
    review: ChannelHandle,
    staff: MemberActor,
    moderator: MemberActor,
) -> None:
    await flag(staff, channel)
    form = await moderator.click(posted_item(review), label="Dismiss")
    dm_channel = staff.user.dm_channel.id
    simcord_env.inject_error(
        "POST", f"/channels/{dm_channel}/messages", status=403, code=50007, message="Cannot send messages"
    )
    told = await moderator.submit_modal(form, {"reason": "Not a problem."})
    assert "Could not DM the reporter" in text_of(told)
    assert "Could not DM the reporter (their DMs are closed)" in item_values(posted_item(review))
    assert simcord_env.bot.knowledge.queue.get(1).status == "dismissed"


async def test_a_non_moderator_pressing_accept_or_dismiss_is_refused_and_nothing_changes(
    channel: ChannelHandle,
    review: ChannelHandle,
    staff: MemberActor,
    other_staff: MemberActor,
    handled_errors: Callable[[], list[type[BaseException]]],
    knowledge_now: Callable[[], Any],
) -> None:
    await flag(staff, channel)
    before = knowledge_now()
    for label in ("Accept", "Dismiss"):
        refused = await other_staff.click(posted_item(review), label=label)
        assert refused.modal is None
        assert refused.ephemeral and refused.response.content == str(NotModerator())
    assert handled_errors() == [NotModerator, NotModerator]
    assert knowledge_now() == before
    assert button_labels(posted_item(review)) == ["Accept", "Dismiss"]


@pytest.fixture
def knowledge_now(simcord_env: Env) -> Callable[[], Any]:
    """The queue's items and the base's file, to show that nothing changed."""

    def read() -> Any:
        knowledge = simcord_env.bot.knowledge
        return knowledge.queue.items(), knowledge.store.path.read_bytes()

    return read


def filled(label: str, form: Any, words: str) -> dict[str, str]:
    """What a moderator sends in the form Accept (a correction) or Dismiss (a reason) opened."""
    if label == "Accept":
        return {**prefilled(form), "claim": words}
    return {"reason": words}


@pytest.mark.parametrize(("label", "status"), [("Accept", "accepted"), ("Dismiss", "dismissed")])
async def test_the_second_of_two_moderators_is_told_who_resolved_the_item(
    simcord_env: Env,
    channel: ChannelHandle,
    review: ChannelHandle,
    staff: MemberActor,
    moderator: MemberActor,
    manager: MemberActor,
    handled_errors: Callable[[], list[type[BaseException]]],
    label: str,
    status: str,
) -> None:
    await flag(staff, channel)
    message = posted_item(review)
    first = await moderator.click(message, label=label)
    second = await manager.click(message, label=label)  # both open the form before either sends it
    await moderator.submit_modal(first, filled(label, first, "Silk Way flew 95 times to Ovda."))
    late = await manager.submit_modal(second, filled(label, second, "Silk Way flew 93 times to Ovda."))
    assert f"was already {status} by {moderator.name}" in text_of(late)
    assert handled_errors() == [AlreadyResolved]
    assert simcord_env.bot.knowledge.store.get(FLAGGED).claim != "Silk Way flew 93 times to Ovda."
    assert len(dms(staff)) == 1


def submitted(
    env: Env, member: MemberActor, channel: ChannelHandle, form: Any, values: dict[str, str]
) -> InteractionResult:
    """``form`` sent with ``values`` as Discord delivers a submission, without waiting for the bot's
    answer: SimCord's ``submit_modal`` waits, so two moderators could never send at the same moment."""
    rows = [
        {"type": 1, "components": [{"type": 4, "custom_id": custom_id, "value": value}]}
        for custom_id, value in values.items()
    ]
    interaction, payload = base_payload(
        env.backend,
        type=InteractionType.MODAL_SUBMIT,
        channel_id=channel.id,
        guild_id=member.guild.id,
        user_id=member.id,
        data={"custom_id": form.modal["custom_id"], "components": rows},
    )
    env.backend.emit("INTERACTION_CREATE", payload)
    return InteractionResult(env, interaction)


@pytest.mark.parametrize("label", ["Accept", "Dismiss"])
async def test_while_one_moderator_accepts_a_suggestion_a_second_is_told_who_and_nothing_is_done_twice(
    simcord_env: Env,
    channel: ChannelHandle,
    review: ChannelHandle,
    staff: MemberActor,
    moderator: MemberActor,
    manager: MemberActor,
    handled_errors: Callable[[], list[type[BaseException]]],
    label: str,
) -> None:
    await suggest(staff, channel, publisher="Haaretz")
    message = posted_item(review)
    first = await moderator.click(message, label="Accept")
    second = await manager.click(message, label=label)
    theirs = {**prefilled(second), "key": "barak-mx-second"} if label == "Accept" else {"reason": "Old news."}
    # Both sent before the bot has answered either; the second moderator chose another key.
    done = submitted(simcord_env, moderator, review, first, {**prefilled(first), "key": "barak-mx-first"})
    late = submitted(simcord_env, manager, review, second, theirs)
    await simcord_env.settle()

    assert done.response.content == "Added `barak-mx-first`."
    assert f"{moderator.name} ({moderator.id}) is already accepting review item #1" in text_of(late)
    assert handled_errors() == [BeingAccepted]
    knowledge = simcord_env.bot.knowledge
    assert [f.key for f in knowledge.store.facts() if f.claim == CLAIM] == ["barak-mx-first"]
    item = knowledge.queue.get(1)
    assert item.status == "accepted" and item.resolved_by is not None
    assert item.resolved_by.id == str(moderator.id)
    [dm] = dms(staff)
    assert "accepted" in dm
    assert button_labels(posted_item(review)) == []


async def test_one_reporter_cannot_flood_the_queue(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    handled_errors: Callable[[], list[type[BaseException]]],
) -> None:
    for n in range(MAX_OPEN_PER_PERSON):
        await suggest(staff, channel, link=f"{LINK}/{n}")
    refused = await suggest(staff, channel, link=f"{LINK}/one-too-many")
    assert refused.ephemeral
    assert text_of(refused) == str(TooManyOpen(MAX_OPEN_PER_PERSON))
    assert handled_errors() == [TooManyOpen]
    assert len(simcord_env.bot.knowledge.queue.open_items()) == MAX_OPEN_PER_PERSON


async def test_without_a_review_channel_the_reporter_is_told_of_the_queue(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor
) -> None:
    sent = await suggest(staff, channel)
    assert "/factadmin queue" in text_of(sent)
    assert simcord_env.bot.knowledge.queue.get(1).post is None


async def test_a_link_the_model_refuses_is_named_and_nothing_is_queued(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor
) -> None:
    refused = await suggest(staff, channel, link="ftp://example.com/file")
    assert "`link`: must be an http:// or https:// link" in text_of(refused)
    assert simcord_env.bot.knowledge.queue.items() == []


async def test_factadmin_queue_lists_what_is_open_and_shows_one_item_to_decide(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    other_staff: MemberActor,
    manager: MemberActor,
) -> None:
    await flag(staff, channel)
    await suggest(other_staff, channel)
    listing = await manager.slash(channel, "factadmin queue")
    assert listing.ephemeral
    lines = listing.response.embeds[0].description.splitlines()
    assert listing.response.embeds[0].title == "Review queue: 2 open, oldest first"
    assert lines[1].startswith(f"**#1** · flag on `{FLAGGED}`") and staff.name in lines[1]
    assert lines[2].startswith("**#2** · suggestion “Azerbaijan bought") and other_staff.name in lines[2]

    one = await manager.slash(channel, "factadmin queue", item=2)
    assert one.ephemeral and button_labels(one.response) == ["Accept", "Dismiss"]
    form = await manager.click(one.response, label="Dismiss")
    await manager.submit_modal(form, {"reason": "Not sourced well enough."})
    listing = await manager.slash(channel, "factadmin queue")
    assert listing.response.embeds[0].title == "Review queue: 1 open, oldest first"


async def test_suggest_from_another_server_is_refused_and_queues_nothing(
    simcord_env: Env,
    guild: GuildHandle,
    elsewhere_channel: ChannelHandle,  # noqa: F811
) -> None:
    member = elsewhere_channel.guild.add_member(simcord_env.create_user("outsider"))
    result = await member.slash(elsewhere_channel, "suggest", claim=CLAIM, link=LINK)
    assert result.response.content == OUTSIDE_NEWSROOM
    assert simcord_env.bot.knowledge.queue.items() == []


async def test_flag_accept_dismiss_and_their_forms_from_another_server_are_refused(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    manager: MemberActor,
    elsewhere_channel: ChannelHandle,  # noqa: F811
    foreign_members: list[MemberActor],  # noqa: F811
    knowledge_now: Callable[[], Any],
) -> None:
    card = await staff.slash(channel, "facts", query=FLAGGED)
    await suggest(staff, channel)
    one = await manager.slash(channel, "factadmin queue", item=1)
    before = knowledge_now()
    for message, label in [(card.response, "Flag"), (one.response, "Accept"), (one.response, "Dismiss")]:
        for member in foreign_members:
            result = press_from(simcord_env, member.id, elsewhere_channel.id, ELSEWHERE_ID, message, label)
            await simcord_env.settle()
            assert refused(result), (label, result.response)
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": "reason", "value": "Mine now."}]}]
    for kind in ("dismissform:1:zz", "flagform:ovda-explosives-airfield"):
        interaction, payload = base_payload(
            simcord_env.backend,
            type=InteractionType.MODAL_SUBMIT,
            channel_id=elsewhere_channel.id,
            guild_id=ELSEWHERE_ID,
            user_id=foreign_members[0].id,
            data={"custom_id": f"fd:{kind}:zz", "components": rows},
        )
        simcord_env.backend.emit("INTERACTION_CREATE", payload)
        await simcord_env.settle()
        assert refused(InteractionResult(simcord_env, interaction)), kind
    assert knowledge_now() == before


async def test_an_item_stays_open_when_accepting_it_saved_nothing(
    simcord_env: Env,
    channel: ChannelHandle,
    review: ChannelHandle,
    staff: MemberActor,
    other_staff: MemberActor,
    moderator: MemberActor,
) -> None:
    await flag(staff, channel)
    flagged = posted_item(review)
    await suggest(other_staff, channel)
    suggested = posted_item(review)

    form = await moderator.click(flagged, label="Accept")
    unchanged = await moderator.submit_modal(form, prefilled(form))
    assert text_of(unchanged) == f"No changes; `{FLAGGED}` stays at version 1."

    form = await moderator.click(suggested, label="Accept")
    refused = await moderator.submit_modal(
        form, {**prefilled(form), "key": "Not A Key", "publisher": "Haaretz"}
    )
    assert "`Key`:" in text_of(refused)

    queue = simcord_env.bot.knowledge.queue
    assert [item.status for item in queue.items()] == ["open", "open"]
    now = {message.id: message for message in review.history()}
    assert button_labels(now[flagged.id]) == button_labels(now[suggested.id]) == ["Accept", "Dismiss"]
    assert dms(staff) == dms(other_staff) == []


def test_a_suggested_key_is_made_from_the_claim_and_never_taken() -> None:
    taken = {"azerbaijan-bought-hermes-900-surveillance", "azerbaijan-bought-hermes-900-surveillance-2"}
    assert suggested_key(CLAIM, taken.__contains__) == "azerbaijan-bought-hermes-900-surveillance-3"
    assert suggested_key("The 7 of them", lambda key: False) == "suggested-fact"
    assert suggested_key("Это факт.", lambda key: False) == "suggested-fact"


async def test_a_long_queue_is_paged_for_the_moderator_who_asked(
    simcord_env: Env, guild: GuildHandle, channel: ChannelHandle, manager: MemberActor
) -> None:
    reporters = [guild.add_member(simcord_env.create_user(f"reporter{n}")) for n in range(3)]
    for n in range(12):
        await suggest(reporters[n % 3], channel, link=f"{LINK}/{n}")
    listing = await manager.slash(channel, "factadmin queue")
    first = listing.response.embeds[0]
    assert first.title == "Review queue: 12 open, oldest first"
    assert first.footer.text == "Page 1 of 2"
    await manager.click(listing.response, label="Next")
    second = listing.response.embeds[0]
    assert second.footer.text == "Page 2 of 2"
    shown = (first.description + "\n" + second.description).splitlines()
    assert [line.split(" · ")[0] for line in shown[1:]] == [f"**#{n}**" for n in range(1, 13)]
