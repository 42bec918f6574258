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
