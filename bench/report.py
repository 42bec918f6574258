"""Write one section of docs/benchmarks.md: the section with the same heading is replaced,
a new one is appended, the other sections are kept.
"""

from __future__ import annotations

import time
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def write_section(heading: str, body: str, *, dated: bool = True) -> None:
    """Put ``## heading`` (with today's date when ``dated``) and ``body`` into the document."""
    existing = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    marker = f"\n## {heading}"
    before, found, after = existing.partition(marker)
    rest = ""
    if found:
        nxt = after.find("\n## ")
        rest = after[nxt:] if nxt >= 0 else ""
    title = f"## {heading} ({time.strftime('%Y-%m-%d')})" if dated else f"## {heading}"
    DOC.write_text(
        before.rstrip("\n")
        + "\n\n"
        + title
        + "\n\n"
        + body.strip("\n")
        + "\n"
        + ("\n" + rest.lstrip("\n") if rest else ""),
        encoding="utf-8",
    )
