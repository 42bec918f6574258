"""``langnghe import roads`` builds the routing index of a large network right away (#15)."""

from __future__ import annotations

import subprocess

import pytest

from gis.ch import topology_key
from layers.roads import read_graph
from tests.support import executable

pytestmark = pytest.mark.postgis


def _import(env: dict[str, str], path, network: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [executable("langnghe"), "--lang", "en", "import", "roads", str(path)]
        + ["--network", network],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_a_large_network_gets_its_topology_at_import(conn, test_env, real_data, tmp_path):
    store = tmp_path / "routing"
    env = {**test_env, "LANGNGHE_CH_DIR": str(store), "LANGNGHE_CH_MIN_NODES": "200"}
    run = _import(env, real_data / "roads" / "kimma.graphml", "kimma")
    assert run.returncode == 0, run.stderr
    graph = read_graph(conn, "kimma")
    assert graph.n_nodes >= 200
    saved = sorted(p.name for p in store.iterdir() if p.is_dir())
    assert saved == [f"kimma-{topology_key(graph)}"]
    # below the size nothing is built
    small = {**env, "LANGNGHE_CH_MIN_NODES": str(graph.n_nodes + 1)}
    run = _import(small, real_data / "roads" / "trungliet.graphml", "trungliet")
    assert run.returncode == 0, run.stderr
    assert not any(p.name.startswith("trungliet-") for p in store.iterdir())
