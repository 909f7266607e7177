"""Corrections reach every public answer posted with a fact: lists of several and suggestions too.

A public "several facts fit" list and the suggestion buttons under "No fact
matches" are rendered again from the base when one of their facts is
retracted, restored or re-worded, at the same pace as cards, after a restart
too; a deleted one is counted gone. The search's outcome is pinned, so these
tests are about corrections, not ranking.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from simcord import ChannelHandle, Env, InteractionResult, MemberActor

from handlers.corrections import RETRY_SECONDS
from handlers.render import BUTTON_LABEL_LIMIT, choice_name, clip
from knowledge.model import HistoryEntry
from knowledge.newsroom import Knowledge
from knowledge.search.index import Hit, SearchOutcome
from knowledge.store.changes import CORRECTIONS
from tests.test_admin import button_labels
from tests.test_corrections import worker

pytestmark = pytest.mark.simcord(strict_sync=False)

LISTED = ("silk-way-ovda-flights", "ovda-explosives-airfield", "tel-aviv-embassy-opened")
RETRACTED_KEY = LISTED[0]


@pytest.fixture(autouse=True)
def no_pause(simcord_env: Env) -> None:
    worker(simcord_env).pace = 0.0  # as in test_corrections: the pace is tested there


def pin(knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch, verdict: str, *keys: str) -> None:
    """Every search comes back with these facts: fitting about equally ("several") or only as
    suggestions ("none")."""

    def search(query: str, *, limit: int = 5) -> SearchOutcome:
        hits = tuple(Hit(knowledge.store.get(key), 40.0) for key in keys)
        if verdict == "several":
            return SearchOutcome(query, hits, (), verdict="several")
        return SearchOutcome(query, (), hits)

    monkeypatch.setattr(knowledge.index, "search", search)


def label(knowledge: Knowledge, key: str) -> str:
    """The fact's button, as PickButton labels it."""
    return clip(choice_name(knowledge.store.get(key)), BUTTON_LABEL_LIMIT)


def lines(result: InteractionResult) -> list[str]:
    return [line for line in result.response.embeds[0].description.splitlines() if line.startswith("• ")]


def corrections_noted(knowledge: Knowledge, key: str) -> list[HistoryEntry]:
    return [e for e in knowledge.store.history(key) if e.action == CORRECTIONS]


async def retract(env: Env, channel: ChannelHandle, manager: MemberActor, key: str = RETRACTED_KEY) -> None:
    await manager.slash(channel, "factadmin retract", key=key, reason="The count was wrong.")
    await env.settle()


