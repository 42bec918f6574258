"""The import pipeline shared by every layer: read, validate, stage, upsert, audit.

An import takes a frame (:func:`import_frame`; a file import reads the file first,
:func:`run_import`): rows are validated in Python, copied into a temporary staging table,
checked against what the database already holds (administrative boundaries, villages),
then upserted by natural key, inside a savepoint of the caller's transaction (the caller
commits). A failure or ``dry_run`` undoes the import alone. Re-importing the same file
changes nothing (rows whose values are equal are not written).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg2
import shapely
from psycopg2 import sql
from psycopg2.extras import execute_values

from gis.crs import to_wgs84
from gis.db import savepoint
from gis.encodings import Decoding
from gis.errors import ImportFailedError
from gis.io import coordinate_columns, read_vector
from gis.messages import msg
from gis.progress import Progress, counter
from gis.validate import Problem, check_duplicates, check_fields, check_geometries
from layers.duplicates import resolve_duplicates
from layers.import_report import ImportReport
from layers.layer import Layer, column_match

__all__ = [
    "ImportOptions",
    "ImportReport",
    "LayerSpec",
    "import_frame",
    "read_file",
    "run_import",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportOptions:
    """What the user said on the command line."""

    dry_run: bool = False
    crs: Any = None
    layer: str | None = None
    fix_swapped: bool = False
    repair: bool = True
    actor: str = "cli"
    admin_version: str = "pre-2025"
    #: Called with the fraction of rows written and the layer's name.
    progress: Progress | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: An edit through the API writes its own audit row (before / after) instead.
    audit: bool = True
    #: The most vertices a feature may have; ``None``: the layer's ``max_vertices``.
    max_vertices: int | None = None
    #: ``{field: source column}`` (``--field target=source``): wins over names and aliases.
    fields: dict[str, str] = field(default_factory=dict)
    #: What a likely duplicate of a stored feature becomes (``--on-duplicate``, see
    #: :mod:`layers.duplicates`): ``merge``, ``skip`` or ``keep``; ``None``: not looked for.
    on_duplicate: str | None = "merge"
    #: The largest distance between two features of one place, metres (``None``: the rule's).
    duplicate_distance_m: float | None = None
    #: The file's encoding (``--encoding``: utf-8, cp1258, tcvn3, vni); ``None``: as stated
    #: by the file (a Shapefile's ``.cpg``), else detected (:func:`gis.encodings.detect`).
    encoding: str | None = None


#: The import reads its layer's declaration (:class:`layers.layer.Layer`): table, natural
#: key, the columns it writes, the fields it validates, ``prepare``, ``stage_check``.
LayerSpec = Layer


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_file(
    spec: LayerSpec, path: Path, options: ImportOptions
) -> tuple[gpd.GeoDataFrame, list[Problem], Decoding]:
    """Read a layer file into a frame with ``_row`` (its record numbers), and the problems.

    The frame keeps the file's CRS; a CSV's coordinate columns become point geometries;
    text is Unicode NFC, decoded as the returned :class:`~gis.encodings.Decoding` says.
    """
    return read_vector(
        path,
        crs=options.crs,
        layer=options.layer,
        geometry=spec.geometry_type is not None and spec.geometry_required,
        encoding=options.encoding,
    )


def _rejected_rows(problems: list[Problem]) -> set[int]:
    """The rows an error rejects (problems of the whole file name no row)."""
    return {p.row for p in problems if p.severity == "error" and p.row is not None}


def _validate(
    spec: LayerSpec,
    gdf: gpd.GeoDataFrame,
    problems: list[Problem],
    options: ImportOptions,
    source: str,
) -> tuple[pd.DataFrame, ImportReport]:
    """Validate a read frame; return accepted rows and the report so far."""
    problems = list(problems)
    report = ImportReport(spec.name, source, total=len(gdf), dry_run=options.dry_run)
    gdf = _map_columns(spec, gdf, options, report)
    if spec.prepare is None:  # every importable layer declares one (tests/layers)
        raise TypeError(f"layer {spec.name} is importable but declares no prepare step")
    frame, found = spec.prepare(gdf, options)
    problems += found
    frame, found = check_fields(frame, spec.fields, rows=frame["_row"])
    problems += found
    if spec.geometry_type is not None:
        wgs = to_wgs84(
            gpd.GeoDataFrame(frame[["_row"]], geometry=gdf.geometry.loc[frame.index], crs=gdf.crs)
        )
        present = wgs.geometry.notna() | spec.geometry_required
        checked, found = check_geometries(
            wgs.geometry[present],
            frame.loc[present, "_row"],
            expected=spec.geometry_type,
            fix_swapped=options.fix_swapped,
            repair=options.repair,
            max_vertices=options.max_vertices or spec.max_vertices,
        )
        problems += found
        frame["geom"] = None
        frame.loc[present, "geom"] = checked.to_numpy(dtype=object)
    bad = _rejected_rows(problems)
    problems += check_duplicates(
        frame[list(spec.key)].apply(tuple, axis=1),
        frame["_row"],
        field=",".join(spec.key),
        skip=bad,
    )
    bad = _rejected_rows(problems)
    report.problems = problems
    return frame[~frame["_row"].isin(bad)], report


def _map_columns(
    spec: LayerSpec, gdf: gpd.GeoDataFrame, options: ImportOptions, report: ImportReport
) -> gpd.GeoDataFrame:
    """Give each field its source column (names, aliases, ``--field``); note the mapping.

    Source columns are copied under their field's name, never dropped, so a layer's own
    ``prepare`` (a known file's profile) still sees them.
    """
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    read = set(spec.reads(columns)) if spec.reads is not None else set()
    read |= {c for c in coordinate_columns(columns) if c is not None}
    found = column_match(spec, columns, options.fields, also_read=read)
    report.mapped, report.ignored = dict(found.mapped), list(found.ignored)
    renamed = {s: f for s, f in found.mapped.items() if s != f}
    if renamed:
        gdf = gdf.copy()
        for source_col, target in renamed.items():
            gdf[target] = gdf[source_col]
    return gdf


def _stage(cur, spec: LayerSpec, frame: pd.DataFrame, options: ImportOptions) -> None:
    columns = [*spec.columns, *(["geom"] if spec.geometry_type else [])]
    cur.execute(sql.SQL("DROP TABLE IF EXISTS _stage"))
    cur.execute(
        sql.SQL("CREATE TEMP TABLE _stage ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(spec.table)
        )
    )
    cur.execute("ALTER TABLE _stage ADD COLUMN _row integer")
    for name, sqltype in spec.extras:
        cur.execute(
            sql.SQL("ALTER TABLE _stage ADD COLUMN {} " + _SAFE_TYPES[sqltype]).format(
                sql.Identifier(name)
            )
        )
    names = [*columns, "_row", *(n for n, _ in spec.extras)]
    records = []
    for rec in frame[
        [c for c in names if c != "geom"] + (["geom"] if "geom" in columns else [])
    ].itertuples(index=False):
        values = list(rec)
        if "geom" in columns:
            geom = values[-1]
            values[-1] = (
                None
                if geom is None
                else shapely.to_wkb(shapely.set_srid(geom, spec.srid), hex=True, include_srid=True)
            )
        records.append(tuple(_plain(v) for v in values))
    order = [c for c in names if c != "geom"] + (["geom"] if "geom" in columns else [])
    insert = sql.SQL("INSERT INTO _stage ({}) VALUES %s").format(
        sql.SQL(", ").join(map(sql.Identifier, order))
    )
    batch = 500
    report = counter(len(records), spec.name, options.progress)
    for start in range(0, len(records), batch):
        execute_values(cur, insert.as_string(cur), records[start : start + batch], page_size=batch)
        report(start + len(records[start : start + batch]))


_SAFE_TYPES = {"text": "text", "integer": "integer", "boolean": "boolean"}


def _plain(value: Any) -> Any:
    """Turn numpy/pandas scalars into plain Python values for psycopg2."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item") and not isinstance(value, list | tuple | str):
        return value.item()
    return value


