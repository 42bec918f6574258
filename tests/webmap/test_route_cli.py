"""``langnghe route`` / ``isochrone`` / ``tour`` and the snap limits (issue 15, item 4-5)."""

from __future__ import annotations

import json
import subprocess

import pytest

from gis.db import transaction
from layers.roads import import_roads, read_graph
from tests.support import executable

pytestmark = pytest.mark.postgis


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [executable("langnghe"), "--lang", "en", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture
def kimma(conn, real_data):
    """The Kim Mã ward graph stored as network ``kimma`` (committed: the CLI reads it)."""
    with transaction(conn):
        import_roads(conn, real_data / "roads" / "kimma.graphml", network="kimma", progress=False)
    return read_graph(conn, "kimma")


def test_route_refuses_points_far_from_the_network(kimma, test_env):
    run = _cli(test_env, "route", "105.90,21.10", "105.91,21.11", "--network", "kimma")
    assert run.returncode != 0 and '"cost"' not in run.stdout
    assert "from the nearest road of the network (at most 500 m)" in run.stderr, run.stderr
    run = _cli(test_env, "isochrone", "105.90,21.10", "--network", "kimma")
    assert run.returncode != 0 and "at most 500 m" in run.stderr


def test_route_carries_snap_distances_and_warns_past_200_m(kimma, test_env):
    a, b = 3, kimma.n_nodes - 5
    origin = f"{kimma.lon[a]},{kimma.lat[a]}"
    run = _cli(test_env, "route", origin, f"{kimma.lon[b]},{kimma.lat[b]}", "--network", "kimma")
    assert run.returncode == 0, run.stderr
    props = json.loads(run.stdout)["properties"]
    assert props["cost"] > 0 and props["snap_origin_m"] < 1 and props["snap_destination_m"] < 1
    assert "nearest road" not in run.stderr
    # 0.003 degrees of latitude (about 330 m) north of the ward's northernmost node
    top = int(kimma.lat.argmax())
    far = f"{kimma.lon[top]},{kimma.lat[top] + 0.003}"
    run = _cli(test_env, "route", far, origin, "--network", "kimma")
    assert run.returncode == 0, run.stderr
    props = json.loads(run.stdout)["properties"]
    assert 200 < props["snap_origin_m"] <= 500
    assert "m from the nearest road: the answer may be off" in run.stderr


def test_tour_takes_a_network(test_env):
    run = _cli(test_env, "tour", "--help")
    assert run.returncode == 0 and "--network" in run.stdout
