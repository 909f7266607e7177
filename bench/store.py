"""Store benchmark (issues 6 and 19): start-up, cold ``ask``, import and writes as the base grows.

    python bench/store.py [--sizes 1000,10000,100000] [--json] [--save bench/results]
    python bench/store.py --only import [--sizes ...]   # the import rows alone
    python bench/store.py --only keep [--sizes ...]     # the kept-while-running rows alone

For each size it writes a synthetic base (bench/synth.py, shipped facts
included) laid out as the store writes its file, but without the store's stamp,
then runs each measurement in a fresh subprocess so peak RSS is honest:

- first open: ``FactStore.open`` of that unstamped file (every record
  validated; the file is then stamped, as on the first start of a new version);
- open: ``FactStore.open`` again, now stamped (validated once: records are not
  checked again);
- bot ready, first start: ``open_knowledge`` (store, index, queue, answers,
  synonyms) with no saved search index, so it builds the index and saves it;
- bot ready: ``open_knowledge`` again, now loading the index the first start
  saved beside the database (as every start after a clean stop does);
- cold ask: ``python bot.py ask "silk way flights" --db BASE``, wall time, CPU
  time and peak RSS, and the same steps timed inside one process: start-up and
  imports, store load (``read_base``), the search index (``SearchIndex.load``
  of the one the bot saved, with the moderators' synonyms), the search itself;
- first write, add and edit latency, p50/p99 (each durable: file fsync, history
  fsync, rename, folder fsync), and the longest event-loop stall during them;
- import: ``python bot.py import FILE --db NEW`` of ``size`` synthetic facts
  into a new database, the median of three runs by wall time (a shared machine's
  runs of one import differ by a second or two at 100,000 facts), wall time,
  CPU time and peak RSS, and the share of it
  spent on the near-duplicate warnings (timed on the same facts in the import's
  own process);
- kept while the bot runs (``--only keep`` measures this alone): with the
  database held open as the running bot holds it, a cold ``ask`` after one
  edit when nothing is saved before a clean stop (as before INDEX_SAVE_DELAY);
  ``Knowledge.keep`` (the save the bot makes once idle, the same as at close)
  timed, with the longest event-loop stall during it and how long an edit
  arriving as it starts takes; then, the delay at its default, an edit, the
  wait until the save it triggers is done, and a cold ``ask`` after it (median
  of three).

Wall times on a shared machine vary run to run; CPU time (user + system) is the
steadier figure. This is a script, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.synth import SEED, synthetic_base_records, synthetic_records  # noqa: E402
from knowledge.model import Actor  # noqa: E402
from knowledge.process import long_lived_objects  # noqa: E402
from knowledge.store.changes import FactStore  # noqa: E402
from knowledge.store.disk.layout import encode_document  # noqa: E402

QUERY = "silk way flights"

WRITES = 20  # of each kind, after the first write
IMPORTS = 3  # runs of each import, the median reported
ACTOR = Actor("bench", "bench")
PROBE_S = 0.001


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _probe(stop: asyncio.Event, worst: list[float]) -> None:
    """Sleep 1 ms at a time; how late each wake-up comes is how long the loop was held."""
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(PROBE_S)
        worst[0] = max(worst[0], time.perf_counter() - started - PROBE_S)


async def _writes(store: FactStore) -> dict[str, Any]:
    new = list(synthetic_records(WRITES + 1, seed=SEED + 99))
    targets = [f.key for f in store.facts()][:: max(1, len(store) // WRITES)][:WRITES]
    stop, worst = asyncio.Event(), [0.0]
    probe = asyncio.create_task(_probe(stop, worst))
    await asyncio.sleep(0.05)  # let the probe settle before the first write

    started = time.perf_counter()
    await store.add(new[0] | {"key": "bench-new-first"}, ACTOR)
    first = time.perf_counter() - started
    adds, edits = [], []
    for i in range(WRITES):
        started = time.perf_counter()
        await store.add(new[i + 1] | {"key": f"bench-new-{i}"}, ACTOR)
        adds.append(time.perf_counter() - started)
        current = store.get(targets[i % len(targets)])
        started = time.perf_counter()
        await store.edit(
            current.key, {"details": f"Benchmark edit {i}."}, expected_version=current.version, actor=ACTOR
        )
        edits.append(time.perf_counter() - started)

    stop.set()
    await probe
    return {
        "first_write_ms": round(first * 1000, 1),
        "add_p50_ms": round(_percentile(adds, 0.5) * 1000, 2),
        "add_p99_ms": round(_percentile(adds, 0.99) * 1000, 2),
        "edit_p50_ms": round(_percentile(edits, 0.5) * 1000, 2),
        "edit_p99_ms": round(_percentile(edits, 0.99) * 1000, 2),
        "edit_mean_ms": round(statistics.fmean(edits) * 1000, 2),
        "writes": 1 + 2 * WRITES,
        "max_loop_stall_ms": round(worst[0] * 1000, 2),
    }


def make_worker(folder: Path, size: int) -> dict[str, Any]:
    """The base, laid out as the store writes it but not stamped, and the same records as an import file."""
    records = synthetic_base_records(size)
    db = folder / f"facts-{size}.json"
    db.write_bytes(encode_document("facts", ((str(i), json.dumps(r)) for i, r in enumerate(records, 1))))
    (folder / f"import-{size}.json").write_text(json.dumps(records))
    return {}


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def worker(db: Path) -> dict[str, Any]:
    started = time.perf_counter()
    with long_lived_objects():  # as bot.py does when it serves
        store = FactStore.open(db, seed=None)
    load = time.perf_counter() - started
    size = len(store.facts(include_retracted=True))
    file_mb = db.stat().st_size / 1e6
    try:
        result = {"size": size, "load_s": round(load, 3), "file_mb": round(file_mb, 1)}
        result |= asyncio.run(_writes(store))
    finally:
        store.close()
    result["peak_rss_mb"] = _rss_mb()
    return result


def open_worker(db: Path) -> dict[str, Any]:
    """``FactStore.open`` alone, as the bot's start-up does it."""
    started = time.perf_counter()
    with long_lived_objects():
        store = FactStore.open(db, seed=None)
    seconds = time.perf_counter() - started
    store.close()
    return {"s": round(seconds, 3), "rss_mb": _rss_mb()}


