"""The OpenAPI document lists every operation the app serves; 405 answers carry ``Allow``."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.postgis
METHODS = {"get", "post", "put", "patch", "delete"}


def _pattern(rule: str) -> re.Pattern[str]:
    """A Flask rule as a regex over document paths (a variable matches a value or ``{name}``)."""
    parts = re.split(r"<[^>]+>", rule)
    return re.compile("^" + r"(?:[^/{}]+|\{[a-zA-Z_]+\})".join(map(re.escape, parts)) + "$")


def test_every_route_is_documented_with_bodies_roles_and_security(client):
    doc = client.get("/api").get_json()
    validate(doc)
    app = client.application
    documented = {(p, m) for p, ops in doc["paths"].items() for m in ops if m in METHODS}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            pattern = _pattern(rule.rule)
            if not any(m == method.lower() and pattern.match(p) for p, m in documented):
                missing.append(f"{method} {rule.rule}")
    assert missing == []
    assert len(documented) >= 90
    ops = {(p, m): doc["paths"][p][m] for p, m in documented}
    # Every write has a body where it takes one, and says who may call it.
    siting = ops[("/api/siting", "post")]
    body = siting["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["bbox"] and {"ahp", "weights", "cell_m"} <= set(body["properties"])
    assert siting["x-roles"] == ["admin", "planner"]
    assert siting["security"] == [{"bearerToken": []}, {"sessionCookie": [], "csrfToken": []}]
    upload = ops[("/api/measurements", "post")]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert upload["x-roles"] == ["admin", "env_officer"]
    assert ops[("/collections/villages/items", "post")]["x-roles"] == ["admin", "planner"]
    assert ops[("/collections/stations/items/{featureId}", "patch")]["x-roles"] == [
        "admin",
        "env_officer",
    ]
    assert ops[("/api/audit", "get")]["security"] == [{"bearerToken": []}, {"sessionCookie": []}]
    assert "security" not in ops[("/search", "get")]
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerToken"]["scheme"] == "bearer"
    assert schemes["sessionCookie"]["in"] == "cookie" and schemes["csrfToken"]["in"] == "header"
    unsafe = [k for k, op in ops.items() if k[1] != "get"]
    assert all("405" in ops[k]["responses"] and "400" in ops[k]["responses"] for k in unsafe)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/siting", {"POST"}),
        ("PUT", "/search", {"GET", "HEAD", "OPTIONS"}),
        ("POST", "/api/scenarios/3", {"GET", "HEAD", "OPTIONS", "DELETE"}),
        ("PATCH", "/api/measurements", {"POST"}),
    ],
)
def test_405_says_which_methods_are_allowed(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= allowed - {"OPTIONS"}
    body = response.get_json()
    assert body["code"] == "MethodNotAllowed" and body["description"]
