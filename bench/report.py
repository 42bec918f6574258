"""Write one section of docs/benchmarks.md: the section with the same heading is replaced,
a new one is appended, the other sections are kept.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
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


def machine() -> str:
    """Cores and the 1-, 5- and 15-minute load averages now, for the line beside a figure."""
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} cores, load {one:.1f} / {five:.1f} / {fifteen:.1f}"


def load_now() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    """``median (min-max)`` of several runs."""
    if not values:
        return "-"
    med = statistics.median(values)
    return f"{fmt.format(med)} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def alternate(
    contenders: dict[str, Callable[[], object]], *, runs: int = 3
) -> tuple[dict[str, list[float]], list[float]]:
    """Time each contender ``runs`` times, in turn (ours, peer; then peer, ours; ...).

    Returns the wall seconds per contender and the 1-minute load seen before each round, so
    that a ratio of two contenders compares runs made under the same load.
    """
    times: dict[str, list[float]] = {name: [] for name in contenders}
    loads = []
    order = list(contenders.items())
    for round_ in range(runs):
        loads.append(load_now())
        # ABBA: who goes first changes every round, so that neither always runs on a cache
        # (or a load) the other left.
        for name, run in order if round_ % 2 == 0 else order[::-1]:
            t = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t)
    return times, loads


def ratio(ours: list[float], theirs: list[float]) -> str:
    """Median of the per-round ratios ours / theirs, with their min and max."""
    return spread([a / b for a, b in zip(ours, theirs, strict=True) if b > 0], "{:.2f}")