def ready_worker(db: Path) -> dict[str, Any]:
    """``open_knowledge``: everything the bot builds before it goes online."""
    from knowledge.newsroom import open_knowledge

    started = time.perf_counter()
    with long_lived_objects():
        knowledge = open_knowledge(db, seed=None, log_queries=False)
    seconds = time.perf_counter() - started
    knowledge.close()
    return {"s": round(seconds, 3), "rss_mb": _rss_mb()}


def ask_split_worker(db: Path) -> dict[str, Any]:
    """The steps of ``bot.py ask`` after its imports, each timed: store load, index build, search."""
    from knowledge.newsroom import index_path, read_only_groups
    from knowledge.search.index import SearchIndex
    from knowledge.store.loading import read_base

    marks = {}
    with long_lived_objects():  # as bot.py's ask builds them
        started = time.perf_counter()
        base = read_base(db)
        marks["load_s"] = time.perf_counter() - started
        started = time.perf_counter()
        index = SearchIndex.load(
            index_path(db), base.facts, thesaurus=read_only_groups(db), save=False, source=base.fingerprint
        )
        marks["index_s"] = time.perf_counter() - started
    started = time.perf_counter()
    index.search(QUERY, limit=5)
    marks["search_s"] = time.perf_counter() - started
    return {name: round(value, 3) for name, value in marks.items()}


def _edit_one(knowledge: Any, n: int) -> Any:
    current = knowledge.store.facts()[n * 7919 % len(knowledge.store)]
    return knowledge.store.edit(
        current.key,
        {"details": f"Kept-while-running edit {n}."},
        expected_version=current.version,
        actor=ACTOR,
    )


