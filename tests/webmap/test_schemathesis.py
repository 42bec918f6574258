"""Schemathesis against our OpenAPI document (served at /api): every operation, for every role.

The document lists every operation of the app (reads, writes, analyses, pages, sign-in;
``tests/webmap/test_openapi.py`` checks none is missing). Each is called with generated
requests as an anonymous visitor and with an API token of each role: no server error, and
every response conforms to the document (status codes, content types, headers, bodies).
Jobs that a generated request starts are queued, not run (``test_fuzz`` runs real ones).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from tests.webmap.conftest import bearer
from webmap.app import create_app

pytestmark = pytest.mark.postgis
EXAMPLES = 5  # per operation and role: 4 callers x 5 = 20 requests per operation
ROLES = (None, "planner", "env_officer", "admin")
# Every check but "positive data acceptance": some rules span several values (a bbox's
# latitudes within -90..90 and min < max) and OpenAPI 3.0 cannot state them, so a
# schema-valid bbox may rightly get a 400. Server errors, status codes, content types,
# headers and response schemas are all checked.
# And "ignored auth": it replays a success with a made-up session cookie and expects 401/403,
# but an unsafe request that carries a session cookie without its CSRF header is refused
# with 400 before the caller is looked up (the CSRF check comes first, as it must); the role
# matrix (401 without credentials or with a revoked token, 403 for the wrong role, on every
# write) is test_accounts'.
EXCLUDED = [positive_data_acceptance, ignored_auth]


def _checker(operation, headers: dict[str, str], calls: list[int]):
    """A Hypothesis test of ``operation`` sending ``headers``."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case):
        calls[0] += 1
        case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

    return check


def test_every_operation_conforms(web_settings, accounts):
    app = create_app(
        web_settings.model_copy(
            update={
                "items_default_limit": 10,
                "rate_heavy": "100000 per minute",
                "rate_login": "100000 per minute",
                "jobs_in_process": False,  # no worker: a job stays queued
            }
        )
    )
    schema = schemathesis.openapi.from_wsgi("/api", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 90
    failures = {}
    calls = [0]
    for operation in operations:
        for role in ROLES:
            headers = {"Accept-Language": "en", **(bearer(accounts[role]) if role else {})}

            check = _checker(operation, headers, calls)
            try:
                check()
            except (Exception, BaseExceptionGroup) as exc:  # every failure, reported at the end
                failures[f"{operation.label} as {role or 'anonymous'}"] = str(exc)[:600]
    app.extensions["langnghe_db"].close()
    print(f"\n{len(operations)} operations, {calls[0]} requests, {len(failures)} failures")
    assert failures == {}, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
