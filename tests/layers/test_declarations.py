"""The layer declarations: consistent in themselves, with the registries derived from them,
and with the database catalogue after the migrations (columns and types, NOT NULL of
required fields, geometry type and SRID, the natural key's unique constraint, the allowed
values of CHECK constraints and vocabulary foreign keys)."""

from __future__ import annotations

import re

import pytest
from psycopg2 import sql
from pyproj import CRS

from layers.collections import COLLECTIONS
from layers.editing import EDITABLE
from layers.layer import Column, Layer, match_columns
from layers.registry import IMPORTABLE, LAYERS
from webmap.messages import translations

_GEOMETRY_TYPES = ("Point", "LineString", "MultiPolygon", "Geometry")
_LAYERS = list(LAYERS.values())
_IDS = list(LAYERS)


@pytest.mark.parametrize("layer", _LAYERS, ids=_IDS)
def test_declaration_is_complete(layer: Layer) -> None:
    assert layer.geometry_type in (*_GEOMETRY_TYPES, None)
    assert CRS.from_user_input(layer.metric_crs).is_projected
    assert CRS.from_epsg(layer.srid).is_geographic
    assert layer.key and all(layer.column(k).stored for k in layer.key)
    for name in layer.edit_form:
        assert layer.column(name).validated, f"{layer.name}.{name} is in the form, not in edits"
        assert layer.column(name).title, f"{layer.name}.{name} is in the form without a label"
    if layer.importable:
        assert layer.prepare is not None and layer.fields and layer.columns
    if layer.public:
        assert layer.geometry_type is not None and layer.public_columns


@pytest.mark.parametrize("layer", _LAYERS, ids=_IDS)
def test_titles_have_vietnamese_text(layer: Layer) -> None:
    vi = translations("vi")
    labels = [c.title for c in layer.schema if c.title]
    for text in (layer.title, layer.short_title, layer.description, *labels):
        assert vi.gettext(text) != text, f"no Vietnamese text for {text!r}"


def test_registries_derive_from_declarations() -> None:
    assert set(IMPORTABLE) == {
        "villages",
        "ocop",
        "clusters",
        "stations",
        "admin",
        "zones",
        "pois",
    }
    assert list(COLLECTIONS) == [
        "villages",
        "clusters",
        "stations",
        "zones",
        "pois",
        "routes",
        "admin-units",
    ]
    assert EDITABLE == {
        "villages": ("villages", ("planner",)),
        "clusters": ("clusters", ("planner",)),
        "stations": ("stations", ("env_officer",)),
        "zones": ("zones", ("env_officer",)),
        "routes": ("routes", ("planner",)),
    }
    for coll in COLLECTIONS.values():
        layer = LAYERS[coll.layer]
        assert (coll.table, coll.geometry_type, coll.srid) == (
            layer.table,
            layer.geometry_type,
            layer.srid,
        )
        assert [p.name for p in coll.props] == [c.name for c in layer.public_columns]


def test_public_property_types() -> None:
    villages = COLLECTIONS["villages"]
    assert villages.prop("recognition_year").type == "integer"
    assert villages.prop("flags").type == "array"
    assert not villages.prop("flags").in_tiles
    assert COLLECTIONS["clusters"].prop("area_ha").type == "number"
    assert COLLECTIONS["clusters"].prop("wastewater_treatment").type == "boolean"
    assert COLLECTIONS["zones"].prop("zone_date").type == "string"
    assert COLLECTIONS["zones"].datetime_column == "zone_date"
    assert COLLECTIONS["stations"].simplify_px == 0.0
    assert COLLECTIONS["admin-units"].simplify_px == 1.0


def test_match_columns_ignores_case_and_prefers_exact_names() -> None:
    layer = Layer(
        name="demo",
        table="demo",
        title="Demo",
        description="Demo.",
        schema=(
            Column("ref", required=True, aliases=("ma", "id")),
            Column("name", aliases=("ten",)),
            Column("lat", "float", role="input_only", aliases=("vi_do", "Latitude")),
        ),
        key=("ref",),
    )
    assert match_columns(layer, ["ID", "MA", "Ten", "LATITUDE", "x"]) == {
        "MA": "ref",
        "Ten": "name",
        "LATITUDE": "lat",
    }
    assert match_columns(layer, ["ma", "ref"]) == {"ref": "ref"}
    assert match_columns(layer, ["Ref", "name", "Name"]) == {"Ref": "ref", "name": "name"}


