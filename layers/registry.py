"""The registry of layer declarations, and the import registry derived from it.

Every table the web or the imports expose is declared once, as a :class:`layers.layer.Layer`
in its family's module; :data:`LAYERS` lists them all and the other registries
(:data:`IMPORTABLE` here, ``layers.collections.COLLECTIONS``, ``layers.editing.EDITABLE``)
are views of it.
"""

from __future__ import annotations

from gis.errors import LayerNotFoundError
from gis.messages import msg
from layers.admin import ADMIN
from layers.alerts import ALERT_RULES, ALERTS
from layers.clusters import CLUSTERS
from layers.crafts import CRAFT_TYPES
from layers.layer import Layer
from layers.pois import POI_CATEGORIES, POIS
from layers.roads import ROAD_NODES, ROADS
from layers.routes import ROUTE_STOPS, ROUTES
from layers.scenarios import RASTERS, SCENARIO_FEATURES, SCENARIOS
from layers.stations import MEASUREMENTS, PARAMETERS, STATIONS
from layers.villages import OCOP, VILLAGES
from layers.zones import ZONES

__all__ = ["IMPORTABLE", "LAYERS", "get_layer", "get_spec"]

#: Every declared layer, by name, in the order the web lists the public ones.
LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        VILLAGES,
        OCOP,
        CLUSTERS,
        STATIONS,
        MEASUREMENTS,
        ZONES,
        POIS,
        ROUTES,
        ROUTE_STOPS,
        ADMIN,
        ROADS,
        ROAD_NODES,
        SCENARIOS,
        SCENARIO_FEATURES,
        RASTERS,
        ALERT_RULES,
        ALERTS,
        CRAFT_TYPES,
        PARAMETERS,
        POI_CATEGORIES,
    )
}

#: Tabular layers imported by the generic pipeline (measurements, routes and roads have
#: their own).
IMPORTABLE: dict[str, Layer] = {name: layer for name, layer in LAYERS.items() if layer.importable}


def get_layer(name: str) -> Layer:
    """Return the declaration of layer ``name``.

    Raises
    ------
    LayerNotFoundError
        With the list of declared layers.
    """
    try:
        return LAYERS[name]
    except KeyError:
        raise LayerNotFoundError(
            msg("layers.unknown_layer", name=name, known=list(LAYERS))
        ) from None


def get_spec(name: str) -> Layer:
    """Return the declaration of importable layer ``name``.

    Raises
    ------
    LayerNotFoundError
        With the list of known layers.
    """
    try:
        return IMPORTABLE[name]
    except KeyError:
        known = [*IMPORTABLE, "measurements", "routes"]
        raise LayerNotFoundError(msg("layers.unknown_layer", name=name, known=known)) from None
