"""Durable jobs (issue 18, item 1): real ``langnghe worker`` processes on the PostgreSQL queue.

The web app here runs no worker of its own (``jobs_in_process`` off): every job is run by a
worker subprocess, killed with SIGKILL mid-job where the test says so.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from gis.db import connect
from layers.jobs import delete_finished_jobs, forget_rasters, insert_job, update_job
from tests.support import database_env, executable
from webmap.app import create_app
from webmap.worker import cancel, clean_job_rasters, defer

pytestmark = pytest.mark.postgis

BBOX = [105.90, 21.08, 105.99, 21.16]
#: Heartbeat every second, silent for 4 s = dead: a dead worker's job settles within 6 s.
HEARTBEAT_S, STALL_S = 1.0, 4.0
QUEUE = {
    "jobs_in_process": False,
    "job_heartbeat_s": HEARTBEAT_S,
    "job_stall_s": STALL_S,
    "job_max_attempts": 2,
}


@pytest.fixture
def planner(web_settings, accounts):
    real = web_settings.real_data
    settings = web_settings.model_copy(
        update={
            **QUEUE,
            "siting_dem": real / "dem" / "N21E105_srtm3.tif",
            "siting_landuse": real / "landuse" / "rrd_osm2018_geofabrik.gpkg",
            "siting_roads": real / "roads" / "vn_national_roads_legocity.geojson",
        }
    )
    app = create_app(settings)
    app.config["TESTING"] = True
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {accounts['planner']}"
    yield client, settings
    app.extensions["langnghe_db"].close()


class Workers:
    """``langnghe worker`` subprocesses over the test's database, all stopped at the end."""

    def __init__(self, settings, folder: Path) -> None:
        self.env = database_env(
            settings,
            LANGNGHE_JOB_HEARTBEAT_S=str(HEARTBEAT_S),
            LANGNGHE_JOB_STALL_S=str(STALL_S),
            LANGNGHE_JOB_MAX_ATTEMPTS="2",
        )
        self.folder = folder
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str, stall_s: float = STALL_S) -> subprocess.Popen[bytes]:
        """Start worker ``name``; ``stall_s``: the silence after which its peers (and itself)
        take a worker for dead and run its job again."""
        with (self.folder / f"{name}.log").open("wb") as log:
            proc = subprocess.Popen(
                [executable("langnghe"), "-v", "worker", "--name", name, *args],
                env={**self.env, "LANGNGHE_JOB_STALL_S": str(stall_s)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        return proc

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def ready(self, name: str, timeout_s: float = 120.0) -> None:
        """Until worker ``name`` has registered and beaten (its start takes seconds)."""
        deadline = time.monotonic() + timeout_s
        while f"webmap.worker: worker {name} (" not in self.log(name):
            assert time.monotonic() < deadline, self.log(name)
            time.sleep(0.2)
        time.sleep(HEARTBEAT_S + 0.5)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def workers(planner, tmp_path):
    _client, settings = planner
    pool = Workers(settings, tmp_path)
    yield pool
    pool.stop()


def _job(client, url: str) -> dict:
    return client.get(url, headers={"Accept-Language": "en"}).get_json()


def _until(client, url: str, done, timeout_s: float = 240.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = _job(client, url)
        if done(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job never got there: {job}")


def _siting(client, cell_m: float = 15):
    answer = client.post("/api/siting", json={"bbox": BBOX, "cell_m": cell_m, "name": "w"})
    assert answer.status_code == 202, answer.get_json()
    return answer.get_json()["job_url"]


def _running(job: dict) -> bool:
    return job["status"] == "running" and job["progress"] > 0


def test_a_worker_process_runs_the_job_with_progress(planner, workers):
    client, _settings = planner
    url = _siting(client, cell_m=90)
    assert _job(client, url)["status"] == "queued"  # the web runs nothing itself
    workers.start("w1")
    seen = []
    job = _until(client, url, lambda j: seen.append(j["progress"]) or j["status"] != "queued")
    job = _until(client, url, lambda j: seen.append(j["progress"]) or j["status"] == "done")
    assert job["scenario_id"] and job["attempts"] == 1 and job["progress"] == 1.0
    assert seen == sorted(seen) and any(0 < p < 1 for p in seen), seen


def test_a_worker_whose_heartbeat_is_late_keeps_its_own_job(planner, workers):
    """A loaded machine writes a worker's heartbeat late; the worker itself is alive (it is the
    one looking), so it never takes its own running job for a dead worker's and queues it again.
    With a stall of 0.05 s against a beat every second its heartbeat is late at every look."""
    client, _settings = planner
    url = _siting(client, cell_m=30)
    workers.start("w1", stall_s=0.05)
    job = _until(client, url, lambda j: j["status"] in ("done", "failed", "cancelled"))
    assert job["status"] == "done" and job["attempts"] == 1, job
    log = workers.log("w1")
    assert "heartbeat is late" in log and "stopped answering" not in log, log[-2000:]


def test_a_killed_worker_s_job_runs_again_then_fails_with_the_reason(planner, workers):
    client, _settings = planner
    # 8 m cells: a run lasts long enough (tens of seconds) for the second worker to start
    # and beat before the first is killed, even on a busy machine
    url = _siting(client, cell_m=8)
    first = workers.start("w1")
    job = _until(client, url, _running)
    assert job["attempts"] == 1
    workers.start("w2")  # idle: the job is taken
    workers.ready("w2")
    first.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    job = _until(client, url, lambda j: j["status"] == "queued" or j["attempts"] == 2)
    settled = time.monotonic() - killed
    assert settled <= STALL_S + 2 * HEARTBEAT_S + 3, settled  # 3 s for a busy machine
    job = _until(client, url, lambda j: j["attempts"] == 2 and _running(j))  # w2 runs it again
    second = workers.procs[1]
    second.send_signal(signal.SIGKILL)  # the second run dies too: no third
    killed = time.monotonic()
    workers.start("w3")
    job = _until(client, url, lambda j: j["status"] == "failed")
    assert time.monotonic() - killed <= STALL_S + 2 * HEARTBEAT_S + 60  # w3 starts first
    assert job["error_detail"]["code"] == "job.worker_lost"
    assert job["error_detail"]["params"]["runs"] == 2 and "stopped answering" in job["error"]
    assert job["scenario_id"] is None  # nothing of a killed run was kept


def test_cancel_a_queued_and_a_running_job(planner, workers, accounts):
    client, settings = planner
    queued = _siting(client, cell_m=90)
    job_id = queued.rsplit("/", 1)[1]
    answer = client.post(f"/api/jobs/{job_id}/cancel")
    assert answer.status_code == 202 and answer.get_json()["status"] == "cancelled"
    running = _siting(client)
    workers.start("w1")
    _until(client, running, _running)
    answer = client.post(running.replace("/api/jobs/", "/api/jobs/", 1) + "/cancel")
    assert answer.status_code == 202 and answer.get_json()["cancel_requested"] is True
    job = _until(client, running, lambda j: j["status"] != "running", timeout_s=30)
    assert job["status"] == "cancelled" and job["scenario_id"] is None
    assert _job(client, queued)["status"] == "cancelled"  # the worker never ran it
    other = client.post(
        f"/api/jobs/{job_id}/cancel", headers={"Authorization": f"Bearer {accounts['admin']}"}
    )
    assert other.status_code == 202  # an admin may; an ended job stays as it is
    officer = client.post(
        f"/api/jobs/{job_id}/cancel",
        headers={"Authorization": f"Bearer {accounts['env_officer']}"},
    )
    assert officer.status_code == 403


def test_a_job_larger_than_any_worker_is_refused_at_once(planner, workers):
    client, settings = planner
    # 3.4 M cells in the study area, more on the grid padded for edge candidates: about 1.2 GB
    big = {"bbox": BBOX, "cell_m": 5, "name": "big"}
    answer = client.post("/api/siting", json=big, headers={"Accept-Language": "en"})
    assert answer.status_code == 202  # no worker alive: the settings' 4096 MB budget
    workers.start("small", "--memory-mb", "512")
    workers.ready("small")
    answer = client.post("/api/siting", json=big, headers={"Accept-Language": "en"})
    body = answer.get_json()
    assert answer.status_code == 422 and body["code"] == "JobTooLarge", body
    params = body["message"]["params"]
    assert body["message"]["code"] == "job.too_large" and params["limit_mb"] == 512
    needed = params["needed_mb"]
    assert 700 < needed < 2000 and f"{needed:,} MB" in body["description"]
    vi = client.post("/api/siting", json=big, headers={"Accept-Language": "vi"}).get_json()
    assert "bộ nhớ" in vi["description"]


def test_old_job_rasters_are_deleted_by_retention(web_settings, tmp_path):
    conn = connect(web_settings)
    paths = [tmp_path / "old.tif", tmp_path / "new.tif", tmp_path / "cli.tif"]
    for path in paths:
        path.write_bytes(b"II*\x00")
    with conn.cursor() as cur:
        ids = []
        for name in ("old", "new", "cli"):
            cur.execute(
                "INSERT INTO scenarios (kind, name, params, results, input_versions) "
                "VALUES ('siting', %s, '{}', '{}', '{}') RETURNING id",
                (name,),
            )
            ids.append(cur.fetchone()[0])
        for sid, path, age in zip(ids, paths, (40, 1, 40), strict=True):
            cur.execute(
                "INSERT INTO rasters (scenario_id, kind, path, epsg, cell_size_m, created_at) "
                "VALUES (%s, 'suitability', %s, 32648, 30, now() - make_interval(days => %s))",
                (sid, str(path), age),
            )
        for sid in ids[:2]:  # the third was made by the command line, not a job
            cur.execute(
                "INSERT INTO jobs (id, kind, scenario_id, status) "
                "VALUES (gen_random_uuid(), 'siting', %s, 'done')",
                (sid,),
            )
    conn.commit()
    assert clean_job_rasters(web_settings.model_copy(update={"job_raster_retention_days": 30})) == 1
    assert [p.exists() for p in paths] == [False, True, True]
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM rasters")
        assert cur.fetchone()[0] == 2
    assert clean_job_rasters(web_settings.model_copy(update={"job_raster_retention_days": 0})) == 0
    conn.close()
    assert os.path.exists(paths[1])


def _queue(conn, queue_ids: list[int]) -> dict[int, str]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, status::text FROM procrastinate_jobs WHERE id = ANY(%s)", (queue_ids,)
        )
        found = dict(cur.fetchall())
    conn.rollback()
    return found


def test_finished_jobs_go_after_the_retention_time(planner, workers, tmp_path):
    """A real worker's upkeep deletes finished jobs older than ``job_retention_days``.

    Done, failed and cancelled jobs finished "31 days ago" (their queue events and rows moved
    back) go from the queue with their events and from ``jobs``, and the old raster of their
    scenario goes too. A job finished now, and a job still waiting, stay; the scenario stays.
    """
    _client, settings = planner
    conn = connect(settings)
    raster = tmp_path / "old.tif"
    raster.write_bytes(b"II*\x00")
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO scenarios (kind, name, params, results, input_versions) "
            "VALUES ('siting', 'old', '{}', '{}', '{}') RETURNING id"
        )
        scenario = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO rasters (scenario_id, kind, path, epsg, cell_size_m, created_at) "
            "VALUES (%s, 'suitability', %s, 32648, 30, now() - interval '40 days')",
            (scenario, str(raster)),
        )
    jobs, queued = {}, {}
    for name in ("done_old", "failed_old", "cancelled_old", "done_new", "waiting"):
        jobs[name] = str(uuid.uuid4())
        insert_job(conn, jobs[name], "siting", {}, created_by="planner")
        if name.startswith("done"):  # a worker skips a job its row says is over
            update_job(conn, jobs[name], status="done", scenario_id=scenario)
        # no worker takes a job of a million MB: it waits in its queue
        queued[name] = defer(conn, jobs[name], 1_000_000 if name == "waiting" else 0)
        update_job(conn, jobs[name], queue_job_id=queued[name])
    assert cancel(conn, queued["cancelled_old"]) == "cancelled"
    update_job(conn, jobs["cancelled_old"], status="cancelled")
    conn.commit()

    workers.env.update(
        LANGNGHE_JOB_UPKEEP_CRON="* * * * * *",  # every second
        LANGNGHE_JOB_RETENTION_DAYS="30",
        LANGNGHE_JOB_RASTER_RETENTION_DAYS="30",
    )
    workers.start("keeper", "--memory-mb", "512")
    workers.ready("keeper")
    final = {"succeeded", "failed", "cancelled"}
    deadline = time.monotonic() + 60
    while not final >= set(_queue(conn, [queued[n] for n in queued if n != "waiting"]).values()):
        assert time.monotonic() < deadline, _queue(conn, list(queued.values()))
        time.sleep(0.2)
    status = _queue(conn, list(queued.values()))
    assert [status[queued[n]] for n in queued] == [
        "succeeded",
        "failed",
        "cancelled",
        "succeeded",
        "todo",
    ]
    time.sleep(3)  # several upkeep runs: nothing is old enough yet
    assert len(_queue(conn, list(queued.values()))) == 5

    old = [jobs[n] for n in ("done_old", "failed_old", "cancelled_old", "waiting")]
    old_queue = [queued[n] for n in ("done_old", "failed_old", "cancelled_old", "waiting")]
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE procrastinate_events SET at = at - interval '31 days' WHERE job_id = ANY(%s)",
            (old_queue,),
        )
        cur.execute(
            "UPDATE jobs SET updated_at = now() - interval '31 days' WHERE id = ANY(%s::uuid[])",
            (old,),
        )
    conn.commit()

    gone = [queued[n] for n in ("done_old", "failed_old", "cancelled_old")]
    deadline = time.monotonic() + 60
    while True:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT id::text FROM jobs WHERE id = ANY(%s::uuid[])", (list(jobs.values()),)
            )
            rows = {r[0] for r in cur.fetchall()}
        conn.rollback()
        if not set(_queue(conn, gone)) and rows == {jobs["done_new"], jobs["waiting"]}:
            break
        assert time.monotonic() < deadline, (rows, _queue(conn, list(queued.values())))
        time.sleep(0.2)
    assert not raster.exists()
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM procrastinate_events WHERE job_id = ANY(%s)", (gone,))
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM scenarios WHERE id = %s", (scenario,))
        assert cur.fetchone()[0] == 1
        cur.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'langnghe.remove_old_jobs' "
            "AND status = 'succeeded'"
        )
        assert cur.fetchone()[0] >= 1  # the worker ran the upkeep
    assert _queue(conn, [queued["done_new"], queued["waiting"]]) == {
        queued["done_new"]: "succeeded",
        queued["waiting"]: "todo",
    }
    conn.close()


