"""Finding 5 of issue 13: a scenario is deleted by its owner or an admin only, every delete
leaves an audit row, and the list shows who made each scenario."""

from __future__ import annotations

import pytest

from gis.db import connect
from tests.webmap.conftest import bearer
from webmap.app import create_app
from webmap.auth import add_user, create_token

pytestmark = pytest.mark.postgis


@pytest.fixture
def other_planner(web_settings) -> str:
    conn = connect(web_settings)
    with conn.cursor() as cur:
        cur.execute("DELETE FROM users WHERE username = 'planner-two'")
    conn.commit()
    add_user(conn, "planner-two", "planner-two-pass-123", "planner")
    token = create_token(conn, "planner-two", "tests")
    conn.commit()  # add_user and create_token use the caller's transaction
    conn.close()
    return token


def _make(settings, owner: str) -> int:
    conn = connect(settings)
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO scenarios (kind, name, created_by) VALUES ('compliance', %s, %s)"
            " RETURNING id",
            (f"owned by {owner}", owner),
        )
        (sid,) = cur.fetchone()
    conn.commit()
    conn.close()
    return sid


def _audit(settings, sid: int) -> list[tuple]:
    conn = connect(settings)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, actor, action, before->>'name' FROM audit_log"
            " WHERE table_name = 'scenarios' AND row_ref = %s",
            (str(sid),),
        )
        rows = cur.fetchall()
    conn.close()
    return rows


def test_only_the_owner_or_an_admin_deletes_and_each_delete_is_audited(
    web_settings, accounts, other_planner
):
    app = create_app(web_settings)
    client = app.test_client()
    try:
        theirs = _make(web_settings, "planner-two")
        listed = client.get("/api/scenarios", headers=bearer(accounts["planner"])).get_json()
        assert {s["id"]: s["created_by"] for s in listed["scenarios"]}[theirs] == "planner-two"

        refused = client.delete(f"/api/scenarios/{theirs}", headers=bearer(accounts["planner"]))
        assert refused.status_code == 403
        assert (
            client.get(f"/api/scenarios/{theirs}", headers=bearer(other_planner)).status_code == 200
        )
        assert _audit(web_settings, theirs) == []

        mine = _make(web_settings, "planner")
        done = client.delete(f"/api/scenarios/{mine}", headers=bearer(accounts["planner"]))
        assert done.status_code == 200
        [(_, actor, action, name)] = _audit(web_settings, mine)
        assert (actor, action, name) == ("planner", "delete", "owned by planner")

        by_admin = client.delete(f"/api/scenarios/{theirs}", headers=bearer(accounts["admin"]))
        assert by_admin.status_code == 200
        [(audit_id, actor, _, _)] = _audit(web_settings, theirs)
        assert actor == "admin"
        undo = client.post(f"/api/audit/{audit_id}/revert", headers=bearer(accounts["admin"]))
        assert undo.status_code == 400  # files are gone: said so, not a 500
    finally:
        app.extensions["langnghe_db"].close()
