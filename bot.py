"""Fact desk: the newsroom's cited-fact bot — settings, wiring and the command line.

``python bot.py`` runs the Discord bot, in the newsroom's servers only
(NEWSROOM_GUILD_IDS). The other commands work on the fact base without Discord
(``ask``, ``check``, ``export``, ``import``), except ``sync``, which publishes
the slash commands to those servers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

from handlers.text import STATUS_TITLES, source_text, visible
from knowledge.duplicates import duplicate_warnings
from knowledge.errors import KnowledgeError
from knowledge.model import Actor, Fact
from knowledge.newsroom import read_only_thesaurus
from knowledge.process import long_lived_objects
from knowledge.search.index import SearchIndex, SearchOutcome
from knowledge.store import transfer
from knowledge.store.changes import SHIPPED_BASE, FactStore
from knowledge.store.loading import read_base

ROOT = Path(__file__).resolve().parent
DEFAULT_DB = Path("data/facts.json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

EXIT_FAILED = 1  # the work itself failed: no match, bad file, database in use
EXIT_CONFIG = 2  # the setup is wrong: token or a setting

# Three base64url parts separated by dots; checked before connecting so a
# placeholder or a pasted "Bot " prefix is caught with a useful message.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
GUILD_ID_RE = re.compile(r"^[0-9]{17,20}$")

TOKEN_HELP = (
    "To get a bot token: open https://discord.com/developers/applications, choose your "
    "application (or create one), then Bot -> Reset Token, and copy the token. Put it in the "
    f".env file next to bot.py ({ROOT / '.env'}) as\n"
    "    DISCORD_TOKEN=<the token>\n"
    "(see .env.example). Never share or commit the token."
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


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Settings from the environment (after ``.env`` is loaded); raises SettingsError naming the setting.

    A relative FACTS_DB is taken relative to the project folder, like ``.env``
    itself, so the bot finds the same database from any working directory.
    """
    token = environ.get("DISCORD_TOKEN", "").strip() or None

    db = Path(environ.get("FACTS_DB", "").strip() or DEFAULT_DB).expanduser()
    facts_db = db if db.is_absolute() else ROOT / db

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

    return Settings(
        token=token,
        facts_db=facts_db,
        newsroom_guild_ids=newsroom_guild_ids,
        moderator_roles=moderator_roles,
        log_level=log_level,
        review_channel_id=int(review) if review else None,
    )


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


# --- commands ----------------------------------------------------------------


def fail(message: str, code: int = EXIT_FAILED) -> int:
    print(message, file=sys.stderr)
    return code


def run_discord(settings: Settings, command: str) -> int:
    """``python bot.py`` or ``python bot.py sync``: check the settings, then hand over to handlers.app."""
    if problem := token_problem(settings.token):
        return fail(f"{problem}\n{TOKEN_HELP}", EXIT_CONFIG)
    if not settings.newsroom_guild_ids:
        return fail(
            "NEWSROOM_GUILD_IDS is not set: the bot must know which server is the newsroom's, "
            f"as it answers nowhere else.\n{GUILD_ID_HELP}",
            EXIT_CONFIG,
        )
    from handlers import app  # only now: the offline commands never load discord

    try:
        return app.run(settings, command)
    except app.StartupError as error:
        hint = f"\n{TOKEN_HELP}" if "DISCORD_TOKEN" in str(error) else ""
        return fail(f"{error}{hint}", EXIT_CONFIG)
    except KnowledgeError as error:
        return fail(str(error))


def read_only_index(db: Path, *, explicit: bool) -> SearchIndex:
    """An index over ``db`` read as a plain file: no writer lock, nothing written.

    So ``ask`` works while the bot runs (writes replace the file atomically).
    A default database not created yet is answered from the shipped base,
    which is what the bot would create it from.
    """
    if not db.exists():
        if explicit:
            raise KnowledgeError(f"There is no fact database at {db}.")
        print(
            f"note: {db} does not exist yet; answering from the shipped base {SHIPPED_BASE}.", file=sys.stderr
        )
        db = SHIPPED_BASE
    base = read_base(db)  # a file the store wrote is not validated again
    for error in base.skipped:
        print(f"warning: skipped {error}", file=sys.stderr)
    # The synonyms moderators added too, so ask reads a query as /facts does.
    return SearchIndex((fact for fact in base.facts if not fact.retracted), thesaurus=read_only_thesaurus(db))


