"""The layering rules that DESIGN.md states, checked on the source with ``ast``.

``gis <- layers <- planning.pipeline <- webmap``: ``gis`` imports none of the others,
``layers`` imports ``gis`` only, pure ``planning`` modules import ``gis`` only,
``planning.pipeline`` adds ``layers`` and pure ``planning``, nothing imports ``webmap``,
and there are no import cycles. Imports inside functions count, and relative imports are
resolved. See docs/architecture.md.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gis", "layers", "planning", "webmap")
#: Libraries of the edges (HTTP, terminal), which nothing below webmap/ may import.
EDGE_LIBRARIES = ("click", "tqdm", "flask", "flask_babel", "flask_login", "werkzeug")
#: What pure analyses must not know besides: the database driver.
PURE_FORBIDDEN = ("psycopg2", "sqlalchemy")
#: HTTP vocabulary that lives only in webmap/errors.py.
HTTP_NAMES = ("PreconditionFailed", "PreconditionRequired", "Conflict", "Forbidden", "Unauthorized")

#: side -> the sides it may import (besides itself).
ALLOWED = {
    "gis": set(),
    "layers": {"gis"},
    "planning": {"gis"},
    "planning.pipeline": {"gis", "layers", "planning"},
    "webmap": {"gis", "layers", "planning", "planning.pipeline"},
}
#: Cycles across the whole tree that exist today (issue 11 removes them); a cycle inside one
#: of these passes, any other fails.
KNOWN_CYCLES: list[frozenset[str]] = []


@cache
def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _absolute(importer: str, node: ast.ImportFrom) -> str:
    """The module an ``ImportFrom`` names, relative imports resolved against ``importer``."""
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    if _modules().get(importer, Path()).name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(path: Path, importer: str = "") -> Iterator[str]:
    """Every import in the file as an absolute dotted name, inside functions included."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(importer, node)
            if module:
                yield from (f"{module}.{alias.name}" for alias in node.names)


def _targets(name: str, path: Path) -> set[str]:
    """The project modules that module ``name`` imports (a package's own ``__init__`` is not
    counted for an import of one of its submodules: re-exporting is no cycle).
    """
    modules = _modules()
    found = set()
    for target in _imports(path, name):
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


@cache
def _graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for name, path in _modules().items():
        graph.add_node(name)
        for target in _targets(name, path):
            graph.add_edge(name, target)
    return graph


def _side(module: str) -> str:
    """Which side of the rule a module sits on: a package, or ``planning.pipeline``."""
    parts = module.split(".")
    if parts[0] == "planning" and len(parts) > 1 and parts[1].startswith("pipeline"):
        return "planning.pipeline"
    return parts[0]


def test_the_reader_sees_imports_in_functions_and_relative_ones(tmp_path):
    source = tmp_path / "m.py"
    source.write_text(
        "from . import db\n"
        "def f():\n"
        "    from layers.registry import get_spec\n"
        "    import planning.siting\n"
        "    from ..webmap import app\n"
    )
    assert _targets("gis.io", source) == {
        "gis.db",
        "layers.registry",
        "planning.siting",
        "webmap.app",
    }


@pytest.mark.parametrize("package", ["gis", "layers", "webmap"])
def test_no_import_cycles(package):
    graph = _graph()
    inside = graph.subgraph(n for n in graph if n.split(".")[0] == package)
    assert list(nx.simple_cycles(inside)) == []


def test_no_import_cycles_anywhere():
    cycles = [frozenset(c) for c in nx.strongly_connected_components(_graph()) if len(c) > 1]
    new = [c for c in cycles if not any(c <= known for known in KNOWN_CYCLES)]
    assert new == [], "import cycles (imports inside functions included):\n" + "\n".join(
        "  " + " <-> ".join(sorted(c)) for c in new
    )


def test_imports_point_one_way():
    wrong = [
        (a, b)
        for a, b in _graph().edges
        if _side(a) != _side(b) and _side(b) not in ALLOWED[_side(a)]
    ]
    assert wrong == []


@pytest.mark.parametrize("package", ["gis", "layers", "planning"])
def test_library_code_knows_no_terminal_or_http(package):
    found = []
    for name, path in _modules().items():
        if name.split(".")[0] != package:
            continue
        for target in _imports(path, name):
            if target.split(".")[0] in EDGE_LIBRARIES:
                found.append((str(path.relative_to(ROOT)), target))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [
            (str(path.relative_to(ROOT)), node.name)
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef) and node.name in HTTP_NAMES
        ]
    assert found == []


def test_pure_analyses_know_no_database_driver():
    found = [
        (name, target)
        for name, path in _modules().items()
        if _side(name) == "planning"
        for target in _imports(path, name)
        if target.split(".")[0] in PURE_FORBIDDEN
    ]
    assert found == []
