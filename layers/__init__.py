"""Layer families: each owns its table (migration), validation, loader and queries."""

import logging
from importlib.resources import files
from pathlib import Path

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["migrations_folder"]


def migrations_folder() -> Path:
    """The folder of versioned SQL migrations for every layer table."""
    return Path(str(files("layers") / "migrations"))
