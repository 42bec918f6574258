"""Noding of road lines (gis.noding): what joins, what does not, what moves and how far."""

from __future__ import annotations

import numpy as np
import shapely

from gis.noding import node_lines

#: About 1 m in degrees of latitude (and nearly so of longitude at 21° N).
M = 1 / 111_000


def _lines(*coords):
    return np.array([shapely.LineString(c) for c in coords], dtype=object)


def test_crossings_join_only_on_the_same_level():
    lines = _lines([(105.80, 21.0), (105.82, 21.0)], [(105.81, 20.99), (105.81, 21.01)])
    same = node_lines(lines, shared=True)
    assert (len(same.pieces), len(same.node_xy), same.crossings) == (4, 5, 1)
    bridge = node_lines(lines, shared=True, level=np.array(["yes||", "||"], dtype=object))
    assert (len(bridge.pieces), len(bridge.node_xy), bridge.crossings) == (2, 4, 0)


def test_an_end_on_another_line_within_rounding_is_a_junction():
    main = [(105.80, 21.0), (105.82, 21.0)]
    side = [(105.81, 21.0 + 0.4e-7), (105.81, 21.01)]  # 4 mm off the main road
    noded = node_lines(_lines(main, side), shared=True)
    assert len(noded.pieces) == 3 and len(noded.node_xy) == 4 and noded.moved == 0


def test_shared_vertices_move_nothing_and_keep_their_source():
    a = [(105.80, 21.0), (105.81, 21.0), (105.82, 21.0)]
    b = [(105.81, 21.0), (105.81, 21.01)]
    c = [(105.81, 21.01 + 2 * M), (105.82, 21.02)]  # 2 m short of b's end: a dead end here
    noded = node_lines(_lines(a, b, c), shared=True)
    assert noded.moved == 0 and noded.source.tolist() == [0, 0, 1, 2]
    assert len(noded.node_xy) == 6


def test_unnoded_ends_snap_within_the_limit_only():
    a = [(105.80, 21.0), (105.82, 21.0)]
    near = [(105.81, 21.0 + 2 * M), (105.81, 21.01)]  # stops 2 m short of a
    far = [(105.815, 21.0 + 5 * M), (105.815, 21.01)]  # stops 5 m short of a
    noded = node_lines(_lines(a, near, far), shared=False, snap_m=3.0)
    assert noded.moved == 1 and 1.9 < noded.moved_max_m < 2.1
    assert len(noded.pieces) == 4  # a cut where `near` now ends; `far` untouched
    assert sorted(noded.source.tolist()) == [0, 0, 1, 2] and noded.unmatched == 0
    wider = node_lines(_lines(a, near, far), shared=False, snap_m=6.0)
    assert wider.moved == 2 and len(wider.pieces) == 5


def test_a_dangling_end_prefers_a_vertex_that_stays():
    through = [(105.80, 21.0), (105.81, 21.0), (105.82, 21.0)]
    one = [(105.81 + 1.5 * M, 21.0 + 1.0 * M), (105.83, 21.01)]
    other = [(105.81 + 1.0 * M, 21.0 + 1.5 * M), (105.79, 21.01)]
    noded = node_lines(_lines(through, one, other), shared=False, snap_m=3.0)
    assert noded.moved == 2
    junction = np.flatnonzero((np.abs(noded.node_xy - (105.81, 21.0)) < 1e-12).all(axis=1))
    assert len(junction) == 1
    assert ((noded.start == junction[0]) | (noded.end == junction[0])).sum() == 4
