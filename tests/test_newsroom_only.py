"""The newsroom's servers only: another server, or a DM, can neither read nor change the base.

The attack this closes: commands published globally (as `bot.py sync` once did)
show in every server the bot is in, and a member there with Manage Messages,
or with a role merely *named* like a MODERATOR_ROLES entry, could rewrite the
newsroom's facts. Here the global commands are published on purpose, so the
other server's members really can run them; the bot must refuse each one
itself. "Nothing changed" means the database's bytes, the history and the
query log; "nothing shown" means the one fixed refusal and no fact.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from simcord import ChannelHandle, Env, GuildHandle, MemberActor
from simcord.backend import serializers
from simcord.enums import ComponentType, InteractionType
from simcord.interactions import base_payload
from simcord.results import InteractionResult

from handlers.app import FactBot
from handlers.checks import OUTSIDE_NEWSROOM
from tests.conftest import MODERATOR_ROLE
from tests.helpers.store_facts import record
from tests.test_admin import add_options, factadmin_command

pytestmark = pytest.mark.simcord(strict_sync=False)

ELSEWHERE_ID = 1_200_000_000_000_000_001
TARGET = "silk-way-ovda-flights"

# Every /factadmin subcommand with options that would change or show something.
FACTADMIN = {
    "add": add_options("test-planted-fact"),
    "edit": {"key": "ovda-explosives-airfield"},
    "cite": {
        "key": TARGET,
        "publisher": "Pizza Weekly",
        "title": "Ovda is a restaurant",
        "url": "https://example.com/pizza",
        "published": "2024",
    },
    "retract": {"key": TARGET, "reason": "Because I can."},
    "restore": {"key": TARGET},
    "review": {"key": TARGET, "status": "disputed"},
    "history": {"key": TARGET},
    "gaps": {},
    "export": {},
    "import": {"file": ("facts.json", json.dumps([]).encode())},
    "synonym add": {"words": "sandport, ovda"},
    "synonym remove": {"words": "sandport, ovda"},
    "synonym list": {},
    "synonym history": {},
}
STAFF = {
    "facts": {"query": "silk way"},
    "timeline": {},
    "sources": {},
}


def state(env: Env) -> tuple[bytes, int, bytes]:
    """The base's bytes, its history length, and the query log ("gaps") as they are now."""
    store = env.bot.knowledge.store
    log = Path(f"{store.path}.queries.jsonl")
    return store.path.read_bytes(), len(store.history()), log.read_bytes() if log.exists() else b""


def refused(result: InteractionResult) -> bool:
    return (
        result.response is not None
        and result.response.ephemeral
        and result.response.content == OUTSIDE_NEWSROOM
        and not result.response.embeds
        and not result.response.attachments
        and not result.followups
    )


@pytest.fixture
async def elsewhere(simcord_env: Env, guild: GuildHandle) -> GuildHandle:
    """Another server the bot is in, with the commands visible there (published globally, as before)."""
    other = simcord_env.create_guild("Someone else's server", id=ELSEWHERE_ID)
    await simcord_env.bot.tree.sync()
    await simcord_env.settle()
    return other


@pytest.fixture
def elsewhere_channel(elsewhere: GuildHandle) -> ChannelHandle:
    return elsewhere.create_text_channel("general")


@pytest.fixture
async def foreign_members(simcord_env: Env, elsewhere: GuildHandle) -> list[MemberActor]:
    """There: one with Manage Messages, one with a role named like our moderator role."""
    managers = elsewhere.create_role("Mods", permissions=discord.Permissions(manage_messages=True))
    namesake = elsewhere.create_role(MODERATOR_ROLE)
    commands = await simcord_env.bot.tree.fetch_commands()
    factadmin = next(c for c in commands if c.name == "factadmin")
    elsewhere.set_command_permissions(factadmin, {namesake: True})  # their admin lets the role see it
    return [
        elsewhere.add_member(simcord_env.create_user("their.mod"), roles=[managers]),
        elsewhere.add_member(simcord_env.create_user("their.namesake"), roles=[namesake]),
    ]


