"""Ba Đình streets exported at test time to every road-file form the import reads.

Nothing of the shared data is copied into the project: the files are written to a temporary
folder from ``../shared/data/roads/hanoi_badinh_osmnx.gpkg`` when the tests run.

Each form comes with the lines it was written from (``Line``: coordinates and tags), from
which the tests build their reference graph with networkx, independently of the import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

__all__ = ["Line", "badinh_lines", "unnoded_lines", "write_geojson", "write_osm"]

_TAGS = ("highway", "name", "oneway", "maxspeed", "bridge", "tunnel")
_GEOD = Geod(ellps="WGS84")


@dataclass
class Line:
    """One street line of a fixture: way id, lon/lat vertices and OSM-style tags."""

    way: int
    coords: list[tuple[float, float]]
    tags: dict[str, str]


def _first(value: object) -> str | None:
    """OSMnx lists (``"['a', 'b']"``, in a GeoPackage ``"a,b"``) to their first value."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    found = [p.strip(" '\"") for p in str(value).strip("[]").split(",")]
    return found[0] if found else None


def badinh_lines(gpkg: Path) -> list[Line]:
    """The Ba Đình edges as one line per street piece (two-way pieces once), one-way first.

    Lines that cross another on the same level without a shared vertex are left out, so that
    the reference graph is the file's own vertices and segments.
    """
    edges = gpd.read_file(gpkg, layer="edges")
    edges["key_geom"] = shapely.to_wkb(shapely.normalize(edges.geometry.to_numpy()))
    edges = edges.drop_duplicates("key_geom").reset_index(drop=True)
    level = edges["bridge"].fillna("") + "|" + edges["tunnel"].fillna("")
    geoms = edges.geometry.to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="crosses")
    same = level.to_numpy()[left] == level.to_numpy()[right]
    edges = edges.drop(index=np.unique(np.r_[left[same], right[same]]))
    edges = pd.concat([edges[edges["oneway"]], edges[~edges["oneway"]]])  # first one is one-way
    lines = []
    for way, (_, row) in enumerate(edges.iterrows(), start=1000):
        tags = {
            "highway": _first(row["highway"]),
            "name": _first(row["name"]),
            "oneway": "yes" if row["oneway"] else "no",
            "maxspeed": _first(row["maxspeed"]),
            "bridge": _first(row["bridge"]),
            "tunnel": _first(row["tunnel"]),
        }
        coords = [(round(x, 7), round(y, 7)) for x, y in row.geometry.coords]
        lines.append(Line(way, coords, {k: v for k, v in tags.items() if v is not None}))
    return lines


def unnoded_lines(lines: list[Line], *, gap_m: float = 1.5) -> tuple[list[Line], list[Line]]:
    """Lines merged into streets, side streets stopping ``gap_m`` short of the street they meet.

    Two-way pieces with equal tags are merged where they meet end to end; then every line end
    that lies on a vertex inside another line is pulled back ``gap_m`` metres along its own
    line (when the line is long enough). Returns the merged lines (the truth) and the unnoded.
    """
    groups: dict[tuple, list[Line]] = {}
    kept: list[Line] = []
    for line in lines:
        if line.tags.get("oneway") == "yes" or "name" not in line.tags:
            kept.append(line)
        else:
            groups.setdefault(tuple(sorted(line.tags.items())), []).append(line)
    for group in groups.values():
        merged = shapely.line_merge(shapely.MultiLineString([g.coords for g in group]))
        for k, part in enumerate(getattr(merged, "geoms", [merged])):
            kept.append(Line(group[0].way * 100 + k, list(part.coords), group[0].tags))
    kept = _without_near_dead_ends(kept, 4e-5)
    inner: set[tuple[float, float]] = {c for line in kept for c in line.coords[1:-1]}
    gapped = []
    for line in kept:
        coords = list(line.coords)
        for end in (0, -1):
            if coords[end] in inner and _length_m(coords) > 6 * gap_m:
                coords[end] = _pull_back(coords, end, gap_m)
        gapped.append(Line(line.way, coords, line.tags))
    return kept, gapped


def _without_near_dead_ends(lines: list[Line], degrees: float) -> list[Line]:
    """Leave out lines with a dead end (an end no other line touches) near another line.

    Snapping would join such an end, which the truth does not.
    """
    uses: dict[tuple[float, float], int] = {}
    for line in lines:
        for c in line.coords:
            uses[c] = uses.get(c, 0) + 1
    geoms = np.array([shapely.LineString(line.coords) for line in lines], dtype=object)
    tree = shapely.STRtree(geoms)
    drop = set()
    for i, line in enumerate(lines):
        for end in (line.coords[0], line.coords[-1]):
            if uses[end] > 1:
                continue
            near = tree.query(shapely.Point(end), predicate="dwithin", distance=degrees)
            if any(j != i for j in near):
                drop.add(i)
    return [line for i, line in enumerate(lines) if i not in drop]


def _length_m(coords: list[tuple[float, float]]) -> float:
    lon, lat = np.asarray(coords).T
    return float(_GEOD.line_length(lon, lat))


def _pull_back(coords: list[tuple[float, float]], end: int, gap_m: float) -> tuple[float, float]:
    """The point ``gap_m`` metres from the ``end`` of the line, along it."""
    a, b = (coords[0], coords[1]) if end == 0 else (coords[-1], coords[-2])
    azimuth, _back, dist = _GEOD.inv(a[0], a[1], b[0], b[1])
    lon, lat, _ = _GEOD.fwd(a[0], a[1], azimuth, min(gap_m, dist / 2))
    return (round(lon, 7), round(lat, 7))


def write_geojson(lines: list[Line], path: Path, *, nested: bool = False) -> Path:
    """GeoJSON lines: flat properties, or ``@id`` and a nested ``tags`` object (Overpass)."""
    features = []
    for line in lines:
        props = (
            {"@id": f"way/{line.way}", "tags": line.tags}
            if nested
            else {"osm_id": line.way, **{k: line.tags.get(k) for k in _TAGS}}
        )
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "LineString", "coordinates": line.coords},
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def write_osm(lines: list[Line], path: Path) -> Path:
    """An OSM file (XML for ``.osm``, PBF for ``.osm.pbf``): a node per distinct vertex."""
    import osmium

    ids: dict[tuple[float, float], int] = {}
    for line in lines:
        for c in line.coords:
            ids.setdefault(c, len(ids) + 1)
    writer = osmium.SimpleWriter(str(path))
    try:
        for (x, y), node_id in ids.items():
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(x, y), tags={}))
        for line in lines:
            writer.add_way(
                osmium.osm.mutable.Way(
                    id=line.way, nodes=[ids[c] for c in line.coords], tags=line.tags
                )
            )
    finally:
        writer.close()
    return path
