"""Permission bypass attempts the /factadmin tests leave open: refused, and nothing changes.

tests/test_admin.py covers every subcommand run by a non-moderator, and
tests/test_admin_forged.py someone else pressing an add's Confirm or
submitting another moderator's edit form. Here: the key autocomplete of every
command (checks do not run for autocomplete; retracted facts must not leak),
a forged Confirm on a moderator's import, and forged page turns on a
moderator's history. "Nothing changed" means the file's bytes and the history.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from simcord import ChannelHandle, Env, GuildHandle, MemberActor

from handlers.checks import NotModerator
from tests.helpers.store_facts import exported, record
from tests.test_admin import add, label, shown, store_of
from tests.test_admin import intruder as intruder
from tests.test_admin_forged import another_manager, press

pytestmark = pytest.mark.simcord(strict_sync=False)

KEY_OPTIONS = ["edit", "cite", "retract", "restore", "review", "history"]


def unchanged_since(env: Env, before: tuple[bytes, int]) -> bool:
    store = store_of(env)
    return (store.path.read_bytes(), len(store.history())) == before


def snapshot(env: Env) -> tuple[bytes, int]:
    store = store_of(env)
    return store.path.read_bytes(), len(store.history())


@pytest.mark.usefixtures("intruder")
@pytest.mark.parametrize("command", KEY_OPTIONS)
async def test_key_autocomplete_offers_a_non_moderator_nothing_not_even_retracted_facts(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, staff: MemberActor, command: str
) -> None:
    await add(manager, channel, "test-live-fact")
    await add(manager, channel, "test-withdrawn-fact")
    await manager.slash(channel, "factadmin retract", key="test-withdrawn-fact", reason="Wrong.")
    assert await manager.autocomplete(channel, f"factadmin {command}", "key", "test-")  # moderators do

    for typed in ("", "test-", "withdrawn", record("test-withdrawn-fact")["claim"][:20]):
        assert await staff.autocomplete(channel, f"factadmin {command}", "key", typed) == []


async def test_forged_confirm_of_a_moderators_import_changes_nothing(
    simcord_env: Env, guild: GuildHandle, channel: ChannelHandle, manager: MemberActor, staff: MemberActor
) -> None:
    await add(manager, channel, "test-imported")
    document = await exported(store_of(simcord_env))
    for fact in document["facts"].values():
        if fact["key"] == "test-imported":
            fact["claim"] = "Overwritten by whoever confirms."
    document["facts"]["9999"] = record("test-smuggled-in")
    asked = await manager.slash(
        channel, "factadmin import", file=("facts.json", json.dumps(document).encode())
    )
    prompt = shown(asked)
    before = snapshot(simcord_env)
    colleague = another_manager(simcord_env, guild, "colleague.editor")

    by_reporter = press(simcord_env, staff, channel, prompt, "Confirm")
    by_colleague = press(simcord_env, colleague, channel, prompt, "Confirm")
    cancelled = press(simcord_env, staff, channel, prompt, "Cancel")
    await simcord_env.settle()

    for refused in (by_reporter, by_colleague, cancelled):
        assert refused.ephemeral
        assert refused.response.content.startswith("Only the moderator who started this")
    assert unchanged_since(simcord_env, before)
    assert "Apply this import?" in shown(asked).content  # still the owner's to decide

    await manager.click(shown(asked), label="Confirm")
    assert store_of(simcord_env).get("test-smuggled-in").added_by == label(manager)


async def test_forged_page_turn_on_a_moderators_history_shows_nothing(
    simcord_env: Env,
    guild: GuildHandle,
    channel: ChannelHandle,
    manager: MemberActor,
    staff: MemberActor,
    handled_errors: Callable[[], list[type[BaseException]]],
) -> None:
    await add(manager, channel, "test-busy")
    for n in range(11):
        await manager.slash(channel, "factadmin retract", key="test-busy", reason=f"Private note {n}.")
        await manager.slash(channel, "factadmin restore", key="test-busy")
    pages = await manager.slash(channel, "factadmin history", key="test-busy")
    first_page = pages.response.embeds[0].description

    turned = press(simcord_env, staff, channel, pages.response, "Next")
    await simcord_env.settle()

    assert turned.ephemeral
    assert "Private note" not in turned.response.content
    assert turned.response.embeds == []
    assert pages.response.embeds[0].description == first_page

    # A moderator demoted since asking cannot turn the pages either.
    simcord_env.backend.edit_member(guild.id, manager.id, {"role_ids": []})
    own = await manager.click(pages.response, label="Next")
    assert own.response.content.startswith("Only moderators can do this")
    assert pages.response.embeds[0].description == first_page
    assert handled_errors() == [NotModerator]
