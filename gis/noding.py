"""Road lines to graph edges, true to the source: pure, arrays in, arrays out, no IO.

Two kinds of line files:

- lines that share vertices (OSM-derived files, exports of a graph): a node is put at every
  vertex used more than once (by two lines, or twice by one line), at every line end and at
  every exact crossing of two lines on the same level; nothing moves;
- unnoded lines (digitised roads that stop short of the road they meet): only the dangling
  ends (an end no other line touches) move, each to the nearest vertex of another line within
  ``snap_m`` metres, else to the nearest point on it; then the lines are noded as above.

Every piece keeps the row number of the line it was cut from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from gis.network import project_to_metric

__all__ = ["Noded", "node_lines", "shares_vertices"]

logger = logging.getLogger(__name__)
#: Two coordinates closer than this (degrees, about 1 mm) are one point.
_SAME_DEG = 1e-8
#: A line end this close (degrees, about 1 cm: the rounding of 7-decimal files) to another
#: line lies on it: a T-junction drawn without a shared vertex.
_TOUCH_DEG = 1e-7
#: Relative bound of the rounding error of an orientation test (a few ulps, with margin).
_ORIENT_EPS = 1e-12


@dataclass
class Noded:
    """Pieces of lines between nodes, with the line each came from."""

    pieces: NDArray[np.object_]
    source: NDArray[np.int64]
    start: NDArray[np.int64]
    end: NDArray[np.int64]
    node_xy: NDArray[np.float64]
    length_m: NDArray[np.float64]
    moved: int = 0
    moved_max_m: float = 0.0
    moved_mean_m: float = 0.0
    crossings: int = 0
    unmatched: int = 0
    #: Lines sharing vertices: dangling ends within ``snap_m`` of another line, left apart.
    near_ends: int = 0


def _vertex_ids(coords: NDArray[np.float64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Id of each coordinate's point (exact equality) and how often each point occurs.

    Ids number the distinct points in (x, y) order: one ``np.lexsort``, no lookups.
    """
    if len(coords) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    order = np.lexsort((coords[:, 1], coords[:, 0]))
    ranked = coords[order]
    new = np.r_[True, (ranked[1:] != ranked[:-1]).any(axis=1)]
    ids = np.empty(len(coords), dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    counts = np.diff(np.r_[np.flatnonzero(new), len(coords)]).astype(np.int64)
    return ids, counts


def _ends(line_of: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Mask of the coordinates that are the first or the last of their line."""
    first = np.r_[True, line_of[1:] != line_of[:-1]]
    last = np.r_[line_of[1:] != line_of[:-1], True]
    return np.asarray(first | last, dtype=np.bool_)


def shares_vertices(geoms: NDArray[np.object_], *, at_least: float = 0.5) -> bool:
    """Whether at least ``at_least`` of the line ends lie on a vertex of another line.

    Examples
    --------
    >>> a = shapely.LineString([(0, 0), (1, 0)])
    >>> b = shapely.LineString([(1, 0), (1, 1)])
    >>> shares_vertices(np.array([a, b])), shares_vertices(np.array([a, shapely.reverse(a)]))
    (True, True)
    """
    coords, line_of = shapely.get_coordinates(geoms, return_index=True)
    vid, _counts = _vertex_ids(coords)
    ends = _ends(line_of)
    # how many distinct lines use each point
    pairs = np.unique(vid * (int(line_of.max()) + 1) + line_of)  # (point, line) once each
    lines_at = np.bincount(pairs // (int(line_of.max()) + 1), minlength=vid.max() + 1)
    return bool((lines_at[vid[ends]] > 1).mean() >= at_least)


def _snap_dangling(
    geoms: NDArray[np.object_], snap_m: float
) -> tuple[NDArray[np.object_], list[tuple[int, shapely.Point]], NDArray[np.float64]]:
    """Move dangling line ends onto the nearest other line within ``snap_m`` metres.

    Returns the new lines, the points added to other lines (line row, point) and the distance
    each moved end went.
    """
    coords, line_of = shapely.get_coordinates(geoms, return_index=True)
    vid, counts = _vertex_ids(coords)
    ends = np.flatnonzero(_ends(line_of) & (counts[vid] == 1))
    if snap_m <= 0 or len(ends) == 0:
        return geoms, [], np.empty(0)
    x, y = project_to_metric(coords[:, 0], coords[:, 1])
    xy = np.column_stack([x, y])
    tree = cKDTree(xy)
    metric = shapely.linestrings(xy, indices=line_of)
    lines = shapely.STRtree(metric)
    new = coords.copy()
    added: list[tuple[int, shapely.Point]] = []
    moved: list[float] = []
    taken: set[int] = set()  # ends already used as a target: they stay where they are
    dangling = set(ends.tolist())
    fixed: set[int] = set()  # dangling ends another end moved onto: they stay
    for pos in ends:
        if pos in fixed:
            continue
        own = line_of[pos]
        near = [
            j
            for j in tree.query_ball_point(xy[pos], snap_m)
            if line_of[j] != own and j not in taken
        ]
        if near:  # a vertex that stays where it is first, else another dangling end
            j = min(near, key=lambda k: (k in dangling, float(np.hypot(*(xy[k] - xy[pos])))))
            moved.append(float(np.hypot(*(xy[j] - xy[pos]))))
            new[pos] = coords[j]
            taken.add(int(pos))
            fixed.add(int(j))
            continue
        point = shapely.Point(xy[pos])
        hits = [int(h) for h in lines.query(point, predicate="dwithin", distance=snap_m)]
        hits = [h for h in hits if h != own]
        if not hits:
            continue
        best = min(hits, key=lambda h: float(metric[h].distance(point)))
        moved.append(float(metric[best].distance(point)))
        target = geoms[best]
        at = target.interpolate(target.project(shapely.Point(coords[pos])))
        new[pos] = (at.x, at.y)
        added.append((best, at))
        taken.add(int(pos))
    return shapely.linestrings(new, indices=line_of), added, np.asarray(moved)


def _insert(line: shapely.LineString, points: list[shapely.Point]) -> shapely.LineString:
    """``line`` with ``points`` (lying on it) inserted as vertices, in order along it."""
    coords = [tuple(c) for c in line.coords]
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(np.asarray(coords), axis=0).T))])
    for point in sorted(points, key=line.project):
        xy = (point.x, point.y)
        if any(abs(c[0] - xy[0]) < _SAME_DEG and abs(c[1] - xy[1]) < _SAME_DEG for c in coords):
            continue
        at = int(np.searchsorted(along, line.project(point), side="right"))
        at = min(max(at, 1), len(coords) - 1)
        coords.insert(at, xy)
        along = np.insert(along, at, line.project(point))
    return shapely.LineString(coords)


def _orient(
    a: NDArray[np.float64], b: NDArray[np.float64], c: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Orientation of ``c`` from segment ``a``-``b`` (sign) and a bound of its rounding error."""
    left = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1])
    right = (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    return left - right, _ORIENT_EPS * (np.abs(left) + np.abs(right))


def _candidate_pairs(
    geoms: NDArray[np.object_], level: NDArray[np.object_] | None
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Pairs of lines (``i < j``, same level) that may cross away from a shared vertex.

    A box query of the lines' segments, then array tests that drop, for certain, the segment
    pairs that cannot meet in a point other than a vertex both share: one segment wholly on
    one side of the other, or two segments that share an end and are not collinear (they meet
    there only). What is left is tested by GEOS (:func:`_crossing_points`); the filter only
    saves GEOS the pairs of lines that merely touch, most pairs in a street network.
    """
    coords, line_of = shapely.get_coordinates(geoms, return_index=True)
    seg = np.flatnonzero(line_of[1:] == line_of[:-1])
    a, b, owner = coords[seg], coords[seg + 1], line_of[seg]
    segments = shapely.linestrings(np.stack([a, b], axis=1))
    s, t = shapely.STRtree(segments).query(segments)
    del segments
    keep = owner[s] < owner[t]
    if level is not None:
        keep &= level[owner[s]] == level[owner[t]]
    s, t = s[keep], t[keep]
    ta, tb, sa, sb = a[t], b[t], a[s], b[s]
    o1, e1 = _orient(sa, sb, ta)
    o2, e2 = _orient(sa, sb, tb)
    o3, e3 = _orient(ta, tb, sa)
    o4, e4 = _orient(ta, tb, sb)
    strict1, strict2 = np.abs(o1) > e1, np.abs(o2) > e2
    strict3, strict4 = np.abs(o3) > e3, np.abs(o4) > e4
    apart = (strict1 & strict2 & (np.sign(o1) == np.sign(o2))) | (
        strict3 & strict4 & (np.sign(o3) == np.sign(o4))
    )

    def same(p: NDArray[np.float64], q: NDArray[np.float64]) -> NDArray[np.bool_]:
        return np.asarray((p == q).all(axis=1), dtype=np.bool_)

    # one shared end, the other end of each off the other's line: they meet at that end only
    at_end = (
        (same(sa, ta) & strict2 & strict4)
        | (same(sa, tb) & strict1 & strict4)
        | (same(sb, ta) & strict2 & strict3)
        | (same(sb, tb) & strict1 & strict3)
    )
    keep = ~(apart | at_end)
    n = np.int64(len(geoms))
    pairs = np.unique(owner[s[keep]] * n + owner[t[keep]])
    return (pairs // n).astype(np.int64), (pairs % n).astype(np.int64)


def _on_vertex(
    points: NDArray[np.float64],
    line: NDArray[np.int64],
    coords: NDArray[np.float64],
    line_of: NDArray[np.int64],
    tree: cKDTree,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Each point moved onto the first vertex of its line nearer than ``_SAME_DEG``.

    Nearer in x and in y; returns the points and whether each was moved.
    """
    near = tree.query_ball_point(points, _SAME_DEG, p=np.inf)
    sizes = np.fromiter((len(n) for n in near), dtype=np.int64, count=len(near))
    which = np.repeat(np.arange(len(points)), sizes)
    vertex = np.concatenate([np.asarray(n, dtype=np.int64) for n in near] + [np.empty(0, int)])
    ok = line_of[vertex] == line[which]
    ok &= np.abs(coords[vertex] - points[which]).max(axis=1) < _SAME_DEG
    which, vertex = which[ok], vertex[ok]
    first = np.full(len(points), len(coords), dtype=np.int64)
    np.minimum.at(first, which, vertex)
    found = first < len(coords)
    out = points.copy()
    out[found] = coords[first[found]]
    return out, found


def _crossing_points(
    geoms: NDArray[np.object_], level: NDArray[np.object_] | None
) -> list[tuple[int, shapely.Point]]:
    """Points where two lines on the same level cross away from a shared vertex.

    Candidate pairs from :func:`_candidate_pairs`, then ``shapely.crosses`` and
    ``shapely.intersection`` on the arrays of pairs. A crossing point within ``_SAME_DEG``
    of a vertex of a line is taken as that vertex (of the first line, then of the second);
    a point that is a vertex of both lines is one they share already.
    """
    left, right = _candidate_pairs(geoms, level)
    crossing = shapely.crosses(geoms[left], geoms[right])
    left, right = left[crossing], right[crossing]
    if len(left) == 0:
        return []
    parts, pair = shapely.get_parts(
        shapely.intersection(geoms[left], geoms[right]), return_index=True
    )
    point = shapely.get_type_id(parts) == 0
    parts, pair = parts[point], pair[point]
    xy = shapely.get_coordinates(parts)
    coords, line_of = shapely.get_coordinates(geoms, return_index=True)
    tree = cKDTree(coords)
    xy, on_left = _on_vertex(xy, left[pair], coords, line_of, tree)
    xy, on_right = _on_vertex(xy, right[pair], coords, line_of, tree)
    new = ~(on_left & on_right)
    rows = np.stack([left[pair][new], right[pair][new]], axis=1).ravel()
    points = shapely.points(np.repeat(xy[new], 2, axis=0))
    return list(zip(rows.tolist(), points, strict=True))


def _touching_ends(
    geoms: NDArray[np.object_],
) -> tuple[NDArray[np.object_], list[tuple[int, shapely.Point]]]:
    """Join line ends lying on another line (within rounding, ``_TOUCH_DEG``).

    An end next to a vertex of the other line moves onto it; otherwise the end's point is
    added to the other line. Returns the lines and the points to add.
    """
    coords, line_of = shapely.get_coordinates(geoms, return_index=True)
    vid, counts = _vertex_ids(coords)
    ends = np.flatnonzero(_ends(line_of) & (counts[vid] == 1))
    if len(ends) == 0:
        return geoms, []
    points = shapely.points(coords[ends])
    at, hit = shapely.STRtree(geoms).query(points, predicate="dwithin", distance=_TOUCH_DEG)
    other = line_of[ends[at]] != hit
    vertices = cKDTree(coords)
    new = coords.copy()
    added: list[tuple[int, shapely.Point]] = []
    for a, h in zip(at[other], hit[other], strict=True):
        pos = ends[a]
        near = [j for j in vertices.query_ball_point(coords[pos], _TOUCH_DEG) if line_of[j] == h]
        if near:
            new[pos] = coords[near[0]]
        else:
            added.append((int(h), shapely.Point(new[pos])))
    return shapely.linestrings(new, indices=line_of), added


def _with_points(
    geoms: NDArray[np.object_], points: list[tuple[int, shapely.Point]]
) -> NDArray[np.object_]:
    out = geoms.copy()
    by_line: dict[int, list[shapely.Point]] = {}
    for row, point in points:
        by_line.setdefault(row, []).append(point)
    for row, pts in by_line.items():
        out[row] = _insert(out[row], pts)
    return out


def _drop_repeats(geoms: NDArray[np.object_]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    coords, line_of = shapely.get_coordinates(geoms, return_index=True)
    same = np.r_[False, (line_of[1:] == line_of[:-1]) & (np.diff(coords, axis=0) == 0).all(axis=1)]
    return coords[~same], line_of[~same].astype(np.int64)


def _cut(geoms: NDArray[np.object_]) -> Noded:
    """Cut lines at every point used twice and at every end."""
    coords, line_of = _drop_repeats(geoms)
    vid, counts = _vertex_ids(coords)
    cut = _ends(line_of) | (counts[vid] > 1)
    last = np.r_[line_of[1:] != line_of[:-1], True]
    seg = np.flatnonzero(~last)  # segment seg -> seg + 1
    piece_of_seg = np.cumsum(cut[seg]) - 1
    repeat = 1 + cut[seg + 1].astype(np.int64)
    offsets = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    pos = np.repeat(seg, repeat) + offsets
    piece = np.repeat(piece_of_seg, repeat)
    pieces = shapely.linestrings(coords[pos], indices=piece)
    first = np.r_[True, piece[1:] != piece[:-1]]
    final = np.r_[piece[1:] != piece[:-1], True]
    x, y = project_to_metric(coords[:, 0], coords[:, 1])
    seg_m = np.hypot(x[seg + 1] - x[seg], y[seg + 1] - y[seg])
    length = np.bincount(piece_of_seg, weights=seg_m, minlength=len(pieces)).astype(np.float64)
    start, end = vid[pos[first]], vid[pos[final]]
    used, number = np.unique(np.concatenate([start, end]), return_inverse=True)
    where = np.zeros(int(vid.max()) + 1, dtype=np.int64)
    where[vid[::-1]] = np.arange(len(vid))[::-1]  # first coordinate of each point
    return Noded(
        pieces=np.asarray(pieces, dtype=object),
        source=line_of[pos[first]],
        start=number[: len(start)],
        end=number[len(start) :],
        node_xy=coords[where[used]],
        length_m=length,
    )


def node_lines(
    geoms: NDArray[np.object_],
    *,
    shared: bool,
    snap_m: float = 3.0,
    level: NDArray[np.object_] | None = None,
) -> Noded:
    """Cut lines (WGS 84) into pieces between nodes; see the module docstring.

    Parameters
    ----------
    geoms
        LineStrings in lon/lat, one per source line (row numbers are kept in ``source``).
    shared
        The lines share vertices: nothing is snapped.
    snap_m
        For unnoded lines: how far (metres) a dangling end may move onto another line.
    level
        Per line, what must be equal for a crossing to be a junction (bridge, tunnel, layer);
        ``None``: every crossing is.

    Examples
    --------
    >>> a = shapely.LineString([(105.80, 21.0), (105.82, 21.0)])
    >>> b = shapely.LineString([(105.81, 20.99), (105.81, 21.01)])
    >>> noded = node_lines(np.array([a, b]), shared=True)
    >>> len(noded.pieces), noded.crossings, noded.source.tolist()
    (4, 1, [0, 0, 1, 1])
    """
    geoms = original = np.asarray(geoms, dtype=object)
    moved = np.empty(0)
    added: list[tuple[int, shapely.Point]] = []
    near_ends = 0
    if not shared:
        geoms, added, moved = _snap_dangling(geoms, snap_m)
    else:  # nothing moves; say how many ends snapping would have joined
        near_ends = len(_snap_dangling(geoms, snap_m)[2])
    crossings = _crossing_points(geoms, level)
    geoms, touching = _touching_ends(geoms)
    noded = _cut(_with_points(geoms, added + crossings + touching))
    noded.moved = len(moved)
    noded.moved_max_m = float(moved.max()) if len(moved) else 0.0
    noded.moved_mean_m = float(moved.mean()) if len(moved) else 0.0
    noded.crossings = len(crossings) // 2 + len(touching)
    noded.near_ends = near_ends
    tolerance = 1e-7 + (noded.moved_max_m / 100_000.0)
    mids = shapely.line_interpolate_point(noded.pieces, 0.5, normalized=True)
    noded.unmatched = int((~shapely.dwithin(mids, original[noded.source], tolerance)).sum())
    return noded
