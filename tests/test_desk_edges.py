"""The desk's loop at its edges: Check facts reads forwards and embeds, what it cannot find is a gap,
and a suggestion or a flag is matched against the base by meaning.

A person checking a message sees more than its own text: a forward shows the
forwarded text, a link preview or a bot's post shows an embed, the bot's own
card shows the fact. Check facts reads all of it, saying where each claim was
read, and notes the claims the base cannot answer in ``/factadmin gaps``. A
suggestion that restates a fact, in other words or with another figure, shows
that fact in the review channel, and Accept asks before adding it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord
import pytest
from simcord import ChannelHandle, Env, GuildHandle, MemberActor

from handlers.confirm import RESTARTED
from knowledge.desk.claims import OWN_TEXT, split_parts
from knowledge.desk.repeats import compare, figures
from knowledge.model import Fact
from knowledge.newsroom import Knowledge
from tests.helpers.workflow import SILK_WAY
from tests.test_admin import shown
from tests.test_desk_check import IN_THE_BASE, NOT_IN_THE_BASE
from tests.test_desk_review import button_labels, posted_item, prefilled, review  # noqa: F401 - fixture

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


# --- /suggest and Flag: what the base already holds -------------------------------

SILK_WAY_KEY = "silk-way-ovda-flights"
# The Silk Way fact in a reporter's own words, and the same statement with its figure changed (92 -> 95).
REWORDED = (
    "Azerbaijani airline Silk Way has flown Il-76 freighters into the Ovda airbase in Israel "
    "more than ninety times since 2016."
)
CHANGED_FIGURE = (
    "Since 2016, at least 95 Ilyushin Il-76 cargo flights operated by Azerbaijan's Silk Way Airlines "
    "have landed at Israel's Ovda air base."
)


def already_in_the_base(message: Any) -> str:
    [value] = [f.value for f in message.embeds[0].fields if f.name.startswith("Already in the base?")]
    return value


async def test_a_reworded_suggestion_shows_the_fact_it_repeats_in_the_review_channel(
    channel: ChannelHandle,
    review: ChannelHandle,  # noqa: F811
    staff: MemberActor,
) -> None:
    await staff.slash(channel, "suggest", claim=REWORDED, link="https://example.com/silk")
    listed = already_in_the_base(posted_item(review))
    assert f"`{SILK_WAY_KEY}`" in listed
    assert "another figure or date" not in listed  # "more than ninety" says nothing against 92


async def test_a_changed_figure_suggestion_says_plainly_which_figure_differs(
    channel: ChannelHandle,
    review: ChannelHandle,  # noqa: F811
    staff: MemberActor,
) -> None:
    await staff.slash(channel, "suggest", claim=CHANGED_FIGURE, link="https://example.com/silk")
    first, *_ = already_in_the_base(posted_item(review)).split("\n• ")
    assert f"`{SILK_WAY_KEY}`" in first
    assert "**Same statement, another figure or date:** the suggestion says 95; the base says 92." in first


async def test_a_flags_proposed_correction_is_compared_with_the_base(
    channel: ChannelHandle,
    review: ChannelHandle,  # noqa: F811
    staff: MemberActor,
) -> None:
    card = await staff.slash(channel, "facts", query=SILK_WAY_KEY)
    form = await staff.click(card.response, label="Flag")
    await staff.submit_modal(form, {"problem": CHANGED_FIGURE})
    fields = {f.name: f.value for f in posted_item(review).embeds[0].fields}
    held = fields["What the base holds for the reporter's words"]
    assert f"`{SILK_WAY_KEY}`" in held and "the reporter says 95; the base says 92." in held


async def suggested_and_accepted(
    channel: ChannelHandle,
    review: ChannelHandle,  # noqa: F811
    staff: MemberActor,
    moderator: MemberActor,
) -> Any:
    """A suggestion the base already answers, accepted and its add form sent as prefilled."""
    await staff.slash(
        channel, "suggest", claim=CHANGED_FIGURE, link="https://example.com/silk", publisher="Haaretz"
    )
    form = await moderator.click(posted_item(review), label="Accept")
    return await moderator.submit_modal(form, {**prefilled(form), "key": "silk-way-95"})


async def test_accept_asks_before_adding_a_fact_the_base_already_answers(
    channel: ChannelHandle,
    review: ChannelHandle,  # noqa: F811
    staff: MemberActor,
    moderator: MemberActor,
    knowledge: Knowledge,
) -> None:
    asked = await suggested_and_accepted(channel, review, staff, moderator)
    prompt = shown(asked)
    assert f"`silk-way-95` repeats the existing fact `{SILK_WAY_KEY}`" in prompt.content
    assert "it says 95; the base says 92" in prompt.content and "Add it anyway?" in prompt.content
    assert prompt.embeds[0].footer.text.startswith(f"key: {SILK_WAY_KEY}")
    assert button_labels(prompt) == ["Confirm", "Cancel"]
    assert not knowledge.store.key_taken("silk-way-95") and knowledge.queue.get(1).is_open

    await moderator.click(prompt, label="Confirm")

    assert shown(asked).content == "Added `silk-way-95`."
    assert knowledge.store.get("silk-way-95").claim == CHANGED_FIGURE
    assert knowledge.queue.get(1).status == "accepted"
    assert button_labels(posted_item(review)) == []


async def test_accept_cancelled_adds_nothing_and_leaves_the_item_open(
    channel: ChannelHandle,
    review: ChannelHandle,  # noqa: F811
    staff: MemberActor,
    moderator: MemberActor,
    knowledge: Knowledge,
) -> None:
    asked = await suggested_and_accepted(channel, review, staff, moderator)
    await moderator.click(shown(asked), label="Cancel")
    assert "`silk-way-95` was not added; review item #1 is still open." in shown(asked).content
    assert not knowledge.store.key_taken("silk-way-95") and knowledge.queue.get(1).is_open
    assert button_labels(posted_item(review)) == ["Accept", "Dismiss"]


def test_figures_are_compared_years_with_years_and_names_are_no_figures() -> None:
    fact = Fact(
        key="k", claim="Since 2016, at least 92 Il-76 flights landed at Ovda.", sources=SILK_WAY.sources
    )
    assert figures(fact.claim) == ("2016", "92")
    assert compare("Since 2016, 95 flights landed at Ovda.", fact).given == ("95",)
    assert compare("Since 2017, 92 flights landed at Ovda.", fact).instead == ("2016",)
    assert not compare("Silk Way flew 95 times to Ovda, not 92.", fact).differs  # says 92 too
    assert not compare("Dozens of flights landed at Ovda.", fact).differs  # gives no figure


async def test_accept_confirmed_after_a_restart_adds_nothing_and_says_to_accept_again(
    channel: ChannelHandle,
    review: ChannelHandle,  # noqa: F811
    staff: MemberActor,
    moderator: MemberActor,
    restart: Callable[..., Any],
) -> None:
    asked = await suggested_and_accepted(channel, review, staff, moderator)
    bot = await restart()
    await moderator.click(shown(asked), label="Confirm")
    assert shown(asked).content == RESTARTED["accept"]
    assert not bot.knowledge.store.key_taken("silk-way-95") and bot.knowledge.queue.get(1).is_open


async def test_a_forwarded_card_is_checked_by_its_claim_only(
    guild: GuildHandle, channel: ChannelHandle, staff: MemberActor, other_staff: MemberActor
) -> None:
    politics = guild.create_text_channel("politics")
    card = await other_staff.slash(politics, "facts", query="embassy tel aviv")
    forward = await staff.forward(card.response, channel)
    result = await staff.context_menu(channel, "Check facts", forward)
    [(name, value)] = fields_of(result).items()  # not its status title, nor its citations
    assert name.endswith(f"· Forwarded embed: {card.response.embeds[0].title}")
    assert value.startswith(f"**In the base** · `{IN_THE_BASE_KEY}`")