@pytest.mark.parametrize("command", [*FACTADMIN, *STAFF])
async def test_every_command_from_another_server_is_refused_and_changes_nothing(
    simcord_env: Env, elsewhere_channel: ChannelHandle, foreign_members: list[MemberActor], command: str
) -> None:
    before = state(simcord_env)
    name = f"factadmin {command}" if command in FACTADMIN else command
    options = FACTADMIN.get(command) or STAFF.get(command) or {}
    for member in foreign_members:
        result = await member.slash(elsewhere_channel, name, **options)
        assert refused(result), (member, result.response)
    assert state(simcord_env) == before


@pytest.mark.parametrize(
    ("command", "option", "typed"),
    [("facts", "query", "silk"), ("sources", "publisher", "haar"), ("factadmin retract", "key", "silk")],
)
async def test_autocomplete_from_another_server_offers_nothing(
    simcord_env: Env,
    elsewhere_channel: ChannelHandle,
    foreign_members: list[MemberActor],
    channel: ChannelHandle,
    manager: MemberActor,
    command: str,
    option: str,
    typed: str,
) -> None:
    assert await manager.autocomplete(channel, command, option, typed)  # at home it offers something
    for member in foreign_members:
        assert await member.autocomplete(elsewhere_channel, command, option, typed) == []


def deliver_dm(env: Env, user: Any, kind: int, data: dict[str, Any]) -> InteractionResult:
    """An interaction from a DM, as Discord delivers it (commands are guild-only, so forged)."""
    interaction, payload = base_payload(
        env.backend, type=kind, channel_id=user.dm_channel.id, guild_id=None, user_id=user.id, data=data
    )
    env.backend.emit("INTERACTION_CREATE", payload)
    return InteractionResult(env, interaction)


@pytest.mark.parametrize("sub", ["retract", "history", "export", "gaps"])
async def test_commands_in_a_dm_are_refused_and_change_nothing(
    simcord_env: Env, guild: GuildHandle, sub: str
) -> None:
    await simcord_env.bot.tree.sync()  # global, so a DM could name them
    root = next(c for c in await simcord_env.bot.tree.fetch_commands() if c.name == "factadmin")
    before = state(simcord_env)
    user = simcord_env.create_user("stranger")
    options = [{"name": k, "type": 3, "value": v} for k, v in FACTADMIN[sub].items()]
    data = {
        "id": root.id,
        "name": "factadmin",
        "type": 1,
        "options": [{"name": sub, "type": 1, "options": options}],
    }
    result = deliver_dm(simcord_env, user, InteractionType.APPLICATION_COMMAND, data)
    await simcord_env.settle()
    assert refused(result)
    looked_up = deliver_dm(
        simcord_env,
        user,
        InteractionType.APPLICATION_COMMAND,
        {
            "id": root.id,
            "name": "facts",
            "type": 1,
            "options": [{"name": "query", "type": 3, "value": "ovda"}],
        },
    )
    await simcord_env.settle()
    assert refused(looked_up)
    assert state(simcord_env) == before


async def test_a_role_named_like_a_moderator_role_counts_only_in_the_newsroom(
    simcord_env: Env, guild: GuildHandle, channel: ChannelHandle, moderator: MemberActor
) -> None:
    # At home the role name is ours, so it is a moderator role (the fixture's moderator has only it).
    guild.set_command_permissions(await factadmin_command(simcord_env), {guild.roles[MODERATOR_ROLE]: True})
    shown = await moderator.slash(channel, "factadmin history", key=TARGET)
    assert shown.response.embeds


def fake_server(left: list[int], guild_id: int) -> Any:
    """A server the bot is in, as far as leaving it goes (SimCord has no route for leaving)."""

    async def leave() -> None:
        left.append(guild_id)

    return SimpleNamespace(id=guild_id, name=f"server {guild_id}", leave=leave)


