"""The layers hold: read from every module's imports (parsed, never run).

- nothing imports in a cycle;
- ``knowledge`` never imports discord, ``handlers`` or ``bot``;
- ``knowledge.store`` never imports ``knowledge.search`` or ``knowledge.desk``;
- ``knowledge.search`` imports only ``knowledge.model`` and ``knowledge.errors`` of the rest;
- no handler imports ``bot``, and no module imports a cog's module (one with a ``setup``):
  cogs share through :mod:`handlers.parts` and the other shared modules.

Imports inside functions count (they run, only later); imports under
``if TYPE_CHECKING:`` do not (they never run). ``from X import Y`` is an
import of the module ``X.Y`` when ``Y`` is a module, else of ``X``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pytest

from bot import ROOT
from knowledge.store.changes import SHIPPED_BASE

PACKAGES = ("handlers", "knowledge")


def module_files(root: Path, packages: Iterable[str], scripts: Iterable[str] = ()) -> dict[str, Path]:
    """Every module under ``packages`` (and the top-level ``scripts``) by its dotted name."""
    found = {name: root / f"{name}.py" for name in scripts}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, functions' bodies too, leaving out the body of ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for other in node.orelse:
                yield other
                yield from _nodes(other)
            continue
        yield node
        yield from _nodes(node)


def imports_of(name: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    """The dotted names ``name`` imports: a project module by its own name, anything else as written."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                anchor = here[: len(here) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    return found


def import_graph(known: Mapping[str, Path]) -> dict[str, set[str]]:
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The import cycles among the project's modules: each a group of modules that import each other
    (Tarjan's strongly connected components, iterative), with a module that imports itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start] & graph.keys())))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child] & graph.keys()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in graph[node]:
                    found.append(sorted(group))
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


def forbidden(graph: Mapping[str, set[str]], importer: str, imported: Iterable[str]) -> list[str]:
    """``module -> import`` for every module of ``importer`` that imports one of ``imported``."""
    return sorted(
        f"{module} -> {name}"
        for module, names in graph.items()
        if _within(module, importer)
        for name in names
        if any(_within(name, banned) for banned in imported)
    )


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(module_files(ROOT, PACKAGES, scripts=["bot"]))


def test_nothing_imports_in_a_cycle(graph: dict[str, set[str]]) -> None:
    assert cycles(graph) == []


def test_knowledge_never_imports_discord_the_handlers_or_bot(graph: dict[str, set[str]]) -> None:
    assert forbidden(graph, "knowledge", ["discord", "handlers", "bot"]) == []


def test_the_store_never_imports_search_or_the_desk(graph: dict[str, set[str]]) -> None:
    assert forbidden(graph, "knowledge.store", ["knowledge.search", "knowledge.desk"]) == []


def test_search_imports_only_the_model_and_the_errors_of_the_rest(graph: dict[str, set[str]]) -> None:
    others = [name for name in graph if _within(name, "knowledge") and not _within(name, "knowledge.search")]
    allowed = {"knowledge", "knowledge.model", "knowledge.errors"}
    assert forbidden(graph, "knowledge.search", sorted(set(others) - allowed)) == []


def test_no_handler_imports_bot(graph: dict[str, set[str]]) -> None:
    assert forbidden(graph, "handlers", ["bot"]) == []


def test_the_offline_commands_never_load_discord() -> None:
    """``bot.py ask`` reads the settings (handlers.settings) and the words (handlers.text) only."""
    script = (
        "import sys, bot\n"
        f"code = bot.main(['ask', 'silk way flights', '--db', {str(SHIPPED_BASE)!r}])\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] in ('discord', 'aiohttp'))\n"
        "print(code, loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stdout + done.stderr


def test_no_module_imports_a_cog_module(graph: dict[str, set[str]]) -> None:
    """A cog's module is loaded by ``load_extension`` (afresh, by name) and imported by nobody."""
    known = module_files(ROOT, ["handlers"])
    cogs = {
        name
        for name, path in known.items()
        if any(
            isinstance(node, ast.AsyncFunctionDef) and node.name == "setup"
            for node in ast.parse(path.read_text(encoding="utf-8")).body
        )
    }
    assert len(cogs) >= 5, cogs  # lookup, admin, corrections, help, review
    imported = sorted(f"{module} -> {name}" for module, names in graph.items() for name in names & cogs)
    assert imported == []


# --- the walker itself, on a package made for it --------------------------------------------


def write(root: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_walker_finds_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import helper\n",
            "pkg/b.py": "def helper():\n    from pkg import a\n    return a\n",
            "pkg/c.py": "import pkg.a\n",
        },
    )
    graph = import_graph(module_files(tmp_path, ["pkg"]))
    assert graph["pkg.b"] == {"pkg.a"}  # `from pkg import a` is the module pkg.a
    assert cycles(graph) == [["pkg.a", "pkg.b"]]


def test_the_walker_ignores_type_checking_imports_and_resolves_relative_ones(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "from .leaf import VALUE\n",
            "pkg/sub/leaf.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from pkg.sub import user\n"
                "else:\n    import json\n"
                "VALUE = 1\n"
            ),
            "pkg/sub/user.py": "from ..sub import leaf\nfrom . import leaf as again\nimport discord\n",
        },
    )
    graph = import_graph(module_files(tmp_path, ["pkg"]))
    assert graph["pkg.sub.leaf"] == {"typing", "json"}
    assert graph["pkg.sub"] == {"pkg.sub.leaf"}
    assert graph["pkg.sub.user"] == {"pkg.sub.leaf", "discord"}
    assert cycles(graph) == []
    assert forbidden(graph, "pkg", ["discord"]) == ["pkg.sub.user -> discord"]


def test_the_walker_sees_a_module_importing_itself(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "import pkg.a\n"})
    assert cycles(import_graph(module_files(tmp_path, ["pkg"]))) == [["pkg.a"]]
