"""Schemathesis against our OpenAPI document (served at /api): every operation, generated
requests, no server error and no response that breaks the schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from webmap.app import create_app

pytestmark = pytest.mark.postgis
EXAMPLES = 25  # per operation
# Every check but "positive data acceptance": some rules span several values (a bbox's
# latitudes within -90..90 and min < max) and OpenAPI 3.0 cannot state them, so a
# schema-valid bbox may rightly get a 400. Server errors, status codes, content types,
# headers and response schemas are all checked.


def test_every_operation_conforms(web_settings):
    app = create_app(web_settings.model_copy(update={"items_default_limit": 10}))
    schema = schemathesis.openapi.from_wsgi("/api", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case):
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures[operation.label] = str(exc)[:600]
    app.extensions["langnghe_db"].close()
    assert failures == {}, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