async def test_bot_leaves_a_server_not_on_the_list_and_stays_in_the_newsroom(
    simcord_bot: FactBot, caplog: pytest.LogCaptureFixture
) -> None:
    left: list[int] = []
    server = partial(fake_server, left)
    newsroom = server(simcord_bot.settings.newsroom_guild_ids[0])
    await simcord_bot.on_guild_join(server(ELSEWHERE_ID))
    await simcord_bot.on_guild_join(newsroom)
    assert left == [ELSEWHERE_ID]
    assert f"Leaving server {ELSEWHERE_ID}" in caplog.text
    assert "Public Bot" in caplog.text


def press_from(
    env: Env, user_id: int, channel_id: int, guild_id: int | None, message: Any, label: str
) -> InteractionResult:
    """A press on ``message``'s button delivered as coming from ``guild_id`` (None: a DM)."""
    [button] = [c for row in message.components for c in row["components"] if c.get("label") == label]
    data = {"custom_id": button["custom_id"], "component_type": ComponentType.BUTTON}
    interaction, payload = base_payload(
        env.backend,
        type=InteractionType.MESSAGE_COMPONENT,
        channel_id=channel_id,
        guild_id=guild_id,
        user_id=user_id,
        data=data,
    )
    interaction.source_message_id = message.id
    stored = env.backend.get_message(message.channel_id, message.id)
    payload["message"] = dict(serializers.message_payload(env.backend, stored))
    env.backend.emit("INTERACTION_CREATE", payload)
    return InteractionResult(env, interaction)


async def test_buttons_pressed_from_another_server_or_a_dm_are_refused(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    manager: MemberActor,
    elsewhere_channel: ChannelHandle,
    foreign_members: list[MemberActor],
) -> None:
    answer = await staff.slash(channel, "facts", query="ovda")
    listing = await staff.slash(channel, "timeline")
    asked = await manager.slash(
        channel, "factadmin import", file=("facts.json", json.dumps([record("test-imported")]).encode())
    )
    before = state(simcord_env)
    stranger = simcord_env.create_user("stranger")
    presses = [
        (answer.response, "Cite"),
        (answer.response, "More matches"),
        (listing.response, "Next"),
        (asked.response, "Confirm"),
    ]
    for message, label in presses:
        for member in foreign_members:
            result = press_from(simcord_env, member.id, elsewhere_channel.id, ELSEWHERE_ID, message, label)
            await simcord_env.settle()
            assert refused(result), (label, result.response)
        in_dm = press_from(simcord_env, stranger.id, stranger.dm_channel.id, None, message, label)
        await simcord_env.settle()
        assert refused(in_dm), (label, in_dm.response)
    assert state(simcord_env) == before
    assert "Apply this import?" in asked.response.content


async def test_at_start_the_bot_leaves_the_servers_it_was_already_in_that_are_not_listed(
    simcord_bot: FactBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    left: list[int] = []
    server = partial(fake_server, left)
    joined = [
        server(ELSEWHERE_ID),
        server(simcord_bot.settings.newsroom_guild_ids[0]),
        server(ELSEWHERE_ID + 1),
    ]
    monkeypatch.setattr(FactBot, "guilds", property(lambda self: joined))
    await simcord_bot.on_ready()
    assert left == [ELSEWHERE_ID, ELSEWHERE_ID + 1]


async def test_an_edit_form_from_another_server_reads_nothing(
    simcord_env: Env, elsewhere_channel: ChannelHandle, foreign_members: list[MemberActor]
) -> None:
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": "claim", "value": "Ovda is a pizza place."}]}]
    data = {"custom_id": "fd:edit:1:1:ovda-explosives-airfield:zz", "components": rows}
    before = state(simcord_env)
    interaction, payload = base_payload(
        simcord_env.backend,
        type=InteractionType.MODAL_SUBMIT,
        channel_id=elsewhere_channel.id,
        guild_id=ELSEWHERE_ID,
        user_id=foreign_members[0].id,
        data=data,
    )
    simcord_env.backend.emit("INTERACTION_CREATE", payload)
    result = InteractionResult(simcord_env, interaction)
    await simcord_env.settle()
    assert refused(result)
    assert state(simcord_env) == before
