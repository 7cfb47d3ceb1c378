"""The API guide explains access, filters, errors and the real write limits."""

from __future__ import annotations

from django.test import Client

from clustering import conf as clustering_conf
from consultation.services import COMMENT_RATE
from forum.services import QUESTION_RATE


def test_guide_links_schema_docs_open_data_and_shows_the_enforced_limits(db):
    response = Client().get("/api/guide/")
    assert response.status_code == 200
    html = response.content.decode()
    for link in ('href="/api/schema/"', 'href="/api/docs/"', 'href="/open-data/"'):
        assert link in html
    assert "X-CSRFToken" in html and "?page=2" in html
    for rate in (COMMENT_RATE, QUESTION_RATE, clustering_conf.vote_rate()):
        amount, unit = rate.split("/")
        assert f"{amount} per {unit}" in html
    assert 'href="/sessions/upcoming.atom"' in html


def test_guide_is_linked_from_every_page_and_translated(db):
    assert 'href="/api/guide/"' in Client().get("/").content.decode()
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hant").get("/api/guide/")
    assert "API 指南" in page.content.decode()