async def test_a_retraction_reaches_a_public_list_of_several(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    manager: MemberActor,
    knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pin(knowledge, monkeypatch, "several", *LISTED)
    listing = await staff.slash(channel, "facts", query="ovda")
    labels = [label(knowledge, key) for key in LISTED]
    assert button_labels(listing.response) == labels

    await retract(simcord_env, channel, manager)

    embed = listing.response.embeds[0]
    assert embed.description.startswith("**Updated** ")
    retracted_line, *others = lines(listing)
    assert "**Retracted**" in retracted_line and f"`{RETRACTED_KEY}`" in retracted_line
    assert all("**Retracted**" not in line for line in others) and len(others) == 2
    assert button_labels(listing.response) == labels[1:]  # its button is gone, the others stay
    [note] = corrections_noted(knowledge, RETRACTED_KEY)
    assert note.extra["corrected"] == 1

    # The corrected list still works for the asker: a pick turns it into that fact's card.
    picked = await staff.click(listing.response, label=labels[1])
    assert picked.response.id == listing.response.id
    assert listing.response.embeds[0].footer.text.startswith(f"key: {LISTED[1]}")


async def test_a_retraction_reaches_the_suggestions_under_no_match(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    manager: MemberActor,
    knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pin(knowledge, monkeypatch, "none", *LISTED[:2])
    reply = await staff.slash(channel, "facts", query="how many flights")
    assert reply.response.content.startswith("No fact matches")
    kept = label(knowledge, LISTED[1])

    await retract(simcord_env, channel, manager)
    assert button_labels(reply.response) == [kept]
    assert "Did you mean one of these?" in reply.response.content
    assert "**Updated** " in reply.response.content

    await retract(simcord_env, channel, manager, LISTED[1])
    assert button_labels(reply.response) == []
    assert "The facts suggested here have been retracted since." in reply.response.content


async def test_a_reworded_fact_shows_its_new_claim_in_the_list_and_on_its_button(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    manager: MemberActor,
    knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pin(knowledge, monkeypatch, "several", *LISTED)
    listing = await staff.slash(channel, "facts", query="ovda")
    form = await manager.slash(channel, "factadmin edit", key=RETRACTED_KEY)
    await manager.submit_modal(form, {"claim": "Silk Way flew at least 92 times to Ovda."})
    await simcord_env.settle()
    assert "Silk Way flew at least 92 times to Ovda." in lines(listing)[0]
    assert button_labels(listing.response)[0] == "Silk Way flew at least 92 times to Ovda."


async def test_lists_posted_before_a_restart_are_corrected_after_it_and_a_deleted_one_is_gone(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    manager: MemberActor,
    monkeypatch: pytest.MonkeyPatch,
    restart: Callable[..., Any],
) -> None:
    knowledge = simcord_env.bot.knowledge
    pin(knowledge, monkeypatch, "several", *LISTED)
    listing = await staff.slash(channel, "facts", query="ovda")
    deleted = await staff.slash(channel, "facts", query="ovda")
    await manager.delete(deleted.response)
    pin(knowledge, monkeypatch, "none", *LISTED[:2])
    reply = await staff.slash(channel, "facts", query="how many flights")
    monkeypatch.undo()

    await restart()  # a new bot process over the same database and answer log
    worker(simcord_env).pace = 0.0
    await retract(simcord_env, channel, manager)

    assert "**Retracted**" in lines(listing)[0]
    assert button_labels(reply.response) == [label(simcord_env.bot.knowledge, LISTED[1])]
    [note] = corrections_noted(simcord_env.bot.knowledge, RETRACTED_KEY)
    assert (note.extra["corrected"], note.extra["gone"]) == (2, 1)


async def test_a_restart_midway_finishes_correcting_a_list(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    manager: MemberActor,
    monkeypatch: pytest.MonkeyPatch,
    restart: Callable[..., Any],
) -> None:
    pin(simcord_env.bot.knowledge, monkeypatch, "several", *LISTED)
    listing = await staff.slash(channel, "facts", query="ovda")
    monkeypatch.undo()
    simcord_env.inject_error("PATCH", "/channels/*/messages/*", status=400, times=None)  # an outage
    await retract(simcord_env, channel, manager)
    assert "**Retracted**" not in lines(listing)[0]
    assert len(simcord_env.bot.knowledge.answers.pending()) == 1

    simcord_env.backend.faults.clear()
    await restart()
    worker(simcord_env).pace = 0.0
    await simcord_env.settle()
    assert "**Retracted**" in lines(listing)[0]
    assert simcord_env.bot.knowledge.answers.pending() == []


async def test_a_restored_fact_gets_its_line_and_button_back(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    manager: MemberActor,
    knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pin(knowledge, monkeypatch, "several", *LISTED)
    listing = await staff.slash(channel, "facts", query="ovda")
    await retract(simcord_env, channel, manager)
    await manager.slash(channel, "factadmin restore", key=RETRACTED_KEY, reason="Checked again.")
    await simcord_env.settle()
    assert all("**Retracted**" not in line for line in lines(listing))
    assert button_labels(listing.response) == [label(knowledge, key) for key in LISTED]


async def test_a_private_list_is_not_recorded(
    channel: ChannelHandle, staff: MemberActor, knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin(knowledge, monkeypatch, "several", *LISTED)
    await staff.slash(channel, "facts", query="ovda", private=True)
    pin(knowledge, monkeypatch, "none", *LISTED)
    await staff.slash(channel, "facts", query="ovda", private=True)
    assert knowledge.answers.answers() == []


async def test_a_list_its_asker_turned_into_a_card_is_not_rebuilt_as_a_list(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    manager: MemberActor,
    knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pin(knowledge, monkeypatch, "several", *LISTED)
    listing = await staff.slash(channel, "facts", query="ovda")
    simcord_env.inject_error("PATCH", "/channels/*/messages/*", status=400, times=None)  # an outage
    await retract(simcord_env, channel, manager)
    assert len(knowledge.answers.pending()) == 1

    await staff.click(listing.response, label=label(knowledge, LISTED[1]))  # now that fact's card
    simcord_env.backend.faults.clear()
    await simcord_env.advance_time(RETRY_SECONDS)

    assert knowledge.answers.pending() == []
    assert listing.response.embeds[0].footer.text.startswith(f"key: {LISTED[1]}")
    assert button_labels(listing.response) == ["More matches", "Cite", "Flag"]


@pytest.mark.parametrize("form", ["several", "none"])
async def test_a_corrected_list_still_logs_a_pick_for_gaps_after_a_restart(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    manager: MemberActor,
    monkeypatch: pytest.MonkeyPatch,
    restart: Callable[..., Any],
    form: str,
) -> None:
    # The buttons a correction rebuilds are the ones /facts posted: a press is still a pick that
    # /factadmin gaps shows for the question, not a plain pick the query log never hears of.
    pin(simcord_env.bot.knowledge, monkeypatch, form, *LISTED)
    listed = await staff.slash(channel, "facts", query="which flights carried what")
    monkeypatch.undo()
    await restart()  # the answer log read back: the ask's id comes with it
    worker(simcord_env).pace = 0.0
    await retract(simcord_env, channel, manager)

    knowledge = simcord_env.bot.knowledge
    await manager.click(listed.response, label=label(knowledge, LISTED[1]))
    [pick] = knowledge.gaps.picks_for("which flights carried what")
    assert (pick.key, pick.people) == (LISTED[1], 1)
