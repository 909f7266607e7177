"""After a restart (a new bot object on the same database), every old button and form is answered.

Each test posts something with the first bot, restarts, and presses or
submits it with the second, which has never seen it: buttons carry their
state in their custom_id, the edit form its fact and version, and what cannot
survive a restart (a change waiting for Confirm) says so plainly. No press may
go unanswered, which is what Discord shows as "This interaction failed".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import discord
import pytest
from simcord import ChannelHandle, Env, GuildHandle, MemberActor
from simcord.enums import InteractionType

from handlers.buttons import OUTDATED
from handlers.render import citation_line
from tests.helpers.store_facts import record
from tests.test_admin import add, add_options, button_labels, shown, store_of, text_of
from tests.test_admin_forged import deliver, press
from tests.test_lookup import footer_key, suggest_only

pytestmark = pytest.mark.simcord(strict_sync=False)

LONG_QUERY = "ovda " + "airfield " * 14  # too long to ride in a button with its key


async def test_cite_works_after_a_restart(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, restart: Callable[[], Any]
) -> None:
    answer = await staff.slash(channel, "facts", query="silk-way")
    bot = await restart()
    cited = await staff.click(answer.response, label="Cite")
    assert cited.ephemeral
    assert cited.response.content == citation_line(bot.knowledge.store.get("silk-way-ovda-flights"))


async def test_more_matches_and_its_pages_work_after_a_restart(
    channel: ChannelHandle, staff: MemberActor, restart: Callable[[], Any]
) -> None:
    answer = await staff.slash(channel, "facts", query="ovda")
    before = await staff.click(answer.response, label="More matches")
    await restart()
    more = await staff.click(answer.response, label="More matches")
    assert more.ephemeral
    assert more.response.embeds[0].description == before.response.embeds[0].description
    await staff.click(before.response, label="Next")  # a page opened before the restart turns too
    assert before.response.embeds[0].description.startswith("*Match 3 of ")


async def test_more_matches_of_a_query_too_long_for_its_button_says_to_run_it_again(
    channel: ChannelHandle, staff: MemberActor, restart: Callable[[], Any]
) -> None:
    answer = await staff.slash(channel, "facts", query=LONG_QUERY)
    assert "More matches" in button_labels(answer.response)
    worked = await staff.click(answer.response, label="More matches")
    assert worked.response.embeds  # before the restart the state is in memory
    await restart()
    more = await staff.click(answer.response, label="More matches")
    [said] = more.followups
    assert said.ephemeral
    assert said.content == "These matches are from before the bot restarted; run /facts again to see them."
    assert button_labels(answer.response) == ["Cite", "Flag"]  # More matches greyed out, the rest work


async def test_a_suggestion_opens_its_fact_after_a_restart(
    channel: ChannelHandle, staff: MemberActor, restart: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await restart()  # patch the bot that will answer the question too
    suggest_only(bot.knowledge, monkeypatch, "sipri-share-2016-2020", "lora-missiles-delivered")
    result = await staff.slash(channel, "facts", query="sipri 2099")
    bot = await restart()
    suggest_only(bot.knowledge, monkeypatch, "sipri-share-2016-2020", "lora-missiles-delivered")
    suggestion = result.response.components[0]["components"][0]["label"]
    await staff.click(result.response, label=suggestion)
    assert footer_key(result) == "sipri-share-2016-2020"
    assert button_labels(result.response) == ["More matches", "Cite", "Flag"]


@pytest.mark.parametrize(("command", "options"), [("timeline", {}), ("sources", {})])
async def test_listing_pages_turn_after_a_restart_for_their_owner_only(
    channel: ChannelHandle,
    staff: MemberActor,
    other_staff: MemberActor,
    restart: Callable[[], Any],
    command: str,
    options: dict[str, Any],
) -> None:
    listing = await staff.slash(channel, command, **options)
    assert listing.response.embeds[0].footer.text.startswith("Page 1 of ")
    await restart()
    refused = await other_staff.click(listing.response, label="Next")
    assert "Only the person who ran this command" in refused.response.content
    await staff.click(listing.response, label="Next")
    assert listing.response.embeds[0].footer.text.startswith("Page 2 of ")


async def test_history_pages_turn_after_a_restart(
    channel: ChannelHandle, manager: MemberActor, restart: Callable[[], Any]
) -> None:
    await add(manager, channel, "test-busy")
    for n in range(6):
        await manager.slash(channel, "factadmin retract", key="test-busy", reason=f"Note {n}.")
        await manager.slash(channel, "factadmin restore", key="test-busy")
    pages = await manager.slash(channel, "factadmin history", key="test-busy")
    await restart()
    await manager.click(pages.response, label="Next")
    assert pages.response.embeds[0].footer.text.startswith("Page 2 of ")


async def test_an_edit_form_submitted_after_a_restart_is_saved_against_its_version(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, restart: Callable[[], Any]
) -> None:
    await add(manager, channel, "test-edited")
    form = await manager.slash(channel, "factadmin edit", key="test-edited")
    await restart()
    saved = await manager.submit_modal(form, {"claim": "Corrected after the restart."})
    assert text_of(saved) == "Saved `test-edited` (now version 2)."
    fact = store_of(simcord_env).get("test-edited")
    assert (fact.claim, fact.version) == ("Corrected after the restart.", 2)


async def test_an_edit_form_made_stale_across_a_restart_is_refused(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, restart: Callable[[], Any]
) -> None:
    await add(manager, channel, "test-edited")
    form = await manager.slash(channel, "factadmin edit", key="test-edited")
    await restart()
    other_form = await manager.slash(channel, "factadmin edit", key="test-edited")
    await manager.submit_modal(other_form, {"claim": "The newer correction."})
    refused = await manager.submit_modal(form, {"claim": "The older correction."})
    assert "you opened version 1, it is now version 2" in text_of(refused)
    assert store_of(simcord_env).get("test-edited").claim == "The newer correction."


async def test_someone_elses_edit_form_after_a_restart_is_refused(
    simcord_env: Env,
    guild: GuildHandle,
    channel: ChannelHandle,
    manager: MemberActor,
    moderator: MemberActor,
    restart: Callable[[], Any],
) -> None:
    await add(manager, channel, "test-edited")
    form = await manager.slash(channel, "factadmin edit", key="test-edited")
    await restart()
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": "claim", "value": "Hijacked."}]}]
    forged = deliver(
        simcord_env,
        moderator,
        channel,
        InteractionType.MODAL_SUBMIT,
        {"custom_id": form.modal["custom_id"], "components": rows},
    )
    await simcord_env.settle()
    assert forged.response.content.startswith("Only the moderator who opened this form")
    assert store_of(simcord_env).get("test-edited").version == 1


async def test_an_import_confirmed_after_a_restart_applies_nothing_and_says_how_to_redo_it(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, restart: Callable[[], Any]
) -> None:
    document = [record("test-imported")]
    asked = await manager.slash(
        channel, "factadmin import", file=("facts.json", json.dumps(document).encode())
    )
    prompt = shown(asked)
    assert "Apply this import?" in prompt.content
    before = store_of(simcord_env).path.read_bytes()
    await restart()
    await manager.click(prompt, label="Confirm")
    assert shown(asked).content.startswith(
        "The bot restarted before this was confirmed, so nothing was imported"
    )
    assert "Run /factadmin import again" in shown(asked).content
    assert shown(asked).components == []
    assert store_of(simcord_env).path.read_bytes() == before


async def test_an_add_anyway_after_a_restart_adds_nothing_and_says_how_to_redo_it(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, restart: Callable[[], Any]
) -> None:
    await add(manager, channel, "test-original")
    asked = await manager.slash(
        channel, "factadmin add", **add_options("test-copy", claim=record("test-original")["claim"])
    )
    await restart()
    await manager.click(asked.response, label="Confirm")
    assert "nothing was added" in asked.response.content
    assert asked.response.components == []
    assert "test-copy" not in {f.key for f in store_of(simcord_env).facts()}


async def test_a_button_from_an_older_version_is_answered_not_left_to_fail(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, restart: Callable[[], Any]
) -> None:
    # What an answer looked like before: a plain view, its custom_id random.
    old_view = discord.ui.View(timeout=None)
    old_view.add_item(discord.ui.Button(label="Cite", custom_id="3f2b9c0e1d4a5b6c7d8e9f0a1b2c3d4e"))
    sent = await simcord_env.bot.get_channel(channel.id).send("An old answer", view=old_view)
    message = simcord_env.backend.get_message(channel.id, sent.id)
    await restart()
    pressed = press(simcord_env, staff, channel, message, "Cite")
    await simcord_env.settle()
    assert pressed.ephemeral
    assert pressed.response.content == OUTDATED


async def test_a_form_from_an_older_version_is_answered_not_left_to_fail(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, restart: Callable[[], Any]
) -> None:
    await restart()
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": "claim", "value": "Anything."}]}]
    data = {"custom_id": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d", "components": rows}
    submitted = deliver(simcord_env, manager, channel, InteractionType.MODAL_SUBMIT, data)
    await simcord_env.settle()
    assert submitted.response.content == OUTDATED
