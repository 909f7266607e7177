"""/factadmin stale: live facts not reviewed for a while, the longest unchecked first, moderators only."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from simcord import ChannelHandle, Env, GuildHandle, MemberActor

from handlers.checks import NotModerator
from tests.test_admin import button_labels, factadmin_command

pytestmark = pytest.mark.simcord(strict_sync=False)

# How long ago each fact of the test base was last checked: (reviewed, added) in days, None for no date.
CHECKED = {
    "silk-way-ovda-flights": (200, 900),  # reviewed 200 days ago
    "ovda-explosives-airfield": (None, 400),  # added 400 days ago, never reviewed
    "ovda-explosives-exemption-2013": (None, 100),  # added 100 days ago
}
RETRACTED_OLD = "sipri-share-2016-2020"  # checked 1000 days ago, but retracted: never listed


def ago(days: int | None) -> str | None:
    if days is None:
        return None
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


@pytest.fixture
def facts_db(facts_db: Path) -> Path:
    """The shipped base, every fact added 10 days ago except those above."""
    document = json.loads(facts_db.read_text(encoding="utf-8"))
    for record in document["facts"].values():
        reviewed, added = CHECKED.get(record["key"], (None, 10))
        record.update(reviewed_at=ago(reviewed), added_at=ago(added))
        if record["key"] == RETRACTED_OLD:
            record.update(
                added_at=ago(1000),
                retracted_at=ago(900),
                retracted_by="desk (1)",
                retraction_reason="Superseded.",
            )
    facts_db.write_text(json.dumps(document), encoding="utf-8")
    return facts_db


def keys_listed(text: str) -> list[str]:
    return [line.rsplit("`", 2)[1] for line in text.splitlines() if "`" in line]


async def test_stale_lists_facts_unchecked_for_180_days_by_default_the_longest_first(
    channel: ChannelHandle, manager: MemberActor
) -> None:
    result = await manager.slash(channel, "factadmin stale")

    assert result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title.startswith("Not reviewed for 180 days or more (2 facts)")
    assert keys_listed(embed.description) == ["ovda-explosives-airfield", "silk-way-ovda-flights"]
    first, second = embed.description.splitlines()
    assert first.endswith(f"added {ago(400)[:10]}, never reviewed")
    assert second.endswith(f"last reviewed {ago(200)[:10]}")


async def test_stale_with_fewer_days_lists_more_and_pages_through_them(
    channel: ChannelHandle, manager: MemberActor
) -> None:
    narrow = await manager.slash(channel, "factadmin stale", days=90)
    assert keys_listed(narrow.response.embeds[0].description) == [
        "ovda-explosives-airfield",
        "silk-way-ovda-flights",
        "ovda-explosives-exemption-2013",
    ]

    everything = await manager.slash(channel, "factadmin stale", days=5)  # every live fact: 27 of them
    assert everything.response.embeds[0].title.startswith("Not reviewed for 5 days or more (27 facts)")
    assert button_labels(everything.response) == ["Next"]
    await manager.click(everything.response, label="Next")
    assert everything.response.embeds[0].footer.text == "Page 2 of 3"
    assert RETRACTED_OLD not in everything.response.embeds[0].description


async def test_stale_when_everything_was_checked_lately_says_so(
    channel: ChannelHandle, manager: MemberActor
) -> None:
    result = await manager.slash(channel, "factadmin stale", days=1000)
    assert result.response.content == "Every live fact was reviewed, or added, in the last 1000 days."


async def test_stale_is_for_moderators_only(
    simcord_env: Env,
    guild: GuildHandle,
    channel: ChannelHandle,
    staff: MemberActor,
    handled_errors: Callable[[], list[type[BaseException]]],
) -> None:
    # A server admin let a reporter see /factadmin: the group's own check still refuses.
    guild.set_command_permissions(await factadmin_command(simcord_env), {staff: True})
    result = await staff.slash(channel, "factadmin stale")
    assert "Only moderators" in result.response.content
    assert handled_errors() == [NotModerator]
