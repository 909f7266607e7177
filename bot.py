"""Fact desk: the newsroom's cited-fact bot — the command line and its wiring.

``python bot.py`` runs the Discord bot, in the newsroom's servers only
(NEWSROOM_GUILD_IDS). The other commands work on the fact base without Discord
(``ask``, ``check``, ``export``, ``import``, ``backup``, ``restore``,
``status``), except ``sync``, which publishes the slash commands to those servers.
The settings are read by :mod:`handlers.settings`, which the cogs share and which
never imports discord.

Its length: the whole command line in one place (each command a short function, the parser,
logging set-up): what an operator runs is read in one file.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import logging.handlers
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from dotenv import load_dotenv

from handlers.settings import GUILD_ID_HELP, TOKEN_HELP, Settings, SettingsError, load_settings, token_problem
from handlers.settings import ROOT as ROOT
from handlers.text import STATUS_TITLES, one_line, source_text
from knowledge.duplicates import duplicate_warnings
from knowledge.errors import KnowledgeError
from knowledge.health import STALE_AFTER, Status, read_status
from knowledge.model import Fact, command_line_actor
from knowledge.newsroom import DESK_FILES, index_path, read_only_groups
from knowledge.process import long_lived_objects
from knowledge.search import MAX_QUERY_CHARS
from knowledge.search.index import SearchIndex, SearchOutcome
from knowledge.store import loading, snapshot, transfer
from knowledge.store.changes import SHIPPED_BASE, FactStore, ImportReport, plan_import, validated_records

LOG_FORMAT = "[{asctime}] [{levelname:<8}] {name}: {message}"  # discord.py's own, without colours
LOG_FILE_BYTES = 10 * 1024 * 1024  # LOG_FILE is rotated at this size ...
LOG_FILE_BACKUPS = 5  # ... keeping this many old files: at most 60 MB of logs

SHOWN_KEYS = 20  # import lists this many keys of each kind, then "and N more"

EXIT_FAILED = 1  # the work itself failed: no match, bad file, database in use
EXIT_CONFIG = 2  # the setup is wrong: token or a setting
EXIT_PIPE = 141  # the reader of the output went away (a shell reports SIGPIPE so)


# --- logging (process-wide: set here, by the entry point, and nowhere else) ------


class HideSecret(logging.Filter):
    """Replaces the token in every record, whatever logged it and at whatever level."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg = message.replace(self.secret, "[token hidden]")
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self.secret, "[token hidden]")
        return True


def setup_logging(settings: Settings) -> None:
    """Log to stderr, in colour only on a terminal, and also to LOG_FILE (rotated) if set.

    discord.py colours its lines whenever it guesses the stream can show them,
    also in a container with nothing but a pipe or journald behind it; a
    service's log must be plain lines, so colours are asked for only when
    stderr is a terminal. Raises SettingsError if LOG_FILE cannot be opened.
    """
    import discord  # only here: the offline commands never load discord

    level = getattr(logging, settings.log_level)
    plain = logging.Formatter(LOG_FORMAT, "%Y-%m-%d %H:%M:%S", style="{")
    if sys.stderr.isatty():
        discord.utils.setup_logging(level=level, root=True)  # its colour formatter
    else:
        discord.utils.setup_logging(level=level, root=True, formatter=plain)
    root = logging.getLogger()
    if settings.log_file is not None:
        try:
            settings.log_file.parent.mkdir(parents=True, exist_ok=True)
            to_file = logging.handlers.RotatingFileHandler(
                settings.log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
            )
        except OSError as error:
            raise SettingsError(
                f"LOG_FILE: cannot write the log to {settings.log_file} ({error.strerror or error}). "
                "Give a file the bot's user may write, or leave LOG_FILE empty to log to stderr only."
            ) from None
        to_file.setFormatter(plain)
        root.addHandler(to_file)
    # discord.py logs request details at DEBUG; they are noise and never needed here.
    logging.getLogger("discord").setLevel(max(level, logging.INFO))
    if settings.token:
        for handler in root.handlers:
            handler.addFilter(HideSecret(settings.token))


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
    try:
        setup_logging(settings)
    except SettingsError as error:
        return fail(str(error), EXIT_CONFIG)
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
    base = loading.read_base(db)  # a file the store wrote is not validated again
    for error in base.skipped:
        print(f"warning: skipped {error}", file=sys.stderr)
    # The index the bot keeps beside the database, if it matches these facts; never written here.
    # Saved from this very file, it is used without comparing every fact; a file read with records
    # skipped is not the file the bot saved it from. The synonyms moderators added are in the
    # thesaurus too, so ask reads a query as /facts does.
    return SearchIndex.load(
        index_path(db),
        base.facts,
        thesaurus=read_only_groups(db),
        save=False,
        source="" if base.skipped else base.fingerprint,
    )


