"""Shared fixtures: the real bot on a copy of the shipped base, inside SimCord's simulated Discord.

``simcord_env`` (from SimCord's pytest plugin) runs the bot built by
``simcord_bot``. The bot publishes its commands to the newsroom's server
``GUILD_ID`` (NEWSROOM_GUILD_IDS) at start, as in production, so tests build
that guild and act in it.
"""

from __future__ import annotations

import dataclasses
import functools
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import discord
import pytest
from simcord import ChannelHandle, Env, GuildHandle, MemberActor

from bot import Settings
from handlers.app import FactBot, create_bot
from handlers.error_replies import user_message
from knowledge.newsroom import Knowledge
from knowledge.store.changes import SHIPPED_BASE

GUILD_ID = 1_100_000_000_000_000_001
MODERATOR_ROLE = "Fact desk"
SETTLE_RECHECK = 0.005  # seconds; SimCord's own default is 0.05


@pytest.fixture(autouse=True, scope="session")
def settle_without_idling() -> Iterator[None]:
    """SimCord settles after every action: it runs the bot's work until every task is parked.
    While one of its own bookkeeping callbacks is queued it waits for a task to finish, up to
    its re-check interval (0.05 s, not a setting of Env), though the callback runs at once and
    no task finishes: some 50 ms of idle wall clock per action, 30 s over the suite. Re-checking
    every 5 ms changes nothing of what counts as settled, or of the deadline."""
    original = Env._settle_internal

    @functools.wraps(original)
    async def settle(self: Env, *, idle: float = SETTLE_RECHECK, **kwargs: Any) -> None:
        await original(self, idle=min(idle, SETTLE_RECHECK), **kwargs)

    Env._settle_internal = settle  # type: ignore[method-assign]
    yield
    Env._settle_internal = original  # type: ignore[method-assign]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where a new, empty database goes: nothing is there yet."""
    return tmp_path / "facts.json"


@pytest.fixture
def facts_db(tmp_path: Path) -> Path:
    """A private copy of the shipped base, so each test may change it."""
    path = tmp_path / "facts.json"
    shutil.copyfile(SHIPPED_BASE, path)
    return path


@pytest.fixture
def settings(facts_db: Path) -> Settings:
    return Settings(
        token=None,
        facts_db=facts_db,
        newsroom_guild_ids=(GUILD_ID,),
        moderator_roles=(MODERATOR_ROLE,),
        log_level="INFO",
        # The pace between edits of posted cards spares Discord's rate limit; in tests it would
        # only add wall-clock sleeps. The test of the pace sets its own.
        correction_pace=0.0,
        # Saved as soon as the desk is idle, so every test runs the save the bot makes after writes.
        index_save_delay=0.0,
    )


@pytest.fixture
def simcord_bot(settings: Settings) -> Iterator[FactBot]:
    bot = create_bot(settings)
    yield bot
    # SimCord detaches the bot without closing it; release the database's writer lock.
    knowledge = getattr(bot, "knowledge", None)
    if knowledge is not None:
        knowledge.close()


@pytest.fixture
def knowledge(simcord_env: Env) -> Knowledge:
    return simcord_env.bot.knowledge


@pytest.fixture
def guild(simcord_env: Env) -> GuildHandle:
    return simcord_env.create_guild("Newsroom", id=GUILD_ID)


@pytest.fixture
def channel(guild: GuildHandle) -> ChannelHandle:
    return guild.create_text_channel("news-desk")


@pytest.fixture
def staff(simcord_env: Env, guild: GuildHandle) -> MemberActor:
    """A reporter: no special permission, no moderator role."""
    return guild.add_member(simcord_env.create_user("reporter"))


@pytest.fixture
def other_staff(simcord_env: Env, guild: GuildHandle) -> MemberActor:
    return guild.add_member(simcord_env.create_user("colleague"))


@pytest.fixture
def moderator(simcord_env: Env, guild: GuildHandle) -> MemberActor:
    """A moderator through the MODERATOR_ROLES role (no Manage Messages)."""
    role = guild.create_role(MODERATOR_ROLE)
    return guild.add_member(simcord_env.create_user("editor"), roles=[role])


@pytest.fixture
def manager(simcord_env: Env, guild: GuildHandle) -> MemberActor:
    """A moderator through the Manage Messages permission (no moderator role)."""
    role = guild.create_role("Channel managers", permissions=discord.Permissions(manage_messages=True))
    return guild.add_member(simcord_env.create_user("manager"), roles=[role])


@pytest.fixture
def handled_errors(simcord_env: Env) -> Callable[[], list[type[BaseException]]]:
    """The types of errors the bot's handler has dealt with so far, unwrapped.

    SimCord fails a test whose bot raised anything; reading the errors here
    acknowledges them, so tests of expected refusals say which they expected.
    """

    def read() -> list[type[BaseException]]:
        return [type(getattr(error, "original", error)) for error in simcord_env.errors]

    return read


@pytest.fixture(autouse=True)
def refusals_are_answers(request: pytest.FixtureRequest) -> Iterator[None]:
    """A refusal the bot words for the user (a knowledge error, a check) is an answer, not a failure.

    Commands raise their refusals to the tree's one error handler (discord.py's
    pattern), and SimCord fails a test whose bot raised anything it did not
    acknowledge. After the test, errors the handler turned into a message for
    the user are acknowledged, only if every one of them is such an error:
    anything unexpected (what gets the apology) still fails the test. Tests that
    care which refusal came read ``handled_errors``.
    """
    if "simcord_env" not in request.fixturenames:
        yield
        return
    env: Env = request.getfixturevalue("simcord_env")  # so this tears down before it
    yield
    pending = env.errors_since(env._errors_acknowledged)
    if all(user_message(getattr(error, "original", error)) is not None for error in pending):
        env.errors  # noqa: B018 - reading acknowledges what was captured so far


@pytest.fixture
async def restart(simcord_env: Env, settings: Settings) -> AsyncIterator[Callable[..., Any]]:
    """Stop the bot (releasing the database) and start a new one on the same file and servers.

    ``meanwhile``: run while no bot is running (like a change made from the command line).
    ``changes``: settings the new bot starts with instead (they stay for later restarts).
    """
    started: list[FactBot] = []
    current = [settings]

    async def again(meanwhile: Callable[[], Awaitable[None]] | None = None, **changes: Any) -> FactBot:
        current[0] = dataclasses.replace(current[0], **changes)
        await simcord_env.settle()
        simcord_env.bot.knowledge.close()
        if meanwhile is not None:
            await meanwhile()
        bot = create_bot(current[0])
        started.append(bot)
        await simcord_env.restart_bot(bot)
        return bot

    yield again
    for bot in started:
        bot.knowledge.close()
