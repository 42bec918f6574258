"""Road networks: read, node, keep the largest strongly connected component, store, load.

Readers take OSM .pbf/.osm, OSMnx GraphML/GeoPackage and GeoJSON/GeoPackage lines; the
network is stored for pgRouting and loaded as an in-memory graph (cached by version).
"""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from psycopg2 import sql

from gis.crs import METRIC_CRS, to_wgs84
from gis.db import savepoint
from gis.errors import ValidationError
from gis.messages import Message, msg
from gis.network import RoadGraph, largest_scc, parse_maxspeed
from gis.postgis import read_geodataframe
from gis.progress import Progress, counter
from layers._sql import query
from layers.layer import N_, Column, Layer
from layers.routes import recompute_on_network

__all__ = [
    "ROADS",
    "ROAD_NODES",
    "SRID",
    "RoadImportReport",
    "cached_graph",
    "graph_from_frames",
    "import_roads",
    "read_graph",
    "roads_in_bbox",
]

logger = logging.getLogger(__name__)
_ONEWAY_TRUE = {"yes", "true", "1"}

#: Road networks come from OSM files and graphs (``langnghe import roads``), not from the
#: generic import; nodes and directed edges are keyed by their network.
ROAD_NODES = Layer(
    name="road_nodes",
    table="road_nodes",
    title=N_("Road nodes"),
    description=N_("Junctions and ends of the road networks."),
    schema=(
        Column("id", "int", required=True, sql_type="bigint"),
        Column("osm_id", "int", sql_type="bigint"),
        Column("network", required=True),
    ),
    key=("network", "id"),
    geometry_type="Point",
)
ROADS = Layer(
    name="roads",
    table="roads",
    title=N_("Roads"),
    description=N_("Directed road edges for routing, with their length and travel costs."),
    schema=(
        Column("id", "int", role="stored", sql_type="bigint"),
        Column("network", required=True),
        Column("source", "int", required=True, sql_type="bigint"),
        Column("target", "int", required=True, sql_type="bigint"),
        Column("osm_id", "int", sql_type="bigint"),
        Column("name"),
        Column("highway"),
        Column("oneway", "bool", required=True),
        Column("maxspeed_kmh", "float", minimum=0, sql_type="real"),
        Column("length_m", "float", required=True, minimum=0),
        Column("cost", "float", required=True),
        Column("reverse_cost", "float", required=True),
    ),
    key=("id",),
    geometry_type="LineString",
)
#: The storage SRID of the roads (from their declaration).
SRID = ROADS.srid


@dataclass
class RoadImportReport:
    """What an import of a road network did."""

    network: str
    path: str
    reader: str
    nodes: int = 0
    edges: int = 0
    dropped_nodes: int = 0
    dropped_edges: int = 0
    noded_lines: int = 0
    crossings: int = 0
    moved: int = 0
    moved_max_m: float = 0.0
    moved_mean_m: float = 0.0
    notes: list[Message] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)
    #: The edges were copied on the bulk path (foreign keys dropped and added again).
    bulk: bool = False

    def messages(self) -> list[Message]:
        """The report as messages, one a line (rendered by the command line)."""
        lines = [
            msg(
                "roads.summary",
                network=self.network,
                path=self.path,
                reader=self.reader,
                nodes=self.nodes,
                edges=self.edges,
                dropped_nodes=self.dropped_nodes,
                dropped_edges=self.dropped_edges,
            )
        ]
        if self.noded_lines:
            lines.append(msg("roads.noded", lines=self.noded_lines, crossings=self.crossings))
        if self.reader.startswith("lines (unnoded"):
            lines.append(
                msg(
                    "roads.snapped",
                    vertices=self.moved,
                    max_m=round(self.moved_max_m, 2),
                    mean_m=round(self.moved_mean_m, 2),
                )
            )
        lines += self.errors
        lines += [msg("import.note", note=n) for n in self.notes]
        return lines