def describe_fact(fact: Fact) -> list[str]:
    lines = [fact.claim, f"Status: {STATUS_TITLES[fact.status]}"]
    if fact.caveats:
        lines.append(f"Caveats: {fact.caveats}")
    if fact.period:
        lines.append(f"Period: {fact.period}")
    if fact.aliases:
        lines.append(f"Also called: {', '.join(fact.aliases)}")
    if fact.asked_as:
        lines.append(f"Asked as: {' · '.join(fact.asked_as)}")
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
    ]
    for step in why.get("steps", ()):  # type: ignore[attr-defined]
        named = f" ({', '.join(step['facts'])})" if step["facts"] else ""
        lines.append(f"  step “{step['step']}”: {step['said']}{named}")
    lines.append("Query words (share of the weight):")
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
        lines.append(f"  {fact['key']}: {fact['confidence']} / {fact['score']}{named}")
        lines.append(f"    {'; '.join(found)}")
    return lines


# What a command built that the process's exit drops at once rather than object by object
# (ask's index of 100,000 facts: 0.13 s); see the end of this file.
_LEFT_FOR_EXIT: list[object] = []


def ask(query: str, db: Path, *, explicit: bool, as_json: bool, explain: bool = False) -> int:
    with long_lived_objects():  # as the bot builds them: 100,000 facts load twice as fast
        index = read_only_index(db, explicit=explicit)
    _LEFT_FOR_EXIT[:] = [index]
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
    echoed = one_line(query, MAX_QUERY_CHARS)  # what the search read of it, at most
    if outcome.verdict == "none":
        print(f"No fact matches “{echoed}”.")
        if outcome.suggestions:
            print("Did you mean:")
            for hit in outcome.suggestions:
                print(f"  - {hit.fact.key}: {hit.fact.claim}")
    elif outcome.verdict == "several":
        print(
            f"Several facts fit about equally well for “{echoed}” ({len(outcome.results)} shown); "
            "none of them is the answer on its own. Add a word to narrow it down"
            + (f", for example {', '.join(outcome.narrowing)}." if outcome.narrowing else ".")
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


def read_base(db: Path, *, seed: Path | None) -> tuple[dict[str, Fact], dict[str, int]]:
    """The database read as a plain file, writing nothing (``loading.read_only``); before it
    exists, the ``seed`` it would be created from, saying so."""
    if seed is not None and not db.exists():
        print(
            f"note: {db} does not exist yet; reading the shipped base {seed} it starts from.", file=sys.stderr
        )
    return loading.read_only(db, seed=seed)


def export(db: Path, out: Path, *, explicit: bool) -> int:
    """A read: the base as it is on disk, without the writer lock, and nothing else written."""
    if out.resolve() == db.resolve():
        return fail(f"{out} is the database itself; export to another file.")
    facts, doc_ids = read_base(db, seed=None if explicit else SHIPPED_BASE)
    out.write_bytes(loading.document_bytes(facts, doc_ids))
    print(f"Exported {len(facts)} facts from {db if db.exists() else SHIPPED_BASE} to {out}.")
    return 0


def key_lines(label: str, keys: Sequence[str]) -> list[str]:
    """``keys`` on one line, at most SHOWN_KEYS of them: a big import's output stays readable."""
    if not keys:
        return []
    more = f", and {len(keys) - SHOWN_KEYS} more" if len(keys) > SHOWN_KEYS else ""
    return [f"  {label}: {', '.join(keys[:SHOWN_KEYS])}{more}"]


async def _import(db: Path, file: Path, *, dry_run: bool, by: str) -> int:
    """Merge ``file`` into the base; a dry run reads the base as a plain file and writes nothing."""
    actor = command_line_actor(by)
    # Read (and refused if unreadable) before the database is opened; handed on, not kept here,
    # so the raw records are freed once validated (at 100,000 facts, the import's largest part).
    held = [transfer.load_document(file)]
    report: ImportReport
    if dry_run:
        # What the real import would do: it creates a missing database from the shipped base first.
        facts, _ = read_base(db, seed=SHIPPED_BASE)
        incoming = validated_records(held.pop(), where=str(file), consume=True)
        report, _, _ = plan_import(facts, incoming, actor, where=str(file), warn=duplicate_warnings)
    else:
        with FactStore.open(db) as store:
            report = await store.import_records(
                held.pop(), actor, where=str(file), warn=duplicate_warnings, consume=True
            )
    verb = "Would import" if dry_run else "Imported"
    print(
        f"{verb} {file}: {len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged."
    )
    for line in [*key_lines("added", report.added), *key_lines("changed", report.changed)]:
        print(line)
    for warning in report.warnings:  # the lines check prints for this file; they do not stop an import
        print(f"warning: {warning}")
    if dry_run:
        print("Dry run: nothing was written.")
    elif report.added or report.changed:
        print(f"Recorded in the history as changed by {actor.label}.")
    return 0


def backup(db: Path, dest: Path) -> int:
    taken = snapshot.take(db, dest, DESK_FILES)
    print(
        f"Backed up {db} ({taken.facts} facts, version {taken.version}, {len(taken.files)} files) "
        f"to {taken.folder}."
    )
    return 0


def restore(src: Path, db: Path) -> int:
    restored = snapshot.restore(src, db, DESK_FILES)
    taken = restored.snapshot
    print(
        f"Restored {db} from {taken.folder} "
        f"(taken {taken.created_at}: {taken.facts} facts, version {taken.version})."
    )
    if restored.kept is not None:
        print(f"The files it replaced are kept in {restored.kept}.")
    return 0


def status_lines(state: Status) -> list[str]:
    facts = f"{state.facts} facts ({state.retracted} retracted), version {state.version}"
    lines = [f"Database:            {state.database}" + (f": {facts}" if state.facts is not None else "")]
    if change := state.last_change:
        lines.append(
            f"Last change:         {change['at']} by {change['by']}: {change['action']} {change['key']}"
        )
    else:
        lines.append("Last change:         none in the history")
    lines.append(f"Open queue items:    {state.open_queue_items}")
    lines.append(f"Pending corrections: {state.pending_corrections}")
    lines.append(f"Writer lock:         {state.lock_holder or 'free (no bot or command is writing)'}")
    beat = state.heartbeat
    if beat is None:
        lines.append("Heartbeat:           none")
    else:
        connection = "connected" if beat.get("connected") else "NOT connected"
        heard = beat.get("heard_from_discord_at") or "never"
        lines.append(
            f"Heartbeat:           {beat.get('at')} from pid {beat.get('pid')} on {beat.get('host')}: "
            f"{connection} to Discord, last heard from it {heard}"
        )
    lines += [f"PROBLEM: {problem}" for problem in state.problems]
    lines.append("Healthy." if state.healthy else "Not healthy.")
    return lines


def status(db: Path, *, as_json: bool, stale_after: int, expect_bot: bool) -> int:
    state = read_status(db, stale_after=stale_after, expect_bot=expect_bot)
    print(json.dumps(state.to_json(), indent=2) if as_json else "\n".join(status_lines(state)))
    return 0 if state.healthy else EXIT_FAILED


def os_user() -> str | None:
    """The login name of whoever runs the command: who a command-line change is by, unless --by."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (a container's bare UID)
        return None


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
    p.add_argument(
        "--by",
        metavar="NAME",
        help="who makes the change, as the history names it (default: your login name)",
    )

    p = sub.add_parser(
        "backup",
        help="copy the database and all beside it into a new dated folder in DEST (safe while the bot runs)",
    )
    p.add_argument("dest", type=Path, help="a folder, best on another disk")
    p.add_argument("--db", type=Path, help=db_help)

    p = sub.add_parser(
        "restore", help="put a backup back (refused while the bot runs); the files it replaces are kept"
    )
    p.add_argument("src", type=Path, help="the dated folder `backup` made")
    p.add_argument("--db", type=Path, help=db_help)

    p = sub.add_parser("status", help="the desk's health; exit code 1 if something is wrong (writes nothing)")
    p.add_argument("--json", action="store_true", help="print it as JSON")
    p.add_argument(
        "--stale-after",
        type=int,
        default=STALE_AFTER,
        metavar="SECONDS",
        help=f"a heartbeat or Discord connection older than this is a problem (default {STALE_AFTER})",
    )
    p.add_argument("--expect-bot", action="store_true", help="also a problem: no bot holds the database")
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
            return export(db or settings.facts_db, args.out, explicit=db is not None)
        if args.command == "backup":
            return backup(db or settings.facts_db, args.dest)
        if args.command == "restore":
            return restore(args.src, db or settings.facts_db)
        if args.command == "status":
            return status(
                db or settings.facts_db,
                as_json=args.json,
                stale_after=args.stale_after,
                expect_bot=args.expect_bot,
            )
        by = args.by if args.by is not None else os_user()
        if by is None:
            return fail("Cannot tell who you are (no login name): say who makes the change with --by NAME.")
        # The file's facts live until this one-shot command ends: built with the collector off.
        with long_lived_objects():  # 100,000 facts: 22 s -> 20 s
            return asyncio.run(_import(db or settings.facts_db, args.file, dry_run=args.dry_run, by=by))
    except KnowledgeError as error:
        return fail(str(error))
    except BrokenPipeError:
        return _reader_gone()
    except OSError as error:
        return fail(f"{error.filename or 'file'}: {error.strerror}")


def _reader_gone() -> int:
    """The output's reader stopped reading (`bot.py ask … | head`): stop quietly, as a shell tool
    would, and let nothing try to write to the closed pipe again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_PIPE


if __name__ == "__main__":
    code = main()
    if _LEFT_FOR_EXIT:  # ask wrote nothing but its answer: flush that and skip freeing its index
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            code = _reader_gone()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
