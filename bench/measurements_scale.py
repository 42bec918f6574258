"""Benchmark: 100 stations x 5 years x hourly x 6 parameters (26,280,000 rows) in the real
``measurements`` and in the same table partitioned by year, then an officer's queries on both.

Run on purpose (not part of the tests), under ``nice -n 10``:

    .venv/bin/python bench/measurements_scale.py                  # load both, time the queries
    .venv/bin/python bench/measurements_scale.py --queries-only   # reuse the loaded databases
    .venv/bin/python bench/measurements_scale.py --quick          # 4 stations (make bench)

Two bench databases: ``langnghe_scale`` holds the migrated ``measurements`` as it is;
in ``langnghe_scale_part`` the migrated table is replaced by one with the same columns,
defaults, checks and triggers, declared ``PARTITION BY RANGE (observed_at)`` with one
partition a year (and a default one). The rows are made by the server
(``INSERT ... SELECT`` over ``generate_series`` of stations x parameters x hours, a value
hashed from the row's key, so both tables get the same rows), one station per transaction,
the two databases in turn; the primary key, the time index and the foreign keys, read from
the migrated table's catalogue, are built after the load, then ``VACUUM (ANALYZE)``.

Each query runs once on each table untimed (the answers of the two layouts are compared,
and their row counts checked against the sizes loaded), then 5 times on each in turn
(ABBA), with ``/proc/loadavg`` printed. Last, removing the first year, rolled back each
time: ``DELETE`` on the plain table, ``DETACH PARTITION`` + ``DROP`` on the partitioned one.
The partitioning lives only in the bench database (no migration): docs/deploy.md says
when and how a deployment switches.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from psycopg2 import sql
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import machine, quick, spread, write_section  # noqa: E402
from gis.db import connect, create_database  # noqa: E402
from gis.migrate import apply  # noqa: E402
from gis.settings import get_settings  # noqa: E402
from layers import migrations_folder  # noqa: E402

DB = "langnghe_scale"
DB_PART = "langnghe_scale_part"
HEADS = {DB: "unpartitioned", DB_PART: "partitioned by year"}
STATIONS, YEARS, FIRST_YEAR = 100, 5, 2021
HOURS = YEARS * 8760  # from 2021-01-01 00:00 UTC: the last hour is 2025-12-30 23:00
START = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
PARAMETERS = ("PM2.5", "PM10", "NO2", "SO2", "CO", "O3")
RUNS = 5

#: One station's rows, made by the server. The value is a hash of (station, parameter, hour),
#: 0-100 in steps of 1/163.84: the same rows in both databases, whatever order they are made in.
INSERT = """
INSERT INTO measurements (station_id, parameter, observed_at, value, unit, source)
SELECT s, p.code, %(start)s::timestamptz + h * interval '1 hour',
       (hashint8((s::bigint * 16 + p.k) * 1000000 + h) & 16383)::float8 / 163.84,
       'µg/m3', 'SYNTHETIC benchmark'
FROM generate_series(%(first)s, %(last)s) AS s,
     unnest(%(parameters)s::text[]) WITH ORDINALITY AS p (code, k),
     generate_series(0, %(hours)s - 1) AS h
