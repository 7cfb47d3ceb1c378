"""Who may do what: every role × vote, add a statement, moderate, see a
private report (through the real HTTP endpoints)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.roles import Role
from clustering import services
from tests.factories import AgencyFactory, make_user
from tests.helpers import post_json

ROLES = ["anonymous", "citizen", "moderator", "official", "other_official", "admin"]

# role: (vote when "anyone", vote when "members", add statement when "members",
#        moderate, view private report)
EXPECTED = {
    "anonymous": (True, False, False, False, False),
    "citizen": (True, True, True, False, False),
    "moderator": (True, True, True, True, True),
    "official": (True, True, True, False, True),
    "other_official": (True, True, True, False, False),
    "admin": (True, True, True, True, True),
}


@pytest.fixture
def setup(db):
    agency = AgencyFactory()
    users = {
        "citizen": make_user(),
        "moderator": make_user(Role.MODERATOR),
        "official": make_user(Role.OFFICIAL, agency=agency),
        "other_official": make_user(Role.OFFICIAL, agency=AgencyFactory()),
        "admin": make_user(Role.ADMINISTRATOR),
    }
    conversation = services.create_conversation(
        user=users["moderator"],
        agency=agency,
        topic="Budget priorities",
        is_private=True,
        statement_policy="members",
    )
    services.seed_statements(
        conversation=conversation, user=users["moderator"], text="One\nTwo\nThree"
    )
    return conversation, users


def client_for(role, users):
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_permission_table(setup, role):
    conversation, users = setup
    vote_any, vote_members, add, moderate, report = EXPECTED[role]
    client = client_for(role, users)
    pk = conversation.pk
    first, second, _third = conversation.statements.values_list("pk", flat=True)

    r = post_json(
        client, f"/api/conversations/{pk}/votes/", {"statement": first, "value": 1}
    )
    assert (r.status_code in (200, 201)) == vote_any, r.content

    conversation.vote_policy = "members"
    conversation.save()
    r = post_json(
        client, f"/api/conversations/{pk}/votes/", {"statement": second, "value": 1}
    )
    assert (r.status_code in (200, 201)) == vote_members, r.content
    if not vote_members:
        assert r.status_code == 403

    r = post_json(
        client,
        f"/api/conversations/{pk}/statements/",
        {"text": f"New idea from {role}"},
    )
    assert (r.status_code == 201) == add, r.content

    r = client.get(f"/conversations/{pk}/moderate/")
    assert (r.status_code == 200) == moderate
    if not moderate:
        assert r.status_code == 403

    for url in (
        f"/conversations/{pk}/report/",
        f"/conversations/{pk}/report/data/",
        f"/conversations/{pk}/export.zip",
        f"/conversations/{pk}/analysis.json",
        f"/api/conversations/{pk}/analysis/",
    ):
        r = client.get(url)
        if report:
            assert r.status_code in (200, 404) and (
                r.status_code == 200 or "analysis" in url
            ), url
        else:
            assert r.status_code == 404, url


def test_closed_conversation_takes_no_votes_or_statements(setup):
    conversation, users = setup
    conversation.is_open = False
    conversation.save()
    client = client_for("admin", users)
    sid = conversation.statements.first().pk
    r = post_json(
        client,
        f"/api/conversations/{conversation.pk}/votes/",
        {"statement": sid, "value": 1},
    )
    assert r.status_code == 403 and "closed" in r.json()["detail"]
    r = post_json(
        client, f"/api/conversations/{conversation.pk}/statements/", {"text": "Late"}
    )
    assert r.status_code == 403
