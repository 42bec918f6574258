"""The tourist's day through the web API (issue 15): priorities, the visitor's order, the date
and start time, the lunch break, the walking limit, the printable plan."""

from __future__ import annotations

import itertools

import pytest

pytestmark = pytest.mark.postgis
THREE = ("HN-KIEU-KY", "HN-BAT-TRANG", "HN-VAN-PHUC")
MUST = "must=HN-BAT-TRANG,HN-VAN-PHUC&date=2026-12-02&budget=480"


def _plan(client, query: str) -> dict:
    response = client.get("/api/tour?" + query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_dropped_stops_do_not_depend_on_the_picking_order(client):
    dropped = set()
    for order in itertools.permutations(THREE):
        plan = _plan(client, f"villages={','.join(order)}&{MUST}&lang=en")
        dropped.add(tuple(d["ref"] for d in plan["dropped"]))
        assert {s["ref"] for s in plan["stops"]} == {"HN-BAT-TRANG", "HN-VAN-PHUC"}
        assert {s["priority"] for s in plan["stops"]} == {"must"}
    assert dropped == {("HN-KIEU-KY",)}  # the nice-to-have, never the famous two


def test_the_visitors_order_date_start_and_lunch(client):
    plan = _plan(
        client,
        "villages=HN-VAN-PHUC,HN-KIM-LAN,HN-BAT-TRANG&order=given&start_time=09:15"
        "&date=2026-12-02&budget=600&lang=vi",
    )
    assert [s["ref"] for s in plan["stops"]] == ["HN-VAN-PHUC", "HN-KIM-LAN", "HN-BAT-TRANG"]
    assert plan["start"]["time"] == "09:15" and plan["stops"][0]["arrive"] >= "09:15"
    lunch = plan["lunch"]
    assert "11:30" <= lunch["start"] <= "13:00" and lunch["after"] in {
        s["ref"] for s in plan["stops"]
    }
    assert plan["stops"][0]["hours"]["text"] == "hằng ngày: 08:00–18:00"
    none = _plan(client, "villages=HN-BAT-TRANG&lunch=false&date=2026-12-02&lang=en")
    assert none["lunch"] is None


def test_sunday_closes_a_village_open_monday_to_saturday(client):
    sunday = _plan(client, "villages=HN-KIEU-KY,HN-BAT-TRANG&date=2026-12-06&lang=en")
    assert [d["ref"] for d in sunday["dropped"]] == ["HN-KIEU-KY"]
    monday = _plan(client, "villages=HN-KIEU-KY,HN-BAT-TRANG&date=2026-12-07&lang=en")
    assert monday["dropped"] == []


def test_a_long_walk_warns(client):
    plan = _plan(client, "villages=HN-BAT-TRANG&mode=walk&budget=720&date=2026-12-02&lang=en")
    assert plan["distance_m"] > plan["walk_limit_m"]
    assert any(n["code"] == "tour.walk_over_limit" for n in plan["notes"])
    short = _plan(client, "villages=HN-BAT-TRANG&mode=motorbike&date=2026-12-02&lang=en")
    assert not any(n["code"] == "tour.walk_over_limit" for n in short["notes"])


def test_themed_tours_propose_only_villages_that_welcome_visitors(client):
    plan = _plan(client, "theme=metal&date=2026-12-02&budget=720&lang=en")
    refs = {s["ref"] for s in plan["stops"]} | {d["ref"] for d in plan["dropped"]}
    assert refs and not refs & {"HN-DA-SY", "HN-PHUNG-XA", "ND-VAN-CHANG"}


def test_the_printable_plan_is_labelled_right(client):
    page = client.get(
        "/tour/print?villages=HN-KIEU-KY,HN-BAT-TRANG&date=2026-12-02&lang=en"
    ).get_data(as_text=True)
    assert 'name="viewport"' in page
    assert "<th>Arrival – departure</th>" in page and "<th>Opening hours</th>" in page
    assert "Monday to Saturday: 08:00–17:00; Sunday: closed" in page
    assert "Mo-Sa" not in page and "Lunch break" in page