def _upsert(cur, spec: LayerSpec) -> tuple[int, int]:
    columns = [*spec.columns, *(["geom"] if spec.geometry_type else [])]
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    target = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in columns)
    excluded = sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(sql.Identifier(c)) for c in columns)
    stamp = sql.SQL(", updated_at = now()") if spec.touches_updated_at else sql.SQL("")
    query = sql.SQL(
        "WITH up AS (INSERT INTO {table} AS t ({cols}) SELECT {cols} FROM _stage ORDER BY _row "
        "ON CONFLICT ({key}) DO UPDATE SET ({cols}) = ROW({excluded}){stamp} "
        "WHERE ({target}) IS DISTINCT FROM ({excluded}) RETURNING (xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up"
    ).format(
        table=sql.Identifier(spec.table),
        cols=cols,
        key=sql.SQL(", ").join(map(sql.Identifier, spec.key)),
        excluded=excluded,
        target=target,
        stamp=stamp,
    )
    cur.execute(query)
    inserted, updated = cur.fetchone()
    return int(inserted), int(updated)


def _audit(
    cur: Any,
    spec: LayerSpec,
    report: ImportReport,
    options: ImportOptions,
    details: dict[str, Any],
) -> None:
    details = {
        **details,
        "total": report.total,
        "inserted": report.inserted,
        "updated": report.updated,
        "rejected": report.rejected,
    }
    cur.execute(
        "INSERT INTO audit_log (actor, action, table_name, details) VALUES (%s, 'import', %s, %s)",
        (options.actor, spec.table, json.dumps(details, ensure_ascii=False)),
    )


