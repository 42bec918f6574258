"""Benchmark: 100 stations x 5 years x hourly x 6 parameters (about 26 million rows) loaded
into `measurements` with COPY, then the queries an officer makes.

Run on purpose:  .venv/bin/python bench/measurements_scale.py   (appends to docs/benchmarks.md)
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import write_section  # noqa: E402
from gis.db import connect, create_database  # noqa: E402
from gis.migrate import apply  # noqa: E402
from gis.settings import get_settings  # noqa: E402
from layers import migrations_folder  # noqa: E402

DB = "langnghe_scale"
STATIONS, YEARS = 100, 5
PARAMETERS = ("PM2.5", "PM10", "NO2", "SO2", "CO", "O3")


def main() -> None:
    settings = get_settings()
    if (
        "--queries-only" in sys.argv
    ):  # reuse a loaded database: migrate it and time the queries again
        scale = settings.model_copy(update={"pg_database": DB, "statement_timeout_ms": 3_600_000})
        apply(scale.dsn(), migrations_folder())
        return report(connect(scale), None)
    create_database(settings, DB, replace=True)
    scale = settings.model_copy(update={"pg_database": DB, "statement_timeout_ms": 3_600_000})
    apply(scale.dsn(), migrations_folder())
    conn = connect(scale)
    with conn.cursor() as cur:
        for i in range(1, STATIONS + 1):
            cur.execute(
                "INSERT INTO monitoring_stations (ref, name, name_ascii, medium, synthetic, "
                "source, geom) "
                "VALUES (%s, %s, %s, 'air', true, 'SYNTHETIC benchmark', "
                "ST_SetSRID(ST_MakePoint(%s, %s), 4326))",
                (
                    f"S{i:03d}",
                    f"Trạm {i}",
                    f"tram {i}",
                    105.5 + (i % 10) * 0.1,
                    20.7 + (i // 10) * 0.1,
                ),
            )
    conn.commit()
    hours = pd.date_range("2021-01-01", periods=YEARS * 8760, freq="h", tz="UTC")
    stamps = hours.strftime("%Y-%m-%dT%H:%M:%S+00").to_numpy()
    rng = np.random.default_rng(0)
    total = STATIONS * len(PARAMETERS) * len(hours)
    start = time.perf_counter()
    with conn.cursor() as cur, tqdm(total=total, unit="row", desc="COPY") as bar:
        for station in range(1, STATIONS + 1):
            parts = []
            for parameter in PARAMETERS:
                values = np.round(rng.gamma(2.0, 20.0, len(hours)), 2)
                parts.append(pd.DataFrame({"s": station, "p": parameter, "t": stamps, "v": values}))
            block = pd.concat(parts).assign(unit="µg/m3", source="SYNTHETIC benchmark")
            buf = io.StringIO()
            block.to_csv(buf, header=False, index=False)
            buf.seek(0)
            cur.copy_expert(
                "COPY measurements (station_id, parameter, observed_at, value, unit, source) FROM "
                "STDIN "
                "WITH (FORMAT csv)",
                buf,
            )
            bar.update(len(block))
    conn.commit()
    report(conn, time.perf_counter() - start)


def report(conn, load_s: float | None) -> None:
    """Time the queries and write the section of docs/benchmarks.md."""
    with conn.cursor() as cur:
        cur.execute("ANALYZE measurements")
        cur.execute("SELECT count(*) FROM measurements")
        (rows,) = cur.fetchone()
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('measurements'))")
        (size,) = cur.fetchone()
        timings = {}
        for label, query, params in (
            (
                "one station, one parameter, one year (8,760 rows)",
                "SELECT observed_at, value FROM measurements WHERE station_id = %s AND parameter "
                "= %s "
                "AND observed_at >= %s AND observed_at < %s",
                (42, "PM2.5", "2023-01-01", "2024-01-01"),
            ),
            (
                "one station, all parameters, one year, monthly means",
                "SELECT parameter, date_trunc('month', observed_at), avg(value) FROM measurements "
                "WHERE station_id = %s "
                "AND observed_at >= %s AND observed_at < %s GROUP BY 1, 2",
                (7, "2024-01-01", "2025-01-01"),
            ),
            (
                "all stations at one hour",
                "SELECT station_id, parameter, value FROM measurements WHERE observed_at = %s",
                ("2025-06-01T08:00:00+00",),
            ),
        ):
            best = []
            for _ in range(5):
                t = time.perf_counter()
                cur.execute(query, params)
                n = len(cur.fetchall())
                best.append(time.perf_counter() - t)
            timings[label] = (n, 1000 * float(np.median(best)), 1000 * max(best))
    conn.close()
    load = (
        f"in {load_s:.0f} s: {rows / load_s:,.0f} rows/s"
        if load_s
        else "(load measured in an earlier run)"
    )
    lines = [
        f"Run by `bench/measurements_scale.py`: {rows:,} rows ({STATIONS} stations x {YEARS} "
        f"years x hourly x "
        f"{len(PARAMETERS)} parameters) loaded with COPY into the real `measurements` table "
        f"(primary key "
        f"station, parameter, time; btree on time) {load}; table and indexes {size}.",
        "",
        "| query | rows | median ms | slowest of 5 ms |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {label} | {n:,} | {med:.1f} | {worst:.1f} |"
        for label, (n, med, worst) in timings.items()
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    write_section("Measurements at scale", text, dated=False)


if __name__ == "__main__":
    main()
