"""Search benchmark (issue 6): our index against the usual approaches, side by side.

    python bench/search.py [--sizes 1000,10000,100000] [--json] [--save bench/results]

For each base size it builds one synthetic base (bench/synth.py, shipped facts
included) and runs every engine in its own subprocess, so peak RSS is honest:

- ours:   knowledge.search.index.SearchIndex.search, and .autocomplete on every prefix
- scan:   rapidfuzz.process.extract(WRatio, default_process, limit=5) over each
          fact's concatenated searchable text
- fts5:   SQLite FTS5, trigram tokenizer, words OR-ed, ranked by bm25
- tinydb: Query().claim.search(regex of the query's words) on a TinyDB file

Reported per engine and size: build time, query latency p50/p99 over a fixed
mix (bench/eval/queries.tsv, dev queries included: typos, questions,
paraphrases, other scripts, broad words, hard negatives), top-1 on the dev
queries, peak RSS of the process (which includes holding the base itself); and
per engine, on the shipped base, top-1 / confident-wrong / hard negatives
answered on the evaluation set, so speed and quality sit side by side. This is
a script, not a test.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import platform
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.synth import synthetic_base_records  # noqa: E402
from knowledge.model import Fact, parse_fact  # noqa: E402
from knowledge.search.textnorm import words  # noqa: E402

DEV_QUERIES = REPO / "tests" / "data" / "research" / "queries-dev.tsv"
DEV_KEYS = REPO / "tests" / "data" / "dev_keys.tsv"
EVAL_QUERIES = REPO / "bench" / "eval" / "queries.tsv"
ENGINES = ("ours", "scan", "fts5", "tinydb")
WARMUP = 5


def _tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]


def dev_queries() -> list[tuple[str, str]]:
    keys = dict(_tsv(DEV_KEYS))
    return [(query, keys[research_id]) for query, research_id in _tsv(DEV_QUERIES)]


def query_mix() -> list[str]:
    """The evaluation set's queries (the dev queries are part of it), each once."""
    return list(dict.fromkeys(row[0] for row in _tsv(EVAL_QUERIES)))


def searchable_text(fact: Fact) -> str:
    """What the plain engines search: every field ours searches, in one string."""
    parts = [fact.key, *fact.aliases, *fact.tags, fact.claim, fact.details or ""]
    for source in fact.sources:
        parts += [source.publisher, source.title or ""]
    return " ".join(p for p in parts if p)


def fts5_trigram_available() -> bool:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
    except sqlite3.OperationalError:
        return False
    return True


# --- engines: each returns (build seconds, search(query) -> ranked keys, extra timings) ---


def _ours(facts: list[Fact]) -> tuple[Any, Any]:
    from knowledge.search.index import SearchIndex

    index = SearchIndex(facts)

    def search(query: str) -> list[str]:
        return [h.fact.key for h in index.search(query).results]

    return index, search


def _scan(facts: list[Fact]) -> tuple[Any, Any]:
    from rapidfuzz import fuzz, process, utils

    texts = [searchable_text(f) for f in facts]
    keys = [f.key for f in facts]

    def search(query: str) -> list[str]:
        found = process.extract(query, texts, scorer=fuzz.WRatio, processor=utils.default_process, limit=5)
        return [keys[i] for _, _, i in found]

    return texts, search


def _fts5(facts: list[Fact]) -> tuple[Any, Any]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE facts USING fts5(key UNINDEXED, body, tokenize='trigram')")
    db.executemany("INSERT INTO facts VALUES (?, ?)", ((f.key, searchable_text(f)) for f in facts))
    db.commit()

    def search(query: str) -> list[str]:
        # Trigrams need three characters; quoting keeps FTS5 syntax out of user text.
        terms = [w for w in words(query) if len(w) >= 3]
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = db.execute("SELECT key FROM facts WHERE facts MATCH ? ORDER BY bm25(facts) LIMIT 5", (match,))
        return [key for (key,) in rows]

    return db, search


def _tinydb(facts: list[Fact], folder: Path) -> tuple[Any, Any]:
    from tinydb import Query, TinyDB

    db = TinyDB(folder / "tinydb.json")
    table = db.table("facts", cache_size=0)  # every query reads the file, as the bot would
    table.insert_multiple(f.to_dict() for f in facts)

    def search(query: str) -> list[str]:
        terms = [re.escape(w) for w in query.split() if w.strip()]
        if not terms:
            return []
        pattern = "|".join(terms)
        return [doc["key"] for doc in table.search(Query().claim.search(pattern, flags=re.IGNORECASE))[:5]]

    return db, search