def _duplicates(cur: Any, layer: LayerSpec, report: ImportReport, options: ImportOptions) -> None:
    """Likely duplicates of stored features (:mod:`layers.duplicates`), as ``on_duplicate`` says."""
    action = options.on_duplicate
    if action is None or (layer.duplicates is None and action != "skip"):
        return
    pairs, found = resolve_duplicates(
        cur, layer, action=action, distance_m=options.duplicate_distance_m
    )
    report.duplicates_checked = True
    report.problems += found
    report.duplicates = [p.as_dict() for p in pairs]
    report.set_aside = sum(p.code == "existing_key_skipped" for p in found) + sum(
        p.action != "keep" for p in pairs
    )


def import_frame(
    conn: Any,
    layer: LayerSpec,
    frame: gpd.GeoDataFrame,
    options: ImportOptions | None = None,
    *,
    problems: list[Problem] | None = None,
    source: str = "frame",
    audit_details: dict[str, Any] | None = None,
    encoding: Decoding | None = None,
) -> ImportReport:
    """Validate ``frame`` as rows of ``layer`` and upsert them by the layer's natural key.

    Everything happens in the caller's transaction, inside a savepoint: a dry run or a
    refusal by the database undoes this import alone and leaves the transaction usable.
    Nothing is committed here.

    Parameters
    ----------
    conn : psycopg2 connection
        In the caller's transaction.
    layer : LayerSpec
        The layer family.
    frame : GeoDataFrame
        One row per feature with a CRS, in the layer's import field names, and ``_row``
        (the record numbers problems refer to; 1, 2, ... when absent).
    options : ImportOptions, optional
        ``dry_run`` validates and computes every count, then undoes the writes.
    problems : list of Problem, optional
        Problems found while reading (they count in the report).
    source : str
        What the rows came from, for the report.
    audit_details : dict, optional
        Written in the import's audit row (file name, digest).
    encoding : Decoding, optional
        How the rows' file was decoded, for the report.

    Returns
    -------
    ImportReport
        Counts and row-level problems; rejected rows are not written.

    Raises
    ------
    ImportFailedError
        When the database refuses the rows (nothing of this import is written).
    """
    options = options or ImportOptions()
    if "_row" not in frame.columns:
        frame = frame.assign(_row=np.arange(1, len(frame) + 1))
    accepted, report = _validate(layer, frame, problems or [], options, source)
    report.encoding = encoding
    try:
        with savepoint(conn, keep=not options.dry_run) as cur:
            _stage(cur, layer, accepted, options)
            if layer.stage_check is not None:
                found = layer.stage_check(cur, options)
                report.problems += found
                rejected = sorted(_rejected_rows(found))
                if rejected:
                    cur.execute("DELETE FROM _stage WHERE _row = ANY(%s)", (rejected,))
            _duplicates(cur, layer, report, options)
            report.inserted, report.updated = _upsert(cur, layer)
            report.unchanged = (
                report.total - report.rejected - report.inserted - report.updated - report.set_aside
            )
            if options.audit:
                _audit(cur, layer, report, options, audit_details or {"source": source})
    except psycopg2.Error as exc:
        detail = (exc.diag.message_primary or str(exc)) if exc.diag else str(exc)
        raise ImportFailedError(msg("import.database_refused", path=source, detail=detail)) from exc
    logger.info("%s", report.summary())
    return report


def run_import(
    conn: Any, spec: LayerSpec, path: Path | str, options: ImportOptions
) -> ImportReport:
    """Import the file ``path`` into the layer ``spec``: read it, then :func:`import_frame`.

    Parameters
    ----------
    conn : psycopg2 connection
        In the caller's transaction (not committed here).
    spec : LayerSpec
        The layer family.
    path : path
        CSV, GeoJSON, GeoPackage or Shapefile.
    options : ImportOptions
        ``dry_run`` validates and computes every count, then undoes the writes.

    Returns
    -------
    ImportReport

    Raises
    ------
    ValidationError, CRSError
        When the file as a whole cannot be read, or its text fits no encoding (nothing
        written).
    ImportFailedError
        When the database refuses the rows (nothing written).
    """
    path = Path(path)
    gdf, problems, decoding = read_file(spec, path, options)
    return import_frame(
        conn,
        spec,
        gdf,
        options,
        problems=problems,
        source=str(path),
        audit_details={
            "file": str(path),
            "sha256": _file_digest(path),
            "encoding": decoding.encoding,
        },
        encoding=decoding,
    )


def rename_columns(gdf: gpd.GeoDataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    """Return the non-geometry columns renamed by ``mapping``.

    A source column wins over a same-named one.
    """
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    for source, target in mapping.items():
        if source in frame.columns:
            frame[target] = frame[source]
    return frame
