"""Benchmark: 100 stations x 5 years x hourly x 6 parameters (about 26 million rows) loaded
into `measurements` with COPY, then the queries an officer makes.

Run on purpose (not part of the tests), under ``nice -n 10``:

    .venv/bin/python bench/measurements_scale.py                 # the real table
    .venv/bin/python bench/measurements_scale.py --partitioned   # and partitioned by year
    .venv/bin/python bench/measurements_scale.py --queries-only [--partitioned]

``--partitioned`` loads the same rows twice, station by station into both databases in
turn: ``langnghe_scale`` (the real, migrated ``measurements``) and ``langnghe_scale_part``,
where the migrated table is replaced by one with the same columns, keys, indexes and
trigger, declared ``PARTITION BY RANGE (observed_at)`` with one partition a year. The
queries then run on both, in turn, and the section of docs/benchmarks.md puts the figures
side by side. The partitioning lives only in the bench database (no migration): see
docs/deploy.md for the size at which a deployment should switch.
"""

from __future__ import annotations

import argparse
import io
import queue
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
from psycopg2 import sql
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import machine, quick, write_section  # noqa: E402
from gis.db import connect, create_database  # noqa: E402
from gis.migrate import apply  # noqa: E402
from gis.settings import get_settings  # noqa: E402
from layers import migrations_folder  # noqa: E402

DB = "langnghe_scale"
DB_PART = "langnghe_scale_part"
STATIONS, YEARS, FIRST_YEAR = 100, 5, 2021
PARAMETERS = ("PM2.5", "PM10", "NO2", "SO2", "CO", "O3")
COPY = (
    "COPY measurements (station_id, parameter, observed_at, value, unit, source) "
    "FROM STDIN WITH (FORMAT csv)"
)

#: (label, SQL, parameters) of the timed reads.
QUERIES = (
    (
        "one station, one parameter, one year (8,760 rows)",
        "SELECT observed_at, value FROM measurements WHERE station_id = %s AND parameter = %s "
        "AND observed_at >= %s AND observed_at < %s",
        (22, "PM2.5", "2023-01-01", "2024-01-01"),
    ),
    (
        "one station, all parameters, one year, monthly means",
        "SELECT parameter, date_trunc('month', observed_at), avg(value) FROM measurements "
        "WHERE station_id = %s AND observed_at >= %s AND observed_at < %s GROUP BY 1, 2",
        (7, "2024-01-01", "2025-01-01"),
    ),
    (
        "all stations at one hour",
        "SELECT station_id, parameter, value FROM measurements WHERE observed_at = %s",
        ("2025-06-01T08:00:00+00",),
    ),
    (
        "one station, one parameter, five years, daily means",
        "SELECT date_trunc('day', observed_at), avg(value) FROM measurements "
        "WHERE station_id = %s AND parameter = %s GROUP BY 1",
        (13, "PM10"),
    ),
    (
        "all stations, one parameter, one month, station means",
        "SELECT station_id, avg(value) FROM measurements WHERE parameter = %s "
        "AND observed_at >= %s AND observed_at < %s GROUP BY 1",
        ("PM2.5", "2024-03-01", "2024-04-01"),
    ),
)


def _database(settings, name: str, *, replace: bool):
    """Create (or reuse) database ``name`` and migrate it; its settings."""
    create_database(settings, name, replace=replace)
    scale = settings.model_copy(update={"pg_database": name, "statement_timeout_ms": 3_600_000})
    apply(scale.dsn(), migrations_folder())
    return scale


