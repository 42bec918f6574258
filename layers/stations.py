"""Monitoring stations and measurements (long or wide CSV), loaded by COPY."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg2
from psycopg2 import sql

from gis.db import savepoint
from gis.errors import ImportFailedError, NotFoundError, ValidationError
from gis.io import coordinate_columns, read_table
from gis.messages import msg
from gis.progress import Progress, counter
from gis.text import column_key, fold, nfc
from gis.validate import REF_PATTERN, Problem, check_cells, in_vietnam
from layers._sql import query
from layers.crafts import CRAFT_CODES
from layers.importer import ImportOptions, ImportReport, rename_columns
from layers.layer import ID, N_, UPDATED_AT, Column, Layer
from layers.measurement_units import column_units, ignored_columns, units_row

__all__ = [
    "MEASUREMENTS",
    "PARAMETERS",
    "SRID",
    "STATIONS",
    "import_measurements",
    "normalise_units",
    "station_ref",
]

logger = logging.getLogger(__name__)

MEDIA = ("air", "water", "soil", "noise")
#: Water bodies: rivers, streams and canals are judged by the QCVN 08 river table; lakes,
#: ponds and reservoirs are not (their table was not found).
WATER_BODIES = ("river", "stream", "canal", "lake", "pond", "reservoir", "sea")
_UNIT_ALIASES = {
    "ug/m3": "µg/m3",
    "µg/m3": "µg/m3",
    "μg/m3": "µg/m3",
    "ug/nm3": "µg/m3",
    "µg/nm3": "µg/m3",
    "mg/m3": "mg/m3",
    "mg/nm3": "mg/m3",
    "ppb": "ppb",
    "ppm": "ppm",
    "mg/l": "mg/L",
    "ug/l": "µg/L",
    "µg/l": "µg/L",
    "μg/l": "µg/L",
    "mg/kg": "mg/kg",
    "dba": "dBA",
    "ph": "pH",
}
#: Molar volume of an ideal gas at 25 °C and 1 atm (L/mol), for ppb -> µg/m3.
MOLAR_VOLUME_25C = 24.45


def _prepare_stations(
    gdf: gpd.GeoDataFrame, options: ImportOptions
) -> tuple[pd.DataFrame, list[Problem]]:
    frame = rename_columns(gdf, {})
    frame["name"] = (
        frame["name"].map(lambda v: nfc(v) if isinstance(v, str) else v)
        if "name" in frame
        else None
    )
    frame["name_ascii"] = frame["name"].map(lambda v: fold(v) if isinstance(v, str) else None)
    frame["synthetic"] = frame["synthetic"] if "synthetic" in frame else "no"
    # Derived: a station without a position is flagged (cleared once it is placed).
    frame["flags"] = [[] if geom is not None else ["no_coordinates"] for geom in gdf.geometry]
    problems = [
        Problem(int(row), "geometry", "no_coordinates", msg("stations.no_coordinates"), "warning")
        for row, geom in zip(frame["_row"], gdf.geometry, strict=True)
        if geom is None
    ]
    return frame, problems


STATIONS = Layer(
    name="stations",
    table="monitoring_stations",
    title=N_("Monitoring stations"),
    description=N_("Air, water, soil and noise monitoring stations."),
    schema=(
        ID,
        Column(
            "ref",
            required=True,
            pattern=REF_PATTERN,
            aliases=("ma_tram", "station_id", "station_code"),
            public=True,
            filterable=True,
        ),
        Column(
            "name",
            required=True,
            aliases=("ten_tram", "station_name"),
            public=True,
            filterable=True,
            title=N_("Name"),
        ),
        Column("name_ascii", role="derived"),
        Column(
            "medium",
            required=True,
            choices=MEDIA,
            aliases=("loai", "loai_tram", "moi_truong", "type", "station_type"),
            public=True,
            filterable=True,
        ),
        Column("operator", public=True, filterable=True, title=N_("Operator")),
        Column("synthetic", "bool", required=True, public=True, filterable=True),
        Column("province_code", public=True, filterable=True),
        Column("water_body", choices=WATER_BODIES, public=True, filterable=True),
        Column("facility_commissioned", "date", public=True),
        Column("facility_eia_approved", "date", public=True),
        Column("facility_craft", choices=CRAFT_CODES, public=True),
        Column("source", required=True, public=True, in_tiles=False),
        Column("flags", role="derived", sql_type="text[]"),
        UPDATED_AT,
    ),
    key=("ref",),
    geometry_type="Point",
    geometry_required=False,
    importable=True,
    collection="stations",
    edit_roles=("env_officer",),
    edit_form=("name", "operator"),
    prepare=_prepare_stations,
)
#: The storage SRID of the stations (from their declaration).
SRID = STATIONS.srid

#: The measured parameters (codes, medium, canonical unit, valid range), seeded by migration.
PARAMETERS = Layer(
    name="parameters",
    table="parameters",
    title=N_("Parameters"),
    description=N_("The measured parameters with their medium, unit and plausible range."),
    schema=(
        Column("code", required=True, role="stored"),
        Column("medium", required=True, role="stored", choices=MEDIA),
        Column("name_vi", required=True, role="stored"),
        Column("name_en", required=True, role="stored"),
        Column("unit", required=True, role="stored"),
        Column("valid_min", "float", required=True, role="stored"),
        Column("valid_max", "float", required=True, role="stored"),
        Column("molar_mass", "float", role="stored"),
    ),
    key=("code",),
)

MEASUREMENTS = Layer(
    name="measurements",
    table="measurements",
    title=N_("Measurements"),
    description=N_("Values measured at the monitoring stations, one row per parameter and time."),
    schema=(
        Column("station_id", "int", required=True, role="derived"),
        Column(
            "station_ref",
            required=True,
            role="input_only",
            aliases=("station", "station_id", "ma_tram", "tram", "id", "ma"),
        ),
        Column("parameter", required=True),
        Column(
            "observed_at",
            required=True,
            sql_type="timestamp with time zone",
            aliases=("time", "datetime", "timestamp", "thoi_gian", "date_time", "ngay_gio"),
        ),
        Column("value", "float", required=True),
        Column("unit", required=True),
        Column(
            "quality_flag",
            role="derived",
            choices=("ok", "negative", "out_of_range", "suspect", "synthetic"),
        ),
        Column("source", required=True),
    ),
    key=("station_id", "parameter", "observed_at"),
)
#: Source columns a measurements file may name its station and its time with (any case).
_STATION_COLS = ("station_ref", *MEASUREMENTS.column("station_ref").aliases)
_TIME_COLS = ("observed_at", *MEASUREMENTS.column("observed_at").aliases)
#: Source columns that name a station a measurements file creates.
_STATION_NAME_COLS = ("station_name", "name", "ten_tram", "ten", "station name")


def _parameters(cur) -> pd.DataFrame:
    cur.execute("SELECT code, medium, unit, valid_min, valid_max, molar_mass FROM parameters")
    return pd.DataFrame(
        cur.fetchall(), columns=["code", "medium", "unit", "valid_min", "valid_max", "molar_mass"]
    )


def _param_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def normalise_units(
    values: np.ndarray, units: pd.Series, params: pd.Series, table: pd.DataFrame
) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """Convert values to each parameter's canonical unit.

    Air: mg/m3 x 1000, ppb x M/24.45, ppm x 1000 M/24.45 (25 °C, 1 atm) to µg/m3;
    water: µg/L / 1000 to mg/L.

    Returns
    -------
    (ndarray, Series, ndarray)
        Converted values, canonical units, and a mask of rows whose unit is unknown or
        cannot be converted for that parameter.
    """
    info = table.set_index("code").loc[params.to_numpy()]
    canonical = pd.Series(info["unit"].to_numpy(), index=units.index)
    given = [
        None if u is None or pd.isna(u) or not str(u).strip() else str(u).strip() for u in units
    ]
    unit = pd.Series(
        [
            c if g is None else _UNIT_ALIASES.get(g.lower(), "?" + g)
            for g, c in zip(given, canonical, strict=True)
        ],
        index=units.index,
        dtype=object,
    )
    factor = np.full(len(values), np.nan)
    same = (unit == canonical).to_numpy()
    factor[same] = 1.0
    molar = info["molar_mass"].to_numpy(dtype=float)
    canon = canonical.to_numpy()
    u = unit.to_numpy()
    factor[(u == "mg/m3") & (canon == "µg/m3")] = 1000.0
    factor[(u == "ppb") & (canon == "µg/m3")] = (molar / MOLAR_VOLUME_25C)[
        (u == "ppb") & (canon == "µg/m3")
    ]
    ppm = (u == "ppm") & (canon == "µg/m3")
    factor[ppm] = (1000.0 * molar / MOLAR_VOLUME_25C)[ppm]
    factor[(u == "µg/L") & (canon == "mg/L")] = 0.001
    bad = ~np.isfinite(factor)
    return values * np.where(bad, 1.0, factor), canonical, bad


def _find(columns: list[str], names: tuple[str, ...], given: str | None) -> str | None:
    """The column ``given``, or the first of ``names`` (any case, with or without diacritics)."""
    if given:
        return given if given in columns else None
    keys: dict[str, str] = {}
    for c in columns:
        keys.setdefault(column_key(c), c)
    return next((keys[k] for k in map(column_key, names) if k in keys), None)


def _to_long(
    df: pd.DataFrame, station_col: str, time_col: str, table: pd.DataFrame
) -> tuple[pd.DataFrame, str]:
    lower = {c.lower(): c for c in df.columns}
    if "parameter" in lower and "value" in lower:
        long = df.rename(columns={lower["parameter"]: "parameter", lower["value"]: "value"})
        if "unit" in lower:
            long = long.rename(columns={lower["unit"]: "unit"})
        return long[
            [
                "_row",
                station_col,
                time_col,
                "parameter",
                "value",
                *(["unit"] if "unit" in long else []),
            ]
        ], "long"
    known = {_param_key(c): c for c in table["code"]}
    value_cols = {c: known[_param_key(c)] for c in df.columns if _param_key(c) in known}
    if not value_cols:
        raise ValidationError(msg("measurements.no_value_columns"))
    long = df.melt(
        id_vars=["_row", station_col, time_col],
        value_vars=list(value_cols),
        var_name="column",
        value_name="value",
    )
    long["parameter"] = long["column"].map(value_cols)
    return long, "wide"


def _read_units(
    df: pd.DataFrame,
    scol: str,
    tcol: str,
    table: pd.DataFrame,
    unit: str | None,
    units: dict[str, str],
    report: ImportReport,
) -> pd.DataFrame:
    """A wide file's unit per value column (``report.units``), its units row taken out.

    Also notes the columns the import does not read (weather, notes...).
    """
    lower = {c.lower() for c in df.columns}
    columns = [c for c in df.columns if c != "_row"]
    name_col = _find(columns, _STATION_NAME_COLS, None)
    xy = [c for c in coordinate_columns(columns) if c is not None]
    if "parameter" in lower and "value" in lower:
        keep = {"parameter", "value", "unit"}
        report.ignored = ignored_columns(
            columns, [scol, tcol, *(c for c in columns if c.lower() in keep), name_col or "", *xy]
        )
        return df
    known = {_param_key(c): c for c in table["code"]}
    value_cols = {c: known[_param_key(c)] for c in columns if _param_key(c) in known}
    row = units_row(df, scol, tcol, value_cols)
    if row is not None:
        df = df.iloc[1:].reset_index(drop=True)
    canonical = dict(zip(table["code"], table["unit"], strict=True))
    report.units = column_units(value_cols, given=units, row=row, default=unit, canonical=canonical)
    report.mapped.update(value_cols)
    report.ignored = ignored_columns(columns, [scol, tcol, *value_cols, name_col or "", *xy])
    return df


def _long_units(
    long: pd.DataFrame,
    layout: str,
    report: ImportReport,
    unit: str | None,
    units: dict[str, str],
) -> None:
    """Give the values their unit column (in place): per column (wide), else as stated."""
    if layout == "wide":
        long["unit"] = long["column"].map({c: u for c, (u, _) in report.units.items()})
        return
    if "unit" in long or not (units or unit):
        return
    keyed = {column_key(k): v for k, v in units.items()}
    long["unit"] = [keyed.get(column_key(str(p)), unit) for p in long["parameter"]]
    for parameter in sorted({str(p) for p in long["parameter"]}):
        mine = keyed.get(column_key(parameter))
        report.units[parameter] = (mine, "option") if mine else (str(unit), "all")


def _ensure_stations(
    cur,
    df: pd.DataFrame,
    station_col: str,
    source: str,
    medium_of: dict[str, str],
    report: ImportReport,
) -> dict[str, int]:
    """Resolve station refs to ids, creating stations described in the file itself."""
    refs = sorted({str(s).strip() for s in df[station_col] if str(s).strip()})
    cur.execute("SELECT ref, id FROM monitoring_stations WHERE ref = ANY(%s)", (refs,))
    ids = dict(cur.fetchall())
    columns = list(df.columns)
    name_col = _find(columns, _STATION_NAME_COLS, None)
    if name_col is None:
        return ids
    missing_coords = []
    for ref in (r for r in refs if r not in ids):
        rows = df[df[station_col].astype(str).str.strip() == ref]
        name = nfc(next((n for n in rows[name_col] if n), ref))
        lon, lat = _station_lonlat(rows, coordinate_columns(columns))
        wkt = f"SRID={SRID};POINT({lon!r} {lat!r})" if lon is not None else None
        if wkt is None:
            missing_coords.append(f"{ref} ({name})")
        cur.execute(
            "INSERT INTO monitoring_stations (ref, name, name_ascii, medium, source, flags, geom) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s::geometry) RETURNING id",
            (
                ref,
                name,
                fold(name),
                medium_of.get(ref, "air"),
                source,
                [] if wkt else ["no_coordinates"],
                wkt,
            ),
        )
        ids[ref] = cur.fetchone()[0]
        report.created.append({"id": ids[ref], "ref": ref, "name": name, "positioned": bool(wkt)})
        report.notes.append(msg("measurements.station_created", ref=ref, name=name))
    if missing_coords:
        report.notes.append(
            msg(
                "measurements.stations_without_coordinates",
                count=len(missing_coords),
                stations=missing_coords,
            )
        )
    return ids


_FLAGGED = {
    "negative": lambda **params: msg("measurements.flagged_negative", **params),
    "out_of_range": lambda **params: msg("measurements.flagged_out_of_range", **params),
}


def _station_lonlat(
    rows: pd.DataFrame, xy: tuple[str | None, str | None]
) -> tuple[float | None, float | None]:
    """The first usable lon/lat of a station's rows (``lon``, ``Longitude``, ``Kinh độ``...)."""
    xcol, ycol = xy
    if xcol is None or ycol is None:
        return None, None
    lon = pd.to_numeric(rows[xcol], errors="coerce").dropna()
    lat = pd.to_numeric(rows[ycol], errors="coerce").dropna()
    if (
        lon.empty
        or lat.empty
        or not in_vietnam(np.array([lon.iloc[0]]), np.array([lat.iloc[0]]))[0]
    ):
        return None, None
    return float(lon.iloc[0]), float(lat.iloc[0])


