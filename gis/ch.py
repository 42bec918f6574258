"""Contraction hierarchies for road graphs: what makes routing on large networks fast.

RoutingKit's customizable contraction hierarchy (CCH), through ``pyroutingkit`` (MIT;
RoutingKit is BSD-2). The topology (a nested-dissection node order and the chordal
supergraph of the graph's directed edges) depends only on the edges and the node
coordinates; it is built once per road network and version and saved on disk (see
:func:`topology`), so every process (web workers, job workers, the command line) loads it
instead of building it again. Each weight (metres, or seconds of a profile) is a
customisation of the topology, made once per process and kept beside it. Edges a profile
may not use get RoutingKit's infinite weight, so one-way streets and closed classes are
honoured exactly as by the plain search of :mod:`gis.network`.

Weights are integers in RoutingKit: a metric's unit is chosen so that every shortest path
stays below 2**30 units (``unit``), at most 1 µm or 1 µs. Point-to-point costs are summed
in floats along the path found, so they equal the plain search's whenever the path is the
same; matrix entries are the integer sums, within ``hops * unit / 2`` of it.

Why this library (measured on the 500 x 500 grid of ``bench/routing_peers.py``, 250,000
nodes, one machine, same runs):

* ``pyroutingkit`` 0.2.1: topology build 10 s at load 4 (19 s at load 15-18), load of the
  saved topology 1.2-2.8 s, customisation of one metric 5-8 s; point-to-point p95 2.3-2.8 ms
  and 50 x 50 matrix 440-460 ms on a quiet machine (load 0.5), 450-1,300 ms at load 10. Its
  many-to-many costs about 20 targets' worth of work per source (1 x 50 took 22 ms, 50 x 1
  200 ms, 50 x 50 1,110 ms at load 4), so the 200 ms matrix target is not met on this grid.
  Our wrapper adds about 0.5 ms to a path (the float cost and the node list) and nothing
  measurable to a matrix. The metric is not safe to query from two threads at once (two
  threads on one metric crashed the process), so queries of one hierarchy are serialised
  here; splitting a matrix over threads would need one customised metric per thread.
  ``OMP_NUM_THREADS`` 1 or 2 made no difference to its many-to-many.
* ``routingkit-cch`` 0.1.4 (BSD-2, RoutingKit's pinned-target one-to-many): the same
  engine, and its 50 x 50 matrix was no faster (970-1,420 ms against pyroutingkit's
  1,110-1,210 ms in the same minutes at load 4-5); it cannot save a topology (only the
  order can be kept; rebuilding the CCH from it took 3.5 s), and its query objects refuse
  to be used from another thread.
* ``ch-router`` 0.3.1 (classic CH of RoutingKit): point-to-point only (no many-to-many),
  one hierarchy per weight (a full contraction per profile), and it vendors an LGPL heap.
* ``fast-paths`` 0.1.0 (bindings of the fast_paths crate): no wheel on the package index,
  only a source archive that needs a Rust toolchain and the crate registry at install time.
* ``pandana`` (AGPL): a bench peer only.

A grid is the worst case for any contraction hierarchy (its separators are 500 nodes
wide); on street graphs the same code is much faster (Ba Đình: matrix about 1 ms).
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from gis.progress import Progress, silent


class RoadGraph(Protocol):
    """What a hierarchy reads of a :class:`gis.network.RoadGraph` (which imports this module)."""

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    u: NDArray[np.int64]
    v: NDArray[np.int64]

    @property
    def n_nodes(self) -> int: ...

    def weights(self, weight: str, profile: str = ...) -> NDArray[np.float64]: ...

    def matrix(self, weight: str, profile: str = ...) -> csr_matrix: ...

    def reverse_matrix(self, weight: str, profile: str = ...) -> csr_matrix: ...


__all__ = ["Hierarchy", "topology", "topology_key"]

#: Largest distance RoutingKit represents (its ``inf_weight``).
_INF = 2**31 - 1
#: Finest unit of a metric (metres or seconds per integer step).
_FINEST = 1e-6


def topology_key(graph: RoadGraph) -> str:
    """A digest of exactly what the topology is built from: node count, edges, coordinates.

    An edited or reimported network has another key, so it never gets a stale topology.
    """
    digest = hashlib.blake2b(digest_size=12)
    digest.update(np.int64(graph.n_nodes).tobytes())
    for part in (
        graph.u.astype(np.uint32),
        graph.v.astype(np.uint32),
        graph.lat.astype(np.float32),
        graph.lon.astype(np.float32),
    ):
        digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()


def _build(graph: RoadGraph) -> Any:
    from pyroutingkit import CCHTopology

    built = CCHTopology()
    built.build(
        graph.u.astype(np.uint32),
        graph.v.astype(np.uint32),
        graph.lat.astype(np.float32),
        graph.lon.astype(np.float32),
        graph.n_nodes,
    )
    return built


def _load(folder: Path, graph: RoadGraph) -> Any | None:
    """The topology saved in ``folder``, or None when it is missing or does not fit."""
    from pyroutingkit import CCHTopology

    if not folder.is_dir():
        return None
    loaded = CCHTopology()
    try:
        loaded.load(str(folder))
    except (RuntimeError, OSError, ValueError):
        return None
    if loaded.node_count != graph.n_nodes or loaded.arc_count != len(graph.u):
        return None
    return loaded


def topology(
    graph: RoadGraph,
    store: Path | None = None,
    name: str = "graph",
    progress: Progress | None = None,
) -> tuple[Any, str]:
    """The CCH topology of ``graph``: loaded from ``store`` when saved there, else built.

    A built topology is saved under ``store/<name>-<key>`` (:func:`topology_key`): written to
    a temporary folder and renamed into place, under an exclusive lock on
    ``store/<name>-<key>.lock``, so that processes asking for the same one at once build it
    once (the others wait and load it) and never read a half-written one. Older topologies
    of the same ``name`` are removed when a new one is saved.

    Returns the topology and how it was had: ``"built"``, ``"loaded"`` or ``"built, not
    saved"`` (no store). ``progress`` hears 0 before a build and 0.6 after it, 0.7 once saved
    (the customisation of a metric fills the rest), with ``name`` as its label.
    """
    report = progress or silent
    if store is None:
        report(0.0, name)
        built = _build(graph)
        report(0.6, name)
        return built, "built, not saved"
    safe = re.sub(r"[^0-9A-Za-z_.-]", "_", name) or "graph"
    key = topology_key(graph)
    folder = store / f"{safe}-{key}"
    store.mkdir(parents=True, exist_ok=True)
    found = _load(folder, graph)
    if found is not None:
        return found, "loaded"
    with open(store / f"{safe}-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes (or the process dies)
        found = _load(folder, graph)  # built by another process while we waited
        if found is not None:
            return found, "loaded"
        report(0.0, name)
        built = _build(graph)
        report(0.6, name)
        partial = store / f".{safe}-{key}.{os.getpid()}.{threading.get_ident()}.tmp"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        built.save(str(partial))
        shutil.rmtree(folder, ignore_errors=True)  # a damaged one that did not load
        os.rename(partial, folder)
        for old in store.glob(f"{safe}-*"):
            if old.name not in (folder.name, f"{folder.name}.lock"):
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)
        report(0.7, name)
    return built, "built"


@dataclass
class Hierarchy:
    """A contraction hierarchy of one :class:`~gis.network.RoadGraph` and its metrics.

    ``store`` is the folder of saved topologies (None: build in memory only) and ``name`` the
    road network's name in it. Queries are serialised per hierarchy: a pyroutingkit metric
    must not be queried from two threads at once.
    """

    graph: RoadGraph
    store: Path | None = None
    name: str = "graph"
    #: How the topology was had (``built``, ``loaded``...) and the seconds it took.
    origin: str = ""
    topology_s: float = 0.0
    _topology: Any = field(default=None, repr=False)
    _metrics: dict[str, tuple[Any, float, NDArray[np.float64]]] = field(
        default_factory=dict, repr=False
    )
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def _metric(
        self, weight: str, profile: str, progress: Progress | None = None
    ) -> tuple[Any, float, NDArray[np.float64]]:
        """The customised metric, its unit and the float weights of a weight and profile."""
        from pyroutingkit import CCHMetric

        key = f"{weight}:{profile}"
        if key in self._metrics:
            return self._metrics[key]
        g = self.graph
        if self._topology is None:
            t = time.perf_counter()
            self._topology, self.origin = topology(g, self.store, self.name, progress)
            self.topology_s = time.perf_counter() - t
            (progress or silent)(0.7, self.name)
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
        (progress or silent)(1.0, self.name)
        return self._metrics[key]

    def prepare(
        self, weight: str = "time", profile: str = "motorbike", progress: Progress | None = None
    ) -> None:
        """Load or build the topology (once) and customise the metric of ``weight``."""
        with self._lock:
            self._metric(weight, profile, progress)

    def matrix(
        self,
        sources: NDArray[np.int64],
        targets: NDArray[np.int64],
        *,
        weight: str = "time",
        profile: str = "motorbike",
    ) -> NDArray[np.float64]:
        """Cost from every source to every target (``inf`` where unreachable)."""
        sources = np.atleast_1d(np.asarray(sources, dtype=np.uint32))
        targets = np.atleast_1d(np.asarray(targets, dtype=np.uint32))
        if len(sources) == 0 or len(targets) == 0:
            return np.empty((len(sources), len(targets)))
        with self._lock:
            metric, unit, _w = self._metric(weight, profile)
            raw = metric.distances_many_to_many(sources, targets)
        found = np.asarray(raw, dtype=np.float64).reshape(len(sources), len(targets))
        return np.where(found >= _INF, np.inf, found * unit)

    def shortest_path(
        self, source: int, target: int, *, weight: str = "length", profile: str = "motorbike"
    ) -> tuple[float, list[int]]:
        """Cost and node sequence of the best path (``inf``, [] when unreachable)."""
        if int(source) == int(target):
            return 0.0, [int(source)]
        with self._lock:
            metric, _unit, w = self._metric(weight, profile)
            distance, nodes, arcs = metric.query(int(source), int(target))
        if distance >= _INF:
            return math.inf, []
        return float(w[np.asarray(arcs, dtype=np.int64)].sum()), [int(n) for n in nodes]
