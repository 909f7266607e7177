"""How many lines of code a query passes through, and how many numbers calibration tunes (issue 18).

    python bench/budget.py [--by-file]

Counts the lines of ``knowledge/search/`` a search runs: no blank lines, comments or docstrings,
and not the code that only builds, saves or loads the index, nor the near-duplicate check
(:data:`NOT_QUERY_PATH` names each left out). The budget is 1,200 lines and 15 tunable numbers.
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
import tokenize
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from knowledge.search.config import TUNABLE  # noqa: E402

SEARCH = REPO / "knowledge" / "search"
LINES, NUMBERS = 1200, 15
# Module -> top-level functions, classes or Class.method left out: building the index and the
# thesaurus, saving and loading, and the near-duplicate check. similarity.py is only that check,
# saved.py only the saved index's format and checks.
NOT_QUERY_PATH: dict[str, set[str]] = {
    "index.py": {
        "LazyFacts",  # the protocol load() checks its facts against
        "_FactsByID.__init__",  # made by load(); a query reads facts through __getitem__
        "_FactsByID.__setitem__",  # upsert
        "_FactsByID.__delitem__",  # upsert
        "_FactsByID.__iter__",  # fingerprint and save; a query reads facts by id and counts them
        "_MAX_SPAN",  # upsert's limit on a period indexed year by year
        "NEAR_DUPLICATE",  # the near-duplicate check's limits
        "_DUPLICATE_PROBE",
        "_DUPLICATE_POSTINGS",
        "_fact_fields",
        "_fact_terms",
        "_name_keys",
        "_as_tuple",
        "_fact_years",
        "SearchIndex.__init__",
        "SearchIndex.save",
        "SearchIndex.load",
        "SearchIndex.saved_note",  # reads a saved index's note, before any load
        "SearchIndex.upsert",
        "SearchIndex._remove",
        "SearchIndex._add_term",
        "SearchIndex._drop_term",
        "SearchIndex.near_duplicates",
        "SearchIndex.__len__",  # accessors the bot reads; no query calls them
        "SearchIndex.config",
        "SearchIndex.thesaurus",
        "SearchIndex.use_thesaurus",
    },
    # reading the thesaurus file into groups is building it, like the index; stems() serves /timeline
    "wordforms.py": {
        "Thesaurus.__init__",
        "Thesaurus._add",
        "Thesaurus._openers",  # read once, when the thesaurus is compiled
        "Thesaurus._closers",
        "Thesaurus._with_synonyms",
        "_by_first_word",  # groups the question word lists when the module is read
        "member_phrases",
        "phrase_of",
        "Thesaurus.load",
        "Thesaurus.groups",
        "Thesaurus.with_group",
        "shipped_thesaurus",
        "thesaurus_groups",
        "shipped_groups",
        "stems",
        "_filler",  # the filler phrase_of and member_phrases drop when the thesaurus is read
    },
    "scoring.py": {"_names"},  # a fact's names, read when it is indexed
    "roles.py": {"names"},  # the claims' capitalised words, read when a fact is indexed
    # what a saved index was built with, and checking the values when a config is made
    "config.py": {"SearchConfig.fingerprint", "SearchConfig.__post_init__", "_RANGES"},
    # words() of a fact's text, quicker: read when a fact is indexed or compared for duplicates
    "textnorm.py": {"fact_words", "_plain_ascii", "_PLAIN_SPLIT", "_ASCII_SEPARATORS"},
}
SKIPPED_MODULES = {"similarity.py", "saved.py"}


def _docstring_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            first = body[0] if body else None
            value = first.value if isinstance(first, ast.Expr) else None
            if first is not None and isinstance(value, ast.Constant) and isinstance(value.value, str):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def _excluded_lines(tree: ast.Module, names: set[str]) -> set[int]:
    lines: set[int] = set()

    def span(node: ast.AST) -> range:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])  # type: ignore[attr-defined]
        return range(first, node.end_lineno + 1)  # type: ignore[attr-defined,operator]

    for node in tree.body:
        name = getattr(node, "name", None)
        if name is None and isinstance(node, ast.Assign | ast.AnnAssign):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            name = getattr(target, "id", None)
        if name in names:
            lines.update(span(node))
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if f"{node.name}.{getattr(item, 'name', '')}" in names:
                    lines.update(span(item))
    return lines


def code_lines(path: Path) -> int:
    """Lines of ``path`` holding code: not blank, not only a comment, not a docstring, not left out."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    skip = _docstring_lines(tree) | _excluded_lines(tree, NOT_QUERY_PATH.get(path.name, set()))
    code: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            continue
        if token.type == tokenize.ENDMARKER:
            continue
        code.update(range(token.start[0], token.end[0] + 1))
    return len(code - skip)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--by-file", action="store_true", help="the count of each module too")
    args = parser.parse_args(argv)
    counts = {p.name: code_lines(p) for p in sorted(SEARCH.glob("*.py")) if p.name not in SKIPPED_MODULES}
    if args.by_file:
        for name, count in counts.items():
            print(f"{name:<16}{count:>6}")
    total = sum(counts.values())
    tunable = len(TUNABLE)
    print(
        f"query path: {total} lines of code (budget {LINES}); tunable numbers: {tunable} (budget {NUMBERS})"
    )
    return 0 if total <= LINES and tunable <= NUMBERS else 1


if __name__ == "__main__":
    sys.exit(main())