def _parse(
    long: pd.DataFrame,
    station_col: str,
    time_col: str,
    tz: str,
    unit: str | None,
    table: pd.DataFrame,
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    raw = long["value"].astype(str).str.strip()
    long = long[raw != ""].copy()  # a blank cell is a gap, not an error
    raw = raw[raw != ""]
    value = pd.to_numeric(raw.str.replace(",", "."), errors="coerce")
    value = value.mask(~np.isfinite(value.astype(float)))  # inf, -inf, nan: not measurements
    # the column the user wrote: "value" (long layout) or the parameter's own column (wide)
    where = long["column"] if "column" in long else pd.Series("value", index=long.index)
    for row, column, text in zip(
        long.loc[value.isna(), "_row"], where[value.isna()], raw[value.isna()], strict=True
    ):
        problems.append(
            Problem(int(row), str(column), "type", msg("validate.not_number", value=str(text)))
        )
    times = pd.to_datetime(long[time_col], errors="coerce", format="mixed")
    for row, text in zip(
        long.loc[times.isna(), "_row"], long.loc[times.isna(), time_col], strict=True
    ):
        problems.append(
            Problem(int(row), time_col, "type", msg("measurements.not_datetime", value=str(text)))
        )
    if times.dt.tz is None:
        times = times.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    long["observed_at"] = times
    long["value"] = value
    units = long["unit"] if "unit" in long else pd.Series(unit, index=long.index, dtype=object)
    # A blank cell of a unit column is a missing unit;
    # a wide file without units uses canonical ones.
    blank_unit = (
        (units.isna() | (units.astype(str).str.strip() == ""))
        if "unit" in long
        else pd.Series(False, index=long.index)
    )
    for row in long.loc[blank_unit & value.notna(), "_row"]:
        problems.append(Problem(int(row), "unit", "unit", msg("measurements.unit_missing")))
    ok = value.notna() & times.notna() & ~blank_unit
    long = long[ok]
    converted, canonical, bad_unit = normalise_units(
        long["value"].to_numpy(dtype=float), units[ok], long["parameter"], table
    )
    for row, u in zip(long.loc[bad_unit, "_row"], units[ok][bad_unit], strict=True):
        problems.append(
            Problem(int(row), "unit", "unit", msg("measurements.unit_unconvertible", unit=str(u)))
        )
    long["value"], long["unit"] = converted, canonical.to_numpy()
    return long[~bad_unit], problems


def _quality(long: pd.DataFrame, table: pd.DataFrame, synthetic: bool) -> pd.Series:
    limits = table.set_index("code").loc[long["parameter"].to_numpy()]
    flag = np.where(
        long["value"].to_numpy() < 0,
        "negative",
        np.where(
            long["value"].to_numpy() > limits["valid_max"].to_numpy(),
            "out_of_range",
            "synthetic" if synthetic else "ok",
        ),
    )
    return pd.Series(flag, index=long.index)


_COPY_COLUMNS = [
    "station_id",
    "parameter",
    "observed_at",
    "value",
    "unit",
    "quality_flag",
    "source",
]


_COPY_SQL = sql.SQL("COPY _mstage ({}) FROM STDIN WITH (FORMAT csv)").format(
    sql.SQL(", ").join(map(sql.Identifier, _COPY_COLUMNS))
)


def _copy(cur, frame: pd.DataFrame, *, progress: Progress | None, chunk: int = 200_000) -> None:
    cur.execute("DROP TABLE IF EXISTS _mstage")  # an earlier import of the same transaction
    cur.execute("CREATE TEMP TABLE _mstage (LIKE measurements) ON COMMIT DROP")
    report = counter(len(frame), "measurements", progress)
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start : start + chunk]
        buf = io.StringIO()
        part.to_csv(
            buf,
            columns=_COPY_COLUMNS,
            header=False,
            index=False,
            date_format="%Y-%m-%dT%H:%M:%S%z",
        )
        buf.seek(0)
        cur.copy_expert(_COPY_SQL.as_string(cur), buf)
        report(start + len(part))


