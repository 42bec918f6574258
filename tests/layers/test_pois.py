"""Points of interest (issue 14, item 5): the real OSM 2018 extract's schools, clinics,
markets, bus stops, car parks and temples import into their categories; other OSM classes are
rejected with the reason. The extract is read by path from ``../shared/data``.
"""

from __future__ import annotations

import pytest

from layers.importer import ImportOptions, run_import
from layers.pois import pois_near, sensitive_pois
from layers.registry import get_spec
from tests.conftest import count
from webmap.messages import render

pytestmark = pytest.mark.postgis


@pytest.fixture
def osm(real_data):
    return real_data / "landuse" / "rrd_osm2018_geofabrik.gpkg"


def _load(conn, osm, layer):
    options = ImportOptions(progress=None, layer=layer, extra={"source": "osm2018"})
    return run_import(conn, get_spec("pois"), osm, options)


def test_osm_points_of_interest_import_by_category(conn, osm):
    reports = {layer: _load(conn, osm, layer) for layer in ("pois", "transport", "traffic", "pofw")}
    assert count(conn, "pois") == sum(r.inserted for r in reports.values())
    with conn.cursor() as cur:
        cur.execute("SELECT category, count(*) FROM pois GROUP BY 1")
        found = dict(cur.fetchall())
    # Geofabrik classes: 166 school rows (3 repeat an OSM id of the layer: rejected as
    # duplicate keys), 40 kindergartens, 98 hospitals, 27 doctors + 7 dentists, 1,091 bus stops
    # (2 are also in another layer under their OSM id), 44 + 1 car parks, 84 places of worship
    assert found["school"] == 163 and found["kindergarten"] == 40
    assert found["hospital"] == 98 and found["clinic"] == 34
    assert found["bus_stop"] == 1089 and found["parking"] == 45
    assert found["temple"] == 70 and found["church"] == 13
    pois = reports["pois"]
    atm = [
        p
        for p in pois.problems
        if p.code == "unknown_category" and "'atm'" in render(p.message, "en")
    ]
    assert len(atm) == 1517  # 1,518 ATMs (one a repeated id): no category of ours, rejected
    assert pois.rejected == pois.total - pois.inserted
    vi = render(atm[0].message, "vi")
    assert "không có trong danh mục điểm tiện ích" in vi
    again = _load(conn, osm, "transport")
    # two OSM ids of the transport layer are also in a later layer (which set their category)
    assert again.inserted == 0 and again.updated == 2
    assert "fclass" not in again.ignored and again.mapped["osm_id"] == "ref"
    schools = sensitive_pois(conn, (105.7, 20.9, 106.0, 21.1))
    assert set(schools["category"]) <= {
        "school",
        "kindergarten",
        "university",
        "hospital",
        "clinic",
    }
    assert schools.crs.to_epsg() == 4326 and len(schools) > 50
    near = pois_near(conn, [(105.8412, 21.0285)], within_m=500)  # Hoàn Kiếm lake
    assert near and {n["category"] for n in near} <= {
        "bus_stop",
        "parking",
        "temple",
        "church",
        "market",
        "museum",
        "toilet",
        "tourist_info",
        "bus_station",
        "ferry",
    }
    assert all(n["distance_m"] <= 500 for n in near)
