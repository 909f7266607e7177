"""Near-duplicate benchmark (issue 13): how long ``check``'s duplicate warnings take, and what they find.

    python bench/duplicates.py [--sizes 1000,10000] [--save bench/results]

Two bases per size: the synthetic base (bench/synth.py: distinct claims of
20-60 words) and a template base (the same ~200-character claim with only a
number changed, as a bad paste or a runaway script would make). For each it
times :func:`knowledge.duplicates.duplicate_warnings` (the variant finder and
the rapidfuzz finder, as ``check`` and import run them) and counts the facts
the warnings name. A script, not a test: the times depend on the machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.synth import synthetic_base  # noqa: E402
from knowledge.duplicates import find_duplicates  # noqa: E402
from knowledge.model import Fact, Source  # noqa: E402

TEMPLATE = (
    "The regional council recorded {n} new housing permits in the northern district during the third "
    "quarter, according to the planning office figures released on Monday to local reporters and staff."
)


def template_base(size: int) -> list[Fact]:
    source = (Source(publisher="Example Daily", url="https://example.com/permits"),)
    return [Fact(key=f"permits-{n}", claim=TEMPLATE.format(n=n), sources=source) for n in range(size)]


def measure(name: str, facts: list[Fact]) -> str:
    started = time.perf_counter()
    groups, pairs = find_duplicates(facts)  # what check's and import's warnings come from
    took = time.perf_counter() - started
    in_groups = sum(len(g) for g in groups)
    return f"| {name} | {len(facts):,} | {took:.2f} | {len(groups)} ({in_groups:,} facts) | {len(pairs)} |"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated base sizes")
    parser.add_argument("--save", type=Path, help="also write duplicates.md here")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    lines = [
        "| base | facts | seconds | one-word variant groups | reworded pairs |",
        "|---|---:|---:|---:|---:|",
    ]
    for size in sizes:
        lines.append(measure("synthetic", synthetic_base(size)))
        lines.append(measure("template", template_base(size)))
    table = "\n".join(lines) + "\n"
    print(table)
    if args.save:
        command = "python bench/duplicates.py --sizes " + ",".join(map(str, sizes))
        args.save.mkdir(parents=True, exist_ok=True)
        (args.save / "duplicates.md").write_text(
            f"# Near-duplicate benchmark\n\n`{command}`\n\n{table}", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
