"""Open-data downloads of a plan that was never published are 404 for every
role, its own agency's officials and administrators included (open data is
what the public sees); the access table covers the public plan's downloads."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consultation import services as consultation_services
from tests.security.access import ROLES
from tests.security.sweep import fresh_ip
from tests.security.world import build_world


@pytest.mark.django_db
def test_a_draft_plans_downloads_are_hidden_from_every_role():
    world = build_world()
    official = world.users["official"]
    draft = consultation_services.create_plan(
        user=official,
        agency=world.agency,
        title="Draft plan",
        slug="draft-plan",
        summary="Not yet published.",
    )
    assert draft.current_version is None  # never published: a draft
    urls = [
        reverse("opendata_zip", kwargs={"kind": "plan", "key": draft.slug}),
        reverse(
            "opendata_table",
            kwargs={"kind": "plan", "key": draft.slug, "table": "plans", "fmt": "csv"},
        ),
    ]
    public = reverse("opendata_zip", kwargs={"kind": "plan", "key": world.plan.slug})
    for role in ROLES:
        client = Client(REMOTE_ADDR=fresh_ip())
        if world.users[role].is_authenticated:
            client.force_login(world.users[role])
        for url in urls:
            assert client.get(url).status_code == 404, (role, url)
    # The same request for the open plan is served (the 404 is the draft's).
    assert Client(REMOTE_ADDR=fresh_ip()).get(public).status_code == 200
