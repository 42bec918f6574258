"""Alerts on the web: rules added, edited, paused, deleted; alerts paged, filtered,
acknowledged and closed with a note; every write audited and undoable by an admin; only
environmental officers (and admins) write."""

from __future__ import annotations

import pytest

from tests.webmap.conftest import bearer

pytestmark = pytest.mark.postgis

RULE = {"name": "PM2.5 over 50 for 3 h", "parameter": "PM2.5", "threshold": 50, "min_hours": 3}


def _post(client, url, token, body=None):
    return client.post(url, json=body if body is not None else {}, headers=bearer(token))


def test_rules_and_alerts_by_an_officer_audited(client, accounts):
    officer, admin = accounts["env_officer"], accounts["admin"]
    assert client.post("/api/alert-rules", json=RULE).status_code == 401
    assert _post(client, "/api/alert-rules", accounts["planner"], RULE).status_code == 403
    made = _post(client, "/api/alert-rules", officer, RULE)
    assert made.status_code == 201, made.get_json()
    rule_id = made.get_json()["id"]
    again = _post(client, "/api/alert-rules", officer, RULE)
    assert again.status_code == 409
    both = _post(client, "/api/alert-rules", officer, {**RULE, "name": "x", "aqi_at_least": 150})
    assert both.status_code == 400
    unknown = _post(
        client, "/api/alert-rules?lang=vi", officer, {**RULE, "name": "y", "parameter": "XX"}
    )
    assert unknown.status_code == 400 and "XX" in unknown.get_json()["description"]
    created = _post(client, "/api/alerts/run", officer).get_json()["created"]
    assert created >= 3
    page = client.get(f"/api/alerts?rule={rule_id}&status=open&limit=2").get_json()
    assert page["total"] == created and len(page["alerts"]) == 2
    assert page["links"][0]["rel"] == "next" and "offset=2" in page["links"][0]["href"]
    first = page["alerts"][0]
    assert first["parameter"] == "PM2.5" and first["unit"] == "µg/m3" and first["lon"] is not None
    assert first["start"] >= page["alerts"][1]["start"]  # newest first
    url = f"/api/alerts/{first['id']}"
    assert client.post(url + "/acknowledge", json={"note": "x"}).status_code == 401
    ack = _post(client, url + "/acknowledge", officer, {"note": "Đã báo Sở TN&MT"})
    assert ack.status_code == 200 and ack.get_json()["status"] == "acknowledged"
    assert ack.get_json()["handled_by"] == "env-officer"
    closed = _post(client, url + "/close", officer, {"note": "Nguồn đốt rơm đã dừng"})
    assert closed.get_json()["status"] == "closed"
    assert closed.get_json()["note"] == "Nguồn đốt rơm đã dừng"
    refused = _post(client, url + "/acknowledge?lang=en", officer, {"note": "again"})
    assert refused.status_code == 409
    assert "closed (resolved)" in refused.get_json()["description"]
    closed_list = client.get(f"/api/alerts?status=closed&rule={rule_id}").get_json()
    assert [a["id"] for a in closed_list["alerts"]] == [first["id"]]
    # pause, then undo the pause from the audit log
    paused = client.patch(
        f"/api/alert-rules/{rule_id}", json={"active": False}, headers=bearer(officer)
    )
    assert paused.status_code == 200 and paused.get_json()["active"] is False
    rules = client.get("/api/alert-rules").get_json()["rules"]
    mine = next(r for r in rules if r["id"] == rule_id)
    assert mine["active"] is False and mine["closed"] == 1 and mine["open"] == created - 1
    log = client.get("/api/audit?table=alert_rules", headers=bearer(admin)).get_json()["entries"]
    assert [e["action"] for e in log][:2] == ["update", "insert"]
    undo = client.post(f"/api/audit/{log[0]['id']}/revert", headers=bearer(admin))
    assert undo.status_code == 200, undo.get_json()
    rules = client.get("/api/alert-rules").get_json()["rules"]
    assert next(r for r in rules if r["id"] == rule_id)["active"] is True
    handled = client.get("/api/audit?table=alerts", headers=bearer(admin)).get_json()["entries"]
    assert [e["details"]["status"] for e in handled][:2] == ["closed", "acknowledged"]
    assert [e["actor"] for e in handled][:2] == ["env-officer", "env-officer"]
    # delete: the rule and its alerts go, audited
    gone = client.delete(f"/api/alert-rules/{rule_id}", headers=bearer(officer)).get_json()
    assert gone["alerts_removed"] == created
    assert client.get(f"/api/alerts?rule={rule_id}").get_json()["total"] == 0
    log = client.get("/api/audit?table=alert_rules", headers=bearer(admin)).get_json()["entries"]
    assert log[0]["action"] == "delete"
    assert client.delete(f"/api/alert-rules/{rule_id}", headers=bearer(officer)).status_code == 404


def test_alert_filters_are_checked(client):
    assert client.get("/api/alerts?status=bogus").status_code == 400
    assert client.get("/api/alerts?since=yesterday").status_code == 400
    # offsets Python reads but PostgreSQL refuses (beyond 15:59, or with seconds) are UTC
    for since in ("1613-06-29T11:30:43.3-22:00", "2026-01-01T00:00:00+05:30:17"):
        answer = client.get("/api/alerts", query_string={"since": since})
        assert answer.status_code == 200, (since, answer.get_data(as_text=True))
    # an offset that takes the instant out of the calendar is a bad parameter, not a 500
    early = client.get("/api/alerts", query_string={"since": "0001-01-01T00:00+10:00"})
    assert early.status_code == 400
    assert client.get("/api/alerts?rule=0").status_code == 400
    assert client.get("/api/alerts?station=x'%3B--").get_json()["total"] == 0


def test_required_members_of_a_rule(client, accounts):
    officer = bearer(accounts["env_officer"])
    nameless = client.post("/api/alert-rules", json={**RULE, "name": None}, headers=officer)
    assert nameless.status_code == 400
    rule_id = client.post("/api/alert-rules", json=RULE, headers=officer).get_json()["id"]
    kept = client.patch(
        f"/api/alert-rules/{rule_id}", json={"min_hours": None, "name": None}, headers=officer
    )
    assert kept.status_code == 200 and kept.get_json()["min_hours"] == 3
    switched = client.patch(
        f"/api/alert-rules/{rule_id}", json={"aqi_at_least": 201}, headers=officer
    )
    assert switched.get_json()["parameter"] is None and switched.get_json()["aqi_at_least"] == 201
    half = client.patch(f"/api/alert-rules/{rule_id}", json={"threshold": 9}, headers=officer)
    assert half.status_code == 400
