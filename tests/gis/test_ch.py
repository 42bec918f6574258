"""Contraction hierarchies give the plain Dijkstra's costs, one-way streets honoured, through
the public routing functions too; their topologies are saved per network and version.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.sparse.csgraph import dijkstra

from gis.ch import Hierarchy, topology, topology_key
from gis.network import RoadGraph, shortest_path, travel_matrix
from layers.roads import build, graph_from_frames, read_network


def _grid(n: int, seed: int) -> RoadGraph:
    """An n x n grid, two-way except a random fifth of the edges kept in one direction."""
    idx = np.arange(n * n).reshape(n, n)
    a = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    b = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    rng = np.random.default_rng(seed)
    oneway = rng.random(len(a)) < 0.2
    u, v = np.concatenate([a, b[~oneway]]), np.concatenate([b, a[~oneway]])
    classes = rng.choice(["residential", "primary", "footway"], len(u), p=[0.6, 0.3, 0.1])
    return RoadGraph(
        lon=105.0 + (idx % n).ravel() * 0.001,
        lat=21.0 + (idx // n).ravel() * 0.001,
        u=u,
        v=v,
        length_m=rng.uniform(50, 150, len(u)),
        highway=pd.Series(classes),
        maxspeed=pd.Series([None] * len(u)),
        geometry=np.full(len(u), None, dtype=object),
    )


@pytest.fixture(scope="module")
def badinh(real_data) -> RoadGraph:
    edges, nodes, report = read_network(real_data / "roads" / "badinh.graphml")
    return graph_from_frames(*build(edges, nodes, report))


def _check(graph: RoadGraph, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ch = Hierarchy(graph)
    nodes = rng.choice(graph.n_nodes, 30, replace=False)
    for weight, profile in (("length", "car"), ("time", "car"), ("time", "walk")):
        plain = dijkstra(graph.matrix(weight, profile), indices=nodes)[:, nodes]
        got = ch.matrix(nodes, nodes, weight=weight, profile=profile)
        assert np.array_equal(np.isinf(got), np.isinf(plain))
        np.testing.assert_allclose(got[np.isfinite(got)], plain[np.isfinite(plain)], atol=0.05)
        for a, b in rng.integers(0, graph.n_nodes, (40, 2)):
            cost, path = ch.shortest_path(int(a), int(b), weight=weight, profile=profile)
            ref, _ = shortest_path(graph, int(a), int(b), weight=weight, profile=profile)
            assert cost == pytest.approx(ref, rel=1e-9, abs=1e-6), (a, b, weight, profile)
            if path:  # the nodes follow edges of the graph in their direction
                assert path[0] == a and path[-1] == b
                for x, y in zip(path[:-1], path[1:], strict=True):
                    graph.edge_index(x, y)


def test_ch_equals_plain_dijkstra_on_badinh(badinh) -> None:
    assert (badinh.n_nodes, len(badinh.u)) == (4436, 10069)
    _check(badinh, 1)


def test_ch_equals_plain_dijkstra_on_a_one_way_grid() -> None:
    grid = _grid(40, 2)
    ch = Hierarchy(grid)
    one_way = int(np.flatnonzero(~np.isin(grid.u * 10**6 + grid.v, grid.v * 10**6 + grid.u))[0])
    a, b = int(grid.u[one_way]), int(grid.v[one_way])
    back, _ = ch.shortest_path(b, a, weight="length")
    assert back > grid.length_m[one_way] and back == pytest.approx(
        shortest_path(grid, b, a, weight="length")[0]
    )
    _check(grid, 3)


def _plain(graph: RoadGraph) -> RoadGraph:
    """The same graph, routed by the plain search only."""
    return dataclasses.replace(graph, ch_min_nodes=graph.n_nodes + 1, _hierarchy=None)


def _public_equals_plain(graph: RoadGraph, seed: int) -> None:
    """``shortest_path`` and ``travel_matrix`` through the hierarchy equal the plain search."""
    fast, plain = dataclasses.replace(graph, ch_min_nodes=0, _hierarchy=None), _plain(graph)
    assert fast.uses_hierarchy() and not plain.uses_hierarchy()
    rng = np.random.default_rng(seed)
    nodes = rng.choice(graph.n_nodes, 25, replace=False)
    for profile in ("walk", "car"):
        for weight in ("time", "length"):
            ref = travel_matrix(plain, nodes, nodes, weight=weight, profile=profile)
            got = travel_matrix(fast, nodes, nodes, weight=weight, profile=profile)
            assert np.array_equal(np.isinf(got), np.isinf(ref))
            np.testing.assert_allclose(got[np.isfinite(got)], ref[np.isfinite(ref)], atol=1e-3)
            for a, b in rng.integers(0, graph.n_nodes, (30, 2)):
                cost, path = shortest_path(fast, int(a), int(b), weight=weight, profile=profile)
                expected, _ = shortest_path(plain, int(a), int(b), weight=weight, profile=profile)
                assert cost == pytest.approx(expected, rel=1e-9, abs=1e-9), (a, b, profile)
                if path:
                    w = graph.weights(weight, profile)
                    # every step is an edge this profile may use, in its own direction
                    assert sum(
                        min(w[i] for i in np.flatnonzero((graph.u == x) & (graph.v == y)))
                        for x, y in zip(path[:-1], path[1:], strict=True)
                    ) == pytest.approx(cost, rel=1e-9)
    assert fast.hierarchy().origin == "built, not saved"


def test_routing_functions_use_the_hierarchy_on_badinh(badinh) -> None:
    _public_equals_plain(badinh, 5)


def test_routing_functions_use_the_hierarchy_on_a_one_way_grid() -> None:
    grid = _grid(45, 6)
    pairs = set(zip(grid.u.tolist(), grid.v.tolist(), strict=True))
    assert sum((b, a) not in pairs for a, b in pairs) > 500  # one-way streets
    assert (grid.highway == "footway").sum() > 300  # closed to cars, open to walkers
    _public_equals_plain(grid, 7)


def test_small_graphs_keep_the_plain_search() -> None:
    grid = _grid(20, 1)
    assert grid.n_nodes < grid.ch_min_nodes and not grid.uses_hierarchy()
    shortest_path(grid, 0, grid.n_nodes - 1)
    assert grid._hierarchy is None


def test_topology_is_saved_once_and_loaded_after(tmp_path: Path) -> None:
    grid = _grid(30, 4)
    first = Hierarchy(grid, store=tmp_path, name="hà nội/1")
    first.prepare("time", "car")
    assert first.origin == "built"
    saved = sorted(p.name for p in tmp_path.iterdir())
    assert saved == [f"h__n_i_1-{topology_key(grid)}", f"h__n_i_1-{topology_key(grid)}.lock"]
    again = Hierarchy(dataclasses.replace(grid, _hierarchy=None), store=tmp_path, name="hà nội/1")
    nodes = np.arange(0, grid.n_nodes, 37)
    assert np.array_equal(
        again.matrix(nodes, nodes, profile="car"), first.matrix(nodes, nodes, profile="car")
    )
    assert again.origin == "loaded"


def test_an_edited_network_never_gets_a_stale_topology(tmp_path: Path) -> None:
    grid = _grid(30, 4)
    Hierarchy(grid, store=tmp_path, name="n").prepare("length", "car")
    # the same network reimported with one street turned one-way (its reverse edge gone)
    keep = np.ones(len(grid.u), dtype=bool)
    keep[-1] = False
    edited = dataclasses.replace(
        grid,
        u=grid.u[keep],
        v=grid.v[keep],
        length_m=grid.length_m[keep],
        highway=grid.highway[keep].reset_index(drop=True),
        maxspeed=grid.maxspeed[keep].reset_index(drop=True),
        geometry=grid.geometry[keep],
        _csr={},
        _weights={},
        _hierarchy=None,
    )
    assert topology_key(edited) != topology_key(grid)
    hierarchy = Hierarchy(edited, store=tmp_path, name="n")
    nodes = np.arange(0, edited.n_nodes, 29)
    got = hierarchy.matrix(nodes, nodes, weight="length", profile="car")
    assert hierarchy.origin == "built"
    ref = dijkstra(edited.matrix("length", "car"), indices=nodes)[:, nodes]
    np.testing.assert_allclose(got, ref, atol=1e-3)
    # the old version's files are gone, the new one's are there
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"n-{topology_key(edited)}",
        f"n-{topology_key(edited)}.lock",
    ]


def test_a_damaged_topology_is_built_again(tmp_path: Path) -> None:
    grid = _grid(25, 8)
    Hierarchy(grid, store=tmp_path, name="d").prepare("length", "car")
    folder = tmp_path / f"d-{topology_key(grid)}"
    for part in folder.iterdir():
        part.write_bytes(b"\0" * 3)
    hierarchy = Hierarchy(grid, store=tmp_path, name="d")
    cost, _ = hierarchy.shortest_path(0, grid.n_nodes - 1, weight="length", profile="car")
    assert hierarchy.origin == "built"
    assert cost == pytest.approx(shortest_path(_plain(grid), 0, grid.n_nodes - 1, profile="car")[0])


def _origin(store: str, start: object) -> str:
    start.wait()  # type: ignore[attr-defined]
    return topology(_grid(60, 9), Path(store), "shared")[1]


def test_processes_asking_at_once_build_the_topology_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(3)
        with context.Pool(3) as pool:
            origins = pool.starmap(_origin, [(str(tmp_path), start)] * 3)
    assert sorted(origins) == ["built", "loaded", "loaded"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_threads_share_one_hierarchy() -> None:
    grid = dataclasses.replace(_grid(40, 10), ch_min_nodes=0)
    nodes = np.arange(0, grid.n_nodes, 41)
    expected = dijkstra(grid.matrix("time", "car"), indices=nodes)[:, nodes]
    results: list[np.ndarray] = []

    def ask() -> None:
        for _ in range(20):
            results.append(travel_matrix(grid, nodes, nodes, weight="time", profile="car"))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 60
    for got in results:
        np.testing.assert_allclose(got, expected, atol=1e-3)
