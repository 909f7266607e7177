"""Store benchmark (issue 6): load time, write latency and event-loop stalls as the base grows.

    python bench/store.py [--sizes 1000,10000,100000] [--json] [--save bench/results]

For each size it writes a synthetic base (bench/synth.py, shipped facts
included) as the TinyDB document the store keeps, then, in a fresh subprocess
so peak RSS is honest, measures:

- load: ``FactStore.open`` of that file (parse and validate every record);
- first write: the first add after loading, which also encodes every record
  once (the store keeps each record's JSON text for later writes);
- add and edit latency, p50/p99, over the next writes (each one durable:
  history fsync, file fsync, rename, folder fsync);
- the longest event-loop stall during all those writes, seen by a probe task
  that sleeps 1 ms in a loop and records how late it wakes;
- file size and the process's peak RSS.

This is a script, not a test: the numbers depend on the machine and its disk.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.synth import SEED, synthetic_base_records, synthetic_records  # noqa: E402
from knowledge.model import Actor  # noqa: E402
from knowledge.process import long_lived_objects  # noqa: E402
from knowledge.store.changes import FactStore  # noqa: E402

WRITES = 20  # of each kind, after the first write
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
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def run(sizes: list[int], *, progress: bool) -> dict[str, Any]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            if progress:
                print(f"  store at {size:,} facts ...", file=sys.stderr, flush=True)
            db = Path(folder) / f"facts-{size}.json"
            records = synthetic_base_records(size)
            db.write_text(json.dumps({"facts": {str(i): r for i, r in enumerate(records, start=1)}}))
            del records
            done = subprocess.run(
                [sys.executable, __file__, "--worker", str(db)], check=True, capture_output=True, text=True
            )
            rows.append(json.loads(done.stdout))
    return {
        "machine": {
            "python": platform.python_version(),
            "cpus": len(__import__("os").sched_getaffinity(0)),
            "platform": platform.platform(),
        },
        "results": rows,
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| facts | load s | first write ms | add p50 / p99 ms | edit p50 / p99 ms "
        "| longest loop stall ms | file MB | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["results"]:
        add = f"{r['add_p50_ms']:.1f} / {r['add_p99_ms']:.1f}"
        edit = f"{r['edit_p50_ms']:.1f} / {r['edit_p99_ms']:.1f}"
        lines.append(
            f"| {r['size']:,} | {r['load_s']:.2f} | {r['first_write_ms']:.0f} | {add} | {edit} "
            f"| {r['max_loop_stall_ms']:.1f} | {r['file_mb']:.1f} | {r['peak_rss_mb']:.0f} |"
        )
    machine = report["machine"]
    lines.append(
        f"\nEach size: one first add, then {WRITES} adds and {WRITES} edits, every one durable "
        f"(history fsync, file fsync, rename, folder fsync); the loop stall is the worst over all "
        f"{1 + 2 * WRITES} writes. Python {machine['python']}, {machine['cpus']} CPUs."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated base sizes")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of Markdown")
    parser.add_argument("--save", type=Path, help="also write store.md and store.json here")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    report = run(sizes, progress=True)
    table = markdown(report)
    print(json.dumps(report, indent=2) if args.json else table)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        command = "python bench/store.py --sizes " + ",".join(map(str, sizes))
        (args.save / "store.md").write_text(f"# Store benchmark\n\n`{command}`\n\n{table}", encoding="utf-8")
        (args.save / "store.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
