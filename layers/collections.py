"""Public collections: the whitelist of what the web may query, and their SQL.

Identifiers only ever come from this registry (composed with ``psycopg2.sql``); values
are bound parameters. PostGIS builds the GeoJSON and MVT bytes; Python only joins them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from psycopg2 import sql

from gis.crs import WEB_MERCATOR_EPSG, WGS84_EPSG
from gis.errors import LayerNotFoundError, NotFoundError, ValidationError
from gis.messages import msg
from layers._sql import query as _query
from layers.layer import Layer
from layers.registry import LAYERS

__all__ = [
    "COLLECTIONS",
    "Collection",
    "Prop",
    "collection_of",
    "count_upto",
    "extent",
    "feature_page",
    "features",
    "get_collection",
    "group_tile",
    "layer_version",
    "layer_versions",
    "tile",
    "versioned_tile",
]


@dataclass(frozen=True)
class Prop:
    """One public property: its column, JSON-schema type and whether it can filter."""

    name: str
    type: str = "string"  # string, integer, number, boolean, array
    filterable: bool = False
    in_tiles: bool = True
    format: str | None = None  # "date" for date columns (a string of the form YYYY-MM-DD)


@dataclass(frozen=True)
class Collection:
    """A public layer as the web serves it, derived from its :class:`layers.layer.Layer`.

    ``title`` and ``description`` are English source text (gettext message ids): the web
    renders them in the request's language.
    """

    id: str
    table: str
    title: str
    description: str
    geometry_type: str
    props: tuple[Prop, ...]
    datetime_column: str | None = None
    #: numberMatched is returned only where counting is cheap.
    count_matched: bool = True
    #: minimum zoom at which tiles carry features (0 = always).
    min_zoom: int = 0
    #: tile simplification tolerance in pixels (of 4096).
    simplify_px: float = 1.0
    extra_json: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    #: storage SRID of the geometry column (from the layer's declaration).
    srid: int = WGS84_EPSG
    #: the import layer behind the collection (``layers.registry.LAYERS``).
    layer: str = ""
    #: the properties a counted group of points may count apart (:func:`group_tile`).
    group_by: tuple[str, ...] = ()

    def prop(self, name: str) -> Prop | None:
        """The property called ``name``, or ``None``."""
        return next((p for p in self.props if p.name == name), None)


def collection_of(layer: Layer) -> Collection:
    """The public collection of a declared layer.

    Raises
    ------
    ValueError
        When the layer is not public or has no geometry.
    """
    if layer.collection is None or layer.geometry_type is None:
        raise ValueError(f"layer {layer.name} is not a public feature collection")
    return Collection(
        id=layer.collection,
        table=layer.table,
        title=layer.title,
        description=layer.description,
        geometry_type=layer.geometry_type,
        props=tuple(
            Prop(
                c.name,
                c.json_type,
                c.filterable,
                c.in_tiles,
                "date" if c.sql_type == "date" else None,
            )
            for c in layer.public_columns
        ),
        datetime_column=layer.datetime_column,
        count_matched=layer.count_matched,
        min_zoom=layer.tiles.min_zoom,
        simplify_px=layer.simplify_px,
        extra_json=layer.extra_json,
        srid=layer.srid,
        layer=layer.name,
        group_by=layer.tiles.group_by,
    )


#: Public collections by id, in the registry's order.
COLLECTIONS: dict[str, Collection] = {
    c.id: c for c in (collection_of(layer) for layer in LAYERS.values() if layer.public)
}


def get_collection(collection_id: str) -> Collection:
    """Return the public collection ``collection_id``.

    Raises
    ------
    LayerNotFoundError
        With the list of collections.
    """
    try:
        return COLLECTIONS[collection_id]
    except KeyError:
        raise LayerNotFoundError(
            msg("layers.unknown_collection", name=collection_id, known=list(COLLECTIONS))
        ) from None


def _filters(
    coll: Collection,
    *,
    bbox: tuple[float, float, float, float] | None,
    interval: tuple[dt.date | None, dt.date | None] | None,
    props: dict[str, Any],
    fid: int | None = None,
) -> tuple[sql.Composable, dict[str, Any]]:
    clauses: list[sql.Composable] = [sql.SQL("TRUE")]
    params: dict[str, Any] = {}
    if fid is not None:
        clauses.append(sql.SQL("t.id = %(fid)s"))
        params["fid"] = int(fid)
    if bbox is not None:
        clauses.append(
            sql.SQL(
                # the box is WGS 84 (CRS84), the table in its declared SRID
                "t.geom && ST_Transform(ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, "
                "%(wgs84)s), %(srid)s) AND ST_Intersects(t.geom, ST_Transform(ST_MakeEnvelope("
                "%(x0)s, %(y0)s, %(x1)s, %(y1)s, %(wgs84)s), %(srid)s))"
            )
        )
        params.update(zip(("x0", "y0", "x1", "y1"), (float(v) for v in bbox), strict=True))
        params.update(wgs84=WGS84_EPSG, srid=int(coll.srid))
    if interval is not None and coll.datetime_column:
        column = sql.Identifier(coll.datetime_column)
        if interval[0] is not None:
            clauses.append(sql.SQL("t.{} >= %(t0)s").format(column))
            params["t0"] = interval[0]
        if interval[1] is not None:
            clauses.append(sql.SQL("t.{} <= %(t1)s").format(column))
            params["t1"] = interval[1]
    for i, (name, value) in enumerate(sorted(props.items())):
        clauses.append(sql.SQL("t.{} = %({})s").format(sql.Identifier(name), sql.SQL(f"p{i}")))
        params[f"p{i}"] = value
    return sql.SQL(" AND ").join(clauses), params


def _properties_json(coll: Collection) -> sql.Composable:
    pairs: list[sql.Composable] = []
    for prop in coll.props:
        pairs += [sql.Literal(prop.name), sql.SQL("t.{}").format(sql.Identifier(prop.name))]
    for name, expression in coll.extra_json:
        pairs += [sql.Literal(name), sql.SQL(expression)]
    return sql.SQL("json_build_object({})").format(sql.SQL(", ").join(pairs))


#: Sent before the statements of items and tiles, in the same call (no round trip of its own):
#: their plans' costs are high for what they read (the per-row GeoJSON and MVT functions are
#: costed at thousands of rows' worth), so PostgreSQL compiled them with JIT, which took longer
#: than the statement itself (70 ms of a 210 ms z11 tile). It lasts to the transaction's end.
_NO_JIT = sql.SQL("SET LOCAL jit = off;\n")


def _page_query(
    coll: Collection,
    *,
    limit: int,
    offset: int,
    bbox: tuple[float, float, float, float] | None,
    interval: tuple[dt.date | None, dt.date | None] | None,
    props: dict[str, Any] | None,
    fid: int | None,
    aggregate: str,
) -> tuple[sql.Composed, dict[str, Any]]:
    where, params = _filters(coll, bbox=bbox, interval=interval, props=props or {}, fid=fid)
    counted = coll.count_matched and fid is None
    aggregates = {
        "text": sql.SQL("coalesce(string_agg(p.feature, ',' ORDER BY p.id), '')"),
        "array": sql.SQL("coalesce(array_agg(p.feature ORDER BY p.id), '{}')"),
    }
    query = _NO_JIT + sql.SQL(_query("collection_items")).format(
        materialized=sql.SQL("MATERIALIZED" if bbox is not None else "NOT MATERIALIZED"),
        count=sql.SQL("(SELECT count(*) FROM matched)" if counted else "NULL::bigint"),
        aggregate=aggregates[aggregate],
        props=_properties_json(coll),
        table=sql.Identifier(coll.table),
        where=where,
    )
    return query, {
        **params,
        "limit": int(limit),
        "offset": int(offset),
        "out_srid": WGS84_EPSG,
    }


def feature_page(
    conn,
    coll: Collection,
    *,
    limit: int,
    offset: int = 0,
    bbox: tuple[float, float, float, float] | None = None,
    interval: tuple[dt.date | None, dt.date | None] | None = None,
    props: dict[str, Any] | None = None,
) -> tuple[str, int, int | None]:
    """One page of GeoJSON Features as PostGIS wrote them, in one statement.

    Returns the Features' texts joined with commas (the inside of a ``features`` array), how
    many there are, and the number matched where counting is cheap (``count_matched``).
    ``props`` keys must be filterable properties of ``coll`` (checked by the caller); values
    are bound parameters.
    """
    query, params = _page_query(
        coll,
        limit=limit,
        offset=offset,
        bbox=bbox,
        interval=interval,
        props=props,
        fid=None,
        aggregate="text",
    )
    with conn.cursor() as cur:
        cur.execute(query, params)
        matched, returned, text = cur.fetchone()
    return str(text), int(returned), None if matched is None else int(matched)


def features(
    conn,
    coll: Collection,
    *,
    limit: int,
    offset: int = 0,
    bbox: tuple[float, float, float, float] | None = None,
    interval: tuple[dt.date | None, dt.date | None] | None = None,
    props: dict[str, Any] | None = None,
    fid: int | None = None,
) -> tuple[list[str], int | None]:
    """GeoJSON Feature texts built by PostGIS, and the number matched where cheap.

    As :func:`feature_page`, one text per Feature; ``fid`` picks one feature by id (then
    nothing is counted).
    """
    query, params = _page_query(
        coll,
        limit=limit,
        offset=offset,
        bbox=bbox,
        interval=interval,
        props=props,
        fid=fid,
        aggregate="array",
    )
    with conn.cursor() as cur:
        cur.execute(query, params)
        matched, _returned, rows = cur.fetchone()
    return [str(r) for r in rows], None if matched is None else int(matched)


def count_upto(conn, coll: Collection, most: int) -> int:
    """The number of features of ``coll``, counted up to ``most + 1`` at most.

    Reads at most ``most + 1`` rows, so it tells "more than ``most``" apart cheaply however
    large the table (the pages ask it per layer on every load).
    """
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {} LIMIT %s) s").format(
                sql.Identifier(coll.table)
            ),
            (int(most) + 1,),
        )
        return int(cur.fetchone()[0])


def extent(conn, coll: Collection) -> list[float] | None:
    """Bounding box of the whole collection (EPSG:4326), or ``None`` when empty."""
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                "(SELECT ST_Transform(ST_SetSRID(ST_Extent(geom)::geometry, %s), %s) AS e "
                "FROM {}) s"
            ).format(sql.Identifier(coll.table)),
            (int(coll.srid), WGS84_EPSG),
        )
        row = cur.fetchone()
    return None if row is None or row[0] is None else [float(v) for v in row]


def layer_versions(conn) -> dict[str, int]:
    """The change counter of every table that has one, by table name."""
    with conn.cursor() as cur:
        cur.execute("SELECT layer, version FROM layer_versions ORDER BY layer")
        return {layer: int(version) for layer, version in cur.fetchall()}


def layer_version(conn, coll: Collection) -> int:
    """The change counter of the collection's table (bumped by triggers on every write)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT coalesce((SELECT version FROM layer_versions WHERE layer = %s), 0)",
            (coll.table,),
        )
        return int(cur.fetchone()[0])


