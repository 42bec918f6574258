"""Write one section of docs/benchmarks.md: the section with the same heading is replaced,
a new one is appended, the other sections are kept.

``make bench`` starts a run (``python bench/report.py begin``): a fresh document whose header
names the run (start time, commit, machine), and ``LANGNGHE_BENCH_RUN`` set to that run for
every script, so that each section says it is from that run; ``python bench/report.py end``
adds the run's total time and the scripts that failed. A script run alone writes its section
into the existing document with its own date and commit.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
#: The run of ``make bench`` a section belongs to: "<UTC start> <commit>", set by ``begin``.
RUN_ENV = "LANGNGHE_BENCH_RUN"
#: Every script of ``make bench`` takes ``--quick`` (``make bench BENCH_ARGS=--quick``).
QUICK = "--quick"


def commit() -> str:
    """The checkout's commit (short), with ``+changes`` when the tree differs from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    # The document a run rewrites is not a change of the code measured.
    changed = git(
        "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/benchmarks.md"
    )
    return head + ("+changes" if changed else "")


def quick() -> bool:
    """True when the script was given ``--quick`` (taken out of ``sys.argv``): smaller sizes,
    which the script's section says."""
    if QUICK in sys.argv:
        sys.argv.remove(QUICK)
        return True
    return False


def write_section(heading: str, body: str, *, dated: bool = True, doc: Path = DOC) -> None:
    """Put ``## heading`` and ``body`` into the document, under a line naming the run.

    In a ``make bench`` run the line names that run (the same for every section); alone, the
    date and commit. Either way it gives the machine's cores and load when the section was
    written. ``dated`` is kept for the callers; every section is dated now. ``doc``: another
    document (bench/reshape_pair.py writes docs/benchmarks-pairs.md, outside the run).
    """
    del dated
    existing = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    marker = f"\n## {heading}"
    before, found, after = existing.partition(marker)
    rest = ""
    if found:
        nxt = after.find("\n## ")
        rest = after[nxt:] if nxt >= 0 else ""
    run = os.environ.get(RUN_ENV)
    when = time.strftime("%H:%M UTC", time.gmtime())
    stamp = (
        f"_From the `make bench` run of {run}; written at {when} ({machine()})._"
        if run
        else f"_Run alone on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"commit {commit()} ({machine()})._"
    )
    doc.write_text(
        before.rstrip("\n")
        + "\n\n"
        + f"## {heading}"
        + "\n\n"
        + stamp
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


def _free(port: int) -> bool:
    with socket.socket() as sock:
        # As the servers bind: a port left in TIME_WAIT by the previous script is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def server_ports(count: int) -> list[int]:
    """Ports for the servers a benchmark starts on 127.0.0.1.

    With ``LANGNGHE_BENCH_PORT_BASE`` set (``make bench BENCH_PORT_BASE=18200``): that port and
    the next ones, each checked free, so that two runs on one machine given different bases
    never meet; a port in use stops the run (a server already there would be measured in
    place of ours). Unset: ports the system picks free.
    """
    base = os.environ.get("LANGNGHE_BENCH_PORT_BASE")
    if not base:
        ports = []
        socks = [socket.socket() for _ in range(count)]
        try:
            for sock in socks:  # held open together, so that the ports differ
                sock.bind(("127.0.0.1", 0))
                ports.append(sock.getsockname()[1])
        finally:
            for sock in socks:
                sock.close()
        return ports
    ports = list(range(int(base), int(base) + count))
    taken = [p for p in ports if not _free(p)]
    if taken:
        raise SystemExit(
            f"ports {taken} (from LANGNGHE_BENCH_PORT_BASE={base}) are in use on 127.0.0.1: "
            "choose another base"
        )
    return ports


def begin(args: list[str]) -> str:
    """Start a run: a fresh document with its header; returns the run's name."""
    run = f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit()}"
    size = " ".join(args) or "the full sizes"
    DOC.write_text(
        "# Benchmarks\n\n"
        f"Every section below is from one `make bench` run ({size}), started {run} on this "
        f"machine ({machine()}; `nproc` and the 1-, 5- and 15-minute load averages). Each "
        "section's first line says when it was written and the load then. Only figures of the "
        "same run are compared: ours beside the peer's, in turn, several runs, median "
        "(min-max).\n",
        encoding="utf-8",
    )
    return run


def end(run: str, started: float, failed: list[str]) -> None:
    """Close a run: its total time, and the scripts that failed (their sections are missing)."""
    minutes = (time.time() - started) / 60
    lines = [
        "",
        "## The run",
        "",
        f"`make bench` ({run}) took {minutes:.0f} min in all, the peers' install included; "
        f"at the end: {machine()}.",
    ]
    if failed:
        lines.append(
            "These scripts failed, so their sections are missing: "
            + ", ".join(f"`{f}`" for f in failed)
            + " (their own output is in the run's log)."
        )
    with DOC.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    # make bench: `report.py begin [BENCH_ARGS]` prints the run's name;
    # `report.py end RUN START_EPOCH [FAILED...]` writes the closing section.
    if sys.argv[1:2] == ["begin"]:
        print(begin(sys.argv[2:]))
    elif sys.argv[1:2] == ["end"]:
        end(sys.argv[2], float(sys.argv[3]), sys.argv[4:])
    else:
        raise SystemExit("usage: report.py begin [ARGS...] | end RUN START_EPOCH [FAILED...]")
