"""The Discord bot itself: the client, its start-up, and ``python bot.py`` / ``python bot.py sync``.

Kept apart from ``bot.py`` so the offline commands (``ask``, ``check``,
``import``, ``export``) never import discord: ``bot.py`` imports this module
only when it is about to talk to Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING, Any, NoReturn, cast

import aiohttp
import discord
from discord.ext import commands, tasks

from handlers.buttons import DeskButton, answer_unknown_component, kept
from handlers.checks import NewsroomTree
from handlers.views import PageButton
from knowledge.health import HEARTBEAT_EVERY, Heartbeat
from knowledge.newsroom import Knowledge, open_knowledge
from knowledge.process import long_lived_objects

if TYPE_CHECKING:
    from handlers.settings import Settings

log = logging.getLogger("factdesk")

EXTENSIONS = (
    "handlers.lookup",
    "handlers.admin",
    "handlers.corrections",  # a background worker: no commands
    "handlers.help",
    "handlers.review",
)
# What ``sync`` loads: the cogs with commands.
COMMAND_EXTENSIONS = tuple(name for name in EXTENSIONS if name != "handlers.corrections")


class StartupError(Exception):
    """The bot cannot start or sync; the message says what to check. ``bot.py`` prints it."""


class NoDatabase:
    """The database's stand-in in ``python bot.py sync``, which publishes commands and runs none.

    Anything that reads the database there is a bug, and says so.
    """

    def __getattr__(self, name: str) -> NoReturn:
        raise RuntimeError(f"python bot.py sync opens no database; nothing may use its {name!r}")

    def close(self) -> None:
        """Nothing was opened."""


class FactBot(commands.Bot):
    """The Discord bot. ``serve=False`` builds only the command tree (for ``sync``)."""

    knowledge: Knowledge  # set by open_database, before the cogs are loaded
    tree: NewsroomTree

    def __init__(self, settings: Settings, *, serve: bool = True) -> None:
        # The bot never joins voice: discord.py's start-up warnings that the voice libraries
        # (PyNaCl, davey) are missing would only worry whoever reads the log.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        intents = discord.Intents.none()
        intents.guilds = True  # slash commands need nothing else; no message content
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=NewsroomTree,
        )
        self.settings = settings
        self.serve = serve
        self.button_kinds: list[type[DeskButton]] = []
        self.tree.settings = settings
        # For `bot.py status`: when this process last heard from Discord (see knowledge.health).
        self.heartbeat = Heartbeat(settings.facts_db)
        self.connected = False
        self._heartbeat_order = asyncio.Lock()  # one write at a time, so the last state is the one kept

    def open_database(self) -> None:
        """Open the fact database (taking its writer lock), once.

        ``python bot.py`` calls it before logging in: a database held by another
        bot, or corrupt, stops start-up with its message without touching the network.
        """
        if getattr(self, "knowledge", None) is None:
            self.knowledge = open_knowledge(self.settings.facts_db, save_delay=self.settings.index_save_delay)

    async def setup_hook(self) -> None:
        if not self.serve:
            await self.add_definitions_only()
            return
        self.open_database()  # already open unless the bot was started without serve() (tests)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        # A new bot starts with nothing kept, as a new process would (tests run several bots in one).
        kept.clear()
        self.add_dynamic_items(PageButton)  # the cogs add their own buttons
        await self.publish_commands()
        self.keep_heartbeat.start()

    async def add_definitions_only(self) -> None:
        """The cogs' commands, for ``sync`` to publish, without opening the database.

        discord.py builds a cog's commands when the cog is made, so the cogs
        are made as usual, by their extensions' ``setup``, with
        :class:`NoDatabase` standing for the database: no command runs in a
        ``sync`` process, and the database may be held by the running bot.
        """
        self.knowledge = cast("Knowledge", NoDatabase())
        for extension in COMMAND_EXTENSIONS:
            await self.load_extension(extension)

    async def publish_commands(self) -> int:
        """The commands as guild commands of each newsroom server, and of no other (never global)."""
        for guild_id in self.settings.newsroom_guild_ids:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.Forbidden as error:
                raise StartupError(
                    f"Discord refused to register commands in server {guild.id}: the bot is not in that "
                    "server, or was invited without the applications.commands scope. Check "
                    "NEWSROOM_GUILD_IDS and invite the bot again (see README)."
                ) from error
            log.info("Published %d commands to newsroom server %s", len(synced), guild.id)
        return len(self.tree.get_commands())

    async def leave_if_foreign(self, guild: discord.Guild) -> None:
        if guild.id in self.settings.newsroom_guild_ids:
            return
        log.warning(
            "Leaving server %s (%s): it is not in NEWSROOM_GUILD_IDS. "
            "Turn off Public Bot in the Developer Portal so nobody else can add the bot.",
            guild.id,
            guild.name,
        )
        await guild.leave()

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.leave_if_foreign(guild)

    @tasks.loop(seconds=HEARTBEAT_EVERY)
    async def keep_heartbeat(self) -> None:
        await self.write_heartbeat()

    async def write_heartbeat(self) -> None:
        try:
            async with self._heartbeat_order:
                await asyncio.to_thread(self.heartbeat.beat, connected=self.connected, ready=self.is_ready())
        except OSError as error:
            log.warning("Could not write the heartbeat %s: %s", self.heartbeat.path, error)

    async def on_connect(self) -> None:
        self.connected = True
        await self.write_heartbeat()

    async def on_resumed(self) -> None:
        self.connected = True
        await self.write_heartbeat()

    async def on_disconnect(self) -> None:
        self.connected = False
        await self.write_heartbeat()

    async def on_ready(self) -> None:
        await self.write_heartbeat()
        # Servers joined while the bot was offline, or before the list existed.
        for guild in list(self.guilds):
            await self.leave_if_foreign(guild)

    def add_dynamic_items(self, *items: type[discord.ui.DynamicItem[Any]]) -> None:
        """Register buttons that work after a restart, and remember them for the catch-all below."""
        super().add_dynamic_items(*items)
        self.button_kinds += [item for item in items if issubclass(item, DeskButton)]

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        # Runs for every interaction, besides its handler; answers only what nothing else will.
        await answer_unknown_component(interaction, self.button_kinds)

    async def close(self) -> None:
        self.keep_heartbeat.cancel()
        await super().close()
        knowledge = getattr(self, "knowledge", None)
        if knowledge is not None:
            knowledge.close()


def create_bot(settings: Settings) -> FactBot:
    return FactBot(settings)


async def serve(settings: Settings) -> None:
    assert settings.token is not None
    async with create_bot(settings) as bot:
        # A service manager stops the bot with SIGTERM: unwind like Ctrl+C, so the
        # bot closes and the database's writer lock is released.
        runner = asyncio.current_task()
        assert runner is not None
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, runner.cancel)
        with long_lived_objects():  # the process-wide GC policy, set here and nowhere else
            bot.open_database()
        await bot.start(settings.token)


async def sync(settings: Settings) -> int:
    """Publish the commands to the newsroom's servers, and withdraw any published globally before.

    Global commands would show in every server the bot was ever in; an older
    version of this command published them.
    """
    assert settings.token is not None
    async with FactBot(settings, serve=False) as bot:
        await bot.login(settings.token)
        count = await bot.publish_commands()
        bot.tree.clear_commands(guild=None)
        await bot.tree.sync()
    servers = ", ".join(map(str, settings.newsroom_guild_ids))
    print(f"Published {count} commands to the newsroom server(s) {servers}; none globally.")
    return 0


def run(settings: Settings, command: str) -> int:
    """``python bot.py`` (command "run") or ``python bot.py sync``; Discord's failures as StartupError.

    Logging is set up by the entry point (``bot.setup_logging``) before this runs.
    """
    try:
        if command == "sync":
            return asyncio.run(sync(settings))
        asyncio.run(serve(settings))
    except discord.LoginFailure as error:
        raise StartupError(
            "Discord refused the token in DISCORD_TOKEN (it is wrong or was reset)."
        ) from error
    except (aiohttp.ClientError, TimeoutError) as error:
        # discord.py lets network errors of the login request through as they are.
        raise StartupError(
            f"Could not reach Discord to log in ({error}). Check this machine's internet "
            "connection, proxy and firewall, then start the bot again."
        ) from error
    except (KeyboardInterrupt, asyncio.CancelledError):
        log.info("Stopped.")
    return 0