def _merge(cur, *, replace: bool) -> tuple[int, int, int]:
    cur.execute(
        "SELECT count(*) FROM _mstage s JOIN measurements m USING (station_id, parameter, "
        "observed_at) "
        "WHERE (m.value, m.unit, m.quality_flag) IS DISTINCT FROM (s.value, s.unit, s.quality_flag)"
    )
    (differing,) = cur.fetchone()
    action = sql.SQL(
        "DO UPDATE SET value = EXCLUDED.value, unit = EXCLUDED.unit, quality_flag = "
        "EXCLUDED.quality_flag, "
        "source = EXCLUDED.source WHERE (m.value, m.unit, m.quality_flag) IS DISTINCT FROM "
        "(EXCLUDED.value, EXCLUDED.unit, EXCLUDED.quality_flag)"
        if replace
        else "DO NOTHING"
    )
    cur.execute(sql.SQL(query("merge_measurements")).format(action=action))
    inserted, updated = cur.fetchone()
    return int(inserted), int(updated), int(differing)


def import_measurements(
    conn,
    path: Path | str,
    *,
    station_col: str | None = None,
    time_col: str | None = None,
    unit: str | None = None,
    tz: str = "Asia/Ho_Chi_Minh",
    replace: bool = False,
    source: str | None = None,
    synthetic: bool = False,
    dry_run: bool = False,
    partial: bool = False,
    progress: Progress | None = None,
    actor: str = "cli",
    fields: dict[str, str] | None = None,
    encoding: str | None = None,
    units: dict[str, str] | None = None,
) -> ImportReport:
    """Import measurements from a long or wide CSV (a savepoint of the caller's transaction).

    Long: one row per value (station, time, parameter, value[, unit]). Wide: one row per
    station and time, one column per parameter (``PM2.5``, ``NO2``...). Blank cells are
    gaps; units are normalised to each parameter's canonical unit; negative and
    out-of-range values are kept with a quality flag; a value already stored for the
    same station, parameter and time is replaced only with ``replace``.

    A row that cannot be read (text in a number column, an impossible date, an unknown
    station or parameter, a unit that cannot be converted) rejects the whole file, with
    every such row and column listed, and nothing is written; with ``partial`` the good
    rows are imported and the bad ones reported.

    Returns
    -------
    ImportReport
    """
    path = Path(path)
    df, decoding = read_table(path, encoding=encoding)
    report = ImportReport("measurements", str(path), total=len(df), dry_run=dry_run)
    report.encoding = decoding
    report.problems += check_cells(df)  # NUL and over-long cells: their rows are not read
    df = df[~df["_row"].isin({p.row for p in report.problems})].reset_index(drop=True)
    columns = list(df.columns)
    fields = dict(fields or {})
    station_col = fields.pop("station_ref", station_col)
    time_col = fields.pop("observed_at", time_col)
    if fields:
        raise ValidationError(
            msg(
                "import.field_unknown",
                field=sorted(fields)[0],
                fields=["observed_at", "station_ref"],
            )
        )
    scol, tcol = _find(columns, _STATION_COLS, station_col), _find(columns, _TIME_COLS, time_col)
    report.mapped = {c: f for c, f in ((scol, "station_ref"), (tcol, "observed_at")) if c}
    if scol is None or tcol is None:
        raise ValidationError(
            msg(
                "measurements.key_columns",
                path=str(path),
                station_columns=list(_STATION_COLS),
                time_columns=list(_TIME_COLS),
                found=[c for c in columns if c != "_row"],
            )
        )
    if (
        unit is None
        and not units
        and not any(c.lower() == "unit" for c in columns)
        and any(c.lower() in ("parameter", "value") for c in columns)
    ):
        raise ValidationError(msg("measurements.no_unit", path=str(path)))
    try:
        with savepoint(conn, keep=not dry_run) as cur:
            table = _parameters(cur)
            df = _read_units(df, scol, tcol, table, unit, units or {}, report)
            long, layout = _to_long(df, scol, tcol, table)
            _long_units(long, layout, report, unit, units or {})
            unknown = long["parameter"].isna() | ~long["parameter"].isin(table["code"])
            report.problems += [
                Problem(
                    int(r),
                    "parameter",
                    "choice",
                    msg("measurements.unknown_parameter", parameter=p),
                )
                for r, p in zip(
                    long.loc[unknown, "_row"], long.loc[unknown, "parameter"], strict=True
                )
            ]
            long, found = _parse(long[~unknown], scol, tcol, tz, unit, table)
            report.problems += found
            medium_of = dict(
                zip(
                    long[scol].astype(str).str.strip(),
                    table.set_index("code").loc[long["parameter"], "medium"],
                    strict=True,
                )
            )
            ids = _ensure_stations(cur, df, scol, source or path.name, medium_of, report)
            refs = long[scol].astype(str).str.strip()
            long["station_id"] = refs.map(ids)
            orphan = long["station_id"].isna()
            report.problems += [
                Problem(int(r), scol, "unknown_station", msg("measurements.unknown_station", ref=s))
                for r, s in zip(long.loc[orphan, "_row"], refs[orphan], strict=True)
            ]
            long = long[~orphan].copy()
            dup = long.duplicated(["station_id", "parameter", "observed_at"], keep="first")
            report.problems += [
                Problem(
                    int(r),
                    "observed_at",
                    "duplicate",
                    msg("measurements.duplicate", parameter=p),
                )
                for r, p in zip(long.loc[dup, "_row"], long.loc[dup, "parameter"], strict=True)
            ]
            long = long[~dup]
            errors = [p for p in report.problems if p.severity == "error"]
            if errors and not partial:
                shown = [
                    msg("problem.row_column", row=p.row, field=p.field, reason=p.reason)
                    for p in errors[:20]
                ]
                raise ImportFailedError(
                    msg(
                        "measurements.rows_unreadable",
                        file=path.name,
                        rows=len(errors),
                        problems=shown,
                    )
                    if len(errors) <= 20
                    else msg(
                        "measurements.rows_unreadable_more",
                        file=path.name,
                        rows=len(errors),
                        problems=shown,
                        more=len(errors) - 20,
                    )
                )
            long["station_id"] = long["station_id"].astype(int)
            long["quality_flag"] = _quality(long, table, synthetic)
            for flag in ("negative", "out_of_range"):
                report.problems += [
                    Problem(int(r), "value", flag, _FLAGGED[flag](parameter=p, value=v), "warning")
                    for r, p, v in long.loc[
                        long["quality_flag"] == flag, ["_row", "parameter", "value"]
                    ].itertuples(index=False)
                ]
            long["source"] = source or path.name
            _copy(cur, long, progress=progress)
            report.inserted, report.updated, differing = _merge(cur, replace=replace)
            report.total = len(long) + len(
                {(p.row, p.field) for p in report.problems if p.severity == "error"}
            )
            report.unchanged = len(long) - report.inserted - report.updated
            report.notes.append(
                msg("measurements.read_wide", values=len(long))
                if layout == "wide"
                else msg("measurements.read_long", values=len(long))
            )
            if differing and not replace:
                report.notes.append(msg("measurements.kept_stored", values=differing))
            cur.execute(
                "INSERT INTO audit_log (actor, action, table_name, details) VALUES (%s, 'import', "
                "'measurements', %s)",
                (
                    actor,
                    json.dumps(
                        {"file": str(path), "inserted": report.inserted, "updated": report.updated},
                        ensure_ascii=False,
                    ),
                ),
            )
    except psycopg2.Error as exc:
        detail = exc.diag.message_primary if exc.diag else None
        raise ImportFailedError(
            msg("import.database_refused", path=str(path), detail=detail or str(exc))
        ) from exc
    return report


def station_ref(conn: Any, station_id: int) -> str:
    """The ref of the station with id ``station_id``.

    Raises
    ------
    NotFoundError
        When there is no such station.
    """
    with conn.cursor() as cur:
        cur.execute("SELECT ref FROM monitoring_stations WHERE id = %s", (int(station_id),))
        row = cur.fetchone()
    if row is None:
        raise NotFoundError(msg("stations.not_found", station=station_id))
    return str(row[0])
