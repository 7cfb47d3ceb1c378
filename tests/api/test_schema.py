"""The OpenAPI 3 schema validates and documents every public read."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from django.test import Client


def test_schema_validates_without_warnings(tmp_path):
    """drf-spectacular checks the document against the OpenAPI 3.0 JSON
    schema; --fail-on-warn also fails on anything it could not describe."""
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert yaml.safe_load(out.read_text())["openapi"].startswith("3.")


@pytest.fixture
def schema(db):
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


@pytest.mark.parametrize(
    ("path", "filters"),
    [
        ("/api/plans/", {"status", "created_after", "created_before", "updated_after"}),
        ("/api/plans/{slug}/versions/", {"published_after", "published_before"}),
        ("/api/plans/{slug}/comments/", {"status", "created_after", "updated_after"}),
        ("/api/plans/{slug}/responses/", {"disposition", "created_after"}),
        (
            "/api/sessions/",
            {"status", "starts_after", "starts_before", "updated_after"},
        ),
        ("/api/sessions/{session_id}/questions/", {"status", "created_after"}),
        ("/api/conversations/", {"status", "created_after", "updated_after"}),
        ("/api/conversations/{id}/statements/", {"created_after"}),
    ],
)
def test_every_list_is_paginated_and_filterable(schema, path, filters):
    get = schema["paths"][path]["get"]
    names = {p["name"] for p in get.get("parameters", [])}
    assert "page" in names
    assert filters <= names
    assert {"200", "400", "404"} <= set(get["responses"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/plans/{slug}/",
        "/api/plans/{slug}/versions/{number}/",
        "/api/comments/{comment_id}/",
        "/api/sessions/{session_id}/",
        "/api/conversations/{id}/",
    ],
)
def test_every_detail_is_documented(schema, path):
    responses = schema["paths"][path]["get"]["responses"]
    assert "$ref" in str(responses["200"]), "the response body is described"
    assert "404" in responses


def test_docs_page_is_served(db):
    """Swagger UI, with its script served separately (no inline script, as
    the Content-Security-Policy requires), pointing at the schema."""
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert b'id="swagger-ui"' in response.content
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200
    assert b"/api/schema/" in script.content
