"""The bot's settings, read from the environment, and the words that say how to fix a wrong one.

Both ``bot.py`` (the command line) and the cogs use :class:`Settings`, so it
lives here rather than in ``bot.py``: no handler imports ``bot``, and nothing
imports in a cycle. It never imports discord: ``python bot.py ask`` reads the
settings without loading discord.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the project folder, where .env and data/ are
DEFAULT_DB = Path("data/facts.json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_CORRECTION_PACE = 60.0  # seconds between two edits of posted cards, at most
DEFAULT_INDEX_SAVE_DELAY = 5.0  # more than the 2 s a file takes to settle (knowledge.store.disk.stamp)
MAX_INDEX_SAVE_DELAY = 3600.0

# Three base64url parts separated by dots; checked before connecting so a
# placeholder or a pasted "Bot " prefix is caught with a useful message.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}\Z")
GUILD_ID_RE = re.compile(r"^[0-9]{17,20}\Z")

TOKEN_HELP = (
    "To get a bot token: open https://discord.com/developers/applications, choose your "
    "application (or create one), then Bot -> Reset Token, and copy the token. Put it in the "
    f".env file next to bot.py ({ROOT / '.env'}) as\n"
    "    DISCORD_TOKEN=<the token>\n"
    "(see .env.example), or set it in the bot's environment (with Docker Compose: the .env in the "
    "repository's root). Never share or commit the token."
)


GUILD_ID_HELP = (
    "To find it: in Discord turn on User Settings -> Advanced -> Developer Mode, then right-click "
    "the newsroom's server icon -> Copy Server ID, and put it in .env as\n"
    "    NEWSROOM_GUILD_IDS=<the ID>\n"
    "(several servers: IDs separated by commas). The bot answers only there and leaves any other server."
)


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and how to fix it."""


@dataclass(frozen=True)
class Settings:
    token: str | None = field(repr=False)  # never printed, never logged
    facts_db: Path
    # The newsroom's servers: the only ones the bot answers in, publishes commands to, or stays in.
    newsroom_guild_ids: tuple[int, ...]
    moderator_roles: tuple[str, ...]
    log_level: str
    # Where flags and suggestions are posted for moderators; None: only /factadmin queue lists them.
    review_channel_id: int | None = None
    # Seconds between two edits of posted cards by the corrections worker (tests use 0).
    correction_pace: float = 1.0
    # Also log to this file, rotated (LOG_FILE_BYTES, LOG_FILE_BACKUPS); None: stderr only.
    log_file: Path | None = None
    # Seconds the desk is idle after a write before the search index and fast-load file are saved
    # for `ask`, `status` and the next start (knowledge.newsroom.Knowledge.save_delay).
    index_save_delay: float = DEFAULT_INDEX_SAVE_DELAY


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Settings from the environment (after ``.env`` is loaded); raises SettingsError naming the setting.

    A relative FACTS_DB or LOG_FILE is taken relative to the project folder, like ``.env``
    itself, so the bot finds the same database from any working directory.
    """
    token = environ.get("DISCORD_TOKEN", "").strip() or None

    facts_db = project_path(environ.get("FACTS_DB", "").strip() or str(DEFAULT_DB))

    newsroom_guild_ids = guild_ids(environ)

    roles = (part.strip() for part in environ.get("MODERATOR_ROLES", "").split(","))
    moderator_roles = tuple(dict.fromkeys(role for role in roles if role))

    log_level = (environ.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level[:20]!r}.")

    review = environ.get("REVIEW_CHANNEL_ID", "").strip()
    if review and not GUILD_ID_RE.match(review):
        raise SettingsError(
            f"REVIEW_CHANNEL_ID must be a channel's numeric ID (17 to 20 digits), got {review[:40]!r}. "
            "With Developer Mode on, right-click the review channel -> Copy Channel ID; "
            "or leave it empty to see flags and suggestions only in /factadmin queue."
        )

    log_file = environ.get("LOG_FILE", "").strip()

    return Settings(
        token=token,
        facts_db=facts_db,
        newsroom_guild_ids=newsroom_guild_ids,
        moderator_roles=moderator_roles,
        log_level=log_level,
        review_channel_id=int(review) if review else None,
        correction_pace=correction_pace(environ.get("CORRECTION_PACE", "")),
        log_file=project_path(log_file) if log_file else None,
        index_save_delay=index_save_delay(environ.get("INDEX_SAVE_DELAY", "")),
    )


def project_path(value: str) -> Path:
    """A path from a setting; a relative one is taken relative to the project folder."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else ROOT / path


def correction_pace(raw: str) -> float:
    """CORRECTION_PACE: seconds between two edits of posted cards (default 1)."""
    return seconds("CORRECTION_PACE", raw, default=1.0, most=MAX_CORRECTION_PACE)


def index_save_delay(raw: str) -> float:
    """INDEX_SAVE_DELAY: seconds idle after a write before the index is saved (default 5)."""
    return seconds("INDEX_SAVE_DELAY", raw, default=DEFAULT_INDEX_SAVE_DELAY, most=MAX_INDEX_SAVE_DELAY)


def seconds(name: str, raw: str, *, default: float, most: float) -> float:
    """The setting ``name``, a number of seconds from 0 to ``most``; ``default`` if empty."""
    if not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= most:  # also refuses nan and inf
        raise SettingsError(
            f"{name} must be a number of seconds from 0 to {most:g}, "
            f"got {raw.strip()[:20]!r}; leave it empty for {default:g}."
        )
    return value


def guild_ids(environ: Mapping[str, str]) -> tuple[int, ...]:
    """NEWSROOM_GUILD_IDS (comma-separated), plus DISCORD_GUILD_ID, which older set-ups use."""
    named = [
        (name, part.strip())
        for name in ("NEWSROOM_GUILD_IDS", "DISCORD_GUILD_ID")
        for part in environ.get(name, "").split(",")
        if part.strip()
    ]
    for name, raw in named:
        if not GUILD_ID_RE.match(raw):
            raise SettingsError(
                f"{name} must list your newsroom server's numeric ID (17 to 20 digits), "
                f"got {raw[:40]!r}. {GUILD_ID_HELP}"
            )
    return tuple(dict.fromkeys(int(raw) for _name, raw in named))


def token_problem(token: str | None) -> str | None:
    """Why ``token`` cannot be a bot token, without ever repeating it."""
    if token is None:
        return "DISCORD_TOKEN is not set."
    if token.lower().startswith("bot "):
        return "DISCORD_TOKEN starts with 'Bot '; put only the token itself."
    if not TOKEN_RE.match(token):
        return "DISCORD_TOKEN does not look like a bot token (three parts separated by dots)."
    return None