"""


def queries(stations: int) -> list[tuple[str, str, tuple, int]]:
    """(label, SQL, parameters, rows expected) of the timed reads on ``stations`` stations."""
    return [
        (
            "one station, one parameter, one year",
            "SELECT observed_at, value FROM measurements WHERE station_id = %s "
            "AND parameter = %s AND observed_at >= %s AND observed_at < %s",
            (min(22, stations), "PM2.5", "2023-01-01T00:00:00+00", "2024-01-01T00:00:00+00"),
            8760,
        ),
        (
            "one station, all parameters, one year, monthly means",
            "SELECT parameter, date_trunc('month', observed_at, 'UTC'), avg(value) "
            "FROM measurements WHERE station_id = %s AND observed_at >= %s "
            "AND observed_at < %s GROUP BY 1, 2",
            (min(7, stations), "2024-01-01T00:00:00+00", "2025-01-01T00:00:00+00"),
            len(PARAMETERS) * 12,
        ),
        (
            "all stations at one hour",
            "SELECT station_id, parameter, value FROM measurements WHERE observed_at = %s",
            ("2025-06-01T08:00:00+00",),
            stations * len(PARAMETERS),
        ),
        (
            "one station, one parameter, five years, daily means",
            "SELECT date_trunc('day', observed_at, 'UTC'), avg(value) FROM measurements "
            "WHERE station_id = %s AND parameter = %s GROUP BY 1",
            (min(13, stations), "PM10"),
            HOURS // 24,
        ),
        (
            "all stations, one parameter, one month, station means",
            "SELECT station_id, avg(value) FROM measurements WHERE parameter = %s "
            "AND observed_at >= %s AND observed_at < %s GROUP BY 1",
            ("PM2.5", "2024-03-01T00:00:00+00", "2024-04-01T00:00:00+00"),
            stations,
        ),
    ]


def _database(settings, name: str, *, replace: bool):
    """Create (or reuse) database ``name`` and migrate it; its settings."""
    create_database(settings, name, replace=replace)
    scale = settings.model_copy(update={"pg_database": name, "statement_timeout_ms": 3_600_000})
    apply(scale.dsn(), migrations_folder())
    return scale


def keys_of(conn) -> list[str]:
    """The statements that make the migrated table's primary key, indexes and foreign keys.

    Read from the catalogue (so the bench follows the migrations), in the order to run them
    after a load: primary key, the other indexes, then the foreign keys.
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = 'measurements'::regclass AND contype IN ('p', 'f') "
            "ORDER BY contype DESC, conname"
        )
        constraints = cur.fetchall()
        cur.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index i WHERE indrelid = "
            "'measurements'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = i.indexrelid) ORDER BY indexrelid"
        )
        indexes = [row[0] for row in cur.fetchall()]

    def add(name: str, definition: str) -> str:
        return (
            sql.SQL("ALTER TABLE measurements ADD CONSTRAINT {} ")
            .format(sql.Identifier(name))
            .as_string(conn)
            + definition
        )

    primary = [add(n, d) for n, d, kind in constraints if kind == "p"]
    foreign = [add(n, d) for n, d, kind in constraints if kind == "f"]
    return primary + indexes + foreign


