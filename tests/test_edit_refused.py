"""A refused edit says why, in the edit form's reply: retracted meanwhile, or changed by whom and when."""

from __future__ import annotations

import re

import discord
import pytest
from simcord import ChannelHandle, Env, GuildHandle, MemberActor

from tests.test_admin import add, label, store_of, text_of

pytestmark = pytest.mark.simcord(strict_sync=False)

KEY = "test-edit"
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"


@pytest.fixture
def colleague(simcord_env: Env, guild: GuildHandle) -> MemberActor:
    """A second moderator (Manage Messages), who changes the fact while the first one edits it."""
    role = guild.create_role("Desk editors", permissions=discord.Permissions(manage_messages=True))
    return guild.add_member(simcord_env.create_user("colleague-editor"), roles=[role])


async def test_an_edit_of_a_fact_retracted_meanwhile_says_it_was_retracted_by_whom_and_why(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, colleague: MemberActor
) -> None:
    await add(manager, channel, KEY)
    form = await manager.slash(channel, "factadmin edit", key=KEY)
    await colleague.slash(channel, "factadmin retract", key=KEY, reason="A duplicate of another fact.")

    refused = await manager.submit_modal(form, {"claim": "My correction."})

    text = text_of(refused)
    assert refused.ephemeral
    assert re.search(
        rf"`{KEY}` was retracted by someone else while you edited it \(by {re.escape(label(colleague))} "
        rf'at {STAMP}: "A duplicate of another fact\."; you opened version 1, it is now version 2\)',
        text,
    ), text
    assert "Nothing was saved" in text
    assert store_of(simcord_env).get(KEY).claim != "My correction."


async def test_an_edit_of_a_fact_changed_meanwhile_names_who_changed_it_and_when(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, colleague: MemberActor
) -> None:
    await add(manager, channel, KEY)
    form = await manager.slash(channel, "factadmin edit", key=KEY)
    await colleague.slash(channel, "factadmin review", key=KEY, status="disputed")

    refused = await manager.submit_modal(form, {"claim": "My correction."})

    assert re.search(
        rf"`{KEY}` was changed by someone else while you edited it \(by {re.escape(label(colleague))} "
        rf"at {STAMP}; you opened version 1, it is now version 2\)",
        text_of(refused),
    ), text_of(refused)
    assert store_of(simcord_env).get(KEY).status == "disputed"