def _kept(knowledge: Any) -> bool:
    from knowledge.store.disk.fastload import Snapshot

    return Snapshot.open(knowledge.store.path, knowledge.store.fingerprint) is not None


def _ask(db: Path) -> dict[str, Any]:
    return _measured([sys.executable, "bot.py", "ask", QUERY, "--db", str(db)])


def keep_stale_worker(db: Path) -> dict[str, Any]:
    """A cold ``ask`` after one edit while the bot holds the database and saves nothing before it stops."""
    from knowledge.newsroom import open_knowledge

    with long_lived_objects():
        knowledge = open_knowledge(db, seed=None, log_queries=False)
    try:
        asyncio.run(_edit_one(knowledge, 1))
        return {"ask": _ask(db)}
    finally:
        knowledge.close()


def keep_save_worker(db: Path) -> dict[str, Any]:
    """``Knowledge.keep`` after an edit, timed with the loop stalls it causes, and an edit during it."""
    from knowledge.newsroom import open_knowledge

    with long_lived_objects():
        knowledge = open_knowledge(db, seed=None, log_queries=False)

    async def measured() -> dict[str, Any]:
        await _edit_one(knowledge, 2)
        await asyncio.sleep(2.2)  # the file settles, as it has by the time the idle delay ends
        stop, worst = asyncio.Event(), [0.0]
        probe = asyncio.create_task(_probe(stop, worst))
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        await knowledge.keep()
        keep_s = time.perf_counter() - started
        stop.set()
        await probe

        started = time.perf_counter()
        await _edit_one(knowledge, 3)
        alone = time.perf_counter() - started
        saving = asyncio.create_task(knowledge.keep())
        await asyncio.sleep(0.001)  # the save has its turn: the edit below waits for the index part
        started = time.perf_counter()
        await _edit_one(knowledge, 4)
        during = time.perf_counter() - started
        await saving
        return {
            "keep_s": round(keep_s, 3),
            "max_loop_stall_ms": round(worst[0] * 1000, 1),
            "edit_ms": round(alone * 1000, 1),
            "edit_during_save_ms": round(during * 1000, 1),
        }

    try:
        return asyncio.run(measured())
    finally:
        knowledge.close()


def keep_idle_worker(db: Path) -> dict[str, Any]:
    """An edit, the save the idle delay triggers (waited for), then cold asks while the bot runs."""
    from handlers.settings import DEFAULT_INDEX_SAVE_DELAY
    from knowledge.newsroom import open_knowledge

    with long_lived_objects():
        knowledge = open_knowledge(db, seed=None, log_queries=False, save_delay=DEFAULT_INDEX_SAVE_DELAY)

    async def measured() -> dict[str, Any]:
        stop, worst = asyncio.Event(), [0.0]
        probe = asyncio.create_task(_probe(stop, worst))
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        await _edit_one(knowledge, 5)
        while not _kept(knowledge):
            await asyncio.sleep(0.01)
        kept = time.perf_counter() - started
        stop.set()
        await probe
        return {
            "delay_s": DEFAULT_INDEX_SAVE_DELAY,
            "kept_s": round(kept, 3),
            "max_loop_stall_ms": round(worst[0] * 1000, 1),
        }

    try:
        result = asyncio.run(measured())
        asks = [_ask(db) for _ in range(3)]
        result["ask"] = sorted(asks, key=lambda a: a["wall_s"])[1]
        return result
    finally:
        knowledge.close()


def import_dups_worker(source: Path) -> dict[str, Any]:
    """The near-duplicate warnings an import of ``source`` computes, timed alone."""
    from knowledge.duplicates import duplicate_warnings
    from knowledge.model import parse_facts
    from knowledge.store.transfer import load_document

    with long_lived_objects():  # as bot.py runs an import: the collector off
        facts, _ = parse_facts(load_document(source))
        started = time.perf_counter()
        warnings = duplicate_warnings(facts, str(source))
        elapsed = time.perf_counter() - started
    return {"s": round(elapsed, 3), "warnings": len(warnings), "rss_mb": _rss_mb()}


