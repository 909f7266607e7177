"""/factadmin against interactions no ordinary click produces: forged, and many at once.

SimCord's actors behave like one person using the Discord client, one action at
a time. Here interactions are delivered to the bot directly, as Discord would
deliver them, so that (a) someone can press a button on, or submit, a form that
was shown only to another moderator (a modified client reusing its id), and
(b) many moderators' commands are in flight in the bot at the same moment.
"""

from __future__ import annotations

from typing import Any

import pytest
from simcord import ChannelHandle, Env, GuildHandle, MemberActor
from simcord.backend import serializers
from simcord.enums import ComponentType, InteractionType
from simcord.interactions import base_payload
from simcord.results import InteractionResult

from knowledge.model import parse_facts
from knowledge.store.transfer import load_document
from tests.conftest import GUILD_ID
from tests.helpers.store_facts import record
from tests.test_admin import add, add_options, label, shown, store_of, text_of

pytestmark = pytest.mark.simcord(strict_sync=False)

SETTLE = 120.0  # seconds SimCord may wait for the bot's work; generous for a busy machine


def deliver(
    env: Env, actor: MemberActor, channel: ChannelHandle, kind: int, data: dict[str, Any], *, on: Any = None
) -> InteractionResult:
    """Hand the bot one interaction and return at once, without waiting for its answer."""
    interaction, payload = base_payload(
        env.backend, type=kind, channel_id=channel.id, guild_id=GUILD_ID, user_id=actor.id, data=data
    )
    if on is not None:  # a button on this message
        interaction.source_message_id = on.id
        stored = env.backend.get_message(channel.id, on.id)
        payload["message"] = dict(serializers.message_payload(env.backend, stored))
    env.backend.emit("INTERACTION_CREATE", payload)
    return InteractionResult(env, interaction)


def slash(
    env: Env, actor: MemberActor, channel: ChannelHandle, sub: str, **options: str
) -> InteractionResult:
    """``/factadmin <sub>`` with text options exactly as given: no client-side limits applied."""
    root = env.backend.find_command("factadmin", GUILD_ID)
    leaf = [{"name": name, "type": 3, "value": value} for name, value in options.items()]
    data = {
        "id": root["id"],
        "name": "factadmin",
        "type": 1,
        "options": [{"name": sub, "type": 1, "options": leaf}],
        "guild_id": root["guild_id"],
    }
    return deliver(env, actor, channel, InteractionType.APPLICATION_COMMAND, data)


def submit(
    env: Env, actor: MemberActor, channel: ChannelHandle, form: InteractionResult, **values: str
) -> Any:
    """Submit the form ``form`` showed (to whomever), as ``actor``."""
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in values.items()]
    data = {"custom_id": form.modal["custom_id"], "components": rows}
    return deliver(env, actor, channel, InteractionType.MODAL_SUBMIT, data)


def press(
    env: Env, actor: MemberActor, channel: ChannelHandle, message: Any, label: str
) -> InteractionResult:
    [button] = [c for row in message.components for c in row["components"] if c.get("label") == label]
    data = {"custom_id": button["custom_id"], "component_type": ComponentType.BUTTON}
    return deliver(env, actor, channel, InteractionType.MESSAGE_COMPONENT, data, on=message)


def another_manager(env: Env, guild: GuildHandle, name: str) -> MemberActor:
    """One more moderator by Manage Messages (the conftest ``manager``'s role)."""
    return guild.add_member(env.create_user(name), roles=[guild.roles["Channel managers"]])


def file_matches_memory(env: Env) -> None:
    """The database file parses, every record is valid, and it holds exactly what the bot serves."""
    store = store_of(env)
    facts, errors = parse_facts(load_document(store.path))
    assert errors == []
    assert {f.key: f for f in facts} == {f.key: f for f in store.facts(include_retracted=True)}


# --- someone else's button or form ------------------------------------------------


async def test_only_the_moderator_who_asked_can_confirm(
    simcord_env: Env, guild: GuildHandle, channel: ChannelHandle, manager: MemberActor, staff: MemberActor
) -> None:
    await add(manager, channel, "test-original")
    asked = await manager.slash(
        channel, "factadmin add", **add_options("test-copy", claim=record("test-original")["claim"])
    )
    colleague = another_manager(simcord_env, guild, "colleague.editor")

    by_colleague = press(simcord_env, colleague, channel, asked.response, "Confirm")
    by_reporter = press(simcord_env, staff, channel, asked.response, "Confirm")
    await simcord_env.settle()

    assert by_colleague.response.content.startswith("Only the moderator who started this")
    assert by_reporter.response.content.startswith("Only the moderator who started this")
    assert by_colleague.ephemeral and by_reporter.ephemeral
    assert "test-copy" not in {f.key for f in store_of(simcord_env).facts()}
    assert "Add it anyway?" in asked.response.content  # the question still stands for its owner

    await manager.click(asked.response, label="Confirm")
    assert store_of(simcord_env).get("test-copy").added_by == label(manager)