def describe_fact(fact: Fact) -> list[str]:
    lines = [fact.claim, f"Status: {STATUS_TITLES[fact.status]}"]
    if fact.caveats:
        lines.append(f"Caveats: {fact.caveats}")
    if fact.period:
        lines.append(f"Period: {fact.period}")
    if fact.aliases:
        lines.append(f"Also called: {', '.join(fact.aliases)}")
    lines.append("Sources:")
    for i, source in enumerate(fact.sources, start=1):
        lines.append(f"  {i}. {source_text(source)}")
        if source.quote:
            lines.append(f"     “{source.quote}”")
    reviewed = f"last reviewed {fact.reviewed_at[:10]}" if fact.reviewed_at else "not reviewed yet"
    lines.append(f"Key: {fact.key} · {reviewed}")
    return lines


def outcome_json(outcome: SearchOutcome) -> dict[str, object]:
    data: dict[str, object] = {
        "query": outcome.query,
        "verdict": outcome.verdict,
        "results": [
            {
                "key": hit.fact.key,
                "claim": hit.fact.claim,
                "status": hit.fact.status,
                "caveats": hit.fact.caveats,
                "period": hit.fact.period,
                "aliases": list(hit.fact.aliases),
                "sources": hit.fact.to_dict()["sources"],
                "score": round(hit.score, 1),
                "confidence": round(hit.confidence, 1),
            }
            for hit in outcome.results
        ],
        "suggestions": [
            {"key": hit.fact.key, "claim": hit.fact.claim, "score": round(hit.score, 1)}
            for hit in outcome.suggestions
        ],
    }
    if outcome.problem:
        data["problem"] = outcome.problem
    return data


def explain_lines(why: Mapping[str, object]) -> list[str]:
    """``SearchIndex.explain`` in words: how each query word was read, and what each fact matched."""
    lines = [
        f"Why: verdict “{why['verdict']}”. One fact is the answer when at least {why['answer_confidence']}% "
        f"of the query's weight is in its own words (key, aliases, claim, tags) and no other fact comes "
        f"within {why['several_margin']} points; several within that margin fit about equally.",
        "Query words (share of the weight):",
    ]
    for word in why["words"]:  # type: ignore[attr-defined]
        readings = ", ".join(f"{' '.join(r['terms'])} ({r['how']})" for r in word["read_as"])
        known = readings or "not used anywhere in the base: counts against every fact"
        lines.append(f"  “{word['word']}” {100 * word['weight']:.0f}%: {known}")
    lines.append("Facts (confidence / score):")
    for fact in why["facts"]:  # type: ignore[attr-defined]
        found = [
            f"{m['word']} → {m['as']} ({m['field']}, {m['how']})" if m["found"] else f"{m['word']} → missing"
            for m in fact["words"]
        ]
        named = " · named exactly" if fact["named_exactly"] else ""
        for owner in fact["owner_contradicted"]:
            named += f" · “{owner}'s” not counted: the claim gives that thing another owner"
        lines.append(f"  {fact['key']}: {fact['confidence']} / {fact['score']}{named}")
        lines.append(f"    {'; '.join(found)}")
    return lines


def ask(query: str, db: Path, *, explicit: bool, as_json: bool, explain: bool = False) -> int:
    with long_lived_objects():  # as the bot builds them: 100,000 facts load twice as fast
        index = read_only_index(db, explicit=explicit)
    outcome = index.search(query, limit=5)
    status = EXIT_FAILED if outcome.verdict == "none" else 0
    if as_json:
        data = outcome_json(outcome)
        if explain:
            data["explain"] = index.explain(query)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return status
    if outcome.problem:
        return fail(outcome.problem)
    if outcome.verdict == "none":
        print(f"No fact matches “{visible(query)}”.")
        if outcome.suggestions:
            print("Did you mean:")
            for hit in outcome.suggestions:
                print(f"  - {hit.fact.key}: {hit.fact.claim}")
    elif outcome.verdict == "several":
        print(
            f"Several facts fit about equally well for “{visible(query)}” ({len(outcome.results)} shown); "
            "none of them is the answer on its own. Add a word to narrow it down."
        )
        for hit in outcome.results:
            print(f"  - {hit.fact.key}: {hit.fact.claim}")
    else:
        best, *others = outcome.results
        print("\n".join(describe_fact(best.fact)))
        more = [*others, *outcome.suggestions][:4]
        if more:
            print("\nMore matches:")
            for hit in more:
                print(f"  - {hit.fact.key}: {hit.fact.claim}")
    if explain:
        print("\n" + "\n".join(explain_lines(index.explain(query))))
    return status


