"""Point-to-point search on large graphs equals a plain Dijkstra (lengths, paths, one-way
edges, unreachable targets): through the contraction hierarchy (the default on graphs this
large) and through two bounded searches meeting in the middle (when the hierarchy is set
off by a higher ``ch_min_nodes``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.sparse.csgraph import dijkstra

from gis.network import BOUNDED_SEARCH_NODES, RoadGraph, shortest_path


def _grid(n: int, seed: int) -> RoadGraph:
    """An n x n grid: random lengths, a third of the streets one-way, one island cut off."""
    rng = np.random.default_rng(seed)
    idx = np.arange(n * n).reshape(n, n)
    pairs = np.concatenate(
        [
            np.column_stack([idx[:, :-1].ravel(), idx[:, 1:].ravel()]),
            np.column_stack([idx[:-1, :].ravel(), idx[1:, :].ravel()]),
        ]
    )
    one_way = rng.random(len(pairs)) < 0.33
    u = np.concatenate([pairs[:, 0], pairs[~one_way, 1]])
    v = np.concatenate([pairs[:, 1], pairs[~one_way, 0]])
    island = idx[-3:, -3:].ravel()
    keep = np.isin(u, island) == np.isin(v, island)  # no street into or out of the island
    u, v = u[keep], v[keep]
    length = rng.uniform(50, 150, len(u))
    ys, xs = np.divmod(np.arange(n * n), n)
    return RoadGraph(
        lon=105.8 + xs * 0.001,
        lat=21.0 + ys * 0.001,
        u=u,
        v=v,
        length_m=length,
        highway=pd.Series(["residential"] * len(u)),
        maxspeed=pd.Series([None] * len(u)),
        geometry=np.array([None] * len(u), dtype=object),
    )


@pytest.mark.parametrize(("seed", "engine"), [(1, "bounded"), (2, "bounded"), (1, "hierarchy")])
def test_large_graph_search_equals_dijkstra(seed, engine):
    graph = _grid(150, seed)
    assert graph.n_nodes >= BOUNDED_SEARCH_NODES
    if engine == "bounded":
        graph.ch_min_nodes = graph.n_nodes + 1
    assert graph.uses_hierarchy() == (engine == "hierarchy")
    matrix = graph.matrix("length")
    rng = np.random.default_rng(seed)
    pairs = [tuple(p) for p in rng.integers(0, graph.n_nodes, (40, 2))] + [
        (0, graph.n_nodes - 1),
        (5, 5),
    ]
    for s, t in pairs:
        expected = dijkstra(matrix, indices=int(s))[t]
        cost, path = shortest_path(graph, int(s), int(t))
        if not np.isfinite(expected):
            assert cost == float("inf") and path == []
            continue
        assert cost == pytest.approx(expected, rel=1e-9)
        assert path[0] == s and path[-1] == t
        assert sum(matrix[a, b] for a, b in zip(path, path[1:], strict=False)) == pytest.approx(
            cost, rel=1e-9
        )
