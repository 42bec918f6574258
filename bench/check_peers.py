"""Check every peer of the benchmarks once it is installed (``make bench-tools`` runs this).

Each peer is asked for something real through its own command or API: the servers' versions
from the peers' virtualenv (``.local/bench-peers``), pygeoapi's configuration check, LKH-3
(elkai) and CBC (PuLP) solving a tiny problem, PyKrige fitting one, ``wrk`` and ``pgbench``
answering. The first failure stops with that step's own output, and the versions found are
printed against bench/requirements-peers.txt.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT / ".local" / "bench-peers" / "bin"
PINS = ROOT / "bench" / "requirements-peers.txt"

#: In the peers' virtualenv: the servers (bench/ogc_peers.py).
SERVER_CHECKS = {
    "tipg": "import tipg.main, importlib.metadata as m; print(m.version('tipg'))",
    "pygeoapi": "import pygeoapi, importlib.metadata as m; print(m.version('pygeoapi'))",
    "uvicorn": "import uvicorn; print(uvicorn.__version__)",
    "gunicorn": "import gunicorn; print(gunicorn.__version__)",
    # pygeoapi's PostgreSQL providers import these without requiring them.
    "psycopg2-binary": "import psycopg2; print(psycopg2.__version__.split()[0])",
    "SQLAlchemy": "import sqlalchemy; print(sqlalchemy.__version__)",
    "GeoAlchemy2": "import geoalchemy2, importlib.metadata as m; print(m.version('GeoAlchemy2'))",
}
#: In the project's virtualenv (the ``bench`` extra): the in-process peers.
INPROCESS_CHECKS = {
    "elkai": (
        "import elkai, importlib.metadata as m; "
        "t = elkai.DistanceMatrix([[0, 1, 9], [9, 0, 1], [1, 9, 0]]).solve_tsp(); "
        "assert sorted(t[:-1]) == [0, 1, 2], t; print(m.version('elkai'))"
    ),
    "pulp": (
        "import pulp, cbcbox; p = pulp.LpProblem('c', pulp.LpMinimize); "
        "x = pulp.LpVariable('x', 0, 3, cat='Integer'); p += -x; "
        "assert p.solve(pulp.COIN_CMD(path=cbcbox.cbc_bin_path(), msg=False)) == 1; "
        "assert x.value() == 3; print(pulp.__version__)"
    ),
    "pykrige": (
        "import numpy as n, pykrige, importlib.metadata as m; "
        "from pykrige.ok import OrdinaryKriging as K; r = n.random.default_rng(0); "
        "K(r.random(20), r.random(20), r.random(20), variogram_model='spherical')"
        ".execute('grid', n.linspace(0, 1, 5), n.linspace(0, 1, 5)); print(m.version('pykrige'))"
    ),
}


def pins() -> dict[str, str]:
    """Name -> version of every line ``name==version`` of the requirements file."""
    found = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", PINS.read_text(), flags=re.M)
    return {name.lower(): version for name, version in found}


def step(label: str, cmd: list[str]) -> str:
    """Run one check; on failure stop with its command and its own output."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SystemExit(f"bench peer check failed: {label}: {' '.join(cmd)}\n{error}") from None
    if done.returncode:
        raise SystemExit(
            f"bench peer check failed: {label} (exit {done.returncode}): {' '.join(cmd)}\n"
            f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def main() -> None:
    pinned = pins()
    wrong = []
    for python, checks in (
        (PEERS / "python", SERVER_CHECKS),
        (Path(sys.executable), INPROCESS_CHECKS),
    ):
        for name, code in checks.items():
            version = step(name, [str(python), "-c", code])
            want = pinned.get(name.lower())
            print(f"{name} {version} (pinned {want})")
            if want is not None and version != want:
                wrong.append(f"{name} {version}, pinned {want}")
    # pygeoapi's own configuration check, on the configuration bench/ogc_peers.py writes.
    sys.path.insert(0, str(ROOT))
    from bench.ogc_peers import PYGEOAPI_CONFIG

    config = ROOT / ".local" / "bench-pygeoapi-check.yml"
    config.write_text(PYGEOAPI_CONFIG.format(port=5000, pgport=5432, db="check"))
    step(
        "pygeoapi config validate",
        [str(PEERS / "pygeoapi"), "config", "validate", "-c", str(config)],
    )
    config.unlink()
    print("pygeoapi config validate: ok")
    # `wrk -v` prints its version and its usage, and exits 1.
    for tool, args, codes in (("wrk", ["-v"], (0, 1)), ("pgbench", ["--version"], (0,))):
        path = shutil.which(tool)
        if path is None:
            raise SystemExit(f"bench peer check failed: {tool} is not on PATH")
        done = subprocess.run([path, *args], capture_output=True, text=True, check=False)
        first = (done.stdout or done.stderr).strip().splitlines()[:1]
        if done.returncode not in codes or not first or tool not in first[0]:
            raise SystemExit(
                f"bench peer check failed: {tool} (exit {done.returncode}): {path} "
                f"{' '.join(args)}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
            )
        print(first[0])
    if wrong:
        raise SystemExit("peers not at their pinned versions: " + "; ".join(wrong))


if __name__ == "__main__":
    main()
