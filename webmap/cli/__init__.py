"""The ``langnghe`` command line: one click group, a module per command group.

``main`` is the entry point declared in ``pyproject.toml``; ``cli`` is the group, for
tests (``click.testing.CliRunner``) and for embedding.
"""

from webmap.cli.main import cli, main

__all__ = ["cli", "main"]
