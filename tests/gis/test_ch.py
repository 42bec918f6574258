"""Contraction hierarchies give the plain Dijkstra's costs, one-way streets honoured."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.sparse.csgraph import dijkstra

from gis.ch import Hierarchy
from gis.network import RoadGraph, shortest_path
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
