"""/factadmin with bad input: each refused with a message naming the field, nothing saved.

And text that looks like a ping (``@everyone``, role mentions) is stored as typed
but never pings anyone.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from simcord import ChannelHandle, Env, MemberActor, OptionError

from knowledge.store.changes import FactStore
from tests.helpers.store_facts import record
from tests.test_admin import SOURCE, add, add_options, callbacks, shown, store_of, text_of

pytestmark = pytest.mark.simcord(strict_sync=False)

HOSTILE_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "ftp://example.com/file",
    "https://exa mple.com/page",
    "https://localhost/page",
]


class Unchanged:
    """The database file and history as they were; compare after an attempt."""

    def __init__(self, store: FactStore) -> None:
        self.store = store
        self.file = store.path.read_bytes()
        self.history = len(store.history())

    def __bool__(self) -> bool:
        return self.store.path.read_bytes() == self.file and len(self.store.history()) == self.history


@pytest.fixture
async def target(channel: ChannelHandle, manager: MemberActor) -> str:
    await add(manager, channel, "test-target")
    return "test-target"


# --- add ---------------------------------------------------------------------


@pytest.mark.parametrize("url", HOSTILE_URLS)
async def test_add_refuses_a_link_that_is_not_a_web_page(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, url: str
) -> None:
    unchanged = Unchanged(store_of(simcord_env))
    result = await add(manager, channel, "test-bad-link", source_url=url)
    assert result.ephemeral
    assert text_of(result).startswith("Nothing was saved")
    assert "• `source_url`: must" in text_of(result)
    assert unchanged


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"claim": "   "}, "• `claim`: must not be empty"),
        ({"key": "Bad Key!"}, "• `key`: must be 3-64 characters"),
        ({"key": "-dash-first"}, "• `key`: must be 3-64 characters"),
        ({"published": "March 2020"}, "• `published`: must be an ISO date"),
        ({"period": "2020-2016"}, "• `period`: a range of years must run forwards"),
        ({"aliases": "fine, " + "x" * 201}, "• `aliases (entry 2)`: is 201 characters; at most 200"),
        ({"tags": ",".join(f"t{i}" for i in range(21))}, "• `tags`: has 21 entries"),
        ({"claim": "Looks fine \u202eeulav"}, "• `claim`: contains a control character (U+202E)"),
        ({"publisher": "  "}, "• `publisher`: must not be empty"),
    ],
)
async def test_add_names_each_field_at_fault(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, fields: dict[str, Any], named: str
) -> None:
    unchanged = Unchanged(store_of(simcord_env))
    result = await manager.slash(channel, "factadmin add", **(add_options("test-bad-field") | fields))
    assert named in text_of(result)
    assert result.ephemeral and unchanged


async def test_add_names_every_field_at_fault_at_once(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    result = await add(manager, channel, "test-bad", claim=" ", source_url="file:///x", published="soon")
    lines = text_of(result).splitlines()
    assert [line.split("`")[1] for line in lines[1:]] == ["claim", "source_url", "published"]


async def test_over_long_claim_is_refused_by_discord_itself(
    channel: ChannelHandle, manager: MemberActor
) -> None:
    # The option's length limit is a hint Discord enforces for real clients; the bot
    # checks again (see test_admin_forged for a client that ignores the hint).
    with pytest.raises(OptionError, match="at most 1000"):
        await manager.slash(channel, "factadmin add", **add_options("test-long", claim="x" * 1001))


# --- mentions --------------------------------------------------------------------

PINGS = "@everyone @here <@&1100000000000000001> <@1100000000000000002> <#1100000000000000003>"


def sent_bodies(env: Env, since: int) -> list[dict[str, Any]]:
    """Every message body the bot sent (responses, follow-ups, edits) since request ``since``."""
    bodies = []
    for request in env.http_requests[since:]:
        body = request.json or {}
        if request.path.endswith("/callback"):
            body = body.get("data") or {}
        if "content" in body or "embeds" in body:
            bodies.append(body)
    return bodies


async def test_mentions_are_stored_as_typed_and_never_ping(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    start = len(simcord_env.http_requests)

    result = await add(
        manager,
        channel,
        "test-pings",
        claim=f"Claim {PINGS}",
        aliases="@everyone, <@&1100000000000000001>",
        details=f"Details {PINGS}",
        caveats=f"Caveats {PINGS}",
    )
    await manager.slash(channel, "factadmin retract", key="test-pings", reason=f"Reason {PINGS}")
    history = await manager.slash(channel, "factadmin history", key="test-pings")

    assert text_of(result) == "Added `test-pings`."
    fact = store_of(simcord_env).get("test-pings")
    assert fact.claim == f"Claim {PINGS}"
    assert fact.aliases == ("@everyone", "<@&1100000000000000001>")
    assert fact.details == f"Details {PINGS}" and fact.caveats == f"Caveats {PINGS}"
    assert fact.retraction_reason == f"Reason {PINGS}"
    assert "@everyone" in history.response.embeds[0].description
    bodies = sent_bodies(simcord_env, start)
    assert bodies and all(body.get("allowed_mentions") == {"parse": []} for body in bodies)
    for message in (shown(result).message, history.response.message):
        assert not message.mention_everyone and message.role_mentions == [] and message.mentions == []


async def test_mentions_in_an_edit_form_are_stored_as_typed(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, target: str
) -> None:
    form = await manager.slash(channel, "factadmin edit", key=target)
    start = len(simcord_env.http_requests)
    saved = await manager.submit_modal(form, {"claim": f"Edited {PINGS}", "aliases": "@here\n<@&1>"})
    assert text_of(saved).startswith("Saved")
    fact = store_of(simcord_env).get(target)
    assert (fact.claim, fact.aliases) == (f"Edited {PINGS}", ("@here", "<@&1>"))
    assert all(body.get("allowed_mentions") == {"parse": []} for body in sent_bodies(simcord_env, start))


# --- edit form -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"claim": "    "}, "• `Claim`: must not be empty"),
        (
            {"claim": "Fine.", "aliases": "ok\n" + "y" * 250},
            "• `Aliases (entry 2)`: is 250 characters; at most 200",
        ),
        (
            {"claim": "Fine.", "details": "Bad \x00 byte"},
            "• `Details`: contains a control character (U+0000)",
        ),
    ],
)
async def test_edit_form_names_the_box_at_fault_and_saves_nothing(
    simcord_env: Env,
    channel: ChannelHandle,
    manager: MemberActor,
    target: str,
    values: dict[str, str],
    named: str,
) -> None:
    form = await manager.slash(channel, "factadmin edit", key=target)
    unchanged = Unchanged(store_of(simcord_env))
    refused = await manager.submit_modal(form, values)
    assert named in text_of(refused)
    assert unchanged


# --- cite, retract --------------------------------------------------------------


@pytest.mark.parametrize("url", HOSTILE_URLS[:4])
async def test_cite_refuses_a_link_that_is_not_a_web_page(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, target: str, url: str
) -> None:
    unchanged = Unchanged(store_of(simcord_env))
    result = await manager.slash(
        channel, "factadmin cite", key=target, publisher="P", title="T", url=url, published="2020"
    )
    assert "• `url`: must" in text_of(result)
    assert unchanged


async def test_cite_refuses_a_link_already_cited_and_an_eleventh_source(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, target: str
) -> None:
    def cite(n: int) -> Any:
        url = f"https://example.com/more/{n}"
        return manager.slash(
            channel, "factadmin cite", key=target, publisher="P", title="T", url=url, published="2020"
        )

    assert "• `url`: is already cited" in text_of(
        await manager.slash(
            channel,
            "factadmin cite",
            key=target,
            publisher="P",
            title="T",
            published="2020",
            url=SOURCE["source_url"],
        )
    )
    for n in range(9):
        assert "now" in text_of(await cite(n))
    refused = await cite(99)
    assert "• `sources`: already has 10 citations" in text_of(refused)
    assert len(store_of(simcord_env).get(target).sources) == 10


async def test_retract_needs_a_reason(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, target: str
) -> None:
    result = await manager.slash(channel, "factadmin retract", key=target, reason="   ")
    assert "• `reason`: must not be empty" in text_of(result)
    assert not store_of(simcord_env).get(target).retracted


# --- import --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "`bad.json` is not valid JSON: Expecting property name"),
        (b"\x80\x81 not text", "`bad.json` is not UTF-8 text"),
        (b'{"rows": []}', "`bad.json` does not hold facts in a shape this tool reads"),
        (b"42", "`bad.json` does not hold facts"),
        (
            json.dumps([record("test-import-ok"), record("test-import-bad") | {"claim": ""}]).encode(),
            "(import record 2 (`test-import-bad`)). Please fix:\n• `claim`: must not be empty",
        ),
        (
            json.dumps(
                [record("test-js") | {"sources": [{"publisher": "P", "url": "javascript:alert(1)"}]}]
            ).encode(),
            "• `sources[0].url`: must be an http:// or https:// link",
        ),
        (
            json.dumps([record("test-twice"), record("test-twice")]).encode(),
            "(import record 2 (`test-twice`)). Please fix:\n"
            "• `key`: is used again (first by import record 1)",
        ),
    ],
)
async def test_a_bad_import_file_is_refused_and_nothing_changes(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, data: bytes, message: str
) -> None:
    unchanged = Unchanged(store_of(simcord_env))
    result = await manager.slash(channel, "factadmin import", file=("bad.json", data))
    assert message in text_of(result)
    assert "Nothing was changed" in text_of(result)
    assert shown(result).components == []  # no Confirm to press
    assert "/tmp" not in text_of(result)  # the upload's name, not where the bot put it
    assert unchanged


async def test_an_import_file_over_the_limit_is_refused_before_reading(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The module the bot loaded as an extension (discord.py imports it afresh).
    monkeypatch.setattr(sys.modules["handlers.admin.files"], "IMPORT_MAX_BYTES", 100)
    start = len(simcord_env.http_requests)
    unchanged = Unchanged(store_of(simcord_env))
    result = await manager.slash(channel, "factadmin import", file=("big.json", b"[" + b" " * 200 + b"]"))
    assert "`big.json` is 202 bytes; at most 100" in text_of(result)
    assert callbacks(simcord_env, start) == [4]  # answered at once, nothing downloaded
    assert unchanged


async def test_an_import_shows_the_warnings_check_gives_and_still_applies(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    says = record("test-first-fact")
    data = json.dumps(
        [says, record("test-near-copy", claim=says["claim"].replace("says", "states"))]
    ).encode()
    warned = "`test-first-fact` and `test-near-copy` make nearly the same claim"

    dry = await manager.slash(channel, "factadmin import", file=("near.json", data), dry_run=True)
    assert warned in text_of(dry) and "Nothing was changed" in text_of(dry)
    asked = await manager.slash(channel, "factadmin import", file=("near.json", data))
    assert warned in text_of(asked) and "Apply this import?" in text_of(asked)
    await manager.click(shown(asked), label="Confirm")
    assert store_of(simcord_env).get("test-near-copy").claim.count("states") == 1


async def test_an_import_with_nothing_new_asks_nothing(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    data = await store_of(simcord_env).export_json()
    result = await manager.slash(channel, "factadmin import", file=("same.json", data))
    assert "0 to add, 0 to change" in text_of(result) and "Nothing to import" in text_of(result)
    assert shown(result).components == []


async def test_a_retracted_fact_in_the_file_stays_retracted(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    incoming = record("test-withdrawn") | {
        "retracted_at": "2026-01-01T00:00:00+00:00",
        "retraction_reason": "x",
    }
    asked = await manager.slash(channel, "factadmin import", file=("f.json", json.dumps([incoming]).encode()))
    await manager.click(shown(asked), label="Confirm")
    assert store_of(simcord_env).get("test-withdrawn").retracted