def quality(engine: str) -> dict[str, Any]:
    """The engine's figures on bench/eval/queries.tsv over the shipped base (28 facts).

    The plain engines have no verdict: whatever they return first is their answer,
    and returning anything to a hard negative counts as answering it."""
    from bench.eval import evaluate, shipped_facts
    from knowledge.search.index import Hit, SearchOutcome

    facts = shipped_facts()
    by_key = {f.key: f for f in facts}
    with tempfile.TemporaryDirectory() as folder:
        handle, search = _engine(engine, facts, Path(folder))
        if engine == "ours":
            outcome = handle.search
        else:

            def outcome(query: str) -> SearchOutcome:
                hits = tuple(Hit(by_key[key], 0.0) for key in search(query))
                return SearchOutcome(query, hits, (), None, "answer" if hits else "none")

        tallies = evaluate(outcome)
    overall = tallies["overall"]
    return {
        "engine": engine,
        "top1": overall.top1,
        "answerable": overall.answerable,
        "confident_wrong": overall.confident_wrong,
        "negatives_answered": overall.negatives_answered,
        "negatives": overall.negatives,
        "per_category": {name: [t.top1, t.answerable] for name, t in tallies.items() if t.answerable},
    }


def _engine(engine: str, facts: list[Fact], folder: Path) -> tuple[Any, Any]:
    if engine == "ours":
        return _ours(facts)
    if engine == "scan":
        return _scan(facts)
    if engine == "fts5":
        return _fts5(facts)
    return _tinydb(facts, folder)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _timed(search: Any, queries: list[str]) -> list[float]:
    for query in queries[:WARMUP]:
        search(query)
    out = []
    for query in queries:
        start = time.perf_counter()
        search(query)
        out.append((time.perf_counter() - start) * 1000)
    return out


