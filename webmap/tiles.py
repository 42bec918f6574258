"""Vector tiles: ``/tiles/{collection}/{z}/{x}/{y}.pbf`` with a version-keyed cache and ETags."""

from __future__ import annotations

import hashlib
import threading

from cachetools import LRUCache
from flask import Blueprint, Response, current_app, request

from layers.collections import get_collection, layer_version, tile
from webmap.db import public_read, read_conn
from webmap.params import parse_tile

__all__ = ["MVT", "TileCache", "bp"]

bp = Blueprint("tiles", __name__)
MVT = "application/vnd.mapbox-vector-tile"


class TileCache:
    """A least-recently-used cache of tile bytes, bounded in bytes (cachetools' ``LRUCache``).

    Keys carry the layer version, so a change to a layer makes its old tiles unreachable
    (they age out) and any number of processes, each with its own cache, stay correct.
    ``max_bytes = 0`` turns caching off.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
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


def _tile_size(value: tuple[bytes, str]) -> int:
    return len(value[0]) + len(value[1]) + 64  # the tile, its ETag, and the key's share


@bp.get("/tiles/<collection_id>/<int:z>/<int:x>/<int:y>.pbf")
@public_read
def get_tile(collection_id: str, z: int, x: int, y: int):
    """One Mapbox Vector Tile; 304 when the client's ETag is current."""
    coll = get_collection(collection_id)
    z, x, y = parse_tile(z, x, y)
    settings = current_app.config["LANGNGHE"]
    conn = read_conn()
    key = (coll.id, z, x, y, layer_version(conn, coll))
    cache: TileCache = current_app.extensions["langnghe_tiles"]
    hit = cache.get(key)
    if hit is None:
        data = tile(conn, coll, z, x, y, max_features=settings.tile_max_features)
        hit = (
            data,
            '"' + hashlib.blake2b(repr(key).encode() + data, digest_size=12).hexdigest() + '"',
        )
        cache.put(key, hit)
    data, etag = hit
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={settings.tile_max_age_s}"}
    if request.if_none_match.contains(etag.strip('"')):
        return Response(status=304, headers=headers)
    return Response(data, mimetype=MVT, headers=headers)
