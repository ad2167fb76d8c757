"""Schemathesis against the live server, from the document the server publishes: valid
requests are accepted, invalid ones refused with a documented status, every answer matches
the document. Bounded (a fixed number of examples per operation) so the suite stays quick."""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from webhook_ingest.openapi import document

SCHEMA = schemathesis.openapi.from_dict(document())
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    positive_data_acceptance,
    negative_data_rejection,
]


@SCHEMA.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.filter_too_much],
)  # fmt: skip
def test_the_server_keeps_its_published_promises(case, live):
    case.call_and_validate(
        base_url=f"http://{live.host}:{live.port}",
        headers={"Authorization": f"Bearer {live.key}"},
        checks=CHECKS,
    )
