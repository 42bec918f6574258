"""Synthetic national-size layers for the tiled-map test and benchmark: villages and pollution
zones spread over Vietnam's extent, made by PostGIS in one ``generate_series`` insert each
(nothing of ``../shared/data`` is copied). Refs start with ``SYN-`` so a reader can tell them
from real rows.
"""

from __future__ import annotations

__all__ = ["VIETNAM_BBOX", "add_national_layers"]

#: Lon/lat box the synthetic features fall in (mainland Vietnam's extent, roughly).
VIETNAM_BBOX = (102.2, 8.6, 109.4, 23.3)

# Points on a jittered lattice over the box; craft, recognition and visitable cycle through their
# values so that every colour of the legend and every filter choice occurs.
_VILLAGES = """
INSERT INTO craft_villages (ref, name, name_ascii, craft, recognition, visitable, source, geom)
SELECT 'SYN-V' || i, 'Làng tổng hợp ' || i, 'lang tong hop ' || i,
       crafts.codes[1 + i %% array_length(crafts.codes, 1)],
       (ARRAY['traditional_craft_village', 'craft_village', 'village_with_craft',
              'unknown'])[1 + i %% 4],
       i %% 7 = 0, 'synthetic test data',
       ST_SetSRID(ST_MakePoint(%(x0)s + (%(x1)s - %(x0)s) * ((i * 0.6180339887) %% 1.0),
                               %(y0)s + (%(y1)s - %(y0)s) * ((i * 0.7548776662) %% 1.0)), 4326)
FROM generate_series(1, %(n)s) AS i,
     (SELECT array_agg(code ORDER BY code) AS codes FROM craft_types) AS crafts
"""

# Small squares (about 2 km across, buffers of one segment per quarter) on another
# low-discrepancy sequence.
_ZONES = """
INSERT INTO pollution_zones (ref, name, kind, parameter, method, zone_date, severity, source, geom)
SELECT 'SYN-Z' || i, 'Vùng tổng hợp ' || i, 'observed', 'PM2.5', 'synthetic',
       DATE '2024-01-01' + (i %% 365), (ARRAY['high', 'medium', 'low'])[1 + i %% 3],
       'synthetic test data',
       ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(
           %(x0)s + (%(x1)s - %(x0)s) * ((i * 0.5698402910) %% 1.0),
           %(y0)s + (%(y1)s - %(y0)s) * ((i * 0.3247179572) %% 1.0)), 4326), 0.01, 1))
FROM generate_series(1, %(n)s) AS i
"""


def add_national_layers(conn, *, villages: int, zones: int) -> None:
    """Insert ``villages`` synthetic villages and ``zones`` synthetic zones, then ANALYZE.

    The caller commits.
    """
    x0, y0, x1, y1 = VIETNAM_BBOX
    box = {"x0": x0, "y0": y0, "x1": x1, "y1": y1}
    with conn.cursor() as cur:
        # one statement per layer; on a busy 2-core machine 200,000 villages take about a minute
        cur.execute("SET LOCAL statement_timeout = 0")
        cur.execute(_VILLAGES, {**box, "n": int(villages)})
        cur.execute(_ZONES, {**box, "n": int(zones)})
        cur.execute("ANALYZE craft_villages")
        cur.execute("ANALYZE pollution_zones")