#: The columns of the edges every reader returns (before numbering and storage).
EDGE_COLUMNS = ("u", "v", "length_m", "highway", "maxspeed", "oneway", "name", "osm_id", "geometry")
#: The columns of a stored edge, in the order the import copies them.
STORED_COLUMNS = (
    "network",
    "source",
    "target",
    "osm_id",
    "name",
    "highway",
    "oneway",
    "maxspeed_kmh",
    "length_m",
    "cost",
    "reverse_cost",
    "geom",
)
#: Columns that hold the class of a road, the first found wins.
_CLASS_COLUMNS = ("highway", "loai_duong", "fclass", "type")
#: Columns that hold an OSM way id (``@id`` may read ``way/123``).
_OSM_ID_COLUMNS = ("osm_id", "osmid", "osmId", "@id", "id")
#: Default distance (m) a dangling end of an unnoded line may move onto another line.
SNAP_M = 3.0


def _rows() -> dict[str, list]:
    return {k: [] for k in EDGE_COLUMNS}


def _edge_frame(rows: dict[str, list]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(EDGE_COLUMNS))


def _metric_length(geoms) -> np.ndarray:
    return gpd.GeoSeries(geoms, crs=SRID).to_crs(METRIC_CRS).length.to_numpy()


def _read_graphml(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    import networkx as nx

    graph = nx.read_graphml(path)
    nodes = pd.DataFrame(
        [(k, float(d["x"]), float(d["y"])) for k, d in graph.nodes(data=True)],
        columns=["key", "lon", "lat"],
    )
    rows = _rows()
    for u, v, data in graph.edges(data=True):
        rows["u"].append(u)
        rows["v"].append(v)
        rows["length_m"].append(float(data["length"]) if "length" in data else np.nan)
        rows["highway"].append(data.get("highway"))
        rows["maxspeed"].append(data.get("maxspeed"))
        rows["oneway"].append(str(data.get("oneway", "False")) == "True")
        rows["name"].append(data.get("name"))
        rows["osm_id"].append(data.get("osmid"))
        rows["geometry"].append(shapely.from_wkt(data["geometry"]) if "geometry" in data else None)
    return _edge_frame(rows), nodes


def _read_osmnx_gpkg(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    nodes = gpd.read_file(path, layer="nodes")
    edges = gpd.read_file(path, layer="edges")
    node_frame = pd.DataFrame(
        {"key": nodes["osmid"].astype(str), "lon": nodes.geometry.x, "lat": nodes.geometry.y}
    )
    frame = pd.DataFrame(
        {
            "u": edges["u"].astype(str),
            "v": edges["v"].astype(str),
            "length_m": edges["length"].astype(float),
            "highway": edges.get("highway"),
            "maxspeed": edges.get("maxspeed"),
            "oneway": edges["oneway"].astype(str).isin(["1", "True", "true"]),
            "name": edges.get("name"),
            "osm_id": edges.get("osmid"),
            "geometry": edges.geometry.to_numpy(),
        }
    )
    return frame[list(EDGE_COLUMNS)], node_frame


def _as_tags(value: object) -> dict | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def flatten_tags(lines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns holding a JSON object (``tags``, ``properties``) spread into one column a key.

    A key already present as a column keeps the column's value where it has one.
    """
    out = lines.copy()
    for column in [c for c in lines.columns if c != lines.geometry.name]:
        if not (
            pd.api.types.is_object_dtype(lines[column])
            or pd.api.types.is_string_dtype(lines[column])
        ):
            continue
        parsed = lines[column].map(_as_tags)
        if parsed.isna().all() or parsed[lines[column].notna()].isna().any():
            continue
        spread = pd.DataFrame(list(parsed.map(lambda d: d or {})), index=lines.index)
        out = out.drop(columns=[column])
        for key in spread.columns:
            out[key] = out[key].where(out[key].notna(), spread[key]) if key in out else spread[key]
    return out


def _osm_ids(lines: pd.DataFrame) -> pd.Series:
    column = next((c for c in _OSM_ID_COLUMNS if c in lines.columns), None)
    if column is None:
        return pd.Series([None] * len(lines), index=lines.index, dtype=object)
    return lines[column].astype(str).str.extract(r"(\d+)")[0]


def _oneway(lines: pd.DataFrame) -> pd.Series:
    """``1`` one-way along the line, ``-1`` against it, ``0`` both ways (or not stated)."""
    text = (
        lines["oneway"].astype(str).str.lower()
        if "oneway" in lines.columns
        else pd.Series("", index=lines.index)
    )
    if "junction" in lines.columns:  # a roundabout is one-way unless tagged otherwise
        roundabout = lines["junction"].astype(str).str.lower() == "roundabout"
        stated = lines["oneway"].notna() if "oneway" in lines.columns else False
        text = text.where(~roundabout | stated, "yes")
    return pd.Series(
        np.where(text.isin(_ONEWAY_TRUE), 1, np.where(text == "-1", -1, 0)), index=lines.index
    )


def _level(lines: pd.DataFrame) -> np.ndarray:
    """What two crossing lines must share to meet: the same bridge, tunnel and layer tags."""
    parts = [
        lines[c].astype(str).where(lines[c].notna() & (lines[c].astype(str) != "no"), "")
        if c in lines.columns
        else pd.Series("", index=lines.index)
        for c in ("bridge", "tunnel", "layer")
    ]
    return (parts[0] + "|" + parts[1] + "|" + parts[2]).to_numpy(object)


def _node_lines(
    lines: gpd.GeoDataFrame, report: RoadImportReport, snap_m: float | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node the lines (see :mod:`gis.noding`), then make directed edges (two unless one-way)."""
    from gis.noding import node_lines, shares_vertices

    attrs = lines.reset_index(drop=True)
    geoms = attrs.geometry.to_numpy()
    shared = bool({"u", "v"} <= set(attrs.columns) or {"src", "tgt"} <= set(attrs.columns))
    shared = shared or (snap_m is None and shares_vertices(geoms))
    noded = node_lines(
        geoms, shared=shared, snap_m=SNAP_M if snap_m is None else snap_m, level=_level(attrs)
    )
    report.reader = "lines (shared vertices)" if shared else "lines (unnoded, ends snapped)"
    report.noded_lines, report.crossings = len(attrs), noded.crossings
    report.moved, report.moved_max_m, report.moved_mean_m = (
        noded.moved,
        noded.moved_max_m,
        noded.moved_mean_m,
    )
    if noded.near_ends:
        report.notes.append(
            msg(
                "roads.near_ends", ends=noded.near_ends, snap_m=SNAP_M if snap_m is None else snap_m
            )
        )
    if noded.unmatched:
        report.errors.append(msg("roads.unmatched_edges", edges=noded.unmatched))
    cls_col = next(
        (c for c in _CLASS_COLUMNS if c in attrs.columns and attrs[c].notna().any()), None
    )
    if cls_col is None:
        report.notes.append(msg("roads.no_class"))
    name_col = next((c for c in ("name", "ten") if c in attrs.columns), None)
    src = attrs.iloc[noded.source].reset_index(drop=True)
    oneway = _oneway(src).to_numpy()
    keys = pd.Series([f"p{i}" for i in range(len(noded.node_xy))], dtype=object)
    start, end = keys.to_numpy()[noded.start], keys.to_numpy()[noded.end]
    forward, backward = oneway >= 0, oneway <= 0

    def _take(column: str | None, mask: np.ndarray) -> np.ndarray:
        if column is None or column not in src.columns:
            return np.full(int(mask.sum()), None, dtype=object)
        return src[column].to_numpy(object)[mask]

    ids = _osm_ids(src)
    parts = []
    for mask, a, b, geom in (
        (forward, start, end, noded.pieces),
        (backward, end, start, shapely.reverse(noded.pieces)),
    ):
        parts.append(
            pd.DataFrame(
                {
                    "u": a[mask],
                    "v": b[mask],
                    "length_m": noded.length_m[mask],
                    "highway": _take(cls_col, mask),
                    "maxspeed": _take("maxspeed", mask),
                    "oneway": oneway[mask] != 0,
                    "name": _take(name_col, mask),
                    "osm_id": ids.to_numpy(object)[mask],
                    "geometry": np.asarray(geom, dtype=object)[mask],
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)[list(EDGE_COLUMNS)]
    nodes = pd.DataFrame(
        {"key": keys.to_numpy(), "lon": noded.node_xy[:, 0], "lat": noded.node_xy[:, 1]}
    )
    return frame, nodes


def _read_lines(
    path: Path, crs: str | None, report: RoadImportReport, snap_m: float | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    lines = gpd.read_file(path)
    if lines.crs is None:
        if crs is None:
            raise ValidationError(msg("io.no_crs", path=str(path)))
        lines = lines.set_crs(crs)
    lines = flatten_tags(to_wgs84(lines).explode(index_parts=False))
    kinds = lines.geometry.geom_type
    if (~kinds.isin(["LineString"])).any():
        report.notes.append(
            msg("roads.non_lines", features=int((~kinds.isin(["LineString"])).sum()))
        )
        lines = lines[kinds == "LineString"]
    for column in ("loai_duong", "type", "railway"):
        if column in lines.columns:
            rail = lines[column].astype(str).str.lower().str.contains("sắt|rail", regex=True)
            if rail.any():
                report.notes.append(msg("roads.railways", lines=int(rail.sum())))
                lines = lines[~rail]
    return _node_lines(lines, report, snap_m)


def _read_osm(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    import osmium

    ways = []
    for obj in (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("highway"))
    ):
        if obj.is_way() and len(obj.nodes) > 1:  # type: ignore[union-attr]
            refs = [(n.ref, n.lon, n.lat) for n in obj.nodes if n.location.valid()]  # type: ignore[union-attr]
            tags = dict(obj.tags)
            ways.append((obj.id, refs, tags))
    usage = pd.Series([r[0] for _, refs, _ in ways for r in refs]).value_counts()
    rows = _rows()
    coords: dict[int, tuple[float, float]] = {}
    for way_id, refs, tags in ways:
        oneway = tags.get("oneway", "no").lower()
        cut = [0] + [i for i in range(1, len(refs) - 1) if usage[refs[i][0]] > 1] + [len(refs) - 1]
        for a, b in zip(cut[:-1], cut[1:], strict=True):
            segment = refs[a : b + 1]
            line = shapely.LineString([(x, y) for _, x, y in segment])
            for ref, x, y in segment:
                coords[ref] = (x, y)
            directions = [(segment[0][0], segment[-1][0], line)]
            if oneway == "-1":
                directions = [(segment[-1][0], segment[0][0], shapely.reverse(line))]
            elif oneway not in _ONEWAY_TRUE and tags.get("junction") != "roundabout":
                directions.append((segment[-1][0], segment[0][0], shapely.reverse(line)))
            for u, v, geom in directions:
                rows["u"].append(u)
                rows["v"].append(v)
                rows["length_m"].append(np.nan)
                rows["highway"].append(tags.get("highway"))
                rows["maxspeed"].append(tags.get("maxspeed"))
                rows["oneway"].append(len(directions) == 1)
                rows["name"].append(tags.get("name"))
                rows["osm_id"].append(way_id)
                rows["geometry"].append(geom)
    frame = _edge_frame(rows)
    frame["length_m"] = _metric_length(frame["geometry"].to_numpy())
    nodes = pd.DataFrame([(k, x, y) for k, (x, y) in coords.items()], columns=["key", "lon", "lat"])
    used = pd.unique(pd.concat([frame["u"], frame["v"]]))
    return frame, nodes[nodes["key"].isin(used)]


def read_network(
    path: Path, *, crs: str | None = None, snap_m: float | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, RoadImportReport]:
    """Read any supported road file into directed edges and nodes (keys, not yet numbered).

    Graphs (GraphML, OSMnx GeoPackage) and OSM files keep their own nodes. Line files that
    share vertices are noded at shared vertices and exact crossings; unnoded ones (or any,
    with ``snap_m``) first have their dangling ends snapped within ``snap_m`` metres
    (default :data:`SNAP_M`).
    """
    suffix = (
        "".join(path.suffixes[-2:]).lower()
        if path.name.endswith(".osm.pbf")
        else path.suffix.lower()
    )
    report = RoadImportReport("", str(path), reader="")
    if not path.exists():
        raise ValidationError(msg("io.file_not_found", path=str(path)))
    if suffix == ".graphml":
        report.reader = "OSMnx GraphML"
        edges, nodes = _read_graphml(path)
    elif suffix in (".osm.pbf", ".pbf", ".osm"):
        report.reader = "OpenStreetMap (pyosmium)"
        edges, nodes = _read_osm(path)
    elif suffix == ".gpkg" and {"nodes", "edges"} <= set(gpd.list_layers(path)["name"]):
        report.reader = "OSMnx GeoPackage"
        edges, nodes = _read_osmnx_gpkg(path)
    elif suffix in (".geojson", ".json", ".gpkg", ".shp"):
        edges, nodes = _read_lines(path, crs, report, snap_m)
    else:
        raise ValidationError(msg("roads.unsupported_file", path=str(path)))
    if edges.empty:
        raise ValidationError(msg("roads.no_edges", path=str(path)))
    missing = edges["geometry"].isna().to_numpy()
    if missing.any():
        keys = pd.Index(nodes["key"])
        a, b = keys.get_indexer(edges.loc[missing, "u"]), keys.get_indexer(edges.loc[missing, "v"])
        xy = nodes[["lon", "lat"]].to_numpy()
        lines = shapely.linestrings(np.stack([xy[a], xy[b]], axis=1))
        edges["geometry"] = edges["geometry"].astype(object)
        edges.loc[missing, "geometry"] = pd.Series(
            list(lines), index=edges.index[missing], dtype=object
        )
    return edges, nodes, report


def build(
    edges: pd.DataFrame, nodes: pd.DataFrame, report: RoadImportReport
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Number nodes 1..n within the largest strongly connected component; drop the rest."""
    keys = pd.Index(nodes["key"])
    u, v = keys.get_indexer(edges["u"]), keys.get_indexer(edges["v"])
    if (u < 0).any() or (v < 0).any():
        raise ValidationError(msg("roads.dangling_edges"))
    keep = largest_scc(u, v, len(keys))
    edge_keep = keep[u] & keep[v]
    report.dropped_nodes, report.dropped_edges = int((~keep).sum()), int((~edge_keep).sum())
    new_id = np.full(len(keys), -1)
    new_id[keep] = np.arange(1, keep.sum() + 1)
    kept_nodes = nodes[keep].assign(id=new_id[keep])
    kept = edges[edge_keep].assign(source=new_id[u[edge_keep]], target=new_id[v[edge_keep]])
    report.nodes, report.edges = len(kept_nodes), len(kept)
    return kept, kept_nodes


#: Rows of one piece of COPY text: the text of one piece is all that is held at a time.
COPY_CHUNK_ROWS = 50_000
#: From this many edges (and a quarter of the roads table) an import takes the bulk path.
BULK_MIN_EDGES = 50_000


def _copy_column(values: pd.Series) -> pd.Series:
    r"""One column as COPY text: ``\N`` for a null, text escaped, floats exact (``repr``)."""
    null = values.isna().to_numpy()
    if pd.api.types.is_bool_dtype(values.dtype):
        text = pd.Series(np.where(values.to_numpy(bool), "t", "f"), index=values.index)
    elif pd.api.types.is_numeric_dtype(values.dtype):
        text = values.astype(object).map(repr) if values.dtype.kind == "f" else values.astype(str)
    else:
        text = values.map(str, na_action="ignore").astype(object)
        text = (
            text.str.replace("\\", "\\\\", regex=False)
            .str.replace("\t", "\\t", regex=False)
            .str.replace("\n", "\\n", regex=False)
            .str.replace("\r", "\\r", regex=False)
        )
    return text.where(~null, "\\N")


def _copy_chunks(frame: pd.DataFrame, columns: list[str], geoms: np.ndarray) -> Iterator[str]:
    """COPY text of ``frame``'s ``columns`` then the geometry (hex EWKB), a piece at a time."""
    for start in range(0, len(frame), COPY_CHUNK_ROWS):
        part = frame.iloc[start : start + COPY_CHUNK_ROWS]
        wkb = shapely.to_wkb(
            shapely.set_srid(geoms[start : start + COPY_CHUNK_ROWS], SRID),
            hex=True,
            include_srid=True,
        )
        line = pd.Series(wkb, index=part.index, dtype=object)
        for column in reversed(columns):
            line = _copy_column(part[column]) + "\t" + line
        yield "\n".join(line.tolist()) + "\n"


class _CopyStream(io.TextIOBase):
    """A file for ``copy_expert`` that reads the pieces of :func:`_copy_chunks` in turn."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self._piece = io.StringIO()

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        while True:
            text = self._piece.read(size)
            if text:
                return text
            piece = next(self._chunks, None)
            if piece is None:
                return ""
            self._piece = io.StringIO(piece)


def _copy(cur, table: str, columns: list[str], frame: pd.DataFrame, geoms: np.ndarray) -> None:
    """COPY ``frame``'s ``columns`` and ``geom`` (from ``geoms``) into ``table``, streamed."""
    cur.copy_expert(
        sql.SQL("COPY {} ({}) FROM STDIN")
        .format(
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, [*columns, "geom"])),
        )
        .as_string(cur),
        _CopyStream(_copy_chunks(frame, columns, geoms)),
        size=1 << 20,
    )


def _foreign_keys(cur, table: str) -> list[tuple[str, str]]:
    """The foreign keys of ``table``: name and definition (validated when added again)."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        (table,),
    )
    return [(name, definition.removesuffix(" NOT VALID")) for name, definition in cur.fetchall()]


def _bulk_keys(cur, edges: int, network: str, bulk_min_edges: int) -> list[tuple[str, str]] | None:
    """The foreign keys of ``roads`` to drop for a large import (see :func:`import_roads`).

    None when the import is small: the keys then check it row by row.
    """
    cur.execute("SELECT count(*) FROM roads WHERE network <> %s", (network,))
    others = int(cur.fetchone()[0])
    if edges < bulk_min_edges or 4 * edges < others + edges:
        return None
    return _foreign_keys(cur, "roads")


def import_roads(
    conn,
    path: Path | str,
    *,
    network: str = "default",
    crs: str | None = None,
    dry_run: bool = False,
    snap_m: float | None = None,
    max_snap_m: float = 500.0,
    progress: Progress | None = None,
    bulk_min_edges: int = BULK_MIN_EDGES,
) -> RoadImportReport:
    """Replace road network ``network`` with the contents of ``path``.

    All in the caller's transaction (in a savepoint: a failure leaves the tables as they
    were; the caller commits). Rows are streamed to COPY in pieces of
    :data:`COPY_CHUNK_ROWS` (geometry as hex EWKB), so that their text is never held whole.
    A large import, at least ``bulk_min_edges`` edges and at least a quarter of the rows the
    roads table will hold, drops the foreign keys of ``roads`` (before deleting the old
    network, whose cascade would otherwise run row by row), copies, and adds them again
    (validated in one pass instead of row by row). The bulk path holds an exclusive lock on
    ``roads`` until the caller's transaction ends: readers of every network wait for it.

    Raises ``ValidationError`` (with the report's errors) when an edge matches no source line.
    """
    path = Path(path)
    edges, nodes, report = read_network(path, crs=crs, snap_m=snap_m)
    if report.errors:
        raise ValidationError(report.errors[0])
    report.network = network
    kept, kept_nodes = build(edges, nodes, report)
    kept_nodes = kept_nodes.assign(
        network=network,
        osm_id=pd.to_numeric(kept_nodes["key"], errors="coerce")
        if kept_nodes["key"].map(lambda k: isinstance(k, int | str)).all()
        else None,
    )
    kept = kept.assign(
        network=network,
        cost=kept["length_m"],
        reverse_cost=-1.0,
        maxspeed_kmh=kept["maxspeed"].map(parse_maxspeed),
        osm_id=pd.to_numeric(kept["osm_id"].astype(str).str.extract(r"(\d+)")[0], errors="coerce"),
        highway=kept["highway"].map(lambda h: None if h is None else str(h)),
    )
    kept["osm_id"] = kept["osm_id"].astype("Int64")
    kept_nodes["osm_id"] = pd.Series(kept_nodes["osm_id"], index=kept_nodes.index).astype("Int64")
    step = counter(3, network, progress)
    with savepoint(conn, keep=not dry_run) as cur:
        keys = _bulk_keys(cur, len(kept), network, bulk_min_edges)
        report.bulk = keys is not None
        for name, _definition in keys or []:  # before the deletes: no cascade row by row
            cur.execute(
                sql.SQL("ALTER TABLE roads DROP CONSTRAINT {}").format(sql.Identifier(name))
            )
        cur.execute("DELETE FROM roads WHERE network = %s", (network,))
        cur.execute("DELETE FROM road_nodes WHERE network = %s", (network,))
        step(1)
        _copy(
            cur,
            "road_nodes",
            ["network", "id", "osm_id"],
            kept_nodes,
            shapely.points(kept_nodes["lon"].to_numpy(float), kept_nodes["lat"].to_numpy(float)),
        )
        step(2)
        columns = [c for c in STORED_COLUMNS if c != "geom"]
        _copy(cur, "roads", columns, kept, kept["geometry"].to_numpy())
        for name, definition in keys or []:  # the catalogue's text of the key, checked at once
            cur.execute(
                sql.SQL("ALTER TABLE roads ADD CONSTRAINT {} {}").format(
                    sql.Identifier(name),
                    sql.SQL(definition),  # the text pg_get_constraintdef gave
                )
            )
        step(3)
        cur.execute(
            query("upsert_road_network"),
            (
                network,
                str(path),
                report.nodes,
                report.edges,
                report.dropped_nodes,
                report.dropped_edges,
            ),
        )
        cur.execute(
            "INSERT INTO audit_log (actor, action, table_name, details) VALUES ('cli', 'import', "
            "'roads', %s)",
            (
                json.dumps(
                    {
                        "file": str(path),
                        "network": network,
                        "nodes": report.nodes,
                        "edges": report.edges,
                    }
                ),
            ),
        )
        if network == "default" and not dry_run:
            redrawn, kept_routes = recompute_on_network(
                conn, graph_from_frames(kept, kept_nodes), max_snap_m=max_snap_m
            )
            report.notes.append(msg("roads.routes_redrawn", routes=redrawn))
            report.notes += kept_routes
    return report


def graph_from_frames(kept: pd.DataFrame, kept_nodes: pd.DataFrame) -> RoadGraph:
    """The routing graph of noded edges and nodes as :func:`build` returns them."""
    order = kept_nodes.sort_values("id")
    return RoadGraph(
        lon=order["lon"].to_numpy(float),
        lat=order["lat"].to_numpy(float),
        u=kept["source"].to_numpy(np.int64) - 1,
        v=kept["target"].to_numpy(np.int64) - 1,
        length_m=kept["length_m"].to_numpy(float),
        highway=kept["highway"].reset_index(drop=True),
        maxspeed=kept["maxspeed"].reset_index(drop=True),
        geometry=kept["geometry"].to_numpy(),
    )


def read_graph(conn, network: str = "default") -> RoadGraph:
    """Load a stored network as an in-memory graph (node i is database id i + 1).

    From ``LANGNGHE_CH_MIN_NODES`` nodes on, it routes through a contraction hierarchy whose
    topology is saved per network and version in the settings' ``ch_store`` (built on the
    first route, loaded by every later process).
    """
    from gis.settings import get_settings

    settings = get_settings()
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM road_nodes WHERE network = %s ORDER BY id",
            (network,),
        )
        xy = np.array(cur.fetchall(), dtype=float).reshape(-1, 2)
        if len(xy) == 0:
            raise ValidationError(msg("roads.network_missing", network=network))
        cur.execute(
            "SELECT id, source - 1, target - 1, length_m, highway, maxspeed_kmh, ST_AsBinary(geom) "
            "FROM roads WHERE network = %s ORDER BY id",
            (network,),
        )
        rows = cur.fetchall()
    frame = pd.DataFrame(rows, columns=["id", "u", "v", "length", "highway", "maxspeed", "wkb"])
    return RoadGraph(
        lon=xy[:, 0],
        lat=xy[:, 1],
        u=frame["u"].to_numpy(np.int64),
        v=frame["v"].to_numpy(np.int64),
        length_m=frame["length"].to_numpy(float),
        highway=frame["highway"],
        maxspeed=frame["maxspeed"],
        geometry=shapely.from_wkb([bytes(b) for b in frame["wkb"]]),
        edge_ids=frame["id"].to_numpy(np.int64),
        network=network,
        ch_store=settings.ch_store,
        ch_min_nodes=settings.ch_min_nodes,
    )


# --- the road-graph cache and reads for the analyses -------------------------------------

_GRAPHS: dict[tuple[str, int], RoadGraph] = {}
_GRAPH_LOCK = threading.Lock()


def cached_graph(conn: Any, network: str = "default") -> RoadGraph | None:
    """The stored network as a graph, kept in memory until the roads' layer version changes.

    Returns None when no network of that name is loaded.
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(*), coalesce((SELECT version FROM layer_versions "
            "WHERE layer = 'roads'), 0) FROM road_nodes WHERE network = %s",
            (network,),
        )
        nodes, version = cur.fetchone()
    if nodes == 0:
        return None
    key = (network, int(version))
    with _GRAPH_LOCK:
        if key not in _GRAPHS:
            _GRAPHS.clear()
            _GRAPHS[key] = read_graph(conn, network)
        return _GRAPHS[key]


def roads_in_bbox(conn: Any, bbox: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """Road lines (id and line, WGS 84) of every network intersecting a lon/lat box."""
    return read_geodataframe(
        conn,
        "SELECT id, ST_AsBinary(geom) AS geom FROM roads "
        "WHERE ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, %s))",
        (*(float(v) for v in bbox), SRID),
        crs=SRID,
    )
