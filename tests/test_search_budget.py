"""Issue 18's budget, held in CI: everything a query passes through in ≤ 1,200 lines of code and
≤ 15 tunable numbers, counted as ``python bench/budget.py`` counts them."""

from __future__ import annotations

import ast
from pathlib import Path

from bench.budget import LINES, NOT_QUERY_PATH, NUMBERS, SEARCH, SKIPPED_MODULES, code_lines
from knowledge.search.config import TUNABLE


def test_the_query_path_fits_the_budget() -> None:
    counted = [p for p in SEARCH.glob("*.py") if p.name not in SKIPPED_MODULES]
    assert sum(map(code_lines, counted)) <= LINES
    assert len(TUNABLE) <= NUMBERS


def test_every_name_left_out_of_the_count_exists() -> None:
    # A renamed function left in NOT_QUERY_PATH would be counted again under its new name, but a
    # name that no longer exists says the list is stale.
    for module, names in NOT_QUERY_PATH.items():
        tree = ast.parse((SEARCH / module).read_text(encoding="utf-8"))
        defined: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                defined.add(getattr(target, "id", ""))
            name = getattr(node, "name", None)
            if name:
                defined.add(name)
            if isinstance(node, ast.ClassDef):
                defined.update(f"{node.name}.{getattr(item, 'name', '')}" for item in node.body)
        assert names <= defined, f"{module}: {sorted(names - defined)}"


def test_lines_are_counted_without_blanks_comments_or_docstrings(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        '"""A module docstring,\n\nover three lines."""\n\n'
        "# a comment\n"
        "def f(x):\n"
        '    """Its docstring."""\n'
        "    y = (x +\n"
        "         1)  # a call over two lines counts twice\n"
        "\n"
        "    return y\n",
        encoding="utf-8",
    )
    assert code_lines(source) == 4  # def, the two lines of y, return