def worker(engine: str, base: Path) -> dict[str, Any]:
    """Run one engine on one base file; report its figures."""
    records = json.loads(base.read_text(encoding="utf-8"))
    facts = [parse_fact(r) for r in records]
    del records
    gc.collect()
    base_rss = _current_rss_mb()
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        handle, search = _engine(engine, facts, Path(folder))
        build = time.perf_counter() - start
        # As the bot does once its index is built (knowledge.newsroom.open_knowledge): long-lived
        # objects out of the collector's way, so a query does not pay for a full collection.
        gc.freeze()
        dev = dev_queries()
        top1 = sum(search(q)[:1] == [key] for q, key in dev) / len(dev)
        latencies = _timed(search, query_mix())
        result: dict[str, Any] = {
            "engine": engine,
            "size": len(facts),
            "build_s": round(build, 3),
            "queries": len(latencies),
            "p50_ms": round(_percentile(latencies, 0.5), 2),
            "p99_ms": round(_percentile(latencies, 0.99), 2),
            "top1_dev": round(top1, 4),
        }
        if engine == "ours":
            prefixes = [q[:n] for q in query_mix() for n in range(1, len(q) + 1)]
            typed = _timed(lambda q: handle.autocomplete(q), prefixes)
            result["autocomplete_p50_ms"] = round(_percentile(typed, 0.5), 2)
            result["autocomplete_p99_ms"] = round(_percentile(typed, 0.99), 2)
            result["autocomplete_calls"] = len(typed)
        # What the engine itself holds, beyond the parsed facts every engine starts with.
        result["engine_mb"] = round(_current_rss_mb() - base_rss, 1)
        if engine == "ours":
            # The index kept beside the database (SearchIndex.save/load): ready without a rebuild.
            # Timed after the memory figures, which the second copy it loads would inflate.
            saved = Path(folder) / "search.idx"
            handle.save(saved)
            start = time.perf_counter()
            type(handle).load(saved, facts)
            result["load_s"] = round(time.perf_counter() - start, 3)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def _current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(sizes: list[int], engines: list[str], *, progress: bool) -> dict[str, Any]:
    trigram = fts5_trigram_available()
    if not trigram and "fts5" in engines:
        engines = [e for e in engines if e != "fts5"]
    rows = []
    qualities = []
    for engine in engines:
        if progress:
            print(f"  {engine} on the evaluation set ...", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, __file__, "--quality", engine], check=True, capture_output=True, text=True
        )
        qualities.append(json.loads(done.stdout))
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            base = Path(folder) / f"base-{size}.json"
            base.write_text(json.dumps(synthetic_base_records(size)), encoding="utf-8")
            for engine in engines:
                if progress:
                    print(f"  {engine} at {size:,} facts ...", file=sys.stderr, flush=True)
                done = subprocess.run(
                    [sys.executable, __file__, "--worker", engine, str(base)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                rows.append(json.loads(done.stdout))
    return {
        "machine": {
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "fts5_trigram": trigram,
            "cpus": len(__import__("os").sched_getaffinity(0)),
            "platform": platform.platform(),
        },
        "query_mix": len(query_mix()),
        "quality": qualities,
        "results": rows,
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| facts | engine | build s | load s | p50 ms | p99 ms | top-1 dev | peak RSS MB | engine MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["results"]:
        lines.append(
            f"| {r['size']:,} | {r['engine']} | {r['build_s']:.2f} | {r.get('load_s', '')} "
            f"| {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
            f"| {r['top1_dev']:.0%} | {r['peak_rss_mb']:.0f} | {r['engine_mb']:.0f} |"
        )
        if "autocomplete_p99_ms" in r:
            lines.append(
                f"| {r['size']:,} | ours autocomplete | | | {r['autocomplete_p50_ms']:.2f} "
                f"| {r['autocomplete_p99_ms']:.2f} | | | |"
            )
    lines += [
        "",
        "Quality on the evaluation set (bench/eval/queries.tsv, shipped base; `python bench/eval.py`):",
        "",
        "| engine | top-1 (answerable) | confident-wrong | hard negatives answered |",
        "|---|---:|---:|---:|",
    ]
    for q in report.get("quality", ()):
        lines.append(
            f"| {q['engine']} | {q['top1']}/{q['answerable']} ({q['top1'] / q['answerable']:.0%}) "
            f"| {q['confident_wrong']} | {q['negatives_answered']}/{q['negatives']} |"
        )
    lines.append("")
    by = {(r["engine"], r["size"]): r for r in report["results"]}
    for size in sorted({r["size"] for r in report["results"]}):
        ours = by.get(("ours", size))
        if not ours:
            continue
        ratios = [
            f"{other} p99 / ours p99 = {by[(other, size)]['p99_ms'] / max(ours['p99_ms'], 1e-9):.1f}x"
            for other in ("scan", "fts5", "tinydb")
            if (other, size) in by
        ]
        lines.append(f"- {size:,} facts: " + "; ".join(ratios))
    machine = report["machine"]
    lines.append(
        f"\nQuery mix: {report['query_mix']} queries, one pass each after {WARMUP} warm-up queries; "
        f"autocomplete: every prefix of every query. Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"{machine['cpus']} CPUs. Peak RSS includes loading and parsing the base (the same for every "
        "engine); engine MB is the resident memory the engine added after the facts were loaded "
        "(tinydb: its table; fts5: the in-memory SQLite database)."
    )
    if not machine["fts5_trigram"]:
        lines.append(
            "\nFTS5 with the trigram tokenizer is not available in this SQLite build: fts5 not measured."
        )
    return "\n".join(lines) + "\n"


def chart(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4), dpi=100)
    series: dict[str, list[tuple[int, float]]] = {}
    for r in report["results"]:
        series.setdefault(r["engine"], []).append((r["size"], r["p99_ms"]))
        if "autocomplete_p99_ms" in r:
            series.setdefault("ours autocomplete", []).append((r["size"], r["autocomplete_p99_ms"]))
    for name, points in series.items():
        points.sort()
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=name)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("facts in the base")
    axes.set_ylabel("query latency p99 (ms)")
    axes.set_title("Search latency vs base size")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated base sizes")
    parser.add_argument(
        "--engines", default=",".join(ENGINES), help="comma-separated subset of " + ", ".join(ENGINES)
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of Markdown")
    parser.add_argument("--save", type=Path, help="also write search.md, search.json and search.png here")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "BASE"), help=argparse.SUPPRESS)
    parser.add_argument("--quality", metavar="ENGINE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quality:
        print(json.dumps(quality(args.quality)))
        return
    if args.worker:
        print(json.dumps(worker(args.worker[0], Path(args.worker[1]))))
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    engines = [e for e in args.engines.split(",") if e in ENGINES]
    report = run(sizes, engines, progress=True)
    table = markdown(report)
    print(json.dumps(report, indent=2) if args.json else table)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        command = "python bench/search.py --sizes " + ",".join(map(str, sizes))
        (args.save / "search.md").write_text(
            f"# Search benchmark\n\n`{command}`\n\n{table}", encoding="utf-8"
        )
        (args.save / "search.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        try:
            chart(report, args.save / "search.png")
        except ModuleNotFoundError:  # matplotlib is in bench/requirements.txt, not the bot's
            print("matplotlib is not installed: search.png not redrawn.", file=sys.stderr)


if __name__ == "__main__":
    main()
