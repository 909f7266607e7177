"""Hostile input, property-based: every field of add, edit, cite and import, and every query.

Whatever text arrives (bidi overrides, zero-width and control characters, NUL,
lone surrogates, emoji, 10,000 characters, markdown, @everyone, role, user and
channel mentions), the outcome is one of two:

- a clear rejection: ``InvalidFact`` naming the field, and nothing written
  (file bytes, history and memory unchanged);
- or the text stored exactly (as validation normalises it: stripped; tags in
  lower case), read back the same from disk, and shown within Discord's
  limits without pinging anyone.

Never an unhandled exception, never a partial write. Hypothesis is
deterministic here; FACTDESK_HYPOTHESIS=thorough runs many more examples:

    FACTDESK_HYPOTHESIS=thorough python -m pytest tests/test_hostile.py
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simcord import ChannelHandle, Env, GuildHandle, MemberActor

from handlers import render
from handlers.error_replies import user_message
from handlers.lookup import no_match_text
from handlers.render import choice_name, citation_line, fact_embed
from knowledge.desk.gaps import QueryLog
from knowledge.errors import InvalidFact, KnowledgeError
from knowledge.model import KEY_RE, Actor, Fact, parse_facts
from knowledge.search.index import SearchIndex
from knowledge.store.changes import FactStore
from knowledge.store.transfer import load_document
from tests.helpers.store_facts import record
from tests.test_admin import shown, store_of, text_of
from tests.test_render import assert_within_limits

settings.register_profile("factdesk-ci", max_examples=40, deadline=None, derandomize=True, database=None)
settings.register_profile(
    "factdesk-thorough", max_examples=2000, deadline=None, derandomize=True, database=None
)
PROFILE = settings.get_profile(f"factdesk-{os.environ.get('FACTDESK_HYPOTHESIS', 'ci')}")

pytestmark = pytest.mark.simcord(strict_sync=False)

MODERATOR = Actor("303", "hostile.tester")

# Real ids are filled in where a ping could actually land (the SimCord test).
ROLE_ID, USER_ID, CHANNEL_ID = 1_100_000_000_000_000_777, 1_100_000_000_000_000_778, 1_100_000_000_000_000_779
PIECES = [
    *("\u202e", "\u202d", "\u2066", "\u2069", "\u200f"),  # bidi overrides, isolates, RTL mark
    *("\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad"),  # zero-width and invisible
    *("\x00", "\x07", "\x1b[31m", "\r", "\n", "\t", "\x85", "\ud800", "\udfff"),  # control, lone surrogates
    *("😀", "👨\u200d👩\u200d👧", "🇮🇱", "e\u0301", "עובדה", "أوفدا", "ﬁ", "\u3000", "\xa0"),
    *("**bold**", "__u__", "~~s~~", "`code`", "```py\nx\n```", "||spoiler||", "> quote", "# Big", "-# tiny"),
    *("[link](https://evil.example/)", "<https://evil.example>", "\\", "*", "_", "](", ")"),
    *("@everyone", "@here", "<@&{role}>", "<@{user}>", "<@!{user}>", "<#{channel}>", "</facts:1>", "<t:0:R>"),
    *("javascript:alert(1)", "https://example.com/fine", "2023", "2016-2020", "verified", "-", " "),
]


def fill_ids(text: str, role: int = ROLE_ID, user: int = USER_ID, channel: int = CHANNEL_ID) -> str:
    return text.replace("{role}", str(role)).replace("{user}", str(user)).replace("{channel}", str(channel))


pieces = st.sampled_from(PIECES).map(fill_ids)
hostile_text = st.one_of(
    st.lists(st.one_of(pieces, st.text(max_size=6)), min_size=1, max_size=12).map("".join),
    pieces.map(lambda piece: (piece * 10_000)[:10_000]),
    st.text(max_size=300),
)

# Where a value can go in an added fact, by the name validation uses for it.
FACT_FIELDS = ["key", "claim", "details", "caveats", "status", "period", "aliases[0]", "tags[0]"]
SOURCE_FIELDS = ["publisher", "title", "url", "published", "kind", "quote"]
ADD_FIELDS = FACT_FIELDS + [f"sources[0].{name}" for name in SOURCE_FIELDS]
EDIT_FIELDS = ["claim", "details", "caveats", "status", "period", "aliases", "tags"]


def put(data: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """``data`` with ``value`` placed at ``field`` (like ``sources[0].url`` or ``aliases[0]``)."""
    data = json.loads(json.dumps(data))
    if field.startswith("sources[0]."):
        data["sources"][0][field.removeprefix("sources[0].")] = value
    elif field.endswith("[0]"):
        data[field.removesuffix("[0]")] = [value]
    else:
        data[field] = value
    return data


def stored_value(fact: Fact, field: str) -> Any:
    if field.startswith("sources[0]."):
        return getattr(fact.sources[0], field.removeprefix("sources[0]."))
    if field.endswith("[0]"):
        return getattr(fact, field.removesuffix("[0]"))[0]
    return getattr(fact, field)


def expected(field: str, value: str) -> str:
    """What validation keeps of an accepted value."""
    return value.strip().lower() if field.startswith("tags") else value.strip()


def names(error: InvalidFact, field: str) -> bool:
    """Whether the rejection names ``field`` (a source field may be named as ``source.<name>``)."""
    wanted = {field, field.replace("sources[0].", "source.")}
    return any(p.field in wanted or p.field.startswith(f"{field}[") for p in error.problems)


def assert_shown_within_limits(fact: Fact) -> None:
    assert_within_limits(fact_embed(fact))
    assert_within_limits(fact_embed(fact, note="Match 2 of 5 for “@everyone”"))
    assert len(citation_line(fact)) <= render.MESSAGE_LIMIT
    assert 1 <= len(choice_name(fact)) <= render.CHOICE_NAME_LIMIT


@contextmanager
def fresh_store() -> Iterator[FactStore]:
    """A store holding one fact, ``test-existing``, in a folder of its own."""
    with tempfile.TemporaryDirectory() as folder:
        store = FactStore.open(Path(folder) / "facts.json", seed=None)
        try:
            asyncio.run(store.add(record("test-existing"), MODERATOR))
            yield store
        finally:
            store.close()


def on_disk(store: FactStore) -> tuple[bytes, bytes, list[Fact]]:
    history = Path(f"{store.path}.history.jsonl")
    return store.path.read_bytes(), history.read_bytes(), store.facts(include_retracted=True)


def reread(store: FactStore, key: str) -> Fact:
    """The fact as a restarted bot would load it from the file."""
    store.close()
    with FactStore.open(store.path, seed=None) as again:
        return again.get(key)


def refused_without_a_trace(store: FactStore, before: tuple[bytes, bytes, list[Fact]], error: Any) -> None:
    assert str(error)  # a message to show
    assert on_disk(store) == before


# --- the knowledge layer: every entry point, many examples ---------------------------------------


@settings(PROFILE)
@given(field=st.sampled_from(ADD_FIELDS), value=hostile_text)
def test_add_refuses_naming_the_field_or_stores_exactly(field: str, value: str) -> None:
    with fresh_store() as store:
        before = on_disk(store)
        data = put(record("test-hostile"), field, value)
        try:
            fact = asyncio.run(store.add(data, MODERATOR))
        except InvalidFact as error:
            assert names(error, field), (field, str(error))
            refused_without_a_trace(store, before, error)
            return
        assert stored_value(fact, field) == expected(field, value)
        assert len(store.history()) == 2
        assert_shown_within_limits(fact)
        assert reread(store, fact.key) == fact


@settings(PROFILE)
@given(field=st.sampled_from(EDIT_FIELDS), value=hostile_text, as_list=st.booleans())
def test_edit_refuses_naming_the_field_or_stores_exactly(field: str, value: str, as_list: bool) -> None:
    listed = field in ("aliases", "tags")
    change: Any = [value] if listed or as_list else value
    with fresh_store() as store:
        before = on_disk(store)
        try:
            fact = asyncio.run(
                store.edit("test-existing", {field: change}, expected_version=1, actor=MODERATOR)
            )
        except InvalidFact as error:
            assert names(error, field), (field, str(error))
            refused_without_a_trace(store, before, error)
            return
        assert listed or not as_list, "a list was accepted where text belongs"
        got = stored_value(fact, f"{field}[0]" if listed else field)
        assert got == expected(field, value)
        assert fact.version == 2 and [e.action for e in store.history("test-existing")] == ["add", "edit"]
        assert_shown_within_limits(fact)
        assert reread(store, fact.key) == fact


@settings(PROFILE)
@given(field=st.sampled_from(SOURCE_FIELDS), value=hostile_text)
def test_cite_refuses_naming_the_field_or_stores_exactly(field: str, value: str) -> None:
    source = put(record("test-cited"), f"sources[0].{field}", value)["sources"][0]
    with fresh_store() as store:
        before = on_disk(store)
        try:
            fact = asyncio.run(store.cite("test-existing", source, actor=MODERATOR))
        except InvalidFact as error:
            assert names(error, f"sources[0].{field}"), (field, str(error))
            refused_without_a_trace(store, before, error)
            return
        assert getattr(fact.sources[-1], field) == expected(field, value)
        assert_shown_within_limits(fact)
        assert reread(store, fact.key) == fact


@settings(PROFILE)
@given(field=st.sampled_from(ADD_FIELDS), value=hostile_text, ascii_file=st.booleans())
def test_import_file_refuses_naming_record_and_field_or_imports_all_exactly(
    field: str, value: str, ascii_file: bool
) -> None:
    records = [record("test-import-one"), put(record("test-import-two"), field, value)]
    records.append(record("test-import-3"))
    with fresh_store() as store:
        before = on_disk(store)
        upload = store.path.with_name("upload.json")
        # Raw UTF-8 or \u escapes; raw, a lone surrogate can only be bytes that are not UTF-8.
        text = json.dumps({"facts": records}, ensure_ascii=ascii_file)
        upload.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        try:
            report = asyncio.run(store.import_records(load_document(upload), MODERATOR))
        except InvalidFact as error:
            key = records[1].get("key")  # named by its key too, when that is a valid key
            named = f" (`{key}`)" if isinstance(key, str) and KEY_RE.fullmatch(key) else ""
            assert error.record == f"import record 2{named}", str(error)
            assert names(error, field), (field, str(error))
            refused_without_a_trace(store, before, error)
            return
        except KnowledgeError as error:
            assert not ascii_file and f"{upload} is not UTF-8 text" in str(error)
            refused_without_a_trace(store, before, error)
            return
        key = records[1]["key"].strip() if field == "key" else "test-import-two"
        assert sorted(report.added) == sorted(["test-import-one", key, "test-import-3"])
        fact = store.get(key)
        assert stored_value(fact, field) == expected(field, value)
        assert_shown_within_limits(fact)
        assert reread(store, key) == fact


_INDEX: list[SearchIndex] = []


def shipped_index() -> SearchIndex:
    if not _INDEX:
        with tempfile.TemporaryDirectory() as folder, FactStore.open(Path(folder) / "f.json") as store:
            _INDEX.append(SearchIndex(store.facts()))
    return _INDEX[0]


@settings(PROFILE)
@given(query=hostile_text)
def test_any_query_is_answered_within_limits_and_logged(query: str) -> None:
    index = shipped_index()
    outcome = index.search(query, limit=10)
    choices = index.autocomplete(query, limit=25)

    assert len(outcome.results) <= 10
    assert len(choices) <= 25
    for hit in (*outcome.results, *outcome.suggestions, *choices):
        assert 0 <= hit.score <= 100
        assert 1 <= len(choice_name(hit.fact)) <= render.CHOICE_NAME_LIMIT
    if not outcome.problem and not outcome.results:
        assert len(no_match_text(query, outcome)) <= render.MESSAGE_LIMIT
    with tempfile.TemporaryDirectory() as folder:
        log = QueryLog(Path(folder) / "queries.jsonl")
        log.record(query, outcome)  # never raises: a lookup must not fail on its log
        assert QueryLog(log.path).ranked() == log.ranked()


# --- the real replies, through the simulated Discord: fewer examples --------------------------------

# /factadmin add's text options and the longest text Discord lets each carry.
ADD_OPTIONS = {
    "key": 100,
    "claim": 1000,
    "publisher": 200,
    "source_title": 200,
    "source_url": 500,
    "published": 10,
    "aliases": 4000,
    "tags": 4000,
    "period": 10,
    "details": 3000,
    "caveats": 1000,
}
SCALAR_OPTIONS = {"claim": "claim", "details": "details", "caveats": "caveats", "period": "period"}
SIMCORD_PROFILE = settings(
    PROFILE,
    max_examples=max(8, PROFILE.max_examples // 5),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fit(text: str, limit: int) -> str:
    """What a Discord client can send in an option of at most ``limit`` characters (never empty)."""
    return text[:limit] or "x"


def no_pings(env: Env) -> None:
    for messages in env.backend.messages.values():
        for message in messages.values():
            pinged = (message.ping_user_ids, message.ping_role_ids, message.mention_everyone)
            assert pinged == ([], [], False), message.content


@SIMCORD_PROFILE
@given(data=st.data())
async def test_hostile_text_through_discord_is_refused_or_shown_and_never_pings(
    simcord_env: Env,
    guild: GuildHandle,
    channel: ChannelHandle,
    manager: MemberActor,
    staff: MemberActor,
    data: st.DataObject,
) -> None:
    role = guild.roles.get("Night desk") or guild.create_role("Night desk", mentionable=True)
    ids = {"role": role.id, "user": staff.id, "channel": channel.id}
    text = hostile_text.map(lambda t: fill_ids(t, **ids))
    store = store_of(simcord_env)
    errors = simcord_env.error_cursor
    key = f"test-hostile-{len(store.facts(include_retracted=True))}"

    option = data.draw(st.sampled_from(list(ADD_OPTIONS)), label="option")
    value = fit(data.draw(text, label="value"), ADD_OPTIONS[option])
    options = {
        "key": key,
        "claim": record(key)["claim"],
        "publisher": "Example Wire",
        "source_title": "A report",
        "source_url": f"https://example.com/{key}",
        "published": "2020",
    } | {option: value}
    added = await manager.slash(channel, "factadmin add", **options)
    if "Add it anyway?" in text_of(added):
        await manager.click(shown(added), label="Confirm")
    reply = text_of(added)
    assert reply.startswith(("Added `", "Nothing was saved", "A fact with the key")), reply

    if reply.startswith("Added `"):
        fact = store.get(options["key"].strip())
        if option in SCALAR_OPTIONS:
            assert getattr(fact, SCALAR_OPTIONS[option]) == value.strip()
        await simcord_env.advance_time(31)  # past /facts' per-user cooldown
        answer = await staff.slash(channel, "facts", query=fact.key)
        assert answer.response.embeds[0].footer.text.startswith(f"key: {fact.key}")
        await staff.click(answer.response, label="Cite")
        form = await manager.slash(channel, "factadmin edit", key=fact.key)
        claim = fit(data.draw(text, label="edited claim"), 1000)
        edited = text_of(await manager.submit_modal(form, {"claim": claim}))
        assert edited.startswith(("Saved `", "Nothing was saved", "No changes")), edited

    mentions = f"@everyone @here <@&{role.id}> <@{staff.id}> <#{channel.id}> "
    query = fit(mentions + data.draw(text, label="query"), 200)
    await simcord_env.advance_time(31)
    await staff.slash(channel, "facts", query=query)
    await staff.autocomplete(channel, "facts", "query", query)

    # Refusals reach the tree's one handler as errors; every one must be worded for the user.
    unexpected = [
        e for e in simcord_env.errors_since(errors) if user_message(getattr(e, "original", e)) is None
    ]
    assert unexpected == []
    no_pings(simcord_env)
    facts, problems = parse_facts(load_document(store.path))
    assert problems == [] and {f.key for f in facts} == {f.key for f in store.facts(include_retracted=True)}
