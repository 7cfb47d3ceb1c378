"""Property-based tests of the whole REST API against its own OpenAPI schema
(schemathesis, in-process through the WSGI app).

Every operation gets a bounded, derandomised set of generated requests, as a
visitor and as a logged-in member (writes with a valid CSRF token, so they
reach validation and the services). Checks: no 5xx, the status code is one
the schema documents, and the body matches the documented schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.consultation.conftest import agency, make_plan, official  # noqa: F401
from tests.factories import UserFactory
from tests.forum.factories import ForumSessionFactory
from tests.helpers import session_cookie_for

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: the WSGI handler must not close the database
    connection that holds the test's transaction after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _something_to_find(db, official):  # noqa: F811
    """A published plan and a session, so that some reads find objects."""
    make_plan(official)
    ForumSessionFactory()


@pytest.fixture
def member_headers(db):
    token = _get_new_csrf_string()
    session = session_cookie_for(UserFactory(display_name="Fuzz"))
    return {
        "Cookie": f"{settings.CSRF_COOKIE_NAME}={token}; "
        f"{settings.SESSION_COOKIE_NAME}={session}",
        "X-CSRFToken": token,
    }


# Loaded when the module is collected: generating the schema needs no
# database. (schemathesis.pytest.from_fixture does not work with pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

BOUNDED = hypothesis_settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@BOUNDED
def test_as_a_visitor(case):
    case.call_and_validate(checks=CHECKS)


@schema.include(method=["POST", "PUT", "PATCH", "DELETE"]).parametrize()
@BOUNDED
def test_writes_as_a_member(case, member_headers):
    case.call_and_validate(headers=member_headers, checks=CHECKS)
