"""One declaration per layer family: its table, fields, geometry, key and who may use it.

A :class:`Layer` says everything the rest of the system needs to know about one table:
the columns with their SQL types, how imports validate them and which source columns
they accept (aliases, matched case-insensitively), the geometry type and storage SRID,
the metric CRS for measurements, the natural key, whether the layer is importable,
editable (and by which roles) and public (and under which collection id), its vector
tile settings and its titles (English, marked for gettext; the Vietnamese text is in
the ``.po`` catalogue).

Every registry derives from these declarations: the import registry
(:mod:`layers.registry`), the public collections (:mod:`layers.collections`), the
editable layers (:mod:`layers.editing`), the OpenAPI document and the pages' layer and
field lists (``webmap``). A PostGIS test compares each declaration with the database
catalogue after the migrations.

Adding a layer: write its migration (``layers/migrations``), declare its ``Layer`` in
its family's module (``prepare`` and ``stage_check`` beside it when it is importable),
list it in :data:`layers.registry.LAYERS`, and give its title, description and form
labels their Vietnamese text in ``webmap/translations/vi/LC_MESSAGES/messages.po``.
``tests/layers/test_declarations.py`` then checks it against the database.

Examples
--------
>>> demo = Layer(
...     name="demo",
...     table="demo_points",
...     title=N_("Demo points"),
...     description=N_("Points for the example."),
...     schema=(ID, Column("ref", required=True, aliases=("ma",)), Column("name")),
...     key=("ref",),
...     geometry_type="Point",
... )
>>> demo.columns
('ref', 'name')
>>> [f.name for f in demo.fields]
['ref', 'name']
>>> match_columns(demo, ["MA", "Name", "other"])
{'MA': 'ref', 'Name': 'name'}
>>> demo.edit_geometries
('Point',)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from gis.crs import METRIC_EPSG, WGS84_EPSG
from gis.errors import ValidationError
from gis.messages import msg
from gis.text import column_key
from gis.validate import Field, Problem

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "COMMON_ALIASES",
    "ID",
    "UPDATED_AT",
    "Column",
    "ColumnMatch",
    "Layer",
    "N_",
    "Prepare",
    "StageCheck",
    "Tiles",
    "aliases_of",
    "column_match",
    "match_columns",
]

#: ``input``: read from files (aliases apply), validated, stored and written by imports;
#: ``derived``: computed by the layer's ``prepare``/``stage_check``, stored and written;
#: ``input_only``: read and validated, never stored in the table (e.g. a parent's ref);
#: ``stored``: in the table, never written by imports (ids, timestamps, links set elsewhere).
Role = Literal["input", "derived", "input_only", "stored"]

#: SQL type of each validation kind, where a column does not say otherwise.
_SQL_TYPES = {
    "text": "text",
    "int": "integer",
    "float": "double precision",
    "bool": "boolean",
    "date": "date",
}
#: JSON-schema type of each SQL type (the public properties, the OpenAPI document).
_JSON_TYPES = {
    "text": "string",
    "date": "string",
    "timestamp with time zone": "string",
    "integer": "integer",
    "smallint": "integer",
    "bigint": "integer",
    "real": "number",
    "double precision": "number",
    "boolean": "boolean",
    "text[]": "array",
}
#: Geometry types an edit may send, per stored type (a single polygon becomes a multi one).
_EDIT_GEOMETRIES = {
    "Point": ("Point",),
    "LineString": ("LineString",),
    "MultiPolygon": ("Polygon", "MultiPolygon"),
}
#: Simplification tolerance of vector tiles, in tile pixels (of 4096), per geometry type.
_SIMPLIFY_PX = {"Point": 0.0, "LineString": 1.0, "MultiPolygon": 1.0}


def N_(text: str) -> str:  # noqa: N802 (gettext's conventional name for "mark only")
    """Mark a string for ``pybabel extract`` without translating it now.

    Examples
    --------
    >>> N_("Craft villages")
    'Craft villages'
    """
    return text


@dataclass(frozen=True)
class Column(Field):
    """One column of a layer's table (or one input field of its imports).

    A :class:`gis.validate.Field` (``kind``, ``required``, ``choices``, ``minimum``,
    ``maximum`` drive the import's validation) with what the rest of the system needs.

    Parameters
    ----------
    sql_type : str, optional
        The type as PostgreSQL's ``format_type`` prints it (``smallint``,
        ``numeric(8,2)``, ``text[]``...); by default the type of ``kind``.
    role : {"input", "derived", "input_only", "stored"}
        Who fills the column (see ``Role``).
    aliases : tuple of str
        Other source column names an import accepts for this field (case-insensitive).
    public : bool
        Whether the column is a property of the public collection.
    filterable : bool
        Whether the public API filters on it (``?name=value``).
    in_tiles : bool
        Whether vector tiles carry it (public, non-array columns only).
    title : str
        The field's label in forms: English marked with :func:`N_` (Vietnamese in the
        ``.po``); empty where no form shows it.
    variant_aliases : tuple of (str, tuple of str)
        Source columns an import tries in order, per variant of the source (the
        administrative units' code and parent code: per level); see :meth:`aliases_for`.
    """

    sql_type: str = ""
    role: Role = "input"
    aliases: tuple[str, ...] = ()
    variant_aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    public: bool = False
    filterable: bool = False
    in_tiles: bool = True
    title: str = ""

    def __post_init__(self) -> None:
        if not self.sql_type:
            object.__setattr__(self, "sql_type", _SQL_TYPES[self.kind])

    def aliases_for(self, variant: str | None) -> tuple[str, ...]:
        """The source columns tried, in order, for one variant (``()`` when it has none).

        Examples
        --------
        >>> Column("code", variant_aliases=(("province", ("code", "ma_tinh")),)).aliases_for(
        ...     "province"
        ... )
        ('code', 'ma_tinh')
        """
        return dict(self.variant_aliases).get(variant or "", ())

    @property
    def stored(self) -> bool:
        """Whether the column is in the table."""
        return self.role != "input_only"

    @property
    def written(self) -> bool:
        """Whether imports write the column."""
        return self.role in ("input", "derived")

    @property
    def validated(self) -> bool:
        """Whether imports read and validate the field from their input."""
        return self.role in ("input", "input_only")

    @property
    def json_type(self) -> str:
        """The JSON-schema type of its values (``string``, ``integer``, ``number``...)."""
        if self.sql_type.startswith("numeric"):
            return "number"
        return _JSON_TYPES.get(self.sql_type, "string")

    @property
    def widget(self) -> str | list[str]:
        """The edit form's input: ``text``, ``number``, ``date`` or the list of choices."""
        if self.choices:
            return list(self.choices)
        return {"int": "number", "float": "number", "date": "date"}.get(self.kind, "text")


#: The serial primary key every layer table has.
ID = Column("id", "int", role="stored")
#: The change stamp of tables whose imports touch ``updated_at``.
UPDATED_AT = Column("updated_at", role="stored", sql_type="timestamp with time zone")


@dataclass(frozen=True)
class Tiles:
    """Vector tile settings of a public layer.

    Parameters
    ----------
    min_zoom : int
        Lowest zoom level at which tiles carry features (0: always).
    simplify_px : float, optional
        Simplification tolerance in tile pixels (of 4096); by default 0 for points and
        1 for lines and polygons.
    group_by : tuple of str, optional
        For a point layer: the columns whose values a counted group (the pages' low-zoom
        overview, :func:`layers.collections.group_tile`) may count apart, so a page filtering
        on them can show its own count. A page asks for one or two of them (the first by
        default).
    """

    min_zoom: int = 0
    simplify_px: float | None = None
    group_by: tuple[str, ...] = ()


Prepare = Callable[["gpd.GeoDataFrame", Any], tuple["pd.DataFrame", list[Problem]]]
StageCheck = Callable[[Any, Any], list[Problem]]


@dataclass(frozen=True)
class Layer:
    """The declaration of one layer's table: the single source of every registry.

    Parameters
    ----------
    name : str
        The family's name in the import registry and on the command line
        (``langnghe import <name>``).
    table : str
        The table in the database.
    title, description : str
        English text marked with :func:`N_`; rendered through the gettext catalogues.
    label : str, optional
        A short name for map legends and layer switchers (by default the title).
    schema : tuple of Column
        Every column of the table (``geom`` excepted: see ``geometry_type``) and every
        input-only field, in table order.
    key : tuple of str
        The natural key: the columns of a unique constraint, used by imports to upsert.
    geometry_type : str, optional
        ``Point``, ``LineString`` or ``MultiPolygon`` stored in column ``geom``;
        ``None`` for tables without geometry.
    geometry_required : bool
        Whether every row needs a geometry (``geom NOT NULL``).
    srid : int
        The storage SRID of ``geom``.
    metric_crs : str
        The projected CRS in which the layer's lengths, areas and buffers are measured.
    importable : bool
        Whether the generic file import (``langnghe import``) takes it.
    collection : str, optional
        The public collection id (OGC API, tiles, pages); ``None``: not public.
    edit_roles : tuple of str
        Roles that may edit it through the API besides ``admin``; empty: not editable.
    edit_form : tuple of str
        The fields shown, in order, in the pages' edit form.
    measured : tuple of str
        Columns the database derives from the geometry on every write (a trigger: the
        clusters' ``area_ha``); an edit form shows them read-only, as the saved row has them.
    edit_geometry_types : tuple of str, optional
        Geometry types an edit may send; by default derived from ``geometry_type``
        (``()``: an edit sends no geometry).
    datetime_column : str, optional
        The column the public API's ``datetime`` parameter filters on.
    count_matched : bool
        Whether item pages report ``numberMatched`` (only where counting is cheap).
    page_items : bool
        Whether the map pages load the collection's features as an overlay (``False``: too
        large, drawn otherwise, e.g. the administrative units as a choropleth).
    tiles : Tiles
        Vector tile settings.
    extra_json : tuple of (str, str)
        Computed public properties: a name and a fixed SQL expression over ``t``.
    prepare : callable, optional
        ``prepare(gdf, options) -> (frame, problems)``: the import's per-layer step.
    stage_check : callable, optional
        ``stage_check(cursor, options) -> problems``: checks against the database.
    extras : tuple of (str, str)
        Staging-only columns (name, SQL type) used by ``stage_check``.
    max_vertices : int
        The most vertices one feature's geometry may have, in imports and edits (the
        setting ``LANGNGHE_LAYER_MAX_VERTICES`` overrides it per layer, for the web and
        ``langnghe import``).
    max_edit_bytes : int
        The largest edit request body (one GeoJSON Feature), bytes; refused with 413
        before it is read (``LANGNGHE_LAYER_MAX_EDIT_BYTES`` overrides it per layer).
    reads : callable, optional
        ``reads(columns) -> set``: source columns ``prepare`` reads besides the fields
        (a known file's profile), so that the import report does not call them ignored.
    duplicates : DuplicateRule, optional
        What imports compare to find likely duplicates of stored features.
    """

    name: str
    table: str
    title: str
    description: str
    schema: tuple[Column, ...]
    key: tuple[str, ...]
    label: str = ""
    geometry_type: str | None = None
    geometry_required: bool = True
    srid: int = WGS84_EPSG
    metric_crs: str = f"EPSG:{METRIC_EPSG}"
    importable: bool = False
    collection: str | None = None
    edit_roles: tuple[str, ...] = ()
    edit_form: tuple[str, ...] = ()
    measured: tuple[str, ...] = ()
    edit_geometry_types: tuple[str, ...] | None = None
    datetime_column: str | None = None
    count_matched: bool = True
    page_items: bool = True
    tiles: Tiles = field(default_factory=Tiles)
    extra_json: tuple[tuple[str, str], ...] = ()
    prepare: Prepare | None = None
    stage_check: StageCheck | None = None
    extras: tuple[tuple[str, str], ...] = ()
    #: A hand-drawn or surveyed boundary has hundreds to a few thousand vertices.
    max_vertices: int = 20_000
    #: 20,000 vertices of GeoJSON take about 0.5 MB; properties come on top.
    max_edit_bytes: int = 1024 * 1024
    reads: Callable[[list[str]], set[str]] | None = None
    #: How imports find likely duplicates of stored features
    #: (:class:`layers.duplicates.DuplicateRule`); ``None``: they do not look.
    duplicates: Any = None

    @property
    def aliases(self) -> dict[str, tuple[str, ...]]:
        """The layer's alias table: each input field and every source name it accepts."""
        return {c.name: aliases_of(self, c) for c in self.fields}

    def __post_init__(self) -> None:
        names = [c.name for c in self.schema]
        if len(set(names)) != len(names):
            raise ValueError(f"layer {self.name}: a column is declared twice")
        stored = {c.name for c in self.schema if c.stored}
        for group, wanted in (
            ("key", self.key),
            ("edit_form", self.edit_form),
            ("measured", self.measured),
            ("datetime_column", (self.datetime_column,) if self.datetime_column else ()),
        ):
            missing = set(wanted) - stored
            if missing:
                raise ValueError(f"layer {self.name}: {group} names unknown columns {missing}")
        if self.importable and self.prepare is None:
            raise ValueError(f"layer {self.name}: an importable layer needs a prepare step")

    @property
    def short_title(self) -> str:
        """The label of map legends and layer switchers (English source text)."""
        return self.label or self.title

    def column(self, name: str) -> Column:
        """The declared column ``name``.

        Raises
        ------
        KeyError
            When the layer has no such column.
        """
        for col in self.schema:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def fields(self) -> tuple[Column, ...]:
        """The fields an import reads and validates, in declaration order."""
        return tuple(c for c in self.schema if c.validated)

    @property
    def columns(self) -> tuple[str, ...]:
        """The table columns an import writes (``geom`` excluded)."""
        return tuple(c.name for c in self.schema if c.written)

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        """Every column of the table (``geom`` excluded), in table order."""
        return tuple(c for c in self.schema if c.stored)

    @property
    def public_columns(self) -> tuple[Column, ...]:
        """The columns the public collection serves as properties."""
        return tuple(c for c in self.schema if c.public)

    @property
    def touches_updated_at(self) -> bool:
        """Whether an import's update stamps ``updated_at``."""
        return any(c.name == "updated_at" for c in self.schema)

    @property
    def public(self) -> bool:
        """Whether the web serves the layer."""
        return self.collection is not None

    @property
    def editable(self) -> bool:
        """Whether the API edits the layer."""
        return bool(self.edit_roles)

    @property
    def edit_geometries(self) -> tuple[str, ...]:
        """Geometry types an edit may send (``()``: none)."""
        if self.edit_geometry_types is not None:
            return self.edit_geometry_types
        return _EDIT_GEOMETRIES.get(self.geometry_type or "", ())

    @property
    def simplify_px(self) -> float:
        """Tile simplification tolerance in pixels (of 4096)."""
        if self.tiles.simplify_px is not None:
            return self.tiles.simplify_px
        return _SIMPLIFY_PX.get(self.geometry_type or "", 1.0)


#: Source names every layer accepts for its fields of these names, besides the aliases its
#: own declaration adds: Vietnamese (with or without diacritics, any case, any separator:
#: see :func:`gis.text.column_key`) and English. A layer's full table is ``Layer.aliases``.
COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    "ref": ("id", "ma", "ma_so", "code", "identifier"),
    "name": ("ten", "ten_goi", "title"),
    "source": ("nguon", "nguon_du_lieu", "data_source"),
    "province_name": ("tinh", "tinh_thanh", "tinh_thanh_pho", "province"),
    "province_code": ("ma_tinh", "province_id"),
    "district_name": ("huyen", "quan_huyen", "district"),
    "district_code": ("ma_huyen", "district_id"),
    "commune_name": ("xa", "xa_phuong", "phuong_xa", "commune", "ward"),
    "commune_code": ("ma_xa", "commune_id", "ward_id"),
    "operator": ("don_vi_quan_ly", "co_quan", "agency"),
    "description_vi": ("mo_ta", "mo_ta_vi"),
    "description_en": ("description",),
    "households": ("so_ho", "ho"),
    "workers": ("so_lao_dong", "lao_dong", "labour"),
    "area_ha": ("dien_tich", "dien_tich_ha", "area"),
}


