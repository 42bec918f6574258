"""Contraction hierarchies for road graphs, pure: arrays in, arrays out, no IO.

RoutingKit's customizable contraction hierarchy (through ``pyroutingkit``, MIT): the
topology (a node order from the graph's directed edges) is built once per graph; each
weight (metres, or seconds of a profile) is a cheap customisation of it, kept beside it.
Edges a profile may not use get RoutingKit's infinite weight, so one-way streets and
closed classes are honoured exactly as by the plain search of :mod:`gis.network`.

Weights are integers in RoutingKit: a metric's unit is chosen so that every shortest path
stays below 2**31 units (``unit``), at most 1 mm or 1 ms. Point-to-point costs are summed
in floats along the path found, so they equal the plain search's whenever the path is the
same; matrix entries are the integer sums, within ``hops * unit / 2`` of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from gis.network import RoadGraph

__all__ = ["Hierarchy"]

#: Largest distance RoutingKit represents (its ``inf_weight``).
_INF = 2**31 - 1
#: Finest unit of a metric (metres or seconds per integer step).
_FINEST = 1e-3


@dataclass
class Hierarchy:
    """A contraction hierarchy of one :class:`~gis.network.RoadGraph` and its metrics."""

    graph: RoadGraph
    _topology: Any = field(default=None, repr=False)
    _metrics: dict[str, tuple[Any, float, NDArray[np.float64]]] = field(
        default_factory=dict, repr=False
    )

    def _metric(self, weight: str, profile: str) -> tuple[Any, float, NDArray[np.float64]]:
        """The customised metric, its unit and the float weights of a weight and profile."""
        from pyroutingkit import CCHMetric, CCHTopology

        key = f"{weight}:{profile}"
        if key in self._metrics:
            return self._metrics[key]
        g = self.graph
        if self._topology is None:
            self._topology = CCHTopology()
            self._topology.build(
                g.u.astype(np.uint32),
                g.v.astype(np.uint32),
                g.lat.astype(np.float32),
                g.lon.astype(np.float32),
                g.n_nodes,
            )
        w = g.weights(weight, profile)
        ok = np.isfinite(w)
        # d(s, t) <= d(s, 0) + d(0, t) in a strongly connected graph: bound every path
        forward = dijkstra(g.matrix(weight, profile), indices=0)
        backward = dijkstra(g.reverse_matrix(weight, profile), indices=0)
        bound = float(forward[np.isfinite(forward)].max() + backward[np.isfinite(backward)].max())
        unit = max(_FINEST, 2.0 * (bound + 1.0) / (_INF - 1))
        ints = np.where(ok, np.round(np.where(ok, w, 0.0) / unit), _INF)
        metric = CCHMetric(self._topology)
        metric.customize(ints.astype(np.uint32))
        self._metrics[key] = (metric, unit, np.where(ok, w, np.inf))
        return self._metrics[key]

    def prepare(self, weight: str = "time", profile: str = "motorbike") -> None:
        """Build the topology (once) and the metric of ``weight`` and ``profile``."""
        self._metric(weight, profile)

    def matrix(
        self,
        sources: NDArray[np.int64],
        targets: NDArray[np.int64],
        *,
        weight: str = "time",
        profile: str = "motorbike",
    ) -> NDArray[np.float64]:
        """Cost from every source to every target (``inf`` where unreachable)."""
        metric, unit, _w = self._metric(weight, profile)
        found = np.asarray(
            metric.distances_many_to_many(
                np.asarray(sources, dtype=np.uint32), np.asarray(targets, dtype=np.uint32)
            ),
            dtype=np.float64,
        ).reshape(len(sources), len(targets))
        return np.where(found >= _INF, np.inf, found * unit)

    def shortest_path(
        self, source: int, target: int, *, weight: str = "length", profile: str = "motorbike"
    ) -> tuple[float, list[int]]:
        """Cost and node sequence of the best path (``inf``, [] when unreachable)."""
        metric, _unit, w = self._metric(weight, profile)
        distance, nodes, arcs = metric.query(int(source), int(target))
        if distance >= _INF:
            return math.inf, []
        if int(source) == int(target):
            return 0.0, [int(source)]
        return float(w[np.asarray(arcs, dtype=np.int64)].sum()), [int(n) for n in nodes]
