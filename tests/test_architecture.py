"""The layering rules that DESIGN.md states, checked on the source (imports inside functions too)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gis", "layers", "planning", "webmap")
#: Libraries of the edges (HTTP, terminal), which nothing below webmap/ may import.
EDGE_LIBRARIES = ("click", "tqdm", "flask", "flask_babel", "flask_login", "werkzeug")
#: HTTP vocabulary that lives only in webmap/errors.py.
HTTP_NAMES = ("PreconditionFailed", "PreconditionRequired", "Conflict", "Forbidden", "Unauthorized")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(path: Path) -> Iterator[str]:
    """Every absolute import in the file, inside functions included."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        for target in _imports(path):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph.add_edge(name, target)
    return graph


@pytest.mark.parametrize("package", ["gis", "layers", "webmap"])
def test_no_import_cycles(package):
    graph = _graph()
    inside = graph.subgraph(n for n in graph if n.split(".")[0] == package)
    assert list(nx.simple_cycles(inside)) == []


def test_imports_point_one_way():
    wrong = [
        (a, b)
        for a, b in _graph().edges
        if (b.startswith("webmap") and not a.startswith("webmap"))
        or (a.startswith("gis") and not b.startswith("gis"))
        or (a.startswith("layers") and b.startswith("planning"))
    ]
    assert wrong == []


@pytest.mark.parametrize("package", ["gis", "layers", "planning"])
def test_library_code_knows_no_terminal_or_http(package):
    found = []
    for path in (ROOT / package).rglob("*.py"):
        for target in _imports(path):
            if target.split(".")[0] in EDGE_LIBRARIES:
                found.append((str(path.relative_to(ROOT)), target))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [
            (str(path.relative_to(ROOT)), node.name)
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef) and node.name in HTTP_NAMES
        ]
    assert found == []
