"""/factadmin through a simulated Discord: each command's happy path, and who may use it.

Test facts are made up (example.com links); the shipped base is there too,
as in production.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import discord
import pytest
from simcord import ChannelHandle, Env, GuildHandle, MemberActor, SetupError

from handlers.checks import NotModerator
from handlers.views import VIEW_TIMEOUT
from knowledge.errors import FactNotFound
from knowledge.model import parse_facts
from knowledge.store.changes import FactStore
from knowledge.store.transfer import load_document
from tests.conftest import GUILD_ID, MODERATOR_ROLE
from tests.helpers.store_facts import exported, record

pytestmark = pytest.mark.simcord(strict_sync=False)

SOURCE = {
    "publisher": "Example Gazette",
    "source_title": "A report",
    "source_url": "https://example.com/report",
    "published": "2020-01-02",
}


def add_options(key: str, **fields: Any) -> dict[str, Any]:
    """Options for `/factadmin add` with a claim unlike any other key's."""
    return {"key": key, "claim": record(key)["claim"], **SOURCE, **fields}


def store_of(env: Env) -> FactStore:
    return env.bot.knowledge.store


def shown(result: Any) -> Any:
    """The message the user was finally shown: the last follow-up, else the response."""
    return result.followups[-1] if result.followups else result.response


def text_of(result: Any) -> str:
    return shown(result).content


def button_labels(message: Any) -> list[str]:
    return [c["label"] for row in message.components for c in row["components"] if not c.get("disabled")]


async def factadmin_command(env: Env) -> discord.app_commands.AppCommand:
    commands = await env.bot.tree.fetch_commands(guild=discord.Object(GUILD_ID))
    return next(c for c in commands if c.name == "factadmin")


@pytest.fixture
async def desk_moderator(simcord_env: Env, guild: GuildHandle, moderator: MemberActor) -> MemberActor:
    """A moderator by MODERATOR_ROLES; a server admin let the role see /factadmin."""
    guild.set_command_permissions(await factadmin_command(simcord_env), {guild.roles[MODERATOR_ROLE]: True})
    return moderator


@pytest.fixture
async def intruder(simcord_env: Env, guild: GuildHandle, staff: MemberActor) -> MemberActor:
    """A reporter a server admin let see /factadmin: exactly the case the run-time check is for."""
    guild.set_command_permissions(await factadmin_command(simcord_env), {staff: True})
    return staff


def label(member: MemberActor) -> str:
    """How the history names a moderator: Discord name and id."""
    return f"{member.name} ({member.id})"


def callbacks(env: Env, since: int) -> list[int]:
    """The interaction response types the bot sent since request number ``since``."""
    return [r.json["type"] for r in env.http_requests[since:] if r.path.endswith("/callback")]


async def add(actor: MemberActor, channel: ChannelHandle, key: str, **fields: Any) -> Any:
    return await actor.slash(channel, "factadmin add", **add_options(key, **fields))


# --- add ---------------------------------------------------------------------


