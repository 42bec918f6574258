"""Layout, packaging and CLI checks."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click
import yaml
from click.testing import CliRunner

from webmap.cli import cli

ROOT = Path(__file__).resolve().parent.parent
#: pip name -> conda-forge name where they differ.
PIP_TO_CONDA = {"psycopg2-binary": "psycopg2", "osmium": "pyosmium", "ortools": "ortools-python"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].strip().lower()


def test_top_level_layout():
    for name in (
        "gis",
        "layers",
        "webmap",
        "planning",
        "data",
        "tests",
        "environment.yml",
        "pyproject.toml",
        "Makefile",
        "README.md",
        ".ci/run",
    ):
        assert (ROOT / name).exists(), name


def test_environment_yml_lists_the_same_runtime_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_runtime = {PIP_TO_CONDA.get(_name(r), _name(r)) for r in project["dependencies"]}
    pip_test = {_name(r) for r in project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    conda |= {
        _name(p) for d in env["dependencies"] if isinstance(d, dict) for p in d.get("pip", [])
    }
    conda -= {"python", "pip", "postgresql", "postgis", "pgrouting"}
    assert conda == pip_runtime | pip_test
    assert {"postgis", "postgresql"} <= {
        _name(d) for d in env["dependencies"] if isinstance(d, str)
    }


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_every_command_has_help():
    runner = CliRunner()
    paths = list(_commands(cli))
    assert ("import", "villages") in paths and ("db", "start") in paths and ("serve",) in paths
    for path in [(), *paths]:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_gitignore_keeps_the_database_folder_out():
    assert ".local/" in (ROOT / ".gitignore").read_text().splitlines()


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci/run").read_text()


def _module_graph(packages: tuple[str, ...]):
    """Module -> modules it imports (imports inside functions included), within ``packages``."""
    import ast

    import networkx as nx

    names = {}
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = nx.DiGraph()
    for module, path in names.items():
        graph.add_node(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for target in targets:
                if target in names and target != module:
                    graph.add_edge(module, target)
    return graph


def test_no_import_cycles_below_webmap():
    import networkx as nx

    graph = _module_graph(("gis", "layers", "planning"))
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == []
    # the pipeline imports layers; pure planning modules import neither layers nor the pipeline
    pure = [m for m in graph if m.startswith("planning.") and not m.startswith("planning.pipeline")]
    assert not [
        (m, t) for m in pure for t in graph.successors(m) if t.startswith(("layers", "planning.pi"))
    ]


def test_library_code_never_commits():
    import ast

    found = []
    for package in ("layers", "planning"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("commit", "rollback")
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []  # the CLI command, job or request owns the transaction


def test_every_sql_file_is_used_and_every_query_has_its_file():
    import re

    files = {p.stem for p in (ROOT / "layers" / "sql").glob("*.sql")}
    used = set()
    for path in (ROOT / "layers").rglob("*.py"):
        used |= set(re.findall(r'query\("(\w+)"\)', path.read_text(encoding="utf-8")))
    assert used == files
    from layers._sql import query

    assert all(query(name).strip() for name in files)