def check(path: Path, *, strict: bool = False) -> int:
    """Errors (the file cannot be used) fail; warnings (near-duplicates) only fail with ``--strict``."""
    found = transfer.check_file(path, warn=duplicate_warnings)
    for error in found.errors:
        print(f"error: {error}")
    for warning in found.warnings:
        print(f"warning: {warning}")
    counts = f"{len(found.errors)} error(s) and {len(found.warnings)} warning(s) in {path}"
    if found.errors or (strict and found.warnings):
        return fail(f"{counts}." + (" Warnings count as errors with --strict." if not found.errors else ""))
    if found.warnings:
        print(f"{counts}: it can be used; look at the warnings.")
        return 0
    print(f"{path}: no problems found.")
    return 0


def export(db: Path, out: Path) -> int:
    with FactStore.open(db) as store:
        data = asyncio.run(store.export_json())
        count = len(store.facts(include_retracted=True))
    out.write_bytes(data)
    print(f"Exported {count} facts from {db} to {out}.")
    return 0


async def _import(db: Path, file: Path, *, dry_run: bool) -> int:
    records = transfer.load_document(file)
    with FactStore.open(db) as store:
        report = await store.import_records(
            records, Actor("import", "import"), dry_run=dry_run, where=str(file), warn=duplicate_warnings
        )
    verb = "Would import" if dry_run else "Imported"
    print(
        f"{verb} {file}: {len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged."
    )
    for label, keys in (("added", report.added), ("changed", report.changed)):
        if keys:
            print(f"  {label}: {', '.join(keys)}")
    for warning in report.warnings:  # the lines check prints for this file; they do not stop an import
        print(f"warning: {warning}")
    if dry_run:
        print("Dry run: nothing was written.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bot.py",
        description="Fact desk: the newsroom's cited-fact bot. Without a command, runs the Discord bot.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    db_help = "fact database (default: FACTS_DB, else data/facts.json)"

    p = sub.add_parser("ask", help="look a fact up, offline, as /facts would")
    p.add_argument("query", help="what you would type after /facts")
    p.add_argument("--json", action="store_true", help="print the verdict and results as JSON")
    p.add_argument("--explain", action="store_true", help="also say why: how each word was read and scored")
    p.add_argument("--db", type=Path, help=db_help)

    p = sub.add_parser(
        "check", help="validate a fact base file: errors (unusable) fail, warnings (near-duplicates) do not"
    )
    p.add_argument("path", nargs="?", type=Path, default=SHIPPED_BASE, help="default: the shipped base")
    p.add_argument("--strict", action="store_true", help="fail on warnings too")

    p = sub.add_parser("export", help="write the whole fact base to a JSON file")
    p.add_argument("out", type=Path)
    p.add_argument("--db", type=Path, help=db_help)

    p = sub.add_parser("import", help="merge facts from a JSON file by key (all or nothing)")
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.add_argument("--db", type=Path, help=db_help)

    sub.add_parser(
        "sync",
        help="publish the slash commands to the newsroom's servers, and nowhere else (needs the token)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    load_dotenv(ROOT / ".env", override=False)
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(os.environ)
    except SettingsError as error:
        return fail(str(error), EXIT_CONFIG)
    if args.command in (None, "sync"):
        return run_discord(settings, args.command or "run")
    db = getattr(args, "db", None)
    try:
        if args.command == "ask":
            return ask(
                args.query,
                db or settings.facts_db,
                explicit=db is not None,
                as_json=args.json,
                explain=args.explain,
            )
        if args.command == "check":
            return check(args.path, strict=args.strict)
        if args.command == "export":
            return export(db or settings.facts_db, args.out)
        return asyncio.run(_import(db or settings.facts_db, args.file, dry_run=args.dry_run))
    except KnowledgeError as error:
        return fail(str(error))
    except OSError as error:
        return fail(f"{error.filename or 'file'}: {error.strerror}")


if __name__ == "__main__":
    sys.exit(main())