_WORLD_M = 40075016.68557849


def _tile_bounds(
    z: int, x: int, y: int, *, buffer: float = 0.0
) -> tuple[float, float, float, float]:
    """WGS 84 bounds of a Web Mercator tile, widened by ``buffer`` tiles on each side.

    Examples
    --------
    >>> [round(v, 4) for v in _tile_bounds(1, 1, 0)]
    [0.0, 0.0, 180.0, 85.0511]
    """
    import math

    n = 2**z

    def lon(tx: float) -> float:
        return min(max(tx / n * 360.0 - 180.0, -180.0), 180.0)

    def lat(ty: float) -> float:
        ty = min(max(ty, 0.0), float(n))
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ty / n))))

    return lon(x - buffer), lat(y + 1 + buffer), lon(x + 1 + buffer), lat(y - buffer)


def versioned_tile(
    conn, coll: Collection, z: int, x: int, y: int, *, max_features: int
) -> tuple[int, bytes]:
    """The change counter of ``coll``'s table and one of its Mapbox Vector Tiles.

    The tile is built by ``ST_AsMVT`` (integer SRIDs only); the counter
    (:func:`layer_version`) is read in the same statement, so from the same snapshot.
    """
    props = [p for p in coll.props if p.in_tiles and p.type != "array"]
    columns = sql.SQL("").join(sql.SQL(", t.{}").format(sql.Identifier(p.name)) for p in props)
    tolerance = coll.simplify_px * _WORLD_M / (2 ** int(z)) / 4096.0
    geom = sql.SQL("ST_Transform(t.geom, %(mercator)s)")
    if tolerance > 0:
        geom = sql.SQL("ST_Simplify(ST_Transform(t.geom, %(mercator)s), %(tol)s, true)")
    query = _NO_JIT + sql.SQL(_query("collection_tile")).format(
        geom=geom, columns=columns, table=sql.Identifier(coll.table)
    )
    west, south, east, north = _tile_bounds(z, x, y, buffer=64 / 4096)
    with conn.cursor() as cur:
        cur.execute(
            query,
            {
                "z": int(z),
                "x": int(x),
                "y": int(y),
                "tol": tolerance,
                "minz": coll.min_zoom,
                "cap": int(max_features),
                "layer": coll.id,
                "table": coll.table,
                "w": west,
                "s": south,
                "e": east,
                "n": north,
                "wgs84": WGS84_EPSG,
                "srid": int(coll.srid),
                "mercator": WEB_MERCATOR_EPSG,
            },
        )
        version, data = cur.fetchone()
    return int(version), bytes(data) if data is not None else b""