def _measured(args: list[str]) -> dict[str, Any]:
    """Run ``args`` in a fresh process: its wall and CPU seconds, its peak RSS, and its JSON output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(args, cwd=REPO, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage
        wall = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output, errors = out.read(), err.read()
    if code not in (0, 1):  # 1: ask found no fact, which is still a measurement
        raise RuntimeError(f"{args} failed ({code}): {errors.decode()[-2000:]}")
    result: dict[str, Any] = {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "rss_mb": round(usage.ru_maxrss / 1024, 1),
    }
    if output.startswith(b"{"):
        result |= json.loads(output)
    return result


def _me(*args: str) -> list[str]:
    return [sys.executable, __file__, *args]


def measure(folder: Path, size: int, *, progress: bool, only_import: bool = False) -> dict[str, Any]:
    def say(what: str) -> None:
        if progress:
            print(f"  {size:,} facts: {what} ...", file=sys.stderr, flush=True)

    db = folder / f"facts-{size}.json"
    # Made in a child: a child forked from a big parent reports the parent's pages as its peak RSS.
    _measured(_me("--phase", "make", str(folder), str(size)))
    row: dict[str, Any] = {"size": size}
    if only_import:
        return row | _import_rows(folder, size, say)
    say("first open (validate all)")
    row["first_open"] = _measured(_me("--phase", "open", str(db)))
    say("open (stamped)")
    row["open"] = _measured(_me("--phase", "open", str(db)))
    say("bot ready, first start (builds and saves the index)")
    row["ready_first"] = _measured(_me("--phase", "ready", str(db)))
    say("bot ready")
    row["ready"] = _measured(_me("--phase", "ready", str(db)))
    say("cold ask")
    asks = [_measured([sys.executable, "bot.py", "ask", QUERY, "--db", str(db)]) for _ in range(3)]
    row["ask"] = sorted(asks, key=lambda a: a["wall_s"])[1]  # the median of three
    row["ask_start"] = _measured([sys.executable, "-c", "import bot"])  # start-up and ask's imports
    row["ask_split"] = _measured(_me("--phase", "ask-split", str(db)))
    say("writes")
    row["writes"] = _measured(_me("--worker", str(db)))
    row["keep"] = measure_keep(db, say)
    return row | _import_rows(folder, size, say)


def _import_rows(folder: Path, size: int, say: Callable[[str], None]) -> dict[str, Any]:
    """``bot.py import`` of the size's facts into a new database, and its near-duplicate warnings alone."""
    source = folder / f"import-{size}.json"
    runs = []
    for attempt in range(IMPORTS):  # a new database each time
        say(f"import ({attempt + 1} of {IMPORTS})")
        target = folder / f"imported-{size}-{attempt}"
        target.mkdir()
        runs.append(
            _measured([sys.executable, "bot.py", "import", str(source), "--db", str(target / "facts.json")])
        )
        shutil.rmtree(target)
    row = {"import": sorted(runs, key=lambda r: r["wall_s"])[IMPORTS // 2], "import_runs": runs}
    say("near-duplicate warnings of the import")
    row["import_dups"] = _measured(_me("--phase", "import-dups", str(source)))
    return row


def measure_keep(db: Path, say: Any) -> dict[str, Any]:
    say("kept while the bot runs")
    return {
        "stale": _measured(_me("--phase", "keep-stale", str(db))),
        "save": _measured(_me("--phase", "keep-save", str(db))),
        "idle": _measured(_me("--phase", "keep-idle", str(db))),
    }


def measure_keep_only(folder: Path, size: int, *, progress: bool) -> dict[str, Any]:
    def say(what: str) -> None:
        if progress:
            print(f"  {size:,} facts: {what} ...", file=sys.stderr, flush=True)

    db = folder / f"facts-{size}.json"
    _measured(_me("--phase", "make", str(folder), str(size)))
    say("bot ready, first start (validates, builds and saves the index)")
    _measured(_me("--phase", "ready", str(db)))
    return {"size": size, "keep": measure_keep(db, say)}


def run(sizes: list[int], *, progress: bool, only: str | None = None) -> dict[str, Any]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sorted(sizes):
            if only == "keep":
                rows.append(measure_keep_only(Path(folder), size, progress=progress))
            else:
                rows.append(measure(Path(folder), size, progress=progress, only_import=only == "import"))
    return {
        "machine": {
            "python": platform.python_version(),
            "cpus": len(os.sched_getaffinity(0)),
            "platform": platform.platform(),
            "load_average": os.getloadavg(),
        },
        "results": rows,
    }


def _wall_cpu(m: dict[str, Any]) -> str:
    return f"{m['wall_s']:.2f} / {m['cpu_s']:.2f}"


def keep_markdown(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "Kept while the bot runs: the database held open as the running bot holds it. Cold `ask`",
        "after one edit when nothing is saved before a clean stop (before INDEX_SAVE_DELAY), s wall;",
        "`Knowledge.keep` (the save once idle, the same as at close) s, the longest event-loop stall",
        "during it, an edit alone and one arriving as the save starts (ms); an edit, then the save",
        "INDEX_SAVE_DELAY triggers (edit to saved, s, and the longest stall meanwhile), then a cold",
        "`ask` (median of three, s wall / CPU; no RSS: a child of the bot's process reports the",
        "bot's pages as its own).",
        "",
        "| facts | `ask` after an edit, nothing kept | save s | stall ms | edit ms: alone / during the save "
        "| edit to saved s (delay) | stall ms | `ask` after the save |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        k = r["keep"]
        stale, save, idle = k["stale"]["ask"], k["save"], k["idle"]
        lines.append(
            f"| {r['size']:,} | {stale['wall_s']:.2f} | {save['keep_s']:.2f} "
            f"| {save['max_loop_stall_ms']:.0f} "
            f"| {save['edit_ms']:.0f} / {save['edit_during_save_ms']:.0f} "
            f"| {idle['kept_s']:.2f} ({idle['delay_s']:g}) | {idle['max_loop_stall_ms']:.0f} "
            f"| {_wall_cpu(idle['ask'])} |"
        )
    return lines


def markdown(report: dict[str, Any]) -> str:
    rows = report["results"]
    if all(set(row) == {"size", "keep"} for row in rows):  # --only keep
        return "\n".join([*keep_markdown(rows), _machine_line(report)]) + "\n"
    if "first_open" not in rows[0]:  # --only import
        return "\n".join(_import_table(rows)) + "\n"
    lines = [
        "Start-up and cold ask: `FactStore.open` and `open_knowledge` timed in their process (s);",
        "`bot.py ask` as a whole process, median of three (s wall / CPU); peak RSS in MB.",
        "",
        "| facts | first open (validates all) | open (stamped, from the fast-load file) | cold `ask` "
        "| ask RSS | bot ready, first start (builds the index) | bot ready (index saved) | ready RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']:,} | {r['first_open']['s']:.2f} | {r['open']['s']:.2f} "
            f"| {_wall_cpu(r['ask'])} | {r['ask']['rss_mb']:.0f} | {r['ready_first']['s']:.2f} "
            f"| {r['ready']['s']:.2f} "
            f"| {r['ready']['rss_mb']:.0f} |"
        )
    lines += [
        "",
        "Cold `ask` split (seconds): process start and `import bot` (`python -c 'import bot'`, wall),",
        "then in one process: store load (`read_base`), the index (`SearchIndex.load` of the one the",
        "bot saved, with the moderators' synonyms), the search.",
        "",
        "| facts | start + imports | store load | index load | search | sum |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        a, start = r["ask_split"], r["ask_start"]["wall_s"]
        total = start + a["load_s"] + a["index_s"] + a["search_s"]
        lines.append(
            f"| {r['size']:,} | {start:.2f} | {a['load_s']:.2f} | {a['index_s']:.2f} "
            f"| {a['search_s']:.3f} | {total:.2f} |"
        )
    lines += ["", *_import_table(rows)]
    lines += [
        "",
        "Writes (after the stamped open):",
        "",
        "| facts | load s | first write ms | add p50 / p99 ms | edit p50 / p99 ms "
        "| longest loop stall ms | file MB | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in (row["writes"] for row in rows):
        add = f"{r['add_p50_ms']:.1f} / {r['add_p99_ms']:.1f}"
        edit = f"{r['edit_p50_ms']:.1f} / {r['edit_p99_ms']:.1f}"
        lines.append(
            f"| {r['size']:,} | {r['load_s']:.2f} | {r['first_write_ms']:.0f} | {add} | {edit} "
            f"| {r['max_loop_stall_ms']:.1f} | {r['file_mb']:.1f} | {r['peak_rss_mb']:.0f} |"
        )
    lines.append(
        f"\nEach size: one first add, then {WRITES} adds and {WRITES} edits, every one durable "
        f"(file fsync, history fsync, rename, folder fsync); the loop stall is the worst over all "
        f"{1 + 2 * WRITES} writes."
    )
    lines += ["", *keep_markdown(rows), _machine_line(report)]
    return "\n".join(lines) + "\n"


def _import_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"Import of `size` facts into a new database (`bot.py import`), the median of {IMPORTS} by wall "
        "time (each run's wall time beside it); the near-duplicate warnings timed alone, in a process "
        "that also parses the file:",
        "",
        "| facts | import s (wall / CPU) | the runs, wall s | peak RSS MB | near-duplicate warnings s "
        "| their process's RSS MB |",
        "|---:|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        d = r["import_dups"]
        runs = ", ".join(f"{run['wall_s']:.2f}" for run in r.get("import_runs", [r["import"]]))
        lines.append(
            f"| {r['size']:,} | {_wall_cpu(r['import'])} | {runs} | {r['import']['rss_mb']:.0f} "
            f"| {d['s']:.2f} | {d['rss_mb']:.0f} |"
        )
    return lines


def _machine_line(report: dict[str, Any]) -> str:
    machine = report["machine"]
    load = ", ".join(f"{x:.1f}" for x in machine["load_average"])
    return f"\nPython {machine['python']}, {machine['cpus']} CPUs, load average {load} at the end."


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated base sizes")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of Markdown")
    parser.add_argument("--save", type=Path, help="also write store.md and store.json here")
    parser.add_argument(
        "--only",
        choices=["import", "keep"],
        help="only the import rows, or only the save kept while the bot runs (the table printed; "
        "nothing saved with --save)",
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--phase", nargs="+", metavar="PHASE PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    if args.phase and args.phase[0] == "make":
        print(json.dumps(make_worker(Path(args.phase[1]), int(args.phase[2]))))
        return
    if args.phase:
        phases = {
            "open": open_worker,
            "ready": ready_worker,
            "ask-split": ask_split_worker,
            "import-dups": import_dups_worker,
            "keep-stale": keep_stale_worker,
            "keep-save": keep_save_worker,
            "keep-idle": keep_idle_worker,
        }
        print(json.dumps(phases[args.phase[0]](Path(args.phase[1]))))
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    report = run(sizes, progress=True, only=args.only)
    table = markdown(report)
    print(json.dumps(report, indent=2) if args.json else table)
    if args.save and not args.only:
        args.save.mkdir(parents=True, exist_ok=True)
        command = "python bench/store.py --sizes " + ",".join(map(str, sizes))
        (args.save / "store.md").write_text(f"# Store benchmark\n\n`{command}`\n\n{table}", encoding="utf-8")
        (args.save / "store.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