def test_a_finished_job_stays_while_its_scenario_has_rasters(web_settings):
    """The raster retention finds a job's rasters through its row: the row goes after them."""
    conn = connect(web_settings)
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO scenarios (kind, name, params, results, input_versions) "
            "VALUES ('siting', 'kept', '{}', '{}', '{}') RETURNING id"
        )
        scenario = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO rasters (scenario_id, kind, path, epsg, cell_size_m) "
            "VALUES (%s, 'suitability', '/nonexistent/kept.tif', 32648, 30) RETURNING id",
            (scenario,),
        )
        raster = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO jobs (id, kind, status, scenario_id, updated_at) VALUES "
            "(gen_random_uuid(), 'siting', 'done', %s, now() - interval '40 days'), "
            "(gen_random_uuid(), 'siting', 'failed', NULL, now() - interval '40 days'), "
            "(gen_random_uuid(), 'siting', 'running', NULL, now() - interval '40 days'), "
            "(gen_random_uuid(), 'siting', 'done', NULL, now() - interval '20 days')",
            (scenario,),
        )
    assert delete_finished_jobs(conn, 30) == 1  # the failed one: no rasters, finished long ago
    assert forget_rasters(conn, [raster]) == 1
    assert delete_finished_jobs(conn, 30) == 1  # now the done one
    with conn.cursor() as cur:
        cur.execute("SELECT status FROM jobs ORDER BY status")
        assert [r[0] for r in cur.fetchall()] == ["done", "running"]
    conn.rollback()
    conn.close()
