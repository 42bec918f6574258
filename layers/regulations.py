"""Read the versioned regulation tables in ``data/regulations`` (raw documents)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["load_document"]


@lru_cache(maxsize=16)
def load_document(folder: Path, name: str) -> dict[str, Any]:
    """One regulation file, parsed (``name`` without ``.yaml``)."""
    return yaml.safe_load((folder / f"{name}.yaml").read_text(encoding="utf-8"))