def tile(conn, coll: Collection, z: int, x: int, y: int, *, max_features: int) -> bytes:
    """One Mapbox Vector Tile of ``coll`` built by ``ST_AsMVT`` (integer SRIDs only)."""
    return versioned_tile(conn, coll, z, x, y, max_features=max_features)[1]


#: A tile's side is cut into this many squares for the counted groups (64 px of 256).
GROUP_CELLS = 4


#: At most this many properties a counted group counts apart at once (nested counts).
GROUP_BY_MOST = 2


def _group_counts(levels: int) -> sql.Composable:
    """The nested counts of a square by ``by1`` .. ``by<levels>`` (the ``counts`` CTE's body).

    One level: ``{"value": n, ...}``; two: ``{"value1": {"value2": n, ...}, ...}``; ``""``
    stands for a missing value.
    """
    names = [f"by{i}" for i in range(1, levels + 1)]
    inner = "SELECT cx, cy, {cols}, count(*) AS n FROM square GROUP BY cx, cy, {cols}".format(
        cols=", ".join(names)
    )
    value = "n"
    for i in range(levels, 0, -1):
        outer = ", ".join(["cx", "cy", *names[: i - 1]])
        inner = (
            f"SELECT {outer}, jsonb_object_agg(coalesce(by{i}, ''), {value}) AS v{i} "
            f"FROM ({inner}) c{i} GROUP BY {outer}"
        )
        value = f"v{i}"
    return sql.SQL(inner.replace("AS v1 ", "AS by ", 1))


