"""Disk full or read-only, through the simulated Discord: moderators see why, nothing changes, /facts answers.

The faults are the store tests' own (tests/test_store_faults.py): the disk
fills up while the new file is written, the folder refuses the temp file,
the history entry cannot be synced. Every moderator write is tried under
each; the file must stay byte for byte the previous version.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from simcord import ChannelHandle, Env, MemberActor

from knowledge.store.changes import FactStore
from tests.helpers.store_facts import exported, record
from tests.test_admin import add, shown, store_of, text_of
from tests.test_store_faults import FAILURES

pytestmark = pytest.mark.simcord(strict_sync=False)

FAULTS = ["disk-full-while-writing", "permission-denied-on-temp-file", "disk-full-syncing-history"]


def state(store: FactStore) -> tuple[bytes, list[Any], list[Any]]:
    return store.path.read_bytes(), store.facts(include_retracted=True), store.history()


async def every_moderator_write(env: Env, channel: ChannelHandle, moderator: MemberActor) -> list[str]:
    """Try each kind of change once; the text each reply showed."""
    replies = []
    replies.append(text_of(await add(moderator, channel, "test-never-saved")))
    form = await moderator.slash(channel, "factadmin edit", key="test-target")
    replies.append(text_of(await moderator.submit_modal(form, {"claim": "A correction that cannot land."})))
    cite = {
        "publisher": "Example Times",
        "title": "More",
        "url": "https://example.org/more",
        "published": "2021",
    }
    replies.append(text_of(await moderator.slash(channel, "factadmin cite", key="test-target", **cite)))
    replies.append(
        text_of(await moderator.slash(channel, "factadmin retract", key="test-target", reason="Wrong."))
    )
    replies.append(text_of(await moderator.slash(channel, "factadmin review", key="test-target")))

    document = await exported(store_of(env))
    document["facts"]["9999"] = record("test-imported-never")
    asked = await moderator.slash(
        channel, "factadmin import", file=("facts.json", json.dumps(document).encode())
    )
    await moderator.click(shown(asked), label="Confirm")
    replies.append(asked.response.content)
    return replies


@pytest.mark.parametrize("fault", FAULTS)
async def test_refused_disk_shows_moderators_why_keeps_the_file_and_facts_still_answers(
    simcord_env: Env,
    channel: ChannelHandle,
    manager: MemberActor,
    staff: MemberActor,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    await add(manager, channel, "test-target")
    store = store_of(simcord_env)
    before = state(store)
    inject, reason = FAILURES[fault]

    inject(monkeypatch)
    replies = await every_moderator_write(simcord_env, channel, manager)
    answered = await staff.slash(channel, "facts", query="silk-way")
    monkeypatch.undo()

    assert len(replies) == 6
    for reply in replies:
        assert reply.startswith(f"Could not save to {store.path} ({reason}"), replies
        assert "Nothing was changed" in reply
    assert state(store) == before
    assert not list(store.path.parent.glob(f".{store.path.name}.*.tmp"))
    embed = answered.response.embeds[0]
    assert embed.footer.text.startswith("key: silk-way-ovda-flights")
    assert "Silk Way" in embed.description

    # Once the disk takes writes again, so does the bot.
    assert text_of(await add(manager, channel, "test-saved-later")) == "Added `test-saved-later`."
    assert store.path.read_bytes() != before[0]
    with FactStore.open(store.path.with_name("copy.json"), seed=store.path) as reread:
        assert reread.get("test-saved-later").version == 1
        assert reread.get("test-target").version == 1
