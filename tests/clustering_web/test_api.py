"""The REST API: shapes, per-field JSON errors, CSRF for anonymous callers,
rate limits, private results, and the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from clustering.services import run_analysis
from tests.clustering_web.conftest import vote_in_groups
from tests.helpers import post_json


@pytest.fixture
def ids(conversation):
    return list(conversation.statements.values_list("pk", flat=True))


@pytest.mark.django_db
def test_list_detail_next_vote_flow_for_an_anonymous_browser(client, conversation, ids):
    listing = client.get("/api/conversations/").json()
    assert listing["results"][0]["id"] == conversation.pk
    assert listing["results"][0]["n_statements"] == 12
    detail = client.get(f"/api/conversations/{conversation.pk}/").json()
    assert len(detail["statements"]) == 12 and detail["analysis"]["id"] is None
    nxt = client.get(f"/api/conversations/{conversation.pk}/next/")
    assert "csrftoken" in nxt.cookies
    body = nxt.json()
    assert body["progress"] == {"voted": 0, "total": 12} and body["can_vote"]
    sid = body["statement"]["id"]
    r = post_json(
        client,
        f"/api/conversations/{conversation.pk}/votes/",
        {"statement": sid, "value": 1},
    )
    assert r.status_code == 201, r.content
    assert r.json()["progress"] == {"voted": 1, "total": 12}
    r = post_json(
        client,
        f"/api/conversations/{conversation.pk}/votes/",
        {"statement": sid, "value": -1},
    )
    assert r.status_code == 200 and r.json()["changed"] and r.json()["previous"] == 1
    assert (
        client.get(f"/api/conversations/{conversation.pk}/next/").json()["statement"][
            "id"
        ]
        != sid
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"statement", "value"}),
        ({"statement": "x", "value": 1}, {"statement"}),
        ({"statement": 1, "value": 5}, {"value"}),
        ({"statement": 10**9, "value": 1}, {"statement"}),
        ([1, 2], {"non_field_errors"}),
    ],
)
def test_vote_errors_are_json_per_field(client, conversation, payload, fields):
    r = post_json(client, f"/api/conversations/{conversation.pk}/votes/", payload)
    assert r.status_code == 400
    assert set(r.json()) == fields


@pytest.mark.django_db
def test_statement_endpoint(client, conversation):
    url = f"/api/conversations/{conversation.pk}/statements/"
    r = post_json(client, url, {"text": "Publish the portal's usage figures"})
    assert r.status_code == 201 and r.json()["status"] == "pending"
    assert post_json(client, url, {"text": "y" * 300}).json().keys() == {"text"}
    assert post_json(client, url, {}).status_code == 400


@pytest.mark.django_db
def test_anonymous_writes_need_the_csrf_token(conversation):
    client = Client(enforce_csrf_checks=True)
    url = f"/api/conversations/{conversation.pk}/votes/"
    sid = conversation.statements.first().pk
    assert post_json(client, url, {"statement": sid, "value": 1}).status_code == 403
    client.get(f"/api/conversations/{conversation.pk}/next/")
    token = client.cookies["csrftoken"].value
    r = post_json(client, url, {"statement": sid, "value": 1}, HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 201


@pytest.mark.django_db
@override_settings(CLUSTERING_VOTE_RATE="3/minute")
def test_votes_are_rate_limited(client, conversation, ids):
    url = f"/api/conversations/{conversation.pk}/votes/"
    codes = [
        post_json(client, url, {"statement": s, "value": 1}).status_code
        for s in ids[:4]
    ]
    assert codes == [201, 201, 201, 429]


@pytest.mark.django_db
@override_settings(CLUSTERING_VOTE_IP_RATE="2/minute")
def test_votes_are_rate_limited_per_ip_too(conversation, ids):
    url = f"/api/conversations/{conversation.pk}/votes/"
    codes = [
        post_json(
            Client(), url, {"statement": s, "value": 1}, REMOTE_ADDR="10.7.7.7"
        ).status_code
        for s in ids[:3]
    ]
    assert codes == [201, 201, 429]


@pytest.mark.django_db
def test_analysis_endpoint_and_private_results(
    client, conversation, official, moderator
):
    url = f"/api/conversations/{conversation.pk}/analysis/"
    assert client.get(url).status_code == 404  # nothing yet
    vote_in_groups(conversation, 16)
    run_analysis(conversation.pk)
    doc = client.get(url).json()
    assert doc["result"]["schema"] == "agora.clustering/1" and doc["result"]["k"] == 2
    assert doc["licence"]["url"].startswith("https://creativecommons.org/")
    conversation.is_private = True
    conversation.save()
    assert client.get(url).status_code == 404
    detail = client.get(f"/api/conversations/{conversation.pk}/").json()
    assert detail["analysis"]["n_votes"] is None
    client.force_login(moderator)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_openapi_schema_lists_the_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in [
        "/api/conversations/",
        "/api/conversations/{id}/",
        "/api/conversations/{id}/next/",
        "/api/conversations/{id}/votes/",
        "/api/conversations/{id}/statements/",
        "/api/conversations/{id}/analysis/",
    ]:
        assert path in schema["paths"], path
