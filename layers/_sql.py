"""The package's SQL files (``layers/sql/*.sql``), read once with importlib.resources."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

__all__ = ["query"]


@cache
def query(name: str) -> str:
    """The text of ``layers/sql/<name>.sql``.

    Parameters
    ----------
    name : str
        The file's stem, e.g. ``"measurements_frame"``.

    Returns
    -------
    str
        The SQL, with psycopg2 placeholders for its bound values.
    """
    return (files("layers") / "sql" / f"{name}.sql").read_text(encoding="utf-8")