def aliases_of(layer: Layer, column: Column) -> tuple[str, ...]:
    """Every source name ``column`` of ``layer`` accepts: its name, its aliases, the common ones."""
    return (column.name, *column.aliases, *COMMON_ALIASES.get(column.name, ()))


@dataclass(frozen=True)
class ColumnMatch:
    """Which source column became which field, and which were not read."""

    #: ``{source column: field}``; a column already named like its field is included.
    mapped: dict[str, str]
    #: Source columns that are no field of the layer (kept out of the import).
    ignored: tuple[str, ...]


def match_columns(
    layer: Layer, columns: Iterable[str], overrides: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Map source column names to the layer's fields by name or alias.

    Names are compared by :func:`gis.text.column_key`: any case, with or without
    Vietnamese diacritics, any separator (``Tên trạm``, ``ten_tram``, ``TEN TRAM``). A
    source column named exactly like a field wins over an alias; ``overrides``
    (``{field: source column}``, the ``--field target=source`` options) win over both;
    each field takes the first matching source column, and each source column serves
    one field.

    Parameters
    ----------
    layer : Layer
        The declaration whose input fields (and their aliases) are matched.
    columns : iterable of str
        The source's column names.
    overrides : mapping, optional
        ``{field: source column}`` chosen by the user.

    Returns
    -------
    dict
        ``{source column: field name}`` for the columns that match a field; columns
        already named like their field are included.

    Raises
    ------
    ValidationError
        When an override names a field the layer does not have or a column the source
        does not have (``import.field_unknown``, ``import.field_source_missing``).
    """
    available = list(columns)
    fields = {f.name for f in layer.fields}
    mapping: dict[str, str] = {}
    for target, source in (overrides or {}).items():
        if target not in fields:
            raise ValidationError(msg("import.field_unknown", field=target, fields=sorted(fields)))
        if source not in available:
            raise ValidationError(msg("import.field_source_missing", field=target, column=source))
        mapping[source] = target
    taken = set(mapping.values())
    # A source column named exactly like a field is that field, whatever the aliases say.
    for n in available:
        if n in fields and n not in taken and n not in mapping:
            mapping[n] = n
            taken.add(n)
    keyed: dict[str, str] = {}
    for source in available:
        if source not in mapping:
            keyed.setdefault(column_key(source), source)
    for col in layer.fields:
        if col.name in taken:
            continue
        for candidate in aliases_of(layer, col):
            found = keyed.get(column_key(candidate))
            if found is not None and found not in mapping:
                mapping[found] = col.name
                taken.add(col.name)
                break
    return mapping


def column_match(
    layer: Layer,
    columns: Iterable[str],
    overrides: Mapping[str, str] | None = None,
    *,
    also_read: Iterable[str] = (),
) -> ColumnMatch:
    """:func:`match_columns` plus the source columns no field reads (``also_read`` aside).

    Examples
    --------
    >>> demo = Layer(
    ...     name="demo", table="t", title="", description="", key=("ref",),
    ...     schema=(Column("ref", required=True), Column("name")),
    ... )
    >>> column_match(demo, ["Mã", "Tên", "ghi_chu"])
    ColumnMatch(mapped={'Mã': 'ref', 'Tên': 'name'}, ignored=('ghi_chu',))
    """
    columns = list(columns)
    mapped = match_columns(layer, columns, overrides)
    skip = {*mapped, *also_read, "_row"}
    return ColumnMatch(mapped, tuple(c for c in columns if c not in skip))
