"""The SQL floor of a web workload: pgbench running the very statements our server runs.

Each request's statements are recorded by calling the same ``layers.collections`` function
the view calls, through a connection whose cursors write down every statement with its
values bound (``cursor.mogrify``). pgbench then runs them with the clients and threads wrk
used (one script per request, picked at random; pgbench takes at most 128 scripts), so the
requests per second of the database alone bound what any server can reach on this machine.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["pgbench", "record"]

MAX_SCRIPTS = 128


class _RecordingCursor:
    def __init__(self, cursor: Any, log: list[str]) -> None:
        self._cursor, self._log = cursor, log

    def execute(self, query: Any, params: Any = None) -> None:
        self._log.append(self._cursor.mogrify(query, params).decode())
        self._cursor.execute(query, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __enter__(self) -> _RecordingCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self._cursor.close()


class _RecordingConnection:
    def __init__(self, conn: Any) -> None:
        self._conn, self.log = conn, []

    def cursor(self, *args: Any, **kwargs: Any) -> _RecordingCursor:
        return _RecordingCursor(self._conn.cursor(*args, **kwargs), self.log)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def record(conn: Any, calls: list[Any]) -> list[list[str]]:
    """The statements of each call (a function of a connection), in order, values bound."""
    scripts = []
    for call in calls[:MAX_SCRIPTS]:
        recording = _RecordingConnection(conn)
        call(recording)
        scripts.append(recording.log)
    conn.rollback()
    return scripts


def _one_line(statement: str) -> str:
    """The statement on one line, its comment lines dropped (pgbench reads lines)."""
    lines = [x for x in statement.splitlines() if not x.strip().startswith("--")]
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


def pgbench(
    scripts: list[list[str]],
    *,
    dsn: dict[str, str],
    clients: int,
    threads: int,
    seconds: int,
    folder: Path,
) -> dict[str, float]:
    """Run the scripts (equal weights) for ``seconds``; transactions per second and latency.

    Fails loudly with pgbench's own output when it fails.
    """
    args = ["pgbench", "-n", "-c", str(clients), "-j", str(threads), "-T", str(seconds)]
    for i, statements in enumerate(scripts):
        path = folder / f"floor-{i}.sql"
        # in a transaction, as the server runs them (psycopg2 opens one; the request's end rolls
        # it back), so that a SET LOCAL among them holds for the statements after it
        lines = ["BEGIN;\n", *(_one_line(s) + ";\n" for s in statements), "ROLLBACK;\n"]
        path.write_text("".join(lines), encoding="utf-8")
        args += ["-f", f"{path}@1"]
    args += ["-h", dsn["host"], "-p", dsn["port"], "-U", dsn["user"], dsn["dbname"]]
    env = {**os.environ, "PGPASSFILE": dsn["passfile"]}
    done = subprocess.run(args, capture_output=True, text=True, check=False, env=env)
    if done.returncode:
        raise SystemExit(f"pgbench failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    tps = re.search(r"tps = ([\d.]+)", done.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", done.stdout)
    if tps is None:
        raise SystemExit(f"pgbench printed no tps:\n{done.stdout}\n{done.stderr}")
    return {"rps": float(tps.group(1)), "latency_ms": float(latency.group(1)) if latency else 0}
