"""Read the versioned regulation tables in ``data/regulations`` (raw documents)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["air_limits", "load_document"]


@lru_cache(maxsize=16)
def load_document(folder: Path, name: str) -> dict[str, Any]:
    """One regulation file, parsed (``name`` without ``.yaml``)."""
    return yaml.safe_load((folder / f"{name}.yaml").read_text(encoding="utf-8"))


def air_limits(folder: Path, parameter: str, on: str) -> list[dict[str, Any]]:
    """QCVN 05 limits of ``parameter`` in force on date ``on`` (ISO), with their document."""
    doc = load_document(folder, "qcvn05_air")
    out = []
    for version in doc["versions"]:
        start, end = str(version["effective_from"]), str(version["effective_to"] or "9999-12-31")
        if start <= on <= end:
            out += [
                {**lim, "document": version["document"], "unit": doc["unit"]}
                for lim in version["limits"]
                if lim["parameter"] == parameter
            ]
    return out
