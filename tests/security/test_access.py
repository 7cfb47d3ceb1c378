"""The authorisation sweep: every route × method × role gets exactly the
documented access (tests/security/access.py, mirrored in docs/security.md).

Generated from the URL conf: a route without a rule fails, and so does a rule
for a route that no longer exists.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from tests.security.access import ROLES, RULES, render_markdown
from tests.security.routes import all_routes, external_group, project_routes
from tests.security.sweep import METHODS, classify, request
from tests.security.world import build_world

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ROUTES = project_routes()


def test_every_route_has_an_access_rule():
    names = {r.name for r in ROUTES}
    missing = sorted(names - set(RULES))
    assert not missing, (
        "Routes without an access rule (add them to tests/security/access.py "
        "and docs/security.md):\n" + "\n".join(missing)
    )
    stale = sorted(set(RULES) - names)
    assert not stale, "Rules for routes that no longer exist:\n" + "\n".join(stale)


def test_external_routes_are_only_the_known_libraries():
    others = {r.module for r in all_routes() if external_group(r)}
    assert others, "the admin and allauth routes should be grouped"
    assert all(external_group(r) for r in all_routes() if r.name not in RULES)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world for the whole sweep (building it is most of a route's time),
    inside a transaction rolled back at the end of the module; each test runs
    in a savepoint of it and every request is rolled back as well."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_route_gives_each_role_the_documented_access(route, world):
    rule = RULES.get(route.name)
    if rule is None:
        pytest.fail(f"{route.name} has no access rule")
    failures = []
    for method in METHODS:
        expected = rule.get(method)
        for i, role in enumerate(ROLES):
            got = classify(request(world, route, method, role))
            want = expected.split()[i] if expected else None
            if got == "error":
                failures.append(f"{method} as {role}: server error")
            elif want is None and got == "ok":
                failures.append(f"{method} as {role}: undocumented method succeeded")
            elif want is not None and got != want:
                failures.append(f"{method} as {role}: expected {want}, got {got}")
    assert not failures, f"{route.name} ({route.pattern}):\n" + "\n".join(failures)


def test_docs_mirror_the_access_table():
    text = DOC.read_text()
    assert render_markdown() in text, (
        "docs/security.md is out of date: paste the output of "
        "`python -m tests.security.access` into it"
    )