def partition_by_year(conn) -> None:
    """Replace the (empty) migrated ``measurements`` by one partitioned by year of time.

    Same columns, defaults, checks, primary key, time index, foreign keys and version
    trigger; partitions ``measurements_y2021`` ... ``measurements_y2025`` and a default one.
    """
    with conn.cursor() as cur:
        cur.execute("ALTER TABLE measurements RENAME TO measurements_unpartitioned")
        cur.execute(
            "CREATE TABLE measurements (LIKE measurements_unpartitioned INCLUDING DEFAULTS "
            "INCLUDING CONSTRAINTS INCLUDING INDEXES) PARTITION BY RANGE (observed_at)"
        )
        cur.execute(
            "ALTER TABLE measurements ADD FOREIGN KEY (station_id) "
            "REFERENCES monitoring_stations (id) ON DELETE CASCADE, "
            "ADD FOREIGN KEY (parameter) REFERENCES parameters (code)"
        )
        cur.execute("DROP TABLE measurements_unpartitioned")
        for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
            cur.execute(
                sql.SQL(
                    "CREATE TABLE {} PARTITION OF measurements FOR VALUES FROM (%s) TO (%s)"
                ).format(sql.Identifier(f"measurements_y{year}")),
                (f"{year}-01-01T00:00:00+00", f"{year + 1}-01-01T00:00:00+00"),
            )
        cur.execute("CREATE TABLE measurements_other PARTITION OF measurements DEFAULT")
        cur.execute(
            "CREATE TRIGGER measurements_version AFTER INSERT OR UPDATE OR DELETE ON measurements "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_version()"
        )
    conn.commit()


