"""The playground's API document describes the API as it behaves: Schemathesis generates
requests from ``/openapi.json`` (valid ones and broken ones) and checks every answer against it:
no 5xx, only documented status codes and bodies, broken requests refused.

One check is ours instead of Schemathesis's ``positive_data_acceptance``: a schema cannot say
that an expression must parse, that bounds need lo <= hi, or that the start has as many
coordinates as the problem, so a request valid by the document may get a 400 — but only for
those fields, with the documented body. Any other refusal of a valid request fails the test.
"""

import pytest

schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("fastapi")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from descentlab.playground.app import create_app  # noqa: E402
from descentlab.playground.workers import Workers  # noqa: E402

#: The fields whose rules the schema cannot state (see the module's docstring).
BEYOND_THE_SCHEMA = {"problem.expr", "problem.bounds", "start"}

WORKERS = Workers(processes=2)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(workers=WORKERS))


@pytest.fixture(scope="module", autouse=True)
def _stop_the_workers():
    yield
    WORKERS.close()


@schemathesis.check
def valid_requests_are_accepted(ctx, response, case):
    """A request valid by the schema gets a 200, or a 400 for a rule the schema cannot state."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code < 300:
        return None
    body = response.json()
    if response.status_code == 400 and body.get("field") in BEYOND_THE_SCHEMA:
        return None
    raise AssertionError(f"a valid request was refused with {response.status_code}: {body}")


@pytest.mark.slow  # Schemathesis generates 40 requests per operation
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_behaves_as_its_document_says(case):
    case.call_and_validate(excluded_checks=[positive_data_acceptance],
                           additional_checks=[valid_requests_are_accepted])  # fmt: skip
