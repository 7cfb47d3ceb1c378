"""The consultation REST API and its OpenAPI documentation."""

from __future__ import annotations

import pytest
import yaml
from django.test import Client

from accounts.models import Sector
from consultation import services
from consultation.models import Comment, Endorsement
from tests.consultation.conftest import publish_v2
from tests.factories import UserFactory
from tests.helpers import post_json


@pytest.fixture
def ada(db):
    return UserFactory(display_name="Ada", sector=Sector.NGO, email="ada@example.org")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_list_and_detail(plan, official):
    publish_v2(plan, official)
    listing = Client().get("/api/plans/").json()
    assert listing["count"] == 1
    item = listing["results"][0]
    assert item["slug"] == plan.slug and item["open_for_comment"] is True
    assert item["agency"]["slug"] == "ministry-of-data"
    assert item["current_version"] == 2
    assert Client().get("/api/plans/?status=closed").json()["count"] == 0
    assert Client().get("/api/plans/?agency=ministry-of-data").json()["count"] == 1

    detail = Client().get(f"/api/plans/{plan.slug}/").json()
    assert [v["number"] for v in detail["versions"]] == [1, 2]
    sections = {s["key"]: s for s in detail["versions"][1]["sections"]}
    assert sections["3.2"]["agency"]["name"] == "Ministry of Data"
    assert sections["3.2"]["milestones"][0]["due"] == "2026-03"
    assert "captions" in sections["3.2"]["body_html"]


def test_post_a_comment_and_a_reply(ada, plan):
    client = logged_in(ada)
    url = f"/api/plans/{plan.slug}/comments/"
    created = post_json(
        client,
        url,
        {
            "section": "3.2",
            "body": "**Captions**",
            "parent": None,
            "stance": "supports",
        },
    )
    assert created.status_code == 201
    data = created.json()
    assert data["section"] == "3.2" and data["version"] == 1
    assert data["body_html"] == "<p><strong>Captions</strong></p>"
    assert data["author"] == {
        "display_name": "Ada",
        "sector": "ngo",
        "sector_label": "Civil society / NGO",
        "organisation": "",
    }
    reply = post_json(client, url, {"body": "And sign language", "parent": data["id"]})
    assert reply.status_code == 201
    assert reply.json()["parent"] == data["id"] and reply.json()["section"] == "3.2"

    listing = Client().get(url).json()
    assert [c["id"] for c in listing["results"]] == [data["id"], reply.json()["id"]]
    assert Client().get(url + "?section=3.1").json()["count"] == 0


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"section": "9.9", "body": "x"}, {"section"}),
        ({"section": "3.2", "body": ""}, {"body"}),
        ({"section": "3.2"}, {"body"}),
        ({"section": "3.2", "body": "x", "stance": "angry"}, {"stance"}),
        ({"section": "3.2", "body": "x", "parent": 999999}, {"parent"}),
        ({"section": "3.2", "body": "x", "parent": "abc"}, {"parent"}),
        ({"section": "3.2", "body": "x", "parent": 10**30}, {"parent"}),
        ({"section": "3.2", "body": {"nested": 1}}, {"body"}),
        ({"section": ["3.2"], "body": "x"}, {"section"}),
        ({"section": "3.2", "body": "x", "quote": "not in the text"}, {"quote"}),
    ],
)
def test_invalid_comments_get_a_message_per_field(ada, plan, payload, errors):
    response = post_json(logged_in(ada), f"/api/plans/{plan.slug}/comments/", payload)
    assert response.status_code == 400
    data = response.json()
    assert set(data) == errors
    assert all(isinstance(m, str) and m for msgs in data.values() for m in msgs)


def test_malformed_json_is_a_400(ada, plan):
    response = logged_in(ada).post(
        f"/api/plans/{plan.slug}/comments/",
        "{not json",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_endorse_and_withdraw_endorsement(ada, plan):
    comment = services.post_comment(
        user=UserFactory(), plan=plan, section_key="3.2", body="x"
    )
    client = logged_in(ada)
    url = f"/api/comments/{comment.pk}/endorse/"
    assert client.post(url).json() == {"endorsed": True, "endorsements": 1}
    assert client.post(url).json() == {"endorsed": True, "endorsements": 1}
    assert Endorsement.objects.count() == 1
    assert client.delete(url).json() == {"endorsed": False, "endorsements": 0}
    assert client.post("/api/comments/999999/endorse/").status_code == 404


def test_respond_through_the_api(ada, plan, official):
    comment = services.post_comment(user=ada, plan=plan, section_key="3.2", body="x")
    publish_v2(plan, official)
    response = post_json(
        logged_in(official),
        f"/api/comments/{comment.pk}/responses/",
        {"disposition": "adopted", "body": "Done in v2.", "addressed_in": 2},
    )
    assert response.status_code == 201
    data = response.json()
    assert data["disposition"] == "adopted" and data["addressed_in"] == 2
    assert data["agency"]["name"] == "Ministry of Data"
    listed = Client().get(f"/api/plans/{plan.slug}/comments/").json()["results"][0]
    assert listed["responses"][0]["body_html"] == "<p>Done in v2.</p>"
    for payload, field in [
        ({"disposition": "maybe", "body": "x"}, "disposition"),
        ({"disposition": "adopted", "body": " "}, "body"),
        ({"disposition": "adopted", "body": "x", "addressed_in": 1}, "addressed_in"),
    ]:
        bad = post_json(
            logged_in(official), f"/api/comments/{comment.pk}/responses/", payload
        )
        assert bad.status_code == 400 and set(bad.json()) == {field}


def test_hidden_comments_are_listed_without_content_or_author(ada, plan, moderator):
    comment = services.post_comment(
        user=ada, plan=plan, section_key="3.2", body="Secret text"
    )
    services.hide_comment(user=moderator, comment=comment, reason="abuse")
    (item,) = Client().get(f"/api/plans/{plan.slug}/comments/").json()["results"]
    assert item["status"] == "hidden" and item["hidden_reason"] == "abuse"
    assert item["body_html"] == "" and item["author"] is None
    assert "Secret text" not in str(item)


def test_public_payloads_carry_no_private_fields(ada, plan):
    services.post_comment(user=ada, plan=plan, section_key="3.2", body="x")
    text = Client().get(f"/api/plans/{plan.slug}/comments/").content.decode()
    assert "ada@example.org" not in text
    assert '"email"' not in text and f'"user": {ada.pk}' not in text
    assert Comment.objects.get().author == ada


def test_the_schema_documents_every_endpoint():
    schema = yaml.safe_load(Client().get("/api/schema/").content)
    paths = schema["paths"]
    assert set(paths) >= {
        "/api/plans/",
        "/api/plans/{slug}/",
        "/api/plans/{slug}/comments/",
        "/api/comments/{comment_id}/endorse/",
        "/api/comments/{comment_id}/responses/",
    }
    post = paths["/api/plans/{slug}/comments/"]["post"]
    assert set(post["responses"]) == {"201", "400", "403", "404", "429"}
    request = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][request.rsplit("/", 1)[1]]["properties"]
    assert set(fields) >= {"section", "body", "parent", "stance", "quote"}
    assert "post" in paths["/api/comments/{comment_id}/responses/"]
    assert Client().get("/api/docs/").status_code == 200