def _stations(conn, stations: int) -> None:
    with conn.cursor() as cur:
        for i in range(1, stations + 1):
            cur.execute(
                "INSERT INTO monitoring_stations (ref, name, name_ascii, medium, synthetic, "
                "source, geom) VALUES (%s, %s, %s, 'air', true, 'SYNTHETIC benchmark', "
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


def _station_csv(station: int, stamps, rng) -> tuple[str, int]:
    parts = []
    for parameter in PARAMETERS:
        values = np.round(rng.gamma(2.0, 20.0, len(stamps)), 2)
        parts.append(pd.DataFrame({"s": station, "p": parameter, "t": stamps, "v": values}))
    block = pd.concat(parts).assign(unit="µg/m3", source="SYNTHETIC benchmark")
    return block.to_csv(header=False, index=False), len(block)


def _copy_all(conn, blocks: queue.Queue, seconds: dict[str, float], name: str) -> None:
    """COPY every block taken from ``blocks`` (``None`` ends), committing each station."""
    while (text := blocks.get()) is not None:
        t = time.perf_counter()
        with conn.cursor() as cur:
            cur.copy_expert(COPY, io.StringIO(text))
        conn.commit()
        seconds[name] += time.perf_counter() - t


def load(conns: dict[str, object], *, first: int = 1, stations: int = STATIONS) -> dict[str, float]:
    """The same rows of stations ``first``..``stations`` into every connection; COPY seconds.

    One thread per database, fed the same blocks, so both loads run under the same load.
    """
    hours = pd.date_range(f"{FIRST_YEAR}-01-01", periods=YEARS * 8760, freq="h", tz="UTC")
    stamps = hours.strftime("%Y-%m-%dT%H:%M:%S+00").to_numpy()
    rng = np.random.default_rng(0)
    seconds = dict.fromkeys(conns, 0.0)
    feeds = {name: queue.Queue(maxsize=2) for name in conns}
    threads = [
        threading.Thread(target=_copy_all, args=(conn, feeds[name], seconds, name))
        for name, conn in conns.items()
    ]
    for thread in threads:
        thread.start()
    total = (stations - first + 1) * len(PARAMETERS) * len(hours)
    with tqdm(total=total, unit="row", desc="COPY", mininterval=30) as bar:
        for station in range(first, stations + 1):
            text, n = _station_csv(station, stamps, rng)
            for feed in feeds.values():
                feed.put(text)
            bar.update(n)
    for feed in feeds.values():
        feed.put(None)
    for thread in threads:
        thread.join()
    return seconds


def loaded_stations(conns: dict[str, object]) -> int:
    """Stations fully loaded in every database; rows of later ones (an interrupted load) go."""
    full = []
    for conn in conns.values():
        with conn.cursor() as cur:
            cur.execute(
                "SELECT coalesce(max(station_id), 0) FROM (SELECT station_id FROM measurements "
                "GROUP BY 1 HAVING count(*) = %s) s",
                (YEARS * 8760 * len(PARAMETERS),),
            )
            full.append(cur.fetchone()[0])
    done = min(full)
    for conn in conns.values():
        with conn.cursor() as cur:
            cur.execute("DELETE FROM measurements WHERE station_id > %s", (done,))
        conn.commit()
    return done


def drop_time_index(conn) -> str:
    """Drop the btree on time (rebuilt after the load: far faster than kept up row by row).

    Returns the statement that makes it again (on a partitioned table: on every partition).
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = 'measurements'::regclass AND NOT indisprimary"
        )
        name, definition = cur.fetchone()
        cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    conn.commit()
    return definition.replace(" ON ONLY ", " ON ")


def create_index(conn, definition: str) -> float:
    """Seconds to run ``definition`` (a ``CREATE INDEX`` read back from the catalogue)."""
    t = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(definition)
    conn.commit()
    return time.perf_counter() - t


def _time(cur, query: str, params: tuple) -> tuple[int, float]:
    t = time.perf_counter()
    cur.execute(query, params)
    n = len(cur.fetchall())
    return n, time.perf_counter() - t


def _retention(cur, *, partitioned: bool) -> float:
    """Seconds to remove the first year (rolled back afterwards): DELETE, or DETACH + DROP."""
    t = time.perf_counter()
    if partitioned:
        cur.execute(f"ALTER TABLE measurements DETACH PARTITION measurements_y{FIRST_YEAR}")
        cur.execute(f"DROP TABLE measurements_y{FIRST_YEAR}")
    else:
        cur.execute(
            "DELETE FROM measurements WHERE observed_at < %s",
            (f"{FIRST_YEAR + 1}-01-01T00:00:00+00",),
        )
    elapsed = time.perf_counter() - t
    cur.connection.rollback()
    return elapsed


def measure(conns: dict[str, object], *, runs: int = 5) -> dict[str, dict]:
    """Sizes, the reads (``runs`` times, the databases in turn) and the retention step."""
    out: dict[str, dict] = {name: {"reads": {}} for name in conns}
    for name, conn in conns.items():
        with conn.cursor() as cur:
            cur.execute("ANALYZE measurements")
            cur.execute("SELECT count(*) FROM measurements")
            out[name]["rows"] = cur.fetchone()[0]
            cur.execute(
                "SELECT pg_size_pretty(coalesce((SELECT sum(pg_total_relation_size(relid)) "
                "FROM pg_partition_tree('measurements')), pg_total_relation_size('measurements')))"
            )
            out[name]["size"] = cur.fetchone()[0]
        conn.commit()
    for label, query, params in QUERIES:
        for conn in conns.values():  # one untimed run each: the same cache state for both
            with conn.cursor() as cur:
                _time(cur, query, params)
        times: dict[str, list[float]] = {name: [] for name in conns}
        for run in range(runs):
            order = list(conns.items())
            for name, conn in order if run % 2 == 0 else order[::-1]:
                with conn.cursor() as cur:
                    n, s = _time(cur, query, params)
                times[name].append(s)
                out[name]["reads"][label] = (n, times[name])
        for conn in conns.values():
            conn.rollback()
    for name, conn in conns.items():
        with conn.cursor() as cur:
            out[name]["retention_s"] = _retention(cur, partitioned=name == DB_PART)
    return out


def report(
    out: dict[str, dict],
    load_s: dict[str, float] | None,
    index_s: dict[str, float] | None,
    loaded: int,
    state: str,
) -> str:
    """The markdown of the section: one column per database."""
    names = list(out)
    heads = {DB: "unpartitioned", DB_PART: "partitioned by year"}
    first = out[names[0]]
    stations = first["rows"] // (YEARS * 8760 * len(PARAMETERS))
    lines = [
        f"Run by `bench/measurements_scale.py{' --partitioned' if DB_PART in out else ''}` "
        f"({state} at the start): {first['rows']:,} rows ({stations} stations x {YEARS} years x "
        f"hourly x {len(PARAMETERS)} parameters) loaded with COPY, station by station, into the "
        "real `measurements` table (primary key station, parameter, time; btree on time)"
        + (
            " and into the same table declared `PARTITION BY RANGE (observed_at)` with one "
            "partition a year (2021-2025, plus a default one), in a bench database; the same "
            "rows went into both at once (one COPY thread each), and each query ran 5 times on "
            "each, in turn, after one untimed run."
            if DB_PART in out
            else "."
        ),
        "",
        "| | " + " | ".join(heads[n] for n in names) + " |",
        "|---|" + "---:|" * len(names),
        "| table and indexes | " + " | ".join(out[n]["size"] for n in names) + " |",
    ]
    if load_s and index_s and loaded:
        lines.append(
            f"| COPY of {loaded:,} rows (time index dropped), s (rows/s) | "
            + " | ".join(f"{load_s[n]:.0f} ({loaded / load_s[n]:,.0f})" for n in names)
            + " |"
        )
        lines.append(
            "| time index built after the load, s | "
            + " | ".join(f"{index_s[n]:.0f}" for n in names)
            + " |"
        )
    lines += [
        "",
        "| query | rows | "
        + " | ".join(f"{heads[n]}: median ms (slowest of 5)" for n in names)
        + " |",
        "|---|---:|" + "---:|" * len(names),
    ]
    for label, _q, _p in QUERIES:
        n_rows = out[names[0]]["reads"][label][0]
        cells = [
            f"{1000 * float(np.median(t)):.1f} ({1000 * max(t):.1f})"
            for t in (out[n]["reads"][label][1] for n in names)
        ]
        lines.append(f"| {label} | {n_rows:,} | " + " | ".join(cells) + " |")
    retention = {
        DB: "DELETE of 2021's rows",
        DB_PART: "DETACH + DROP of 2021's partition",
    }
    lines.append(
        "| remove the first year (rolled back) | "
        f"{out[names[0]]['rows'] // YEARS:,} | "
        + " | ".join(f"{1000 * out[n]['retention_s']:.0f} ({retention[n]})" for n in names)
        + " |"
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partitioned", action="store_true", help="also load and time by year")
    parser.add_argument(
        "--queries-only", action="store_true", help="reuse the loaded databases: time again"
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue an interrupted load of the databases"
    )
    parser.add_argument(
        "--stations", type=int, default=STATIONS, help="fewer stations for a quick check"
    )
    fast = quick()  # make bench BENCH_ARGS=--quick: 4 stations, written all the same
    if fast:
        parser.set_defaults(stations=4)
    args = parser.parse_args()
    settings = get_settings()
    state = machine()
    names = [DB, DB_PART] if args.partitioned else [DB]
    fresh = not (args.queries_only or args.resume)
    scales = {n: _database(settings, n, replace=fresh) for n in names}
    conns = {n: connect(s) for n, s in scales.items()}
    load_s = index_s = None
    first = 1
    if not args.queries_only:
        if fresh:
            if DB_PART in conns:
                partition_by_year(conns[DB_PART])
            for conn in conns.values():
                _stations(conn, args.stations)
        else:
            first = loaded_stations(conns) + 1
        rebuild = {n: drop_time_index(conn) for n, conn in conns.items()}
        load_s = load(conns, first=first, stations=args.stations)
        index_s = {}
        for n, conn in conns.items():  # one after the other: each alone on the machine
            index_s[n] = create_index(conn, rebuild[n])
    out = measure(conns)
    for conn in conns.values():
        conn.close()
    loaded = (args.stations - first + 1) * YEARS * 8760 * len(PARAMETERS)
    text = report(out, load_s, index_s, loaded, state)
    print(text)
    if args.stations >= 20 or fast:  # not a check of the script (fewer stations by hand)
        write_section("Measurements at scale", text, dated=False)


if __name__ == "__main__":
    main()
