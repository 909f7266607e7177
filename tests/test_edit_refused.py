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


# What the colleague does while the form is open, and how the refusal must say it.
MEANWHILE = {
    "retracted": (
        ("factadmin retract", {"key": KEY, "reason": "A duplicate of another fact."}),
        'retracted by someone else while you edited it \\(by {who} at {at}: "A duplicate of another fact\\."',
    ),
    "changed": (
        ("factadmin review", {"key": KEY, "status": "disputed"}),
        "changed by someone else while you edited it \\(by {who} at {at}",
    ),
}


@pytest.mark.parametrize("what", MEANWHILE)
async def test_an_edit_refused_says_who_retracted_or_changed_the_fact_and_when(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, colleague: MemberActor, what: str
) -> None:
    (command, options), said = MEANWHILE[what]
    await add(manager, channel, KEY)
    form = await manager.slash(channel, "factadmin edit", key=KEY)
    await colleague.slash(channel, command, **options)
    changed = store_of(simcord_env).get(KEY)

    refused = await manager.submit_modal(form, {"claim": "My correction."})

    text = text_of(refused)
    assert refused.ephemeral
    expected = f"`{KEY}` was " + said.format(who=re.escape(label(colleague)), at=STAMP)
    assert re.search(expected + r"; you opened version 1, it is now version 2\)", text), text
    assert "Nothing was saved" in text
    assert store_of(simcord_env).get(KEY) == changed  # the colleague's change stands
