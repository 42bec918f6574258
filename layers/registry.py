"""The registry: the layer families that imports (and later the web) may touch."""

from __future__ import annotations

from gis.errors import LayerNotFoundError
from layers.admin import ADMIN
from layers.clusters import CLUSTERS
from layers.importer import LayerSpec
from layers.stations import STATIONS
from layers.villages import OCOP, VILLAGES
from layers.zones import ZONES

__all__ = ["IMPORTABLE", "get_spec"]

#: Tabular layers imported by the generic pipeline (measurements and routes have their own).
IMPORTABLE: dict[str, LayerSpec] = {
    s.name: s for s in (VILLAGES, OCOP, CLUSTERS, STATIONS, ADMIN, ZONES)
}


def get_spec(name: str) -> LayerSpec:
    """Return the import spec of layer ``name``.

    Raises
    ------
    LayerNotFoundError
        With the list of known layers.
    """
    try:
        return IMPORTABLE[name]
    except KeyError:
        known = ", ".join([*IMPORTABLE, "measurements", "routes"])
        raise LayerNotFoundError(f"unknown layer {name!r}; known layers: {known}") from None
