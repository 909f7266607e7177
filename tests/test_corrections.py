"""Corrections reach the answers the bot already posted: retracted, restored, updated, across a restart.

Each test posts public /facts answers in two channels, deletes one, changes the
fact as a moderator would, and reads the posted messages back from the
simulated Discord: the remaining cards are corrected, the deleted one is counted
as gone, and the fact's history says how many.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

import discord
import pytest
from simcord import ChannelHandle, Env, GuildHandle, InteractionResult, MemberActor

from bot import Settings
from handlers.admin_text import history_line
from handlers.corrections import RETRY_SECONDS, Corrections
from handlers.render import BUTTON_LABEL_LIMIT, RETRACTED_TITLE, STATUS_TITLES, choice_name, clip
from knowledge.desk.answers import Correction
from knowledge.errors import WriteFailed
from knowledge.model import Actor, HistoryEntry
from knowledge.store.changes import CORRECTIONS, FactStore
from tests.test_admin import button_labels, shown
from tests.test_lookup import suggest_only

pytestmark = pytest.mark.simcord(strict_sync=False)

KEY = "silk-way-ovda-flights"
QUERY = "silk-way"


def worker(env: Env) -> Corrections:
    # The cog the bot loaded: discord.py loads each extension as a module object of its own.
    cog = env.bot.get_cog("Corrections")
    assert cog is not None
    return cog  # type: ignore[return-value]


@pytest.fixture
def politics(guild: GuildHandle) -> ChannelHandle:
    return guild.create_text_channel("politics")


@pytest.fixture
async def posted(
    channel: ChannelHandle, politics: ChannelHandle, staff: MemberActor, manager: MemberActor
) -> list[InteractionResult]:
    """Three public answers showing KEY, two in one channel and one in another; the second is deleted."""
    answers = [
        await staff.slash(channel, "facts", query=QUERY),
        await staff.slash(channel, "facts", query=QUERY),
        await staff.slash(politics, "facts", query=QUERY),
    ]
    await manager.delete(answers[1].response)
    return answers


def corrections_noted(env: Env) -> list[HistoryEntry]:
    return [e for e in env.bot.knowledge.store.history(KEY) if e.action == CORRECTIONS]


def assert_corrected_count(env: Env, corrected: int, gone: int) -> None:
    [note] = corrections_noted(env)
    version = env.bot.knowledge.store.get(KEY).version
    assert note.extra == {"corrected": corrected, "gone": gone, "version": version}
    assert env.bot.knowledge.answers.pending() == []
    assert env.bot.knowledge.answers.reports_due() == []  # reported, so not counted again


def assert_retracted_card(result: InteractionResult) -> None:
    embed = result.response.embeds[0]
    assert embed.title == RETRACTED_TITLE
    assert embed.description.startswith("**Retracted** ")
    assert {f.name: f.value for f in embed.fields}["Retracted"].endswith("The count was wrong.")
    assert result.response.components == []  # nothing on a retracted fact is to be used


async def test_a_retraction_reaches_the_posted_answers_and_the_history_counts_them(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, posted: list[InteractionResult]
) -> None:
    first, deleted, elsewhere = posted
    start = len(simcord_env.http_requests)

    reply = await manager.slash(channel, "factadmin retract", key=KEY, reason="The count was wrong.")
    await simcord_env.settle()

    assert shown(reply).content.startswith(f"Retracted `{KEY}`.")
    assert_retracted_card(first)
    assert_retracted_card(elsewhere)
    assert deleted.response is None
    assert_corrected_count(simcord_env, corrected=2, gone=1)
    [note] = corrections_noted(simcord_env)
    assert "2 posted answers corrected to show v2; 1 had been deleted" in history_line(note)
    # The moderator's reply went out before the first card was touched: it never waits for them.
    requests = simcord_env.http_requests[start:]
    edits = [i for i, r in enumerate(requests) if r.method == "PATCH" and "/channels/" in r.path]
    replied = [i for i, r in enumerate(requests) if r.method == "POST" and "/webhooks/" in r.path]
    assert len(edits) == 3 and replied and replied[0] < edits[0]


async def test_an_edit_marks_the_posted_answers_updated_with_the_new_claim_and_keeps_their_buttons(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, posted: list[InteractionResult]
) -> None:
    first, _deleted, elsewhere = posted
    buttons = button_labels(first.response)
    form = await manager.slash(channel, "factadmin edit", key=KEY)
    await manager.submit_modal(form, {"claim": "Silk Way flew at least 92 times to Ovda."})
    await simcord_env.settle()

    for card in (first, elsewhere):
        embed = card.response.embeds[0]
        assert embed.title == STATUS_TITLES["verified"]
        assert embed.description.startswith("**Updated** ")
        assert "Silk Way flew at least 92 times to Ovda." in embed.description
        assert embed.footer.text.endswith("version 2")
        assert button_labels(card.response) == buttons
    assert_corrected_count(simcord_env, corrected=2, gone=1)


async def test_a_new_status_reaches_the_posted_answers(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, posted: list[InteractionResult]
) -> None:
    await manager.slash(channel, "factadmin review", key=KEY, status="disputed")
    await simcord_env.settle()
    embed = posted[0].response.embeds[0]
    assert embed.title == STATUS_TITLES["disputed"]
    assert embed.description.startswith("**Updated** ")


async def test_a_restored_fact_gets_its_card_and_cite_button_back(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, posted: list[InteractionResult]
) -> None:
    first = posted[0]
    await manager.slash(channel, "factadmin retract", key=KEY, reason="The count was wrong.")
    await simcord_env.settle()
    await manager.slash(channel, "factadmin restore", key=KEY)
    await simcord_env.settle()

    embed = first.response.embeds[0]
    assert embed.title == STATUS_TITLES["verified"]
    assert embed.description.startswith("**Updated** ")
    assert "Cite" in button_labels(first.response)
    # One note per change that reached the cards: the retraction's (2 + 1 gone), the restoration's (2).
    counts = [(e.extra["corrected"], e.extra["gone"]) for e in corrections_noted(simcord_env)]
    assert counts == [(2, 1), (2, 0)]


async def test_a_change_no_reader_must_learn_about_edits_nothing(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, posted: list[InteractionResult]
) -> None:
    before = posted[0].response.embeds[0].to_dict()
    start = len(simcord_env.http_requests)
    await manager.slash(channel, "factadmin review", key=KEY)  # reviewed today, nothing else changed
    await simcord_env.settle()
    assert not [r for r in simcord_env.http_requests[start:] if r.method == "PATCH"]
    assert posted[0].response.embeds[0].to_dict() == before
    assert corrections_noted(simcord_env) == []


async def test_a_private_answer_is_not_recorded_and_stays_as_it_was(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, manager: MemberActor
) -> None:
    private = await staff.slash(channel, "facts", query=QUERY, private=True)
    assert simcord_env.bot.knowledge.answers.answers() == []

    await manager.slash(channel, "factadmin retract", key=KEY, reason="The count was wrong.")
    await simcord_env.settle()
    assert private.response.embeds[0].title == STATUS_TITLES["verified"]
    assert corrections_noted(simcord_env) == []


async def test_a_suggestion_turned_into_a_public_answer_is_corrected_too_a_private_one_not_recorded(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    manager: MemberActor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    suggest_only(simcord_env.bot.knowledge, monkeypatch, KEY)
    fact = simcord_env.bot.knowledge.store.get(KEY)
    label = clip(choice_name(fact), BUTTON_LABEL_LIMIT)
    asked = await staff.slash(channel, "facts", query="silk road flights")
    await staff.click(asked.response, label=label)
    privately = await staff.slash(channel, "facts", query="silk road flights", private=True)
    await staff.click(privately.response, label=label)
    [answer] = simcord_env.bot.knowledge.answers.answers()  # the public one only
    assert answer.message_id == asked.response.id

    await manager.slash(channel, "factadmin retract", key=KEY, reason="The count was wrong.")
    await simcord_env.settle()
    assert_retracted_card(asked)


async def test_a_card_the_bot_may_no_longer_edit_is_counted_gone_and_logged(
    simcord_env: Env,
    channel: ChannelHandle,
    manager: MemberActor,
    posted: list[InteractionResult],
    caplog: pytest.LogCaptureFixture,
) -> None:
    first, _deleted, elsewhere = posted
    simcord_env.inject_error(
        "PATCH", f"/channels/{elsewhere.response.channel_id}/messages/*", status=403, code=50001
    )
    await manager.slash(channel, "factadmin retract", key=KEY, reason="The count was wrong.")
    await simcord_env.settle()

    assert_retracted_card(first)
    assert elsewhere.response.embeds[0].title == STATUS_TITLES["verified"]
    assert_corrected_count(simcord_env, corrected=1, gone=2)
    assert any("Cannot correct answer" in r.message for r in caplog.records)


async def test_cards_are_edited_one_at_a_time_a_pace_apart(
    simcord_env: Env,
    channel: ChannelHandle,
    manager: MemberActor,
    posted: list[InteractionResult],
    restart: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A sleep in the worker runs on the wall clock under SimCord, so a quarter of the default
    # (1 s: tests/test_bot.py checks it) keeps the test short; the spacing is checked all the same.
    pace = 0.25
    await restart(correction_pace=pace)
    assert worker(simcord_env).pace == pace
    edits: list[float] = []
    edit = discord.PartialMessage.edit

    async def timed(message: discord.PartialMessage, **changes: Any) -> Any:
        edits.append(time.monotonic())  # SimCord's virtual clock: the same in every run
        return await edit(message, **changes)

    monkeypatch.setattr(discord.PartialMessage, "edit", timed)
    await manager.slash(channel, "factadmin retract", key=KEY, reason="The count was wrong.")
    await simcord_env.settle()

    assert len(edits) == 3
    assert all(later - earlier >= pace for earlier, later in itertools.pairwise(edits))


async def test_a_disk_that_refuses_the_log_loses_no_correction_and_it_is_tried_again_later(
    simcord_env: Env,
    channel: ChannelHandle,
    manager: MemberActor,
    posted: list[InteractionResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, _deleted, elsewhere = posted
    answers = simcord_env.bot.knowledge.answers
    refusals: list[int] = []

    def refuse(correction: Correction) -> None:
        refusals.append(correction.answer.message_id)
        raise WriteFailed(str(answers.path), "No space left on device")

    monkeypatch.setattr(answers, "mark_done", refuse)
    await manager.slash(channel, "factadmin retract", key=KEY, reason="The count was wrong.")
    await simcord_env.settle()
    assert sorted(refusals) == sorted([first.response.id, elsewhere.response.id])  # once each, no spin
    assert len(answers.pending()) == 2 and corrections_noted(simcord_env) == []

    monkeypatch.undo()
    await simcord_env.advance_time(RETRY_SECONDS)

    assert_retracted_card(first)
    assert_corrected_count(simcord_env, corrected=2, gone=1)


async def test_a_restart_midway_finishes_the_corrections_on_start(
    simcord_env: Env,
    channel: ChannelHandle,
    manager: MemberActor,
    posted: list[InteractionResult],
    restart: Callable[..., Any],
) -> None:
    first, _deleted, elsewhere = posted
    # Discord refuses every edit for now (an outage): the corrections stay pending.
    simcord_env.inject_error("PATCH", "/channels/*/messages/*", status=400, times=None)
    await manager.slash(channel, "factadmin retract", key=KEY, reason="The count was wrong.")
    await simcord_env.settle()
    assert len(simcord_env.bot.knowledge.answers.pending()) == 3
    assert first.response.embeds[0].title == STATUS_TITLES["verified"]

    simcord_env.backend.faults.clear()
    await restart()
    await simcord_env.settle()

    assert_retracted_card(first)
    assert_retracted_card(elsewhere)
    assert_corrected_count(simcord_env, corrected=2, gone=1)


async def test_a_change_saved_while_no_bot_listened_is_corrected_on_start(
    simcord_env: Env,
    settings: Settings,
    posted: list[InteractionResult],
    restart: Callable[..., Any],
) -> None:
    first, _deleted, elsewhere = posted

    async def retract_from_the_command_line() -> None:
        with FactStore.open(settings.facts_db) as store:
            await store.retract(KEY, "The count was wrong.", Actor("1", "desk"))

    await restart(retract_from_the_command_line)
    await simcord_env.settle()

    assert_retracted_card(first)
    assert_retracted_card(elsewhere)
    assert_corrected_count(simcord_env, corrected=2, gone=1)
