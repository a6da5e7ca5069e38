"""Fuzzing: schemathesis calls every operation of /api/v1/openapi.json with generated
input, as a token-carrying client, and checks that nothing answers 5xx and that every
answer matches the schema. Bounded: GONGZHI_FUZZ_EXAMPLES examples per operation (30)."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from gongzhi.accounts import tokens
from tests.factories import report_case

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("GONGZHI_FUZZ_EXAMPLES", "30"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def _keep_the_test_connection():
    # Requests go straight to the WSGI handler, which closes "old" connections after each
    # one; the test's transaction lives on that connection. Django's test client does this.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz(world, settings, _keep_the_test_connection):
    """A dispatcher's token, and a few real cases for generated input to land on."""
    settings.GONGZHI = {**settings.GONGZHI, "RATE_LIMITS": {}}  # fuzz the intake, not the limit
    _token, raw = tokens.do_issue(user=world.dispatcher, name="fuzz")
    numbers = []
    for text, point in [("西关街井盖缺失", world.point), ("平安镇路面坑洼", world.other_point)]:
        case = report_case(
            world, world.manhole, point=point, channel="api", title="", description=text
        )
        numbers.append(case.number)
    return {"Authorization": f"Bearer {raw}"}, numbers


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same examples on every run: CI does not flicker
)
def test_no_server_errors_and_answers_match_the_schema(case, fuzz):
    headers, numbers = fuzz
    # Half of the generated case numbers are swapped for real ones (one this dispatcher may
    # see, one they may not), so that the actions run against real cases too.
    number = (case.path_parameters or {}).get("number")
    if number is not None and len(number) % 2 == 0:
        case.path_parameters["number"] = numbers[len(number) % 4 // 2]
    case.call_and_validate(
        headers=headers, checks=[not_a_server_error, response_schema_conformance]
    )