async def test_only_the_moderator_who_opened_an_edit_form_can_submit_it(
    simcord_env: Env, guild: GuildHandle, channel: ChannelHandle, manager: MemberActor, staff: MemberActor
) -> None:
    await add(manager, channel, "test-edit")
    form = await manager.slash(channel, "factadmin edit", key="test-edit")
    colleague = another_manager(simcord_env, guild, "colleague.editor")

    by_colleague = submit(simcord_env, colleague, channel, form, claim="The colleague's words.")
    by_reporter = submit(simcord_env, staff, channel, form, claim="A reporter's words.")
    await simcord_env.settle()

    for refused in (by_colleague, by_reporter):
        assert refused.response.content.startswith("Only the moderator who opened this form")
    assert store_of(simcord_env).get("test-edit").version == 1

    saved = await manager.submit_modal(form, {"claim": "The owner's words."})
    assert text_of(saved) == "Saved `test-edit` (now version 2)."
    assert store_of(simcord_env).get("test-edit").claim == "The owner's words."


async def test_a_client_ignoring_option_limits_is_still_refused_field_by_field(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    options = add_options("test-hostile") | {"claim": "x" * 1001, "source_url": "javascript:alert(1)"}
    result = slash(simcord_env, manager, channel, "add", **options)
    await simcord_env.settle()

    message = text_of(result)
    assert "• `claim`: is 1001 characters; at most 1000 are allowed" in message
    assert "• `source_url`: must be an http:// or https:// link" in message
    assert "test-hostile" not in {f.key for f in store_of(simcord_env).facts()}


# --- many moderators at once ----------------------------------------------------------


async def test_fifty_concurrent_adds_all_land_each_once(
    simcord_env: Env, guild: GuildHandle, channel: ChannelHandle, manager: MemberActor
) -> None:
    moderators = [manager] + [another_manager(simcord_env, guild, f"editor.{i}") for i in range(4)]
    store = store_of(simcord_env)
    before = len(store)
    keys = [f"test-concurrent-{i:02d}" for i in range(50)]

    results = [
        slash(simcord_env, moderators[i % 5], channel, "add", **add_options(key))
        for i, key in enumerate(keys)
    ]
    assert not any(r.acknowledged for r in results)  # all fifty are in the bot together
    await simcord_env.settle(timeout=SETTLE)

    assert [text_of(r) for r in results] == [f"Added `{key}`." for key in keys]
    assert len(store) == before + 50
    for i, key in enumerate(keys):
        entries = store.history(key)
        assert [(e.action, e.actor) for e in entries] == [("add", label(moderators[i % 5]))]
    file_matches_memory(simcord_env)


async def test_concurrent_edits_of_one_fact_exactly_one_wins_per_version(
    simcord_env: Env, guild: GuildHandle, channel: ChannelHandle, manager: MemberActor
) -> None:
    moderators = [manager] + [another_manager(simcord_env, guild, f"editor.{i}") for i in range(3)]
    await add(manager, channel, "test-contested")
    store = store_of(simcord_env)

    for version in (1, 2):
        forms = [
            await moderators[i % 4].slash(channel, "factadmin edit", key="test-contested") for i in range(20)
        ]
        claims = [f"Round {version}: correction number {i} of the contested fact." for i in range(20)]
        results = [
            submit(simcord_env, moderators[i % 4], channel, form, claim=claim)
            for i, (form, claim) in enumerate(zip(forms, claims, strict=True))
        ]
        await simcord_env.settle(timeout=SETTLE)

        replies = [text_of(r) for r in results]
        winners = [i for i, reply in enumerate(replies) if reply.startswith("Saved")]
        assert len(winners) == 1, replies
        assert replies[winners[0]] == f"Saved `test-contested` (now version {version + 1})."
        refused = [reply for i, reply in enumerate(replies) if i != winners[0]]
        assert all(f"you opened version {version}, it is now version {version + 1}" in r for r in refused)
        assert all("Nothing was saved" in r for r in refused)
        fact = store.get("test-contested")
        assert (fact.claim, fact.version) == (claims[winners[0]], version + 1)

    edits = [e for e in store.history("test-contested") if e.action == "edit"]
    assert [e.version for e in edits] == [2, 3]
    assert shown(results[0]).ephemeral
    file_matches_memory(simcord_env)