def group_tile(
    conn, coll: Collection, z: int, x: int, y: int, *, by: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """The counted groups of a point collection in one tile: the pages' low-zoom overview.

    The tile is cut into ``GROUP_CELLS`` x ``GROUP_CELLS`` squares in Web Mercator (so a
    point falls in exactly one square of one tile at each zoom); each square holding features
    gives one group: ``n`` (how many), ``lon``/``lat`` (their mean position, WGS 84), ``by``
    (counts by the properties ``by``, some of the collection's ``group_by``, its first by
    default: nested, one level per property, ``""`` for a missing value) and, for a square
    with a single feature, ``one``: that feature's id and tile properties, so it can be drawn
    and clicked as itself.

    Raises
    ------
    ValidationError
        When ``by`` names a property the collection does not count apart, one twice, or more
        than ``GROUP_BY_MOST`` (the web checks them first, with the parameter's name).
    """
    if coll.geometry_type not in ("Point", "MultiPoint"):
        raise NotFoundError(msg("tiles.no_groups", collection=coll.id))
    if by is None:
        by = coll.group_by[:1]
    if len(by) > GROUP_BY_MOST or not set(by) <= set(coll.group_by) or len(set(by)) < len(by):
        raise ValidationError(
            msg("tiles.group_by_most", most=GROUP_BY_MOST, choices=", ".join(coll.group_by))
        )
    props = [p for p in coll.props if p.in_tiles and p.type != "array"]
    one = sql.SQL("").join(
        sql.SQL(", {}, t.{}").format(sql.Literal(p.name), sql.Identifier(p.name)) for p in props
    )
    columns = (
        sql.SQL(", ").join(
            sql.SQL("t.{}::text AS {}").format(sql.Identifier(name), sql.Identifier(f"by{i}"))
            for i, name in enumerate(by, 1)
        )
        if by
        else sql.SQL("NULL::text AS by1")
    )
    levels = max(len(by), 1)
    query = sql.SQL(_query("collection_groups")).format(
        table=sql.Identifier(coll.table),
        by=columns,
        by_names=sql.SQL(", ").join(sql.Identifier(f"by{i}") for i in range(1, levels + 1)),
        counts=_group_counts(levels),
        one=one,
    )
    side = _WORLD_M / 2 ** int(z)
    west, south, east, north = _tile_bounds(z, x, y)
    with conn.cursor() as cur:
        cur.execute(
            query,
            {
                "x0": -_WORLD_M / 2 + x * side,
                "y0": _WORLD_M / 2 - y * side,
                "side": side,
                "cell": side / GROUP_CELLS,
                "w": west,
                "s": south,
                "e": east,
                "n": north,
                "wgs84": WGS84_EPSG,
                "srid": int(coll.srid),
                "mercator": WEB_MERCATOR_EPSG,
            },
        )
        return [
            {"n": int(n), "lon": round(lon, 6), "lat": round(lat, 6), "by": by_, "one": one_}
            for n, lon, lat, by_, one_ in cur.fetchall()
        ]
