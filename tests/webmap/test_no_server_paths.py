"""Finding 14 of issue 13: scenario details, lists, reports and jobs show file names, never
the server's file paths, to planners and officers."""

from __future__ import annotations

import json
import uuid

import pytest

from gis.db import connect
from tests.webmap.conftest import bearer
from webmap.app import create_app

pytestmark = pytest.mark.postgis
SECRET_DIRS = ("/srv/langnghe-secret/", "../private-data/", "/work/")


@pytest.fixture
def stored(web_settings):
    conn = connect(web_settings)
    job_id = str(uuid.uuid4())
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO scenarios (kind, name, params, input_versions, results)"
            " VALUES ('siting', 'paths test', %s, %s, %s) RETURNING id",
            (
                json.dumps({"dem": "/srv/langnghe-secret/dem/N21E105.tif", "cell_m": 30}),
                json.dumps({"landuse_file": {"path": "../private-data/landuse.gpkg", "bytes": 1}}),
                json.dumps(
                    {
                        "candidates": 0,
                        "area_limits_ha": [10, 75],
                        "threshold": 0.5,
                        "weights_from": "model",
                        "criteria": [],
                        "excluded_cells": {},
                        "leader_stable": True,
                        "sensitivity": [],
                        "notes": ["/work/shared/data/roads/vn.geojson: 12 lines in the area"],
                    }
                ),
            ),
        )
        scenario_id = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO jobs (id, kind, status, error) VALUES (%s, 'siting', 'failed', %s)",
            (job_id, "dem file /srv/langnghe-secret/dem/gone.tif does not exist"),
        )
    conn.commit()
    yield scenario_id, job_id
    with conn.cursor() as cur:
        cur.execute("DELETE FROM jobs WHERE id = %s", (job_id,))
        cur.execute("DELETE FROM scenarios WHERE id = %s", (scenario_id,))
    conn.commit()
    conn.close()


@pytest.mark.parametrize("role", ["planner", "env_officer"])
def test_scenarios_and_jobs_show_file_names_only(web_settings, accounts, stored, role):
    scenario_id, job_id = stored
    app = create_app(web_settings)
    client = app.test_client()
    auth = bearer(accounts[role])
    try:
        pages = {
            "detail": client.get(f"/api/scenarios/{scenario_id}", headers=auth),
            "list": client.get("/api/scenarios", headers=auth),
            "report": client.get(f"/scenarios/{scenario_id}/report", headers=auth),
            "job": client.get(f"/api/jobs/{job_id}", headers=auth),
        }
        for name, response in pages.items():
            assert response.status_code == 200, name
            text = response.get_data(as_text=True)
            assert not [d for d in SECRET_DIRS if d in text], (name, text[:2000])
        detail = pages["detail"].get_json()
        assert detail["params"]["dem"] == "N21E105.tif"
        assert detail["input_versions"]["landuse_file"]["path"] == "landuse.gpkg"
        assert detail["results"]["notes"] == ["vn.geojson: 12 lines in the area"]
        assert detail["links"]["report"] == f"/scenarios/{scenario_id}/report"  # URLs kept
        assert pages["job"].get_json()["error"] == "dem file gone.tif does not exist"
    finally:
        app.extensions["langnghe_db"].close()