async def test_moderator_adds_a_fact_with_every_field_attributed_to_them(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    start = len(simcord_env.http_requests)
    result = await add(
        manager,
        channel,
        "test-full-fact",
        status="attributed",
        aliases="first alias, second alias,, ",
        tags="Testing, Examples",
        period="2016-2020",
        details="Some background.",
        caveats="Only one source says so.",
    )

    assert callbacks(simcord_env, start) == [5]  # deferred before writing: Discord's 3 seconds
    assert result.ephemeral
    assert text_of(result) == "Added `test-full-fact`."
    assert shown(result).embeds[0].footer.text  # the fact, as staff will see it
    fact = store_of(simcord_env).get("test-full-fact")
    assert fact.status == "attributed"
    assert fact.aliases == ("first alias", "second alias")
    assert fact.tags == ("testing", "examples")
    assert (fact.period, fact.details, fact.caveats) == (
        "2016-2020",
        "Some background.",
        "Only one source says so.",
    )
    [source] = fact.sources
    assert (source.publisher, source.title, source.url, source.published) == (
        "Example Gazette",
        "A report",
        "https://example.com/report",
        "2020-01-02",
    )
    assert fact.added_by == label(manager)
    [entry] = store_of(simcord_env).history("test-full-fact")
    assert (entry.action, entry.actor) == ("add", label(manager))


async def test_existing_key_is_refused_before_anything_is_asked(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-taken")
    result = await manager.slash(
        channel, "factadmin add", **add_options("test-taken") | {"claim": "Other words."}
    )
    assert "already exists" in result.response.content
    assert result.ephemeral
    assert store_of(simcord_env).get("test-taken").claim == record("test-taken")["claim"]


async def test_near_duplicate_shows_the_existing_fact_and_adds_only_on_confirm(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-original")
    same_claim = record("test-original")["claim"]

    asked = await manager.slash(channel, "factadmin add", **add_options("test-copy", claim=same_claim))

    prompt = asked.response
    assert asked.ephemeral
    assert "`test-original`" in prompt.content and "Add it anyway?" in prompt.content
    assert prompt.embeds[0].footer.text and "test-original" in prompt.embeds[0].footer.text
    assert button_labels(prompt) == ["Confirm", "Cancel"]
    with pytest.raises(FactNotFound):
        store_of(simcord_env).get("test-copy")

    await manager.click(prompt, label="Confirm")

    assert asked.response.content == "Added `test-copy`."
    assert asked.response.components == []
    assert store_of(simcord_env).get("test-copy").added_by == label(manager)


async def test_near_duplicate_cancelled_adds_nothing(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-original")
    asked = await manager.slash(
        channel, "factadmin add", **add_options("test-copy", claim=record("test-original")["claim"])
    )
    await manager.click(asked.response, label="Cancel")
    assert "not added" in asked.response.content
    assert "test-copy" not in {f.key for f in store_of(simcord_env).facts()}


async def test_near_duplicate_question_expires_and_adds_nothing(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-original")
    asked = await manager.slash(
        channel, "factadmin add", **add_options("test-copy", claim=record("test-original")["claim"])
    )

    await simcord_env.advance_time(VIEW_TIMEOUT + 1)

    assert "No answer in time" in asked.response.content
    assert button_labels(asked.response) == []  # still shown, greyed out
    with pytest.raises(SetupError, match="disabled"):
        await manager.click(asked.response, label="Confirm")
    assert "test-copy" not in {f.key for f in store_of(simcord_env).facts()}


async def test_confirm_refused_when_the_owner_is_no_longer_a_moderator(
    simcord_env: Env, guild: GuildHandle, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-original")
    asked = await manager.slash(
        channel, "factadmin add", **add_options("test-copy", claim=record("test-original")["claim"])
    )
    simcord_env.backend.edit_member(guild.id, manager.id, {"role_ids": []})  # demoted meanwhile

    pressed = await manager.click(asked.response, label="Confirm")

    assert "Only moderators" in pressed.response.content and pressed.ephemeral
    assert "test-copy" not in {f.key for f in store_of(simcord_env).facts()}


# --- edit --------------------------------------------------------------------


async def test_edit_form_is_prefilled_and_saves_what_changed(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-edit", aliases="one, two, three", details="Old details.")

    shown = await manager.slash(channel, "factadmin edit", key="test-edit")

    inputs = {row["components"][0]["custom_id"]: row["components"][0] for row in shown.modal["components"]}
    assert list(inputs) == ["claim", "details", "caveats", "aliases", "tags"]
    assert inputs["claim"]["value"] == record("test-edit")["claim"]
    assert inputs["details"]["value"] == "Old details."
    assert inputs["aliases"]["value"] == "one\ntwo\nthree"
    assert all(len(i["label"]) <= 45 and i["max_length"] <= 4000 for i in inputs.values())

    saved = await manager.submit_modal(
        shown,
        {
            "claim": "A corrected claim about test widgets.",
            "details": "",
            "caveats": "A new caveat.",
            "aliases": "one\ntwo, with a comma\n\n",
        },
    )

    assert text_of(saved) == "Saved `test-edit` (now version 2)."
    fact = store_of(simcord_env).get("test-edit")
    assert fact.claim == "A corrected claim about test widgets."
    assert fact.details is None
    assert fact.caveats == "A new caveat."
    assert fact.aliases == ("one", "two, with a comma")
    entry = store_of(simcord_env).history("test-edit")[-1]
    assert (entry.action, entry.actor, entry.version) == ("edit", label(manager), 2)


async def test_edit_form_list_boxes_are_multi_line_for_their_one_entry_per_line(
    channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-edit", aliases="one, two", tags="alpha, beta")
    shown = await manager.slash(channel, "factadmin edit", key="test-edit")
    inputs = {row["components"][0]["custom_id"]: row["components"][0] for row in shown.modal["components"]}
    for name, value in (("aliases", "one\ntwo"), ("tags", "alpha\nbeta")):
        assert inputs[name]["value"] == value
        assert inputs[name]["style"] == discord.TextStyle.paragraph.value


async def test_line_breaks_typed_into_the_claim_box_become_spaces(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-edit")
    shown = await manager.slash(channel, "factadmin edit", key="test-edit")
    saved = await manager.submit_modal(shown, {"claim": "A corrected claim\r\nabout test widgets.\n"})
    assert text_of(saved) == "Saved `test-edit` (now version 2)."
    assert store_of(simcord_env).get("test-edit").claim == "A corrected claim about test widgets."


async def test_edit_form_submitted_unchanged_saves_nothing(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-edit")
    shown = await manager.slash(channel, "factadmin edit", key="test-edit")
    saved = await manager.submit_modal(shown, {"claim": record("test-edit")["claim"]})
    assert "No changes" in text_of(saved)
    assert store_of(simcord_env).get("test-edit").version == 1


async def test_a_stale_edit_is_refused_not_overwritten(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, desk_moderator: MemberActor
) -> None:
    await add(manager, channel, "test-edit")
    colleague = desk_moderator
    mine = await manager.slash(channel, "factadmin edit", key="test-edit")
    theirs = await colleague.slash(channel, "factadmin edit", key="test-edit")  # same version 1

    await colleague.submit_modal(theirs, {"claim": "The colleague's correction."})
    refused = await manager.submit_modal(mine, {"claim": "My correction."})

    assert "changed by someone else" in text_of(refused)
    assert "you opened version 1, it is now version 2" in text_of(refused)
    fact = store_of(simcord_env).get("test-edit")
    assert (fact.claim, fact.version) == ("The colleague's correction.", 2)
    assert [e.action for e in store_of(simcord_env).history("test-edit")] == ["add", "edit"]


async def test_edit_form_refused_when_the_owner_is_no_longer_a_moderator(
    simcord_env: Env, guild: GuildHandle, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-edit")
    shown = await manager.slash(channel, "factadmin edit", key="test-edit")
    simcord_env.backend.edit_member(guild.id, manager.id, {"role_ids": []})

    refused = await manager.submit_modal(shown, {"claim": "A change that must not land."})

    assert "Only moderators" in text_of(refused)
    assert store_of(simcord_env).get("test-edit").version == 1


# --- cite, retract, restore, review, history ------------------------------------


async def test_cite_adds_a_source(simcord_env: Env, channel: ChannelHandle, manager: MemberActor) -> None:
    await add(manager, channel, "test-cite")
    result = await manager.slash(
        channel,
        "factadmin cite",
        key="test-cite",
        publisher="Example Times",
        title="A follow-up",
        url="https://example.org/follow-up",
        published="2021-05",
        kind="primary",
        quote="The exact words.",
    )
    assert text_of(result) == "Added a source to `test-cite` (now 2 sources)."
    source = store_of(simcord_env).get("test-cite").sources[-1]
    assert (source.publisher, source.kind, source.quote) == ("Example Times", "primary", "The exact words.")
    assert store_of(simcord_env).history("test-cite")[-1].action == "cite"


async def test_retract_then_restore(simcord_env: Env, channel: ChannelHandle, manager: MemberActor) -> None:
    await add(manager, channel, "test-retract")

    retracted = await manager.slash(
        channel, "factadmin retract", key="test-retract", reason="The source withdrew it."
    )

    assert "Retracted `test-retract`" in text_of(retracted)
    fact = store_of(simcord_env).get("test-retract")
    assert fact.retracted and fact.retraction_reason == "The source withdrew it."
    assert "test-retract" not in {f.key for f in store_of(simcord_env).facts()}

    again = await manager.slash(channel, "factadmin retract", key="test-retract", reason="Twice.")
    assert "already retracted" in text_of(again)

    restored = await manager.slash(channel, "factadmin restore", key="test-retract")
    assert text_of(restored) == "Restored `test-retract`."
    assert not store_of(simcord_env).get("test-retract").retracted
    assert [e.action for e in store_of(simcord_env).history("test-retract")] == ["add", "retract", "restore"]


async def test_review_marks_the_fact_reviewed_and_may_set_its_status(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-review")
    assert store_of(simcord_env).get("test-review").reviewed_at is None

    result = await manager.slash(channel, "factadmin review", key="test-review", status="disputed")

    assert text_of(result) == "Marked `test-review` as reviewed now."
    fact = store_of(simcord_env).get("test-review")
    assert fact.reviewed_at is not None and fact.status == "disputed"
    entry = store_of(simcord_env).history("test-review")[-1]
    assert (entry.action, entry.actor) == ("review", label(manager))


async def test_history_shows_who_when_what_and_why_newest_first(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-history")
    await manager.slash(channel, "factadmin retract", key="test-history", reason="Checked: wrong year.")

    shown = await manager.slash(channel, "factadmin history", key="test-history")

    assert shown.ephemeral
    lines = shown.response.embeds[0].description.splitlines()
    assert len(lines) == 2
    assert f"**retract** by {manager.name}" in lines[0] and str(manager.id) in lines[0]
    assert "Checked: wrong year." in lines[0]
    assert lines[0].startswith("v2 · ") and " UTC · " in lines[0]
    assert f"**add** by {manager.name}" in lines[1] and str(manager.id) in lines[1]


async def test_long_history_is_paged(simcord_env: Env, channel: ChannelHandle, manager: MemberActor) -> None:
    await add(manager, channel, "test-busy")
    for _ in range(12):
        await manager.slash(channel, "factadmin review", key="test-busy")

    shown = await manager.slash(channel, "factadmin history", key="test-busy")

    first = shown.response.embeds[0]
    assert first.footer.text == "Page 1 of 2" and len(first.description.splitlines()) == 10
    await manager.click(shown.response, label="Next")
    second = shown.response.embeds[0]
    assert second.footer.text == "Page 2 of 2"
    assert "**add**" in second.description.splitlines()[-1]


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("edit", {}),
        ("cite", {"publisher": "P", "title": "T", "url": "https://example.com/x", "published": "2020"}),
        ("retract", {"reason": "No reason."}),
        ("restore", {}),
        ("review", {}),
        ("history", {}),
    ],
)
async def test_unknown_key_is_named(
    simcord_env: Env,
    channel: ChannelHandle,
    manager: MemberActor,
    command: str,
    options: dict[str, Any],
    handled_errors: Callable[[], list[type[BaseException]]],
) -> None:
    result = await manager.slash(channel, f"factadmin {command}", key="no-such-fact", **options)
    assert text_of(result) == "No fact has the key `no-such-fact`."
    assert result.ephemeral
    assert set(handled_errors()) <= {FactNotFound}  # raised ones went to the tree's one handler


# --- autocomplete --------------------------------------------------------------


async def test_key_autocomplete_offers_moderators_what_each_command_can_touch(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-auto-live")
    await add(manager, channel, "test-auto-gone")
    await manager.slash(channel, "factadmin retract", key="test-auto-gone", reason="Wrong.")

    def keys(choices: list[dict[str, Any]]) -> list[str]:
        return [c["value"] for c in choices]

    assert keys(await manager.autocomplete(channel, "factadmin edit", "key", "test-auto")) == [
        "test-auto-live"
    ]
    assert keys(await manager.autocomplete(channel, "factadmin restore", "key", "test-auto")) == [
        "test-auto-gone"
    ]
    assert keys(await manager.autocomplete(channel, "factadmin history", "key", "test-auto")) == [
        "test-auto-gone",
        "test-auto-live",
    ]
    by_claim = await manager.autocomplete(
        channel, "factadmin edit", "key", record("test-auto-live")["claim"][10:30]
    )
    assert keys(by_claim) == ["test-auto-live"]
    assert all(
        len(c["name"]) <= 100 for c in await manager.autocomplete(channel, "factadmin edit", "key", "")
    )


async def test_key_autocomplete_offers_non_moderators_nothing(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, intruder: MemberActor
) -> None:
    await add(manager, channel, "test-auto-live")
    assert await intruder.autocomplete(channel, "factadmin edit", "key", "test") == []


# --- export, import, gaps ----------------------------------------------------------


async def test_export_sends_the_whole_base_as_a_json_file_import_reads(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, tmp_path: Any
) -> None:
    await add(manager, channel, "test-exported")
    await manager.slash(channel, "factadmin retract", key="test-exported", reason="Gone.")

    result = await manager.slash(channel, "factadmin export")

    message = shown(result)
    assert result.ephemeral
    [attachment] = message.attachments
    assert attachment.filename.endswith(".json")
    path = tmp_path / "export.json"
    path.write_bytes(await attachment.read())
    facts, errors = parse_facts(load_document(path))
    assert errors == []
    store = store_of(simcord_env)
    assert {f.key for f in facts} == {f.key for f in store.facts(include_retracted=True)}
    assert json.loads(path.read_text()) == json.loads(store.path.read_bytes())  # the database as it stands


async def export_bytes(env: Env, **changed_claims: str) -> bytes:
    document = await exported(store_of(env))
    for fact in document["facts"].values():
        if fact["key"] in changed_claims:
            fact["claim"] = changed_claims[fact["key"]]
    return json.dumps(document).encode()


async def test_import_shows_what_it_would_do_and_applies_only_on_confirm(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-imported")
    document = json.loads(await export_bytes(simcord_env, **{"test-imported": "An imported correction."}))
    document["facts"]["9999"] = record("test-new-from-file")
    before = len(store_of(simcord_env).facts())

    asked = await manager.slash(
        channel, "factadmin import", file=("facts.json", json.dumps(document).encode())
    )

    prompt = shown(asked)
    assert asked.ephemeral
    assert f"1 to add, 1 to change, {before - 1} unchanged" in prompt.content
    assert "`test-new-from-file`" in prompt.content and "`test-imported`" in prompt.content
    assert store_of(simcord_env).get("test-imported").version == 1  # nothing yet

    await manager.click(prompt, label="Confirm")

    assert "1 added, 1 changed" in asked.response.content
    store = store_of(simcord_env)
    assert store.get("test-imported").claim == "An imported correction."
    assert store.get("test-new-from-file").added_by == label(manager)
    assert store.history("test-imported")[-1].action == "import"


async def test_import_dry_run_only_counts(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-imported")
    data = await export_bytes(simcord_env, **{"test-imported": "An imported correction."})

    result = await manager.slash(channel, "factadmin import", file=("facts.json", data), dry_run=True)

    assert "Dry run" in text_of(result) and "1 to change" in text_of(result)
    assert "Nothing was changed" in text_of(result)
    assert shown(result).components == []
    assert store_of(simcord_env).get("test-imported").version == 1


async def test_import_question_expires_and_imports_nothing(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await add(manager, channel, "test-imported")
    data = await export_bytes(simcord_env, **{"test-imported": "An imported correction."})
    asked = await manager.slash(channel, "factadmin import", file=("facts.json", data))

    await simcord_env.advance_time(VIEW_TIMEOUT + 1)

    assert asked.response.content == "No answer in time: nothing was imported."
    assert button_labels(asked.response) == []
    assert store_of(simcord_env).get("test-imported").version == 1


async def test_gaps_lists_the_most_asked_unanswered_questions(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    knowledge = simcord_env.bot.knowledge
    for query in ["zebra pancake telescope"] * 3 + ["quantum marmalade"]:
        outcome = knowledge.index.search(query)
        assert not outcome.results
        knowledge.gaps.record(query, outcome)

    result = await manager.slash(channel, "factadmin gaps")

    lines = text_of(result).splitlines()
    assert result.ephemeral
    assert "zebra pancake telescope" in lines[1] and "asked by 1 person, 3×" in lines[1]
    assert "quantum marmalade" in lines[2] and "asked by 1 person, 1×" in lines[2]


# --- who may use it -----------------------------------------------------------------


ALL_COMMANDS = [
    ("add", add_options("test-intruder")),
    ("edit", {"key": "test-target"}),
    ("cite", {"key": "test-target", **{"publisher": "P", "title": "T", "url": "https://example.com/i"}}),
    ("retract", {"key": "test-target", "reason": "Because I can."}),
    ("restore", {"key": "test-target"}),
    ("history", {"key": "test-target"}),
    ("review", {"key": "test-target", "status": "disputed"}),
    ("export", {}),
    ("import", {"file": ("facts.json", b'{"facts": []}')}),
    ("gaps", {}),
    ("synonym add", {"words": "zorgle, drone"}),
    ("synonym remove", {"words": "zorgle, drone"}),
    ("synonym list", {}),
    ("synonym history", {}),
]


@pytest.mark.parametrize(("command", "options"), ALL_COMMANDS, ids=[c for c, _ in ALL_COMMANDS])
async def test_non_moderator_is_refused_privately_and_nothing_changes(
    simcord_env: Env,
    channel: ChannelHandle,
    manager: MemberActor,
    intruder: MemberActor,
    command: str,
    options: dict[str, Any],
    handled_errors: Callable[[], list[type[BaseException]]],
) -> None:
    await add(manager, channel, "test-target")
    store = store_of(simcord_env)
    if command == "cite":
        options = {**options, "published": "2020"}
    before_file = store.path.read_bytes()
    before_history = len(store.history())

    result = await intruder.slash(channel, f"factadmin {command}", **options)

    assert result.ephemeral and result.modal is None
    assert text_of(result).startswith("Only moderators can do this")
    assert result.followups == []
    assert store.path.read_bytes() == before_file
    assert len(store.history()) == before_history
    assert handled_errors() == [NotModerator]  # the group's check, through the tree's handler


async def test_default_permissions_hide_the_group_from_members_without_manage_messages(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, manager: MemberActor
) -> None:
    await simcord_env.bot.tree.sync()
    assert not any(name.startswith("factadmin") for name in staff.available_commands(channel))
    assert "factadmin add" in manager.available_commands(channel)
