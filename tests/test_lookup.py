"""Staff commands through SimCord: /facts with its buttons and autocomplete, /timeline, /sources."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
from simcord import ChannelHandle, Env, GuildHandle, InteractionResult, MemberActor

from handlers import lookup
from handlers.error_replies import Refusal
from handlers.render import citation_line
from handlers.views import VIEW_TIMEOUT
from knowledge.model import MAX_CLAIM, MAX_DETAILS, MAX_QUOTE, MAX_SOURCES, Actor
from knowledge.newsroom import Knowledge
from knowledge.search import narrowing
from knowledge.search.index import Hit, SearchOutcome
from tests.test_render import as_discord_shows

HandledErrors = Callable[[], list[type[BaseException]]]
DESK = Actor("1", "desk")


def footer_key(result: InteractionResult) -> str:
    return result.response.embeds[0].footer.text.split(" · ")[0].removeprefix("key: ")


def labels(result: InteractionResult) -> list[str]:
    return [c["label"] for row in result.response.components for c in row["components"]]


def all_disabled(components: list[dict[str, Any]]) -> bool:
    return all(c.get("disabled") for row in components for c in row["components"])


def suggest_only(knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch, *keys: str) -> None:
    """Make every search come back with no confident result, only these suggestions.

    The ranking itself is the search module's business (and tested there);
    this pins the outcome so the Discord flow is tested on its own.
    """

    def search(query: str, *, limit: int = 5) -> SearchOutcome:
        hits = tuple(Hit(knowledge.store.get(key), 40.0) for key in keys)
        return SearchOutcome(query=query, results=(), suggestions=hits)

    monkeypatch.setattr(knowledge.index, "search", search)


# --- /facts -------------------------------------------------------------------


async def test_facts_answers_in_the_channel_with_the_fact_and_its_sources(
    channel: ChannelHandle, staff: MemberActor
) -> None:
    result = await staff.slash(channel, "facts", query="silk-way")
    assert not result.ephemeral
    embed = result.response.embeds[0]
    assert "Silk Way Airlines" in embed.description
    assert footer_key(result) == "silk-way-ovda-flights"
    assert any("defenddemocracy.press" in field.value for field in embed.fields)
    assert labels(result) == ["More matches", "Cite", "Flag"]


async def test_a_broad_word_lists_the_facts_that_fit_and_none_is_the_answer(
    channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge
) -> None:
    broad = await staff.slash(channel, "facts", query="israel")
    [embed] = broad.response.embeds
    assert "facts fit “israel” about equally" in embed.title
    assert "None of them is *the* answer" in embed.description
    assert "add a word to narrow it down" in embed.description
    listed = [line for line in embed.description.splitlines() if line.startswith("• ")]
    assert len(listed) >= 2 and len(labels(broad)) == len(listed)
    assert all("*(" in line and "`" in line for line in listed)  # status and key for each
    assert "Cite" not in labels(broad) and "Flag" not in labels(broad)  # no fact is shown as the answer
    [listing] = knowledge.answers.answers()  # recorded, so a correction reaches its lines and buttons
    assert listing.form == "several" and len(listing.keys) == len(listed)

    opened = await staff.click(broad.response, label=labels(broad)[0])
    assert opened.response.id == broad.response.id  # the asker's listing became the picked fact's card
    assert labels(broad) == ["More matches", "Cite", "Flag"]
    [card] = knowledge.answers.answers()
    assert card.key == footer_key(broad) and f"`{card.key}`" in listed[0]


async def test_one_fact_that_answers_is_shown_as_the_answer(
    channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge
) -> None:
    exact = await staff.slash(channel, "facts", query="uvda")
    assert footer_key(exact) == "ovda-explosives-airfield"
    assert labels(exact) == ["More matches", "Cite", "Flag"]
    assert [answer.key for answer in knowledge.answers.answers()] == ["ovda-explosives-airfield"]


async def test_a_listing_suggests_a_topic_some_of_the_facts_have_and_the_query_lacks(
    knowledge: Knowledge,
) -> None:
    facts = [knowledge.store.get(key) for key in ("btc-pipeline-oil-share", "arms-for-oil-and-iran-access")]
    hint = narrowing("oil", facts)
    assert "oil" not in hint  # both have it: it narrows nothing
    assert set(hint) <= {"pipeline", "arms sales", "iran"} and hint


async def test_facts_private_answers_only_the_caller(channel: ChannelHandle, staff: MemberActor) -> None:
    result = await staff.slash(channel, "facts", query="silk-way", private=True)
    assert result.ephemeral
    assert footer_key(result) == "silk-way-ovda-flights"


async def test_picking_an_autocomplete_choice_or_typing_the_text_gives_the_same_fact(
    channel: ChannelHandle, staff: MemberActor
) -> None:
    choices = await staff.autocomplete(channel, "facts", "query", "silk-way")
    picked = await staff.slash(channel, "facts", query=choices[0]["value"])
    typed = await staff.slash(channel, "facts", query="silk-way")
    assert footer_key(picked) == footer_key(typed) == "silk-way-ovda-flights"


async def test_autocomplete_offers_at_most_25_choices_of_at_most_100_characters(
    channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge
) -> None:
    for i in range(40):
        await knowledge.store.add(
            {
                "key": f"drone-delivery-{i}",
                "claim": f"Drone delivery number {i} " + "with a very long description " * 10,
                "sources": [{"publisher": "Example", "url": f"https://example.com/{i}"}],
            },
            DESK,
        )
    choices = await staff.autocomplete(channel, "facts", "query", "drone delivery")
    assert len(choices) == 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)


async def test_more_matches_pages_through_the_other_results_privately(
    channel: ChannelHandle, staff: MemberActor, other_staff: MemberActor
) -> None:
    answer = await staff.slash(channel, "facts", query="ovda")
    more = await other_staff.click(answer.response, label="More matches")
    assert more.ephemeral
    first = more.response.embeds[0].description
    assert first.startswith("*Match 2 of ")
    await other_staff.click(more.response, label="Next")
    assert more.response.embeds[0].description.startswith("*Match 3 of ")
    assert footer_key(answer) == "ovda-explosives-airfield"  # the shared answer did not change


async def test_more_matches_repeats_a_query_with_markdown_characters_as_typed(
    channel: ChannelHandle, staff: MemberActor
) -> None:
    answer = await staff.slash(channel, "facts", query="ovda_flights [x]")
    more = await staff.click(answer.response, label="More matches")
    note = more.response.embeds[0].description.split("\n\n")[0]
    assert "for “ovda_flights [x]”" in as_discord_shows(note)[0]


async def test_cite_gives_the_clicker_a_private_citation_line(
    channel: ChannelHandle, staff: MemberActor, other_staff: MemberActor, knowledge: Knowledge
) -> None:
    answer = await staff.slash(channel, "facts", query="silk-way")
    cited = await other_staff.click(answer.response, label="Cite")
    assert cited.ephemeral
    assert cited.response.content == citation_line(knowledge.store.get("silk-way-ovda-flights"))
    assert cited.response.flags.suppress_embeds


async def test_no_confident_match_says_so_and_offers_suggestion_buttons(
    channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    suggest_only(knowledge, monkeypatch, "sipri-share-2016-2020", "lora-missiles-delivered")
    result = await staff.slash(channel, "facts", query="sipri 2099")
    assert result.response.content.startswith("No fact matches “sipri 2099”.")
    assert result.response.embeds == []
    assert len(labels(result)) == 2

    opened = await staff.click(result.response, label=labels(result)[0])
    assert opened.response.id == result.response.id  # the asker's message became the fact
    assert footer_key(result) == "sipri-share-2016-2020"
    assert result.response.content == ""
    assert labels(result) == ["More matches", "Cite", "Flag"]


async def test_suggestion_pressed_by_someone_else_opens_privately_and_leaves_the_message(
    channel: ChannelHandle,
    staff: MemberActor,
    other_staff: MemberActor,
    knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    suggest_only(knowledge, monkeypatch, "sipri-share-2016-2020")
    result = await staff.slash(channel, "facts", query="sipri 2099")
    opened = await other_staff.click(result.response, label=labels(result)[0])
    assert opened.ephemeral
    assert footer_key(opened) == "sipri-share-2016-2020"
    assert result.response.content.startswith("No fact matches")


async def test_nothing_close_says_so_and_the_query_is_noted_for_the_desk(
    channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge
) -> None:
    result = await staff.slash(channel, "facts", query="weather in paris")
    assert result.response.content.startswith("No fact matches “weather in paris”.")
    assert "noted for the fact desk" in result.response.content
    assert result.response.components == []
    assert [gap.query for gap in knowledge.gaps.ranked()] == ["weather in paris"]


async def test_a_query_with_nothing_to_search_for_is_answered_privately(
    channel: ChannelHandle, staff: MemberActor
) -> None:
    result = await staff.slash(channel, "facts", query="@everyone")
    assert result.ephemeral
    assert result.response.content.startswith("Nothing to search for")


async def test_mentions_in_a_query_are_echoed_without_pinging_anyone(
    simcord_env: Env, guild: GuildHandle, channel: ChannelHandle, staff: MemberActor
) -> None:
    role = guild.create_role("Night shift", mentionable=True)
    query = f"@everyone zzqx <@&{role.id}> {staff.mention}"
    result = await staff.slash(channel, "facts", query=query)
    assert f"<@&{role.id}>" in result.response.content
    assert "@everyone" in result.response.content
    stored = simcord_env.backend.get_message(channel.id, result.response.id)
    assert not stored.mention_everyone
    assert stored.ping_role_ids == []
    assert stored.ping_user_ids == []


async def test_mentions_stored_in_a_fact_never_ping_when_cited(
    simcord_env: Env, guild: GuildHandle, channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge
) -> None:
    role = guild.create_role("Editors", mentionable=True)
    await knowledge.store.add(
        {
            "key": "mention-test",
            "claim": f"@everyone look <@&{role.id}>",
            "sources": [{"publisher": f"@here <@&{role.id}>", "url": "https://example.com/m"}],
        },
        DESK,
    )
    answer = await staff.slash(channel, "facts", query="mention-test")
    cited = await staff.click(answer.response, label="Cite")
    assert "@here" in cited.response.content
    stored = simcord_env.backend.get_message(channel.id, cited.response.id)
    assert not stored.mention_everyone
    assert stored.ping_role_ids == []


async def test_longest_valid_fact_is_shown_within_discord_limits(
    channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge
) -> None:
    source = {
        "publisher": "P" * 200,
        "title": "T" * 200,
        "url": "https://example.com/" + "a" * 480,
        "published": "2020-01-01",
        "quote": "q" * MAX_QUOTE,
    }
    await knowledge.store.add(
        {
            "key": "longest-fact",
            "claim": "c" * MAX_CLAIM,
            "details": "d" * MAX_DETAILS,
            "caveats": "v" * 1000,
            # Ten different pages of the longest link length: one page may be cited only once.
            "sources": [source | {"url": source["url"][:-1] + str(i)} for i in range(MAX_SOURCES)],
        },
        DESK,
    )
    # SimCord applies Discord's own validation: an oversized embed would fail here.
    answer = await staff.slash(channel, "facts", query="longest-fact")
    assert footer_key(answer) == "longest-fact"
    assert "full text in fact `longest-fact`" in answer.response.embeds[0].description
    cited = await staff.click(answer.response, label="Cite")
    assert len(cited.response.content) <= 2000


async def test_retracted_fact_is_never_shown_to_staff(
    channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge
) -> None:
    await knowledge.store.retract("silk-way-ovda-flights", "Figure under review", DESK)
    result = await staff.slash(channel, "facts", query="silk-way-ovda-flights")
    # Whatever it shows (another card, a listing, suggestions), the retracted fact is in none of it.
    shown = str([embed.to_dict() for embed in result.response.embeds])
    assert "`silk-way-ovda-flights`" not in shown and "key: silk-way-ovda-flights " not in shown
    assert ":silk-way-ovda-flights:" not in str(result.response.components)  # no button opens it
    choices = await staff.autocomplete(channel, "facts", "query", "silk way ovda flights")
    assert "silk-way-ovda-flights" not in [c["value"] for c in choices]


async def test_cite_after_the_fact_was_retracted_refuses(
    channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge, handled_errors: HandledErrors
) -> None:
    answer = await staff.slash(channel, "facts", query="silk-way")
    await knowledge.store.retract("silk-way-ovda-flights", "Wrong figure", DESK)
    cited = await staff.click(answer.response, label="Cite")
    assert cited.ephemeral
    assert "retracted" in cited.response.content
    assert handled_errors() == [Refusal]


async def test_facts_cooldown_refuses_politely_then_lets_the_user_in_again(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    other_staff: MemberActor,
    handled_errors: HandledErrors,
) -> None:
    for _ in range(lookup.FACTS_RATE):
        await staff.slash(channel, "facts", query="ovda")
    refused = await staff.slash(channel, "facts", query="ovda")
    assert refused.ephemeral
    assert refused.response.content.startswith("Slow down a little")
    assert handled_errors() == [lookup.app_commands.CommandOnCooldown]

    other = await other_staff.slash(channel, "facts", query="ovda")  # the limit is per user
    assert not other.ephemeral

    await simcord_env.advance_time(lookup.FACTS_PER + 1)  # discord.py's cooldown: a window, then a fresh one
    again = await staff.slash(channel, "facts", query="ovda")
    assert footer_key(again) == "ovda-explosives-airfield"


async def test_answer_buttons_keep_working_long_after_the_answer(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge
) -> None:
    # They used to go grey after VIEW_TIMEOUT; their state is now in the button, so they need not.
    answer = await staff.slash(channel, "facts", query="ovda")
    await simcord_env.advance_time(VIEW_TIMEOUT * 10)
    assert not all_disabled(answer.response.components)
    cited = await staff.click(answer.response, label="Cite")
    assert cited.response.content == citation_line(knowledge.store.get("ovda-explosives-airfield"))


async def test_unexpected_failure_in_a_button_gets_an_apology_not_a_traceback(
    channel: ChannelHandle, staff: MemberActor, monkeypatch: pytest.MonkeyPatch, handled_errors: HandledErrors
) -> None:
    answer = await staff.slash(channel, "facts", query="silk-way")

    def broken(fact: Any) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(sys.modules["handlers.parts"], "citation_line", broken)  # Cite's module
    cited = await staff.click(answer.response, label="Cite")
    assert cited.ephemeral
    assert cited.response.content.startswith("Sorry, something went wrong")
    assert handled_errors() == [RuntimeError]


# --- /timeline ------------------------------------------------------------------


async def test_timeline_lists_dated_facts_oldest_first_in_pages(
    channel: ChannelHandle, staff: MemberActor
) -> None:
    result = await staff.slash(channel, "timeline")
    first = result.response.embeds[0]
    assert first.title.startswith("Timeline (")
    assert first.footer.text.startswith("Page 1 of ")
    years = [line.split("**")[1] for line in first.description.splitlines()]
    assert years == sorted(years)
    await staff.click(result.response, label="Next")
    assert result.response.embeds[0].footer.text.startswith("Page 2 of ")


async def test_timeline_page_buttons_belong_to_whoever_asked(
    channel: ChannelHandle, staff: MemberActor, other_staff: MemberActor
) -> None:
    result = await staff.slash(channel, "timeline")
    refused = await other_staff.click(result.response, label="Next")
    assert refused.ephemeral
    assert "Only the person who ran this command" in refused.response.content
    assert result.response.embeds[0].footer.text.startswith("Page 1 of ")


async def test_timeline_by_years_and_topic(channel: ChannelHandle, staff: MemberActor) -> None:
    result = await staff.slash(channel, "timeline", from_year=2016, to_year=2016, topic="drones")
    embed = result.response.embeds[0]
    assert "2016" in embed.title and "drones" in embed.title
    assert "harop-drone-bus-strike-2016" in embed.description
    assert "hajiyev-israeli-drones-2020" not in embed.description
    assert result.response.components == []  # one page: no buttons


async def test_timeline_topic_without_a_word_is_refused_not_ignored(
    channel: ChannelHandle, staff: MemberActor, handled_errors: HandledErrors
) -> None:
    result = await staff.slash(channel, "timeline", topic="*** — ***")
    assert result.ephemeral
    assert result.response.embeds == []
    assert "has no word to look for" in result.response.content
    assert handled_errors() == [Refusal]  # raised to the tree's one error handler


async def test_timeline_with_nothing_in_range_says_so(
    channel: ChannelHandle, staff: MemberActor, handled_errors: HandledErrors
) -> None:
    result = await staff.slash(channel, "timeline", from_year=1800, to_year=1801)
    assert result.ephemeral
    assert result.response.content == "No dated facts 1800–1801."
    assert handled_errors() == [Refusal]


async def test_timeline_backwards_range_explains_the_fix(
    channel: ChannelHandle, staff: MemberActor, handled_errors: HandledErrors
) -> None:
    result = await staff.slash(channel, "timeline", from_year=2020, to_year=2016)
    assert result.ephemeral
    assert "use from_year 2016 and to_year 2020" in result.response.content
    assert len(handled_errors()) == 1


# --- /sources -------------------------------------------------------------------


async def test_sources_lists_publications_with_their_fact_counts(
    channel: ChannelHandle, staff: MemberActor
) -> None:
    result = await staff.slash(channel, "sources")
    embed = result.response.embeds[0]
    assert embed.title.startswith("Publications cited (")
    assert embed.description.splitlines()[0].startswith("**Haaretz** — ")


async def test_sources_for_one_publisher_lists_the_facts_citing_it(
    channel: ChannelHandle, staff: MemberActor
) -> None:
    choices = await staff.autocomplete(channel, "sources", "publisher", "haar")
    assert [c["value"] for c in choices] == ["Haaretz"]
    result = await staff.slash(channel, "sources", publisher="haaretz", private=True)
    assert result.ephemeral
    assert result.response.embeds[0].title.startswith("Facts citing Haaretz (")
    assert "`silk-way-ovda-flights`" in result.response.embeds[0].description


async def test_sources_finds_a_publication_with_a_name_too_long_for_a_choice_when_picked(
    channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge
) -> None:
    name = "The Gazette of Record" + " and Miscellaneous Affairs" * 6
    await knowledge.store.add(
        {
            "key": "long-publisher-name",
            "claim": "A claim from an outlet with a long name.",
            "sources": [{"publisher": name, "url": "https://gazette.example/1"}],
        },
        DESK,
    )
    [choice] = await staff.autocomplete(channel, "sources", "publisher", "gazette of record")
    result = await staff.slash(channel, "sources", publisher=choice["value"])
    assert result.response.embeds[0].title.startswith("Facts citing The Gazette of Record")
    assert "`long-publisher-name`" in result.response.embeds[0].description


async def test_sources_shows_a_publication_name_with_markdown_characters_as_stored(
    channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge
) -> None:
    await knowledge.store.add(
        {
            "key": "markdown-publisher",
            "claim": "A claim from an outlet with asterisks in its name.",
            "sources": [{"publisher": "**Night** _Desk_ Wire", "url": "https://wire.example/1"}],
        },
        DESK,
    )
    result = await staff.slash(channel, "sources", publisher="Night Desk Wire")
    shown, markup = as_discord_shows(result.response.embeds[0].title)
    assert shown.startswith("Facts citing **Night** _Desk_ Wire (")
    assert markup == set()


async def test_a_publication_cited_once_is_counted_as_one_fact(
    channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge
) -> None:
    await knowledge.store.add(
        {
            "key": "single-citation",
            "claim": "A claim from an outlet cited once.",
            "sources": [{"publisher": "Once Weekly", "url": "https://weekly.example/1"}],
        },
        DESK,
    )
    result = await staff.slash(channel, "sources", publisher="Once Weekly")
    assert result.response.embeds[0].title == "Facts citing Once Weekly (1 fact)"


async def test_sources_for_an_unknown_publisher_says_so(
    channel: ChannelHandle, staff: MemberActor, handled_errors: HandledErrors
) -> None:
    result = await staff.slash(channel, "sources", publisher="Daily Nowhere")
    assert result.ephemeral
    assert result.response.content.startswith("No fact cites “Daily Nowhere”.")
    assert handled_errors() == [Refusal]


async def test_a_very_long_timeline_is_cut_with_a_note_to_narrow_it(
    channel: ChannelHandle, staff: MemberActor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # load_extension executes the cog module afresh; patch the copy the bot runs, and the shared count.
    monkeypatch.setattr(sys.modules["handlers.lookup"], "MAX_LISTED", 3)
    monkeypatch.setattr(sys.modules["handlers.parts"], "MAX_LISTED", 3)
    result = await staff.slash(channel, "timeline")
    embed = result.response.embeds[0]
    assert "first 3 of " in embed.title and "narrow it down" in embed.title
    assert len(embed.description.splitlines()) == 3


async def test_sources_sees_a_publication_added_after_it_was_first_listed(
    channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge
) -> None:
    await staff.slash(channel, "sources")
    await knowledge.store.add(
        {
            "key": "new-publication",
            "claim": "A claim from a new outlet.",
            "sources": [{"publisher": "Brand New Gazette", "url": "https://gazette.example/1"}],
        },
        DESK,
    )
    choices = await staff.autocomplete(channel, "sources", "publisher", "gazette")
    assert [c["value"] for c in choices] == ["Brand New Gazette"]
