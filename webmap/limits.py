"""Size limits of geometries sent to the web: bytes before reading, vertices before parsing.

An endpoint that takes a geometry names its limits here: an edit those of its layer (the
declaration's ``max_vertices`` and ``max_edit_bytes``, overridden per layer by the settings
``layer_max_vertices`` and ``layer_max_edit_bytes``), a drawn query polygon
(``/api/within``, ``/api/check-cluster``) the settings ``query_max_vertices`` and
``query_max_bytes``. A body over its byte limit is refused (413) from its
``Content-Length``, before a byte of it is read; a body without one is read only up to
the limit. Vertices are bounded on the raw bytes and, when that bound is over the limit,
counted exactly on a plain decode (:func:`check_raw_vertices`): before the full, checking
decode of :mod:`webmap.jsontext` and before any geometry object is built.
"""

from __future__ import annotations

import gc
import json
import re
from dataclasses import dataclass
from typing import Any

from flask import current_app, request

from gis.messages import msg
from gis.validate import count_positions
from layers.registry import LAYERS
from webmap.errors import BadParameter, BodyTooLarge

__all__ = [
    "Limits",
    "check_raw_vertices",
    "check_vertices",
    "layer_limits",
    "query_limits",
    "read_body",
]

#: Where a GeoJSON position may start: ``[`` then a number. Every position matches once, so
#: the matches bound the vertices from above (numbers in other arrays count too).
_POSITION_START = re.compile(rb"\[\s*[-0-9]")


@dataclass(frozen=True)
class Limits:
    """The largest geometry an endpoint accepts."""

    vertices: int
    body_bytes: int


def layer_limits(layer: str) -> Limits:
    """The limits of an edit of ``layer`` (declaration, then the settings' overrides)."""
    settings = current_app.config["LANGNGHE"]
    declared = LAYERS[layer]
    return Limits(
        vertices=int(settings.layer_max_vertices.get(layer, declared.max_vertices)),
        body_bytes=int(settings.layer_max_edit_bytes.get(layer, declared.max_edit_bytes)),
    )


def query_limits() -> Limits:
    """The limits of a polygon drawn for a query (``/api/within``, ``/api/check-cluster``)."""
    settings = current_app.config["LANGNGHE"]
    return Limits(vertices=settings.query_max_vertices, body_bytes=settings.query_max_bytes)


def read_body(max_bytes: int) -> bytes:
    """The request body, refused with 413 when it is over ``max_bytes``.

    The ``Content-Length`` is checked first, so a declared oversized body is never read;
    a body without one (chunked) is read up to one byte past the limit.

    Raises
    ------
    BodyTooLarge
        With the ``request.body_too_large`` (or ``request.body_over_limit``) message.
    """
    length = request.content_length
    if length is not None and length > max_bytes:
        raise BodyTooLarge(msg("request.body_too_large", size=int(length), limit=int(max_bytes)))
    data = request.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise BodyTooLarge(msg("request.body_over_limit", limit=int(max_bytes)))
    return data


def check_vertices(geometry: Any, max_vertices: int) -> None:
    """Refuse (400) a decoded GeoJSON geometry with more than ``max_vertices`` positions."""
    vertices = count_positions(geometry)
    if vertices > max_vertices:
        raise BadParameter(
            msg("geometry.too_many_vertices", vertices=vertices, limit=int(max_vertices))
        )


def _loads(data: bytes) -> Any:
    """``json.loads`` with the cyclic garbage collector paused.

    A decoded document has no cycles, but its hundreds of thousands of lists trigger
    collection after collection: a 19 MB polygon decodes about five times faster without
    them (1.7 s against 8-9 s, measured on a loaded two-core machine).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return json.loads(data)
    finally:
        if paused:
            gc.enable()


def check_raw_vertices(data: bytes, max_vertices: int, *, member: str | None = None) -> None:
    """Refuse (400) a JSON body whose geometry has more than ``max_vertices`` positions.

    Meant to run before the full, checking decode (:func:`webmap.jsontext.decode_json`
    visits every value): the body's position starts are counted in one pass over the
    bytes, and only when they exceed the limit is the body decoded plainly to count the
    geometry's vertices exactly (the figure the answer names). The geometry is the body
    itself, its ``geometry`` when it is a Feature, or its ``member``. A body that is not
    JSON passes: the full decode says what is wrong with it.

    Examples
    --------
    >>> check_raw_vertices(b'{"type": "Point", "coordinates": [105.8, 21.0]}', 1)
    >>> check_raw_vertices(b'{"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]}', 1)
    Traceback (most recent call last):
    ...
    webmap.errors.BadParameter: geometry.too_many_vertices(vertices=2, limit=1)
    """
    if data.count(b"[") <= max_vertices or len(_POSITION_START.findall(data)) <= max_vertices:
        return
    try:
        document = _loads(data)
    except ValueError:
        return
    geometry = document
    if isinstance(document, dict):
        if member is not None:
            geometry = document.get(member)
        elif document.get("type") == "Feature":
            geometry = document.get("geometry")
    check_vertices(geometry, max_vertices)