def test_declaration_refuses_unknown_key() -> None:
    with pytest.raises(ValueError, match="key names unknown columns"):
        Layer(name="bad", table="bad", title="t", description="d", schema=(), key=("ref",))


def _catalogue_columns(cur, table: str) -> dict[str, tuple[str, bool]]:
    cur.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_attribute a "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        (table,),
    )
    return {name: (sqltype, notnull) for name, sqltype, notnull in cur.fetchall()}


def _unique_keys(cur, table: str) -> list[set[str]]:
    cur.execute(
        "SELECT array(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = i.indrelid "
        "AND a.attnum = ANY(i.indkey)) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass AND i.indisunique AND i.indpred IS NULL",
        (table,),
    )
    return [set(cols) for (cols,) in cur.fetchall()]


@pytest.mark.postgis
@pytest.mark.parametrize("layer", _LAYERS, ids=_IDS)
def test_declaration_matches_the_database(conn, layer: Layer) -> None:
    with conn.cursor() as cur:
        found = _catalogue_columns(cur, layer.table)
        geometry = found.pop("geom", None)
        assert {n: t for n, (t, _nn) in found.items()} == {
            c.name: c.sql_type for c in layer.stored_columns
        }
        for col in layer.stored_columns:
            if col.required:
                assert found[col.name][1], f"{layer.table}.{col.name} is required but nullable"
        if layer.geometry_type is None:
            assert geometry is None
        else:
            assert geometry == (f"geometry({layer.geometry_type},{layer.srid})", True) or (
                geometry == (f"geometry({layer.geometry_type},{layer.srid})", False)
                and not layer.geometry_required
            ), f"{layer.table}.geom is {geometry}"
            cur.execute(
                "SELECT type, srid FROM geometry_columns WHERE f_table_schema = current_schema() "
                "AND f_table_name = %s AND f_geometry_column = 'geom'",
                (layer.table,),
            )
            assert cur.fetchone() == (layer.geometry_type.upper(), layer.srid)
        assert set(layer.key) in _unique_keys(cur, layer.table), (
            f"no unique constraint on {layer.table} {layer.key}"
        )
    conn.rollback()


def _vocabularies(cur, table: str) -> dict[str, set[str]]:
    """Allowed values per column: single-column ``CHECK (c = ANY (ARRAY[...]))`` constraints,
    and foreign keys to a vocabulary table (its rows)."""
    cur.execute(
        "SELECT c.contype, pg_get_constraintdef(c.oid), a.attname, c.confrelid::regclass::text, "
        "(SELECT r.attname FROM pg_attribute r WHERE r.attrelid = c.confrelid "
        " AND r.attnum = c.confkey[1]) "
        "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
        "AND a.attnum = c.conkey[1] "
        "WHERE c.conrelid = %s::regclass AND c.contype IN ('c', 'f') "
        "AND cardinality(c.conkey) = 1",
        (table,),
    )
    found: dict[str, set[str]] = {}
    for contype, definition, column, ref_table, ref_column in cur.fetchall():
        if contype == "c" and "= ANY (ARRAY[" in definition:
            found[column] = set(re.findall(r"'([^']*)'::text", definition))
        elif contype == "f" and ref_column not in ("id",):
            cur.execute(
                sql.SQL("SELECT {} FROM {}").format(
                    sql.Identifier(ref_column), sql.Identifier(ref_table)
                )
            )
            found[column] = {v for (v,) in cur.fetchall()}
    return found


@pytest.mark.postgis
@pytest.mark.parametrize("layer", _LAYERS, ids=_IDS)
def test_declared_choices_match_the_database(conn, layer: Layer) -> None:
    with conn.cursor() as cur:
        allowed = _vocabularies(cur, layer.table)
    conn.rollback()
    declared = {c.name: set(c.choices) for c in layer.stored_columns if c.choices}
    assert declared == {k: v for k, v in allowed.items() if k in declared}
    # Vocabularies kept only in the database: measurement parameters (a table of their own).
    assert set(allowed) - set(declared) <= {"parameter"}, f"{layer.table}: undeclared choices"