def drop_keys(conn) -> None:
    """Drop the primary key, indexes and foreign keys of the (empty) migrated table."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'measurements'::regclass "
            "AND contype IN ('p', 'f') ORDER BY contype"
        )
        for (name,) in cur.fetchall():
            cur.execute(
                sql.SQL("ALTER TABLE measurements DROP CONSTRAINT {}").format(sql.Identifier(name))
            )
        cur.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = "
            "'measurements'::regclass"
        )
        for (name,) in cur.fetchall():
            cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    conn.commit()


def partition_by_year(conn) -> None:
    """Replace the (empty) migrated ``measurements`` by one partitioned by year of time.

    Same columns, defaults, checks and triggers (read from the catalogue); partitions
    ``measurements_y2021`` ... ``measurements_y2025`` and ``measurements_other`` (default).
    No keys or indexes yet: they are made after the load, from :func:`keys_of`.
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = "
            "'measurements'::regclass AND NOT tgisinternal ORDER BY tgname"
        )
        triggers = [row[0] for row in cur.fetchall()]
        cur.execute("ALTER TABLE measurements RENAME TO measurements_unpartitioned")
        cur.execute(
            "CREATE TABLE measurements (LIKE measurements_unpartitioned INCLUDING DEFAULTS "
            "INCLUDING CONSTRAINTS) PARTITION BY RANGE (observed_at)"
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
        for trigger in triggers:
            cur.execute(trigger)
    conn.commit()


def _heaps(cur) -> list[str]:
    """The tables that hold the rows: the partitions, or the plain table itself."""
    cur.execute("SELECT relid::text FROM pg_partition_tree('measurements') WHERE isleaf ORDER BY 1")
    return [row[0] for row in cur.fetchall()] or ["measurements"]


def autovacuum(conn, *, on: bool) -> None:
    """Autovacuum off for the load (the VACUUM after it is timed) and back on after."""
    with conn.cursor() as cur:
        for table in _heaps(cur):
            statement = "ALTER TABLE {} RESET (autovacuum_enabled)"
            if not on:
                statement = "ALTER TABLE {} SET (autovacuum_enabled = false)"
            cur.execute(sql.SQL(statement).format(sql.Identifier(table)))
    conn.commit()


def add_stations(conn, stations: int) -> None:
    """Stations 1..``stations`` (a fresh database: the load's generate_series needs 1..N)."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO monitoring_stations (ref, name, name_ascii, medium, synthetic, "
            "source, geom) SELECT 'S' || lpad(i::text, 3, '0'), 'Trạm ' || i, 'tram ' || i, "
            "'air', true, 'SYNTHETIC benchmark', ST_SetSRID(ST_MakePoint(105.5 + (i %% 10) "
            "* 0.1, 20.7 + (i / 10) * 0.1), 4326) FROM generate_series(1, %s) AS i "
            "RETURNING id",
            (stations,),
        )
        ids = sorted(row[0] for row in cur.fetchall())
    assert ids == list(range(1, stations + 1)), f"stations are not 1..{stations}: {ids[:5]}"
    conn.commit()


def load(conns: dict[str, object], stations: int) -> dict[str, float]:
    """Every station's rows into every database, one station per transaction; seconds each.

    The databases take turns station by station (who goes first alternates), so both loads
    run under the same load on the machine.
    """
    seconds = dict.fromkeys(conns, 0.0)
    per_station = len(PARAMETERS) * HOURS
    order = list(conns.items())
    total = stations * per_station * len(conns)
    with tqdm(total=total, unit="row", unit_scale=True, desc="INSERT", mininterval=10) as bar:
        for station in range(1, stations + 1):
            for name, conn in order if station % 2 else order[::-1]:
                t = time.perf_counter()
                with conn.cursor() as cur:
                    cur.execute(
                        INSERT,
                        {
                            "start": START,
                            "first": station,
                            "last": station,
                            "parameters": list(PARAMETERS),
                            "hours": HOURS,
                        },
                    )
                    assert cur.rowcount == per_station, (name, station, cur.rowcount)
                conn.commit()
                seconds[name] += time.perf_counter() - t
                bar.update(per_station)
    return seconds


def build_keys(conn, statements: list[str]) -> tuple[float, float]:
    """Run the key and index statements, then ``VACUUM (ANALYZE)``; seconds of each step."""
    t = time.perf_counter()
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.commit()
    keys = time.perf_counter() - t
    autovacuum(conn, on=True)
    conn.autocommit = True
    t = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) measurements")
    conn.autocommit = False
    return keys, time.perf_counter() - t


def loadavg() -> str:
    """The line of ``/proc/loadavg`` (1-, 5-, 15-minute loads, tasks, last pid)."""
    return Path("/proc/loadavg").read_text(encoding="ascii").strip()


def _load1() -> float:
    return float(loadavg().split()[0])


def _run(conn, query: str, params: tuple) -> tuple[list[tuple], float]:
    t = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(query, params)
        rows = cur.fetchall()
    elapsed = time.perf_counter() - t
    conn.rollback()
    return rows, elapsed


def same_answers(label: str, a: list[tuple], b: list[tuple]) -> None:
    """Assert that two layouts gave the same rows (means equal to 1e-9: summed in any order)."""
    assert len(a) == len(b), f"{label}: {len(a)} rows unpartitioned, {len(b)} by year"
    for left, right in zip(sorted(a), sorted(b), strict=True):
        for x, y in zip(left, right, strict=True):
            if isinstance(x, float):
                assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12), (label, left, right)
            else:
                assert x == y, (label, left, right)


def _retention(conn, *, partitioned: bool, expected: int) -> float:
    """Seconds to remove the first year, rolled back: DELETE, or DETACH + DROP."""
    first = sql.Identifier(f"measurements_y{FIRST_YEAR}")
    with conn.cursor() as cur:
        t = time.perf_counter()
        if partitioned:
            cur.execute(sql.SQL("ALTER TABLE measurements DETACH PARTITION {}").format(first))
            cur.execute(sql.SQL("DROP TABLE {}").format(first))
            elapsed = time.perf_counter() - t
            cur.execute(
                "SELECT count(*) FROM measurements WHERE observed_at < %s",
                (datetime(FIRST_YEAR + 1, 1, 1, tzinfo=UTC),),
            )
            removed = expected - cur.fetchone()[0]
        else:
            cur.execute(
                "DELETE FROM measurements WHERE observed_at < %s",
                (datetime(FIRST_YEAR + 1, 1, 1, tzinfo=UTC),),
            )
            elapsed = time.perf_counter() - t
            removed = cur.rowcount
    conn.rollback()
    assert removed == expected, f"removed {removed:,} rows of {FIRST_YEAR}, not {expected:,}"
    return elapsed


def measure(conns: dict[str, object], stations: int, *, runs: int = RUNS) -> dict:
    """Sizes, the reads and the removal of a year, ``runs`` times each, the tables in turn."""
    out: dict = {"tables": {}, "reads": {}}
    total = stations * len(PARAMETERS) * HOURS
    for name, conn in conns.items():
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM measurements")
            rows = cur.fetchone()[0]
            assert rows == total, f"{name}: {rows:,} rows, not {total:,} (load again)"
            cur.execute(
                "SELECT coalesce((SELECT sum(pg_total_relation_size(relid)) FROM "
                "pg_partition_tree('measurements')), pg_total_relation_size('measurements'))"
            )
            out["tables"][name] = {"rows": rows, "bytes": int(cur.fetchone()[0])}
        conn.rollback()
    order = list(conns.items())
    for label, query, params, expected in queries(stations):
        print(f"{label}: cat /proc/loadavg: {loadavg()}", flush=True)
        answers = {name: _run(conn, query, params)[0] for name, conn in order}
        for name, rows in answers.items():
            assert len(rows) == expected, f"{name}, {label}: {len(rows)} rows, not {expected}"
        same_answers(label, answers[DB], answers[DB_PART])
        times: dict[str, list[float]] = {name: [] for name in conns}
        loads = []
        for run in range(runs):
            loads.append(_load1())
            for name, conn in order if run % 2 == 0 else order[::-1]:
                rows, seconds = _run(conn, query, params)
                assert len(rows) == expected, (name, label, len(rows))
                times[name].append(seconds)
        out["reads"][label] = {"rows": expected, "times": times, "loads": loads}
    label = "remove the first year (rolled back)"
    print(f"{label}: cat /proc/loadavg: {loadavg()}", flush=True)
    year = stations * len(PARAMETERS) * 8760
    times = {name: [] for name in conns}
    loads = []
    for run in range(runs):
        loads.append(_load1())
        for name, conn in order if run % 2 == 0 else order[::-1]:
            times[name].append(_retention(conn, partitioned=name == DB_PART, expected=year))
    out["retention"] = {"rows": year, "times": times, "loads": loads}
    print(f"end: cat /proc/loadavg: {loadavg()}", flush=True)
    return out


def _ms(seconds: list[float]) -> str:
    values = [1000 * s for s in seconds]
    fmt = "{:,.1f}" if max(values) < 100 else "{:,.0f}"
    return spread(values, fmt)


def _loads(loads: list[float]) -> str:
    return f"{min(loads):.1f}-{max(loads):.1f}"


def report(out: dict, built: dict | None, state: str, command: str) -> str:
    """The markdown of the section: one column per layout."""
    names = list(out["tables"])
    rows = out["tables"][DB]["rows"]
    stations = rows // (len(PARAMETERS) * HOURS)
    lines = [
        f"Run by `{command}` under `nice -n 10` ({state} at the start): {rows:,} rows "
        f"({stations} stations x {YEARS} years x hourly x {len(PARAMETERS)} parameters) in "
        "each of two bench databases: the real `measurements` (primary key station, "
        "parameter, time; btree on time; foreign keys to stations and parameters; its "
        "triggers) and the same table declared `PARTITION BY RANGE (observed_at)`, one "
        "partition a year (2021-2025) and a default one, with the same keys, indexes and "
        "triggers. Loaded by the server (`INSERT ... SELECT` over `generate_series` of "
        "stations x parameters x hours, one station per transaction, the two tables in turn, "
        "keys and indexes built after the load, then `VACUUM (ANALYZE)`). Each query ran once "
        f"untimed on each table (the two answers compared, and equal), then {RUNS} times on "
        "each, in turn: median (min-max) in ms, with the 1-minute load over those runs.",
        "",
        "| | " + " | ".join(HEADS[n] for n in names) + " |",
        "|---|" + "---:|" * len(names),
        "| rows | " + " | ".join(f"{out['tables'][n]['rows']:,}" for n in names) + " |",
        "| table and indexes | "
        + " | ".join(f"{out['tables'][n]['bytes'] / 2**30:.2f} GiB" for n in names)
        + " |",
    ]
    if built:
        lines += [
            "| load, `INSERT ... SELECT`: s (rows/s) | "
            + " | ".join(f"{built[n]['load']:.0f} ({rows / built[n]['load']:,.0f})" for n in names)
            + " |",
            "| primary key, time index, foreign keys built after it, s | "
            + " | ".join(f"{built[n]['keys']:.0f}" for n in names)
            + " |",
            "| `VACUUM (ANALYZE)`, s | "
            + " | ".join(f"{built[n]['vacuum']:.0f}" for n in names)
            + " |",
        ]
        lines += ["", f"The 1-minute load on the machine during the load: {built['loads']}."]
    lines += [
        "",
        "| query | rows | " + " | ".join(f"{HEADS[n]}, ms" for n in names) + " | load |",
        "|---|---:|" + "---:|" * len(names) + "---|",
    ]
    for label, read in out["reads"].items():
        cells = " | ".join(_ms(read["times"][n]) for n in names)
        lines.append(f"| {label} | {read['rows']:,} | {cells} | {_loads(read['loads'])} |")
    kept = out["retention"]
    cells = " | ".join(_ms(kept["times"][n]) for n in names)
    lines.append(
        f"| remove {FIRST_YEAR} (rolled back): `DELETE` vs `DETACH PARTITION` + `DROP TABLE` "
        f"| {kept['rows']:,} | {cells} | {_loads(kept['loads'])} |"
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--queries-only", action="store_true", help="reuse the loaded databases: time again"
    )
    parser.add_argument(
        "--stations", type=int, default=STATIONS, help="fewer stations for a quick check (>= 1)"
    )
    fast = quick()  # make bench BENCH_ARGS=--quick: 4 stations, written all the same
    if fast:
        parser.set_defaults(stations=4)
    args = parser.parse_args()
    if args.stations < 1:
        parser.error("--stations must be at least 1")
    command = "bench/measurements_scale.py" + (" --quick" if fast else "")
    if args.stations != (4 if fast else STATIONS):
        command += f" --stations {args.stations}"
    settings = get_settings()
    state = machine()
    print(f"start: cat /proc/loadavg: {loadavg()}", flush=True)
    scales = {n: _database(settings, n, replace=not args.queries_only) for n in HEADS}
    conns = {n: connect(s) for n, s in scales.items()}
    built = None
    if not args.queries_only:
        statements = keys_of(conns[DB])
        drop_keys(conns[DB])
        partition_by_year(conns[DB_PART])
        for conn in conns.values():
            add_stations(conn, args.stations)
            autovacuum(conn, on=False)
        started = _load1()
        seconds = load(conns, args.stations)
        built = {"loads": f"{started:.1f} when it began, {_load1():.1f} when it ended"}
        for n, conn in conns.items():  # one after the other: each alone on the machine
            keys, vacuum = build_keys(conn, statements)
            built[n] = {"load": seconds[n], "keys": keys, "vacuum": vacuum}
            print(f"{HEADS[n]}: {built[n]}; cat /proc/loadavg: {loadavg()}", flush=True)
    out = measure(conns, args.stations)
    for conn in conns.values():
        conn.close()
    text = report(out, built, state, command)
    print(text)
    if args.stations >= 20 or fast:  # not a check of the script (fewer stations by hand)
        write_section("Measurements at scale", text, dated=False)


if __name__ == "__main__":
    main()
