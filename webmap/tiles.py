"""Vector tiles: ``/tiles/{collection}/{z}/{x}/{y}.pbf`` with a version-keyed cache and ETags.

The warm path (a cached tile, or a 304 for a current ETag) borrows no database connection:
each layer's change counter is read at most once every ``tile_version_ttl_s`` per process
(:class:`LayerVersions`), so a write by another process shows in at most that long (the
``Cache-Control`` lifetime browsers and CDNs already keep a tile for is longer); a write
made through this process forgets the counters at once.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from cachetools import LRUCache
from flask import Blueprint, Response, current_app, g, request

from gis.messages import msg
from layers.collections import GROUP_BY_MOST, get_collection, group_tile, layer_version, tile
from webmap.db import public_read, read_conn
from webmap.errors import BadParameter, NotFound
from webmap.params import parse_tile

__all__ = ["MVT", "LayerVersions", "TileCache", "bp"]

bp = Blueprint("tiles", __name__)
MVT = "application/vnd.mapbox-vector-tile"


class TileCache:
    """A least-recently-used cache of tile bytes, bounded in bytes (cachetools' ``LRUCache``).

    Keys carry the layer version, so a change to a layer makes its old tiles unreachable
    (they age out) and any number of processes, each with its own cache, stay correct.
    ``max_bytes = 0`` turns caching off. ``versions`` holds the layer versions it was last
    told (see :class:`LayerVersions`).
    """

    def __init__(self, max_bytes: int, *, version_ttl_s: float = 0.0) -> None:
        self.max_bytes = max_bytes
        self.versions = LayerVersions(version_ttl_s)
        self._data: LRUCache[tuple, tuple[bytes, str]] = LRUCache(
            maxsize=max(max_bytes, 1), getsizeof=_tile_size
        )
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[bytes, str] | None:
        """The cached (bytes, etag) for ``key``, or ``None``."""
        with self._lock:
            return self._data.get(key)

    def put(self, key: tuple, value: tuple[bytes, str]) -> None:
        """Store a tile, evicting the least recently used ones beyond ``max_bytes``.

        A tile larger than the whole cache is not stored.
        """
        if _tile_size(value) > self.max_bytes:
            return
        with self._lock:
            self._data[key] = value

    @property
    def size_bytes(self) -> int:
        """The bytes held now."""
        return int(self._data.currsize)

    def __len__(self) -> int:
        return len(self._data)


class LayerVersions:
    """Each table's change counter as last read from the database, trusted for ``ttl_s``.

    ``ttl_s = 0`` trusts nothing: every tile request asks the database.

    Examples
    --------
    >>> versions = LayerVersions(60)
    >>> versions.get("craft_villages") is None
    True
    >>> versions.put("craft_villages", 7)
    >>> versions.get("craft_villages")
    7
    >>> versions.clear()
    >>> versions.get("craft_villages") is None
    True
    """

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._seen: dict[str, tuple[int, float]] = {}

    def get(self, table: str) -> int | None:
        """The counter read less than ``ttl_s`` ago, or ``None``."""
        seen = self._seen.get(table)
        if seen is None or time.monotonic() - seen[1] >= self.ttl_s:
            return None
        return seen[0]

    def put(self, table: str, version: int) -> None:
        """Remember ``version`` of ``table``, read just now."""
        if self.ttl_s > 0:
            self._seen[table] = (version, time.monotonic())

    def clear(self) -> None:
        """Forget every counter (this process wrote something)."""
        self._seen = {}


def _tile_size(value: tuple[bytes, str]) -> int:
    return len(value[0]) + len(value[1]) + 64  # the tile, its ETag, and the key's share


@bp.get("/tiles/<collection_id>/<int:z>/<int:x>/<int:y>.pbf")
@public_read
def get_tile(collection_id: str, z: int, x: int, y: int):
    """One Mapbox Vector Tile; 304 when the client's ETag is current."""
    coll = get_collection(collection_id)
    z, x, y = parse_tile(z, x, y)
    max_features = current_app.config["LANGNGHE"].tile_max_features
    return _cached(
        coll, ("mvt", z, x, y), lambda conn: tile(conn, coll, z, x, y, max_features=max_features)
    )


@bp.get("/tiles/<collection_id>/groups/<int:z>/<int:x>/<int:y>.json")
@public_read
def get_group_tile(collection_id: str, z: int, x: int, y: int):
    """A point collection's counted groups in one tile (JSON), the pages' low-zoom overview.

    ``{"groups": [{"n", "lon", "lat", "by", "one"}, ...]}`` (:func:`layers.collections.group_tile`),
    cached and versioned as the vector tiles are. ``?by=craft,visitable``: the properties the
    counts ``by`` are nested by (one or two of the layer's declared ones; its first by default).
    """
    coll = get_collection(collection_id)
    if coll.geometry_type not in ("Point", "MultiPoint"):
        raise NotFound(msg("tiles.no_groups", collection=coll.id))
    z, x, y = parse_tile(z, x, y)
    by = _group_by(coll)

    def build(conn) -> bytes:
        return json.dumps(
            {"groups": group_tile(conn, coll, z, x, y, by=by)},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()

    return _cached(coll, ("groups", by, z, x, y), build, mimetype="application/json")


def _group_by(coll) -> tuple[str, ...]:
    """The properties ``?by=`` asks the groups to count apart (the layer's first by default)."""
    raw = request.args.get("by", "")
    if not raw:
        return coll.group_by[:1]
    names = tuple(raw.split(","))
    for name in names:
        if name not in coll.group_by:
            raise BadParameter(msg("param.choice", name="by", choices=", ".join(coll.group_by)))
    if len(names) > GROUP_BY_MOST or len(set(names)) < len(names):
        raise BadParameter(
            msg("tiles.group_by_most", most=GROUP_BY_MOST, choices=", ".join(coll.group_by))
        )
    return names


def _asked_version() -> int | None:
    """The layer version the client's URL names (``?v=``, set by the page after an edit)."""
    raw = request.args.get("v", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def _cached(coll, what: tuple, build: Callable[[Any], bytes], *, mimetype: str = MVT):
    """Serve ``build(conn)``'s bytes through the version-keyed cache, with ETag and 304.

    A URL naming a version (``?v=``) newer than the counter this process trusts makes it read
    the counter again at once: the editor who just wrote sees their change in the tiles.
    """
    settings = current_app.config["LANGNGHE"]
    cache: TileCache = current_app.extensions["langnghe_tiles"]
    version = cache.versions.get(coll.table)
    asked = _asked_version()
    if version is not None and asked is not None and asked > version:
        version = None
    hit = None if version is None else cache.get((coll.id, *what, version))
    if hit is None:
        # The counter is read again on the connection that draws the tile (the replica's or
        # the primary's), before it: a tile is never cached under a key newer than its data.
        conn = read_conn()
        version = layer_version(conn, coll)
        cache.versions.put(coll.table, version)
        key = (coll.id, *what, version)
        hit = cache.get(key)
        if hit is None:
            data = build(conn)
            digest = hashlib.blake2b(repr(key).encode() + data, digest_size=12).hexdigest()
            hit = (data, f'"{digest}"')
            cache.put(key, hit)
    data, etag = hit
    g.same_for_everyone = True  # no Vary: Accept-Language, Cookie (webmap.i18n)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={settings.tile_max_age_s}"}
    if request.if_none_match.contains(etag.strip('"')):
        return Response(status=304, headers=headers)
    return Response(data, mimetype=mimetype, headers=headers)


@bp.after_app_request
def _forget_versions(response: Response) -> Response:
    """A request that may have written (any unsafe method) makes the next tile ask again."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        current_app.extensions["langnghe_tiles"].versions.clear()
    return response
