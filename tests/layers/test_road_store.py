"""Storing an imported road network: the bulk path (foreign keys dropped, COPY, keys added
again) stores what the row-checked path stores, inside the caller's transaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely

from layers.roads import import_roads

pytestmark = pytest.mark.postgis

#: Names with Vietnamese diacritics, a tab and a backslash: what COPY text must escape.
NAMES = ("Phố Đội Cấn", "Đường Hoàng Hoa Thám", "Ngõ 12\tKim Mã", "Phố Liễu Giai \\ cũ", None)


def _grid(path: Path, n: int, *, bad_maxspeed_at: int | None = None) -> Path:
    """An n x n grid of two-way streets sharing their vertices, named from :data:`NAMES`."""
    features = []
    for k, (a, b) in enumerate(
        [((i, j), (i + 1, j)) for i in range(n - 1) for j in range(n)]
        + [((i, j), (i, j + 1)) for i in range(n) for j in range(n - 1)]
    ):
        props = {"highway": "residential", "name": NAMES[k % len(NAMES)], "osm_id": 7000 + k}
        if k == bad_maxspeed_at:
            props["maxspeed"] = "9" * 40  # beyond the range of the stored real: COPY fails
        coords = [[105.8 + x * 0.001, 21.0 + y * 0.001] for x, y in (a, b)]
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "LineString", "coordinates": coords},
            }
        )
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def _rows(conn, network: str) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT source, target, osm_id, name, highway, oneway, maxspeed_kmh, length_m, "
            "cost, reverse_cost, ST_AsEWKB(geom) FROM roads WHERE network = %s "
            "ORDER BY source, target, osm_id",
            (network,),
        )
        edges = [(*r[:-1], bytes(r[-1])) for r in cur.fetchall()]
        cur.execute(
            "SELECT id, osm_id, ST_AsEWKB(geom) FROM road_nodes WHERE network = %s ORDER BY id",
            (network,),
        )
        nodes = [(*r[:-1], bytes(r[-1])) for r in cur.fetchall()]
    return [edges, nodes]


def _keys(conn) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE conrelid = 'roads'::regclass AND contype = 'f' ORDER BY conname"
        )
        return cur.fetchall()


def test_the_bulk_path_stores_the_same_rows_and_keeps_the_keys(conn, tmp_path):
    path = _grid(tmp_path / "grid.geojson", 12)
    keys = _keys(conn)
    assert len(keys) == 2 and all(valid for _n, _d, valid in keys)
    small = import_roads(conn, path, network="small")
    bulk = import_roads(conn, path, network="bulk", bulk_min_edges=100)
    assert (small.bulk, bulk.bulk) == (False, True) and small.edges == bulk.edges == 528
    assert _rows(conn, "small") == _rows(conn, "bulk")
    assert _keys(conn) == keys
    # the keys added again are checked: an edge to a node that does not exist is refused
    with conn.cursor() as cur, pytest.raises(Exception, match="roads_(source|target)_fkey"):
        cur.execute(
            "INSERT INTO roads (network, source, target, length_m, cost, reverse_cost, geom) "
            "VALUES ('bulk', 1, 99999, 1, 1, -1, ST_GeomFromText('LINESTRING(0 0, 1 1)', 4326))"
        )


def test_the_bulk_path_is_for_a_quarter_of_the_table_at_least(conn, tmp_path):
    big = import_roads(conn, _grid(tmp_path / "big.geojson", 12), network="big")
    # 84 edges beside 528 stored ones: fewer than a quarter, checked row by row
    small = import_roads(conn, _grid(tmp_path / "g.geojson", 4), network="g", bulk_min_edges=1)
    assert big.edges == 528 and small.edges == 48 and not small.bulk
    again = import_roads(conn, _grid(tmp_path / "h.geojson", 8), network="h", bulk_min_edges=1)
    assert again.edges == 224 and again.bulk  # 224 of 800


def test_a_failed_bulk_import_leaves_the_table_and_its_keys(conn, tmp_path):
    import_roads(conn, _grid(tmp_path / "first.geojson", 6), network="kept")
    before, keys = _rows(conn, "kept"), _keys(conn)
    bad = _grid(tmp_path / "bad.geojson", 12, bad_maxspeed_at=200)
    for network in ("kept", "other"):
        with pytest.raises(Exception, match="out of range for type real"):
            import_roads(conn, bad, network=network, bulk_min_edges=1)
        assert _rows(conn, "kept") == before and _keys(conn) == keys
        assert _rows(conn, "other") == [[], []]
    conn.commit()  # the caller's transaction is still usable after the failure


def test_vietnamese_names_survive_with_their_diacritics(conn, tmp_path):
    for network, threshold in (("small", 10**6), ("bulk", 1)):
        report = import_roads(
            conn, _grid(tmp_path / "g.geojson", 5), network=network, bulk_min_edges=threshold
        )
        assert report.bulk == (threshold == 1)
        with conn.cursor() as cur:
            cur.execute(
                "SELECT DISTINCT name FROM roads WHERE network = %s AND name IS NOT NULL",
                (network,),
            )
            assert {r[0] for r in cur.fetchall()} == {n for n in NAMES if n}
            cur.execute(
                "SELECT count(*) FROM roads WHERE network = %s AND name IS NULL", (network,)
            )
            assert cur.fetchone()[0] > 0


def test_stored_lines_are_the_imported_lines_to_the_last_bit(conn, tmp_path):
    path = _grid(tmp_path / "g.geojson", 4)
    import_roads(conn, path, network="exact", bulk_min_edges=1)
    with conn.cursor() as cur:
        cur.execute("SELECT ST_AsBinary(geom) FROM roads WHERE network = 'exact'")
        stored = {shapely.normalize(shapely.from_wkb(bytes(r[0]))).wkb for r in cur.fetchall()}
    source = json.loads(path.read_text(encoding="utf-8"))["features"]
    lines = {
        shapely.normalize(shapely.LineString(f["geometry"]["coordinates"])).wkb for f in source
    }
    assert stored == lines
